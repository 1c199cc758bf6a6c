// What the learning loop costs (run by hand, results in bench/README.md):
//   npx tsx bench/adaptCost.ts --corpus DIR [--searches-every-ms 50] [--appends 20000]
// 1. Zero-click adaptation of an indexed workspace: wall time, CPU time of this
//    process (one thread: the worker's), memory (RSS sampled while it runs), pairs
//    and examples, and what the guard decided.
// 2. Search latency while it runs: a search is issued every N ms from a timer,
//    the way a worker receives them between the adaptation's steps; its time is
//    from issue to answer (waiting for the current step included). Compared with
//    the same searches when idle.
// 3. The query log's cost per search on the caller's side (QueryLog.append of a
//    ten-result search event), and the bytes per event on disk.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findDefaultModel, loadEmbedder } from '../src/core/embed/embedder';
import { Engine } from '../src/core/engine';
import { QueryLog, newSearchId } from '../src/core/learn/queryLog';
import type { SearchEvent } from '../src/core/learn/types';
import { adaptToWorkspace } from '../src/core/learn/zeroClick';

const QUERIES = ['parse command line arguments', 'retry a failed request', 'read a file line by line', 'escape html', 'validate the schema',
  'register a plugin', 'emit an event', 'compile a regular expression', 'resolve module paths', 'format an error message'];

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]; };

async function main(): Promise<void> {
  const corpus = path.resolve(arg('corpus', 'bench/corpora/nodemailer'));
  const every = Number(arg('searches-every-ms', '50'));
  const embedder = await loadEmbedder(findDefaultModel()!);
  const indexDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-adaptcost-'));
  const engine = await Engine.open({ roots: [corpus], indexDir, embedder });
  await engine.index();
  await engine.warmUp();
  console.log(`corpus ${corpus}: ${engine.chunkCount} chunks, ${engine.fileCount} files`);

  const idle: number[] = [];
  for (let r = 0; r < 3; r++) for (const q of QUERIES) { const t = performance.now(); await engine.search(q, { k: 10 }); idle.push(performance.now() - t); }

  const during: number[] = [];
  let running = true;
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const timer = setInterval(() => {
    if (!running) return;
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    const t = performance.now();
    void engine.search(QUERIES[during.length % QUERIES.length], { k: 10 }, null).then(() => during.push(performance.now() - t));
  }, every);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await adaptToWorkspace(engine, { record: false });
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  running = false;
  clearInterval(timer);
  console.log(`zero-click adaptation: ${(wall / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU (this thread and its I/O), ${r.pairs} doc pairs, ${r.record.examples ?? 0} training examples; ${r.record.reason}`);
  console.log(`  memory: RSS ${(rssBefore / 1e6).toFixed(0)} MB before, peak ${(rssPeak / 1e6).toFixed(0)} MB while adapting (sampled every ${every} ms)`);
  if (r.fit) console.log(`  fine-tuning: ${r.fit.epochs} epochs, ${r.fit.steps} steps, ${(r.fit.ms / 1000).toFixed(1)} s, ${r.fit.subtokens} subtokens with deltas`);
  console.log(`search latency idle: p50 ${pct(idle, 50).toFixed(1)} ms, p95 ${pct(idle, 95).toFixed(1)} ms (${idle.length} searches)`);
  console.log(`search latency during adaptation (issued every ${every} ms, issue → answer): p50 ${pct(during, 50).toFixed(1)} ms, p95 ${pct(during, 95).toFixed(1)} ms, max ${Math.max(...during).toFixed(1)} ms (${during.length} searches)`);

  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-logcost-'));
  const log = new QueryLog(logDir);
  const hits = (await engine.search('parse command line arguments', { k: 10, fixedK: true })).hits;
  const n = Number(arg('appends', '20000'));
  const ev = (): SearchEvent => ({
    t: 'search', id: newSearchId(), ts: new Date().toISOString(), source: 'quickPick', query: 'parse command line arguments', mode: 'hybrid',
    results: hits.map((h, i) => ({ root: h.root, file: h.file, line: h.declLine, name: h.name, rank: i + 1, kind: h.kind, score: h.score })),
    answerSize: hits.length, noRelevant: false, showWeak: false, partial: false, latencyMs: 12.3,
  });
  const ta = performance.now();
  for (let i = 0; i < n; i++) log.append(ev());
  const appendMs = (performance.now() - ta) / n;
  const tf = performance.now();
  await log.flush();
  const flushMs = (performance.now() - tf) / n;
  const bytes = await log.sizeBytes();
  console.log(`query log: append ${(appendMs * 1000).toFixed(1)} µs per search event on the caller's side, flush ${(flushMs * 1000).toFixed(1)} µs per event in the background, ${(bytes / n).toFixed(0)} bytes per event; bounded at 20 MB (≈ ${Math.floor(20e6 / (bytes / n)).toLocaleString('en-US')} searches)`);
  await log.close();
  await engine.close();
  fs.rmSync(indexDir, { recursive: true, force: true });
  fs.rmSync(logDir, { recursive: true, force: true });
}

main().catch((e) => { console.error(e); process.exit(1); });
