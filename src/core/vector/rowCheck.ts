// A row read lazily from the vector file is checked against what is held in
// memory (read and CRC-checked when the file was opened): its scale (1 / ‖row‖,
// so its sum of squares) and its sign code. Together they catch any change of a
// single byte: one that keeps |v| flips its sign (v ≠ 0), one that changes |v|
// changes the sum of squares (the float32 scale tells integer sums of squares
// apart up to 2^22, i.e. every int8 row of up to 260 dimensions; beyond that two
// adjacent sums can share a scale).

/** Whether row[at, at + dim) has the given float32 scale and the sign code code[codeAt …]. */
export function rowMatches(
  row: Int8Array, at: number, dim: number, scale: number, code: Uint8Array, codeAt: number,
): boolean {
  let sumSquares = 0;
  for (let b = 0, j = 0; j < dim; b++) {
    let bits = 0;
    const end = Math.min(dim, j + 8);
    for (let bit = 0; j < end; j++, bit++) {
      const v = row[at + j];
      sumSquares += v * v;
      if (v > 0) bits |= 1 << bit;
    }
    if (bits !== code[codeAt + b]) return false;
  }
  const expect = sumSquares === 0 ? 0 : Math.fround(1 / Math.sqrt(sumSquares));
  return expect === scale;
}
