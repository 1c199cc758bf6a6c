// When to index: one job at a time; file events debounced and coalesced into
// one update (a branch switch that touches 2,000 files is one job, and above a
// threshold a full crawl instead); pause and resume; whenIdle for tests.
// Pure logic with an injected clock and backend: no vscode import.
import type { IndexProgress, IndexStats } from '../core/types';
import type { UpdateResult } from '../worker/protocol';
import { isCancelled, systemClock, WorkerRequestError, type Clock, type RequestHandle } from './workerClient';

export interface IndexerBackend {
  index(opts: { rebuild: boolean; onProgress: (p: IndexProgress) => void }): RequestHandle<IndexStats>;
  update(paths: string[], onProgress: (p: IndexProgress) => void): RequestHandle<UpdateResult>;
}

export type JobKind = 'full' | 'update';

export type IndexerEvent =
  | { type: 'start'; job: JobKind; files: number; rebuild: boolean }
  | { type: 'progress'; job: JobKind; progress: IndexProgress }
  | { type: 'done'; job: JobKind; stats: IndexStats }
  | { type: 'stopped'; job: JobKind; reason: 'cancelled' | 'crashed' }
  | { type: 'failed'; job: JobKind; error: Error }
  | { type: 'paused' }
  | { type: 'resumed' };

export interface IndexerOptions {
  backend: IndexerBackend;
  clock?: Clock;
  /** Quiet time after the last file event before the batch runs. */
  debounceMs?: number;
  /** Longest a batch waits while events keep coming. */
  maxWaitMs?: number;
  /** A batch larger than this runs a full (incremental) index instead of per-file updates. */
  fullIndexThreshold?: number;
  onEvent?: (e: IndexerEvent) => void;
}

// Changing one of these changes which files belong in the index.
const RULE_FILES = new Set(['.gitignore', '.ignore', '.siftignore']);

function baseName(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
}

export class Indexer {
  private readonly clock: Clock;
  private readonly debounceMs: number;
  private readonly maxWaitMs: number;
  private readonly threshold: number;
  private pendingFull = false;
  private pendingRebuild = false;
  private pendingPaths = new Set<string>();
  private timer: unknown = null;
  private firstEventAt: number | null = null;
  private running: { kind: JobKind; handle: RequestHandle<unknown>; paths: string[]; rebuild: boolean } | null = null;
  private pausedNow = false;
  private disposed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly opts: IndexerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.debounceMs = opts.debounceMs ?? 500;
    this.maxWaitMs = opts.maxWaitMs ?? 5000;
    this.threshold = opts.fullIndexThreshold ?? 500;
  }

  get paused(): boolean { return this.pausedNow; }
  /** A job is running or queued (paused work counts as queued). */
  get busy(): boolean { return this.running !== null || this.hasQueuedWork(); }
  get runningJob(): JobKind | null { return this.running?.kind ?? null; }

  private hasQueuedWork(): boolean {
    return this.pendingFull || this.pendingPaths.size > 0;
  }

  /** Queue a full (incremental) index; `rebuild` clears the index first. Runs as soon as nothing else does. */
  requestFullIndex(opts: { rebuild?: boolean; defer?: boolean } = {}): void {
    if (this.disposed) return;
    this.pendingFull = true;
    if (opts.rebuild) this.pendingRebuild = true;
    // a full index covers the files waiting for an update
    this.pendingPaths.clear();
    this.cancelTimer();
    if (opts.defer) this.clock.setTimeout(() => this.pump(), 0);
    else this.pump();
  }

  /** A file was created, changed or deleted (absolute path). */
  notifyChanged(absPath: string): void {
    if (this.disposed) return;
    if (RULE_FILES.has(baseName(absPath))) {
      this.requestFullIndex();
      return;
    }
    if (this.pendingFull) return;
    this.pendingPaths.add(absPath);
    const now = this.clock.now();
    this.firstEventAt ??= now;
    this.cancelTimer();
    const wait = Math.max(0, Math.min(this.debounceMs, this.firstEventAt + this.maxWaitMs - now));
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.firstEventAt = null;
      this.pump();
    }, wait);
  }

  /** Stops the running job (its progress so far is kept) and holds new ones until resume(). */
  pause(): void {
    if (this.pausedNow || this.disposed) return;
    this.pausedNow = true;
    this.running?.handle.cancel();
    this.emit({ type: 'paused' });
    this.checkIdle();
  }

  resume(): void {
    if (!this.pausedNow || this.disposed) return;
    this.pausedNow = false;
    this.emit({ type: 'resumed' });
    this.pump();
  }

  /** Stops the running job, which is queued again (e.g. before the folders are re-opened). */
  interrupt(): void {
    this.running?.handle.cancel();
  }

  /**
   * Resolves when no job is running or queued. While paused, resolves once the
   * running job has stopped: queued work waits for resume(), and so would this.
   */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  dispose(): void {
    this.disposed = true;
    this.cancelTimer();
    this.running?.handle.cancel();
    this.pendingFull = false;
    this.pendingPaths.clear();
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private isIdle(): boolean {
    if (this.running) return false;
    return this.pausedNow || this.disposed || (!this.hasQueuedWork() && this.timer === null);
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.firstEventAt = null;
  }

  private emit(e: IndexerEvent): void {
    try { this.opts.onEvent?.(e); } catch { /* a listener's failure must not stop indexing */ }
  }

  private pump(): void {
    if (this.disposed || this.pausedNow || this.running) { this.checkIdle(); return; }
    if (this.pendingFull) {
      const rebuild = this.pendingRebuild;
      this.pendingFull = false;
      this.pendingRebuild = false;
      this.run('full', [], rebuild);
    } else if (this.pendingPaths.size > 0 && this.timer === null) {
      const paths = [...this.pendingPaths];
      this.pendingPaths.clear();
      if (paths.length > this.threshold) this.run('full', [], false);
      else this.run('update', paths, false);
    }
    this.checkIdle();
  }

  private run(kind: JobKind, paths: string[], rebuild: boolean): void {
    const onProgress = (progress: IndexProgress) => this.emit({ type: 'progress', job: kind, progress });
    let handle: RequestHandle<IndexStats | UpdateResult>;
    try {
      handle = kind === 'full'
        ? this.opts.backend.index({ rebuild, onProgress })
        : this.opts.backend.update(paths, onProgress);
    } catch (e) {
      this.emit({ type: 'failed', job: kind, error: e as Error });
      return;
    }
    const job = { kind, handle, paths, rebuild };
    this.running = job;
    this.emit({ type: 'start', job: kind, files: paths.length, rebuild });
    handle.result.then(
      (v) => {
        const stats = kind === 'full' ? (v as IndexStats) : (v as UpdateResult).stats;
        this.finish(job, { type: 'done', job: kind, stats });
      },
      (e: unknown) => {
        const err = e instanceof Error ? e : new Error(String(e));
        const stopped = isCancelled(err) || (err instanceof WorkerRequestError && err.code === 'crashed');
        if (stopped) {
          // not done: queue the same work again (it resumes cheaply: finished files are kept)
          if (kind === 'full') { this.pendingFull = true; if (rebuild) this.pendingRebuild = true; }
          else if (!this.pendingFull) for (const p of paths) this.pendingPaths.add(p);
          this.finish(job, { type: 'stopped', job: kind, reason: isCancelled(err) ? 'cancelled' : 'crashed' });
        } else {
          this.finish(job, { type: 'failed', job: kind, error: err });
        }
      },
    );
  }

  private finish(job: NonNullable<Indexer['running']>, event: IndexerEvent): void {
    if (this.running === job) this.running = null;
    this.emit(event);
    this.pump();
  }
}
