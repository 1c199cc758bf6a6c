// The extension host's end of the worker protocol: starts the worker on first
// use, matches answers to requests by id, routes progress, and restarts a
// worker that died — with exponential backoff, re-sending the last
// configuration, and giving up (until asked again) after repeated crashes.
// No vscode import: the unit tests drive it against a real worker.
import type { Worker } from 'node:worker_threads';
import type { IndexProgress } from '../core/types';
import type {
  ErrorCode, OpenInfo, ParamsOf, Request, RequestType, ResultOf, WorkerConfig, WorkerMessage,
} from '../worker/protocol';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export type WorkerState =
  | { kind: 'idle' }                       // not started yet
  | { kind: 'running'; restarts: number }  // restarts since the client was made
  | { kind: 'restarting'; attempt: number; delayMs: number; reason: string }
  | { kind: 'failed'; reason: string }     // crashed too often; the next request starts it afresh
  | { kind: 'disposed' };

/** 'crashed': the worker died and is being restarted; 'gaveUp': it died too often and is not restarted on its own. */
export type ClientErrorCode = ErrorCode | 'crashed' | 'gaveUp' | 'disposed';

export class WorkerRequestError extends Error {
  constructor(readonly code: ClientErrorCode, message: string) {
    super(message);
    this.name = 'WorkerRequestError';
  }
}

export function isCancelled(e: unknown): boolean {
  return e instanceof WorkerRequestError && e.code === 'cancelled';
}

export interface RequestHandle<T> {
  readonly id: number;
  readonly result: Promise<T>;
  /** Asks the worker to stop this request; its result then rejects with code 'cancelled' (or resolves if it finished first). */
  cancel(): void;
}

export interface CallOptions {
  onProgress?: (p: IndexProgress) => void;
}

export interface RestartPolicy {
  /** Delay before the first restart; doubles with each crash in a row. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** Crashes in a row after which the client stops restarting on its own. */
  maxConsecutive: number;
  /** A worker that ran this long without crashing resets the count. */
  stableMs: number;
}

export const DEFAULT_RESTART: RestartPolicy = { firstDelayMs: 500, maxDelayMs: 30_000, maxConsecutive: 5, stableMs: 60_000 };

export interface WorkerClientOptions {
  spawn: () => Worker;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  clock?: Clock;
  restart?: Partial<RestartPolicy>;
}

interface Pending {
  type: RequestType;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: (p: IndexProgress) => void;
}

export class WorkerClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Requests made while a restart is waiting out its backoff. */
  private backlog: Request[] = [];
  private lastConfig: WorkerConfig | null = null;
  private crashesInARow = 0;
  private restarts = 0;
  private startedAt = 0;
  private restartTimer: unknown = null;
  private stateNow: WorkerState = { kind: 'idle' };
  private readonly listeners = new Set<(s: WorkerState) => void>();
  private readonly clock: Clock;
  private readonly policy: RestartPolicy;
  private readonly log: NonNullable<WorkerClientOptions['log']>;

  constructor(private readonly opts: WorkerClientOptions) {
    this.clock = opts.clock ?? systemClock;
    this.policy = { ...DEFAULT_RESTART, ...opts.restart };
    this.log = opts.log ?? (() => undefined);
  }

  get state(): WorkerState { return this.stateNow; }

  onStateChange(listener: (s: WorkerState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Opens the index with this configuration; remembered and re-sent after a restart. */
  configure(config: WorkerConfig): Promise<OpenInfo> {
    this.lastConfig = config;
    return this.request('configure', { config });
  }

  request<T extends RequestType>(type: T, params: ParamsOf<T>, opts: CallOptions = {}): Promise<ResultOf<T>> {
    return this.call(type, params, opts).result;
  }

  call<T extends RequestType>(type: T, params: ParamsOf<T>, opts: CallOptions = {}): RequestHandle<ResultOf<T>> {
    const id = this.nextId++;
    const result = new Promise<ResultOf<T>>((resolve, reject) => {
      this.pending.set(id, { type, resolve: resolve as (v: unknown) => void, reject, onProgress: opts.onProgress });
    });
    // callers that drop the handle must not cause unhandled rejections
    result.catch(() => undefined);
    this.post({ kind: 'request', id, type, ...params } as Request);
    return { id, result, cancel: () => this.cancel(id) };
  }

  private cancel(id: number): void {
    if (!this.pending.has(id)) return;
    const queued = this.backlog.findIndex((r) => r.id === id);
    if (queued >= 0) {
      this.backlog.splice(queued, 1);
      this.settle(id, new WorkerRequestError('cancelled', 'cancelled'));
      return;
    }
    // fire and forget: the worker answers the target itself
    const cancelId = this.nextId++;
    this.post({ kind: 'request', id: cancelId, type: 'cancel', target: id });
  }

  private post(req: Request): void {
    switch (this.stateNow.kind) {
      case 'disposed':
        this.settle(req.id, new WorkerRequestError('disposed', 'Sift has shut down'));
        return;
      case 'restarting':
        this.backlog.push(req);
        return;
      case 'idle':
      case 'failed':
        this.start(false, [req]);
        return;
      case 'running':
        this.worker!.postMessage(req);
        return;
    }
  }

  private setState(s: WorkerState): void {
    this.stateNow = s;
    for (const l of [...this.listeners]) {
      try { l(s); } catch (e) { this.log('error', `state listener failed: ${(e as Error).message}`); }
    }
  }

  /** Spawns a worker and sends it `queued`, preceded by the last configuration when they hold none. */
  private start(isRestart: boolean, queued: Request[]): void {
    if (!isRestart) this.crashesInARow = 0;
    let worker: Worker;
    try {
      worker = this.opts.spawn();
    } catch (e) {
      this.onCrash(null, `cannot start the index worker: ${(e as Error).message}`);
      return;
    }
    this.worker = worker;
    this.startedAt = this.clock.now();
    worker.on('message', (m: unknown) => { if (this.worker === worker) this.onMessage(m as WorkerMessage); });
    worker.on('error', (e: Error) => {
      if (this.worker === worker) this.log('error', `index worker error: ${e.stack ?? e.message}`);
    });
    worker.on('messageerror', (e: Error) => this.log('error', `index worker sent an unreadable message: ${e.message}`));
    worker.on('exit', (code: number) => {
      if (this.worker === worker) this.onCrash(worker, `the index worker stopped (exit code ${code})`);
    });
    this.setState({ kind: 'running', restarts: this.restarts });
    // a new worker knows nothing yet: give it the folders again, unless a configure is on its way
    if (this.lastConfig && !queued.some((r) => r.type === 'configure')) {
      const id = this.nextId++;
      this.pending.set(id, {
        type: 'configure',
        resolve: () => this.log('info', 'index worker started again and re-opened the index'),
        reject: (e) => this.log('error', `index worker started again but could not re-open the index: ${e.message}`),
      });
      worker.postMessage({ kind: 'request', id, type: 'configure', config: this.lastConfig } satisfies Request);
    }
    for (const r of queued) worker.postMessage(r);
  }

  private onCrash(worker: Worker | null, reason: string): void {
    this.worker = null;
    if (worker) worker.removeAllListeners('message');
    const ranLong = this.clock.now() - this.startedAt >= this.policy.stableMs;
    this.crashesInARow = ranLong ? 1 : this.crashesInARow + 1;
    if (this.crashesInARow > this.policy.maxConsecutive) {
      const why = `${reason}; it crashed ${this.crashesInARow} times in a row, so it is not restarted automatically`;
      this.log('error', why);
      for (const id of [...this.pending.keys()]) this.settle(id, new WorkerRequestError('gaveUp', why));
      this.backlog = [];
      this.setState({ kind: 'failed', reason: why });
      return;
    }
    for (const id of [...this.pending.keys()]) this.settle(id, new WorkerRequestError('crashed', `${reason}; it is being restarted`));
    const delayMs = Math.min(this.policy.maxDelayMs, this.policy.firstDelayMs * 2 ** (this.crashesInARow - 1));
    this.log('warn', `${reason}; restarting in ${delayMs} ms (attempt ${this.crashesInARow})`);
    this.setState({ kind: 'restarting', attempt: this.crashesInARow, delayMs, reason });
    this.restartTimer = this.clock.setTimeout(() => {
      this.restartTimer = null;
      if (this.stateNow.kind !== 'restarting') return;
      this.restarts++;
      const backlog = this.backlog;
      this.backlog = [];
      this.start(true, backlog);
    }, delayMs);
  }

  private onMessage(m: WorkerMessage): void {
    if (!m || typeof m !== 'object') return;
    switch (m.kind) {
      case 'response': {
        if (m.ok) this.settle(m.id, null, m.value);
        else this.settle(m.id, new WorkerRequestError(m.error.code, m.error.message));
        return;
      }
      case 'progress':
        try { this.pending.get(m.id)?.onProgress?.(m.progress); } catch (e) { this.log('error', `progress listener failed: ${(e as Error).message}`); }
        return;
      case 'log':
        this.log(m.level, m.message);
        return;
    }
  }

  private settle(id: number, error: Error | null, value?: unknown): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (error) p.reject(error);
    else p.resolve(value);
  }

  /** Stops the worker; pending requests reject with code 'disposed'. */
  async dispose(): Promise<void> {
    if (this.restartTimer !== null) this.clock.clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const worker = this.worker;
    this.worker = null;
    this.setState({ kind: 'disposed' });
    for (const id of [...this.pending.keys()]) this.settle(id, new WorkerRequestError('disposed', 'Sift has shut down'));
    this.backlog = [];
    if (worker) await worker.terminate().catch(() => undefined);
  }
}
