// Opening a hit: the file at the declaration, with the name selected (or the
// whole line when the name is not on it), as Go to Symbol does.
import * as vscode from 'vscode';
import type { SearchHit } from '../core/types';
import { hitFile } from './display';

export interface OpenHow {
  /** Preview tab and keep focus where it is (moving through a list). */
  peek?: boolean;
  /** A pinned tab, not a preview one the next preview replaces (a result chosen for good). */
  pin?: boolean;
  beside?: boolean;
  /** Asked once the document is loaded: false drops the open (a newer one superseded it). */
  stillWanted?: () => boolean;
}

/** Last segment of a qualified name: "Query.isStale" → "isStale", "a::b" → "b". */
export function simpleName(name: string): string {
  const parts = name.split(/\.|::|#|\//).filter((p) => p.length > 0);
  return parts.length ? parts[parts.length - 1] : '';
}

/** Column range of `name` as a whole word in `line`, or null. */
export function nameColumns(line: string, name: string): [number, number] | null {
  if (!name) return null;
  const isWord = (ch: string | undefined) => !!ch && /[\p{L}\p{N}_$]/u.test(ch);
  for (let i = line.indexOf(name); i >= 0; i = line.indexOf(name, i + 1)) {
    if (!isWord(line[i - 1]) && !isWord(line[i + name.length])) return [i, i + name.length];
  }
  return null;
}

export function declarationRange(doc: vscode.TextDocument, hit: Pick<SearchHit, 'declLine' | 'startLine' | 'name'>): vscode.Range {
  const lineNo = Math.min(Math.max(0, (hit.declLine || hit.startLine) - 1), Math.max(0, doc.lineCount - 1));
  const line = doc.lineAt(lineNo);
  const cols = nameColumns(line.text, simpleName(hit.name));
  if (cols) return new vscode.Range(lineNo, cols[0], lineNo, cols[1]);
  return new vscode.Range(lineNo, line.firstNonWhitespaceCharacterIndex, lineNo, line.text.length);
}

/**
 * Opens `hit` on its declaration; undefined when `how.stillWanted` said no.
 * showTextDocument's selection is revealed (centred when outside the viewport)
 * by VS Code itself: no second round trip to the window to reveal it.
 */
export async function openHit(hit: SearchHit, how: OpenHow & { stillWanted: () => boolean }): Promise<vscode.TextEditor | undefined>;
export async function openHit(hit: SearchHit, how?: OpenHow): Promise<vscode.TextEditor>;
export async function openHit(hit: SearchHit, how: OpenHow = {}): Promise<vscode.TextEditor | undefined> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(hitFile(hit)));
  if (how.stillWanted && !how.stillWanted()) return undefined;
  return vscode.window.showTextDocument(doc, {
    preview: how.peek ? true : how.pin ? false : undefined,
    preserveFocus: !!how.peek,
    selection: declarationRange(doc, hit),
    viewColumn: how.beside ? vscode.ViewColumn.Beside : undefined,
  });
}
