// How well a query names a chunk: the strongest single keyword signal.
import { looksLikeIdentifier, splitIdentifier, splitWords } from '../text/identifiers';
import { humpQuery, humpScore, nameParts, shortName } from '../text/symbolNames';

export { shortName };

/**
 * 1 when a query word is the chunk's name (case-insensitive, `parse_duration`
 * matches `parseDuration`) or the query's words spell it in order; 0.5 when all
 * of the name's parts appear in the query; 0.3 for a one-word name found
 * inside a longer sentence; else 0.
 */
export function nameMatchScore(query: string, name: string): number {
  return nameMatcher(query)(name);
}

/** nameMatchScore for one query against many names: the query is split once. */
export function nameMatcher(query: string): (name: string) => number {
  const exact = exactMatcher(query);
  return (name: string): number => {
    const parts = nameParts(name);
    return exact(parts, parts.join(''));
  };
}

/** nameMatcher over a name's parts (nameParts()) and their concatenation. */
function exactMatcher(query: string): (nameParts: string[], joined: string) => number {
  const q = splitWords(query);
  if (q.length === 0) return () => 0;
  const qJoinedWords = new Set(q.map((w) => w.parts.join('')));
  const qParts = q.flatMap((w) => w.parts);
  const qPartSet = new Set(qParts);
  const qSpaced = ' ' + qParts.join(' ') + ' ';
  const shortOrIdentifier = q.length <= 2 || looksLikeIdentifier(query);
  return (nameParts: string[], joined: string): number => {
    if (nameParts.length === 0) return 0;
    // A one-word name ("validate", "get") met in a sentence is weak evidence; met alone it is the answer.
    const exact = nameParts.length > 1 || shortOrIdentifier ? 1 : 0.3;
    if (qJoinedWords.has(joined)) return exact;
    // spelled out in order (1) needs every part in the query (0.5): test the cheap condition first
    if (nameParts.length < 2 || !nameParts.every((p) => qPartSet.has(p))) return 0;
    return qSpaced.includes(' ' + nameParts.join(' ') + ' ') ? 1 : 0.5;
  };
}

/** The ways a query can name a chunk, each 0..1; see nameEvidence(). */
export interface NameEvidence {
  /** nameMatchScore(): 1 exact or spelled out, 0.5 all name parts in the query, 0.3 a one-word name inside a sentence. */
  exact: number;
  /** Share of the name's parts found among the query's parts. */
  words: number;
  /** The query, or one of its words, begins the name ("get_cont" → get_content_charset): typed length / name length; 0 when exact. */
  prefix: number;
  /** A one-identifier query matches the name by humps (gcc, getContChs → get_content_charset): 1 for a tight match; 0 when exact or prefix. */
  fuzzy: number;
}

/** NameEvidence for many names against one query: the query is split once. */
export function nameEvidence(query: string): (name: string) => NameEvidence {
  const exactOf = exactMatcher(query);
  const qParts = new Set(splitWords(query).flatMap((w) => w.parts));
  const typed = typedPrefixes(query);
  const hump = humpQuery(query);
  return (name: string): NameEvidence => {
    const parts = nameParts(name);
    if (parts.length === 0) return { exact: 0, words: 0, prefix: 0, fuzzy: 0 };
    const joined = parts.join('');
    const exact = exactOf(parts, joined);
    let found = 0;
    for (const p of parts) if (qParts.has(p)) found++;
    const prefix = exact > 0 ? 0 : prefixScore(typed, parts, joined);
    // most names fail on the first character: spell them out with spaces only when it matches
    const fuzzy = exact > 0 || prefix > 0 || hump === null || hump.charCodeAt(0) !== joined.charCodeAt(0) ? 0 : humpScore(hump, parts.join(' '));
    return { exact, words: found / parts.length, prefix, fuzzy };
  };
}

// One typed letter begins too many names to say anything.
const PREFIX_MIN = 2;
// Words of a query as typed: identifiers with their separators (make_msg, make-msg, makeMsg).
const TYPED_RE = /[\p{L}\p{N}_$-]+/gu;

/**
 * Part lists a name may begin with: the whole query's ("get cont"), and each word's when the query
 * is typed like a name (one or two words, or identifier-like). In a sentence an everyday word
 * ("render a histogram…") beginning a name (renderBanner) says no more than `words` already does.
 */
function typedPrefixes(query: string): string[][] {
  const words = (query.match(TYPED_RE) ?? []).map(splitIdentifier).filter((p) => p.length > 0);
  const eachWord = words.length <= 2 || looksLikeIdentifier(query);
  const lists = eachWord ? [...words] : [];
  if (words.length > 1 || lists.length === 0) lists.push(words.flat());
  return lists.filter((p) => p.join('').length >= PREFIX_MIN);
}

/** Best typed length / name length over the typed part lists that begin the name but are not all of it. */
function prefixScore(typed: string[][], parts: string[], joined: string): number {
  let best = 0;
  for (const t of typed) {
    const q = t.join('');
    if (q.length >= joined.length || q.length <= best * joined.length) continue;
    if (joined.startsWith(q) || partsBegin(t, parts)) best = q.length / joined.length;
  }
  return best;
}

/** Whether each typed part begins the name part at the same position (get_con_char → get_content_charset). */
function partsBegin(typed: string[], parts: string[]): boolean {
  if (typed.length > parts.length) return false;
  for (let i = 0; i < typed.length; i++) if (!parts[i].startsWith(typed[i])) return false;
  return true;
}
