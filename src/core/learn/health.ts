// Search health from the query log: how searches went, per day or week, as
// plain numbers for the CLI (`sift eval --feedback`) and the extension's
// "Search health" view. Pure functions over LogEvent[]: no files, no vscode.
//
// Definitions (per period, over searches run on a complete index; searches
// logged while the index was still being built are counted apart as `partial`
// and left out of every rate):
// - opened: searches with at least one result opened; openRate = opened / searches.
// - mrr10: over the opened searches only, the mean of 1/rank of the best-ranked
//   opened result, 0 when that rank is beyond 10 (MRR@10 with "opened" standing
//   in for "right"). Searches without an open are not zeros here: how often
//   people open anything is openRate, a separate number.
// - openedRanks: how many opened searches had their best-ranked open at rank
//   1, 2, …, 10, and beyond 10 (the last slot).
// - topScore: the first result's calibrated relevance. A search answered
//   "nothing relevant" without the closest matches shown logs no results, so
//   its top score is only known to be below the threshold: it counts as
//   `hidden`, below every shown value, and a quantile that falls among the
//   hidden ones is null ("below the threshold").
// - noRelevantRate: searches answered "nothing relevant" / searches.
// - requeryRate: searches given up within seconds / searches — nothing kept (no
//   open, or only bounces: stays under 5 s) and the next search on the same
//   surface (the editor's quick pick, sidebar and find-similar are one; cli,
//   mcp, lmTool each their own) came within requeryWindowMs (10 s) of the
//   search's last activity with a different query. The rule is triplets.ts's
//   implicitSignals(), used here as is.
// - Searches converted from the old feedback.jsonl (`migrated`) were only
//   logged when something was opened: they count towards mrr10 and openedRanks
//   (`ranked`), never towards searches or any rate.
import { implicitSignals } from './triplets';
import type { AdaptationRecord, EventSource, LogEvent, OpenEvent, SearchEvent } from './types';

export type BucketSize = 'day' | 'week';

export interface HealthOptions {
  /** 'auto' (default): days, or weeks once the log spans more than autoWeekAfterDays. */
  bucket?: BucketSize | 'auto';
  autoWeekAfterDays?: number;
  /** The local calendar: minutes east of UTC (default 0, UTC). `-new Date().getTimezoneOffset()` for the machine's. */
  utcOffsetMinutes?: number;
  /** A search with nothing kept followed this soon by another query is a re-query (default 10 s). */
  requeryWindowMs?: number;
  /** Only searches from these sources (default: all). */
  sources?: EventSource[];
}

export const DEFAULT_REQUERY_WINDOW_MS = 10_000;
export const DEFAULT_AUTO_WEEK_AFTER_DAYS = 60;
/** Ranks 1..10, then one slot for beyond 10. */
export const RANK_SLOTS = 11;
export const SCORE_BINS = 10;

/** A distribution of scores in [0, 1]. */
export interface ScoreSummary {
  /** Values known (shown). */
  n: number;
  /** Values only known to be below the answer threshold (nothing shown). */
  hidden: number;
  /** Nearest-rank quantiles over n + hidden values; null when it falls among the hidden ones (or no values). */
  p10: number | null;
  p50: number | null;
  p90: number | null;
  /** Counts of the known values in ten bins of width 0.1 ([0, 0.1) … [0.9, 1]). */
  histogram: number[];
}

export interface PeriodHealth {
  /** First day of the period, local calendar, YYYY-MM-DD (weeks start on Monday). */
  start: string;
  /** Searches over a complete index (the base of every rate). */
  searches: number;
  /** Searches while the index was being built: counted here, left out of every rate. */
  partial: number;
  /** Searches converted from the old feedback log (each had an open): in mrr10 and openedRanks only. */
  migrated: number;
  /** Searches with at least one result opened (of `searches`). */
  opened: number;
  openRate: number | null;
  /** Opened searches behind mrr10 and openedRanks: opened + migrated. */
  ranked: number;
  mrr10: number | null;
  openedRanks: number[];
  topScore: ScoreSummary;
  noRelevant: number;
  noRelevantRate: number | null;
  requeries: number;
  requeryRate: number | null;
}

export interface HealthReport {
  bucket: BucketSize;
  /** ISO times of the first and last search counted; null for an empty log. */
  from: string | null;
  to: string | null;
  total: PeriodHealth;
  /** Every period from the first search's to the last's, empty ones included (for plots). */
  periods: PeriodHealth[];
  /** Adaptation attempts, oldest first. */
  adaptations: AdaptationRecord[];
  /** Opens whose search is not in the log (a trimmed log, or another source's). */
  orphanOpens: number;
}

/** One search with what followed it. */
export interface SearchOutcome {
  search: SearchEvent;
  /** Epoch ms of search.ts. */
  time: number;
  /** Rank of the best-ranked opened result; null when nothing was opened. */
  firstOpenRank: number | null;
  /** The opened result with that rank. */
  firstOpen: OpenEvent | null;
  requery: boolean;
}

const DAY_MS = 86_400_000;

const parseTime = (ts: string): number => {
  const t = Date.parse(ts);
  return Number.isFinite(t) ? t : NaN;
};


/**
 * Every search of the log, oldest first, with its best-ranked open and whether
 * it was re-queried. Events may come in any order; unparseable times are dropped.
 */
export function searchOutcomes(events: readonly LogEvent[], opts: Pick<HealthOptions, 'requeryWindowMs' | 'sources'> = {}): { outcomes: SearchOutcome[]; orphanOpens: number } {
  const window = opts.requeryWindowMs ?? DEFAULT_REQUERY_WINDOW_MS;
  const sources = opts.sources ? new Set(opts.sources) : null;
  const all: SearchOutcome[] = [];
  const byId = new Map<string, SearchOutcome>();
  for (const e of events) {
    if (e.t !== 'search') continue;
    const time = parseTime(e.ts);
    if (!Number.isFinite(time)) continue;
    const o: SearchOutcome = { search: e, time, firstOpenRank: null, firstOpen: null, requery: false };
    all.push(o);
    byId.set(e.id, o);
  }
  let orphanOpens = 0;
  for (const e of events) {
    if (e.t !== 'open') continue;
    const o = byId.get(e.searchId);
    if (!o) { orphanOpens++; continue; }
    if (!(e.rank >= 1)) continue;
    if (o.firstOpenRank === null || e.rank < o.firstOpenRank) { o.firstOpenRank = e.rank; o.firstOpen = e; }
  }
  all.sort((a, b) => a.time - b.time);
  // re-query: triplets.ts's rule (nothing kept, a different query soon after on the same surface)
  const requeried = new Set(implicitSignals(events, { requeryWindowMs: window }).filter((s) => s.requeried).map((s) => s.search.id));
  for (const o of all) o.requery = requeried.has(o.search.id);
  const kept = sources ? all.filter((o) => sources.has(o.search.source)) : all;
  return { outcomes: kept, orphanOpens };
}

/** Start of the period holding `time`, as epoch ms of local midnight expressed in UTC fields. */
function periodStartLocal(time: number, bucket: BucketSize, offsetMin: number): number {
  const local = time + offsetMin * 60_000;
  const day = Math.floor(local / DAY_MS) * DAY_MS;
  if (bucket === 'day') return day;
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0
  return day - weekday * DAY_MS;
}

const isoDay = (localMs: number) => new Date(localMs).toISOString().slice(0, 10);

/** The period (YYYY-MM-DD of its first day) an ISO time falls in. */
export function periodOf(ts: string, bucket: BucketSize, utcOffsetMinutes = 0): string {
  return isoDay(periodStartLocal(parseTime(ts), bucket, utcOffsetMinutes));
}

/** Nearest-rank quantile over `hidden` values below everything, then the sorted known values. */
function quantile(sorted: number[], hidden: number, q: number): number | null {
  const total = sorted.length + hidden;
  if (total === 0) return null;
  const idx = Math.max(0, Math.ceil(q * total) - 1);
  return idx < hidden ? null : sorted[idx - hidden];
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

/** Quantiles and histogram of scores in [0, 1]; `hidden` values are known only to lie below all of them. */
export function summarizeScores(values: readonly number[], hidden = 0): ScoreSummary {
  const sorted = values.filter((v) => Number.isFinite(v)).map((v) => Math.min(1, Math.max(0, v))).sort((a, b) => a - b);
  const histogram = new Array(SCORE_BINS).fill(0);
  for (const v of sorted) histogram[Math.min(SCORE_BINS - 1, Math.floor(v * SCORE_BINS))]++;
  const q = (p: number) => { const v = quantile(sorted, hidden, p); return v === null ? null : round3(v); };
  return { n: sorted.length, hidden, p10: q(0.1), p50: q(0.5), p90: q(0.9), histogram };
}

const ratio = (a: number, b: number) => (b > 0 ? round3(a / b) : null);

/** The health numbers of a set of searches (any period). */
export function periodHealth(start: string, outcomes: readonly SearchOutcome[]): PeriodHealth {
  const openedRanks = new Array(RANK_SLOTS).fill(0);
  let searches = 0, partial = 0, migrated = 0, opened = 0, ranked = 0, rr = 0, noRelevant = 0, requeries = 0, hidden = 0;
  const tops: number[] = [];
  for (const o of outcomes) {
    const s = o.search;
    if (s.partial) { partial++; continue; }
    if (s.migrated) migrated++;
    else {
      searches++;
      if (s.noRelevant) noRelevant++;
      if (o.requery) requeries++;
      const top = s.results[0];
      if (top && Number.isFinite(top.score)) tops.push(top.score);
      else if (s.noRelevant) hidden++;
      if (o.firstOpenRank !== null) opened++;
    }
    if (o.firstOpenRank === null) continue;
    ranked++;
    const r = o.firstOpenRank;
    if (r <= 10) { rr += 1 / r; openedRanks[r - 1]++; } else openedRanks[10]++;
  }
  return {
    start,
    searches,
    partial,
    migrated,
    opened,
    openRate: ratio(opened, searches),
    ranked,
    mrr10: ratio(rr, ranked),
    openedRanks,
    topScore: summarizeScores(tops, hidden),
    noRelevant,
    noRelevantRate: ratio(noRelevant, searches),
    requeries,
    requeryRate: ratio(requeries, searches),
  };
}

/** Chooses days or weeks for a log spanning from `first` to `last` (epoch ms). */
export function chooseBucket(first: number, last: number, opts: Pick<HealthOptions, 'bucket' | 'autoWeekAfterDays'> = {}): BucketSize {
  if (opts.bucket === 'day' || opts.bucket === 'week') return opts.bucket;
  return last - first > (opts.autoWeekAfterDays ?? DEFAULT_AUTO_WEEK_AFTER_DAYS) * DAY_MS ? 'week' : 'day';
}

/** Groups outcomes into consecutive periods, empty ones included. */
export function groupByPeriod<T extends { time: number }>(items: readonly T[], bucket: BucketSize, utcOffsetMinutes = 0): Array<{ start: string; items: T[] }> {
  if (items.length === 0) return [];
  let lo = Infinity, hi = -Infinity;
  for (const it of items) { lo = Math.min(lo, it.time); hi = Math.max(hi, it.time); }
  const first = periodStartLocal(lo, bucket, utcOffsetMinutes);
  const last = periodStartLocal(hi, bucket, utcOffsetMinutes);
  const step = bucket === 'day' ? DAY_MS : 7 * DAY_MS;
  const groups: Array<{ start: string; items: T[] }> = [];
  for (let t = first; t <= last; t += step) groups.push({ start: isoDay(t), items: [] });
  for (const it of items) {
    const i = Math.round((periodStartLocal(it.time, bucket, utcOffsetMinutes) - first) / step);
    groups[i].items.push(it);
  }
  return groups;
}

/** The whole report: totals, one entry per period, the adaptation history. */
export function computeHealth(events: readonly LogEvent[], opts: HealthOptions = {}, adaptations: readonly AdaptationRecord[] = []): HealthReport {
  const { outcomes, orphanOpens } = searchOutcomes(events, opts);
  const offset = opts.utcOffsetMinutes ?? 0;
  const first = outcomes.length ? outcomes[0].time : 0;
  const last = outcomes.length ? outcomes[outcomes.length - 1].time : 0;
  const bucket = chooseBucket(first, last, opts);
  const periods = groupByPeriod(outcomes, bucket, offset).map((g) => periodHealth(g.start, g.items));
  const adapt = adaptations.filter((a) => Number.isFinite(parseTime(a.ts))).slice().sort((a, b) => parseTime(a.ts) - parseTime(b.ts));
  return {
    bucket,
    from: outcomes.length ? outcomes[0].search.ts : null,
    to: outcomes.length ? outcomes[outcomes.length - 1].search.ts : null,
    total: periodHealth(outcomes.length ? periods[0].start : '', outcomes),
    periods,
    adaptations: adapt,
    orphanOpens,
  };
}
