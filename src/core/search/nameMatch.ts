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
  const short = shortName(name);
  const nameWords = splitWords(short);
  if (nameWords.length === 0) return 0;
  const nameParts = nameWords.flatMap((w) => w.parts);
  const nameJoined = nameParts.join('');
  const q = splitWords(query);
  if (q.length === 0) return 0;
  // A one-word name ("validate", "get") met in a sentence is weak evidence; met alone it is the answer.
  const exact = nameParts.length > 1 || q.length <= 2 || looksLikeIdentifier(query) ? 1 : 0.3;
  for (const w of q) if (w.parts.join('') === nameJoined) return exact;
  const qParts = q.flatMap((w) => w.parts);
  const qJoined = qParts.join(' ');
  if (nameParts.length > 1 && (' ' + qJoined + ' ').includes(' ' + nameParts.join(' ') + ' ')) return 1;
  if (nameParts.length > 1 && nameParts.every((p) => qParts.includes(p))) return 0.5;
  return 0;
}
