// Plain TypeScript embedding: the same maths as the ONNX graph, used to check
// that graph (parity test) and usable by training code without a runtime.
import type { Tokenizer } from './tokenizer';

/**
 * Embed one text: sum of `weight × row` over the encoded rows, then L2-normalised.
 * `table` is float [rows × dim], or int8 with per-row `scales` (row value = q × scale).
 * An empty text gives a zero vector.
 */
export function embedReference(
  tokenizer: Tokenizer,
  table: Float32Array | Int8Array,
  scales: Float32Array | undefined,
  dim: number,
  text: string,
): Float32Array {
  const rowCount = tokenizer.rowCount;
  if (table.length !== rowCount * dim) {
    throw new Error(`embedReference: table has ${table.length} values, expected ${rowCount} rows × ${dim}`);
  }
  if (table instanceof Int8Array && (!scales || scales.length !== rowCount)) {
    throw new Error('embedReference: an int8 table needs one scale per row');
  }
  const out = new Float32Array(dim);
  const { rows, weights } = tokenizer.encode(text);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const w = weights[i] * (scales ? scales[r] : 1);
    const off = r * dim;
    for (let d = 0; d < dim; d++) out[d] += w * table[off + d];
  }
  let norm = 0;
  for (let d = 0; d < dim; d++) norm += out[d] * out[d];
  norm = Math.sqrt(norm);
  if (norm > 1e-9) for (let d = 0; d < dim; d++) out[d] /= norm;
  return out;
}
