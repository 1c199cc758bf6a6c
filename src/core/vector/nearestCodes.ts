// The coarse pass's first cut: the rows of the smallest Hamming distances.
// Distances are small integers (0..bits), so their histogram (counted by the
// Hamming kernel) gives the cut-off distance and one pass collects the rows
// under it: no sort and no heap over the whole store.

/** The top bit of each 16-bit lane, as an int32 (what `&` returns). */
const HIGH = 0x80008000 | 0;

/**
 * Up to `want` row indices (< count) with the smallest distances, in no
 * particular order; among rows at the cut-off distance the lower indices are taken.
 * hist[d] counts the rows at distance d (it is used up: the filtered path reuses it).
 * With `accept`, only rows whose key it accepts count, and it is consulted in
 * order of distance, only until `want` are found.
 * `order` is scratch of at least `count` entries (used only with `accept`).
 */
export function nearestCodes(
  dist: Uint16Array, hist: Int32Array, count: number, want: number,
  keys: ArrayLike<number>, accept: ((key: number) => boolean) | undefined, order: Int32Array,
): Int32Array {
  if (accept) return nearestAccepted(dist, count, want, keys, accept, hist, order);
  if (want >= count) return Int32Array.from({ length: count }, (_, i) => i);
  let cut = 0;
  let below = 0;
  while (below + hist[cut] < want) below += hist[cut++];
  let atCut = want - below;
  const out = new Int32Array(want);
  let n = 0;
  const take = (i: number): void => {
    const d = dist[i];
    if (d < cut) out[n++] = i;
    else if (d === cut && atCut > 0) { out[n++] = i; atCut--; }
  };
  // two distances per 32-bit word (they are < 2^15): bit 15 of a lane of
  // (word | 0x80008000) − (cut + 1) · 0x00010001 stays set iff that lane > cut,
  // so a word whose lanes both exceed the cut-off costs one test
  const aligned = (dist.byteOffset & 3) === 0;
  const pairs = aligned ? count >> 1 : 0;
  const words = aligned ? new Uint32Array(dist.buffer, dist.byteOffset, pairs) : new Uint32Array(0);
  const sub = (cut + 1) * 0x00010001;
  for (let w = 0; w < pairs; w++) {
    if ((((words[w] | HIGH) - sub) & HIGH) === HIGH) continue; // ToInt32 of the difference: its low 32 bits
    take(2 * w);
    take(2 * w + 1);
  }
  for (let i = pairs * 2; i < count; i++) take(i);
  return out;
}

/** Rows the filtered path first sorts, as a multiple of `want`: enough unless the filter keeps under ~1 key in 8. */
const FILTER_REACH = 8;

/**
 * Counting sort by distance of the rows nearer than a bound, then the first
 * `want` accepted rows in that order. The bound first takes FILTER_REACH × want
 * rows; when the filter accepts too few of them, every row.
 */
function nearestAccepted(
  dist: Uint16Array, count: number, want: number, keys: ArrayLike<number>,
  accept: (key: number) => boolean, hist: Int32Array, order: Int32Array,
): Int32Array {
  const out = new Int32Array(Math.min(want, count));
  const next = new Int32Array(hist.length);
  let done = 0; // rows already walked (all those nearer than the previous bound)
  let n = 0;
  for (const reach of [want * FILTER_REACH, Infinity]) {
    let bound = 0, sorted = 0;
    while (bound < hist.length && sorted < reach) sorted += hist[bound++];
    // next[d]: where the next row at distance d goes in `order`
    for (let d = 0, start = 0; d < bound; d++) { next[d] = start; start += hist[d]; }
    for (let i = 0; i < count; i++) { const d = dist[i]; if (d < bound) order[next[d]++] = i; }
    for (let j = done; j < sorted && n < out.length; j++) {
      const i = order[j];
      if (accept(keys[i])) out[n++] = i;
    }
    if (n === out.length || bound === hist.length) break;
    done = sorted;
  }
  return out.subarray(0, n);
}
