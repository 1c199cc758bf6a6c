// Line windows for files without a grammar (and for any file tree-sitter
// could not handle), with very long lines cut into character windows.
import { ChunkSink, firstLine } from './chunkSink';
import { SourceText } from './sourceText';

export interface WindowOptions {
  windowLines: number;
  /** Lines shared by consecutive windows. */
  overlapLines: number;
  /** Most characters in one window; longer lines are cut into pieces this long. */
  maxChars: number;
}

export const DEFAULT_WINDOW_CHARS = 4000;

/** Where a long line may be cut: just after a delimiter near the end of the piece. */
function cutPoint(line: string, from: number, maxChars: number): number {
  const hard = from + maxChars;
  if (hard >= line.length) return line.length;
  for (let i = hard; i > hard - maxChars / 5; i--) {
    const ch = line.charCodeAt(i - 1);
    // after ; } , )  — or before a space, which would be trimmed at the end of a piece
    if (ch === 59 || ch === 125 || ch === 44 || ch === 41) return i;
    if (ch === 32 && i - 1 > from) return i - 1;
  }
  return hard;
}

/** Add window chunks covering rows start..end (0-based, inclusive) of src. */
export function addWindows(sink: ChunkSink, src: SourceText, opts: WindowOptions, start = 0, end = src.lineCount - 1): void {
  const lines = src.lines;
  const overlap = Math.max(0, Math.min(opts.overlapLines, opts.windowLines - 1));
  let row = start;
  while (row <= end) {
    const line = lines[row];
    if (line.length > opts.maxChars) {
      for (let from = 0; from < line.length; ) {
        const to = cutPoint(line, from, opts.maxChars);
        const code = line.slice(from, to);
        if (code.trim()) {
          sink.add({ startLine: row + 1, endLine: row + 1, declLine: row + 1, kind: 'window', name: '', signature: firstLine(code), context: [], doc: '', code });
        }
        from = to;
      }
      row++;
      continue;
    }
    const first = row;
    let chars = 0;
    while (row <= end && row - first < opts.windowLines && lines[row].length <= opts.maxChars && chars + lines[row].length <= opts.maxChars) {
      chars += lines[row].length + 1;
      row++;
    }
    const code = src.slice(first, row - 1);
    if (code.trim()) {
      sink.add({ startLine: first + 1, endLine: row, declLine: first + 1, kind: 'window', name: '', signature: firstLine(code), context: [], doc: '', code });
    }
    if (row <= end && lines[row].length <= opts.maxChars) row = Math.max(first + 1, row - overlap);
  }
}

/** True when most of the text sits on very long lines (minified bundles, generated data). */
export function looksMinified(src: SourceText): boolean {
  if (src.text.length < 4096) return false;
  let longChars = 0;
  for (const l of src.lines) if (l.length > 1000) longChars += l.length;
  return longChars > src.text.length / 2;
}
