// Sign codes: one bit per dimension, set where the int8 component is > 0.
// The coarse pass compares them with XOR + popcount (Hamming distance) and
// scores them against the query's int8 values; a lazily read row is checked
// against its stored code (see rowCheck.ts).

/** Bytes of a code as stored in the vector file: whole 32-bit words. */
export function fileCodeBytes(dim: number): number {
  return Math.ceil(dim / 32) * 4;
}

/** Bytes of a code in the Hamming kernel: whole 16-byte SIMD lanes. */
export function kernelCodeStride(dim: number): number {
  return Math.ceil(dim / 128) * 16;
}

/**
 * Write the sign code of values[offset, offset + dim) into out[outOffset, outOffset + bytes),
 * zeroing the bytes past the dimension's bits.
 */
export function signCodeInto(
  values: ArrayLike<number>, offset: number, dim: number, out: Uint8Array, outOffset: number, bytes: number,
): void {
  out.fill(0, outOffset, outOffset + bytes);
  for (let j = 0; j < dim; j++) if (values[offset + j] > 0) out[outOffset + (j >> 3)] |= 1 << (j & 7);
}
