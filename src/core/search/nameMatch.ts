// How well a query names a chunk: the strongest single keyword signal.
import { looksLikeIdentifier, splitWords } from '../text/identifiers';

/** Last segment of a qualified name: "Query.isStaleByTime" → "isStaleByTime". */
export function shortName(name: string): string {
  const m = /([^.:#\s]+)\s*$/.exec(name);
  return m ? m[1] : name;
}

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
  const q = splitWords(query);
  if (q.length === 0) return () => 0;
  const qJoinedWords = new Set(q.map((w) => w.parts.join('')));
  const qParts = q.flatMap((w) => w.parts);
  const qPartSet = new Set(qParts);
  const qSpaced = ' ' + qParts.join(' ') + ' ';
  const shortOrIdentifier = q.length <= 2 || looksLikeIdentifier(query);
  return (name: string): number => {
    const nameWords = splitWords(shortName(name));
    if (nameWords.length === 0) return 0;
    const nameParts = nameWords.flatMap((w) => w.parts);
    // A one-word name ("validate", "get") met in a sentence is weak evidence; met alone it is the answer.
    const exact = nameParts.length > 1 || shortOrIdentifier ? 1 : 0.3;
    if (qJoinedWords.has(nameParts.join(''))) return exact;
    if (nameParts.length > 1 && qSpaced.includes(' ' + nameParts.join(' ') + ' ')) return 1;
    if (nameParts.length > 1 && nameParts.every((p) => qPartSet.has(p))) return 0.5;
    return 0;
  };
}
