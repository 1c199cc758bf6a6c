// The coarse pass's second cut: the query's int8 values against a row's sign
// code, Σ q_j over the set bits (monotone in Σ q_j·(±1), the dot product with
// the code read as ±1). Far closer to the exact order than the Hamming
// distance, and cheap per row through one 256-entry table per code byte.

/**
 * out[b·256 + v] = Σ q[8b + i] over the bits i set in v, for each of `bytes`
 * code bytes (dimensions past dim count 0). out holds bytes × 256 entries.
 */
export function byteTables(q: ArrayLike<number>, dim: number, bytes: number, out: Int32Array): void {
  for (let b = 0; b < bytes; b++) {
    const base = b * 256;
    out[base] = 0;
    for (let v = 1; v < 256; v++) {
      const low = 31 - Math.clz32(v & -v); // lowest set bit
      const j = b * 8 + low;
      out[base + v] = out[base + (v & (v - 1))] + (j < dim ? q[j] : 0);
    }
  }
}

/** out[i] = the table score of codes[i · stride, i · stride + bytes), for i < n. */
export function asymmetricScores(
  tables: Int32Array, bytes: number, codes: Uint8Array, stride: number, n: number, out: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    const base = i * stride;
    let s = 0;
    for (let b = 0; b < bytes; b++) s += tables[(b << 8) | codes[base + b]];
    out[i] = s;
  }
}
