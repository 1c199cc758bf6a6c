// The vector store's coarse pass against its exact scan, on real vectors (by hand, not a test):
//
//   npx tsx bench/vectorCoarse.bench.ts [--index /tmp/idx1x] [--corpus bench/corpora/speed] [--scales 1,8] [--work DIR]
//
// --index: a built index of the speed corpus (its vectors.bin is read);
// the model in models/ embeds the queries. Prepares once (cached in --work,
// default $TMPDIR/sift-vector-bench): 200 query vectors (names of functions
// declared in the corpus's files split into words, e.g. "parse header value",
// drawn with a fixed seed) and, per scale N, a format-2 vector file of the index's rows plus N − 1
// perturbed copies of each (every component + N(0, (0.3 / 16)²) on the unit
// vector, then re-quantised: cosine ≈ 0.96 to its original; scale 8 ≈ 840K rows),
// written through save() whenever the store wantsFlush, as a build would
// (its peak RSS is printed).
// Then each (scale, mode) runs in a fresh process: open time, RSS and array
// buffers added by opening, search p50/p95 at k = 10 and k = 100 (and k = 100
// with a filter keeping half the keys), and for the coarse pass recall of the
// exact top 10 and top 100 (the exact process writes the ground truth).
// --shortlist S --rescore R set the coarse pass's sizes (default: the store's).

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findDefaultModel, loadEmbedder } from '../src/core/embed/embedder';
import { readManifest } from '../src/core/persist/indexStore';
import { type VectorCommit, VectorStore, type VectorStoreOptions } from '../src/core/vector/vectorStore';
import { mulberry32 } from '../training/train/random';

const QUERIES = 200;
const WARMUP = 20;
const NOISE = 0.3;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const mb = (bytes: number) => (bytes / 1048576).toFixed(1);

// ---- preparation (parent process) -------------------------------------------

/** Every .js/.ts file under `dir`, sorted. */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((x, y) => x.name.localeCompare(y.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(js|ts)$/.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

async function prepareQueries(corpus: string, out: string): Promise<void> {
  if (fs.existsSync(out)) return;
  const files = sourceFiles(corpus);
  const rand = mulberry32(7);
  const names = new Set<string>();
  while (names.size < QUERIES) {
    const text = fs.readFileSync(files[Math.floor(rand() * files.length)], 'utf8');
    const found = [...text.matchAll(/function\s+([A-Za-z_$][\w$]*)\s*\(/g)].map((x) => x[1]);
    if (found.length === 0) continue;
    const words = found[Math.floor(rand() * found.length)]
      .replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_$]+/g, ' ').toLowerCase().trim();
    if (words.split(' ').length >= 2) names.add(words);
  }
  const embedder = await loadEmbedder(findDefaultModel()!);
  const vecs = await embedder.embed([...names]);
  fs.writeFileSync(out, Buffer.from(vecs.buffer, vecs.byteOffset, QUERIES * embedder.dim * 4));
  fs.writeFileSync(`${out}.json`, JSON.stringify([...names]));
  await embedder.dispose();
}

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** A format-2 vector file of the index's rows and scale − 1 perturbed copies, saved as a build would. */
function prepareScale(index: string, scale: number, dir: string): void {
  const commitFile = path.join(dir, 'commit.json');
  if (fs.existsSync(commitFile)) return;
  fs.mkdirSync(dir, { recursive: true });
  const m = readManifest(index);
  const src = VectorStore.open(index, m.files.vectors as VectorCommit, { search: 'exact' });
  const dim = src.dim;
  const keys = src.keys();
  const n = keys.length;
  const store = new VectorStore(dim);
  const rand = mulberry32(11);
  const batch = 4096;
  let commit: VectorCommit | null = null;
  for (let copy = 0; copy < scale; copy++) {
    for (let i = 0; i < n; i += batch) {
      const m2 = Math.min(batch, n - i);
      const vecs = new Float32Array(m2 * dim);
      for (let j = 0; j < m2; j++) {
        const v = src.vectorOf(keys[i + j])!;
        for (let d = 0; d < dim; d++) vecs[j * dim + d] = v[d] + (copy === 0 ? 0 : gaussian(rand) * NOISE / Math.sqrt(dim));
      }
      store.upsertMany(Uint32Array.from({ length: m2 }, (_, j) => copy * n + i + j), vecs);
      if (store.wantsFlush) commit = store.save(dir);
    }
  }
  commit = store.save(dir);
  fs.writeFileSync(commitFile, JSON.stringify(commit));
  console.log(`prepared ${store.size} rows (${scale}×, ${store.searchMode} at the end) in ${dir}: ${mb(commit.bytes)} MB,` +
    ` build peak rss ${mb(process.resourceUsage().maxRSS * 1024)} MB (the source index's rows included)`);
}

// ---- measurement (one process per scale and mode) --------------------------

function measure(dir: string, mode: 'exact' | 'coarse', queryFile: string, truthFile: string): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  const commit = JSON.parse(fs.readFileSync(path.join(dir, 'commit.json'), 'utf8')) as VectorCommit;
  const raw = fs.readFileSync(queryFile);
  const qAll = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
  gc?.();
  const before = process.memoryUsage();
  const options: VectorStoreOptions = { search: mode };
  if (arg('shortlist')) options.shortlist = Number(arg('shortlist'));
  if (arg('rescore')) options.rescore = Number(arg('rescore'));
  let t = performance.now();
  const store = VectorStore.open(dir, commit, options);
  const openMs = performance.now() - t;
  gc?.();
  const after = process.memoryUsage();
  const dim = store.dim;
  const queries = Array.from({ length: QUERIES }, (_, i) => qAll.subarray(i * dim, (i + 1) * dim));

  const time = (k: number, filter?: (key: number) => boolean) => {
    for (let i = 0; i < WARMUP; i++) store.search(queries[i], k, filter);
    const times: number[] = [];
    const hits: number[][] = [];
    for (const q of queries) {
      t = performance.now();
      const h = store.search(q, k, filter);
      times.push(performance.now() - t);
      hits.push(h.map((x) => x.key));
    }
    times.sort((a, b) => a - b);
    return { p50: pct(times, 50), p95: pct(times, 95), hits };
  };
  const k10 = time(10);
  const k100 = time(100);
  const half = time(100, (key) => (key & 1) === 0);
  const line = [`${String(store.size).padStart(7)} rows ${mode.padEnd(6)}`,
    `open ${openMs.toFixed(0)} ms, +rss ${mb(after.rss - before.rss)} MB (+arrayBuffers ${mb(after.arrayBuffers - before.arrayBuffers)}, +heap ${mb(after.heapUsed - before.heapUsed)})`,
    `k=10 p50 ${k10.p50.toFixed(2)} / p95 ${k10.p95.toFixed(2)} ms`,
    `k=100 p50 ${k100.p50.toFixed(2)} / p95 ${k100.p95.toFixed(2)} ms`,
    `k=100 filter½ p50 ${half.p50.toFixed(2)} / p95 ${half.p95.toFixed(2)} ms`];
  if (mode === 'exact') {
    fs.writeFileSync(truthFile, JSON.stringify({ k100: k100.hits, half: half.hits }));
  } else {
    const truth = JSON.parse(fs.readFileSync(truthFile, 'utf8')) as { k100: number[][]; half: number[][] };
    const rec = (got: number[][], want: number[][], k: number) => got.reduce((s, g, i) => {
      const w = new Set(want[i].slice(0, k));
      return s + g.slice(0, k).filter((x) => w.has(x)).length / k;
    }, 0) / got.length;
    line.push(`recall@10 ${rec(k10.hits, truth.k100, 10).toFixed(4)} @100 ${rec(k100.hits, truth.k100, 100).toFixed(4)}` +
      ` filter½ @10 ${rec(half.hits, truth.half, 10).toFixed(4)} @100 ${rec(half.hits, truth.half, 100).toFixed(4)}`);
  }
  line.push(`peak rss ${mb(process.resourceUsage().maxRSS * 1024)} MB`);
  console.log(line.join('  '));
  store.close();
}

async function main(): Promise<void> {
  const work = path.resolve(arg('work') ?? path.join(os.tmpdir(), 'sift-vector-bench'));
  const queryFile = path.join(work, 'queries.f32');
  const index = path.resolve(arg('index') ?? '/tmp/idx1x');
  const prepareDir = arg('prepare-dir');
  if (prepareDir) {
    prepareScale(index, Number(arg('scale')), prepareDir);
    return;
  }
  const measureDir = arg('measure-dir');
  if (measureDir) {
    measure(measureDir, arg('mode') as 'exact' | 'coarse', queryFile, path.join(measureDir, 'truth.json'));
    return;
  }
  const scales = (arg('scales') ?? '1,8').split(',').map(Number);
  fs.mkdirSync(work, { recursive: true });
  await prepareQueries(path.resolve(arg('corpus') ?? path.join(__dirname, 'corpora', 'speed')), queryFile);
  console.log(`node ${process.version}; ${QUERIES} queries after ${WARMUP} warm-up; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const extra = ['shortlist', 'rescore'].flatMap((a) => (arg(a) ? [`--${a}`, arg(a)!] : []));
  for (const scale of scales) {
    const dir = path.join(work, `x${scale}`);
    if (!fs.existsSync(path.join(dir, 'commit.json'))) {
      execFileSync(process.execPath, [...process.execArgv, __filename, '--index', index, '--prepare-dir', dir, '--scale', String(scale)], { stdio: 'inherit' });
    }
    for (const mode of ['exact', 'coarse']) {
      execFileSync(process.execPath, [...process.execArgv, '--expose-gc', __filename, '--work', work, '--measure-dir', dir, '--mode', mode, ...extra], { stdio: 'inherit' });
    }
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
