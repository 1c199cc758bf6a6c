// What the editor logs: settled searches, opens and stays, on a fake clock.
import * as assert from 'node:assert/strict';
import { SearchRecorder, type Timers } from '../../src/core/learn/recorder';
import type { DwellEvent, LogEvent, OpenEvent, SearchEvent } from '../../src/core/learn/types';
import type { SearchHit, SearchResponse } from '../../src/core/types';

class FakeClock implements Timers {
  t = Date.UTC(2024, 5, 1);
  private jobs: { at: number; fn: () => void; id: number }[] = [];
  private next = 1;
  now = () => this.t;
  set(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.jobs.push({ at: this.t + ms, fn, id });
    return id;
  }
  clear(h: unknown): void { this.jobs = this.jobs.filter((j) => j.id !== h); }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.jobs.sort((a, b) => a.at - b.at);
      const j = this.jobs[0];
      if (!j || j.at > end) break;
      this.jobs.shift();
      this.t = j.at;
      j.fn();
    }
    this.t = end;
  }
}

function hit(name: string): SearchHit {
  return {
    file: `src/${name}.ts`, root: '/ws', startLine: 1, endLine: 9, declLine: 2, name, kind: 'function', language: 'typescript',
    signature: `function ${name}()`, score: 0.8, matchedTerms: [], snippet: '',
  };
}

function response(names: string[], extra: Partial<SearchResponse> = {}): SearchResponse {
  return { mode: 'hybrid', noRelevant: false, hits: names.map(hit), partial: false, tookMs: 7, ...extra };
}

function setup(enabled = { on: true }) {
  const clock = new FakeClock();
  const events: LogEvent[] = [];
  const rec = new SearchRecorder({ sink: { append: (e) => events.push(e) }, enabled: () => enabled.on, now: clock.now, timers: clock });
  return { clock, events, rec };
}

const searches = (events: LogEvent[]) => events.filter((e): e is SearchEvent => e.t === 'search');

describe('search recorder (what the editor logs)', () => {
  it('logs a search once its results stayed on screen for the settle time, not each keystroke', () => {
    const { clock, events, rec } = setup();
    const qp = rec.surface('quickPick');
    for (const q of ['r', 're', 'ret', 'retry']) {
      qp.shown({ query: q, response: response(['a', 'b']), showWeak: false });
      clock.advance(400);
    }
    assert.equal(events.length, 0, 'nothing settled while typing');
    clock.advance(1200);
    assert.equal(events.length, 1);
    const s = searches(events)[0];
    assert.equal(s.query, 'retry');
    assert.equal(s.source, 'quickPick');
    assert.equal(Date.parse(s.ts), clock.t - 1600, 'the time the results were shown');
    assert.deepEqual(s.results.map((r) => [r.rank, r.name, r.line, r.root, r.file, r.kind]), [[1, 'a', 2, '/ws', 'src/a.ts', 'function'], [2, 'b', 2, '/ws', 'src/b.ts', 'function']]);
    assert.equal(s.answerSize, 2);
    assert.equal(s.latencyMs, 7, 'the engine time when the caller gives none');
  });

  it('records noRelevant, showWeak, partial, the mode and the caller\'s latency', () => {
    const { clock, events, rec } = setup();
    const sb = rec.surface('sidebar');
    sb.shown({ query: 'pie chart', response: response(['x'], { noRelevant: true, partial: true, mode: 'keyword' }), showWeak: true, latencyMs: 42.4 });
    clock.advance(2000);
    const s = searches(events)[0];
    assert.deepEqual([s.noRelevant, s.showWeak, s.partial, s.mode, s.answerSize, s.latencyMs], [true, true, true, 'keyword', 0, 42]);
  });

  it('logs the search at once when a result is opened from it, then the open', () => {
    const { clock, events, rec } = setup();
    const qp = rec.surface('quickPick');
    const r = response(['a', 'b', 'c']);
    qp.shown({ query: 'q', response: r, showWeak: false });
    clock.advance(300);
    const ticket = qp.opened(r.hits[2]);
    assert.ok(ticket);
    assert.deepEqual(events.map((e) => e.t), ['search', 'open']);
    const [s, o] = events as [SearchEvent, OpenEvent];
    assert.equal(o.searchId, s.id);
    assert.equal(o.rank, 3);
    assert.deepEqual(o.ref, { root: '/ws', file: 'src/c.ts', line: 2, name: 'c' });
    clock.advance(5000);
    assert.equal(searches(events).length, 1, 'the settle timer does not log it again');
  });

  it('does not log results replaced before they settled or on screen when the surface closed', () => {
    const { clock, events, rec } = setup();
    const qp = rec.surface('quickPick');
    qp.shown({ query: 'half typed', response: response(['a']), showWeak: false });
    clock.advance(1000);
    qp.close();
    clock.advance(5000);
    assert.deepEqual(events, []);
    qp.shown({ query: '   ', response: response([]), showWeak: false });
    clock.advance(5000);
    assert.deepEqual(events, [], 'an empty query is not a search');
  });

  it('logs a refresh with the same query and results once; different results or showWeak again', () => {
    const { clock, events, rec } = setup();
    const sb = rec.surface('sidebar');
    sb.shown({ query: 'q', response: response(['a', 'b']), showWeak: false });
    clock.advance(2000);
    sb.shown({ query: 'q', response: response(['a', 'b']), showWeak: false });
    clock.advance(2000);
    assert.equal(searches(events).length, 1);
    sb.shown({ query: 'q', response: response(['a', 'c']), showWeak: false });
    clock.advance(2000);
    sb.shown({ query: 'q', response: response(['a', 'c']), showWeak: true });
    clock.advance(2000);
    assert.equal(searches(events).length, 3);
  });

  it('measures the stay in the opened file until another editor becomes active', () => {
    const { clock, events, rec } = setup();
    const qp = rec.surface('quickPick');
    const r = response(['a', 'b']);
    qp.shown({ query: 'q', response: r, showWeak: false });
    const ticket = qp.opened(r.hits[1])!;
    clock.advance(200);
    ticket.arrived('/ws/src/b.ts');
    clock.advance(3000);
    rec.activeFileChanged('/ws/src/b.ts'); // the same file again (another split): still there
    clock.advance(9000);
    rec.activeFileChanged('/ws/src/other.ts');
    const d = events.filter((e): e is DwellEvent => e.t === 'dwell');
    assert.equal(d.length, 1);
    assert.deepEqual([d[0].searchId, d[0].rank, d[0].ms], [ticket.searchId, 2, 12_000]);
    rec.activeFileChanged(null);
    assert.equal(events.filter((e) => e.t === 'dwell').length, 1, 'one stay per open');
  });

  it('caps a stay at the dwell cap and ends the previous stay when another result is opened', () => {
    const { clock, events, rec } = setup();
    const sb = rec.surface('sidebar');
    const r = response(['a', 'b']);
    sb.shown({ query: 'q', response: r, showWeak: false });
    sb.opened(r.hits[0])!.arrived('/ws/src/a.ts');
    clock.advance(90_000);
    const capped = events.filter((e): e is DwellEvent => e.t === 'dwell');
    assert.deepEqual(capped.map((d) => d.ms), [60_000]);
    assert.equal(Date.parse(capped[0].ts), Date.UTC(2024, 5, 1) + 60_000);
    sb.opened(r.hits[1])!.arrived('/ws/src/b.ts');
    clock.advance(2_000);
    sb.opened(r.hits[0])!.arrived('/ws/src/a.ts');
    const d = events.filter((e): e is DwellEvent => e.t === 'dwell');
    assert.deepEqual(d.map((x) => [x.rank, x.ms]), [[1, 60_000], [2, 2_000]]);
    rec.dispose();
    assert.equal(events.filter((e) => e.t === 'dwell').length, 3, 'dispose logs the stay in progress');
  });

  it('writes nothing while the setting is off', () => {
    const enabled = { on: false };
    const { clock, events, rec } = setup(enabled);
    const qp = rec.surface('quickPick');
    const r = response(['a']);
    qp.shown({ query: 'q', response: r, showWeak: false });
    clock.advance(5000);
    assert.equal(qp.opened(r.hits[0]), null);
    assert.equal(events.length, 0);
    enabled.on = true;
    qp.shown({ query: 'q', response: r, showWeak: false });
    const t = qp.opened(r.hits[0])!;
    t.arrived('/ws/src/a.ts');
    enabled.on = false;
    clock.advance(10_000);
    rec.activeFileChanged(null);
    assert.deepEqual(events.map((e) => e.t), ['search', 'open'], 'the stay ended while off is not written');
  });

  it('finds an opened hit by location when it is not the very object shown', () => {
    const { events, rec } = setup();
    const qp = rec.surface('findSimilar');
    qp.shown({ query: 'code', response: response(['a', 'b']), showWeak: false });
    assert.equal(qp.opened(hit('b'))!.rank, 2);
    assert.equal(qp.opened(hit('zzz')), null);
    assert.equal((events[1] as OpenEvent).source, 'findSimilar');
  });
});
