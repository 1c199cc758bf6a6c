// A unit's doc comment as a (query → code) pair: the doc's first sentence as a
// search-like query, the unit's embedded text without the doc as the code.
// The training harvester and the product's own workspace adaptation (learn/)
// make their pairs here, so both learn from the same kind of example.
import { cleanComments } from '../chunk/docText';
import { rawWords } from '../text/identifiers';
import type { Chunk, ChunkKind } from '../types';
import { docQuery } from './queryText';
import { chunkCodePart, isTrivialCode, numericShare, renderWithoutDoc } from './unitCode';

/** Units a doc comment can describe. */
export const DOC_UNIT_KINDS: ReadonlySet<ChunkKind> = new Set(['function', 'method', 'class', 'struct', 'interface', 'enum', 'trait', 'impl', 'type']);
/** Code whose words are mostly numbers is a table. */
const MAX_NUMERIC_SHARE = 0.5;

export interface DocPair {
  query: string;
  /** The unit's embedded text without its doc. */
  code: string;
  /** The bare code part (no path line or context), for duplicate keys. */
  codePart: string;
}

/**
 * The doc text a query is made from. Rust line comments reach the chunker
 * with their newline, so its doc holds a blank line after every line (a
 * paragraph break and a line break look alike): re-read the comment lines
 * above the declaration instead (`lines`: the file's lines; only Rust needs them).
 */
export function queryDoc(chunk: Chunk, lines: string[]): string {
  if (chunk.language !== 'rust') return chunk.doc;
  const comments: string[] = [];
  for (let r = chunk.startLine - 1; r < chunk.declLine - 1 && r < lines.length; r++) {
    const t = lines[r].trim();
    if (t.startsWith('//') || t.startsWith('/*') || t.startsWith('*')) comments.push(lines[r]);
  }
  const doc = comments.length ? cleanComments([comments.join('\n')]) : '';
  return doc || chunk.doc;
}

/** The chunk's doc pair, or why it has none (null: not a documented unit, or a later split part). */
export function docPairOf(chunk: Chunk, lines: string[]): DocPair | { reject: string } | null {
  if (!chunk.doc || !DOC_UNIT_KINDS.has(chunk.kind)) return null;
  if (chunk.part && chunk.part.index !== 1) return null;
  const qr = docQuery(queryDoc(chunk, lines), chunk.name);
  if ('reject' in qr) return { reject: qr.reject };
  const code = chunkCodePart(chunk);
  if (code === null) return { reject: 'code not recoverable from chunk text' };
  if (isTrivialCode(code)) return { reject: 'trivial code (< 3 lines or < 10 subtokens)' };
  if (numericShare(code) > MAX_NUMERIC_SHARE) return { reject: 'table of numbers' };
  return { query: qr.query, code: renderWithoutDoc(chunk, code), codePart: code };
}

const COMMENT_MARKERS = /^\s*(\/\*\*?|\*\/|\*|\/\/\/?|#+|--|"""|'''|r"""|)\s*|\s*(\*\/|"""|''')\s*$/g;
export const lowerWords = (s: string): string[] => rawWords(s).map((w) => w.toLowerCase());

/**
 * Blank (keep as empty lines, so line numbers hold) the lines of a unit that
 * carry its doc sentence: lines inside the unit whose words are mostly the query's.
 * With `declLine`, only doc lines are touched: those above the declaration
 * (comments, decorators) and a docstring opening the body (Python); never the
 * declaration or the code, whose words (`match(cookie, url)`) may well be the query's.
 */
export function blankDocLines(lines: string[], startLine: number, endLine: number, query: string, declLine?: number): number {
  const q = new Set(lowerWords(query));
  let blanked = 0;
  const last = Math.min(endLine, lines.length);
  const candidates: number[] = [];
  if (declLine === undefined) {
    for (let i = startLine - 1; i < last; i++) candidates.push(i);
  } else {
    for (let i = startLine - 1; i < Math.min(declLine - 1, last); i++) candidates.push(i);
    for (const i of docstringLines(lines, declLine - 1, last)) candidates.push(i);
  }
  for (const i of candidates) {
    const content = lines[i].replace(COMMENT_MARKERS, '');
    const words = lowerWords(content);
    if (words.length === 0) continue;
    const shared = words.filter((w) => q.has(w)).length;
    if (shared / words.length >= 0.5 && shared >= Math.min(2, q.size)) { lines[i] = keepQuotes(lines[i]); blanked++; }
  }
  return blanked;
}

/** A blanked line keeps its docstring quotes, so the string around it still opens and closes. */
function keepQuotes(line: string): string {
  const quotes = line.match(/[rRuUbB]?("""|''')/g);
  if (!quotes) return '';
  return line.slice(0, line.length - line.trimStart().length) + quotes.join(' ');
}

const DOCSTRING_OPEN = /^\s*[rRuUbB]?("""|\'\'\')/;

/** Line indexes of a docstring that opens the body after the declaration at `decl` (0-based), if any. */
function docstringLines(lines: string[], decl: number, last: number): number[] {
  // the signature ends at the first line ending with ':' (a Python def or class may span lines)
  let i = decl;
  while (i < last && i < decl + 20 && !/:\s*(#.*)?$/.test(lines[i])) i++;
  i++;
  while (i < last && lines[i].trim() === '') i++;
  const open = i < last ? DOCSTRING_OPEN.exec(lines[i]) : null;
  if (!open) return [];
  const quote = open[1];
  const out = [i];
  const rest = lines[i].slice(lines[i].indexOf(quote) + 3);
  if (rest.includes(quote)) return out;
  for (let j = i + 1; j < last; j++) {
    out.push(j);
    if (lines[j].includes(quote)) break;
  }
  return out;
}
