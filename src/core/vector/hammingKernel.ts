// The coarse pass's kernel: Hamming distances between one query sign code and
// every stored code, with a plain-JS fallback giving identical results.
//
// Codes are stored in blocks of 16 rows, byte-interleaved: byte b of row r
// sits at ((r >> 4) · stride + b) · 16 + (r & 15). One 16-byte load then holds
// byte b of 16 rows, so the WASM SIMD loop is XOR with the query byte (kept
// splatted), i8x16.popcnt and an add per byte position, with no per-row
// horizontal sum (a row-major layout spent most of its time there: 840K codes
// of 32 bytes took ≥ 9 ms against the int8 scan's 3.6 ms for 105K rows of 256).

import { kernelCodeStride } from './signCode';
import { CodeWriter, emitModule, Op, SimdOp, ValType } from './wasmEmitter';
import { type CompiledWasm, compiledOnce, growTo, instantiate, type WasmMemory } from './wasmRuntime';
import type { KernelKind } from './simdKernel';

const LANES = 16;
/** Byte positions summed in u8 lanes before widening: 16 · 8 = 128 ≤ 255. */
const GROUP = 16;

export interface CodeKernel {
  readonly kind: KernelKind;
  /** Bytes per code (a multiple of 16); bits past the dimension stay zero. */
  readonly stride: number;
  readonly capacity: number;
  /** Write row `row`'s code from src[at, at + bytes) (bytes ≤ stride; the rest is zeroed). */
  setCode(row: number, src: Uint8Array, at: number, bytes: number): void;
  /** Copy row `row`'s code (stride bytes) into out[at, at + stride). */
  getCode(row: number, out: Uint8Array, at: number): void;
  /** The codes of rows[0 … n − 1], stride bytes each, back to back in out. */
  gatherCodes(rows: Int32Array, n: number, out: Uint8Array): void;
  /** Copy the code of row `from` over row `to`. */
  moveCode(from: number, to: number): void;
  /** Set the query code from q[0, stride). */
  setQuery(q: Uint8Array): void;
  reserve(capacity: number): void;
  /**
   * dist[i] = popcount(query XOR code i) for i < count, and hist[d] = how many
   * of them are d (d ≤ stride · 8). Both are overwritten by the next call.
   */
  distances(count: number): HammingResult;
}

export interface HammingResult {
  dist: Uint16Array;
  hist: Int32Array;
}

/** Offset of byte b of row r in the blocked layout. */
function at(stride: number, r: number, b: number): number {
  return ((r >> 4) * stride + b) * LANES + (r & 15);
}

// hamming(queryPtr, dataPtr, blocks, stride, outPtr, histPtr, bins): the
// query is stride splatted bytes (16 each); each block writes 16 u16
// distances and counts them in four interleaved histograms of `bins` u32 each
// (lane & 3 picks one: consecutive rows at one distance do not wait on each
// other's increment). The caller zeroes the histograms and sums them: counting
// in JS afterwards cost more than the distances themselves (3.6 ms at 840K).
function buildHammingModule(): Uint8Array {
  const QUERY = 0, DATA = 1, BLOCKS = 2, STRIDE = 3, OUT = 4, HIST = 5, BINS = 6; // params
  const P = 7, QP = 8, END = 9, H1 = 10, H2 = 11, H3 = 12, ADDR = 13;            // i32 locals
  const LO = 14, HI = 15, ACC = 16;                                                 // v128 locals
  const c = new CodeWriter();
  // Hg = HIST + g · bins · 4
  c.get(HIST).get(BINS).i32(2).op(Op.I32Shl).op(Op.I32Add).tee(H1)
    .get(BINS).i32(2).op(Op.I32Shl).op(Op.I32Add).tee(H2)
    .get(BINS).i32(2).op(Op.I32Shl).op(Op.I32Add).set(H3);
  const hists = [HIST, H1, H2, H3];
  c.block()
    .get(BLOCKS).op(Op.I32Eqz).brIf(0)
    .loop()
      .i32(0).simd(SimdOp.I32x4Splat).tee(LO).set(HI)
      .get(DATA).tee(P).get(STRIDE).i32(4).op(Op.I32Shl).op(Op.I32Add).set(END)
      .get(QUERY).set(QP)
      .loop();
  for (let b = 0; b < GROUP; b++) {
    c.get(P).v128Load(b * LANES).get(QP).v128Load(b * LANES).simd(SimdOp.V128Xor).simd(SimdOp.I8x16Popcnt);
    if (b > 0) c.simd(SimdOp.I8x16Add);
  }
  c.tee(ACC)
        .simd(SimdOp.I16x8ExtendLowI8x16U).get(LO).simd(SimdOp.I16x8Add).set(LO)
        .get(ACC).simd(SimdOp.I16x8ExtendHighI8x16U).get(HI).simd(SimdOp.I16x8Add).set(HI)
        .get(QP).i32(GROUP * LANES).op(Op.I32Add).set(QP)
        .get(P).i32(GROUP * LANES).op(Op.I32Add).tee(P)
        .get(END).op(Op.I32LtU).brIf(0)
      .end()
      .get(OUT).get(LO).v128Store(0)
      .get(OUT).get(HI).v128Store(16);
  for (let lane = 0; lane < LANES; lane++) {
    c.get(hists[lane & 3]).get(lane < 8 ? LO : HI).extractLaneU16(lane & 7).i32(2).op(Op.I32Shl).op(Op.I32Add).tee(ADDR)
      .get(ADDR).i32Load().i32(1).op(Op.I32Add).i32Store();
  }
  c
      .get(OUT).i32(32).op(Op.I32Add).set(OUT)
      .get(END).set(DATA)
      .get(BLOCKS).i32(1).op(Op.I32Sub).tee(BLOCKS)
      .brIf(0)
    .end()
  .end();
  return emitModule([{
    exportName: 'hamming',
    params: [ValType.I32, ValType.I32, ValType.I32, ValType.I32, ValType.I32, ValType.I32, ValType.I32],
    results: [],
    locals: [ValType.I32, ValType.I32, ValType.I32, ValType.I32, ValType.I32, ValType.I32, ValType.I32, ValType.V128, ValType.V128, ValType.V128],
    body: c,
  }]);
}

const hammingModule = compiledOnce(buildHammingModule);

type HammingFn = (queryPtr: number, dataPtr: number, blocks: number, stride: number, outPtr: number, histPtr: number, bins: number) => void;

/** Rows rounded up to whole blocks. */
function blockRows(rows: number): number {
  return Math.ceil(rows / LANES) * LANES;
}

abstract class BlockedCodes {
  abstract readonly kind: KernelKind;
  capacity = 0;
  protected codes!: Uint8Array;
  protected query!: Uint8Array;
  constructor(readonly stride: number) {}

  setCode(row: number, src: Uint8Array, from: number, bytes: number): void {
    const { codes, stride } = this;
    for (let b = 0; b < stride; b++) codes[at(stride, row, b)] = b < bytes ? src[from + b] : 0;
  }

  getCode(row: number, out: Uint8Array, to: number): void {
    const { codes, stride } = this;
    for (let b = 0; b < stride; b++) out[to + b] = codes[at(stride, row, b)];
  }

  gatherCodes(rows: Int32Array, n: number, out: Uint8Array): void {
    const { codes, stride } = this;
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      const base = (r >> 4) * stride * LANES + (r & 15);
      for (let b = 0; b < stride; b++) out[i * stride + b] = codes[base + b * LANES];
    }
  }

  moveCode(from: number, to: number): void {
    const { codes, stride } = this;
    for (let b = 0; b < stride; b++) codes[at(stride, to, b)] = codes[at(stride, from, b)];
  }

  setQuery(q: Uint8Array): void {
    for (let b = 0; b < this.stride; b++) this.query.fill(q[b], b * LANES, (b + 1) * LANES);
  }
}

class WasmCodeKernel extends BlockedCodes {
  readonly kind = 'wasm-simd' as const;
  private readonly memory: WasmMemory;
  private readonly fn: HammingFn;
  private out!: Uint16Array;
  private hists!: Int32Array;
  private readonly hist: Int32Array;

  // Layout: [query: stride × 16][codes: capacity × stride][distances: capacity × 2][4 histograms];
  // the scratch sits last.
  constructor(compiled: CompiledWasm, stride: number, capacity: number) {
    super(stride);
    this.capacity = blockRows(capacity);
    const { memory, exports } = instantiate(compiled, this.bytesFor(this.capacity));
    this.memory = memory;
    this.fn = exports.hamming as HammingFn;
    this.hist = new Int32Array(this.bins);
    this.remap();
  }

  private get bins(): number {
    return this.stride * 8 + 1;
  }

  private bytesFor(capacity: number): number {
    return this.stride * LANES + capacity * (this.stride + 2) + 16 * this.bins;
  }

  private remap(): void {
    const buf = this.memory.buffer;
    const q = this.stride * LANES;
    this.query = new Uint8Array(buf, 0, q); // growing keeps the bytes in place
    this.codes = new Uint8Array(buf, q, this.capacity * this.stride);
    this.out = new Uint16Array(buf, q + this.capacity * this.stride, this.capacity);
    this.hists = new Int32Array(buf, this.out.byteOffset + this.capacity * 2, 4 * this.bins);
  }

  reserve(capacity: number): void {
    if (capacity <= this.capacity) return;
    const rows = blockRows(capacity);
    growTo(this.memory, this.bytesFor(rows), `sign codes (${rows} rows of ${this.stride} bytes)`);
    // the scratch after the codes moves; the codes stay where they are
    this.capacity = rows;
    this.remap();
  }

  distances(count: number): HammingResult {
    const blocks = Math.ceil(count / LANES);
    const { hists, hist, bins, out } = this;
    hists.fill(0);
    if (blocks > 0) this.fn(0, this.codes.byteOffset, blocks, this.stride, out.byteOffset, hists.byteOffset, bins);
    for (let d = 0; d < bins; d++) hist[d] = hists[d] + hists[bins + d] + hists[2 * bins + d] + hists[3 * bins + d];
    // the last block's rows past count were counted too
    for (let i = count; i < blocks * LANES; i++) hist[out[i]]--;
    return { dist: out.subarray(0, count), hist };
  }
}

const POPCOUNT8 = Uint8Array.from({ length: 256 }, (_, v) => {
  let n = 0;
  for (let x = v; x; x &= x - 1) n++;
  return n;
});

class JsCodeKernel extends BlockedCodes {
  readonly kind = 'js' as const;
  private out: Uint16Array;

  constructor(stride: number, capacity: number) {
    super(stride);
    this.capacity = blockRows(capacity);
    this.codes = new Uint8Array(this.capacity * stride);
    this.query = new Uint8Array(stride * LANES);
    this.out = new Uint16Array(this.capacity);
  }

  reserve(capacity: number): void {
    if (capacity <= this.capacity) return;
    const rows = blockRows(capacity);
    const codes = new Uint8Array(rows * this.stride);
    codes.set(this.codes);
    this.codes = codes;
    this.out = new Uint16Array(rows);
    this.capacity = rows;
  }

  distances(count: number): HammingResult {
    const { codes, query, stride, out } = this;
    const hist = new Int32Array(stride * 8 + 1);
    for (let r = 0; r < count; r++) {
      let d = 0;
      for (let b = 0; b < stride; b++) d += POPCOUNT8[codes[at(stride, r, b)] ^ query[b * LANES]];
      out[r] = d;
      hist[d]++;
    }
    return { dist: out.subarray(0, count), hist };
  }
}

/** A Hamming kernel for codes of `dim` bits; `prefer: 'js'` forces the fallback. */
export function createCodeKernel(dim: number, capacity: number, prefer: 'auto' | 'js' = 'auto'): CodeKernel {
  const stride = kernelCodeStride(dim);
  const compiled = prefer === 'js' ? null : hammingModule();
  return compiled ? new WasmCodeKernel(compiled, stride, capacity) : new JsCodeKernel(stride, capacity);
}
