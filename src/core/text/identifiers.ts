// Identifier-aware word splitting, shared by the keyword index and the model
// tokenizer so both see `parseDuration`, `parse_duration` and "parse duration"
// as the same words.

const WORD_RE = /[\p{L}_$][\p{L}\p{N}_$]*|\p{N}+/gu;
// Boundaries inside one identifier: lower→Upper, ACRONYMWord, letter↔digit.
const CAMEL_RE = /(\p{Ll})(\p{Lu})|(\p{Lu})(\p{Lu}\p{Ll})|(\p{L})(\p{N})|(\p{N})(\p{L})/gu;

/** Raw identifier-like words of a text, in order (no splitting, case kept). */
export function rawWords(text: string): string[] {
  return text.match(WORD_RE) ?? [];
}

/** Split one identifier into lower-cased parts: "HTTPServer_v2" → ["http", "server", "v", "2"]. */
export function splitIdentifier(word: string): string[] {
  const spaced = word
    .replace(CAMEL_RE, (_m, a, b, c, d, e, f, g, h) =>
      a !== undefined ? `${a} ${b}` : c !== undefined ? `${c} ${d}` : e !== undefined ? `${e} ${f}` : `${g} ${h}`)
    // a second pass catches overlapping boundaries such as "aB1c"
    .replace(CAMEL_RE, (_m, a, b, c, d, e, f, g, h) =>
      a !== undefined ? `${a} ${b}` : c !== undefined ? `${c} ${d}` : e !== undefined ? `${e} ${f}` : `${g} ${h}`);
  const parts: string[] = [];
  for (const p of spaced.split(/[\s_$\-]+/)) if (p) parts.push(p.toLowerCase());
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
