// A tiny WebAssembly binary emitter: just the sections, value types and
// opcodes the vector kernels (the int8 scan, the sign-code Hamming pass) need, so the kernel can be written in
// TypeScript without a wasm toolchain or an npm dependency.

export enum ValType {
  I32 = 0x7f,
  V128 = 0x7b,
}

export enum Op {
  Block = 0x02,
  Loop = 0x03,
  End = 0x0b,
  BrIf = 0x0d,
  LocalGet = 0x20,
  LocalSet = 0x21,
  LocalTee = 0x22,
  I32Load = 0x28,
  I32Store = 0x36,
  I32Const = 0x41,
  I32Eqz = 0x45,
  I32LtU = 0x49,
  I32Add = 0x6a,
  I32Sub = 0x6b,
  I32Shl = 0x74,
}

/** Opcodes behind the 0xfd SIMD prefix. */
export enum SimdOp {
  V128Load = 0x00,
  V128Load8x8S = 0x01,
  V128Store = 0x0b,
  I32x4Splat = 0x11,
  I16x8ExtractLaneU = 0x19,
  I32x4ExtractLane = 0x1b,
  V128Xor = 0x51,
  I8x16Popcnt = 0x62,
  I8x16Add = 0x6e,
  I16x8ExtendLowI8x16U = 0x89,
  I16x8ExtendHighI8x16U = 0x8a,
  I16x8Add = 0x8e,
  I32x4Add = 0xae,
  I32x4DotI16x8S = 0xba,
}

const SIMD_PREFIX = 0xfd;
const EMPTY_BLOCK_TYPE = 0x40;

export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function name(s: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(s));
  return [...uleb(bytes.length), ...bytes];
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** Instruction stream of one function body. Methods chain. */
export class CodeWriter {
  readonly bytes: number[] = [];

  op(code: Op): this { this.bytes.push(code); return this; }
  get(local: number): this { this.bytes.push(Op.LocalGet, ...uleb(local)); return this; }
  set(local: number): this { this.bytes.push(Op.LocalSet, ...uleb(local)); return this; }
  tee(local: number): this { this.bytes.push(Op.LocalTee, ...uleb(local)); return this; }
  i32(value: number): this { this.bytes.push(Op.I32Const, ...sleb(value)); return this; }
  block(): this { this.bytes.push(Op.Block, EMPTY_BLOCK_TYPE); return this; }
  loop(): this { this.bytes.push(Op.Loop, EMPTY_BLOCK_TYPE); return this; }
  end(): this { this.bytes.push(Op.End); return this; }
  brIf(depth: number): this { this.bytes.push(Op.BrIf, ...uleb(depth)); return this; }
  /** i32.load with natural alignment (2^2). */
  i32Load(offset = 0): this { this.bytes.push(Op.I32Load, 2, ...uleb(offset)); return this; }
  /** i32.store with natural alignment (2^2). */
  i32Store(offset = 0): this { this.bytes.push(Op.I32Store, 2, ...uleb(offset)); return this; }
  simd(code: SimdOp): this { this.bytes.push(SIMD_PREFIX, ...uleb(code)); return this; }
  /** v128.load; alignment hint 2^4 (the kernel keeps rows 16-byte aligned). */
  v128Load(offset = 0): this { this.bytes.push(SIMD_PREFIX, ...uleb(SimdOp.V128Load), 4, ...uleb(offset)); return this; }
  /** v128.store; alignment hint 2^4. */
  v128Store(offset = 0): this { this.bytes.push(SIMD_PREFIX, ...uleb(SimdOp.V128Store), 4, ...uleb(offset)); return this; }
  /** i16x8.load8x8_s: 8 bytes sign-extended to eight i16 lanes; alignment hint 2^3. */
  load8x8s(offset = 0): this { this.bytes.push(SIMD_PREFIX, ...uleb(SimdOp.V128Load8x8S), 3, ...uleb(offset)); return this; }
  /** i16x8.extract_lane_u */
  extractLaneU16(lane: number): this { this.bytes.push(SIMD_PREFIX, ...uleb(SimdOp.I16x8ExtractLaneU), lane); return this; }
  extractLane(lane: number): this { this.bytes.push(SIMD_PREFIX, ...uleb(SimdOp.I32x4ExtractLane), lane); return this; }
}

export interface FunctionSpec {
  exportName: string;
  params: ValType[];
  results: ValType[];
  /** Extra locals after the params, in order. */
  locals: ValType[];
  body: CodeWriter;
}

/**
 * A module importing its linear memory as env.memory (so the host owns and
 * grows it) and exporting the given functions.
 */
export function emitModule(functions: FunctionSpec[]): Uint8Array {
  const types = functions.map((f) => [0x60, ...vector(f.params.map((p) => [p])), ...vector(f.results.map((r) => [r]))]);
  const memoryImport = [...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(0)];
  const funcs = functions.map((_, i) => uleb(i));
  const exports = functions.map((f, i) => [...name(f.exportName), 0x00, ...uleb(i)]);
  const bodies = functions.map((f) => {
    const groups: number[][] = [];
    for (const t of f.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const body = [...vector(groups.map(([count, t]) => [...uleb(count), t])), ...f.body.bytes, Op.End];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector(types)),
    ...section(2, vector([memoryImport])),
    ...section(3, vector(funcs)),
    ...section(7, vector(exports)),
    ...section(10, vector(bodies)),
  ]);
}
