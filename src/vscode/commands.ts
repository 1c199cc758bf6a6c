// Every command Sift contributes, registered in this one place.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WorkspaceAdaptation } from './adaptation';
import { formatCount } from './display';
import type { Indexer } from './indexer';
import type { IndexState } from './indexState';
import type { SearchLog } from './searchLog';
import { selectionToFind, showSearchQuickPick, type QuickPickDeps } from './searchQuickPick';
import { viewStatus } from './sidebarView';
import { teamSettings, type TeamConnection } from './teamConnection';
import type { WorkspaceIndex } from './workspaceIndex';

export interface CommandDeps {
  index: WorkspaceIndex;
  indexer: Indexer;
  state: IndexState;
  searchLog: SearchLog;
  adaptation: WorkspaceAdaptation;
  log: vscode.LogOutputChannel;
  quickPick: QuickPickDeps;
  /** Rebuild from scratch, with the progress notification. */
  rebuild(): void;
  refreshSummary(): Promise<void>;
  team: TeamConnection;
  /** The team server's token changed: connect again. */
  teamChanged(): void;
}

const NO_FOLDER = 'Sift searches the folders of a workspace: open a local folder first.';

function requireFolder(d: CommandDeps): boolean {
  if (d.index.hasFolder) return true;
  void vscode.window.showInformationMessage(NO_FOLDER);
  return false;
}

export function registerCommands(context: vscode.ExtensionContext, d: CommandDeps): void {
  const register = (id: string, fn: (...args: unknown[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  // an optional query argument pre-fills the box (for keybindings with args and automation)
  register('sift.search', (query?: unknown) => {
    if (requireFolder(d)) showSearchQuickPick(d.quickPick, undefined, typeof query === 'string' ? query : undefined);
  });

  register('sift.findSimilar', () => {
    if (!requireFolder(d)) return;
    const similar = selectionToFind(vscode.window.activeTextEditor);
    if (!similar) { void vscode.window.showInformationMessage('Sift: select some code first, then run "Sift: Find similar code".'); return; }
    showSearchQuickPick(d.quickPick, similar);
  });

  register('sift.reindex', () => {
    if (!requireFolder(d)) return;
    d.indexer.resume();
    d.rebuild();
  });

  // resolves to whether the index was cleared (for automation)
  register('sift.clearIndex', async () => {
    if (!requireFolder(d)) return false;
    const choice = await vscode.window.showWarningMessage(
      'Clear Sift\'s index for this workspace?',
      { modal: true, detail: 'The index files are deleted and indexing is paused until you run "Sift: Re-index workspace"; rebuilding takes as long as the first index did. The search log is kept.' },
      'Clear index',
    );
    if (choice !== 'Clear index') return false;
    // stop first, so no job writes the index back while it is deleted
    d.indexer.pause();
    try {
      const status = await d.index.clear();
      d.state.update({ summary: status, error: null });
      void vscode.window.showInformationMessage('Sift: index cleared. Indexing is paused; run "Sift: Re-index workspace" to rebuild it.');
      return true;
    } catch (e) {
      void vscode.window.showErrorMessage(`Sift: could not clear the index: ${(e as Error).message}`);
      return false;
    }
  });

  register('sift.togglePause', () => {
    if (!requireFolder(d)) return;
    if (d.indexer.paused) {
      d.indexer.resume();
      void vscode.window.setStatusBarMessage('Sift: indexing resumed', 3000);
    } else {
      d.indexer.pause();
      void vscode.window.setStatusBarMessage('Sift: indexing paused', 3000);
    }
  });

  register('sift.showStatus', () => showStatus(d));

  // the id predates the search log (it exported feedback.jsonl); kept so keybindings still work
  register('sift.exportFeedback', async () => {
    if (!d.searchLog.file) { void vscode.window.showInformationMessage(NO_FOLDER); return; }
    const dest = await vscode.window.showSaveDialog({
      title: 'Export Sift search log',
      saveLabel: 'Export',
      defaultUri: vscode.Uri.file(path.join(os.homedir(), 'sift-search-log.jsonl')),
      filters: { 'JSON Lines': ['jsonl'], 'All files': ['*'] },
    });
    if (!dest) return;
    try {
      const { exported, skipped } = await d.searchLog.exportTo(dest.fsPath);
      void vscode.window.showInformationMessage(
        `Sift: exported ${formatCount(exported)} search log event${exported === 1 ? '' : 's'} to ${dest.fsPath}${skipped ? ` (${skipped} corrupt line${skipped === 1 ? '' : 's'} skipped, see the Sift output)` : ''}.`,
      );
    } catch (e) {
      void vscode.window.showErrorMessage(`Sift: could not export the search log: ${(e as Error).message}`);
    }
  });

  // loaded on first use: the page's code (health numbers, drift, the crawler for coverage) costs activation nothing
  register('sift.showSearchHealth', async () => {
    if (!requireFolder(d)) return;
    const { HealthPanel } = await import('./healthView');
    HealthPanel.show({
      index: d.index, searchLog: d.searchLog, log: d.log,
      adaptations: async () => (await d.index.adaptations()).history,
      replay: (events) => d.index.replayLog(events, { utcOffsetMinutes: -new Date().getTimezoneOffset() }),
    });
  });

  // both resolve to what they recorded (for automation): the attempts' records, or the reset's (null when not confirmed)
  register('sift.adapt', async () => {
    if (!requireFolder(d)) return [];
    return d.adaptation.adaptCommand();
  });

  register('sift.resetAdaptation', async () => {
    if (!requireFolder(d)) return null;
    return d.adaptation.resetCommand();
  });

  // resolve to whether a token was stored / deleted (for automation)
  register('sift.setServerToken', async () => {
    const s = teamSettings();
    if (!s) {
      const a = await vscode.window.showInformationMessage('Sift: set the team server first (sift.server), then its token.', 'Open Settings');
      if (a) await vscode.commands.executeCommand('workbench.action.openSettings', 'sift.server');
      return false;
    }
    const token = await vscode.window.showInputBox({
      title: 'Sift: team server token',
      prompt: `The bearer token for ${s.url} (from \`sift token create\` on the server). It is kept in VS Code's secret storage.`,
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (!v.trim() ? 'Paste the token' : /\s/.test(v.trim()) ? 'A token has no spaces' : null),
    });
    if (!token?.trim()) return false;
    await d.team.setToken(token);
    d.teamChanged();
    void vscode.window.setStatusBarMessage('Sift: team server token saved', 3000);
    return true;
  });

  register('sift.clearServerToken', async () => {
    const had = await d.team.clearToken();
    d.teamChanged();
    void vscode.window.showInformationMessage(had ? 'Sift: team server token cleared.' : 'Sift: there was no team server token to clear.');
    return had;
  });

  register('sift.clearSearchLog', async () => {
    if (!d.searchLog.file) { void vscode.window.showInformationMessage(NO_FOLDER); return; }
    const size = await d.searchLog.sizeBytes().catch(() => 0);
    const choice = await vscode.window.showWarningMessage(
      'Delete Sift\'s search log for this workspace?',
      { modal: true, detail: `The searches, opened results and time spent in them recorded on this machine (${formatCount(Math.ceil(size / 1024))} KB) are deleted. This cannot be undone.` },
      'Delete',
    );
    if (choice !== 'Delete') return;
    try {
      await d.searchLog.clear();
      void vscode.window.showInformationMessage('Sift: search log cleared.');
    } catch (e) {
      void vscode.window.showErrorMessage(`Sift: could not clear the search log: ${(e as Error).message}`);
    }
  });
}

interface StatusItem extends vscode.QuickPickItem { command?: string }

async function showStatus(d: CommandDeps): Promise<void> {
  if (!requireFolder(d)) return;
  await d.refreshSummary().catch(() => undefined);
  const snap = d.state.get();
  const view = viewStatus(snap);
  const s = snap.summary;
  const info: StatusItem[] = [{ label: view.headline }];
  if (snap.team) {
    info.push(...view.details.map((label) => ({ label })));
    if (snap.team.error?.kind === 'token') info.push({ label: '$(key) Set team server token', command: 'sift.setServerToken' });
  } else if (s) {
    info.push(
      { label: 'Files', description: formatCount(s.files) },
      { label: 'Chunks', description: `${formatCount(s.chunks)}${s.mode === 'hybrid' ? ` (${formatCount(s.embedded)} embedded)` : ''}` },
      { label: 'Model', description: s.model ?? 'none' },
      { label: 'Mode', description: s.mode === 'hybrid' ? 'hybrid (semantic + keyword)' : `keyword only${s.modeReason ? ` — ${s.modeReason}` : ''}` },
      { label: 'Last update', description: s.lastUpdated ? new Date(s.lastUpdated).toLocaleString() : 'never' },
      { label: 'Index', description: `${s.indexDir} (${formatCount(Math.round(s.diskBytes / 1024))} KB)` },
    );
  }
  const actions: StatusItem[] = [
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(refresh) Re-index workspace', command: 'sift.reindex' },
    { label: snap.paused ? '$(play) Resume indexing' : '$(debug-pause) Pause indexing', command: 'sift.togglePause' },
    { label: '$(trash) Clear index', command: 'sift.clearIndex' },
    { label: '$(output) Show log', command: 'sift.showLog' },
  ];
  const pick = await vscode.window.showQuickPick([...info, ...actions], { title: 'Sift status', placeHolder: 'Sift index status — pick an action' });
  if (!pick?.command) return;
  if (pick.command === 'sift.showLog') d.log.show(true);
  else await vscode.commands.executeCommand(pick.command);
}
