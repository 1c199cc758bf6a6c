// V8 represents a substring of 13 or more characters as a "sliced string" that
// points into its parent: a term cut from a chunk's text keeps that whole text
// alive for as long as the term is held. Strings kept for the index's lifetime
// (dictionary and cache keys) are copied out of their parent first.

/** The same characters, not sharing storage with a larger string. */
export function detached(s: string): string {
  return s.length < 13 ? s : (JSON.parse(JSON.stringify(s)) as string);
}
