// Speed and memory benchmark of the engine (run by hand, results in bench/README.md):
//   npx tsx bench/speed.ts [--corpus DIR] [--no-model] [--max-files N] [--queries N]
// Measures a cold index, a re-index with nothing changed, one changed file
// becoming searchable, warm query latency (p50/p95), peak RSS and index size.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
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

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p / 100 * s.length) - 1))];
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const f of fs.readdirSync(dir)) n += fs.statSync(path.join(dir, f)).size;
  return n;
}

async function main(): Promise<void> {
  const corpus = path.resolve(arg('corpus') ?? path.join(__dirname, 'corpora', 'speed'));
  const maxFiles = arg('max-files') ? Number(arg('max-files')) : undefined;
  const nQueries = Number(arg('queries') ?? 200);
  const useModel = !process.argv.includes('--no-model');
  const modelDir = arg('model') ?? findDefaultModel();
  const embedder: Embedder | null = useModel && modelDir ? await loadEmbedder(modelDir) : null;
  if (useModel && !embedder) console.log('note: no model found; measuring keyword-only');

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
  const out: Record<string, unknown> = { corpus: root, model: embedder?.id ?? null, node: process.version, cpus: os.cpus().length };

  let t = performance.now();
  const engine = await Engine.open({ roots: [root], indexDir, embedder });
  const cold = await engine.index();
  out.coldIndexSec = +((performance.now() - t) / 1000).toFixed(2);
  out.files = cold.files;
  out.chunks = cold.chunks;
  out.skipped = cold.skipped.length;
  out.rssAfterIndexMB = Math.round(process.memoryUsage().rss / 1e6);

  // re-index with nothing changed, in a fresh engine (load from disk + crawl + stat)
  await engine.close();
  t = performance.now();
  const warm = await Engine.open({ roots: [root], indexDir, embedder });
  const again = await warm.index();
  out.reindexUnchangedSec = +((performance.now() - t) / 1000).toFixed(2);
  out.reindexChangedFiles = again.changedFiles;

  // one changed file searchable
  const probe = path.join(root, 'sift_speed_probe.ts');
  fs.writeFileSync(probe, `export function siftSpeedProbe${Date.now() % 1e6}(x: number) {\n  return x * 2;\n}\n`);
  t = performance.now();
  await warm.updateFiles([probe]);
  const found = await warm.search('siftSpeedProbe', { k: 3 });
  out.oneFileSearchableMs = +(performance.now() - t).toFixed(1);
  out.oneFileFound = found.hits.some((h) => h.file === 'sift_speed_probe.ts');
  fs.rmSync(probe);
  await warm.updateFiles([probe]);

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
  out.peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  out.indexDiskMB = +(dirBytes(indexDir) / 1e6).toFixed(1);
  console.log(JSON.stringify(out, null, 1));
  await warm.close();
  await embedder?.dispose();
  fs.rmSync(indexDir, { recursive: true, force: true });
  if (root !== corpus) fs.rmSync(root, { recursive: true, force: true });
}

main().catch((e) => { console.error(e); process.exit(1); });
