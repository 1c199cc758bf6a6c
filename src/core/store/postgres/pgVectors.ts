// Vectors as the team index stores them: each row quantised to int8 exactly as
// the local vector store does, its int8 values kept as they are (a pgvector of
// whole numbers) and its scale (1 / its length, as float32) beside it. The
// inner product of two such rows is a sum of integer products, which float32
// holds exactly at these sizes (256 × 127² < 2²⁴), so the database computes
// the local store's score to the last bit: dot × row scale × query scale.
// The HNSW index orders by cosine, which is the same order.
import { quantizeInto } from '../../vector/quantize';

export interface StoredVector {
  /** The int8 values. */
  q: Int8Array;
  /** 1 / ‖q‖ (0 for a zero vector), rounded to float32 as the local store keeps it. */
  scale: number;
}

export function storedVector(v: ArrayLike<number>, offset: number, dim: number): StoredVector {
  const q = new Int8Array(dim);
  const scale = quantizeInto(v, offset, dim, q, 0, dim);
  return { q, scale: Math.fround(scale) };
}

/** A query as the local store scores it: its int8 values and its scale, not rounded (the local store keeps it as a double). */
export function queryVector(v: Float32Array, dim: number): { literal: string; scale: number } {
  const q = new Int8Array(dim);
  const scale = quantizeInto(v, 0, dim, q, 0, dim);
  return { literal: vectorLiteral(q), scale };
}

/** The scale of int8 values read back (from the embedding cache). */
export function scaleOf(q: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < q.length; i++) s += q[i] * q[i];
  return s === 0 ? 0 : Math.fround(1 / Math.sqrt(s));
}

/** pgvector's text form of a vector: [a,b,c]. */
export function vectorLiteral(v: ArrayLike<number>): string {
  let s = '[';
  for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + v[i];
  return s + ']';
}

/** A vector read back in pgvector's text form. */
export function parseVector(text: string): Int8Array {
  const body = text.trim().replace(/^\[|\]$/g, '');
  return body ? Int8Array.from(body.split(','), Number) : new Int8Array(0);
}
