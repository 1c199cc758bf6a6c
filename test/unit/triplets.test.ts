import * as assert from 'node:assert/strict';
import { extractTriplets, implicitSignals, TRIPLET_DEFAULTS } from '../../src/core/learn/triplets';
import type { ChunkRef, DwellEvent, EventSource, LogEvent, OpenEvent, SearchEvent } from '../../src/core/learn/types';

const T0 = Date.UTC(2024, 4, 1, 9, 0, 0);
const at = (sec: number) => new Date(T0 + sec * 1000).toISOString();

const chunk = (name: string): ChunkRef => ({ root: '/ws', file: `src/${name}.ts`, line: 1, name });

/** A search at second `sec` showing the named chunks in order. */
function search(id: string, sec: number, query: string, names: string[], source: EventSource = 'quickPick'): SearchEvent {
  return {
    t: 'search', id, ts: at(sec), source, query, mode: 'hybrid',
    results: names.map((n, i) => ({ ...chunk(n), rank: i + 1, kind: 'function' as const, score: 0.9 - 0.05 * i })),
    answerSize: names.length, noRelevant: false, showWeak: false, partial: false, latencyMs: 10,
  };
}

function open(s: SearchEvent, rank: number, sec: number): OpenEvent {
  const r = s.results[rank - 1];
  return { t: 'open', ts: at(sec), searchId: s.id, source: s.source, rank, ref: { root: r.root, file: r.file, line: r.line, name: r.name } };
}

function dwell(s: SearchEvent, rank: number, sec: number, ms: number): DwellEvent {
  return { t: 'dwell', ts: at(sec), searchId: s.id, rank, ms };
}

const names = (refs: ChunkRef[]) => refs.map((r) => r.name);
const FIVE = ['a', 'b', 'c', 'd', 'e'];

describe('training triplets from the query log', () => {
  it('an opened result is the positive; skipped ones above are hard negatives, the ones below shown negatives', () => {
    const s = search('s1', 0, 'parse retry header', FIVE);
    const ts = extractTriplets([s, open(s, 3, 4), dwell(s, 3, 60, 40_000)]);
    assert.equal(ts.length, 1);
    const t = ts[0];
    assert.equal(t.query, 'parse retry header');
    assert.equal(t.searchId, 's1');
    assert.equal(t.positive.name, 'c');
    assert.deepEqual(names(t.hard), ['a', 'b']);
    assert.deepEqual(names(t.shown), ['d', 'e']);
    assert.equal(t.weight, 1, 'a long stay is trusted fully');
    assert.equal(t.via, 'open');
    assert.equal(t.source, 'quickPick');
  });

  it('the top result opened has no hard negatives', () => {
    const s = search('s1', 0, 'q', FIVE);
    const [t] = extractTriplets([s, open(s, 1, 2), dwell(s, 1, 40, 35_000)]);
    assert.deepEqual(names(t.hard), []);
    assert.deepEqual(names(t.shown), ['b', 'c', 'd', 'e']);
  });

  describe('dwell', () => {
    it('drops an open whose stay is shorter than the bounce threshold (configurable)', () => {
      const s = search('s1', 0, 'q', FIVE);
      const events = [s, open(s, 2, 3), dwell(s, 2, 6, 3_000)];
      assert.deepEqual(extractTriplets(events), []);
      const lenient = extractTriplets(events, { bounceMs: 2_000 });
      assert.equal(lenient.length, 1);
      assert.equal(lenient[0].positive.name, 'b');
    });

    it('trusts a longer stay more: bounce < short stay < long stay, unknown in between', () => {
      const weightFor = (ms: number | null) => {
        const s = search('s1', 0, 'q', FIVE);
        const events: LogEvent[] = [s, open(s, 2, 3)];
        if (ms !== null) events.push(dwell(s, 2, 3 + ms / 1000, ms));
        return extractTriplets(events)[0]?.weight ?? 0;
      };
      const short = weightFor(6_000);
      const medium = weightFor(15_000);
      const long = weightFor(60_000);
      const unknown = weightFor(null);
      assert.equal(weightFor(4_000), 0);
      assert.ok(short > 0 && short < medium && medium < long, `${short} < ${medium} < ${long}`);
      assert.equal(long, 1);
      assert.equal(unknown, TRIPLET_DEFAULTS.unknownDwellWeight);
    });

    it('adds up the stays of repeated opens of one result', () => {
      const s = search('s1', 0, 'q', FIVE);
      const sig = implicitSignals([s, open(s, 2, 1), dwell(s, 2, 4, 3_000), open(s, 2, 10), dwell(s, 2, 14, 4_000)]);
      assert.equal(sig[0].opens.length, 1);
      assert.equal(sig[0].opens[0].count, 2);
      assert.equal(sig[0].opens[0].dwellMs, 7_000);
      assert.equal(sig[0].opens[0].bounced, false);
    });
  });

  describe('a later open of another result', () => {
    it('lowers the earlier open\'s weight, keeps the later one, and neither is a negative of the other', () => {
      const s = search('s1', 0, 'q', FIVE, 'sidebar');
      const events = [s, open(s, 1, 2), dwell(s, 1, 30, 25_000), open(s, 4, 31), dwell(s, 4, 90, 50_000)];
      const ts = extractTriplets(events);
      assert.equal(ts.length, 2);
      const first = ts.find((t) => t.positive.name === 'a')!;
      const later = ts.find((t) => t.positive.name === 'd')!;
      assert.equal(later.weight, 1);
      const alone = extractTriplets([s, open(s, 1, 2), dwell(s, 1, 30, 25_000)])[0];
      assert.ok(Math.abs(first.weight - alone.weight * TRIPLET_DEFAULTS.laterOpenFactor) < 1e-12, `${first.weight} vs ${alone.weight}`);
      assert.deepEqual(names(later.hard), ['b', 'c'], 'the opened "a" is not a hard negative of "d"');
      assert.deepEqual(names(first.shown), ['b', 'c', 'e'], 'the opened "d" is not a negative of "a"');
    });

    it('orders by time, not by rank', () => {
      const s = search('s1', 0, 'q', FIVE, 'sidebar');
      const ts = extractTriplets([s, open(s, 4, 2), dwell(s, 4, 40, 40_000), open(s, 1, 41), dwell(s, 1, 90, 40_000)], { laterOpenFactor: 0.25 });
      assert.equal(ts.find((t) => t.positive.name === 'd')!.weight, 0.25);
      assert.equal(ts.find((t) => t.positive.name === 'a')!.weight, 1);
    });
  });

  describe('a re-query within seconds', () => {
    const failed = search('s1', 0, 'rate limit header', ['x', 'y', 'z']);
    const better = search('s2', 6, 'parse Retry-After', ['y', 'w', 'v']);
    const events = [failed, better, open(better, 2, 9), dwell(better, 2, 50, 40_000)];

    it('is seen by implicitSignals: no open, a different query soon after on the same surface', () => {
      const sig = implicitSignals(events);
      assert.deepEqual(sig.map((s) => s.search.id), ['s1', 's2']);
      assert.equal(sig[0].requeried, true);
      assert.deepEqual(sig[0].next, { id: 's2', afterMs: 6000, sameQuery: false });
      assert.deepEqual(sig[0].openedRanks, []);
      assert.equal(sig[1].requeried, false);
      assert.deepEqual(sig[1].openedRanks, [2]);
      assert.equal(sig[1].opens[0].dwellMs, 40_000);
    });

    it('is not a re-query when it comes after the window, repeats the query, or is on another surface', () => {
      assert.equal(implicitSignals(events, { requeryWindowMs: 5_000 })[0].requeried, false);
      const same = search('s2', 6, '  Rate limit  HEADER ', ['x']);
      assert.equal(implicitSignals([failed, same])[0].requeried, false);
      const cli = { ...better, source: 'cli' as const };
      assert.equal(implicitSignals([failed, cli])[0].requeried, false);
      assert.equal(implicitSignals([failed, { ...better, source: 'sidebar' as const }])[0].requeried, true, 'quick pick and sidebar are one surface');
    });

    it('counts a search whose only open bounced as given up', () => {
      const sig = implicitSignals([failed, open(failed, 1, 1), dwell(failed, 1, 3, 1_500), better]);
      assert.equal(sig[0].requeried, true);
      assert.deepEqual(sig[0].openedRanks, [1]);
      assert.equal(sig[0].opens[0].bounced, true);
      assert.deepEqual(sig[0].next, { id: 's2', afterMs: 3000, sameQuery: false }, 'measured from the last activity');
    });

    it('keeps the later query\'s triplet at full weight and gives the failed query a weak one with its results as negatives', () => {
      const ts = extractTriplets(events);
      const later = ts.find((t) => t.searchId === 's2')!;
      assert.equal(later.weight, 1);
      assert.equal(later.via, 'open');
      const weak = ts.find((t) => t.searchId === 's1')!;
      assert.equal(weak.via, 'requery');
      assert.equal(weak.query, 'rate limit header');
      assert.equal(weak.positive.name, 'w');
      assert.equal(weak.weight, TRIPLET_DEFAULTS.reformulationWeight);
      assert.deepEqual(names(weak.hard), [], 'the positive was not shown: nothing was ranked above it');
      assert.deepEqual(names(weak.shown), ['x', 'y', 'z']);
      assert.deepEqual(extractTriplets(events, { reformulationWeight: 0 }).map((t) => t.searchId), ['s2']);
    });

    it('ranks the failed search\'s results above the positive as hard negatives when it showed the positive too', () => {
      const f = search('s1', 0, 'q one', ['x', 'y', 'w', 'z']);
      const weak = extractTriplets([f, better, open(better, 2, 9), dwell(better, 2, 50, 40_000)]).find((t) => t.searchId === 's1')!;
      assert.deepEqual(names(weak.hard), ['x', 'y']);
      assert.deepEqual(names(weak.shown), ['z']);
    });

    it('follows a chain of failed queries; a failed query with no later open gives nothing', () => {
      const a = search('a', 0, 'first try', ['x']);
      const b = search('b', 5, 'second try', ['y']);
      const c = search('c', 10, 'third try', ['w']);
      const chain = extractTriplets([a, b, c, open(c, 1, 12), dwell(c, 1, 60, 45_000)]);
      assert.deepEqual(chain.map((t) => [t.searchId, t.positive.name, t.via]), [['a', 'w', 'requery'], ['b', 'w', 'requery'], ['c', 'w', 'open']]);
      assert.deepEqual(extractTriplets([a, b]), []);
    });
  });

  describe('noise guards', () => {
    it('caps repeats of one (query, positive) pair, keeping the most recent', () => {
      const events: LogEvent[] = [];
      for (let i = 0; i < 6; i++) {
        const s = search(`s${i}`, i * 100, i % 2 ? 'Retry backoff' : 'retry  backoff', FIVE);
        events.push(s, open(s, 2, i * 100 + 2), dwell(s, 2, i * 100 + 40, 40_000));
      }
      const other = search('other', 1000, 'retry backoff', FIVE);
      events.push(other, open(other, 3, 1002), dwell(other, 3, 1040, 40_000));
      const ts = extractTriplets(events);
      assert.deepEqual(ts.map((t) => t.searchId), ['s3', 's4', 's5', 'other']);
      assert.equal(extractTriplets(events, { maxRepeats: 1 }).length, 2);
      assert.equal(extractTriplets(events, { maxRepeats: 10 }).length, 7);
    });

    it('ignores opens of searches missing from the log, empty queries and searches logged twice', () => {
      const s = search('s1', 0, 'q', FIVE);
      const orphan: OpenEvent = { ...open(s, 1, 2), searchId: 'gone' };
      const empty = search('s2', 100, '   ', FIVE);
      const ts = extractTriplets([s, s, orphan, open(s, 2, 3), dwell(s, 2, 40, 40_000), empty, open(empty, 1, 101)]);
      assert.deepEqual(ts.map((t) => [t.searchId, t.positive.name]), [['s1', 'b']]);
      assert.equal(implicitSignals([s, s]).length, 1);
    });

    it('keeps only the sources asked for', () => {
      const a = search('a', 0, 'q', FIVE, 'quickPick');
      const b = search('b', 100, 'r', FIVE, 'findSimilar');
      const events = [a, open(a, 1, 1), b, open(b, 1, 101)];
      assert.deepEqual(extractTriplets(events).map((t) => t.searchId), ['a', 'b']);
      assert.deepEqual(extractTriplets(events, { sources: ['findSimilar'] }).map((t) => t.searchId), ['b']);
    });
  });

  it('is a pure function of the events (same input, same output; input order of searches does not matter)', () => {
    const s1 = search('s1', 0, 'q1', FIVE);
    const s2 = search('s2', 100, 'q2', FIVE);
    const events: LogEvent[] = [s1, open(s1, 2, 2), dwell(s1, 2, 30, 20_000), s2, open(s2, 5, 102)];
    const copy = JSON.parse(JSON.stringify(events));
    const a = extractTriplets(events);
    assert.deepEqual(events, copy, 'events untouched');
    assert.deepEqual(extractTriplets([...events].reverse()), a);
    assert.ok(a.every((t) => t.weight > 0));
  });
});
