// Search health, drift and the feedback replay: the numbers from a query log.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from '../../src/cli/args';
import { feedbackEval, formatFeedbackEval } from '../../src/cli/feedbackEval';
import { QueryLog } from '../../src/core/learn/queryLog';
import { computeHealth, periodOf, searchOutcomes, summarizeScores } from '../../src/core/learn/health';
import { detectDrift, expectationsFrom, shippedExpectations, vocabularyCoverage, type ModelExpectations } from '../../src/core/learn/drift';
import { matchRank, replayLog, type ReplayHit } from '../../src/core/learn/replay';
import type { ChunkRef, LogEvent, OpenEvent, SearchEvent } from '../../src/core/learn/types';
import { Tokenizer } from '../../src/core/embed/tokenizer';
import { parseHealthMessage, renderHealthHtml, type HealthViewModel } from '../../src/vscode/healthHtml';
import { buildTestModel, type TestModel } from '../helpers/testModel';

const ROOT = '/ws';
const ref = (file: string, line: number, name: string): ChunkRef => ({ root: ROOT, file, line, name });

let seq = 0;
/** A search at `ts` showing `scores` (best first); no results when nothing relevant and nothing shown. */
function search(ts: string, opts: Partial<SearchEvent> & { scores?: number[] } = {}): SearchEvent {
  const scores = opts.scores ?? [0.8, 0.5, 0.3];
  const { scores: _s, ...rest } = opts;
  return {
    t: 'search', id: `s${++seq}`, ts, source: 'quickPick', query: `query ${seq}`, mode: 'hybrid',
    results: scores.map((score, i) => ({ ...ref(`src/f${i}.ts`, 10 + i, `fn${i}`), rank: i + 1, kind: 'function', score })),
    answerSize: scores.filter((s) => s >= 0.25).length, noRelevant: scores.length === 0 || scores[0] < 0.25,
    showWeak: false, partial: false, latencyMs: 5, ...rest,
  };
}
const open = (s: SearchEvent, rank: number, ts?: string): OpenEvent => ({
  t: 'open', ts: ts ?? new Date(Date.parse(s.ts) + 3000).toISOString(), searchId: s.id, source: s.source, rank,
  ref: { root: s.results[rank - 1]?.root ?? ROOT, file: s.results[rank - 1]?.file ?? 'src/x.ts', line: s.results[rank - 1]?.line ?? 1, name: s.results[rank - 1]?.name ?? 'x' },
});
const at = (day: string, h = 10, m = 0, s = 0) => `${day}T${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.000Z`;
const dayOf = (base: string, plus: number) => new Date(Date.parse(`${base}T00:00:00Z`) + plus * 86_400_000).toISOString().slice(0, 10);

describe('search health', () => {
  it('buckets by local day, or by Monday-started week for a long history, with empty periods kept', () => {
    assert.equal(periodOf('2026-03-04T23:30:00Z', 'day'), '2026-03-04');
    assert.equal(periodOf('2026-03-04T23:30:00Z', 'day', 120), '2026-03-05'); // UTC+2: already the next day
    assert.equal(periodOf('2026-03-04T10:00:00Z', 'week'), '2026-03-02'); // a Wednesday → its Monday
    assert.equal(periodOf('2026-03-08T10:00:00Z', 'week'), '2026-03-02'); // Sunday stays in the same week
    const events = [search(at('2026-03-02')), search(at('2026-03-04')), search(at('2026-03-04', 11))];
    const daily = computeHealth(events);
    assert.equal(daily.bucket, 'day');
    assert.deepEqual(daily.periods.map((p) => [p.start, p.searches]), [['2026-03-02', 1], ['2026-03-03', 0], ['2026-03-04', 2]]);
    assert.equal(daily.total.searches, 3);
    const long = computeHealth([...events, search(at('2026-06-01'))]);
    assert.equal(long.bucket, 'week');
    assert.equal(long.periods[0].start, '2026-03-02');
    assert.equal(long.periods.at(-1)!.start, '2026-06-01');
    assert.equal(long.periods.length, 14);
    assert.equal(computeHealth([...events, search(at('2026-06-01'))], { bucket: 'day' }).periods.length, 92);
    assert.deepEqual(computeHealth([]).periods, []);
  });

  it('MRR@10 counts only searches with an open (best-ranked open, 0 beyond 10), the open rate separately', () => {
    const a = search(at('2026-03-02', 9)), b = search(at('2026-03-02', 10)), c = search(at('2026-03-02', 11)), d = search(at('2026-03-02', 12));
    const wide = search(at('2026-03-02', 13), { scores: Array.from({ length: 12 }, (_, i) => 0.9 - i * 0.05) });
    const events: LogEvent[] = [a, b, c, d, wide, open(a, 1), open(b, 3), open(b, 2), open(c, 1), open(wide, 12)];
    const h = computeHealth(events).total;
    assert.equal(h.searches, 5);
    assert.equal(h.opened, 4);
    assert.equal(h.openRate, 0.8);
    // a: 1, b: best open 2 → 1/2, c: 1, wide: rank 12 → 0; d (no open) is not a zero
    assert.equal(h.mrr10, Math.round(((1 + 0.5 + 1 + 0) / 4) * 1000) / 1000);
    assert.deepEqual(h.openedRanks, [2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('finds re-queries: nothing kept, then another query on the same surface within 10 s', () => {
    const s1 = search(at('2026-03-02', 10, 0, 0), { query: 'parse date' });
    const s2 = search(at('2026-03-02', 10, 0, 6), { query: 'parse a timestamp' }); // 6 s later: s1 re-queried
    const s3 = search(at('2026-03-02', 10, 0, 9), { query: 'Parse  a timestamp' }); // same query again: no re-query of s2
    const s4 = search(at('2026-03-02', 10, 5, 0), { query: 'retry with backoff' });
    const s5 = search(at('2026-03-02', 10, 5, 20), { query: 'backoff' }); // 20 s later: not a re-query
    const s6 = search(at('2026-03-02', 11, 0, 0), { query: 'hash a file' });
    const s7 = search(at('2026-03-02', 11, 0, 3), { query: 'sha of a file', source: 'cli' }); // another surface
    const s8 = search(at('2026-03-02', 12, 0, 0), { query: 'open config' });
    const s9 = search(at('2026-03-02', 12, 0, 4), { query: 'load config', source: 'sidebar' }); // the editor's surfaces are one
    const events: LogEvent[] = [s9, s8, s7, s6, s5, s4, s3, s2, s1, open(s3, 1)]; // any order
    const { outcomes } = searchOutcomes(events);
    const re = Object.fromEntries(outcomes.map((o) => [o.search.query, o.requery]));
    assert.deepEqual(re, {
      'parse date': true, 'parse a timestamp': false, 'Parse  a timestamp': false, 'retry with backoff': false, backoff: false,
      'hash a file': false, 'sha of a file': false, 'open config': true, 'load config': false,
    });
    const h = computeHealth(events).total;
    assert.equal(h.requeries, 2);
    assert.equal(h.requeryRate, Math.round((2 / 9) * 1000) / 1000);
    // an open on the first search means it was not given up, unless the stay was a bounce (under 5 s)
    assert.equal(searchOutcomes([s1, s2, open(s1, 2, at('2026-03-02', 10, 0, 1))]).outcomes[0].requery, false);
    const bounce: LogEvent = { t: 'dwell', ts: at('2026-03-02', 10, 0, 3), searchId: s1.id, rank: 2, ms: 1500 };
    const r2 = searchOutcomes([s1, s2, open(s1, 2, at('2026-03-02', 10, 0, 1)), bounce]).outcomes;
    assert.equal(r2[0].requery, true);
    assert.equal(r2[0].firstOpenRank, 2); // still an opened search for MRR
  });

  it('"nothing relevant" rate and the top-score distribution, hidden scores below every shown one', () => {
    const events: LogEvent[] = [
      search(at('2026-03-02', 9), { scores: [0.95] }),
      search(at('2026-03-02', 10), { scores: [0.55, 0.3] }),
      search(at('2026-03-02', 11), { scores: [0.35] }),
      search(at('2026-03-02', 12), { scores: [] }), // nothing relevant, nothing shown
      search(at('2026-03-02', 13), { scores: [0.12, 0.1], showWeak: true }), // nothing relevant, closest shown
    ];
    const h = computeHealth(events).total;
    assert.equal(h.noRelevant, 2);
    assert.equal(h.noRelevantRate, 0.4);
    assert.equal(h.topScore.n, 4);
    assert.equal(h.topScore.hidden, 1);
    assert.deepEqual(h.topScore.histogram, [0, 1, 0, 1, 0, 1, 0, 0, 0, 1]);
    // five values: hidden, 0.12, 0.35, 0.55, 0.95 → p10 is the hidden one, p50 0.35, p90 0.95
    assert.equal(h.topScore.p10, null);
    assert.equal(h.topScore.p50, 0.35);
    assert.equal(h.topScore.p90, 0.95);
    const s = summarizeScores([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    assert.deepEqual([s.p10, s.p50, s.p90], [0.1, 0.5, 0.9]);
    assert.deepEqual(summarizeScores([], 3), { n: 0, hidden: 3, p10: null, p50: null, p90: null, histogram: new Array(10).fill(0) });
  });

  it('leaves partial-index searches out of the rates, migrated ones out of everything but the ranks, and counts orphan opens', () => {
    const ok = search(at('2026-03-02', 9));
    const partial = search(at('2026-03-02', 10), { partial: true, scores: [] });
    const migrated = search(at('2026-03-02', 11), { migrated: true });
    const orphan: OpenEvent = { ...open(ok, 1), searchId: 'gone' };
    const h = computeHealth([ok, partial, migrated, open(migrated, 2), orphan]);
    assert.equal(h.total.searches, 1);
    assert.equal(h.total.partial, 1);
    assert.equal(h.total.migrated, 1);
    assert.equal(h.total.noRelevantRate, 0);
    assert.equal(h.total.openRate, 0);
    assert.equal(h.total.ranked, 1);
    assert.equal(h.total.mrr10, 0.5);
    assert.equal(h.orphanOpens, 1);
  });

  it('keeps the adaptation history in time order', () => {
    const h = computeHealth([search(at('2026-03-02'))], {}, [
      { ts: at('2026-03-05'), kind: 'clicks', kept: true, reason: 'better', before: 0.5, after: 0.6 },
      { ts: at('2026-03-03'), kind: 'zero-click', kept: false, reason: 'worse on held-out' },
    ]);
    assert.deepEqual(h.adaptations.map((a) => a.kind), ['zero-click', 'clicks']);
  });
});

/** A log of `days` days ending on `end`, `perDay` searches a day, each day's searches shaped by `shape(dayIndex, i)`. */
function history(end: string, days: number, perDay: number, shape: (day: number, i: number) => { scores: number[]; openRank: number | null }): LogEvent[] {
  const out: LogEvent[] = [];
  for (let d = 0; d < days; d++) {
    const day = dayOf(end, d - days + 1);
    for (let i = 0; i < perDay; i++) {
      const { scores, openRank } = shape(d, i);
      const s = search(at(day, 8 + Math.floor(i / 6), (i % 6) * 10), { scores });
      out.push(s);
      if (openRank !== null) out.push(open(s, openRank));
    }
  }
  return out;
}

/** Healthy searching: most answered at rank 1 or 2 with a confident first result, a few with nothing relevant. */
const healthy = (_d: number, i: number) => (i % 10 === 9 ? { scores: [], openRank: null } : { scores: [0.75 + (i % 3) * 0.05, 0.4], openRank: i % 4 === 3 ? 2 : 1 });
/** After a refactor: half the searches find nothing, the rest weakly and lower down. */
const degraded = (_d: number, i: number) => (i % 2 === 0 ? { scores: [], openRank: null } : { scores: [0.3, 0.28, 0.26, 0.25], openRank: i % 4 === 1 ? 4 : null });

describe('drift', () => {
  const exp = shippedExpectations();

  it('reads the shipped model report and the measured expectations of the same ranker', () => {
    assert.equal(exp.heldOutMrr10.hybrid, 0.63);
    assert.ok(exp.measured, 'models/sift-rank/expectations.json matches the shipped ranker');
    assert.equal(exp.measured!.modes.hybrid.mrr10, 0.63); // the same held-out queries as report.json
    assert.equal(exp.measured!.modes.hybrid.noRelevant.noAnswer, exp.noAnswerEmpty.hybrid);
    assert.ok(exp.measured!.modes.hybrid.topScore.p50! > exp.threshold);
    // another ranker's measurements are not used
    const other = expectationsFrom({}, exp.measured, { version: '9.9.9', threshold: 0.25 });
    assert.equal(other.measured, null);
    assert.ok(Number.isNaN(other.heldOutMrr10.hybrid));
  });

  it('stays quiet on a healthy log, against the model and against its own history', () => {
    const events = history('2026-03-31', 35, 10, healthy);
    const r = detectDrift({ events, expectations: exp });
    assert.deepEqual(r.warnings, [], JSON.stringify(r.warnings, null, 1));
    const judged = r.checks.filter((c) => c.ok !== null).map((c) => `${c.metric}/${c.against}`);
    for (const m of ['mrr10/model', 'mrr10/history', 'noRelevantRate/model', 'noRelevantRate/history', 'topScoreMedian/model', 'topScoreMedian/history', 'requeryRate/history', 'openRate/history']) {
      assert.ok(judged.includes(m), `${m} was judged: ${judged.join(', ')}`);
    }
    assert.equal(r.window.health.searches, 70);
    assert.equal(r.baseline!.health.searches, 280);
  });

  it('warns when the recent week degrades: lower MRR, more "nothing relevant", a weaker first result', () => {
    const events = history('2026-03-31', 35, 10, (d, i) => (d >= 28 ? degraded(d, i) : healthy(d, i)));
    const r = detectDrift({ events, expectations: exp });
    const fired = new Set(r.warnings.map((w) => `${w.metric}/${w.against}`));
    for (const m of ['mrr10/history', 'noRelevantRate/history', 'noRelevantRate/model', 'topScoreMedian/history', 'topScoreMedian/model', 'openRate/history']) {
      assert.ok(fired.has(m), `${m} fired: ${[...fired].join(', ')}`);
    }
    for (const w of r.warnings) {
      assert.ok(w.message.length > 20 && w.remedy.cli.startsWith('sift '), JSON.stringify(w));
      assert.ok(w.expected.low !== null || w.expected.high !== null);
      assert.ok(w.expected.basis.length > 0);
      assert.ok(w.observed !== null);
    }
    const nr = r.warnings.find((w) => w.metric === 'noRelevantRate' && w.against === 'history')!;
    assert.equal(nr.observed, 0.5);
    assert.ok(nr.expected.high! < 0.5);
    assert.equal(nr.remedy.id, 'reindex');
    const mrr = r.warnings.find((w) => w.metric === 'mrr10' && w.against === 'model');
    assert.ok(mrr, 'MRR 0.25 is below the held-out floor');
    assert.equal(mrr!.remedy.id, 'adapt');
  });

  it('does not judge with too few searches', () => {
    const events = history('2026-03-31', 35, 2, (d, i) => (d >= 28 ? degraded(d, i) : healthy(d, i)));
    const r = detectDrift({ events, expectations: exp });
    assert.deepEqual(r.warnings, []);
    assert.ok(r.checks.every((c) => c.ok === null));
  });

  it('without expectations.json falls back to report.json bounds', () => {
    const bare: ModelExpectations = { ...exp, measured: null };
    // 80 % "nothing relevant": beyond 1 − answer recall@5 (0.48) plus its margin
    const events = history('2026-03-31', 7, 10, (d, i) => (i % 5 === 0 ? healthy(d, i) : { scores: [], openRank: null }));
    const r = detectDrift({ events, expectations: bare });
    const nr = r.checks.find((c) => c.metric === 'noRelevantRate' && c.against === 'model')!;
    assert.match(nr.expected.basis, /report\.json/);
    assert.equal(nr.ok, false);
    assert.ok(!r.checks.some((c) => c.metric === 'topScoreMedian'));
  });

  it('flags low vocabulary coverage overall and for one language, and the replay\'s gone results', () => {
    const good = { share: 0.97, tokens: 5000, known: 4850, distinct: 900, distinctShare: 0.9, textsSampled: 200, truncated: false, topMissing: [] as [string, number][] };
    const cov = { ...good, byLanguage: { typescript: { tokens: 4000, known: 3960, share: 0.99 }, python: { tokens: 1000, known: 600, share: 0.6 } } };
    const r = detectDrift({ events: [], coverage: cov, replay: { replayed: 40, mrr10Then: 0.8, mrr10Now: 0.78, gone: 20 } });
    assert.deepEqual(r.warnings.map((w) => `${w.metric}/${w.scope ?? ''}`).sort(), ['openedGone/', 'vocabularyCoverage/python']);
    const py = r.warnings.find((w) => w.scope === 'python')!;
    assert.equal(py.remedy.id, 'adapt');
    assert.equal(py.expected.low, 0.85);
    const low = detectDrift({ events: [], coverage: { ...good, share: 0.5, byLanguage: {} }, replay: { replayed: 40, mrr10Then: 0.8, mrr10Now: 0.4, gone: 0 } });
    assert.deepEqual(low.warnings.map((w) => w.metric).sort(), ['replayMrr10', 'vocabularyCoverage']);
  });
});

describe('vocabulary coverage', () => {
  const tok = new Tokenizer({ vocab: ['parse', 'date', 'file', 'read', 'the'], ngramBuckets: 64, ngramSizes: [3], maxTokens: 256 });

  it('counts subtoken occurrences with their own vocabulary row, per language, digits left out', () => {
    const c = vocabularyCoverage([
      { text: 'parseDate(readFile(the_file, 2024))', language: 'typescript' }, // parse date read file the file: 6/6
      { text: 'def berechne_datum(datei): parse(datei)', language: 'python' }, // def berechne datum datei parse datei: 1/6
    ], tok);
    assert.equal(c.tokens, 12);
    assert.equal(c.known, 7);
    assert.equal(c.share, Math.round((7 / 12) * 1000) / 1000);
    assert.deepEqual(c.byLanguage.typescript, { tokens: 6, known: 6, share: 1 });
    assert.equal(c.byLanguage.python.share, Math.round((1 / 6) * 1000) / 1000);
    assert.deepEqual(c.topMissing[0], ['datei', 2]);
    // distinct: parse date read file the (known) + def berechne datum datei (missing)
    assert.equal(c.distinct, 9);
    assert.equal(c.distinctShare, Math.round((5 / 9) * 1000) / 1000);
    assert.equal(c.textsSampled, 2);
    assert.equal(c.truncated, false);
  });

  it('stops at the text and time limits', () => {
    const texts = Array.from({ length: 50 }, () => 'parse the file');
    assert.equal(vocabularyCoverage(texts, tok, { maxTexts: 10 }).textsSampled, 10);
    let clock = 0;
    const timed = vocabularyCoverage(texts, tok, { maxMs: 5, now: () => (clock += 1) });
    assert.ok(timed.truncated && timed.textsSampled < 10, String(timed.textsSampled));
  });
});

describe('feedback replay', () => {
  const hit = (file: string, declLine: number, name: string, score = 0.5, root = ROOT): ReplayHit => ({ root, file, declLine, name, score });

  it('matches a logged chunk exactly, by name when its lines moved, on the file alone when the root moved', () => {
    const hits = [hit('a.ts', 3, 'other'), hit('src/f0.ts', 14, 'fn0'), hit('src/f0.ts', 10, 'fn0')];
    assert.deepEqual(matchRank(hits, ref('src/f0.ts', 10, 'fn0')), { rank: 3, match: 'exact' });
    assert.deepEqual(matchRank(hits.slice(0, 2), ref('src/f0.ts', 10, 'fn0')), { rank: 2, match: 'moved' });
    assert.equal(matchRank(hits, ref('src/f0.ts', 10, '')), null); // an anonymous block only matches on its line
    assert.equal(matchRank(hits, { ...ref('src/f0.ts', 10, 'fn0'), root: '/elsewhere' }), null);
    assert.deepEqual(matchRank(hits, { ...ref('src/f0.ts', 10, 'fn0'), root: '/elsewhere' }, [ROOT]), { rank: 3, match: 'exact' });
  });

  it('reports MRR then and now, ranks now, gone results and "nothing relevant" now, per period', async () => {
    const s1 = search(at('2026-03-02', 9), { query: 'parse' });
    const s2 = search(at('2026-03-02', 10), { query: 'fetch' });
    const s3 = search(at('2026-03-03', 9), { query: 'parse' }); // same query: run once
    const s4 = search(at('2026-03-03', 10), { query: 'nothing here', scores: [] });
    const sim = search(at('2026-03-03', 11), { query: 'function x() {}', source: 'findSimilar' });
    const events: LogEvent[] = [s1, s2, s3, s4, sim, open(s1, 1), open(s2, 2), open(s3, 3)];
    const calls: string[] = [];
    const now: Record<string, { hits: ReplayHit[]; noRelevant: boolean }> = {
      parse: { hits: [hit('src/f2.ts', 12, 'fn2', 0.9), hit('src/f0.ts', 11, 'fn0', 0.6)], noRelevant: false },
      fetch: { hits: [hit('z.ts', 1, 'z', 0.2)], noRelevant: true },
      'nothing here': { hits: [hit('y.ts', 1, 'y', 0.1)], noRelevant: true },
    };
    const r = await replayLog(events, async (q, k) => { calls.push(q); assert.equal(k, 10); return { ...now[q], mode: 'hybrid' }; },
      { exists: (c) => c.file !== 'src/f1.ts' });
    assert.deepEqual(calls, ['parse', 'fetch', 'nothing here']);
    assert.equal(r.replayed, 4);
    assert.deepEqual(r.skipped, { findSimilar: 1, partial: 0, older: 0 });
    const by = Object.fromEntries(r.searches.map((s) => [s.id, s]));
    assert.deepEqual([by[s1.id].rankNow, by[s1.id].match], [2, 'moved']); // fn0 moved from line 10 to 11
    assert.deepEqual([by[s2.id].rankNow, by[s2.id].gone], [null, true]); // f1.ts no longer exists
    assert.deepEqual([by[s3.id].rankNow, by[s3.id].match], [1, 'exact']); // fn2 at line 12
    assert.equal(r.total.opened, 3);
    assert.equal(r.total.mrr10Then, Math.round(((1 + 1 / 2 + 1 / 3) / 3) * 1000) / 1000);
    assert.equal(r.total.mrr10Now, Math.round(((1 / 2 + 0 + 1) / 3) * 1000) / 1000);
    assert.deepEqual(r.total.openedRanksNow, [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    assert.equal(r.total.gone, 1);
    assert.equal(r.total.noRelevantRateThen, 0.25);
    assert.equal(r.total.noRelevantRateNow, 0.5);
    assert.deepEqual(r.periods.map((p) => [p.start, p.searches, p.opened]), [['2026-03-02', 2, 2], ['2026-03-03', 2, 1]]);
    assert.deepEqual(r.summary, { replayed: 3, mrr10Then: r.total.mrr10Then, mrr10Now: r.total.mrr10Now, gone: 1 });
  });

  it('replays only the most recent searches beyond the limit', async () => {
    const events = Array.from({ length: 5 }, (_, i) => search(at('2026-03-02', 9 + i), { query: `q${i}` }));
    const seen: string[] = [];
    const r = await replayLog(events, async (q) => { seen.push(q); return { hits: [], noRelevant: true, mode: 'keyword' }; }, { maxSearches: 2 });
    assert.deepEqual(seen, ['q3', 'q4']);
    assert.equal(r.skipped.older, 3);
  });
});

describe('sift eval --feedback', function () {
  this.timeout(120000);
  const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');
  let root: string;
  let indexDir: string;
  let events: LogEvent[];
  let model: TestModel;

  before(() => { model = buildTestModel({ parentDir: fs.mkdtempSync(path.join(os.tmpdir(), 'sift-health-model-')) }); });
  after(() => model.cleanup());
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-health-ws-'));
    indexDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sift-health-idx-')), 'index');
    fs.mkdirSync(path.join(root, 'src'));
    fs.writeFileSync(path.join(root, 'src', 'retry.ts'), '/** Retry a failing call with exponential backoff. */\nexport async function retryWithBackoff(fn: () => Promise<void>, attempts = 3) {\n  for (let i = 0; i < attempts; i++) {\n    try { return await fn(); } catch { await new Promise((r) => setTimeout(r, 2 ** i * 100)); }\n  }\n}\n');
    // parseDuration moved down two lines since it was opened (the log says line 2)
    fs.writeFileSync(path.join(root, 'src', 'duration.ts'), '// time helpers\n\n/** Parse a duration like "5m" into milliseconds. */\nexport function parseDuration(s: string): number {\n  const m = /^(\\d+)(ms|s|m|h)$/.exec(s);\n  if (!m) throw new Error(`bad duration ${s}`);\n  return Number(m[1]) * ({ ms: 1, s: 1e3, m: 6e4, h: 3.6e6 } as Record<string, number>)[m[2]];\n}\n');
    fs.writeFileSync(path.join(root, 'src', 'cache.ts'), '/** Drop cache entries older than the time to live. */\nexport function evictExpired(cache: Map<string, { at: number }>, ttlMs: number): void {\n  for (const [k, v] of cache) if (Date.now() - v.at > ttlMs) cache.delete(k);\n}\n');
    fs.writeFileSync(path.join(root, 'src', 'rechnung.py'), 'def berechne_rechnungsbetrag(rechnung, steuersatz):\n    """Berechnet den Gesamtbetrag der Rechnung mit Mehrwertsteuer."""\n    summe = sum(posten.preis * posten.menge for posten in rechnung.positionen)\n    return summe * (1 + steuersatz)\n');
    const r = (file: string, line: number, name: string, rank: number, score: number) => ({ root, file, line, name, rank, kind: 'function' as const, score });
    const s1 = search('2026-03-02T12:00:00.000Z', { query: 'retry with backoff' });
    s1.results = [r('src/retry.ts', 2, 'retryWithBackoff', 1, 0.9)];
    const s2 = search('2026-03-02T12:10:00.000Z', { query: 'parse duration' });
    s2.results = [r('src/cache.ts', 2, 'evictExpired', 1, 0.4), r('src/duration.ts', 2, 'parseDuration', 2, 0.35)];
    const s3 = search('2026-03-03T12:00:00.000Z', { query: 'delete old cache entries' });
    s3.results = [r('src/old.ts', 5, 'deleteOldCache', 1, 0.7)];
    const s4 = search('2026-03-03T12:10:00.000Z', { query: 'render a pie chart of quarterly revenue', scores: [] });
    const s5 = search('2026-03-03T12:20:00.000Z', { query: 'retryWithBackoff', source: 'cli' });
    s5.results = [r('src/retry.ts', 2, 'retryWithBackoff', 1, 0.95)];
    events = [s1, s2, s3, s4, s5, open(s1, 1), open(s2, 2), open(s3, 1), open(s5, 1)];
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(path.dirname(indexDir), { recursive: true, force: true });
  });

  it('replays the logged opens through the real engine and model: ranks now, moved and gone results, coverage, drift', async () => {
    const logs: string[] = [];
    const a = parseArgs(['eval', '--feedback', '--root', root, '--index-dir', indexDir, '--model', model.dir]);
    const res = await feedbackEval(a, { readLog: async () => ({ events, corrupt: 0 }), warn: (m) => logs.push(m) });
    assert.equal(res.mode, 'hybrid');
    assert.equal(res.logDir, path.join(indexDir, 'log'));
    assert.equal(res.health.bucket, 'day');
    assert.equal(res.health.total.searches, 5);
    assert.equal(res.health.total.mrr10, Math.round(((1 + 0.5 + 1 + 1) / 4) * 1000) / 1000);
    assert.equal(res.health.total.noRelevantRate, 0.2);
    const by = Object.fromEntries(res.replay.searches.map((s) => [s.query, s]));
    assert.deepEqual([by['retry with backoff'].rankNow, by['retry with backoff'].match], [1, 'exact']);
    assert.equal(by['parse duration'].match, 'moved');
    assert.ok(by['parse duration'].rankNow! >= 1);
    assert.deepEqual([by['delete old cache entries'].rankNow, by['delete old cache entries'].gone], [null, true]);
    assert.equal(by.retryWithBackoff.rankNow, 1);
    assert.equal(res.replay.total.gone, 1);
    assert.equal(res.replay.periods.length, 2);
    // coverage with the test model's tiny vocabulary: computed per language, the German names worst
    assert.ok(res.coverage, 'coverage computed with the model\'s tokenizer');
    assert.ok(res.coverage!.byLanguage.python.share! < res.coverage!.byLanguage.typescript.share!, JSON.stringify(res.coverage!.byLanguage));
    assert.ok(res.drift.checks.some((c) => c.metric === 'vocabularyCoverage'));
    const text = formatFeedbackEval(res);
    assert.match(text, /MRR@10 then → now/);
    assert.match(text, /^all\s+5\s+80 %\s+0\.88 → /m);
    assert.match(text, /1 opened results no longer in the index/);
    assert.match(text, /vocabulary: the model knows \d+ %/);
  });

  it('reads the query log under the index folder, prints JSON, and says so when nothing is logged', async function () {
    if (!fs.existsSync(CLI)) this.skip(); // built by `npm test` before the unit tests
    const sift = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    const empty = sift(['eval', '--feedback', '--no-model', '--root', root, '--index-dir', indexDir]);
    assert.equal(empty.status, 0, empty.stderr);
    assert.match(empty.stdout, /no searches logged in .*log/);
    const log = new QueryLog(path.join(indexDir, 'log'));
    for (const e of events) log.append(e);
    await log.close();
    const j = sift(['eval', '--feedback', '--no-model', '--root', root, '--index-dir', indexDir, '--json']);
    assert.equal(j.status, 0, j.stderr);
    const out = JSON.parse(j.stdout);
    assert.equal(out.mode, 'keyword');
    assert.equal(out.health.total.searches, 5);
    assert.equal(out.replay.total.opened, 4);
    assert.equal(out.replay.total.gone, 1);
    assert.equal(out.replay.searches, undefined);
    assert.equal(out.coverage, null);
    assert.ok(Array.isArray(out.drift.warnings));
    const text = sift(['eval', '--feedback', '--no-model', '--root', root, '--index-dir', indexDir, '--bucket', 'week']);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /by week/);
    assert.match(text.stdout, /drift: the last 7 days/);
    const bad = sift(['eval', '--feedback', '--bucket', 'month', '--no-model', '--root', root, '--index-dir', indexDir]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--bucket must be day, week or auto/);
  });
});

describe('search health view HTML', () => {
  const NONCE = 'AbCdEf0123456789XyZ';
  const events = history('2026-03-31', 35, 10, (d, i) => (d >= 28 ? degraded(d, i) : healthy(d, i)));
  const adaptations = [
    { ts: at('2026-03-10'), kind: 'clicks' as const, kept: true, reason: 'held-out MRR@10 up', before: 0.6, after: 0.66, examples: 120 },
    { ts: at('2026-03-20'), kind: 'zero-click' as const, kept: false, reason: '<script>alert(1)</script>', before: 0.66, after: 0.6 },
  ];
  const exp = shippedExpectations();
  const vm = (commands: string[], evs: LogEvent[] = events): HealthViewModel => {
    const health = computeHealth(evs, {}, adaptations);
    return {
      title: 'ws <img src=x onerror=alert(1)>', health, drift: detectDrift({ events: evs, expectations: exp, adaptations }), coverage: null, replay: null,
      expected: exp.measured!.modes.hybrid, threshold: 0.25, commands, corruptLines: 2, logDir: '/tmp/log',
    };
  };

  it('is one page with a strict policy: nothing loaded, style and script by nonce, log text escaped', () => {
    const html = renderHealthHtml(vm(['sift.reindex']), { nonce: NONCE });
    const csp = /Content-Security-Policy" content="([^"]+)"/.exec(html)![1].replace(/&#39;/g, "'");
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, new RegExp(`script-src 'nonce-${NONCE}'`));
    assert.match(csp, new RegExp(`style-src 'nonce-${NONCE}'`));
    assert.doesNotMatch(html, /<[^>]*\s(src|href|style)=/); // no attribute loads anything or styles inline
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.doesNotMatch(html, /<img|<script>alert/);
    assert.match(html, /ws &lt;img src=x onerror=alert\(1\)&gt;/);
    assert.throws(() => renderHealthHtml(vm([]), { nonce: 'short' }));
  });

  it('shows the numbers, a plot over time with adaptations marked, the charts and the drift with remedies', () => {
    const html = renderHealthHtml(vm(['sift.reindex']), { nonce: NONCE });
    assert.match(html, /data-testid="health-searches"><div class="tile-value">350</);
    assert.match(html, /data-testid="health-plot"/);
    assert.equal((html.match(/<path class="line /g) ?? []).length, 4);
    assert.match(html, /class="adapt-kept"/);
    assert.match(html, /class="adapt-refused"/);
    assert.match(html, /data-testid="health-ranks"/);
    assert.match(html, /data-testid="health-scores"/);
    assert.match(html, /data-testid="health-warning" data-metric="noRelevantRate"/);
    // one card per metric, however many bases fired
    assert.equal((html.match(/data-metric="noRelevantRate"/g) ?? []).length, 1);
    // sift.reindex exists: a button; sift.adapt does not (yet): the command line instead
    assert.match(html, /<button type="button" data-command="sift\.reindex"/);
    assert.doesNotMatch(html, /data-command="sift\.adapt"/);
    assert.match(html, /<span class="cli" title="In a terminal">sift adapt<\/span>/);
    assert.match(renderHealthHtml(vm(['sift.reindex', 'sift.adapt']), { nonce: NONCE }), /data-command="sift\.adapt"/);
    assert.match(html, /data-testid="health-adaptations"/);
    assert.match(html, /2 unreadable log lines skipped/);
  });

  it('says how to get numbers when nothing is logged', () => {
    const html = renderHealthHtml(vm([], []), { nonce: NONCE });
    assert.match(html, /data-testid="health-empty"/);
    assert.match(html, /Too few searches to judge yet/);
  });

  it('accepts only "run a sift command" messages from the page', () => {
    assert.deepEqual(parseHealthMessage({ type: 'run', command: 'sift.reindex' }), { type: 'run', command: 'sift.reindex' });
    for (const bad of [null, 'x', { type: 'run', command: 'workbench.action.terminal.new' }, { type: 'run', command: 'sift.a; b' }, { type: 'open', command: 'sift.reindex' }]) {
      assert.equal(parseHealthMessage(bad), null);
    }
  });
});
