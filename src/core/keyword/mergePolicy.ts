// Which segments to merge next. Only neighbours merge, so segments keep
// disjoint, ascending key ranges and a merge concatenates postings. Flushes
// add segments at the end; when there are more than MAX_SEGMENTS, the
// MERGE_WIDTH neighbours with the fewest documents between them merge
// (sizes then grow geometrically, so each document is rewritten about
// log(n) times). A segment whose documents are mostly removed is rewritten.
export const MAX_SEGMENTS = 8;
const MERGE_WIDTH = 4;

/** [start, end) of the segments to merge next, or null; `docs` and `removed` per segment, in key order. */
export function pickMerge(docs: readonly number[], removed: readonly number[]): [number, number] | null {
  for (let i = 0; i < docs.length; i++) if (removed[i] > 0 && removed[i] * 2 >= docs[i]) return [i, i + 1];
  if (docs.length <= MAX_SEGMENTS) return null;
  let best = -1, bestSize = Infinity;
  for (let i = 0; i + MERGE_WIDTH <= docs.length; i++) {
    let size = 0;
    for (let j = i; j < i + MERGE_WIDTH; j++) size += docs[j];
    if (size <= bestSize) { best = i; bestSize = size; } // ties: the newest
  }
  return [best, best + MERGE_WIDTH];
}
