// A few lines of a hit to show a person: the declaration line first (where the
// hit opens in an editor), then — when the query's words sit further down —
// a gap mark and the lines holding the most of them; dedented, so a method's
// code does not show as mostly whitespace. Also which query words matched (for
// highlighting), English function words left out.
import type { StoredChunk } from '../persist/indexStore';
import { isContentWord } from '../text/stopWords';

const SNIPPET_LINES = 4;
const MAX_LINE = 160;
/** Stands for lines left out between the declaration and the matched lines. */
export const SNIPPET_GAP = '…';

export interface Snippet { text: string; matched: string[] }

/** What makeSnippet reads of a chunk (a StoredChunk or a Chunk has it all). */
export type SnippetChunk = Pick<StoredChunk, 'startLine' | 'endLine' | 'declLine' | 'kind' | 'name' | 'signature' | 'context'>
  & { part?: { index: number; count: number } };

export interface CodeView {
  /** lines[0] is the declaration line (or the repeated signature), then the code below it. */
  lines: string[];
  /** lines[0] is the signature a later part repeats above its stretch of the body: lines[1] does not follow it in the file. */
  detached: boolean;
}

/** True for a later part whose embedded code opens with the unit's signature repeated (see TreeChunker.emitUnit). */
function repeatsSignature(c: SnippetChunk): boolean {
  if (!c.part || c.part.index <= 1) return false;
  // block parts and heading-less sections are cut without a repeated header
  return c.kind !== 'block' && c.kind !== 'window' && !(c.kind === 'section' && c.name === '');
}

/**
 * The chunk's code from its declaration line on, from its lines in the source
 * file (startLine..endLine, as SearchContext.readText gives them): a unit
 * opens at its declaration (its doc comment above is left out), a later part
 * of a split unit under its signature, repeated, as it was embedded.
 */
export function sourceView(text: string, c: SnippetChunk): CodeView {
  const all = text.split('\n');
  if (repeatsSignature(c)) return { lines: [c.signature, ...all], detached: true };
  const decl = c.kind === 'file' ? 0 : Math.max(0, c.declLine - c.startLine);
  return { lines: all.slice(Math.min(decl, all.length)), detached: false };
}

function leadingSpace(l: string): string {
  return /^[ \t]*/.exec(l)![0];
}

/** Longest whitespace prefix common to the non-blank lines. */
function commonIndent(lines: string[]): string {
  let common: string | null = null;
  for (const l of lines) {
    if (!l.trim()) continue;
    const ws = leadingSpace(l);
    if (common === null) { common = ws; continue; }
    let i = 0;
    while (i < common.length && i < ws.length && common[i] === ws[i]) i++;
    common = common.slice(0, i);
    if (!common) break;
  }
  return common ?? '';
}

/** One level of indentation in these lines: a tab, or the smallest step between indent widths (at most 4 spaces). */
function indentUnit(lines: string[], common: string): string {
  if (!common) return '';
  if (common.startsWith('\t')) return '\t';
  const widths = [...new Set(lines.filter((l) => l.trim()).map((l) => leadingSpace(l).length))].sort((a, b) => a - b);
  let step = Math.min(common.length, 4);
  for (let i = 1; i < widths.length; i++) step = Math.min(step, widths[i] - widths[i - 1]);
  return ' '.repeat(Math.max(1, step));
}

const CLOSER = /^(?:[}\])]+[;,]?|end|End|END)$/;

/**
 * The indentation the declaration had, judged from a stretch of its body (a
 * later part repeats the signature without it): the closing line's when the
 * stretch ends the unit, else one level less than the body's.
 */
function declarationIndent(body: string[], endsUnit: boolean): string {
  const lastLine = [...body].reverse().find((l) => l.trim());
  if (endsUnit && lastLine !== undefined && CLOSER.test(lastLine.trim())) return leadingSpace(lastLine);
  const common = commonIndent(body);
  return common.slice(0, common.length - indentUnit(body, common).length);
}

/**
 * Which lines to show (indexes into the view, ascending): the declaration and
 * the lines after it, unless a stretch further down holds more of the matched
 * words — then the declaration and that stretch.
 */
function chooseLines(hits: string[][], detached: boolean): number[] {
  const n = hits.length;
  const range = (from: number, to: number) => Array.from({ length: Math.max(0, Math.min(n, to) - from) }, (_, i) => from + i);
  const covered = (idx: number[]) => new Set(idx.flatMap((i) => hits[i])).size;
  const head = range(0, SNIPPET_LINES);
  // the stretch further down: most words covered, then most on its first line, then the earliest
  let stretch: number[] | null = null;
  let stretchCover = 0;
  for (let s = 2; s < n; s++) {
    if (hits[s].length === 0) continue;
    const idx = [0, ...range(s, s + SNIPPET_LINES - 1)];
    const c = covered(idx);
    if (!stretch || c > stretchCover || (c === stretchCover && hits[s].length > hits[stretch[1]].length)) { stretch = idx; stretchCover = c; }
  }
  // the declaration's own neighbourhood wins ties
  const best = stretch && stretchCover > covered(head) ? stretch : head;
  if (!detached && best.length > 1 && best[1] === 2) best.splice(1, 0, 1); // a gap of one line: show the line
  return best;
}

function cut(l: string): string {
  return l.length > MAX_LINE ? l.slice(0, MAX_LINE) + '…' : l;
}

export function makeSnippet(view: CodeView, chunk: SnippetChunk, queryWords: string[]): Snippet {
  const { lines, detached } = view;
  const lower = lines.map((l) => l.toLowerCase());
  const words: string[] = [];
  for (const w of queryWords) if (isContentWord(w) && !words.some((x) => x.toLowerCase() === w.toLowerCase())) words.push(w);
  const matched = words.filter((w) => lower.some((l) => l.includes(w.toLowerCase())));
  const hits = lower.map((l) => matched.filter((w) => l.includes(w.toLowerCase())));
  const shown = chooseLines(hits, detached);

  // null: the gap mark
  const rows: Array<string | null> = [];
  shown.forEach((i, at) => {
    if (at > 0 && (i > shown[at - 1] + 1 || (detached && shown[at - 1] === 0))) rows.push(null);
    rows.push(lines[i]);
  });
  for (let last = rows[rows.length - 1]; rows.length > 1 && (last === null || !last.trim()); last = rows[rows.length - 1]) rows.pop();

  let out: Array<string | null>;
  if (detached) {
    // the repeated signature has lost its indentation: strip from the body what the declaration had
    const body = lines.slice(1);
    const indent = declarationIndent(body, chunk.part !== undefined && chunk.part.index === chunk.part.count);
    out = rows.map((r, i) => (i === 0 || r === null ? r : !r.trim() ? '' : r.startsWith(indent) ? r.slice(indent.length) : r.trimStart()));
  } else {
    const common = commonIndent(rows.filter((r): r is string => r !== null));
    out = rows.map((r) => (r === null ? r : r.trim() ? r.slice(common.length) : ''));
  }
  // the gap mark sits at the indentation of the line after it
  const shownText = out.map((r, i) => (r === null ? leadingSpace(out[i + 1] ?? '') + SNIPPET_GAP : cut(r))).join('\n');
  return { text: shownText, matched };
}
