// Which segments to merge next. Only neighbours merge, so segments keep
// disjoint, ascending key ranges and a merge concatenates postings. A
// segment's level is log4 of its document count: MERGE_WIDTH neighbours of
// one level merge into one of the next (each document is rewritten about
// log4(n) times, as in Lucene's log merge policy). Past MAX_SEGMENTS, the
// MERGE_WIDTH neighbours with the fewest documents merge whatever their
// levels; a segment whose documents are mostly removed is rewritten.
export const MAX_SEGMENTS = 12;
const MERGE_WIDTH = 4;

const level = (docs: number) => Math.floor(Math.log(Math.max(1, docs)) / Math.log(MERGE_WIDTH));

/** [start, end) of the segments to merge next, or null; `docs` and `removed` per segment, in key order. */
export function pickMerge(docs: readonly number[], removed: readonly number[]): [number, number] | null {
  for (let i = 0; i < docs.length; i++) if (removed[i] > 0 && removed[i] * 2 >= docs[i]) return [i, i + 1];
  // newest first: a run of MERGE_WIDTH neighbours of one level
  for (let end = docs.length; end >= MERGE_WIDTH; end--) {
    const l = level(docs[end - 1]);
    let same = true;
    for (let j = end - MERGE_WIDTH; j < end - 1 && same; j++) same = level(docs[j]) === l;
    if (same) return [end - MERGE_WIDTH, end];
  }
  if (docs.length <= MAX_SEGMENTS) return null;
  let best = -1, bestSize = Infinity;
  for (let i = 0; i + MERGE_WIDTH <= docs.length; i++) {
    let size = 0;
    for (let j = i; j < i + MERGE_WIDTH; j++) size += docs[j];
    if (size <= bestSize) { best = i; bestSize = size; } // ties: the newest
  }
  return [best, best + MERGE_WIDTH];
}
