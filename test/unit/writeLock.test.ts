// One writer per index: the write lock file, its holder, stale takeover.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireWriteLock, readHolder, tryAcquireWriteLock, WRITE_LOCK_FILE, WriteLockHeldError } from '../../src/core/persist/writeLock';

/** Node with TypeScript support, in one process (a tsx wrapper would put the lock holder in a child). */
const TS_NODE = [process.execPath, '--import', 'tsx'];
const ROOT = path.join(__dirname, '..', '..');
const LOCK_MODULE = path.join(__dirname, '..', '..', 'src', 'core', 'persist', 'writeLock.ts');

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

/** Another process holding the lock of `dir` until killed; resolves once it holds it. */
function holderProcess(dir: string): Promise<ChildProcess> {
  const script = `const { acquireWriteLock } = require(${JSON.stringify(LOCK_MODULE)}); acquireWriteLock(${JSON.stringify(dir)}); console.log('held'); setInterval(() => {}, 1000);`;
  const child = spawn(TS_NODE[0], [...TS_NODE.slice(1), '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('held')) resolve(child); });
    child.on('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => { if (child.exitCode !== null || child.signalCode !== null) resolve(); else child.on('exit', () => resolve()); });
}

describe('write lock', function () {
  this.timeout(30000);
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-lock-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes pid, host name and start time, and removes the file on release', () => {
    const lock = acquireWriteLock(dir);
    const h = readHolder(path.join(dir, WRITE_LOCK_FILE));
    assert.equal(h?.pid, process.pid);
    assert.equal(h?.hostname, os.hostname());
    assert.ok(!Number.isNaN(Date.parse(h!.startedAt)));
    lock.release();
    assert.equal(fs.existsSync(path.join(dir, WRITE_LOCK_FILE)), false);
  });

  it('is re-entrant within a process: the file stays until the last release', () => {
    const a = acquireWriteLock(dir);
    const b = acquireWriteLock(dir);
    a.release();
    a.release(); // a second release of the same handle changes nothing
    assert.ok(fs.existsSync(path.join(dir, WRITE_LOCK_FILE)));
    b.release();
    assert.equal(fs.existsSync(path.join(dir, WRITE_LOCK_FILE)), false);
  });

  it('refuses a lock held by a live process, naming it, then takes it over once that process is killed', async () => {
    const child = await holderProcess(dir);
    try {
      assert.throws(() => acquireWriteLock(dir), (e: unknown) => {
        assert.ok(e instanceof WriteLockHeldError);
        assert.match(e.message, new RegExp(`held by process ${child.pid} on `));
        assert.match(e.message, /write\.lock/);
        return true;
      });
      assert.equal(tryAcquireWriteLock(dir), null);
    } finally {
      child.kill('SIGKILL');
    }
    await exited(child);
    assert.equal(readHolder(path.join(dir, WRITE_LOCK_FILE))?.pid, child.pid, 'a killed process leaves its lock behind');
    const lock = acquireWriteLock(dir);
    assert.equal(readHolder(path.join(dir, WRITE_LOCK_FILE))?.pid, process.pid);
    lock.release();
  });

  it('takes over a lock whose pid is dead on this host, and leaves no guard file', () => {
    const file = path.join(dir, WRITE_LOCK_FILE);
    fs.writeFileSync(file, JSON.stringify({ pid: deadPid(), hostname: os.hostname(), startedAt: '2020-01-01T00:00:00.000Z' }));
    const lock = tryAcquireWriteLock(dir);
    assert.ok(lock);
    assert.equal(readHolder(file)?.pid, process.pid);
    assert.deepEqual(fs.readdirSync(dir), [WRITE_LOCK_FILE]);
    lock.release();
  });

  it('does not take over a lock held on another host', () => {
    const file = path.join(dir, WRITE_LOCK_FILE);
    fs.writeFileSync(file, JSON.stringify({ pid: deadPid(), hostname: `not-${os.hostname()}`, startedAt: '2020-01-01T00:00:00.000Z' }));
    assert.throws(() => acquireWriteLock(dir), /on not-/);
  });

  it('a lock being written (unreadable) is reported as held, not taken', () => {
    fs.writeFileSync(path.join(dir, WRITE_LOCK_FILE), '');
    assert.throws(() => acquireWriteLock(dir), /being taken by another process/);
    assert.equal(fs.readFileSync(path.join(dir, WRITE_LOCK_FILE), 'utf8'), '');
  });

  it('release does not remove a lock another process has since taken', () => {
    const lock = acquireWriteLock(dir);
    const other = { pid: process.pid + 1, hostname: 'elsewhere', startedAt: new Date().toISOString() };
    fs.writeFileSync(path.join(dir, WRITE_LOCK_FILE), JSON.stringify(other));
    lock.release();
    assert.deepEqual(readHolder(path.join(dir, WRITE_LOCK_FILE)), other);
  });

  it('is released when the process exits', () => {
    const script = `const { acquireWriteLock } = require(${JSON.stringify(LOCK_MODULE)}); acquireWriteLock(${JSON.stringify(dir)}); process.exit(0);`;
    const r = spawnSync(TS_NODE[0], [...TS_NODE.slice(1), '-e', script], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fs.existsSync(path.join(dir, WRITE_LOCK_FILE)), false);
  });
});
