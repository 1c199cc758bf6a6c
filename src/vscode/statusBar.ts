// The status bar item: progress while indexing, a quiet "Sift" after, and a
// visible warning when the worker crashed or indexing failed. Clicking it runs
// sift.showStatus.
import * as vscode from 'vscode';
import { describeProgress, formatCount } from './display';
import { type IndexSnapshot, type IndexState, viewStatus } from './indexState';
import { teamStatusBar } from './teamView';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly sub: { dispose(): void };

  constructor(state: IndexState) {
    this.item = vscode.window.createStatusBarItem('sift.status', vscode.StatusBarAlignment.Left, 0);
    this.item.name = 'Sift';
    this.item.command = 'sift.showStatus';
    this.sub = state.onChange((s) => this.render(s));
    this.render(state.get());
  }

  private render(s: IndexSnapshot): void {
    const item = this.item;
    if (!s.hasFolder) { item.hide(); return; }
    item.backgroundColor = undefined;
    const summary = s.summary ? `${formatCount(s.summary.files)} files · ${formatCount(s.summary.chunks)} chunks · ${s.summary.mode} search` : 'not indexed yet';
    if (s.worker.kind === 'restarting') {
      item.text = '$(warning) Sift: restarting';
      item.tooltip = `The index worker stopped and is being restarted (attempt ${s.worker.attempt}, in ${Math.round(s.worker.delayMs / 100) / 10} s).\n${s.worker.reason}`;
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    } else if (s.worker.kind === 'failed') {
      item.text = '$(error) Sift: stopped';
      item.tooltip = `${s.worker.reason}\nRun "Sift: Re-index workspace" to try again.`;
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    } else if (s.team) {
      // a team server: its index answers; the local one only holds the files changed here
      const t = teamStatusBar(s.team);
      item.text = s.job && !s.paused ? t.text.replace(/^\$\([\w-]+\)/, '$(sync~spin)') : t.text;
      item.tooltip = t.tooltip;
      if (t.warn) item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    } else if (s.job && !s.paused && s.job.kind === 'full') {
      const p = s.job.progress;
      item.text = `$(sync~spin) Sift: ${p ? describeProgress(p) : 'starting…'}`;
      item.tooltip = 'Indexing the workspace — search works meanwhile, on partial results.';
    } else if (s.job && !s.paused) {
      // saves are frequent and quick: a spinner, no numbers flickering by
      item.text = '$(sync~spin) Sift';
      item.tooltip = `Updating changed files (${summary}).`;
    } else if (s.paused) {
      item.text = '$(debug-pause) Sift: paused';
      item.tooltip = `Indexing is paused (${summary}). Click for status; "Sift: Pause/resume indexing" resumes.`;
    } else if (s.error) {
      item.text = '$(warning) Sift';
      item.tooltip = `Indexing failed: ${s.error}\n${summary}`;
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    } else {
      // one short line, the words the sidebar uses (a tall tooltip covered the sidebar's buttons)
      const view = viewStatus(s);
      item.text = '$(search) Sift';
      item.tooltip = `Sift: ${view.headline}${view.details[0] ? ` ${view.details[0]}` : ''}`;
    }
    if (s.worker.kind === 'running' && s.worker.restarts > 0) {
      item.tooltip += `\nThe index worker crashed and was restarted ${s.worker.restarts === 1 ? 'once' : `${s.worker.restarts} times`} (see the Sift output).`;
    }
    item.show();
  }

  dispose(): void {
    this.sub.dispose();
    this.item.dispose();
  }
}
