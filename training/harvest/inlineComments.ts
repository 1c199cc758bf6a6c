// Comments inside a function body: each whole-line comment (or run of them)
// with the statements it precedes. The pair's code is the function without
// that comment, so the comment's words cannot be matched in the code itself.
import { cleanComments } from '../../src/core/chunk/docText';
import type { LanguageId } from '../../src/core/types';

export interface InlineComment {
  /** Rows (0-based, inclusive) of the comment within the code. */
  startRow: number;
  endRow: number;
  /** The comment's text without comment markers. */
  text: string;
  /** The code without the comment's rows. */
  codeWithout: string;
  /** The statements the comment precedes, dedented: up to a blank line, a dedent or the next comment. */
  block: string;
}

const HASH_COMMENTS: ReadonlySet<LanguageId> = new Set(['python', 'ruby', 'php']);
const SLASH_COMMENTS: ReadonlySet<LanguageId> = new Set(['javascript', 'typescript', 'tsx', 'go', 'rust', 'java', 'c', 'cpp', 'csharp', 'php']);
/** Longest statement block kept with a comment. */
const MAX_BLOCK_LINES = 30;

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** Kind of a whole-line comment start, or null when the line is not one. */
function commentStart(line: string, lang: LanguageId): 'line' | 'block' | null {
  const t = line.trimStart();
  if (SLASH_COMMENTS.has(lang)) {
    if (t.startsWith('//')) return 'line';
    if (t.startsWith('/*')) return 'block';
  }
  if (HASH_COMMENTS.has(lang) && t.startsWith('#') && !t.startsWith('#[') && !t.startsWith('#{') && !t.startsWith('#!')) return 'line';
  return null;
}

/**
 * Whole-line comments in the body of a function's code (its first line, the
 * declaration, and its last line never count). Comments trailing code, and
 * comments whose following block is empty, are left out.
 */
export function findInlineComments(code: string, lang: LanguageId): InlineComment[] {
  const lines = code.split('\n');
  const out: InlineComment[] = [];
  const baseIndent = indentOf(lines[0] ?? '');
  const indentedBody = lang === 'python' || lang === 'ruby';
  let row = 1;
  while (row < lines.length - 1) {
    const kind = commentStart(lines[row], lang);
    if (!kind || (indentedBody && indentOf(lines[row]) <= baseIndent)) {
      row++;
      continue;
    }
    const start = row;
    if (kind === 'block') {
      // a block comment must close on a line that holds nothing after it
      let end = row;
      while (end < lines.length && !lines[end].includes('*/', end === row ? lines[row].indexOf('/*') + 2 : 0)) end++;
      if (end >= lines.length || !/\*\/\s*$/.test(lines[end])) {
        row = end + 1;
        continue;
      }
      row = end + 1;
    } else {
      while (row < lines.length && commentStart(lines[row], lang) === 'line') row++;
    }
    const endRow = row - 1;
    const block = followingBlock(lines, row, indentOf(lines[start]), lang);
    if (block === '') continue;
    const text = cleanComments([lines.slice(start, endRow + 1).join('\n')]);
    const codeWithout = [...lines.slice(0, start), ...lines.slice(endRow + 1)].join('\n');
    out.push({ startRow: start, endRow, text, codeWithout, block });
  }
  return out;
}

/** Statements from `row` on at indent ≥ the comment's, until a blank line, a dedent or the next comment. */
function followingBlock(lines: string[], row: number, indent: number, lang: LanguageId): string {
  const taken: string[] = [];
  for (let r = row; r < lines.length && taken.length < MAX_BLOCK_LINES; r++) {
    const l = lines[r];
    if (l.trim() === '') break;
    if (indentOf(l) < indent) break;
    if (indentOf(l) === indent && commentStart(l, lang)) break;
    taken.push(l);
  }
  // a closing brace alone is no statement
  while (taken.length && /^[\s})\];,]*$/.test(taken[taken.length - 1])) taken.pop();
  if (taken.length === 0) return '';
  const min = Math.min(...taken.map(indentOf));
  return taken.map((l) => l.slice(min)).join('\n');
}
