// When the extension adapts the model on its own (sift.adaptation.*): zero-click
// after a full index (once a session, again after the index was rebuilt or made
// anew), and from opened results after every `feedbackEvery` new opens. Attempts
// run one at a time in the background; a kind already waiting is not queued
// twice. Failures go to onError, never to the person. Pure logic with injected
// effects: no vscode import.
import type { AdaptationRecord } from '../core/learn/types';

export type AdaptKind = 'zero-click' | 'clicks';

export interface AdaptSettings {
  zeroClick: boolean;
  fromFeedback: boolean;
  feedbackEvery: number;
}

/** Where the count of opens since the last attempt is kept (workspace state: it survives a reload). */
export interface OpenCounter {
  get(): number;
  set(n: number): void;
}

export interface AdaptSchedulerOptions {
  /** Runs one attempt (for clicks: after writing out the log, so the worker reads every open). */
  run(kind: AdaptKind): Promise<AdaptationRecord>;
  settings(): AdaptSettings;
  opens: OpenCounter;
  onRecord(record: AdaptationRecord, why: string): void;
  onError(kind: AdaptKind, error: Error): void;
}

export class AdaptScheduler {
  private zeroClickDone = false;
  private readonly queue: { kind: AdaptKind; why: string }[] = [];
  private running: AdaptKind | null = null;
  private disposed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly o: AdaptSchedulerOptions) {}

  get busy(): boolean { return this.running !== null || this.queue.length > 0; }

  /**
   * A full index finished. `fresh`: the index was rebuilt or created for this
   * job (zero-click may run again then); otherwise it runs once per session.
   */
  fullIndexDone(fresh: boolean): void {
    if (this.disposed || !this.o.settings().zeroClick) return;
    if (this.zeroClickDone && !fresh) return;
    this.zeroClickDone = true;
    this.enqueue('zero-click', fresh ? 'after the index was built' : 'after the first full index of this session');
  }

  /** An opened result was logged. */
  openLogged(): void {
    if (this.disposed) return;
    const s = this.o.settings();
    if (!s.fromFeedback) return;
    const n = this.o.opens.get() + 1;
    const every = Math.max(1, Math.floor(s.feedbackEvery));
    if (n < every) { this.o.opens.set(n); return; }
    this.o.opens.set(0);
    this.enqueue('clicks', `after ${n} new opened result${n === 1 ? '' : 's'}`);
  }

  /** Resolves when nothing is running or queued. */
  whenIdle(): Promise<void> {
    if (!this.busy || this.disposed) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  dispose(): void {
    this.disposed = true;
    this.queue.length = 0;
    this.wakeIdle();
  }

  private enqueue(kind: AdaptKind, why: string): void {
    if (this.queue.some((q) => q.kind === kind)) return;
    this.queue.push({ kind, why });
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.running || this.disposed) return;
    const next = this.queue.shift();
    if (!next) { this.wakeIdle(); return; }
    this.running = next.kind;
    try {
      const record = await this.o.run(next.kind);
      if (!this.disposed) this.o.onRecord(record, next.why);
    } catch (e) {
      if (!this.disposed) this.o.onError(next.kind, e instanceof Error ? e : new Error(String(e)));
    } finally {
      this.running = null;
    }
    void this.pump();
  }

  private wakeIdle(): void {
    if (this.busy && !this.disposed) return;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }
}
