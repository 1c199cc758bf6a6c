// BM25's sums over posting lists, one piece for every keyword store (the local
// segments, the team index's posting lists), so their scores agree to the
// last bit: per-key float32 sums added in term order, the top taken without
// sorting them all, ties to the smaller key.
import { selectTopK } from '../topK';
import type { KeywordHit } from './bm25Index';
import { termScore } from './bm25Score';

/** Per-key sums of one query: `acc` is all zero between queries (top() zeroes what it touched). */
export class Bm25Sums {
  private readonly touched: number[] = [];

  constructor(private readonly acc: Float32Array) {}

  /**
   * Add one posting list's term scores (term weight `w`); `len[key]` is a key's length. With
   * `state`, only keys whose state is `live` count.
   */
  add(keys: ArrayLike<number>, tfs: ArrayLike<number>, w: number, len: ArrayLike<number>, avgLen: number, state?: ArrayLike<number>, live?: number): void {
    const acc = this.acc;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (state && state[k] !== live) continue;
      if (acc[k] === 0) this.touched.push(k);
      acc[k] += termScore(w, tfs[i], len[k], avgLen);
    }
  }

  /** The `limit` best keys, best first; leaves the accumulator zeroed. */
  top(limit: number): KeywordHit[] {
    const { acc, touched } = this;
    // common words touch most documents: select the top without sorting them all
    const values = new Float64Array(touched.length);
    for (let i = 0; i < touched.length; i++) values[i] = acc[touched[i]];
    for (const k of touched) acc[k] = 0;
    return selectTopK(values, touched, touched.length, limit).map(({ slot, value }) => ({ key: touched[slot], score: value }));
  }
}

/** Position of `key` in ascending `keys`, or -1. */
export function indexOfKey(keys: ArrayLike<number>, key: number): number {
  let lo = 0, hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid] === key) return mid;
    if (keys[mid] < key) lo = mid + 1; else hi = mid - 1;
  }
  return -1;
}
