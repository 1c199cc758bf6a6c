// Drift: is search on this workspace doing what the shipped model's held-out
// data says it should, and what it did here before? Compares the recent window
// of the query log (default the last 7 days) with
//   - the model: models/sift-rank/report.json (held-out MRR@10, the answer at
//     the default threshold) and models/sift-rank/expectations.json (the first
//     result's relevance distribution and the "nothing relevant" rate on the
//     same held-out queries; scripts/rank-expectations.ts), and
//   - the workspace's own history: the weeks before the recent window,
// plus the share of the workspace's words the model's vocabulary knows. Each
// check has a band that widens with fewer searches (two standard errors) and a
// smallest move worth mentioning; a value beyond its band is a warning with a
// remedy. Pure: no files, no vscode (the JSON files are bundled at build time).
import shippedExpectationsJson from '../../../models/sift-rank/expectations.json';
import shippedReport from '../../../models/sift-rank/report.json';
import { shippedRankModel } from '../rank/model';
import type { SearchMode } from '../types';
import { periodHealth, searchOutcomes, type HealthOptions, type PeriodHealth, type ScoreSummary, type SearchOutcome } from './health';
import type { AdaptationRecord, LogEvent } from './types';

export type { ScoreSummary } from './health';

export const EXPECTATIONS_FORMAT = 'sift-rank-expectations/1';

/** What scripts/rank-expectations.ts measured for one search mode on the report packages. */
export interface ModeExpectations {
  queries: number;
  answerable: number;
  noAnswer: number;
  /** The first result's calibrated relevance, all queries / answerable / no-answer. */
  topScore: ScoreSummary;
  topScoreAnswerable: ScoreSummary;
  topScoreNoAnswer: ScoreSummary;
  /** Share answered "nothing relevant" at the default threshold. */
  noRelevant: { all: number; answerable: number; noAnswer: number };
  /** MRR@10 over answerable queries (0 when no right hit in the top 10). */
  mrr10: number;
  /** MRR@10 over the answerable queries with a right hit in the top 10: what a log's opened-MRR compares with. */
  mrr10GivenTop10: number;
  firstRightInTop10: number;
  /** Rank of the first right hit: 1..10, then beyond 10. */
  firstRightRank: number[];
}

export interface RankExpectations {
  format: typeof EXPECTATIONS_FORMAT;
  /** The ranking model version measured; ignored when it is not the one searching. */
  ranker: string;
  threshold: number;
  data: string;
  modes: Record<SearchMode, ModeExpectations>;
}

/** What the model's held-out data predicts, from report.json and (when it matches the ranker) expectations.json. */
export interface ModelExpectations {
  ranker: string;
  threshold: number;
  /** report.json: held-out MRR@10 of the ranked list, answerable queries. */
  heldOutMrr10: Record<SearchMode, number>;
  /** report.json: at the default threshold, "nothing relevant" for no-answer queries, and answer recall@5. */
  noAnswerEmpty: Record<SearchMode, number>;
  answerRecallAt5: Record<SearchMode, number>;
  /** expectations.json, or null when it is missing or measured another ranker. */
  measured: RankExpectations | null;
}

interface ReportShape {
  mrr10?: Record<string, { ranker?: number }>;
  testAnswer?: Record<string, { noAnswerEmpty?: number; recallAt5?: number }>;
}

/** Expectations from a report.json and an expectations.json (either may be missing or stale). */
export function expectationsFrom(report: unknown, measured: unknown, model: { version: string; threshold: number }): ModelExpectations {
  const r = (report ?? {}) as ReportShape;
  const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
  const byMode = (f: (m: SearchMode) => number) => ({ hybrid: f('hybrid'), keyword: f('keyword') });
  const m = measured as Partial<RankExpectations> | null | undefined;
  const usable = !!m && m.format === EXPECTATIONS_FORMAT && m.ranker === model.version && !!m.modes?.hybrid && !!m.modes?.keyword;
  return {
    ranker: model.version,
    threshold: model.threshold,
    heldOutMrr10: byMode((mode) => num(r.mrr10?.[`${mode} all`]?.ranker, NaN)),
    noAnswerEmpty: byMode((mode) => num(r.testAnswer?.[mode]?.noAnswerEmpty, NaN)),
    answerRecallAt5: byMode((mode) => num(r.testAnswer?.[mode]?.recallAt5, NaN)),
    measured: usable ? (m as RankExpectations) : null,
  };
}

/** The shipped ranking model's expectations. */
export function shippedExpectations(): ModelExpectations {
  const model = shippedRankModel();
  return expectationsFrom(shippedReport, shippedExpectationsJson, model);
}

// ---------------------------------------------------------------------------
// Vocabulary coverage

/** What coverage needs of the model's tokenizer (embed/tokenizer.ts's Tokenizer has both). */
export interface CoverageTokenizer {
  subtokens(text: string): string[];
  /** Vocabulary row of a subtoken, or -1 when only hashed n-gram rows stand for it. */
  vocabRow(subtoken: string): number;
}

export interface CoverageCount {
  /** Subtoken occurrences (digits-only ones left out: numbers are not words). */
  tokens: number;
  /** Occurrences with their own vocabulary row. */
  known: number;
  share: number | null;
}

export interface VocabularyCoverage extends CoverageCount {
  /** Distinct subtokens and the share of them known. */
  distinct: number;
  distinctShare: number | null;
  byLanguage: Record<string, CoverageCount>;
  /** The most frequent subtokens without a vocabulary row. */
  topMissing: Array<[string, number]>;
  textsSampled: number;
  /** Stopped by the time or text limit before every text was read. */
  truncated: boolean;
}

export interface CoverageText { text: string; language?: string }

export interface CoverageOptions {
  /** Texts to read at most (default 4000). */
  maxTexts?: number;
  /** Time limit in ms (default 1500). */
  maxMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

const DIGITS = /^\d+$/;

/**
 * The share of a workspace's words that the model's vocabulary covers: per
 * subtoken occurrence (what embedding sees), per distinct subtoken, per
 * language. Pass a sample of the index's chunk texts; reading stops at
 * maxTexts or maxMs.
 */
export function vocabularyCoverage(texts: Iterable<string | CoverageText>, tokenizer: CoverageTokenizer, opts: CoverageOptions = {}): VocabularyCoverage {
  const maxTexts = opts.maxTexts ?? 4000;
  const maxMs = opts.maxMs ?? 1500;
  const now = opts.now ?? (() => performance.now());
  const t0 = now();
  const counts = new Map<string, number>();
  const byLanguage: Record<string, CoverageCount> = {};
  let sampled = 0;
  let truncated = false;
  let tokens = 0, known = 0;
  for (const item of texts) {
    if (sampled >= maxTexts || now() - t0 > maxMs) { truncated = true; break; }
    sampled++;
    const text = typeof item === 'string' ? item : item.text;
    const lang = typeof item === 'string' ? 'all' : item.language ?? 'all';
    const per = (byLanguage[lang] ??= { tokens: 0, known: 0, share: null });
    for (const sub of tokenizer.subtokens(text)) {
      if (DIGITS.test(sub)) continue;
      const inVocab = tokenizer.vocabRow(sub) >= 0;
      tokens++; per.tokens++;
      if (inVocab) { known++; per.known++; } else counts.set(sub, (counts.get(sub) ?? 0) + 1);
      if (inVocab && !counts.has(sub)) counts.set(sub, 0); // distinct known words, counted as 0 missing
    }
  }
  for (const c of Object.values(byLanguage)) c.share = c.tokens ? round3(c.known / c.tokens) : null;
  let distinctKnown = 0;
  const missing: Array<[string, number]> = [];
  for (const [w, n] of counts) { if (n === 0) distinctKnown++; else missing.push([w, n]); }
  missing.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return {
    tokens, known, share: tokens ? round3(known / tokens) : null,
    distinct: counts.size, distinctShare: counts.size ? round3(distinctKnown / counts.size) : null,
    byLanguage, topMissing: missing.slice(0, 20), textsSampled: sampled, truncated,
  };
}

// ---------------------------------------------------------------------------
// Replay summary (replay.ts fills it; here so drift needs no engine)

/** What replaying the log's opened searches against today's index and model found. */
export interface ReplaySummary {
  /** Searches with an open that were replayed. */
  replayed: number;
  /** Their opened result's MRR@10 when opened and now. */
  mrr10Then: number | null;
  mrr10Now: number | null;
  /** Opened results no longer in the index at all (deleted or renamed code). */
  gone: number;
}

// ---------------------------------------------------------------------------
// Checks and warnings

export type DriftMetric = 'mrr10' | 'openRate' | 'noRelevantRate' | 'topScoreMedian' | 'requeryRate' | 'vocabularyCoverage' | 'replayMrr10' | 'openedGone';

export interface Band {
  /** Lowest value not worth a warning (null: no lower limit). */
  low: number | null;
  high: number | null;
  /** Where the band comes from, in words. */
  basis: string;
}

export interface Remedy {
  id: 'adapt' | 'reindex' | 'threshold';
  label: string;
  /** What to run in a terminal. */
  cli: string;
  /** The VS Code command, when there is one. */
  command: string | null;
  /** The VS Code setting, when the remedy is one. */
  setting?: string;
}

export const REMEDIES: Record<Remedy['id'], Remedy> = {
  adapt: { id: 'adapt', label: 'Adapt the model to this workspace', cli: 'sift adapt', command: 'sift.adapt' },
  reindex: { id: 'reindex', label: 'Re-index the workspace', cli: 'sift index', command: 'sift.reindex' },
  threshold: { id: 'threshold', label: 'Lower the relevance threshold', cli: 'sift search --threshold 0.15 …', command: null, setting: 'sift.relevanceThreshold' },
};

export interface DriftCheck {
  metric: DriftMetric;
  /** 'model': the shipped model's held-out data; 'history': this workspace before the window; 'rule': a fixed floor. */
  against: 'model' | 'history' | 'rule';
  /** Sub-population, e.g. a language for vocabulary coverage. */
  scope?: string;
  observed: number | null;
  /** Searches (or tokens) behind the observed value. */
  n: number;
  expected: Band;
  /** null: too little data to judge. */
  ok: boolean | null;
}

export interface DriftWarning extends DriftCheck {
  ok: false;
  message: string;
  remedy: Remedy;
  otherRemedies: Remedy[];
}

export interface DriftReport {
  /** The recent window and the history it is compared with. */
  window: { from: string; to: string; health: PeriodHealth };
  baseline: { from: string; to: string; health: PeriodHealth } | null;
  checks: DriftCheck[];
  warnings: DriftWarning[];
  /** Adaptations inside the window (numbers before and after one belong to different models). */
  adaptationsInWindow: AdaptationRecord[];
}

export interface DriftOptions extends Pick<HealthOptions, 'requeryWindowMs' | 'sources'> {
  /** End of the window (default: the last logged search). */
  now?: Date | string;
  /** Recent window length (default 7 days). */
  recentDays?: number;
  /** History before the window compared with (default 56 days). */
  baselineDays?: number;
  /** Fewest searches (or opened searches, for MRR) a side needs before it is judged (default 20). */
  minSearches?: number;
  /** Band half-width in standard errors (default 2). */
  z?: number;
  /** Vocabulary coverage floor (default 0.85 of word occurrences) and the fewest tokens a language needs (default 500). */
  coverageFloor?: number;
  coverageMinTokens?: number;
}

export const DEFAULT_COVERAGE_FLOOR = 0.85;

export interface DriftInput {
  events: readonly LogEvent[];
  expectations?: ModelExpectations | null;
  coverage?: VocabularyCoverage | null;
  replay?: ReplaySummary | null;
  adaptations?: readonly AdaptationRecord[];
}

const DAY_MS = 86_400_000;
const round3 = (v: number) => Math.round(v * 1000) / 1000;
const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
// smallest moves worth a warning, whatever the sample size
const MIN_EFFECT = { mrr10: 0.1, openRate: 0.1, noRelevantRate: 0.1, topScoreMedian: 0.08, requeryRate: 0.1 } as const;
// the spread of reciprocal ranks among opened searches, when a sample is too small to estimate it
const RR_SD_FALLBACK = 0.35;

function rrValues(outcomes: readonly SearchOutcome[]): number[] {
  return outcomes.filter((o) => !o.search.partial && o.firstOpenRank !== null).map((o) => (o.firstOpenRank! <= 10 ? 1 / o.firstOpenRank! : 0));
}

function sd(xs: number[]): number {
  if (xs.length < 2) return RR_SD_FALLBACK;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

/** Standard error of a proportion p over n. */
const seRate = (p: number, n: number) => Math.sqrt(Math.max(p * (1 - p), 0.01) / Math.max(n, 1));

/** Standard error of a median, from a distribution's p10–p90 spread (normal approximation). */
function seMedian(s: ScoreSummary | null, n: number, fallbackSpread = 0.6): number {
  const spread = s && s.p10 !== null && s.p90 !== null ? s.p90 - s.p10 : fallbackSpread;
  const sigma = Math.max(spread, 0.05) / 2.563;
  return 1.2533 * sigma / Math.sqrt(Math.max(n, 1));
}

const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)} %`);
const num = (v: number | null) => (v === null ? '—' : v.toFixed(2));
const bandText = (b: Band, f: (v: number | null) => string) =>
  b.low !== null && b.high !== null ? `${f(b.low)}–${f(b.high)}` : b.low !== null ? `≥ ${f(b.low)}` : `≤ ${f(b.high)}`;

/** The window's searches by mode, to mix per-mode expectations. */
function modeShares(outcomes: readonly SearchOutcome[]): Record<SearchMode, number> {
  const n = outcomes.length || 1;
  const hybrid = outcomes.filter((o) => o.search.mode === 'hybrid').length;
  return { hybrid: hybrid / n, keyword: (outcomes.length - hybrid) / n };
}

const mix = (w: Record<SearchMode, number>, v: Record<SearchMode, number>) => w.hybrid * v.hybrid + w.keyword * v.keyword;

/** A top-score median where "below the threshold" (null) reads as 0: lower than anything shown. */
const medianValue = (s: ScoreSummary) => (s.n + s.hidden === 0 ? null : s.p50 ?? 0);

/** Compares the recent window with the model's expectations and the workspace's history. */
export function detectDrift(input: DriftInput, opts: DriftOptions = {}): DriftReport {
  const { outcomes } = searchOutcomes(input.events, opts);
  const lastTime = outcomes.length ? outcomes[outcomes.length - 1].time : Date.now();
  const end = opts.now !== undefined ? new Date(opts.now).getTime() : lastTime;
  const recentStart = end - (opts.recentDays ?? 7) * DAY_MS;
  const baseStart = recentStart - (opts.baselineDays ?? 56) * DAY_MS;
  const recent = outcomes.filter((o) => o.time > recentStart && o.time <= end);
  const base = outcomes.filter((o) => o.time > baseStart && o.time <= recentStart);
  const minN = opts.minSearches ?? 20;
  const z = opts.z ?? 2;
  const rh = periodHealth(new Date(recentStart).toISOString().slice(0, 10), recent);
  const bh = base.length ? periodHealth(new Date(baseStart).toISOString().slice(0, 10), base) : null;
  const exp = input.expectations ?? null;
  const checks: DriftCheck[] = [];
  const warnings: DriftWarning[] = [];
  const complete = recent.filter((o) => !o.search.partial && !o.search.migrated);
  const shares = modeShares(complete);
  const mainMode: SearchMode = shares.hybrid >= shares.keyword ? 'hybrid' : 'keyword';
  const windowText = `in the last ${opts.recentDays ?? 7} days`;

  const add = (c: DriftCheck, warn: () => { message: string; remedy: Remedy; otherRemedies?: Remedy[] }) => {
    checks.push(c);
    if (c.ok === false) { const w = warn(); warnings.push({ ...c, ok: false, message: w.message, remedy: w.remedy, otherRemedies: w.otherRemedies ?? [] }); }
  };
  const judge = (observed: number | null, band: Band, enough: boolean): boolean | null => {
    if (observed === null || !enough) return null;
    return (band.low === null || observed >= band.low) && (band.high === null || observed <= band.high);
  };

  // MRR@10 of opened results
  const rrRecent = rrValues(recent);
  if (exp) {
    const m = exp.measured;
    const center = m ? mix(shares, { hybrid: m.modes.hybrid.mrr10GivenTop10, keyword: m.modes.keyword.mrr10GivenTop10 }) : mix(shares, exp.heldOutMrr10);
    if (Number.isFinite(center)) {
      const band: Band = {
        low: round3(clamp01(center - Math.max(z * sd(rrRecent) / Math.sqrt(Math.max(rrRecent.length, 1)), MIN_EFFECT.mrr10))), high: null,
        basis: m ? `held-out MRR@10 of queries answered in the top 10 (${num(center)}), models/sift-rank/expectations.json`
          : `held-out MRR@10 (${num(center)}), models/sift-rank/report.json: a floor, since opened searches are ones answered in the top 10`,
      };
      add({ metric: 'mrr10', against: 'model', observed: rh.mrr10, n: rh.ranked, expected: band, ok: judge(rh.mrr10, band, rh.ranked >= minN) }, () => ({
        message: `Opened results sit lower than the model's held-out data predicts: MRR@10 ${num(rh.mrr10)} ${windowText}, expected ${bandText(band, num)}. The ranking fits this workspace worse than the code it was trained on.`,
        remedy: REMEDIES.adapt, otherRemedies: [REMEDIES.reindex],
      }));
    }
  }
  if (bh) {
    const rrBase = rrValues(base);
    const se = Math.sqrt(sd(rrRecent) ** 2 / Math.max(rrRecent.length, 1) + sd(rrBase) ** 2 / Math.max(rrBase.length, 1));
    const band: Band = bh.mrr10 === null ? { low: null, high: null, basis: '' } : { low: round3(clamp01(bh.mrr10 - Math.max(z * se, MIN_EFFECT.mrr10))), high: null, basis: `this workspace's MRR@10 before the window (${num(bh.mrr10)} over ${bh.ranked} opened searches)` };
    if (bh.mrr10 !== null) {
      add({ metric: 'mrr10', against: 'history', observed: rh.mrr10, n: rh.ranked, expected: band, ok: judge(rh.mrr10, band, rh.ranked >= minN && bh.ranked >= minN) }, () => ({
        message: `Opened results sit lower than they used to: MRR@10 ${num(rh.mrr10)} ${windowText} against ${num(bh.mrr10)} before. After a large change to the code, the index or an adapted model may lag behind it.`,
        remedy: REMEDIES.reindex, otherRemedies: [REMEDIES.adapt],
      }));
    }
    if (bh.openRate !== null) {
      const seO = Math.sqrt(seRate(bh.openRate, rh.searches) ** 2 + seRate(bh.openRate, bh.searches) ** 2);
      const ob: Band = { low: round3(clamp01(bh.openRate - Math.max(z * seO, MIN_EFFECT.openRate))), high: null, basis: `this workspace's open rate before the window (${pct(bh.openRate)} of ${bh.searches} searches)` };
      add({ metric: 'openRate', against: 'history', observed: rh.openRate, n: rh.searches, expected: ob, ok: judge(rh.openRate, ob, rh.searches >= minN && bh.searches >= minN) }, () => ({
        message: `Fewer searches lead to an opened result: ${pct(rh.openRate)} ${windowText} against ${pct(bh.openRate)} before.`,
        remedy: REMEDIES.reindex, otherRemedies: [REMEDIES.adapt],
      }));
    }
  }

  // "nothing relevant" rate
  if (exp?.measured) {
    const m = exp.measured;
    const center = mix(shares, { hybrid: m.modes.hybrid.noRelevant.all, keyword: m.modes.keyword.noRelevant.all });
    const band: Band = { low: null, high: round3(clamp01(center + Math.max(z * seRate(center, rh.searches), MIN_EFFECT.noRelevantRate))), basis: `held-out queries, ${Math.round(100 * m.modes[mainMode].noAnswer / Math.max(m.modes[mainMode].queries, 1))} % of them without an answer (${pct(center)} "nothing relevant"), models/sift-rank/expectations.json` };
    add({ metric: 'noRelevantRate', against: 'model', observed: rh.noRelevantRate, n: rh.searches, expected: band, ok: judge(rh.noRelevantRate, band, rh.searches >= minN) }, () => ({
      message: `"Nothing relevant" comes up more often than the model's held-out data predicts: ${pct(rh.noRelevantRate)} of searches ${windowText}, expected at most ${pct(band.high)}. Either many questions have no answer here, or the model does not know this workspace's words.`,
      remedy: REMEDIES.adapt, otherRemedies: [REMEDIES.threshold, REMEDIES.reindex],
    }));
  } else if (exp && Number.isFinite(exp.answerRecallAt5[mainMode])) {
    // without expectations.json: answerable held-out queries got a right hit in the first 5 of the answer at least this often
    const ceiling = 1 - mix(shares, exp.answerRecallAt5);
    const band: Band = { low: null, high: round3(clamp01(ceiling + Math.max(z * seRate(ceiling, rh.searches), MIN_EFFECT.noRelevantRate))), basis: `1 − held-out answer recall@5 (${pct(ceiling)}), models/sift-rank/report.json: the most "nothing relevant" answerable queries get` };
    add({ metric: 'noRelevantRate', against: 'model', observed: rh.noRelevantRate, n: rh.searches, expected: band, ok: judge(rh.noRelevantRate, band, rh.searches >= minN) }, () => ({
      message: `"Nothing relevant" comes up more often than the model's held-out data allows for: ${pct(rh.noRelevantRate)} of searches ${windowText}, expected at most ${pct(band.high)}.`,
      remedy: REMEDIES.adapt, otherRemedies: [REMEDIES.threshold, REMEDIES.reindex],
    }));
  }
  if (bh && bh.noRelevantRate !== null) {
    const se = Math.sqrt(seRate(bh.noRelevantRate, rh.searches) ** 2 + seRate(bh.noRelevantRate, bh.searches) ** 2);
    const band: Band = { low: null, high: round3(clamp01(bh.noRelevantRate + Math.max(z * se, MIN_EFFECT.noRelevantRate))), basis: `this workspace before the window (${pct(bh.noRelevantRate)} of ${bh.searches} searches)` };
    add({ metric: 'noRelevantRate', against: 'history', observed: rh.noRelevantRate, n: rh.searches, expected: band, ok: judge(rh.noRelevantRate, band, rh.searches >= minN && bh.searches >= minN) }, () => ({
      message: `"Nothing relevant" comes up more often than it used to: ${pct(rh.noRelevantRate)} of searches ${windowText} against ${pct(bh.noRelevantRate)} before. A stale index (files changed while Sift was not watching) or a large refactor does this.`,
      remedy: REMEDIES.reindex, otherRemedies: [REMEDIES.adapt],
    }));
  }

  // the first result's relevance (median)
  const obsMedian = medianValue(rh.topScore);
  const topN = rh.topScore.n + rh.topScore.hidden;
  if (exp?.measured) {
    const ms = exp.measured.modes[mainMode].topScore;
    if (ms.p50 !== null) {
      const band: Band = { low: round3(clamp01(ms.p50 - Math.max(z * seMedian(ms, topN), MIN_EFFECT.topScoreMedian))), high: null, basis: `held-out ${mainMode} queries' median first-result relevance (${num(ms.p50)}), models/sift-rank/expectations.json` };
      add({ metric: 'topScoreMedian', against: 'model', observed: obsMedian, n: topN, expected: band, ok: judge(obsMedian, band, topN >= minN) }, () => ({
        message: `The first result is less convincing than on the model's held-out data: median relevance ${rh.topScore.p50 === null ? 'below the threshold' : num(obsMedian)} ${windowText}, expected ${bandText(band, num)}.`,
        remedy: REMEDIES.adapt, otherRemedies: [REMEDIES.reindex],
      }));
    }
  }
  if (bh) {
    const bMedian = medianValue(bh.topScore);
    const bN = bh.topScore.n + bh.topScore.hidden;
    if (bMedian !== null) {
      const se = Math.sqrt(seMedian(bh.topScore, topN) ** 2 + seMedian(bh.topScore, bN) ** 2);
      const band: Band = { low: round3(clamp01(bMedian - Math.max(z * se, MIN_EFFECT.topScoreMedian))), high: null, basis: `this workspace before the window (median ${bh.topScore.p50 === null ? 'below the threshold' : num(bMedian)} over ${bN} searches)` };
      add({ metric: 'topScoreMedian', against: 'history', observed: obsMedian, n: topN, expected: band, ok: judge(obsMedian, band, topN >= minN && bN >= minN) }, () => ({
        message: `The first result's relevance dropped: median ${rh.topScore.p50 === null ? 'below the threshold' : num(obsMedian)} ${windowText} against ${num(bMedian)} before. After a large refactor or a new language the model may not know the new code's words.`,
        remedy: REMEDIES.reindex, otherRemedies: [REMEDIES.adapt],
      }));
    }
  }

  // re-query rate: the model has no expectation for it; history only
  if (bh && bh.requeryRate !== null) {
    const se = Math.sqrt(seRate(bh.requeryRate, rh.searches) ** 2 + seRate(bh.requeryRate, bh.searches) ** 2);
    const band: Band = { low: null, high: round3(clamp01(bh.requeryRate + Math.max(z * se, MIN_EFFECT.requeryRate))), basis: `this workspace before the window (${pct(bh.requeryRate)} of ${bh.searches} searches)` };
    add({ metric: 'requeryRate', against: 'history', observed: rh.requeryRate, n: rh.searches, expected: band, ok: judge(rh.requeryRate, band, rh.searches >= minN && bh.searches >= minN) }, () => ({
      message: `People rephrase more often after a search: ${pct(rh.requeryRate)} of searches were followed within seconds by another query ${windowText}, against ${pct(bh.requeryRate)} before.`,
      remedy: REMEDIES.adapt, otherRemedies: [REMEDIES.reindex],
    }));
  }

  // vocabulary coverage
  const cov = input.coverage;
  if (cov) {
    const floor = opts.coverageFloor ?? DEFAULT_COVERAGE_FLOOR;
    const minTok = opts.coverageMinTokens ?? 500;
    const band: Band = { low: floor, high: null, basis: `a floor: the model's vocabulary covers ${pct(floor)}+ of the words in code like its training data (README, "Search health")` };
    const missing = cov.topMissing.slice(0, 8).map(([w]) => w).join(', ');
    add({ metric: 'vocabularyCoverage', against: 'rule', observed: cov.share, n: cov.tokens, expected: band, ok: judge(cov.share, band, cov.tokens >= minTok) }, () => ({
      message: `The model's vocabulary covers only ${pct(cov.share)} of this workspace's words (sampled from ${cov.textsSampled} chunks; most frequent unknown: ${missing}). Unknown words are embedded from their letters only, so meaning search works less well.`,
      remedy: REMEDIES.adapt,
    }));
    for (const [lang, c] of Object.entries(cov.byLanguage)) {
      if (lang === 'all' || c.tokens < minTok) continue;
      add({ metric: 'vocabularyCoverage', against: 'rule', scope: lang, observed: c.share, n: c.tokens, expected: band, ok: judge(c.share, band, true) }, () => ({
        message: `The model's vocabulary covers only ${pct(c.share)} of the words in this workspace's ${lang} code: a language or naming style it was not trained on.`,
        remedy: REMEDIES.adapt,
      }));
    }
  }

  // replay: the logged opens ranked by today's index and model
  const rp = input.replay;
  if (rp && rp.replayed > 0) {
    if (rp.mrr10Then !== null && rp.mrr10Now !== null) {
      const band: Band = { low: round3(clamp01(rp.mrr10Then - Math.max(z * RR_SD_FALLBACK / Math.sqrt(rp.replayed), MIN_EFFECT.mrr10))), high: null, basis: `the same opened results' MRR@10 when they were opened (${num(rp.mrr10Then)})` };
      add({ metric: 'replayMrr10', against: 'history', observed: rp.mrr10Now, n: rp.replayed, expected: band, ok: judge(rp.mrr10Now, band, rp.replayed >= minN) }, () => ({
        message: `Replayed today, the logged searches rank the results people opened lower: MRR@10 ${num(rp.mrr10Now)} against ${num(rp.mrr10Then)} when they were opened.`,
        remedy: REMEDIES.adapt, otherRemedies: [REMEDIES.reindex],
      }));
    }
    const goneShare = round3(rp.gone / rp.replayed);
    const band: Band = { low: null, high: 0.3, basis: 'a rule: most opened code should still exist' };
    add({ metric: 'openedGone', against: 'rule', observed: goneShare, n: rp.replayed, expected: band, ok: judge(goneShare, band, rp.replayed >= minN) }, () => ({
      message: `${pct(goneShare)} of the results people opened are no longer in the index: the code moved (a large refactor?). Lessons from before it no longer apply; re-index, then adapt on recent searches.`,
      remedy: REMEDIES.reindex, otherRemedies: [REMEDIES.adapt],
    }));
  }

  const inWindow = (input.adaptations ?? []).filter((a) => { const t = Date.parse(a.ts); return t > recentStart && t <= end; });
  return {
    window: { from: new Date(recentStart).toISOString(), to: new Date(end).toISOString(), health: rh },
    baseline: bh ? { from: new Date(baseStart).toISOString(), to: new Date(recentStart).toISOString(), health: bh } : null,
    checks,
    warnings,
    adaptationsInWindow: inWindow,
  };
}
