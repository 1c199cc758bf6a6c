// What the UI shows about the index, in one place: the status bar, the
// sidebar and the status command all read it and redraw when it changes.
import type { IndexProgress } from '../core/types';
import type { WorkerStatus } from '../worker/protocol';
import type { JobKind } from './indexer';
import type { WorkerState } from './workerClient';

export interface IndexSnapshot {
  /** There is a local folder to index. */
  hasFolder: boolean;
  worker: WorkerState;
  paused: boolean;
  job: { kind: JobKind; progress: IndexProgress | null } | null;
  /** The worker's last status report. */
  summary: WorkerStatus | null;
  /** The last job's failure, until a job succeeds. */
  error: string | null;
}

export class IndexState {
  private snap: IndexSnapshot = { hasFolder: false, worker: { kind: 'idle' }, paused: false, job: null, summary: null, error: null };
  private readonly listeners = new Set<(s: IndexSnapshot) => void>();

  get(): IndexSnapshot { return this.snap; }

  update(change: Partial<IndexSnapshot>): void {
    this.snap = { ...this.snap, ...change };
    for (const l of [...this.listeners]) {
      try { l(this.snap); } catch { /* one broken view must not stop the others */ }
    }
  }

  onChange(listener: (s: IndexSnapshot) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
}
