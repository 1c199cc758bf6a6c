// Opening a hit: the file at the declaration, with the name selected (or the
// whole line when the name is not on it), as Go to Symbol does
// (core/search/declaration.ts works out where).
import * as vscode from 'vscode';
import { declarationColumns } from '../core/search/declaration';
import type { SearchHit } from '../core/types';
import { hitFile } from './display';

export interface OpenHow {
  /** Preview tab and keep focus where it is (moving through a list). */
  peek?: boolean;
  /** A pinned tab, not a preview one the next preview replaces (a result chosen for good). */
  pin?: boolean;
  beside?: boolean;
  /** Asked before the editor opens (after the document loads, when it must): false drops the open (a newer one superseded it). */
  stillWanted?: () => boolean;
}

export function declarationRange(doc: vscode.TextDocument, hit: Pick<SearchHit, 'declLine' | 'startLine' | 'name'>): vscode.Range {
  const lineNo = Math.min(Math.max(0, (hit.declLine || hit.startLine) - 1), Math.max(0, doc.lineCount - 1));
  const [start, end] = declarationColumns(doc.lineAt(lineNo).text, hit.name);
  return new vscode.Range(lineNo, start, lineNo, end);
}

/** The selection the search worked out for `hit` (SearchHit.declColumns), or null when it has none that can be trusted. */
export function knownDeclarationRange(hit: Pick<SearchHit, 'declLine' | 'declColumns' | 'stale'>): vscode.Range | null {
  const cols = hit.declColumns;
  if (hit.stale || !Array.isArray(cols) || cols.length !== 2) return null;
  const [start, end] = cols;
  const line = hit.declLine - 1;
  if (![line, start, end].every(Number.isSafeInteger) || line < 0 || start < 0 || end < start) return null;
  return new vscode.Range(line, start, line, end);
}

/**
 * Opens `hit` on its declaration; the document opened, or undefined when
 * `how.stillWanted` said no. When the search sent the declaration's columns the
 * window opens the file there in one request (`vscode.open`), as VS Code's own
 * pickers do: moving through results with the arrow keys waits on no document
 * being loaded into the extension host first. Otherwise the document is loaded
 * to find the name on its line. Either way the selection is revealed (centred
 * when outside the viewport) by VS Code itself.
 */
export async function openHit(hit: SearchHit, how: OpenHow & { stillWanted: () => boolean }): Promise<vscode.Uri | undefined>;
export async function openHit(hit: SearchHit, how?: OpenHow): Promise<vscode.Uri>;
export async function openHit(hit: SearchHit, how: OpenHow = {}): Promise<vscode.Uri | undefined> {
  const uri = vscode.Uri.file(hitFile(hit));
  const show = (selection: vscode.Range): vscode.TextDocumentShowOptions => ({
    preview: how.peek ? true : how.pin ? false : undefined,
    preserveFocus: !!how.peek,
    selection,
    viewColumn: how.beside ? vscode.ViewColumn.Beside : undefined,
  });
  const known = knownDeclarationRange(hit);
  if (known) {
    if (how.stillWanted && !how.stillWanted()) return undefined;
    await vscode.commands.executeCommand('vscode.open', uri, show(known));
    return uri;
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  if (how.stillWanted && !how.stillWanted()) return undefined;
  await vscode.window.showTextDocument(doc, show(declarationRange(doc, hit)));
  return doc.uri;
}
