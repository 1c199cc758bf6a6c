// Where an editor lands on a hit, as Go to Symbol does: the name selected on
// its declaration line, or that line's text when the name is not on it. The
// search works it out from the chunk's own lines, so that an editor can open
// the file at the right place in one step, without first loading the document
// to look for the name (src/vscode/navigation.ts).

/** Last segment of a qualified name: "Query.isStale" → "isStale", "a::b" → "b". */
export function simpleName(name: string): string {
  const parts = name.split(/\.|::|#|\//).filter((p) => p.length > 0);
  return parts.length ? parts[parts.length - 1] : '';
}

const isWord = (ch: string | undefined) => !!ch && /[\p{L}\p{N}_$]/u.test(ch);

/** Column range of `name` as a whole word in `line`, or null. */
export function nameColumns(line: string, name: string): [number, number] | null {
  if (!name) return null;
  for (let i = line.indexOf(name); i >= 0; i = line.indexOf(name, i + 1)) {
    if (!isWord(line[i - 1]) && !isWord(line[i + name.length])) return [i, i + name.length];
  }
  return null;
}

/**
 * The columns (0-based, in UTF-16 code units as editors count them, end
 * exclusive) to select on a declaration line: the simple name of `name`, or the
 * line from its first non-blank character to its end.
 */
export function declarationColumns(line: string, name: string): [number, number] {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  const cols = nameColumns(text, simpleName(name));
  if (cols) return cols;
  const first = text.length - text.trimStart().length;
  return first === text.length ? [0, 0] : [first, text.length];
}

/**
 * `declarationColumns` of the line `declLine` (1-based, in the file) when the
 * chunk's text — its file's lines from `startLine` on — holds it; undefined
 * when it does not (a later part of a split unit, or a unit whose declaration
 * lies in another chunk).
 */
export function declarationColumnsIn(text: string, startLine: number, declLine: number, name: string): [number, number] | undefined {
  const at = declLine - startLine;
  if (at < 0) return undefined;
  let from = 0;
  for (let i = 0; i < at; i++) {
    from = text.indexOf('\n', from) + 1;
    if (from === 0) return undefined;
  }
  const end = text.indexOf('\n', from);
  return declarationColumns(text.slice(from, end < 0 ? text.length : end), name);
}
