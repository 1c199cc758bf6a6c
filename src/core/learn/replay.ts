// Replays the query log against today's index and model: every logged search
// runs again (the ranked top k, no calibrated cut), and the result that was
// opened is looked up in the new ranking. What it gives: MRR@10 of the opened
// results then and now, where they rank now, how often the answer is now
// "nothing relevant", and how much of the opened code is gone — per period.
// Pure over a search function, so the CLI (`sift eval --feedback`) runs it on
// its engine and the extension's worker can run it on its own.
//
// Matching a logged result (ChunkRef) to a hit: same root and file, then the
// same declaration line and name ('exact'), else the same non-empty name
// anywhere in the file ('moved': lines shifted by edits above it). A root that
// is not among today's roots (the folder moved) matches on the file alone.
// "Find similar" searches are not replayed: their query is a selection of code
// and their list left out the selection itself, which a replay cannot redo.
import { groupByPeriod, chooseBucket, searchOutcomes, summarizeScores, RANK_SLOTS, type BucketSize, type HealthOptions, type ScoreSummary, type SearchOutcome } from './health';
import type { ReplaySummary } from './drift';
import type { ChunkRef, EventSource, LogEvent } from './types';
import type { SearchMode } from '../types';

/** What a replay needs of a hit. */
export interface ReplayHit { root: string; file: string; declLine: number; name: string; score: number }

/** Runs one query now: the ranked top k (fixedK) with the calibrated "nothing relevant" verdict. */
export type ReplaySearch = (query: string, k: number) => Promise<{ hits: ReplayHit[]; noRelevant: boolean; mode: SearchMode }>;

export interface ReplayOptions extends HealthOptions {
  /** How deep to look for the opened result (default 10). */
  k?: number;
  /** Replay at most this many searches, the most recent (default 2000). */
  maxSearches?: number;
  /** Today's roots, to tell a moved folder from a different one. */
  roots?: string[];
  /** Whether the chunk still exists in the index at all (default: found in the top k, or unknown). */
  exists?: (ref: ChunkRef) => boolean;
  onProgress?: (done: number, total: number) => void;
}

export type MatchKind = 'exact' | 'moved';

export interface ReplayedSearch {
  id: string;
  ts: string;
  time: number;
  query: string;
  source: EventSource;
  /** The best-ranked opened result, or null when nothing was opened. */
  opened: ChunkRef | null;
  rankThen: number | null;
  /** Its rank now (1-based, within k); null when not in the top k. */
  rankNow: number | null;
  match: MatchKind | null;
  /** The opened chunk is no longer in the index. */
  gone: boolean;
  noRelevantThen: boolean;
  noRelevantNow: boolean;
  topScoreNow: number | null;
  /** Converted from the old feedback log (only searches with an open were): left out of the rates. */
  migrated: boolean;
}

export interface ReplayPeriod {
  start: string;
  searches: number;
  opened: number;
  mrr10Then: number | null;
  mrr10Now: number | null;
  /** Opened results' ranks now: 1..10, then "not in the top k" (gone included). Rates are over searches not migrated from the old log. */
  openedRanksNow: number[];
  gone: number;
  noRelevantRateThen: number | null;
  noRelevantRateNow: number | null;
  /** The first result's relevance now (always known: the replay shows the top k). */
  topScoreNow: ScoreSummary;
}

export interface ReplayReport {
  bucket: BucketSize;
  k: number;
  /** Searches replayed, and those left out (find similar, partial index, beyond maxSearches). */
  replayed: number;
  skipped: { findSimilar: number; partial: number; older: number };
  periods: ReplayPeriod[];
  total: ReplayPeriod;
  summary: ReplaySummary;
  searches: ReplayedSearch[];
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;
const ratio = (a: number, b: number) => (b > 0 ? round3(a / b) : null);

/** The rank (1-based) of a logged chunk among hits, and how it matched; null when absent. */
export function matchRank(hits: readonly ReplayHit[], ref: ChunkRef, roots?: readonly string[]): { rank: number; match: MatchKind } | null {
  const anyRoot = !!roots && !roots.includes(ref.root);
  const sameFile = (h: ReplayHit) => h.file === ref.file && (anyRoot || h.root === ref.root);
  let moved = -1;
  for (let i = 0; i < hits.length; i++) {
    const h = hits[i];
    if (!sameFile(h)) continue;
    if (h.declLine === ref.line && h.name === ref.name) return { rank: i + 1, match: 'exact' };
    if (moved < 0 && ref.name !== '' && h.name === ref.name) moved = i;
  }
  return moved >= 0 ? { rank: moved + 1, match: 'moved' } : null;
}

function period(start: string, rs: readonly ReplayedSearch[], k: number): ReplayPeriod {
  const openedRanksNow = new Array(RANK_SLOTS).fill(0);
  let opened = 0, rrThen = 0, rrNow = 0, gone = 0, nrThen = 0, nrNow = 0, rated = 0;
  const tops: number[] = [];
  for (const r of rs) {
    if (!r.migrated) {
      rated++;
      if (r.noRelevantThen) nrThen++;
      if (r.noRelevantNow) nrNow++;
      if (r.topScoreNow !== null) tops.push(r.topScoreNow);
    }
    if (!r.opened) continue;
    opened++;
    if (r.gone) gone++;
    if (r.rankThen !== null && r.rankThen <= 10) rrThen += 1 / r.rankThen;
    if (r.rankNow !== null && r.rankNow <= Math.min(k, 10)) { rrNow += 1 / r.rankNow; openedRanksNow[r.rankNow - 1]++; } else openedRanksNow[RANK_SLOTS - 1]++;
  }
  return {
    start,
    searches: rs.length,
    opened,
    mrr10Then: ratio(rrThen, opened),
    mrr10Now: ratio(rrNow, opened),
    openedRanksNow,
    gone,
    noRelevantRateThen: ratio(nrThen, rated),
    noRelevantRateNow: ratio(nrNow, rated),
    topScoreNow: summarizeScores(tops),
  };
}

/** Replays the log's searches through `search`; identical queries run once. */
export async function replayLog(events: readonly LogEvent[], search: ReplaySearch, opts: ReplayOptions = {}): Promise<ReplayReport> {
  const k = opts.k ?? 10;
  const { outcomes } = searchOutcomes(events, opts);
  const skipped = { findSimilar: 0, partial: 0, older: 0 };
  let todo: SearchOutcome[] = [];
  for (const o of outcomes) {
    if (o.search.source === 'findSimilar') skipped.findSimilar++;
    else if (o.search.partial) skipped.partial++;
    else todo.push(o);
  }
  const max = opts.maxSearches ?? 2000;
  if (todo.length > max) { skipped.older = todo.length - max; todo = todo.slice(todo.length - max); }

  const cache = new Map<string, Awaited<ReturnType<ReplaySearch>>>();
  const searches: ReplayedSearch[] = [];
  for (let i = 0; i < todo.length; i++) {
    const o = todo[i];
    const q = o.search.query;
    let res = cache.get(q);
    if (!res) { res = await search(q, k); cache.set(q, res); }
    const ref = o.firstOpen?.ref ?? null;
    const m = ref ? matchRank(res.hits, ref, opts.roots) : null;
    searches.push({
      id: o.search.id, ts: o.search.ts, time: o.time, query: q, source: o.search.source,
      opened: ref, rankThen: o.firstOpenRank, rankNow: m ? m.rank : null, match: m ? m.match : null,
      gone: !!ref && !m && !!opts.exists && !opts.exists(ref),
      noRelevantThen: o.search.noRelevant, noRelevantNow: res.noRelevant,
      topScoreNow: res.hits.length ? res.hits[0].score : null,
      migrated: !!o.search.migrated,
    });
    opts.onProgress?.(i + 1, todo.length);
  }
  const bucket = chooseBucket(searches[0]?.time ?? 0, searches[searches.length - 1]?.time ?? 0, opts);
  const periods = groupByPeriod(searches, bucket, opts.utcOffsetMinutes ?? 0).map((g) => period(g.start, g.items, k));
  const total = period(periods[0]?.start ?? '', searches, k);
  return {
    bucket, k, replayed: searches.length, skipped, periods, total,
    summary: { replayed: total.opened, mrr10Then: total.mrr10Then, mrr10Now: total.mrr10Now, gone: total.gone },
    searches,
  };
}
