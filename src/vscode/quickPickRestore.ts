// The editors as a quick pick found them, and putting them back after its
// previews when the person leaves without a choice (Escape), as Go to Symbol
// does: the preview tabs it opened are closed, the editor that was active shows
// its document again with the same selections and scroll position. Nothing here
// takes the focus — a quick input opened meanwhile (F1 right after Escape) keeps
// it, and its keys never reach an editor.
import * as vscode from 'vscode';

export interface EditorSnapshot {
  /** Every text tab, as `<view column>\t<uri>`. */
  tabs: Set<string>;
  active?: {
    doc: vscode.TextDocument;
    column: vscode.ViewColumn | undefined;
    selections: readonly vscode.Selection[];
    top: vscode.Range | undefined;
    preview: boolean;
  };
}

const tabKey = (column: vscode.ViewColumn, uri: vscode.Uri) => `${column}\t${uri.toString()}`;
const tabUri = (tab: vscode.Tab) => (tab.input instanceof vscode.TabInputText ? tab.input.uri : undefined);

export function editorSnapshot(): EditorSnapshot {
  const tabs = new Set<string>();
  let activePreview = false;
  const editor = vscode.window.activeTextEditor;
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      const uri = tabUri(tab);
      if (!uri) continue;
      tabs.add(tabKey(group.viewColumn, uri));
      if (editor && group.viewColumn === editor.viewColumn && uri.toString() === editor.document.uri.toString()) activePreview = tab.isPreview;
    }
  }
  return {
    tabs,
    active: editor && {
      doc: editor.document,
      column: editor.viewColumn,
      selections: editor.selections,
      top: editor.visibleRanges[0],
      preview: activePreview,
    },
  };
}

/**
 * Closes the preview tabs of `previewed` (uri strings) that were not open in
 * `before`, and shows `before`'s active editor again as it was, all without
 * taking the focus. Does nothing when another editor took over meanwhile.
 */
export async function restoreEditors(before: EditorSnapshot, previewed: ReadonlySet<string>): Promise<void> {
  const now = vscode.window.activeTextEditor;
  const a = before.active;
  if (now && !previewed.has(now.document.uri.toString()) && now.document !== a?.doc) return;
  const opened: vscode.Tab[] = [];
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      const uri = tabUri(tab);
      if (uri && tab.isPreview && previewed.has(uri.toString()) && !before.tabs.has(tabKey(group.viewColumn, uri))) opened.push(tab);
    }
  }
  if (opened.length) await vscode.window.tabGroups.close(opened, true);
  if (!a) return;
  // a preview that replaced the previous preview tab closed its document
  const doc = !a.doc.isClosed ? a.doc : a.doc.isUntitled ? undefined : await vscode.workspace.openTextDocument(a.doc.uri);
  if (!doc) return;
  const editor = await vscode.window.showTextDocument(doc, {
    viewColumn: a.column,
    preserveFocus: true,
    preview: a.preview,
    selection: a.selections[0],
  });
  if (a.selections.length > 1) editor.selections = [...a.selections];
  if (a.top) editor.revealRange(a.top, vscode.TextEditorRevealType.AtTop);
}
