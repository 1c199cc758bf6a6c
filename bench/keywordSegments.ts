// The segmented keyword index (src/core/keyword/segmentedIndex.ts) on a built index's chunks
// (run by hand, results in bench/README.md). Each mode runs in its own process:
//   npx tsx bench/keywordSegments.ts chunks  --corpus bench/corpora/speed --out FILE   chunk once, to a JSON-lines file
//   npx tsx bench/keywordSegments.ts build   --chunks FILE --out DIR [--scale N] [--budget MB] [--old]
//   npx tsx bench/keywordSegments.ts open    --dir DIR        open + first queries, keyword-side RSS
//   npx tsx bench/keywordSegments.ts old     --dir DIR        today's index (built by build --old), same queries
//   npx tsx bench/keywordSegments.ts compare --dir DIR --ref DIR2   answers equal to today's?
//   npx tsx bench/keywordSegments.ts update  --dir DIR        one file's chunks replaced, saved, searched
//   npx tsx bench/keywordSegments.ts names   --dir DIR --ref DIR2   name search alone, both indexes
// At --scale N the chunks are added N times under new keys, as N copies of the corpus would be.
// build --old writes today's KeywordIndex (keyword.bin + names.json) instead.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { crawl } from '../src/core/crawl/crawler';
import { Chunker } from '../src/core/chunk/chunker';
import { languageForPath } from '../src/core/chunk/languages';
import { KeywordIndex, queryTerms } from '../src/core/keyword/keywordIndex';
import { SegmentedKeywordIndex } from '../src/core/keyword/segmentedIndex';
import type { KeywordCommit } from '../src/core/keyword/segmentFormat';

const QUERIES = ['parse a duration string', 'retry request with backoff', 'read file synchronously', 'set http header', 'event emitter listener',
  'validate json schema', 'createServer', 'getContentType', 'gcc', 'normalize path separators', 'deep clone object', 'escape html',
  'base64 encode', 'compare semver versions', 'stream pipe error', 'parseInt radix', 'debounce', 'utf8', 'x', 'lodash merge'];

function arg(name: string, def?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  if (def === undefined) throw new Error(`--${name} is required`);
  return def;
}
const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;
const ms = (t: number) => `${t.toFixed(1)} ms`;

type ChunkLine = { name: string; signature: string; text: string };

async function chunks(): Promise<void> {
  const corpus = arg('corpus'), out = arg('out');
  const found = await crawl([path.resolve(corpus)], { isIndexable: (rel) => languageForPath(rel) !== null });
  const chunker = await Chunker.create();
  const fd = fs.openSync(out, 'w');
  let n = 0;
  for (const f of found.files) {
    const r = await chunker.chunkFileAsync(f.rel, fs.readFileSync(f.abs, 'utf8'));
    for (const c of r.chunks) { fs.writeSync(fd, JSON.stringify({ name: c.name, signature: c.signature, text: c.text }) + '\n'); n++; }
  }
  fs.closeSync(fd);
  console.log(`${found.files.length} files, ${n} chunks → ${out}`);
}

/** The chunks of a chunks file, read in blocks (never the whole file at once). */
function* readChunks(file: string): Generator<ChunkLine> {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(1 << 20);
  let rest = '';
  for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0;) {
    const lines = (rest + buf.toString('utf8', 0, n)).split('\n');
    rest = lines.pop()!;
    for (const l of lines) if (l) yield JSON.parse(l) as ChunkLine;
  }
  fs.closeSync(fd);
  if (rest) yield JSON.parse(rest) as ChunkLine;
}

function build(): void {
  const file = arg('chunks'), out = arg('out'), scale = Number(arg('scale', '1')), budget = Number(arg('budget', '0'));
  const oldIndex = process.argv.includes('--old');
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  let peak = process.memoryUsage().rss;
  const base = peak;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const idx = oldIndex ? new KeywordIndex() : SegmentedKeywordIndex.create(out, budget ? { memoryBudget: budget * 2 ** 20 } : {});
  const names: string[] = [];
  let key = 0;
  for (let copy = 0; copy < scale; copy++) {
    for (const c of readChunks(file)) {
      idx.add(key++, c);
      if (oldIndex) names.push(c.name);
      if ((key & 1023) === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
  }
  let info: string;
  if (idx instanceof SegmentedKeywordIndex) {
    const commit = idx.save();
    idx.removeUnreferenced();
    fs.writeFileSync(path.join(out, 'commit.json'), JSON.stringify(commit));
    info = `${JSON.stringify(idx.stats)}; ${commit.segments.length} segments, ${mb(commit.segments.reduce((n, s) => n + s.bytes, 0))} on disk`;
  } else {
    const bytes = idx.serialize();
    fs.writeFileSync(path.join(out, 'keyword.bin'), bytes);
    fs.writeFileSync(path.join(out, 'names.json'), JSON.stringify(names));
    info = `keyword.bin ${mb(bytes.length)}`;
  }
  const t1 = performance.now();
  peak = Math.max(peak, process.memoryUsage().rss);
  const cpu = process.cpuUsage(cpu0);
  console.log(`build ${key} chunks (${scale}×${oldIndex ? ', today\'s index' : ''}): ${((t1 - t0) / 1000).toFixed(1)} s (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s); ${info}`);
  console.log(`  RSS before ${mb(base)}, peak ${mb(peak)} (sampled every 1024 chunks), max RSS ${mb(process.resourceUsage().maxRSS * 1024)}`);
}

function commitOf(dir: string): KeywordCommit {
  return JSON.parse(fs.readFileSync(path.join(dir, 'commit.json'), 'utf8')) as KeywordCommit;
}

type Side = Pick<KeywordIndex, 'search' | 'searchNames' | 'coverage'>;

/** The search path's keyword calls for one query (as search/candidates.ts makes them). */
function query(k: Side, q: string): unknown {
  const terms = queryTerms(q);
  const hits = k.search(terms, 400);
  const names = k.searchNames(q, 20);
  const cov = [...hits.slice(0, 100).map((h) => h.key), ...names].map((key) => k.coverage(terms, key));
  return { hits, names, cov };
}

function firstQueries(k: Side, label: string, t0: number, rss0: number): void {
  const t1 = performance.now();
  query(k, QUERIES[0]);
  const t2 = performance.now();
  for (const q of QUERIES) query(k, q);
  const t3 = performance.now();
  global.gc?.();
  console.log(`${label}: open ${ms(t1 - t0)}, first query ${ms(t2 - t1)}, ${QUERIES.length} more ${ms((t3 - t2) / QUERIES.length)} each; RSS +${mb(process.memoryUsage().rss - rss0)} (heap used ${mb(process.memoryUsage().heapUsed)})`);
}

function open(): void {
  const dir = arg('dir');
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const idx = SegmentedKeywordIndex.open(dir, commitOf(dir));
  firstQueries(idx, `segmented (${idx.size} chunks, ${idx.stats.segments} segments)`, t0, rss0);
}

function loadOld(dir: string): KeywordIndex {
  const names = JSON.parse(fs.readFileSync(path.join(dir, 'names.json'), 'utf8')) as string[];
  return KeywordIndex.deserialize(fs.readFileSync(path.join(dir, 'keyword.bin')), names.map((n, k) => [k, n] as [number, string]));
}

function old(): void {
  const dir = arg('dir');
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const k = loadOld(dir);
  firstQueries(k, `today's (${k.size} chunks)`, t0, rss0);
}

function compare(): void {
  const today = loadOld(arg('ref'));
  const dir = arg('dir');
  const seg = SegmentedKeywordIndex.open(dir, commitOf(dir));
  let differ = 0;
  const extra = ['parseDur', 'getCont', 'req', 'readFileSy', 'mk', 'h', 'useEff', 'toStr', 'isArr', 'cb'];
  for (const q of [...QUERIES, ...extra]) {
    if (JSON.stringify(query(today, q)) !== JSON.stringify(query(seg, q))) { differ++; console.log(`differs: ${q}`); }
  }
  console.log(`${QUERIES.length + extra.length} queries: ${differ} differ (BM25 top 400 keys and scores, names top 20, coverage of the candidates)`);
}

function update(): void {
  const dir = arg('dir');
  let t = performance.now();
  const idx = SegmentedKeywordIndex.open(dir, commitOf(dir));
  const opened = performance.now() - t;
  // "one changed file": its 12 chunks removed and added again under new keys
  const victims = idx.search(queryTerms('retry request with backoff'), 12).map((h) => h.key);
  const next = idx.size * 2; // above every key (the index was built with keys 0..n-1)
  t = performance.now();
  for (const k of victims) idx.remove(k);
  for (let i = 0; i < victims.length; i++) idx.add(next + i, { name: `retryRequest${i}`, signature: '', text: 'retry the request with exponential backoff' });
  const found = idx.search(queryTerms('retry request with backoff'), 5);
  const searchable = performance.now() - t;
  t = performance.now();
  const commit = idx.save();
  const saved = performance.now() - t;
  fs.writeFileSync(path.join(dir, 'commit.json'), JSON.stringify(commit));
  idx.removeUnreferenced();
  console.log(`update: open ${ms(opened)}; 12 chunks replaced and searched ${ms(searchable)} (top hit ${found[0]?.key}); save ${ms(saved)}, ${commit.segments.length} segments`);
}

function names(): void {
  const today = loadOld(arg('ref'));
  let t = performance.now();
  today.prepareNames();
  console.log(`today's name index built in ${ms(performance.now() - t)}`);
  const dir = arg('dir');
  const seg = SegmentedKeywordIndex.open(dir, commitOf(dir));
  for (const q of ['getContentType', 'getContentType', 'get', 'x', 'parseDur']) {
    t = performance.now(); today.searchNames(q, 20); const a = performance.now() - t;
    t = performance.now(); seg.searchNames(q, 20); const b = performance.now() - t;
    console.log(`${q}: today's ${ms(a)}, segments ${ms(b)}`);
  }
}

const modes: Record<string, () => void | Promise<void>> = { chunks, build, open, old, compare, update, names };
const mode = modes[process.argv[2]];
if (!mode) throw new Error(`mode: one of ${Object.keys(modes).join(', ')}`);
void mode();
