// Identifier-aware word splitting, shared by the keyword index and the model
// tokenizer so both see `parseDuration`, `parse_duration` and "parse duration"
// as the same words.
import { detached } from './detached';

const WORD_RE = /[\p{L}_$][\p{L}\p{N}_$]*|\p{N}+/gu;

/** Raw identifier-like words of a text, in order (no splitting, case kept). */
export function rawWords(text: string): string[] {
  return text.match(WORD_RE) ?? [];
}

const enum C { Lower, Upper, Digit, Sep }

function charClass(code: number, ch: string): C {
  if (code >= 97 && code <= 122) return C.Lower;
  if (code >= 65 && code <= 90) return C.Upper;
  if (code >= 48 && code <= 57) return C.Digit;
  if (code === 95 || code === 36 || code === 45) return C.Sep;
  if (code < 128) return C.Sep;
  if (/\p{Lu}/u.test(ch)) return C.Upper;
  if (/\p{N}/u.test(ch)) return C.Digit;
  return C.Lower; // other letters (including uncased scripts) join the current part
}

function splitUncached(word: string): string[] {
  const parts: string[] = [];
  const n = word.length;
  let start = -1;
  let prev = C.Sep;
  for (let i = 0; i < n; i++) {
    const code = word.charCodeAt(i);
    const cls = charClass(code, word[i]);
    if (cls === C.Sep) {
      if (start >= 0) parts.push(word.slice(start, i).toLowerCase());
      start = -1;
      prev = cls;
      continue;
    }
    if (start < 0) {
      start = i;
    } else {
      let boundary = false;
      if (cls === C.Upper && prev === C.Lower) boundary = true;                       // parseDuration
      else if ((cls === C.Digit) !== (prev === C.Digit)) boundary = true;               // v2, 2fa
      else if (cls === C.Lower && prev === C.Upper && i - start > 1) {                  // HTTPServer → HTTP|Server
        parts.push(word.slice(start, i - 1).toLowerCase());
        start = i - 1;
      }
      if (boundary) { parts.push(word.slice(start, i).toLowerCase()); start = i; }
    }
    prev = cls;
  }
  if (start >= 0) parts.push(word.slice(start).toLowerCase());
  return parts;
}

// Identifiers repeat endlessly in code; splitting is the hottest loop of indexing.
const splitCache = new Map<string, string[]>();
const SPLIT_CACHE_MAX = 50_000;
// Longer "words" (base64, hashes, minified runs) rarely repeat and could be megabytes.
const SPLIT_CACHE_WORD_MAX = 64;

/** Split one identifier into lower-cased parts: "HTTPServer_v2" → ["http", "server", "v", "2"]. The result is shared: do not mutate it. */
export function splitIdentifier(word: string): string[] {
  let parts = splitCache.get(word);
  if (parts === undefined) {
    parts = splitUncached(word);
    if (word.length > SPLIT_CACHE_WORD_MAX) return parts;
    parts = parts.map(detached);
    if (splitCache.size >= SPLIT_CACHE_MAX) splitCache.clear();
    splitCache.set(detached(word), parts);
  }
  return parts;
}

export interface SplitWord {
  /** Lower-cased raw identifier. */
  raw: string;
  /** Its parts; a single element equal to raw when it is not compound. */
  parts: string[];
}

/** Words of a text with their identifier parts. */
export function splitWords(text: string): SplitWord[] {
  const out: SplitWord[] = [];
  for (const w of rawWords(text)) {
    const parts = splitIdentifier(w);
    if (parts.length === 0) continue;
    out.push({ raw: w.toLowerCase().replace(/^[_$]+|[_$]+$/g, '') || parts.join(''), parts });
  }
  return out;
}

/** True when a query reads like a code identifier rather than prose. */
export function looksLikeIdentifier(query: string): boolean {
  const words = rawWords(query);
  if (words.length === 0) return false;
  if (/[(){}\[\].:<>=]/.test(query) && words.length <= 4) return true;
  let compound = 0;
  for (const w of words) if (splitIdentifier(w).length > 1 || /[_$]/.test(w)) compound++;
  return words.length <= 3 ? compound >= 1 : compound / words.length >= 0.5;
}
