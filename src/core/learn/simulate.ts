// A simulated developer, to measure the learning loop honestly on any
// workspace: queries are the workspace's own doc sentences (doc → the unit it
// documents), split by file into a click set and a held-out set. The doc
// lines of every query's unit are blanked in a staged copy (a query must not
// find its own words verbatim). The simulated developer searches each click
// query, opens the right result when it is in the top 10 and stays there, or
// else re-queries once (adding a word of the unit's name, as someone who half
// remembers it would) — all through the real log events, triplets and guarded
// fine-tuning the product uses. The held-out queries never train anything:
// they are only scored, before and after.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { languageForPath } from '../chunk/languages';
import { crawl } from '../crawl/crawler';
import type { Embedder } from '../embed/embedder';
import { fnv1a32 } from '../embed/tokenizer';
import { Engine } from '../engine';
import { blankDocLines } from '../harvest/docPairs';
import { nameParts } from '../text/symbolNames';
import type { SearchHit } from '../types';
import { adaptGuarded, type AdaptOptions } from './adapt';
import type { Adapter } from './adapter';
import { lessonsFromTriplets } from './examples';
import type { FineTuneOptions, FineTuneReport } from './fineTune';
import { extractTriplets } from './triplets';
import type { LogEvent, LoggedResult } from './types';
import { workspacePairs, type WorkspacePair } from './workspacePairs';
import { mulberry32, shuffleInPlace } from '../random';

export interface SimulateOptions {
  root: string;
  /** Opened results to simulate. */
  clicks: number;
  seed?: number;
  embedder: Embedder;
  /** Scratch folder for the staged copy and its index (emptied first, removed after unless keep). */
  workDir: string;
  keep?: boolean;
  /** Share of the queries held out, by whole files (default 0.3), and at least this many (default 30; at most half). */
  heldOutShare?: number;
  minHeldOut?: number;
  fineTune?: FineTuneOptions;
  /** Passed to the adaptation (experiments). */
  adapt?: Partial<AdaptOptions>;
  log?: (m: string) => void;
}

export interface SimulateResult {
  clicks: number;
  heldOutQueries: number;
  /** MRR@10 of the search, and of its meaning side alone (nearest chunk vectors). */
  before: { mrr10: number; semanticMrr10: number };
  after: { mrr10: number; semanticMrr10: number };
  /** Distinct doc queries whose answer was opened (clicks repeat them on later passes). */
  clickedQueries: number;
  /** Click-set queries searched, and how many needed a re-query. */
  searches: number;
  requeries: number;
  /** Whether the guarded adaptation was swapped in, and why. */
  kept: boolean;
  reason: string;
  seed: number;
  /** The fine-tuning's own report (loss before and after). */
  fit?: FineTuneReport;
}


/**
 * The documented unit, a container of it, or a unit inside it (the search
 * shows a method in place of the class it belongs to: opening it finds the class).
 */
function isAnswer(h: Pick<SearchHit, 'file' | 'startLine' | 'endLine' | 'declLine'>, p: WorkspacePair): boolean {
  if (h.file !== p.file) return false;
  return (h.startLine <= p.declLine && p.declLine <= h.endLine) || (p.declLine <= h.declLine && h.declLine <= p.endLine);
}

/** MRR@10 of the meaning side alone: the query's nearest chunk vectors (the adapted query embedding when given). */
async function semanticMrr10(engine: Engine, pairs: WorkspacePair[], adapter: Adapter | null): Promise<number> {
  const ctx = engine.searchContext({ adapter });
  if (!ctx.vectors || !ctx.embedder) return 0;
  let sum = 0;
  for (const p of pairs) {
    const q = (await ctx.embedder.embed([p.query])).subarray(0, ctx.embedder.dim);
    const hits = ctx.vectors.search(q, 10);
    const r = hits.findIndex((h) => {
      const c = ctx.chunks.get(h.key);
      return !!c && isAnswer(c, p);
    });
    if (r >= 0) sum += 1 / (r + 1);
  }
  return pairs.length ? sum / pairs.length : 0;
}

async function mrr10(engine: Engine, pairs: WorkspacePair[], adapter: Adapter | null): Promise<number> {
  let sum = 0;
  for (const p of pairs) {
    const res = await engine.search(p.query, { k: 10, fixedK: true }, adapter);
    const r = res.hits.findIndex((h) => isAnswer(h, p));
    if (r >= 0) sum += 1 / (r + 1);
  }
  return pairs.length ? sum / pairs.length : 0;
}

/** Copies the root's indexable files to `stage` with the doc lines of the query units blanked. */
function stageCopy(root: string, stage: string, files: string[], pairs: WorkspacePair[]): void {
  const byFile = new Map<string, WorkspacePair[]>();
  for (const p of pairs) byFile.set(p.file, [...(byFile.get(p.file) ?? []), p]);
  for (const rel of files) {
    const to = path.join(stage, rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    const units = byFile.get(rel);
    if (!units) { fs.copyFileSync(path.join(root, rel), to); continue; }
    const lines = fs.readFileSync(path.join(root, rel), 'utf8').split('\n');
    for (const p of units) blankDocLines(lines, p.startLine, p.endLine, p.query, p.declLine);
    fs.writeFileSync(to, lines.join('\n'));
  }
}

export async function simulateClicks(o: SimulateOptions): Promise<SimulateResult> {
  const seed = o.seed ?? 1;
  const say = o.log ?? (() => undefined);
  const root = path.resolve(o.root);
  const random = mulberry32(seed);
  const all = await workspacePairs([root]);
  // whole files are held out, in a seeded order, until a share of the queries (at least minHeldOut) is
  const share = o.heldOutShare ?? 0.3;
  const want = Math.min(Math.floor(all.length / 2), Math.max(o.minHeldOut ?? 30, Math.ceil(share * all.length)));
  const pairFiles = [...new Set(all.map((p) => p.file))].sort((a, b) => (fnv1a32(`${seed}\u0000${a}`) >>> 0) - (fnv1a32(`${seed}\u0000${b}`) >>> 0) || (a < b ? -1 : 1));
  const heldFiles = new Set<string>();
  let heldCount = 0;
  for (const f of pairFiles) {
    if (heldCount >= want) break;
    heldFiles.add(f);
    heldCount += all.filter((p) => p.file === f).length;
  }
  const heldOut = all.filter((p) => heldFiles.has(p.file));
  const clickSet = all.filter((p) => !heldFiles.has(p.file));
  shuffleInPlace(clickSet, random);
  say(`${all.length} doc queries: ${clickSet.length} in the click set, ${heldOut.length} held out (by file)`);

  fs.rmSync(o.workDir, { recursive: true, force: true });
  const stage = path.join(o.workDir, 'stage');
  // the files the engine would index, copied with every query's doc blanked
  const files = (await crawl([root], { isIndexable: (rel) => languageForPath(rel) !== null })).files.map((f) => f.rel);
  stageCopy(root, stage, files, all);
  const engine = await Engine.open({ roots: [stage], indexDir: path.join(o.workDir, 'index'), embedder: o.embedder, chunkThreads: 0 });
  try {
    await engine.index();
    const moved = (p: WorkspacePair): WorkspacePair => ({ ...p, root: engine.roots[0] });
    const held = heldOut.map(moved);
    const before = await mrr10(engine, held, null);
    const semanticBefore = await semanticMrr10(engine, held, null);
    say(`held-out MRR@10 before: ${before.toFixed(3)} (${held.length} queries)`);

    // the simulated developer, through the product's log events
    const events: LogEvent[] = [];
    let t = Date.parse('2026-01-01T00:00:00Z');
    let clicks = 0, searches = 0, requeries = 0, id = 0;
    const clickedQueries = new Set<string>();
    const search = async (query: string): Promise<{ id: string; hits: SearchHit[] }> => {
      const res = await engine.search(query, { k: 10, fixedK: true });
      const sid = `sim-${++id}`;
      const results: LoggedResult[] = res.hits.map((h, i) => ({ root: h.root, file: h.file, line: h.declLine, name: h.name, rank: i + 1, kind: h.kind, score: h.score }));
      events.push({ t: 'search', id: sid, ts: new Date(t).toISOString(), source: 'quickPick', query, mode: res.mode, results, answerSize: res.hits.length, noRelevant: res.noRelevant, showWeak: false, partial: false, latencyMs: 0 });
      searches++;
      return { id: sid, hits: res.hits };
    };
    const open = (sid: string, hits: SearchHit[], r: number) => {
      const h = hits[r];
      t += 2000;
      events.push({ t: 'open', ts: new Date(t).toISOString(), searchId: sid, source: 'quickPick', rank: r + 1, ref: { root: h.root, file: h.file, line: h.declLine, name: h.name } });
      t += 45_000;
      events.push({ t: 'dwell', ts: new Date(t).toISOString(), searchId: sid, rank: r + 1, ms: 45_000 });
      clicks++;
    };
    // the developer comes back to the same questions: the click set is gone through again until N clicks
    // (or a pass that finds nothing); repeats of a query and its answer are capped by the triplet rules
    const order: WorkspacePair[] = [];
    for (let pass = 0; pass * clickSet.length < o.clicks * 4 && clickSet.length > 0; pass++) order.push(...clickSet);
    let passClicks = 0;
    for (const [i, p0] of order.entries()) {
      if (clicks >= o.clicks) break;
      if (i > 0 && i % clickSet.length === 0) { if (passClicks === 0) break; passClicks = 0; }
      const before = clicks;
      await clickOne(p0);
      passClicks += clicks - before;
    }
    async function clickOne(p0: WorkspacePair): Promise<void> {
      const p = moved(p0);
      t += 60_000;
      const first = await search(p.query);
      let r = first.hits.findIndex((h) => isAnswer(h, p));
      if (r >= 0) { open(first.id, first.hits, r); clickedQueries.add(p.query); return; }
      // not in the top 10: re-query within seconds, adding a word of the name
      const parts = nameParts(p.name.split('.').pop() ?? p.name).filter((w) => w.length > 2);
      if (parts.length === 0) return;
      t += 4000;
      requeries++;
      const second = await search(`${p.query} ${parts[Math.floor(random() * parts.length)]}`);
      r = second.hits.findIndex((h) => isAnswer(h, p));
      if (r >= 0) { open(second.id, second.hits, r); clickedQueries.add(p.query); }
    }
    say(`${clicks} clicks from ${searches} searches (${requeries} re-queries)`);
    const lessons = lessonsFromTriplets(engine, extractTriplets(events));
    const adapted = await adaptGuarded(engine, lessons, { kind: 'clicks', scorer: 'search', seed, fineTune: o.fineTune, ...o.adapt });
    say(adapted.record.reason);
    const after = await mrr10(engine, held, engine.adaptation);
    const semanticAfter = await semanticMrr10(engine, held, engine.adaptation);
    say(`held-out MRR@10 after: ${after.toFixed(3)}`);
    return {
      clicks, clickedQueries: clickedQueries.size, heldOutQueries: held.length, before: { mrr10: before, semanticMrr10: semanticBefore }, after: { mrr10: after, semanticMrr10: semanticAfter },
      searches, requeries, kept: adapted.record.kept, reason: adapted.record.reason, seed, fit: adapted.fit,
    };
  } finally {
    await engine.close();
    if (!o.keep) fs.rmSync(o.workDir, { recursive: true, force: true });
  }
}
