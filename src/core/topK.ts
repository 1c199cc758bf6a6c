// Top-k selection with a bounded min-heap, for the vector scan's scores and the
// BM25 accumulator alike: O(n log k) and no object per candidate. Ties go to
// the smaller key so results do not depend on slot order, which removals reshuffle.

/** Whether row a ranks below row b: lower value, or equal value and larger key. */
function worse(va: number, ka: number, vb: number, kb: number): boolean {
  return va < vb || (va === vb && ka > kb);
}

export interface RankedSlot {
  slot: number;
  value: number;
}

/**
 * The k best of slots 0..count-1 by values[slot] (× scales[slot] when given),
 * best first. `accept` is consulted only for slots that would enter the
 * current top k, so it may not see every key.
 */
export function selectTopK(
  values: ArrayLike<number>, keys: ArrayLike<number>, count: number, k: number,
  accept?: (key: number) => boolean, scales?: ArrayLike<number>,
): RankedSlot[] {
  const cap = Math.min(k, count);
  if (cap <= 0) return [];
  // heap[0] is the worst kept row; `floor` caches its value for the common reject
  const heapValue = new Float64Array(cap);
  const heapSlot = new Int32Array(cap);
  let size = 0;
  let floor = -Infinity;

  for (let slot = 0; slot < count; slot++) {
    const value = scales ? values[slot] * scales[slot] : values[slot];
    if (value < floor) continue;
    const key = keys[slot];
    if (size === cap) {
      if (value === floor && key > keys[heapSlot[0]]) continue;
      if (accept && !accept(key)) continue;
      // replace the root and sift down
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        let c = l;
        const r = l + 1;
        if (r < size && worse(heapValue[r], keys[heapSlot[r]], heapValue[l], keys[heapSlot[l]])) c = r;
        if (!worse(heapValue[c], keys[heapSlot[c]], value, key)) break;
        heapValue[i] = heapValue[c];
        heapSlot[i] = heapSlot[c];
        i = c;
      }
      heapValue[i] = value;
      heapSlot[i] = slot;
    } else {
      if (accept && !accept(key)) continue;
      let i = size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!worse(value, key, heapValue[p], keys[heapSlot[p]])) break;
        heapValue[i] = heapValue[p];
        heapSlot[i] = heapSlot[p];
        i = p;
      }
      heapValue[i] = value;
      heapSlot[i] = slot;
    }
    if (size === cap) floor = heapValue[0];
  }

  const out: RankedSlot[] = [];
  for (let i = 0; i < size; i++) out.push({ slot: heapSlot[i], value: heapValue[i] });
  out.sort((a, b) => b.value - a.value || keys[a.slot] - keys[b.slot]);
  return out;
}
