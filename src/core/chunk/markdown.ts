// Markdown / reStructuredText / plain prose: one chunk per heading section,
// with the enclosing headings as context. Sections too large for the window
// are split at paragraph starts into parts that repeat the heading.
import { ChunkSink, firstLine } from './chunkSink';
import { countTokens } from './chunkText';
import { SourceText } from './sourceText';
import { splitRows } from './splitRows';
import { addWindows, WindowOptions } from './windows';

interface Heading {
  /** Row of the heading text. */
  row: number;
  /** First row of the heading (an RST overline), and the last (a setext/RST underline). */
  firstRow: number;
  lastRow: number;
  level: number;
  text: string;
}

export interface ProseResult {
  title: string;
  headings: string[];
  /** First paragraph, used as the file summary's doc. */
  lead: string;
}

const ATX = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;
const RST_ADORNMENT = /^([=\-~^"'`#*+:._<>!$%&,/;?@\\|])\1{2,}[ \t]*$/;

function findHeadings(src: SourceText, rst: boolean): Heading[] {
  const lines = src.lines;
  const headings: Heading[] = [];
  const rstLevels: string[] = [];
  let fence: string | null = null;
  let row = 0;
  // YAML front matter is not a heading section.
  if (lines[0]?.trim() === '---') {
    const close = lines.findIndex((l, i) => i > 0 && (l.trim() === '---' || l.trim() === '...'));
    if (close > 0) row = close + 1;
  }
  for (; row < lines.length; row++) {
    const line = lines[row];
    const f = FENCE.exec(line);
    if (f) {
      if (fence === null) fence = f[1];
      else if (f[1][0] === fence[0] && f[1].length >= fence.length) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const atx = rst ? null : ATX.exec(line);
    if (atx) {
      headings.push({ row, firstRow: row, lastRow: row, level: atx[1].length, text: atx[2].trim() });
      continue;
    }
    const next = lines[row + 1];
    const text = line.trim();
    if (next === undefined || !text || /^[-*+>|]|^\d+[.)]\s/.test(text)) continue;
    const prevBlank = row === 0 || src.isBlank(row - 1);
    if (rst) {
      const m = RST_ADORNMENT.exec(next);
      if (!m || next.trim().length < text.length || RST_ADORNMENT.test(line)) continue;
      const over = row > 0 && lines[row - 1].trim() === next.trim();
      const style = (over ? 'o' : 'u') + m[1];
      if (!rstLevels.includes(style)) rstLevels.push(style);
      headings.push({ row, firstRow: over ? row - 1 : row, lastRow: row + 1, level: rstLevels.indexOf(style) + 1, text });
      row++;
    } else if (prevBlank && SETEXT.test(next)) {
      headings.push({ row, firstRow: row, lastRow: row + 1, level: next.trim()[0] === '=' ? 1 : 2, text });
      row++;
    }
  }
  return headings;
}

function lastContentRow(src: SourceText, start: number, end: number): number {
  let e = end;
  while (e > start && src.isBlank(e)) e--;
  return e;
}

/** Rows where a new paragraph (or fence) begins: allowed part boundaries. */
function paragraphStarts(src: SourceText, start: number, end: number): number[] {
  const cuts: number[] = [];
  let inFence = false;
  for (let r = start + 1; r <= end; r++) {
    if (FENCE.test(src.lines[r])) {
      if (!inFence) cuts.push(r);
      inFence = !inFence;
      continue;
    }
    if (!inFence && src.isBlank(r - 1) && !src.isBlank(r)) cuts.push(r);
  }
  return cuts;
}

function leadParagraph(src: SourceText, start: number, end: number): string {
  let r = start;
  while (r <= end && (src.isBlank(r) || FENCE.test(src.lines[r]))) r++;
  const para: string[] = [];
  for (; r <= end && !src.isBlank(r) && para.length < 12; r++) para.push(src.lines[r].trim());
  return para.join(' ');
}

/** Heading-section chunks of a prose file (sections and, without headings, windows). */
export function addProseChunks(sink: ChunkSink, src: SourceText, maxTokens: number, windows: WindowOptions, rst: boolean): ProseResult {
  const headings = findHeadings(src, rst);
  const n = src.lineCount;
  if (headings.length === 0) {
    addWindows(sink, src, windows);
    return { title: '', headings: [], lead: leadParagraph(src, 0, n - 1) };
  }
  const stack: Heading[] = [];
  const headingLine = (h: Heading) => src.lines[h.row].trim();
  const addSection = (start: number, end: number, h: Heading | null, context: string[]): void => {
    const last = lastContentRow(src, start, end);
    const bodyStart = h ? h.lastRow + 1 : start;
    if (bodyStart > last || src.slice(bodyStart, last).trim() === '') return; // heading only: it is context of what follows
    const signature = h ? headingLine(h) : firstLine(src.slice(start, last));
    const name = h ? h.text : '';
    const declLine = (h ? h.row : start) + 1;
    const tokens = (s: number, e: number) => src.tokens(s, e);
    if (src.tokens(start, last) <= maxTokens) {
      sink.add({ startLine: start + 1, endLine: last + 1, declLine, kind: 'section', name, signature, context, doc: '', code: src.slice(start, last) });
      return;
    }
    const budget = Math.max(Math.floor(maxTokens / 2), maxTokens - countTokens(signature));
    const parts = splitRows(tokens, start, last, paragraphStarts(src, start, last), budget, maxTokens);
    parts.forEach((p, i) => {
      const body = src.slice(p.start, p.end);
      const code = i === 0 || !h ? body : `${signature}\n${body}`;
      sink.add({
        startLine: p.start + 1, endLine: p.end + 1, declLine, kind: 'section', name, signature, context, doc: '', code,
        part: { index: i + 1, count: parts.length },
      });
    });
  };

  if (headings[0].firstRow > 0) addSection(0, headings[0].firstRow - 1, null, []);
  for (let i = 0; i < headings.length; i++) {
    const h = headings[i];
    while (stack.length && stack[stack.length - 1].level >= h.level) stack.pop();
    const context = stack.map(headingLine);
    const end = i + 1 < headings.length ? headings[i + 1].firstRow - 1 : n - 1;
    addSection(h.firstRow, end, h, context);
    stack.push(h);
  }
  const top = headings.reduce((best, h) => (h.level < best.level ? h : best), headings[0]);
  const leadStart = headings[0].firstRow > 0 ? 0 : headings[0].lastRow + 1;
  const leadEnd = headings[0].firstRow > 0 ? headings[0].firstRow - 1 : (headings[1]?.firstRow ?? n) - 1;
  return { title: top.text, headings: headings.map((h) => `${'#'.repeat(h.level)} ${h.text}`), lead: leadParagraph(src, leadStart, leadEnd) };
}
