// Symmetric per-row int8 quantisation: q = round(v / max|v| · 127).
//
// The returned scale is 1 / ‖q‖, i.e. it makes the dequantised row q·scale
// unit length. With both sides scaled that way, dot(qa, qb)·sa·sb is the
// exact cosine of the two quantised vectors: an estimate of the true cosine
// that always lies in [-1, 1], and the input never needs to be unit length.

export const INT8_LEVELS = 127;

/**
 * Index of the first non-finite component of vec[offset, offset + dim), or -1.
 * Callers check this before writing anything, so bad input leaves the store untouched.
 */
export function firstNonFinite(vec: ArrayLike<number>, offset: number, dim: number): number {
  for (let j = 0; j < dim; j++) {
    const v = vec[offset + j];
    if (!Number.isFinite(v)) return j;
  }
  return -1;
}

/**
 * Quantise vec[offset, offset + dim) into out[outOffset, outOffset + dim) and
 * zero out[outOffset + dim, outOffset + padTo). Components must be finite.
 * Returns the scale (1 / ‖q‖), or 0 for an all-zero vector.
 */
export function quantizeInto(
  vec: ArrayLike<number>, offset: number, dim: number,
  out: Int8Array | Int16Array, outOffset: number, padTo: number,
): number {
  let maxAbs = 0;
  for (let j = 0; j < dim; j++) {
    const a = Math.abs(vec[offset + j]);
    if (a > maxAbs) maxAbs = a;
  }
  if (maxAbs === 0) {
    out.fill(0, outOffset, outOffset + padTo);
    return 0;
  }
  // For a tiny (subnormal) maxAbs, 127 / maxAbs overflows: scale the input up first.
  const factor = INT8_LEVELS / maxAbs;
  const pre = Number.isFinite(factor) ? 1 : 2 ** 64;
  const post = Number.isFinite(factor) ? factor : INT8_LEVELS / (maxAbs * pre);
  let sumSquares = 0;
  for (let j = 0; j < dim; j++) {
    // |v| ≤ maxAbs, so the clamp only guards float rounding.
    let q = Math.round(vec[offset + j] * pre * post);
    if (q > INT8_LEVELS) q = INT8_LEVELS;
    else if (q < -INT8_LEVELS) q = -INT8_LEVELS;
    out[outOffset + j] = q;
    sumSquares += q * q;
  }
  out.fill(0, outOffset + dim, outOffset + padTo);
  return 1 / Math.sqrt(sumSquares);
}
