// The shipped model's graph is an embedding bag: a weighted sum of int8 table
// rows (per-row scales), L2-normalised. When a model file is exactly that graph
// the engine evaluates it here, in plain TypeScript, instead of in
// onnxruntime-web: measured on the shipped model, onnxruntime spends ~0.5 ms
// per code chunk materialising the gathered rows and costs 200–400 MB of RSS,
// while this costs a few microseconds per distinct subtoken and only the table.
// Any other graph still runs in onnxruntime-web (embedder.ts); tests check the
// two agree on the same file.
import { DataType, type OnnxGraph, type OnnxNode } from './onnxGraph';
import { CACHED_SUBTOKEN_MAX, type Tokenizer } from './tokenizer';
import { detached } from '../text/detached';

export interface EmbeddingBagWeights {
  /** rows × dim int8 values. */
  table: Int8Array;
  /** One scale per row: row value = q × scale. */
  scales: Float32Array;
  rows: number;
  dim: number;
  epsilon: number;
}

/** One node of the graph: op type, wiring and attributes (int or ints), in file order. */
export interface BagNode { op: string; inputs: string[]; outputs: string[]; attrs?: Record<string, number | number[]> }

/**
 * The embedding-bag graph, node by node: what training/onnx/embeddingBagModel.ts
 * writes and what matchEmbeddingBag() accepts, so the two cannot drift apart.
 */
export const EMBEDDING_BAG_NODES: readonly BagNode[] = [
  { op: 'Gather', inputs: ['table_q8', 'rows'], outputs: ['gathered_q8'], attrs: { axis: 0 } },
  { op: 'Cast', inputs: ['gathered_q8'], outputs: ['gathered'], attrs: { to: DataType.FLOAT } },
  { op: 'Gather', inputs: ['scales', 'rows'], outputs: ['row_scales'], attrs: { axis: 0 } },
  { op: 'Mul', inputs: ['row_scales', 'weights'], outputs: ['coef'] },
  { op: 'Unsqueeze', inputs: ['coef', 'axis1'], outputs: ['coef_3d'] },
  { op: 'MatMul', inputs: ['coef_3d', 'gathered'], outputs: ['pooled_3d'] },
  { op: 'Squeeze', inputs: ['pooled_3d', 'axis1'], outputs: ['pooled'] },
  { op: 'ReduceL2', inputs: ['pooled'], outputs: ['norm'], attrs: { axes: [1], keepdims: 1 } },
  { op: 'Max', inputs: ['norm', 'epsilon'], outputs: ['denominator'] },
  { op: 'Div', inputs: ['pooled', 'denominator'], outputs: ['embedding'] },
];

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function nodeMatches(n: OnnxNode, p: BagNode): boolean {
  if (n.opType !== p.op || !sameList(n.inputs, p.inputs) || !sameList(n.outputs, p.outputs)) return false;
  const want = p.attrs ?? {};
  if (n.attributes.length !== Object.keys(want).length) return false;
  for (const a of n.attributes) {
    const v = want[a.name];
    if (v === undefined) return false;
    if (Array.isArray(v) ? !(a.ints && a.ints.length === v.length && a.ints.every((x, i) => x === v[i])) : a.int !== v) return false;
  }
  return true;
}

/**
 * The weights of an embedding-bag graph, or why the graph is not one (then it
 * must run in onnxruntime). The table views `bytes` (int8 needs no alignment); the scales are an aligned copy.
 */
export function matchEmbeddingBag(graph: OnnxGraph): EmbeddingBagWeights | { notBag: string } {
  const nodes = EMBEDDING_BAG_NODES;
  if (graph.nodes.length !== nodes.length) return { notBag: `${graph.nodes.length} nodes, not the ${nodes.length} of an embedding bag` };
  for (let i = 0; i < nodes.length; i++) {
    if (!nodeMatches(graph.nodes[i], nodes[i])) return { notBag: `node ${i} (${graph.nodes[i].opType}) differs from the embedding bag's ${nodes[i].op}` };
  }
  if (!sameList(graph.outputs, ['embedding'])) return { notBag: `outputs ${graph.outputs.join(', ')}` };
  const table = graph.initializers.get('table_q8');
  const scales = graph.initializers.get('scales');
  const axis1 = graph.initializers.get('axis1');
  const epsilon = graph.initializers.get('epsilon');
  if (!table || !scales || !axis1 || !epsilon) return { notBag: 'an initializer of the embedding bag is missing' };
  if (table.dataType !== DataType.INT8 || table.dims.length !== 2) return { notBag: 'table_q8 is not a 2-d int8 tensor' };
  const [rows, dim] = table.dims;
  if (table.raw.length !== rows * dim) return { notBag: `table_q8 holds ${table.raw.length} bytes, not ${rows}×${dim}` };
  if (scales.dataType !== DataType.FLOAT || scales.dims.length !== 1 || scales.dims[0] !== rows || scales.raw.length !== rows * 4) {
    return { notBag: 'scales is not one float per table row' };
  }
  if (axis1.dataType !== DataType.INT64 || axis1.raw.length !== 8 || new DataView(axis1.raw.buffer, axis1.raw.byteOffset, 8).getBigInt64(0, true) !== 1n) {
    return { notBag: 'axis1 is not the int64 constant 1' };
  }
  if (epsilon.dataType !== DataType.FLOAT || epsilon.raw.length !== 4) return { notBag: 'epsilon is not a float constant' };
  const scaleView = new DataView(scales.raw.buffer, scales.raw.byteOffset, scales.raw.length);
  const scaleArr = new Float32Array(rows);
  for (let r = 0; r < rows; r++) scaleArr[r] = scaleView.getFloat32(r * 4, true);
  // The table is a view into the model file's bytes, not a copy: copying would
  // free the 21 MB file buffer, and glibc then serves every later allocation up
  // to that size from its heap instead of mmap, where freed space fragments
  // (measured: ~100 MB more resident after a 100K-chunk index).
  const tableArr = new Int8Array(table.raw.buffer, table.raw.byteOffset, table.raw.length);
  return {
    table: tableArr,
    scales: scaleArr,
    rows,
    dim,
    epsilon: new DataView(epsilon.raw.buffer, epsilon.raw.byteOffset, 4).getFloat32(0, true),
  };
}

// Subtoken vectors kept between texts: code repeats its identifiers, so most
// of a chunk's subtokens are already pooled. 8,192 × dim floats (8 MB at 256),
// in one slab: a typed array per entry made ~100 MB of short-lived buffers per 100K chunks.
const SUBTOKEN_CACHE = 8192;

/**
 * Evaluates the embedding bag: each distinct subtoken's vector (the mean of its
 * scaled rows, the graph's weighting) is computed once and cached; a text is
 * the count-weighted sum of its subtokens' vectors, divided by max(‖·‖, ε).
 */
export class EmbeddingBagKernel {
  // slot i of the cache is slab[i·dim, (i+1)·dim); the slot after the last is scratch for uncached subtokens
  private readonly slab: Float32Array;
  private readonly slotOf = new Map<string, number>();
  private readonly acc: Float64Array;

  constructor(private readonly w: EmbeddingBagWeights, private readonly tokenizer: Tokenizer) {
    if (tokenizer.rowCount !== w.rows) throw new Error(`the tokenizer addresses ${tokenizer.rowCount} rows, the table has ${w.rows}`);
    this.acc = new Float64Array(w.dim);
    this.slab = new Float32Array((SUBTOKEN_CACHE + 1) * w.dim);
  }

  get dim(): number { return this.w.dim; }

  /** Where the subtoken's vector starts in the slab, or -1 when it has no rows. */
  private subtokenVector(sub: string): number {
    const cached = this.slotOf.get(sub);
    if (cached !== undefined) return cached * this.w.dim;
    const rows = this.tokenizer.computeTokenRows(sub);
    if (rows.length === 0) return -1;
    let slot = SUBTOKEN_CACHE; // scratch
    if (sub.length <= CACHED_SUBTOKEN_MAX) {
      if (this.slotOf.size >= SUBTOKEN_CACHE) this.slotOf.clear();
      slot = this.slotOf.size;
      this.slotOf.set(detached(sub), slot);
    }
    const { table, scales, dim } = this.w;
    const v = this.slab;
    const base = slot * dim;
    v.fill(0, base, base + dim);
    const share = 1 / rows.length;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      const coef = scales[r] * share;
      const off = r * dim;
      for (let d = 0; d < dim; d++) v[base + d] += coef * table[off + d];
    }
    return base;
  }

  /** The text's distinct subtokens with their counts: the bag the text's vector sums. */
  bagOf(text: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const s of this.tokenizer.subtokens(text)) counts.set(s, (counts.get(s) ?? 0) + 1);
    return counts;
  }

  /** A copy of one subtoken's vector (the mean of its scaled rows), or null when it has no rows. */
  subtokenVectorCopy(sub: string): Float32Array | null {
    const base = this.subtokenVector(sub);
    return base < 0 ? null : this.slab.slice(base, base + this.w.dim);
  }

  /** True when the subtoken has a vocabulary row of its own (not only hashed n-gram rows). */
  inVocabulary(sub: string): boolean {
    return this.tokenizer.vocabRow(sub) >= 0;
  }

  /**
   * Embedding of one text into out[offset .. offset+dim); a zero vector when
   * it has no tokens. `deltas` (an adaptation, see learn/) are added to their
   * subtokens' vectors before pooling.
   */
  embedInto(text: string, out: Float32Array, offset: number, deltas?: ReadonlyMap<string, Float32Array>): void {
    const { dim, epsilon } = this.w;
    const acc = this.acc;
    acc.fill(0);
    const counts = this.bagOf(text);
    const slab = this.slab;
    for (const [sub, n] of counts) {
      const delta = deltas?.get(sub);
      if (delta) for (let d = 0; d < dim; d++) acc[d] += n * delta[d];
      const base = this.subtokenVector(sub);
      if (base < 0) continue;
      for (let d = 0; d < dim; d++) acc[d] += n * slab[base + d];
    }
    let ss = 0;
    for (let d = 0; d < dim; d++) ss += acc[d] * acc[d];
    const inv = 1 / Math.max(Math.sqrt(ss), epsilon);
    for (let d = 0; d < dim; d++) out[offset + d] = acc[d] * inv;
  }
}
