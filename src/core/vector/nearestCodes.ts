// The coarse pass's first cut: the rows of the smallest Hamming distances.
// Distances are small integers (0..bits), so a histogram finds the cut-off
// distance in one pass and a second pass collects the rows under it: no sort
// and no heap over the whole store.

/**
 * Up to `want` row indices (< count) with the smallest distances, in no
 * particular order; among rows at the cut-off distance the lower indices are taken.
 * With `accept`, only rows whose key it accepts count, and it is consulted in
 * order of distance, only until `want` are found.
 * `order` is scratch of at least `count` entries (used only with `accept`).
 */
export function nearestCodes(
  dist: ArrayLike<number>, count: number, want: number, maxDist: number,
  keys: ArrayLike<number>, accept: ((key: number) => boolean) | undefined, order: Int32Array,
): Int32Array {
  const hist = new Int32Array(maxDist + 2);
  for (let i = 0; i < count; i++) hist[dist[i]]++;
  if (accept) return nearestAccepted(dist, count, want, keys, accept, hist, order);
  if (want >= count) return Int32Array.from({ length: count }, (_, i) => i);
  let cut = 0;
  let below = 0;
  while (below + hist[cut] < want) below += hist[cut++];
  let atCut = want - below;
  const out = new Int32Array(want);
  let n = 0;
  for (let i = 0; i < count; i++) {
    const d = dist[i];
    if (d < cut) out[n++] = i;
    else if (d === cut && atCut > 0) { out[n++] = i; atCut--; }
  }
  return out;
}

/** Counting sort by distance, then the first `want` accepted rows in that order. */
function nearestAccepted(
  dist: ArrayLike<number>, count: number, want: number, keys: ArrayLike<number>,
  accept: (key: number) => boolean, hist: Int32Array, order: Int32Array,
): Int32Array {
  // hist becomes each distance's next free position in `order`
  for (let d = 0, start = 0; d < hist.length; d++) { const c = hist[d]; hist[d] = start; start += c; }
  for (let i = 0; i < count; i++) order[hist[dist[i]]++] = i;
  const out = new Int32Array(Math.min(want, count));
  let n = 0;
  for (let j = 0; j < count && n < out.length; j++) {
    const i = order[j];
    if (accept(keys[i])) out[n++] = i;
  }
  return out.subarray(0, n);
}
