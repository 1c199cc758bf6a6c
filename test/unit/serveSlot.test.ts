// sift serve's pieces in this process: a warm engine's refreshes and lock, durations.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineSlot } from '../../src/cli/serve/engineSlot';
import { parseDuration } from '../../src/cli/serve/duration';
import { readHolder } from '../../src/core/persist/writeLock';

describe('sift serve engine slot', function () {
  this.timeout(30000);
  let tmp: string;
  let slot: EngineSlot | null = null;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-slot-'));
    fs.mkdirSync(path.join(tmp, 'ws'));
    fs.writeFileSync(path.join(tmp, 'ws', 'a.py'), 'def add(a, b):\n    """Add two numbers."""\n    return a + b\n');
  });
  afterEach(async () => {
    await slot?.close();
    slot = null;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function open(idleMs = 60_000, onClosed = () => undefined): EngineSlot {
    const spec = { roots: [path.join(tmp, 'ws')], indexDir: path.join(tmp, 'index'), runtime: 'auto' as const, model: null };
    return new EngineSlot(spec, { idleMs, log: () => undefined, loadModel: async () => null, onClosed });
  }

  it('coalesces refreshes: callers arriving during a run share the next run, not the running one', async () => {
    slot = open();
    const first = slot.refresh();
    const second = slot.refresh();
    const third = slot.refresh();
    assert.notEqual(first, second);
    assert.equal(second, third);
    const [a, b] = await Promise.all([first, second]);
    assert.equal(a?.files, 1);
    assert.equal(b?.files, 1);
    // with a maximum age, a refresh that just ended is enough
    assert.equal(await slot.refresh(60_000), null);
    assert.notEqual(await slot.refresh(), null);
  });

  it('holds the index write lock once it writes, and gives it back when closed after its idle time', async () => {
    let closed = false;
    slot = open(200, () => { closed = true; });
    await slot.use(() => undefined, async () => slot!.refresh());
    assert.equal(readHolder(path.join(tmp, 'index', 'write.lock'))?.pid, process.pid);
    for (let i = 0; i < 200 && !closed; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(closed);
    assert.equal(fs.existsSync(path.join(tmp, 'index', 'write.lock')), false);
  });

  it('refuses to write an index whose lock another live process holds, naming it', async () => {
    fs.mkdirSync(path.join(tmp, 'index'));
    fs.writeFileSync(path.join(tmp, 'index', 'write.lock'), JSON.stringify({ pid: process.ppid, hostname: os.hostname(), startedAt: new Date().toISOString() }));
    slot = open();
    await assert.rejects(slot.refresh(), new RegExp(`write\\.lock is held by process ${process.ppid} on `));
  });
});

describe('sift serve durations', () => {
  it('reads ms, s, m, h and plain minutes, and refuses anything else clearly', () => {
    assert.equal(parseDuration('idle-timeout', '500ms'), 500);
    assert.equal(parseDuration('idle-timeout', '90s'), 90_000);
    assert.equal(parseDuration('idle-timeout', '30m'), 1_800_000);
    assert.equal(parseDuration('idle-timeout', '2h'), 7_200_000);
    assert.equal(parseDuration('idle-timeout', '5'), 300_000);
    for (const bad of ['0', '-1s', 'soon', '10 days', '']) {
      assert.throws(() => parseDuration('idle-timeout', bad), /--idle-timeout must be a duration such as 500ms/);
    }
  });
});
