// A guarded adaptation step. The lessons (query → the chunk that answers it)
// are cross-validated over folds of whole files: fit on the other folds, score
// the held-out one with the adaptation in use and with the fit. The fit on
// every lesson serves searches only when the held-out score is not worse, and
// whatever serves must still beat the shipped model on the same queries.
// Every attempt, kept, refused or rolled back, is recorded with its numbers; a
// reset goes back to the shipped model.
import type { Engine } from '../engine';
import { fnv1a32 } from '../embed/tokenizer';
import { type Adapter, cloneAdapter, emptyAdapter } from './adapter';
import { shippedRankModel } from '../rank/model';
import { featurizeQuery } from '../search/search';
import { fitRankDelta, type RankFitOptions, type RankLesson } from './rankAdapt';
import { appendHistory } from './adaptStore';
import { buildExamples, type ExampleOptions, type KeyedLesson } from './examples';
import { fineTuneQueryDeltas, type FineTuneOptions, type FineTuneReport, type TrainExample } from './fineTune';
import type { AdaptationRecord } from './types';
import { yieldNow } from './yieldNow';

export interface AdaptOptions {
  kind: 'clicks' | 'zero-click';
  /**
   * How the guard scores a lesson: 'search' runs the full search (the lesson's
   * answer is a chunk as indexed); 'vector' ranks the answer's vector against
   * the index by cosine (the answer is a doc-less vector the index does not hold).
   */
  scorer: 'search' | 'vector';
  /**
   * The guard holds out whole files: by default each of `folds` (3) folds once (cross-validation; the
   * model that serves is then fitted on every lesson); with folds < 2, or fewer files than folds, one
   * slice of `guardShare` (0.2) of the lessons, at least `minGuard`.
   */
  folds?: number;
  guardShare?: number;
  minGuard?: number;
  /** Fewer lessons than this: nothing is attempted. */
  minLessons?: number;
  fineTune?: FineTuneOptions;
  examples?: ExampleOptions;
  seed?: number;
  /** What to fit: the query-side embedding deltas (default), the ranker's correction, or both. */
  parts?: 'embedding' | 'rank' | 'both';
  rankFit?: RankFitOptions;
  /** Stops the attempt between steps (nothing is swapped in). */
  signal?: AbortSignal;
  /** Record the attempt in the index's history (default true). */
  record?: boolean;
}

export interface AdaptResult {
  record: AdaptationRecord;
  /** The adaptation now in use (the new one when kept). */
  adapter: Adapter | null;
  fit?: FineTuneReport;
}

// Gentle on purpose: measured on held-out training packages (bench/README.md,
// "Learning loop"), larger steps or more epochs memorise the examples' own
// words and lose on queries about other files; the guard refuses those anyway.
export const DEFAULT_FINE_TUNE: FineTuneOptions = { epochs: 5, lr: 0.0003, l2: 0.01, temperature: 20, minQueries: 3 };

/** Mean reciprocal rank (top 10) of the lessons' answers with this adaptation (null: the shipped model). */
export async function scoreLessons(engine: Engine, lessons: KeyedLesson[], adapter: Adapter | null, scorer: 'search' | 'vector'): Promise<number> {
  if (lessons.length === 0) return 0;
  let sum = 0;
  if (scorer === 'search') {
    const chunks = engine.searchContext({ keywordOnly: true }).chunks;
    for (const [i, l] of lessons.entries()) {
      if (i % 8 === 7) await yieldNow();
      const answers = l.answerKeys.map((k) => chunks.get(k)).filter((c) => c !== undefined);
      const res = await engine.search(l.query, { k: 10, fixedK: true }, adapter);
      const rank = res.hits.findIndex((h) => answers.some((c) => h.root === engine.roots[c.root] && h.file === c.file && h.startLine <= c.declLine && c.declLine <= h.endLine));
      if (rank >= 0) sum += 1 / (rank + 1);
    }
    return sum / lessons.length;
  }
  const base = engine.embedder;
  const ctx = engine.searchContext({ adapter });
  if (!base || !ctx.vectors || !ctx.embedder) return 0;
  for (const [i, l] of lessons.entries()) {
    if (i % 16 === 15) await yieldNow();
    const q = (await ctx.embedder.embed([l.query])).subarray(0, base.dim);
    const pos = typeof l.positive === 'number' ? engine.vectorOf(l.positive) : l.positive;
    if (!pos) continue;
    let posScore = 0;
    for (let d = 0; d < base.dim; d++) posScore += q[d] * pos[d];
    const exclude = new Set(l.answerKeys);
    let better = 0;
    for (const h of ctx.vectors.search(q, 10 + exclude.size)) if (!exclude.has(h.key) && h.score > posScore) better++;
    if (better < 10) sum += 1 / (better + 1);
  }
  return sum / lessons.length;
}

/**
 * Splits lessons into (train, guard) by the file of their answer, so the guard
 * asks what held-out use will ask: queries about code the training never saw
 * (a split by query would let deltas learn a file's own words and pass the guard).
 */
export function splitLessons(lessons: KeyedLesson[], share: number, minGuard: number, seed: number, groupOf: (l: KeyedLesson) => string): { train: KeyedLesson[]; guard: KeyedLesson[] } {
  const h = (l: KeyedLesson) => (fnv1a32(`${seed}\u0000${groupOf(l)}`) >>> 0) / 4294967296;
  const scored = lessons.map((l) => ({ l, h: h(l) }));
  const byHash = [...scored].sort((a, b) => a.h - b.h);
  const want = Math.min(lessons.length - 1, Math.max(minGuard, Math.round(share * lessons.length)));
  // whole groups: the cut falls after the group of the want-th lesson
  const cut = want > 0 ? byHash[want - 1].h : -1;
  const guard = scored.filter((s) => s.h <= cut).map((s) => s.l);
  const train = scored.filter((s) => s.h > cut).map((s) => s.l);
  return train.length > 0 ? { train, guard } : { train: guard.slice(want), guard: guard.slice(0, want) };
}

/** Fits, guards and (when not worse) swaps in an adaptation; records the attempt. */
export async function adaptGuarded(engine: Engine, lessons: KeyedLesson[], o: AdaptOptions): Promise<AdaptResult> {
  const now = new Date().toISOString();
  const current = engine.adaptation;
  const finish = (record: AdaptationRecord, adapter: Adapter | null, fit?: FineTuneReport): AdaptResult => {
    if (o.record !== false) appendHistory(engine.indexDir, record);
    return { record, adapter, fit };
  };
  const base = engine.embedder;
  if (!base?.bag) {
    return finish({ ts: now, kind: o.kind, kept: false, reason: base ? `the model runs in ${base.runtime}; adaptation needs the engine's own kernel` : 'no embedding model' }, current);
  }
  const minLessons = o.minLessons ?? 10;
  if (lessons.length < minLessons) {
    return finish({ ts: now, kind: o.kind, kept: false, examples: lessons.length, reason: `${lessons.length} examples, fewer than the ${minLessons} adaptation needs` }, current);
  }
  const seed = o.seed ?? 1;
  const chunks = engine.searchContext({ keywordOnly: true }).chunks;
  const fileOf = (l: KeyedLesson) => { const c = chunks.get(l.answerKeys[0]); return c ? `${c.root}\u0000${c.file}` : l.query; };
  const start = current ?? emptyAdapter(base);
  const examplesOf = await buildExamples(engine, lessons, { seed, ...o.examples });
  const fit = (train: KeyedLesson[]) => fitCandidate(engine, train, examplesOf, start, o, seed);
  const folds = foldsByFile(lessons, o.folds ?? 3, seed, fileOf);
  if (folds) {
    // every lesson held out once: fit on the other folds, score this one with the model in use and the fit
    let before = 0, after = 0;
    for (const fold of folds) {
      const inFold = new Set(fold);
      const { candidate } = await fit(lessons.filter((l) => !inFold.has(l)));
      if (o.signal?.aborted) throw new Error('adaptation cancelled');
      before += (await scoreLessons(engine, fold, current, o.scorer)) * fold.length;
      after += (await scoreLessons(engine, fold, candidate, o.scorer)) * fold.length;
    }
    // what serves searches, if the folds say the procedure does not hurt: the fit on every lesson
    const { candidate, report, examples } = await fit(lessons);
    if (o.signal?.aborted) throw new Error('adaptation cancelled');
    const n = lessons.length;
    const record = swapIfNotWorse(engine, candidate, before / n, after / n, n, { kind: o.kind, examples, ts: now, how: `${folds.length}-fold cross-validation by file` });
    if (current) {
      // an adaptation fitted from one in use inherits its faults, and the code moves on: whatever
      // serves next must still beat the shipped model on the same held-out queries, or it goes
      const shipped = await scoreLessons(engine, lessons, null, o.scorer);
      const serving = record.kept ? after / n : before / n;
      if (shipped > serving) {
        engine.setAdaptation(null);
        record.kept = false;
        record.rolledBack = true;
        record.reason += `; that scores ${serving.toFixed(3)} against the shipped model's ${shipped.toFixed(3)}: rolled back to the shipped model`;
        return finish(record, null, report);
      }
    }
    return finish(record, record.kept ? candidate : current, report);
  }
  const { train, guard } = splitLessons(lessons, o.guardShare ?? 0.2, o.minGuard ?? 5, seed, fileOf);
  const { candidate, report, examples } = await fit(train);
  if (o.signal?.aborted) throw new Error('adaptation cancelled');
  const record = await guardAndSwap(engine, candidate, guard, { kind: o.kind, scorer: o.scorer, examples, ts: now });
  return finish(record, record.kept ? candidate : current, report);
}

/** Lessons in k folds by the hash of their file, or null when there are fewer than k files. */
export function foldsByFile(lessons: KeyedLesson[], k: number, seed: number, groupOf: (l: KeyedLesson) => string): KeyedLesson[][] | null {
  if (k < 2) return null;
  const groups = [...new Set(lessons.map(groupOf))];
  if (groups.length < k) return null;
  // files in seeded order, dealt round-robin: folds of similar size whatever the hash does
  const order = groups.map((g) => ({ g, h: fnv1a32(`${seed}\u0000${g}`) >>> 0 })).sort((a, b) => a.h - b.h || (a.g < b.g ? -1 : 1));
  const foldOf = new Map(order.map((x, i) => [x.g, i % k]));
  const folds: KeyedLesson[][] = Array.from({ length: k }, () => []);
  for (const l of lessons) folds[foldOf.get(groupOf(l))!].push(l);
  return folds;
}

/** Fits a candidate on these lessons from `start`: the deltas, the ranker correction, or both (o.parts). */
async function fitCandidate(
  engine: Engine, train: KeyedLesson[], examplesOf: Map<KeyedLesson, TrainExample>, start: Adapter, o: AdaptOptions, seed: number,
): Promise<{ candidate: Adapter; report?: FineTuneReport; examples: number }> {
  const base = engine.embedder!;
  const examples = train.flatMap((l) => examplesOf.get(l) ?? []);
  const parts = o.parts ?? 'embedding';
  let candidate = start;
  let report: FineTuneReport | undefined;
  if (parts !== 'rank') ({ adapter: candidate, report } = await fineTuneQueryDeltas(base.bag!, examples, start, { ...DEFAULT_FINE_TUNE, seed, ...o.fineTune }));
  if (parts !== 'embedding') {
    if (candidate === start) candidate = cloneAdapter(start);
    const ctx = engine.searchContext({ adapter: candidate });
    const rankLessons: RankLesson[] = [];
    for (const [i, l] of train.entries()) {
      if (i % 8 === 7) await yieldNow();
      const fc = await featurizeQuery(ctx, l.query);
      const answers = new Set(l.answerKeys);
      rankLessons.push({ fc, positives: fc.keys.flatMap((k, j) => (answers.has(k) ? [j] : [])), weight: l.weight });
    }
    candidate.rankDelta = fitRankDelta(shippedRankModel(), rankLessons, start.rankDelta, o.rankFit);
  }
  return { candidate, report, examples: examples.length };
}

/**
 * The guard: scores the held-out lessons with the adaptation in use and with
 * the candidate, and swaps the candidate in only when it is not worse. The
 * returned record says which, with the numbers (the caller records it).
 */
export async function guardAndSwap(
  engine: Engine, candidate: Adapter, guard: KeyedLesson[], o: { kind: AdaptationRecord['kind']; scorer: 'search' | 'vector'; examples?: number; ts?: string },
): Promise<AdaptationRecord> {
  const current = engine.adaptation;
  const before = await scoreLessons(engine, guard, current, o.scorer);
  const after = await scoreLessons(engine, guard, candidate, o.scorer);
  return swapIfNotWorse(engine, candidate, before, after, guard.length, { ...o, how: 'a held-out slice by file' });
}

/** Swaps the candidate in when the held-out score is not worse; the record says which, with the numbers. */
function swapIfNotWorse(
  engine: Engine, candidate: Adapter, before: number, after: number, heldOut: number,
  o: { kind: AdaptationRecord['kind']; examples?: number; ts?: string; how: string },
): AdaptationRecord {
  const current = engine.adaptation;
  const kept = heldOut > 0 && after >= before;
  if (kept) engine.setAdaptation(candidate);
  return {
    ts: o.ts ?? new Date().toISOString(), kind: o.kind, before, after, heldOut, examples: o.examples, kept, reembedded: 0,
    reason: kept
      ? `held-out MRR@10 ${before.toFixed(3)} → ${after.toFixed(3)} on ${heldOut} held-out queries (${o.how}): swapped in`
      : heldOut === 0 ? 'no held-out queries to check it on: refused'
        : `held-out MRR@10 would drop ${before.toFixed(3)} → ${after.toFixed(3)} on ${heldOut} held-out queries (${o.how}): refused, kept the ${current ? 'previous adaptation' : 'shipped model'}`,
  };
}

/** Back to the shipped model; recorded. */
export function resetAdaptation(engine: Engine): AdaptationRecord {
  const record: AdaptationRecord = { ts: new Date().toISOString(), kind: 'reset', kept: true, reembedded: 0, reason: engine.adaptation ? 'reset to the shipped model' : 'already the shipped model' };
  engine.setAdaptation(null);
  appendHistory(engine.indexDir, record);
  return record;
}
