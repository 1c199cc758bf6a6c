// The exact text a chunk is embedded as, and the size measure used to decide
// when a unit is too large for the model window. The training harvester calls
// renderChunkText too (with doc=''), so training pairs and the engine agree on form.
import { rawWords, splitIdentifier } from '../text/identifiers';

/** Hard cap on a chunk's embedded text; the chunk's line span stays true when text is cut. */
export const MAX_CHUNK_TEXT_CHARS = 8192;

/**
 * The embedded text: the path line, one line per enclosing context, the doc
 * comment (when any) and the code. Empty parts are left out; nothing else is added.
 */
export function renderChunkText(p: { file: string; context: string[]; doc: string; code: string }): string {
  const parts: string[] = [p.file];
  for (const c of p.context) if (c) parts.push(c);
  const doc = p.doc.trim();
  if (doc) parts.push(doc);
  const code = p.code.replace(/\s+$/, '');
  if (code) parts.push(code);
  return parts.join('\n');
}

// ASCII character classes for the fast path of countTokens.
const isUpper = (c: number) => c >= 65 && c <= 90;
const isLower = (c: number) => c >= 97 && c <= 122;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isSeparator = (c: number) => c === 95 /* _ */ || c === 36; /* $ */
const NON_ASCII = /[^\x00-\x7f]/;

/** Parts of the ASCII identifier text[start..end), by splitIdentifier's rules. */
function asciiIdentifierParts(text: string, start: number, end: number): number {
  let parts = 0;
  let inPart = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (isSeparator(c)) {
      inPart = false;
      continue;
    }
    if (!inPart) {
      parts++;
      inPart = true;
      continue;
    }
    const p = text.charCodeAt(i - 1);
    if (
      (isLower(p) && isUpper(c))
      || (isUpper(p) && isUpper(c) && i + 1 < end && isLower(text.charCodeAt(i + 1))) // HTTPServer
      || (!isDigit(p) && isDigit(c))
      || (isDigit(p) && !isDigit(c))
    ) parts++;
  }
  return parts;
}

/**
 * Model-window size of a text: the number of identifier sub-parts, exactly
 * as many as splitWords(text) yields parts ("parseHTTPDate x" → 4).
 */
export function countTokens(text: string): number {
  if (NON_ASCII.test(text)) {
    let n = 0;
    for (const w of rawWords(text)) n += splitIdentifier(w).length;
    return n;
  }
  // One pass over ASCII text, equivalent to rawWords + splitIdentifier without the allocations.
  let n = 0;
  const len = text.length;
  let i = 0;
  while (i < len) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) {
      n++;
      while (i < len && isDigit(text.charCodeAt(i))) i++;
    } else if (isUpper(c) || isLower(c) || isSeparator(c)) {
      let j = i + 1;
      for (; j < len; j++) {
        const d = text.charCodeAt(j);
        if (!(isUpper(d) || isLower(d) || isDigit(d) || isSeparator(d))) break;
      }
      n += asciiIdentifierParts(text, i, j);
      i = j;
    } else {
      i++;
    }
  }
  return n;
}

/** Cut a text to at most max characters, preferring a line boundary in the last quarter. */
export function capText(text: string, max = MAX_CHUNK_TEXT_CHARS): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf('\n', max);
  return cut > max * 0.75 ? text.slice(0, cut) : text.slice(0, max);
}
