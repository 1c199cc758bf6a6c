// One writer per index: a lock file (`write.lock` in the index folder) holding
// the writer's pid, host name and start time, created with open(…, 'wx') so
// two processes cannot both create it. A lock left by a process that died on
// this host (kill(pid, 0) → ESRCH) is stale and is taken over: under a guard
// file named after that dead holder, so of several processes finding the same
// stale lock exactly one replaces it. Locks are re-entrant within a process
// (counted) and released when the process exits.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const WRITE_LOCK_FILE = 'write.lock';

export interface LockHolder {
  pid: number;
  hostname: string;
  /** ISO time the holder took the lock. */
  startedAt: string;
}

export class WriteLockHeldError extends Error {
  constructor(readonly lockFile: string, readonly holder: LockHolder | null) {
    super(holder
      ? `${lockFile} is held by process ${holder.pid} on ${holder.hostname} (since ${holder.startedAt}): another sift process (sift serve, sift mcp or the editor) is writing this index; `
        + `stop it, or delete ${lockFile} if no such process runs`
      : `${lockFile} is being taken by another process; try again`);
    this.name = 'WriteLockHeldError';
  }
}

export interface WriteLock {
  readonly file: string;
  readonly holder: LockHolder;
  /** Give the lock back (once per acquire; the file goes when the last holder in this process releases). */
  release(): void;
}

interface Held { holder: LockHolder; count: number }
/** Lock files this process holds, by absolute path. */
const held = new Map<string, Held>();
let exitHookInstalled = false;

/** Take the index folder's write lock; throws WriteLockHeldError naming the holder when a live process has it. */
export function acquireWriteLock(indexDir: string): WriteLock {
  return acquireLockFile(path.join(indexDir, WRITE_LOCK_FILE));
}

/** The index folder's write lock, or null when a live process holds it. */
export function tryAcquireWriteLock(indexDir: string): WriteLock | null {
  try {
    return acquireWriteLock(indexDir);
  } catch (e) {
    if (e instanceof WriteLockHeldError) return null;
    throw e;
  }
}

/** The same protocol on any lock file (the folder must exist). */
export function acquireLockFile(file: string): WriteLock {
  const abs = path.resolve(file);
  const mine = held.get(abs);
  if (mine) {
    mine.count++;
    return handle(abs, mine.holder);
  }
  // a stale lock is removed below; one more round then creates ours (or finds the winner's)
  for (let round = 0; round < 3; round++) {
    const holder: LockHolder = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString() };
    if (tryCreate(abs, holder)) {
      held.set(abs, { holder, count: 1 });
      installExitHook();
      return handle(abs, holder);
    }
    const current = readHolder(abs);
    if (current === undefined) continue; // released meanwhile
    if (current === null || !isStale(current)) throw new WriteLockHeldError(abs, current);
    removeStale(abs, current);
  }
  throw new WriteLockHeldError(abs, readHolder(abs) ?? null);
}

/** Who holds a lock file: undefined when there is none, null when it cannot be read (being written). */
export function readHolder(file: string): LockHolder | null | undefined {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    return Number.isInteger(h.pid) && typeof h.hostname === 'string' && typeof h.startedAt === 'string' ? h : null;
  } catch {
    return null;
  }
}

/** A holder on this host whose process is gone (or this process's pid, from an earlier life, not held now). */
export function isStale(h: LockHolder): boolean {
  if (h.hostname !== os.hostname()) return false; // cannot tell: another machine's process
  if (h.pid === process.pid) return true; // not in `held`: a previous process that had our pid
  try {
    process.kill(h.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function tryCreate(file: string, holder: LockHolder): boolean {
  let fd: number;
  try { fd = fs.openSync(file, 'wx', 0o644); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try { fs.writeSync(fd, JSON.stringify(holder) + '\n'); } finally { fs.closeSync(fd); }
  return true;
}

/**
 * Remove a stale lock: only the process that creates the guard named after this dead
 * holder may, and only after reading the same holder again under the guard.
 */
function removeStale(file: string, stale: LockHolder): void {
  const guard = `${file}.${stale.pid}-${Date.parse(stale.startedAt) || 0}.takeover`;
  if (!tryCreate(guard, { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString() })) {
    const g = readHolder(guard);
    if (g && isStale(g)) fs.rmSync(guard, { force: true }); // a taker that died mid-way
    return;
  }
  try {
    const again = readHolder(file);
    if (again && again.pid === stale.pid && again.startedAt === stale.startedAt && again.hostname === stale.hostname) fs.rmSync(file, { force: true });
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

function handle(file: string, holder: LockHolder): WriteLock {
  let released = false;
  return {
    file, holder,
    release() {
      if (released) return;
      released = true;
      const h = held.get(file);
      if (!h || --h.count > 0) return;
      held.delete(file);
      removeIfOurs(file, h.holder);
    },
  };
}

function removeIfOurs(file: string, holder: LockHolder): void {
  try {
    const now = readHolder(file);
    if (now && now.pid === holder.pid && now.startedAt === holder.startedAt) fs.rmSync(file, { force: true });
  } catch { /* the folder is gone: nothing to release */ }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [file, h] of held) removeIfOurs(file, h.holder);
    held.clear();
  });
}
