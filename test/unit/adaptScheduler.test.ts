import * as assert from 'node:assert/strict';
import type { AdaptationRecord } from '../../src/core/learn/types';
import { AdaptScheduler, type AdaptKind, type AdaptSettings } from '../../src/vscode/adaptScheduler';

function setup(settings: Partial<AdaptSettings> = {}, fail?: (kind: AdaptKind) => Error | null) {
  const s: AdaptSettings = { zeroClick: true, fromFeedback: true, feedbackEvery: 3, ...settings };
  let opens = 0;
  const runs: AdaptKind[] = [];
  const records: string[] = [];
  const errors: string[] = [];
  let release: (() => void) | null = null;
  let hold = false;
  const scheduler = new AdaptScheduler({
    run: async (kind) => {
      runs.push(kind);
      if (hold) await new Promise<void>((r) => { release = r; });
      const err = fail?.(kind);
      if (err) throw err;
      return { ts: new Date(0).toISOString(), kind, kept: false, reason: `${kind} reason` } satisfies AdaptationRecord;
    },
    settings: () => s,
    opens: { get: () => opens, set: (n) => { opens = n; } },
    onRecord: (r, why) => records.push(`${r.kind}: ${why}`),
    onError: (kind, e) => errors.push(`${kind}: ${e.message}`),
  });
  return {
    scheduler, s, runs, records, errors,
    get opens() { return opens; },
    hold: () => { hold = true; },
    release: () => { hold = false; release?.(); release = null; },
  };
}

describe('AdaptScheduler (when the extension adapts on its own)', () => {
  it('adapts zero-click after the first full index of a session, again only after a rebuild', async () => {
    const t = setup();
    t.scheduler.fullIndexDone(false);
    t.scheduler.fullIndexDone(false);
    await t.scheduler.whenIdle();
    assert.deepEqual(t.runs, ['zero-click']);
    t.scheduler.fullIndexDone(true);
    await t.scheduler.whenIdle();
    assert.deepEqual(t.runs, ['zero-click', 'zero-click']);
    assert.deepEqual(t.records, ['zero-click: after the first full index of this session', 'zero-click: after the index was built']);
  });

  it('does nothing zero-click while the setting is off', async () => {
    const t = setup({ zeroClick: false });
    t.scheduler.fullIndexDone(true);
    await t.scheduler.whenIdle();
    assert.deepEqual(t.runs, []);
  });

  it('learns from opens after every N new ones, counting in the store, and not while off', async () => {
    const t = setup({ zeroClick: false, feedbackEvery: 3 });
    t.scheduler.openLogged();
    t.scheduler.openLogged();
    assert.equal(t.opens, 2);
    assert.deepEqual(t.runs, []);
    t.scheduler.openLogged();
    await t.scheduler.whenIdle();
    assert.deepEqual(t.runs, ['clicks']);
    assert.equal(t.opens, 0);
    assert.deepEqual(t.records, ['clicks: after 3 new opened results']);
    t.s.fromFeedback = false;
    for (let i = 0; i < 5; i++) t.scheduler.openLogged();
    await t.scheduler.whenIdle();
    assert.deepEqual(t.runs, ['clicks']);
    assert.equal(t.opens, 0);
  });

  it('runs one attempt at a time and queues a kind once', async () => {
    const t = setup({ feedbackEvery: 1 });
    t.hold();
    t.scheduler.fullIndexDone(false);
    t.scheduler.openLogged();
    t.scheduler.openLogged();
    t.scheduler.openLogged();
    assert.deepEqual(t.runs, ['zero-click'], 'the rest waits for the running attempt');
    t.release();
    await t.scheduler.whenIdle();
    assert.deepEqual(t.runs, ['zero-click', 'clicks']);
  });

  it('reports failures to onError and carries on', async () => {
    const t = setup({ feedbackEvery: 1 }, (kind) => (kind === 'zero-click' ? new Error('worker gone') : null));
    t.scheduler.fullIndexDone(false);
    t.scheduler.openLogged();
    await t.scheduler.whenIdle();
    assert.deepEqual(t.errors, ['zero-click: worker gone']);
    assert.deepEqual(t.records, ['clicks: after 1 new opened result']);
  });

  it('stops queueing once disposed', async () => {
    const t = setup({ feedbackEvery: 1 });
    t.scheduler.dispose();
    t.scheduler.fullIndexDone(true);
    t.scheduler.openLogged();
    await t.scheduler.whenIdle();
    assert.deepEqual(t.runs, []);
  });
});
