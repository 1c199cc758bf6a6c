// Everything in the workspace that should reach the index: file events,
// saves, folder changes and setting changes — forwarded, not interpreted.
import * as vscode from 'vscode';

export interface WatchHandlers {
  /** A file was created, changed or deleted (absolute path). */
  changed(absPath: string): void;
  foldersChanged(): void;
  configChanged(e: vscode.ConfigurationChangeEvent): void;
}

// Git rewrites its own files on every operation; none of them is ever indexed.
function isInsideGitDir(fsPath: string): boolean {
  return /[\\/]\.git(?:[\\/]|$)/.test(fsPath);
}

export function watchWorkspace(h: WatchHandlers): vscode.Disposable[] {
  const fileChanged = (uri: vscode.Uri) => {
    if (uri.scheme === 'file' && !isInsideGitDir(uri.fsPath)) h.changed(uri.fsPath);
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/*');
  return [
    watcher,
    watcher.onDidCreate(fileChanged),
    watcher.onDidChange(fileChanged),
    watcher.onDidDelete(fileChanged),
    // a save is also a change event, but watchers can lag or miss it (network drives); the batch de-duplicates
    vscode.workspace.onDidSaveTextDocument((doc) => fileChanged(doc.uri)),
    vscode.workspace.onDidChangeWorkspaceFolders(() => h.foldersChanged()),
    vscode.workspace.onDidChangeConfiguration((e) => h.configChanged(e)),
  ];
}
