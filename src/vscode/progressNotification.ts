// The cancellable progress notification shown while the workspace is indexed
// for the first time (or rebuilt on request). Cancelling pauses indexing:
// what was indexed so far is kept, and resuming continues from there.
import * as vscode from 'vscode';
import type { IndexProgress } from '../core/types';
import { describeProgress } from './display';

export class ProgressNotification implements vscode.Disposable {
  private active: { report(p: IndexProgress): void; close(): void } | null = null;

  constructor(private readonly onCancel: () => void) {}

  get showing(): boolean { return this.active !== null; }

  begin(title: string): void {
    if (this.active) return;
    let close!: () => void;
    const closed = new Promise<void>((resolve) => { close = resolve; });
    let report: (p: IndexProgress) => void = () => undefined;
    this.active = { report: (p) => report(p), close };
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      (progress, token) => {
        report = (p) => progress.report({ message: describeProgress(p) });
        token.onCancellationRequested(() => {
          this.end();
          this.onCancel();
        });
        return closed;
      },
    );
  }

  report(p: IndexProgress): void {
    this.active?.report(p);
  }

  end(): void {
    const a = this.active;
    this.active = null;
    a?.close();
  }

  dispose(): void {
    this.end();
  }
}
