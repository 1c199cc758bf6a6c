// Micro benchmark of the vector store (by hand, not a test):
//
//   npx tsx bench/vectorScan.bench.ts            all cases, each in a fresh process
//   npx tsx bench/vectorScan.bench.ts 100000 384 one case in this process
//
// Per case: build time (upsertMany of random vectors into a store grown from
// the default capacity), search p50/p95 over 200 random queries (k = 10 and
// k = 100, plus a filter that keeps half the keys), the very first search
// (the WASM kernel still on V8's baseline tier), the plain-JS fallback's
// p50, serialise/deserialise time and size, and memory (RSS, array buffers
// incl. WASM memory) after the build relative to before it.

import { execFileSync } from 'node:child_process';
import { VectorStore } from '../src/core/vector/vectorStore';
import { mulberry32 } from '../training/train/random';

const CASES: Array<[count: number, dim: number]> = [[10_000, 256], [10_000, 384], [100_000, 256], [100_000, 384]];
const QUERIES = 200;
const WARMUP = 20;


function randomVectors(count: number, dim: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(count * dim);
  for (let i = 0; i < out.length; i++) out[i] = rand() * 2 - 1;
  return out;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function timeQueries(
  store: VectorStore, queries: Float32Array[], k: number, filter?: (key: number) => boolean, warmup = WARMUP,
): { p50: number; p95: number } {
  for (let i = 0; i < warmup; i++) store.search(queries[i % queries.length], k, filter);
  const times: number[] = [];
  for (const q of queries) {
    const t = performance.now();
    store.search(q, k, filter);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

const mb = (bytes: number) => (bytes / 1048576).toFixed(1);
const ms = (x: number) => x.toFixed(2);

function runCase(count: number, dim: number): void {
  const flat = randomVectors(count, dim, count + dim);
  const keys = Uint32Array.from({ length: count }, (_, i) => i);
  const queries = Array.from({ length: QUERIES }, (_, i) => randomVectors(1, dim, 1_000_000 + i));
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();

  let t = performance.now();
  const store = new VectorStore(dim);
  store.upsertMany(keys, flat);
  const buildMs = performance.now() - t;
  gc?.();
  const after = process.memoryUsage();

  t = performance.now();
  store.search(queries[0], 10);
  const firstMs = performance.now() - t; // before the WASM tier-up

  const k10 = timeQueries(store, queries, 10);
  const k100 = timeQueries(store, queries, 100);
  const half = timeQueries(store, queries, 10, (key) => (key & 1) === 0);

  const js = new VectorStore(dim, count, { kernel: 'js' });
  js.upsertMany(keys, flat);
  const jsTimes = timeQueries(js, queries.slice(0, 20), 10, undefined, 3);

  t = performance.now();
  const bytes = store.serialize();
  const serializeMs = performance.now() - t;
  t = performance.now();
  VectorStore.deserialize(bytes);
  const deserializeMs = performance.now() - t;

  console.log(
    `${String(count).padStart(6)} × ${dim} [${store.kernelKind}]  build ${ms(buildMs)} ms` +
    `  first search ${ms(firstMs)} ms  search k=10 p50 ${ms(k10.p50)} / p95 ${ms(k10.p95)} ms` +
    `  k=100 p50 ${ms(k100.p50)} / p95 ${ms(k100.p95)} ms` +
    `  filter½ k=10 p50 ${ms(half.p50)} ms` +
    `  js-fallback k=10 p50 ${ms(jsTimes.p50)} ms` +
    `  serialize ${ms(serializeMs)} ms / deserialize ${ms(deserializeMs)} ms (${mb(bytes.length)} MB)` +
    `  memory Δ rss ${mb(after.rss - before.rss)} MB, Δ arrayBuffers ${mb(after.arrayBuffers - before.arrayBuffers)} MB,` +
    ` Δ heapUsed ${mb(after.heapUsed - before.heapUsed)} MB; rss now ${mb(process.memoryUsage().rss)} MB`,
  );
}

const [countArg, dimArg] = process.argv.slice(2);
if (countArg && dimArg) {
  runCase(Number(countArg), Number(dimArg));
} else {
  console.log(`node ${process.version}, ${QUERIES} queries per measurement after ${WARMUP} warm-up; js fallback over 20 queries after 3`);
  for (const [count, dim] of CASES) {
    // a fresh process per case keeps the memory numbers of one case out of the next
    execFileSync(process.execPath, [...process.execArgv, '--expose-gc', __filename, String(count), String(dim)], { stdio: 'inherit' });
  }
}
