// A few lines of a hit to show a person: the lines of the code that hold the
// most query words, and which words matched (for highlighting).
import type { StoredChunk } from '../persist/indexStore';

const SNIPPET_LINES = 4;
const MAX_LINE = 160;

export interface Snippet { text: string; matched: string[] }

/** Lines of the chunk's code, without the header (path, context) that renderChunkText put above it. */
function codeLines(text: string, chunk: Pick<StoredChunk, 'startLine' | 'endLine'>): string[] {
  const lines = text.split('\n');
  const span = chunk.endLine - chunk.startLine + 1;
  // the code is the tail of the embedded text; the header sits above it
  return lines.length > span ? lines.slice(lines.length - span) : lines;
}

export function makeSnippet(text: string, chunk: Pick<StoredChunk, 'startLine' | 'endLine'>, queryWords: string[]): Snippet {
  const lines = codeLines(text, chunk);
  const lower = lines.map((l) => l.toLowerCase());
  const matched = queryWords.filter((w) => lower.some((l) => l.includes(w)));
  let best = 0;
  let bestScore = -1;
  for (let i = 0; i < lines.length; i++) {
    let s = 0;
    for (let j = i; j < Math.min(lines.length, i + SNIPPET_LINES); j++) for (const w of matched) if (lower[j].includes(w)) s++;
    if (s > bestScore) { bestScore = s; best = i; }
  }
  // start at the declaration unless the matches are further down
  if (bestScore <= 0) best = 0;
  const out = lines.slice(best, best + SNIPPET_LINES).map((l) => (l.length > MAX_LINE ? l.slice(0, MAX_LINE) + '…' : l));
  while (out.length && !out[out.length - 1].trim()) out.pop();
  return { text: out.join('\n'), matched };
}
