// One warm engine in `sift serve`: opened on first use, holding its index's
// write lock, refreshed one run at a time, closed after its own idle time.
//
// Searches never wait for another search, and never for a refresh of another
// root set. Within this root set a search that asks for a refresh (the
// default) waits for a refresh that starts after it arrived: a run already
// going may have read the folders before the change the caller made, so the
// caller joins the next run, shared by everyone who arrived meanwhile. A
// search without a refresh answers at once from the index as it is (partial
// while a refresh is running, as the engine reports).
import type { Engine } from '../../core/engine';
import type { Embedder } from '../../core/embed/embedder';
import { acquireWriteLock, type WriteLock } from '../../core/persist/writeLock';
import { ensureDir } from '../../core/persist/ensureDir';
import type { IndexProgress, IndexStats } from '../../core/types';
import { openEngineFromSpec } from '../engineOpen';
import { specKey, type EngineSpec } from '../engineSpec';

export type ModelLoader = (spec: EngineSpec, warn: (m: string) => void) => Promise<Embedder | null>;

export interface SlotOptions {
  /** Close the engine after this long without a request. */
  idleMs: number;
  /** The daemon's log. */
  log: (m: string) => void;
  loadModel: ModelLoader;
  /** Called once the slot has closed itself (idle). */
  onClosed: (slot: EngineSlot) => void;
}

export class EngineSlot {
  readonly key: string;
  private readonly engine: Promise<Engine>;
  private lock: WriteLock | null = null;
  private active = 0;
  private running: Promise<IndexStats> | null = null;
  private queued: Promise<IndexStats> | null = null;
  private lastRefreshAt = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;
  private readonly stop = new AbortController();
  /** Warnings go to the requests in flight (and the daemon's log). */
  private readonly sinks = new Set<(m: string) => void>();
  /** Progress of the index run goes to the requests waiting for a refresh that asked for it. */
  private readonly watchers = new Set<(p: IndexProgress) => void>();
  private idleWaiters: Array<() => void> = [];

  /** `after`: what must finish first (the previous engine of this index folder closing). */
  constructor(readonly spec: EngineSpec, private readonly opts: SlotOptions, after: Promise<void> = Promise.resolve()) {
    this.key = specKey(spec);
    this.engine = after.then(() => openEngineFromSpec(spec, (m) => this.warn(m), opts.loadModel));
    this.engine.then(
      (e) => opts.log(`opened ${e.roots.join(', ')} (index ${e.indexDir}, ${e.chunkCount} chunks)`),
      () => { this.openFailed = true; },
    );
  }

  /** The engine could not be opened (a missing folder…): the next request should try afresh. */
  openFailed = false;

  get indexDir(): string { return this.spec.indexDir; }
  get busy(): boolean { return this.active > 0 || this.running !== null || this.queued !== null; }
  get holdsLock(): boolean { return this.lock !== null; }

  private warn(m: string): void {
    this.opts.log(m);
    for (const s of this.sinks) s(m);
  }

  /** Run fn on the engine; warnings meanwhile go to `warn`. */
  async use<T>(warn: (m: string) => void, fn: (engine: Engine) => Promise<T>): Promise<T> {
    if (this.closing) throw new Error('this engine is closing');
    this.active++;
    this.sinks.add(warn);
    this.clearIdle();
    try {
      return await fn(await this.engine);
    } finally {
      this.sinks.delete(warn);
      this.active--;
      this.settle();
    }
  }

  /** A refresh that starts after now; `maxAgeMs`: none when the last one finished more recently; progress to `onProgress` meanwhile. */
  refresh(maxAgeMs?: number, onProgress?: (p: IndexProgress) => void): Promise<IndexStats | null> {
    const p = this.refreshRun(maxAgeMs);
    if (!onProgress) return p;
    this.watchers.add(onProgress);
    const off = () => { this.watchers.delete(onProgress); };
    p.then(off, off);
    return p;
  }

  private refreshRun(maxAgeMs?: number): Promise<IndexStats | null> {
    if (maxAgeMs !== undefined && this.lastRefreshAt && Date.now() - this.lastRefreshAt < maxAgeMs && !this.running) return Promise.resolve(null);
    if (this.queued) return this.queued;
    if (!this.running) return this.startRun();
    const q = this.running.catch(() => undefined).then(() => {
      this.queued = null;
      return this.startRun();
    });
    this.queued = q;
    return q;
  }

  private startRun(): Promise<IndexStats> {
    const run = this.runIndex();
    this.running = run;
    const done = () => {
      if (this.running === run) this.running = null;
      this.settle();
    };
    run.then(done, done);
    return run;
  }

  private async runIndex(): Promise<IndexStats> {
    const engine = await this.engine;
    this.takeLock();
    const stats = await engine.index({ signal: this.stop.signal, onProgress: (p) => { for (const w of this.watchers) w(p); } });
    this.lastRefreshAt = Date.now();
    if (stats.changedFiles || stats.removedFiles) this.opts.log(`refreshed ${engine.roots.join(', ')}: ${stats.changedFiles} new or changed, ${stats.removedFiles} removed files, ${stats.chunks} chunks`);
    return stats;
  }

  /** Hold the index's write lock before writing it; another live holder is a WriteLockHeldError naming it (searches go on with the index as loaded). */
  private takeLock(): void {
    if (this.lock) return;
    ensureDir(this.spec.indexDir);
    this.lock = acquireWriteLock(this.spec.indexDir);
  }

  /** Take the lock when the engine opens, if free (the daemon holds it for every index it has open). */
  async open(): Promise<void> {
    const engine = await this.engine;
    try { this.takeLock(); } catch (e) { this.opts.log(`${(e as Error).message}; serving it read-only until that process lets go`); }
    // what loading leaves for first use (the name index, the ranking path), done now rather than in a client's search
    await engine.warmUp();
  }

  private clearIdle(): void {
    if (this.idleTimer) { clearTimeout(this.idleTimer); this.idleTimer = null; }
  }

  private settle(): void {
    if (this.busy || this.closing) return;
    for (const w of this.idleWaiters.splice(0)) w();
    this.clearIdle();
    this.idleTimer = setTimeout(() => {
      if (this.busy) return;
      this.opts.log(`closing ${this.spec.roots.join(', ')} after ${Math.round(this.opts.idleMs / 1000)} s unused`);
      void this.close().then(() => this.opts.onClosed(this));
    }, this.opts.idleMs);
    this.idleTimer.unref();
  }

  /** Close once nothing runs on it any more (for another spec of the same index folder). */
  retire(): Promise<void> {
    if (!this.busy) return this.close();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve)).then(() => this.close());
  }

  /** Stop a refresh in progress (searches waiting for it then answer from the index as it is). */
  abortRefresh(): void {
    this.stop.abort();
  }

  /** Stop a refresh in progress, close the engine, give the lock back. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.clearIdle();
      this.stop.abort();
      await Promise.allSettled([this.running, this.queued]);
      try { await (await this.engine).close(); } catch { /* it never opened */ }
      this.lock?.release();
      this.lock = null;
    })();
    return this.closing;
  }
}
