// Adapting the model to the workspace from the editor: the commands "Adapt to
// this workspace" (zero-click from the doc comments, then from the results
// opened, when there are any) and "Reset to the shipped model", and the
// background attempts the sift.adaptation.* settings ask for (adaptScheduler.ts).
// The work happens in the worker (core/learn/adapt.ts: guarded, every attempt
// recorded with the index); this side queues it, shows or logs the outcome.
import * as vscode from 'vscode';
import type { AdaptationRecord } from '../core/learn/types';
import { AdaptScheduler, type AdaptKind } from './adaptScheduler';
import type { SearchLog } from './searchLog';
import { readSettings } from './settings';
import { isCancelled, WorkerRequestError, type RequestHandle } from './workerClient';
import type { WorkspaceIndex } from './workspaceIndex';

/** workspaceState key: opened results logged since the last attempt to learn from them. */
const OPENS_KEY = 'sift.adaptation.opensSinceAttempt';

const KIND_LABEL: Record<AdaptationRecord['kind'], string> = {
  'zero-click': "from the workspace's doc comments",
  clicks: 'from the results you opened',
  reset: 'reset',
};

/** One line per record: what was tried, whether it was kept, and the guard's reason (with its held-out numbers). */
export function describeRecord(r: AdaptationRecord): string {
  if (r.kind === 'reset') return r.reason;
  return `adaptation ${KIND_LABEL[r.kind]} ${r.kept ? 'kept' : 'refused'}: ${r.reason}`;
}

export interface AdaptationDeps {
  index: WorkspaceIndex;
  searchLog: SearchLog;
  log: vscode.LogOutputChannel;
  workspaceState: vscode.Memento;
}

export class WorkspaceAdaptation implements vscode.Disposable {
  readonly scheduler: AdaptScheduler;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly d: AdaptationDeps) {
    this.scheduler = new AdaptScheduler({
      run: (kind) => this.attempt(kind).result,
      settings: () => {
        const s = readSettings();
        return { zeroClick: s.adaptZeroClick, fromFeedback: s.adaptFromFeedback, feedbackEvery: s.adaptFeedbackEvery };
      },
      opens: {
        get: () => d.workspaceState.get<number>(OPENS_KEY, 0),
        set: (n) => { void d.workspaceState.update(OPENS_KEY, n); },
      },
      onRecord: (r, why) => d.log.info(`${describeRecord(r)} (in the background, ${why})`),
      onError: (kind, e) => {
        if (isCancelled(e)) d.log.info(`background ${kind} adaptation stopped before it finished`);
        else d.log.warn(`background ${kind} adaptation failed: ${e.message}`);
      },
    });
    this.subscriptions.push(d.searchLog.onDidLogOpen(() => this.scheduler.openLogged()));
  }

  /** One attempt in the worker; for clicks, the search log is written out first so the worker reads every open. */
  attempt(kind: AdaptKind): RequestHandle<AdaptationRecord> {
    if (kind === 'zero-click') return this.d.index.adapt('zero-click');
    const logDir = this.d.searchLog.queryLog?.dir;
    if (!logDir) {
      const result = Promise.reject(new Error('no search log: open a workspace folder first'));
      result.catch(() => undefined);
      return { id: -1, result, cancel: () => undefined };
    }
    let inner: RequestHandle<AdaptationRecord> | null = null;
    let cancelled = false;
    const result = this.d.searchLog.flush()
      .catch((e: Error) => this.d.log.warn(`search log: ${e.message}`))
      .then(() => {
        if (cancelled) throw new WorkerRequestError('cancelled', 'cancelled');
        inner = this.d.index.adapt('clicks', logDir);
        return inner.result;
      });
    result.catch(() => undefined);
    return { id: -1, result, cancel: () => { cancelled = true; inner?.cancel(); } };
  }

  /**
   * "Sift: Adapt to this workspace": zero-click, then from the opened results
   * when the log has any, under a cancellable progress notification; the
   * outcome in an information message. Resolves to the attempts' records.
   */
  async adaptCommand(): Promise<AdaptationRecord[]> {
    const records: AdaptationRecord[] = [];
    const show = (r: AdaptationRecord) => { records.push(r); this.d.log.info(describeRecord(r)); };
    let cancelled = false;
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Sift: adapting to this workspace', cancellable: true },
        async (progress, token) => {
          let current: RequestHandle<AdaptationRecord> | null = null;
          token.onCancellationRequested(() => { cancelled = true; current?.cancel(); });
          progress.report({ message: 'learning from its doc comments…' });
          current = this.attempt('zero-click');
          show(await current.result);
          if (cancelled) return;
          const { events } = await this.d.searchLog.read();
          if (cancelled || !events.some((e) => e.t === 'open')) return;
          progress.report({ message: 'learning from the results you opened…' });
          current = this.attempt('clicks');
          this.d.workspaceState.update(OPENS_KEY, 0).then(undefined, () => undefined);
          show(await current.result);
        },
      );
    } catch (e) {
      if (isCancelled(e) || cancelled) {
        cancelled = true;
      } else {
        this.d.log.error(`adaptation failed: ${(e as Error).message}`);
        const done = records.map((r) => ` ${capitalize(describeRecord(r))}.`).join('');
        void vscode.window.showErrorMessage(`Sift: adaptation failed: ${(e as Error).message}.${done}`);
        return records;
      }
    }
    const lines = records.map((r) => `${capitalize(describeRecord(r))}.`);
    if (cancelled) lines.push(records.length ? 'Stopped before the rest.' : 'Cancelled: the model in use is unchanged.');
    void vscode.window.showInformationMessage(`Sift: ${lines.join(' ')}`);
    return records;
  }

  /** "Sift: Reset to the shipped model", after a modal confirmation. Resolves to the record, or null when not confirmed. */
  async resetCommand(): Promise<AdaptationRecord | null> {
    const choice = await vscode.window.showWarningMessage(
      'Reset Sift to the shipped model?',
      {
        modal: true,
        detail: 'What Sift learned for this workspace is dropped and searches use the model Sift ships with. '
          + 'The history of adaptations is kept; "Sift: Adapt to this workspace" can learn again.',
      },
      'Reset',
    );
    if (choice !== 'Reset') return null;
    try {
      const r = await this.d.index.resetAdaptation();
      this.d.log.info(describeRecord(r));
      void vscode.window.showInformationMessage(`Sift: ${r.reason}.`);
      return r;
    } catch (e) {
      this.d.log.error(`reset failed: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`Sift: could not reset to the shipped model: ${(e as Error).message}`);
      return null;
    }
  }

  dispose(): void {
    this.scheduler.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
