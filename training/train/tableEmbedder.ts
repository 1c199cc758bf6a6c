// Embeds texts with a plain float table, the way the shipped ONNX graph does
// (weighted sum of rows, L2-normalised), using the SIMD gather kernel. Used by
// evaluation and per-epoch validation, never by training itself.
import type { Encoded, Tokenizer } from '../../src/core/embed/tokenizer';
import type { Corpus, TokenLists } from './data';
import { createSharedMemory, instantiateKernels, type Kernels, type WasmMemory } from './simd';

// Subtoken vectors kept by embedText(): code repeats its subtokens, so a
// text costs a few hundred multiply-adds per distinct subtoken, not per row.
const TOKEN_CACHE = 32768;

export class TableEmbedder {
  private memory: WasmMemory;
  private kernels: Kernels;
  private capacity: number;
  /** Bytes before the scratch: the table, then the subtoken-vector cache. */
  private readonly scratchOffset: number;
  private readonly cacheOffset: number;
  private idx!: Int32Array;
  private w!: Float32Array;
  private out!: Float32Array;
  private readonly tokenSlots = new Map<string, number>();

  constructor(table: Float32Array, readonly rows: number, readonly dim: number) {
    if (table.length !== rows * dim) throw new Error(`table has ${table.length} values, expected ${rows}×${dim}`);
    if (dim % 4 !== 0) throw new Error(`dim must be a multiple of 4, got ${dim}`);
    this.cacheOffset = table.length * 4;
    this.scratchOffset = this.cacheOffset + TOKEN_CACHE * dim * 4;
    this.capacity = 16384;
    this.memory = createSharedMemory(this.bytesFor(this.capacity));
    this.kernels = instantiateKernels(this.memory);
    new Float32Array(this.memory.buffer, 0, table.length).set(table);
    this.remap();
  }

  private bytesFor(capacity: number): number {
    return this.scratchOffset + capacity * 8 + this.dim * 4 + 64;
  }

  private remap(): void {
    const buf = this.memory.buffer;
    this.idx = new Int32Array(buf, this.scratchOffset, this.capacity);
    this.w = new Float32Array(buf, this.scratchOffset + this.capacity * 4, this.capacity);
    this.out = new Float32Array(buf, this.scratchOffset + this.capacity * 8, this.dim);
  }

  private ensure(entries: number): void {
    if (entries <= this.capacity) return;
    // Scratch sits after the table; growing only appends pages, so the table stays put.
    let cap = this.capacity;
    while (cap < entries) cap *= 2;
    const need = this.bytesFor(cap);
    const have = this.memory.buffer.byteLength;
    if (need > have) this.memory.grow(Math.ceil((need - have) / 65536));
    this.capacity = cap;
    this.remap();
  }

  /** Normalised embedding of weighted rows into out[offset .. offset+dim); a zero vector when empty. */
  embed(enc: Encoded, out: Float32Array, offset: number): void {
    const n = enc.rows.length;
    this.ensure(n);
    for (let i = 0; i < n; i++) {
      const r = enc.rows[i];
      if (r < 0 || r >= this.rows) throw new Error(`row ${r} outside the table (${this.rows} rows)`);
      this.idx[i] = r;
    }
    this.w.set(enc.weights.subarray(0, n));
    this.kernels.gatherSum(this.out.byteOffset, 0, this.idx.byteOffset, this.w.byteOffset, 0, n, this.dim);
    let ss = 0;
    for (let d = 0; d < this.dim; d++) ss += this.out[d] * this.out[d];
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let d = 0; d < this.dim; d++) out[offset + d] = this.out[d] * inv;
  }

  /**
   * The same embedding as embed(tokenizer.encode(text)), computed per distinct
   * subtoken: each subtoken's vector (mean of its rows) is cached, and the text
   * is their count-weighted sum — the trainer's own forward pass.
   */
  embedText(tokenizer: Tokenizer, text: string, out: Float32Array, offset: number): void {
    const subs = tokenizer.subtokens(text);
    const counts = new Map<string, number>();
    for (const s of subs) counts.set(s, (counts.get(s) ?? 0) + 1);
    if (this.tokenSlots.size + counts.size > TOKEN_CACHE) this.tokenSlots.clear();
    const slots: number[] = [];
    const weights: number[] = [];
    for (const [sub, count] of counts) {
      let slot = this.tokenSlots.get(sub);
      if (slot === undefined) {
        const rows = tokenizer.tokenRows(sub);
        if (rows.length === 0) continue;
        slot = this.tokenSlots.size;
        this.ensure(rows.length);
        for (let i = 0; i < rows.length; i++) {
          if (rows[i] < 0 || rows[i] >= this.rows) throw new Error(`row ${rows[i]} outside the table (${this.rows} rows)`);
          this.idx[i] = rows[i];
          this.w[i] = 1 / rows.length;
        }
        this.kernels.gatherSum(this.cacheOffset + slot * this.dim * 4, 0, this.idx.byteOffset, this.w.byteOffset, 0, rows.length, this.dim);
        this.tokenSlots.set(sub, slot);
      }
      slots.push(slot);
      weights.push(count);
    }
    const n = slots.length;
    this.ensure(n);
    for (let i = 0; i < n; i++) {
      this.idx[i] = slots[i];
      this.w[i] = weights[i];
    }
    this.kernels.gatherSum(this.out.byteOffset, this.cacheOffset, this.idx.byteOffset, this.w.byteOffset, 0, n, this.dim);
    let ss = 0;
    for (let d = 0; d < this.dim; d++) ss += this.out[d] * this.out[d];
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let d = 0; d < this.dim; d++) out[offset + d] = this.out[d] * inv;
  }
}

/** A corpus text's rows and weights: each subtoken's rows at count / (its row count). */
export function encodeTokenList(corpus: Corpus, lists: TokenLists, pair: number): Encoded {
  let n = 0;
  for (let x = lists.off[pair]; x < lists.off[pair + 1]; x++) {
    const g = lists.ids[x];
    n += corpus.tokenRowOff[g + 1] - corpus.tokenRowOff[g];
  }
  const rows = new Int32Array(n);
  const weights = new Float32Array(n);
  let at = 0;
  for (let x = lists.off[pair]; x < lists.off[pair + 1]; x++) {
    const g = lists.ids[x];
    const a = corpus.tokenRowOff[g];
    const b = corpus.tokenRowOff[g + 1];
    const w = lists.counts[x] / (b - a);
    for (let y = a; y < b; y++) {
      rows[at] = corpus.tokenRows[y];
      weights[at++] = w;
    }
  }
  return { rows, weights };
}
