// Speed and memory benchmark of the engine (run by hand, results in bench/README.md):
//   npx tsx bench/speed.ts [--corpus DIR] [--no-model] [--max-files N] [--queries N] [--runtime native|onnxruntime] [--chunk-threads N]
//     [--json FILE] (also write the result there)  [--bundle FILE] (run the phases in this bundle, not a fresh build)
//     [--change-file REL] (the one-file phase edits this file of the corpus instead of adding one; its hard link is broken first)
// Measures a cold index, a re-index with nothing changed, one changed file
// becoming searchable, warm query latency (p50/p95), peak RSS per phase and index size.
// The phases run on the engine bundled into dist/speedBench.js (built first), in plain Node.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Engine } from '../src/core/engine';
import { findDefaultModel, loadEmbedder, type Embedder } from '../src/core/embed/embedder';

const QUERIES = [
  'parse command line arguments', 'retry a failed request with exponential backoff', 'read a file line by line',
  'convert a date to ISO string', 'escape html special characters', 'deep clone an object', 'debounce a function',
  'validate an email address', 'compute a hash of a string', 'merge two sorted arrays', 'format bytes as human readable',
  'open a websocket connection', 'compile a regular expression', 'walk a directory tree recursively',
  'throttle events', 'serialize to json', 'handle http errors', 'create a database connection pool',
  'register a plugin', 'emit an event to listeners', 'parse a url query string', 'generate a random id',
  'compare two versions', 'cache the result of a function', 'stream a response body', 'resolve module paths',
  'tokenize source code', 'render a template', 'load configuration from environment', 'schedule a timer',
  'createElement', 'useState', 'EventEmitter', 'parseInt', 'isPlainObject', 'toString', 'addEventListener',
  'Promise.all', 'JSON.parse', 'Buffer.from', 'readFileSync', 'setTimeout', 'Symbol.iterator', 'Object.keys',
  'where are http headers normalised', 'how are circular references detected', 'sort items by priority',
  'transaction rollback on failure', 'matrix multiplication', 'gzip compression of responses',
];

export function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** --name's value, or a clear exit when it is missing. */
export function needArg(name: string): string {
  const v = arg(name);
  if (!v) throw new Error(`--${name} is required`);
  return v;
}

export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p / 100 * s.length) - 1))];
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return n;
}

// Each phase runs in its own process so its peak RSS is its own: a cold index
// (the indexing worker's life), then a re-open of that index as the extension's
// worker or a later CLI run would (re-index unchanged, a one-file update, queries).
async function phaseCold(root: string, indexDir: string, embedder: Embedder | null): Promise<Record<string, unknown>> {
  const t = performance.now();
  const chunkThreads = arg('chunk-threads') === undefined ? undefined : Number(arg('chunk-threads'));
  const engine = await Engine.open({ roots: [root], indexDir, embedder, chunkThreads });
  const cold = await engine.index();
  const out = {
    coldIndexSec: +((performance.now() - t) / 1000).toFixed(2),
    files: cold.files, chunks: cold.chunks, skipped: cold.skipped.length, embedded: cold.embeddedChunks, chunkThreads: cold.chunkThreads,
    coldPeakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  await engine.close();
  return out;
}

// An existing file of the corpus gets a new function appended, then is put back.
// The corpus may be hard links to the original tree: the file is first replaced by
// a copy of itself (its own inode), so the edit never reaches the original.
async function oneChangedFile(warm: Engine, root: string, rel: string): Promise<Record<string, unknown>> {
  const abs = path.join(root, rel);
  const original = fs.readFileSync(abs);
  const unlinked = `${abs}.sift-probe-copy`;
  fs.copyFileSync(abs, unlinked);
  fs.renameSync(unlinked, abs);
  const name = `siftSpeedProbe${Date.now() % 1e6}`;
  fs.appendFileSync(abs, rel.endsWith('.py') ? `\n\ndef ${name}(x):\n    return x * 2\n` : `\nfunction ${name}(x) {\n  return x * 2;\n}\n`);
  const t = performance.now();
  await warm.updateFiles([abs]);
  const found = await warm.search(name, { k: 3 });
  const ms = +(performance.now() - t).toFixed(1);
  fs.writeFileSync(abs, original);
  await warm.updateFiles([abs]);
  return { oneFileSearchableMs: ms, oneFileFound: found.hits.some((h) => h.file === rel), oneFile: rel, oneFileBytes: original.length };
}

async function phaseWarm(root: string, indexDir: string, embedder: Embedder | null, nQueries: number): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  let t = performance.now();
  const warm = await Engine.open({ roots: [root], indexDir, embedder });
  out.openSec = +((performance.now() - t) / 1000).toFixed(2);
  const again = await warm.index();
  out.reindexUnchangedSec = +((performance.now() - t) / 1000).toFixed(2);
  out.reindexChangedFiles = again.changedFiles;
  t = performance.now();
  await warm.warmUp();
  out.warmUpSec = +((performance.now() - t) / 1000).toFixed(2);

  // one changed file searchable
  const changeRel = arg('change-file');
  if (changeRel) {
    Object.assign(out, await oneChangedFile(warm, root, changeRel));
  } else {
    const probe = path.join(root, 'sift_speed_probe.ts');
    fs.writeFileSync(probe, `export function siftSpeedProbe${Date.now() % 1e6}(x: number) {\n  return x * 2;\n}\n`);
    t = performance.now();
    await warm.updateFiles([probe]);
    const found = await warm.search('siftSpeedProbe', { k: 3 });
    out.oneFileSearchableMs = +(performance.now() - t).toFixed(1);
    out.oneFileFound = found.hits.some((h) => h.file === 'sift_speed_probe.ts');
    fs.rmSync(probe);
    await warm.updateFiles([probe]);
  }

  // warm query latency
  for (const q of QUERIES.slice(0, 10)) await warm.search(q);
  const times: number[] = [];
  for (let i = 0; i < nQueries; i++) {
    const q = QUERIES[i % QUERIES.length];
    const t0 = performance.now();
    await warm.search(q);
    times.push(performance.now() - t0);
  }
  out.queryP50Ms = +pct(times, 50).toFixed(2);
  out.queryP95Ms = +pct(times, 95).toFixed(2);
  out.warmPeakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  await warm.close();
  return out;
}

// Phases run the engine as it ships, bundled into dist/ next to the chunking
// thread's bundle and the WASM files, in plain Node: through tsx, its loader
// (in this process and in every chunking thread) adds ~50–80 MB of RSS.
export const PHASE_BUNDLE = path.join(__dirname, '..', 'dist', 'speedBench.js');

export function buildPhaseBundle(): void {
  const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'esbuild.config.mjs'), '--with-bench'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0 || !fs.existsSync(PHASE_BUNDLE)) throw new Error('could not build dist/speedBench.js');
}

function runPhase(bundle: string, phase: string, args: string[]): Record<string, unknown> {
  const r = spawnSync(process.execPath, [bundle, '--phase', phase, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`phase ${phase} failed (exit ${r.status})`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

async function main(): Promise<void> {
  const phase = arg('phase');
  const nQueries = Number(arg('queries') ?? 200);
  const useModel = !process.argv.includes('--no-model');
  const modelDir = arg('model') ?? findDefaultModel();
  if (phase) {
    const embedder: Embedder | null = useModel && modelDir ? await loadEmbedder(modelDir, { runtime: (arg('runtime') ?? 'auto') as 'auto' }) : null;
    const root = arg('root')!;
    const indexDir = arg('index-dir')!;
    const res = phase === 'cold' ? await phaseCold(root, indexDir, embedder) : await phaseWarm(root, indexDir, embedder, nQueries);
    res.model = embedder ? `${embedder.id} (${embedder.runtime})` : null;
    await embedder?.dispose();
    console.log(JSON.stringify(res));
    return;
  }
  const corpus = path.resolve(arg('corpus') ?? path.join(__dirname, 'corpora', 'speed'));
  const maxFiles = arg('max-files') ? Number(arg('max-files')) : undefined;
  if (useModel && !modelDir) console.log('note: no model found; measuring keyword-only');

  let root = corpus;
  if (maxFiles) {
    // a smaller workspace: the first N files (by path) copied into a temp folder
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-speed-sub-'));
    const { crawl } = await import('../src/core/crawl/crawler');
    const { languageForPath } = await import('../src/core/chunk/languages');
    const found = await crawl([corpus], { isIndexable: (r) => languageForPath(r) !== null });
    for (const f of found.files.slice(0, maxFiles)) {
      const dst = path.join(root, f.rel);
      fs.mkdirSync(path.dirname(dst), { recursive: true });
      fs.copyFileSync(f.abs, dst);
    }
  }
  const indexDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-speed-idx-'));
  const pass = ['--root', root, '--index-dir', indexDir, '--queries', String(nQueries),
    ...(useModel ? [] : ['--no-model']), ...(modelDir ? ['--model', modelDir] : []), ...(arg('runtime') ? ['--runtime', arg('runtime')!] : []),
    ...(arg('chunk-threads') ? ['--chunk-threads', arg('chunk-threads')!] : []),
    ...(arg('change-file') ? ['--change-file', arg('change-file')!] : [])];
  const out: Record<string, unknown> = { corpus: root, node: process.version, cpus: os.cpus().length };
  const bundle = arg('bundle') ? path.resolve(arg('bundle')!) : PHASE_BUNDLE;
  if (!arg('bundle')) buildPhaseBundle();
  try {
    Object.assign(out, runPhase(bundle, 'cold', pass));
    Object.assign(out, runPhase(bundle, 'warm', pass));
    out.indexDiskMB = +(dirBytes(indexDir) / 1e6).toFixed(1);
    console.log(JSON.stringify(out, null, 1));
    if (arg('json')) fs.writeFileSync(arg('json')!, JSON.stringify(out, null, 1) + '\n');
  } finally {
    fs.rmSync(indexDir, { recursive: true, force: true });
    if (root !== corpus) fs.rmSync(root, { recursive: true, force: true });
  }
}

// bench/scale.ts imports buildPhaseBundle: run only when started as a script (or as the bundle)
if (require.main === module) main().catch((e) => { console.error(e); process.exit(1); });
