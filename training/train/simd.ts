// The trainer's hot loops as a tiny hand-assembled WebAssembly SIMD module.
// Plain JavaScript runs these float loops at ~0.3 G multiply-adds/s; 4-lane
// SIMD in WASM is several times faster, needs no native dependency, and runs
// the same in the main thread and in workers sharing one WebAssembly.Memory.
//
// All pointers are byte offsets into the memory; all float data is f32.
//   gatherSum(out, mat, idx, w, start, end, dim)
//       out[0..dim) = Σ_{e∈[start,end)} w[e] · mat[idx[e]·dim .. +dim)
//   adamRow(param, m, v, grad, dim, beta1, beta2, stepSize, epsHat)
//       m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²;  param −= stepSize·m / (√v + epsHat)
//   gemm(a, aRowStride, aColStride, b, ldb, out, ldo, m, n, k)
//       out[i·ldo + j] = Σ_kk A(i,kk) · b[kk·ldb + j]  for i<m, j<n,
//       A(i,kk) = a[i·aRowStride + kk·aColStride]  (strides in floats, so A may be a transpose)
// dim must be a multiple of 4 and n a multiple of 8 (callers pad).

// tsconfig's lib (ES2022, no DOM) has no WebAssembly types: the little used here.
import { sleb, uleb } from '../../src/core/vector/wasmEmitter';
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(deltaPages: number): number;
}
declare const WebAssembly: {
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
};

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

function str(s: string): number[] {
  const b = Buffer.from(s, 'utf8');
  return [...uleb(b.length), ...b];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

// ---- instructions ----
type Code = number[];
const get = (i: number): Code => [0x20, ...uleb(i)];
const set = (i: number): Code => [0x21, ...uleb(i)];
const i32c = (n: number): Code => [0x41, ...sleb(n)];
const f32c = (x: number): Code => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(x);
  return [0x43, ...b];
};
const I32_ADD: Code = [0x6a];
const I32_MUL: Code = [0x6c];
const I32_SHL: Code = [0x74];
const I32_GE_S: Code = [0x4e];
const I32_GT_S: Code = [0x4a];
const I32_LOAD: Code = [0x28, 2, 0];
const F32_SUB: Code = [0x93];
const vload = (offset = 0): Code => [0xfd, ...uleb(0x00), 4, ...uleb(offset)];
const vstore = (offset = 0): Code => [0xfd, ...uleb(0x0b), 4, ...uleb(offset)];
const SPLAT: Code = [0xfd, ...uleb(0x13)];
/** v128.load32_splat: one f32 from memory into all four lanes. */
const LOAD_SPLAT: Code = [0xfd, ...uleb(0x09), 2, 0];
const VADD: Code = [0xfd, ...uleb(0xe4)];
const VSUB: Code = [0xfd, ...uleb(0xe5)];
const VMUL: Code = [0xfd, ...uleb(0xe6)];
const VDIV: Code = [0xfd, ...uleb(0xe7)];
const VSQRT: Code = [0xfd, ...uleb(0xe3)];
const VZERO: Code = [0xfd, ...uleb(0x0c), ...new Array<number>(16).fill(0)];

/** local[x] += delta (i32). */
const inc = (x: number, delta: Code): Code => [...get(x), ...delta, ...I32_ADD, ...set(x)];

/** while (!exit) { body } — `exit` leaves an i32 on the stack. */
function loop(exit: Code, body: Code): Code {
  return [0x02, 0x40, 0x03, 0x40, ...exit, 0x0d, 1, ...body, 0x0c, 0, 0x0b, 0x0b];
}

function func(params: number[], results: number[], locals: number[], body: Code): { type: Code; code: Code } {
  const type = [0x60, ...uleb(params.length), ...params, ...uleb(results.length), ...results];
  const groups: number[][] = locals.map((t) => [1, t]);
  const bodyBytes = [...vec(groups), ...body, 0x0b];
  return { type, code: [...uleb(bodyBytes.length), ...bodyBytes] };
}

function gatherSumFn(): { type: Code; code: Code } {
  // params
  const out = 0, mat = 1, idx = 2, w = 3, start = 4, end = 5, dim = 6;
  // locals
  const dimB = 7, e = 8, row = 9, d = 10, wv = 11;
  const acc = [12, 13, 14, 15, 16, 17, 18, 19];
  // Output blocks of 32 floats stay in 8 registers across all entries (no
  // load/store of out per entry); a 4-float block loop handles the rest.
  const entryLoop = (blocks: number): Code => [
    ...get(start), ...set(e),
    ...loop([...get(e), ...get(end), ...I32_GE_S], [
      ...get(mat),
      ...get(idx), ...get(e), ...i32c(2), ...I32_SHL, ...I32_ADD, ...I32_LOAD,
      ...get(dimB), ...I32_MUL, ...I32_ADD, ...get(d), ...I32_ADD, ...set(row),
      ...get(w), ...get(e), ...i32c(2), ...I32_SHL, ...I32_ADD, ...LOAD_SPLAT, ...set(wv),
      ...Array.from({ length: blocks }, (_, k) => [
        ...get(acc[k]), ...get(wv), ...get(row), ...vload(16 * k), ...VMUL, ...VADD, ...set(acc[k]),
      ]).flat(),
      ...inc(e, i32c(1)),
    ]),
  ];
  const block = (blocks: number): Code => [
    ...acc.slice(0, blocks).flatMap((a) => [...VZERO, ...set(a)]),
    ...entryLoop(blocks),
    ...Array.from({ length: blocks }, (_, k) => [...get(out), ...get(d), ...I32_ADD, ...get(acc[k]), ...vstore(16 * k)]).flat(),
    ...inc(d, i32c(16 * blocks)),
  ];
  const body: Code = [
    ...get(dim), ...i32c(2), ...I32_SHL, ...set(dimB),
    ...i32c(0), ...set(d),
    ...loop([...get(d), ...i32c(128), ...I32_ADD, ...get(dimB), ...I32_GT_S], block(8)),
    ...loop([...get(d), ...get(dimB), ...I32_GE_S], block(1)),
  ];
  return func([I32, I32, I32, I32, I32, I32, I32], [], [I32, I32, I32, I32, V128, ...acc.map(() => V128)], body);
}

function adamRowFn(): { type: Code; code: Code } {
  const param = 0, m = 1, v = 2, grad = 3, dim = 4, beta1 = 5, beta2 = 6, stepSize = 7, epsHat = 8;
  const dimB = 9, d = 10, vb1 = 11, vc1 = 12, vb2 = 13, vc2 = 14, vstep = 15, veps = 16, g = 17, mv = 18, vv = 19;
  const at = (base: number): Code => [...get(base), ...get(d), ...I32_ADD];
  const body: Code = [
    ...get(dim), ...i32c(2), ...I32_SHL, ...set(dimB),
    ...get(beta1), ...SPLAT, ...set(vb1),
    ...f32c(1), ...get(beta1), ...F32_SUB, ...SPLAT, ...set(vc1),
    ...get(beta2), ...SPLAT, ...set(vb2),
    ...f32c(1), ...get(beta2), ...F32_SUB, ...SPLAT, ...set(vc2),
    ...get(stepSize), ...SPLAT, ...set(vstep),
    ...get(epsHat), ...SPLAT, ...set(veps),
    ...i32c(0), ...set(d),
    ...loop([...get(d), ...get(dimB), ...I32_GE_S], [
      ...at(grad), ...vload(), ...set(g),
      ...get(vb1), ...at(m), ...vload(), ...VMUL, ...get(vc1), ...get(g), ...VMUL, ...VADD, ...set(mv),
      ...at(m), ...get(mv), ...vstore(),
      ...get(vb2), ...at(v), ...vload(), ...VMUL, ...get(vc2), ...get(g), ...get(g), ...VMUL, ...VMUL, ...VADD, ...set(vv),
      ...at(v), ...get(vv), ...vstore(),
      ...at(param),
      ...at(param), ...vload(),
      ...get(vstep), ...get(mv), ...VMUL, ...get(vv), ...VSQRT, ...get(veps), ...VADD, ...VDIV,
      ...VSUB, ...vstore(),
      ...inc(d, i32c(16)),
    ]),
  ];
  return func([I32, I32, I32, I32, I32, F32, F32, F32, F32], [],
    [I32, I32, V128, V128, V128, V128, V128, V128, V128, V128, V128], body);
}

function gemmFn(): { type: Code; code: Code } {
  const a = 0, ars = 1, acs = 2, b = 3, ldb = 4, o = 5, ldo = 6, m = 7, n = 8, k = 9;
  let next = 10;
  const arsB = next++, acsB = next++, ldbB = next++, ldoB = next++, j = next++, i = next++, kk = next++;
  const pa0 = next++, pa1 = next++, pa2 = next++, pa3 = next++, pb = next++, po = next++;
  const i32Locals = next - 10;
  const s = next++, b0 = next++, b1 = next++;
  const acc = [next++, next++, next++, next++, next++, next++, next++, next++];
  const v128Locals = next - 10 - i32Locals;
  const pa = [pa0, pa1, pa2, pa3];

  const zeroAcc = (count: number): Code => acc.slice(0, count).flatMap((x) => [...VZERO, ...set(x)]);
  // acc[2r] += s·b0, acc[2r+1] += s·b1 with s = splat(A(row r))
  const rowStep = (r: number): Code => [
    ...get(pa[r]), ...LOAD_SPLAT, ...set(s),
    ...get(acc[2 * r]), ...get(s), ...get(b0), ...VMUL, ...VADD, ...set(acc[2 * r]),
    ...get(acc[2 * r + 1]), ...get(s), ...get(b1), ...VMUL, ...VADD, ...set(acc[2 * r + 1]),
  ];
  const kLoop = (rows: number): Code => [
    ...get(b), ...get(j), ...i32c(2), ...I32_SHL, ...I32_ADD, ...set(pb),
    ...i32c(0), ...set(kk),
    ...loop([...get(kk), ...get(k), ...I32_GE_S], [
      ...get(pb), ...vload(0), ...set(b0),
      ...get(pb), ...vload(16), ...set(b1),
      ...Array.from({ length: rows }, (_, r) => rowStep(r)).flat(),
      ...Array.from({ length: rows }, (_, r) => inc(pa[r], get(acsB))).flat(),
      ...inc(pb, get(ldbB)),
      ...inc(kk, i32c(1)),
    ]),
  ];
  const storeRows = (rows: number): Code => [
    ...get(o), ...get(i), ...get(ldoB), ...I32_MUL, ...I32_ADD, ...get(j), ...i32c(2), ...I32_SHL, ...I32_ADD, ...set(po),
    ...Array.from({ length: rows }, (_, r) => [
      ...get(po), ...get(acc[2 * r]), ...vstore(0),
      ...get(po), ...get(acc[2 * r + 1]), ...vstore(16),
      ...inc(po, get(ldoB)),
    ]).flat(),
  ];
  const rowPointers = (rows: number): Code => [
    ...get(a), ...get(i), ...get(arsB), ...I32_MUL, ...I32_ADD, ...set(pa0),
    ...Array.from({ length: rows - 1 }, (_, r) => [...get(pa[r]), ...get(arsB), ...I32_ADD, ...set(pa[r + 1])]).flat(),
  ];

  const body: Code = [
    ...get(ars), ...i32c(2), ...I32_SHL, ...set(arsB),
    ...get(acs), ...i32c(2), ...I32_SHL, ...set(acsB),
    ...get(ldb), ...i32c(2), ...I32_SHL, ...set(ldbB),
    ...get(ldo), ...i32c(2), ...I32_SHL, ...set(ldoB),
    ...i32c(0), ...set(j),
    // Column blocks outside, row blocks inside: the 8-column strip of b stays in cache.
    ...loop([...get(j), ...get(n), ...I32_GE_S], [
      ...i32c(0), ...set(i),
      ...loop([...get(i), ...i32c(4), ...I32_ADD, ...get(m), ...I32_GT_S], [
        ...zeroAcc(8), ...rowPointers(4), ...kLoop(4), ...storeRows(4),
        ...inc(i, i32c(4)),
      ]),
      ...loop([...get(i), ...get(m), ...I32_GE_S], [
        ...zeroAcc(2), ...rowPointers(1), ...kLoop(1), ...storeRows(1),
        ...inc(i, i32c(1)),
      ]),
      ...inc(j, i32c(8)),
    ]),
  ];
  const locals = [...new Array<number>(i32Locals).fill(I32), ...new Array<number>(v128Locals).fill(V128)];
  return func(new Array<number>(10).fill(I32), [], locals, body);
}

/** The module's bytes: imports env.memory (shared), exports the three kernels. */
export function kernelModuleBytes(): Uint8Array {
  const fns = [gatherSumFn(), adamRowFn(), gemmFn()];
  const names = ['gatherSum', 'adamRow', 'gemm'];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(fns.map((f) => f.type))),
    // memory import: flags 3 = has maximum + shared; min 0 pages, max 65536 pages (4 GiB)
    ...section(2, vec([[...str('env'), ...str('memory'), 0x02, 0x03, ...uleb(0), ...uleb(65536)]])),
    ...section(3, vec(fns.map((_, idx) => uleb(idx)))),
    ...section(7, vec(names.map((name, idx) => [...str(name), 0x00, ...uleb(idx)]))),
    ...section(10, vec(fns.map((f) => f.code))),
  ];
  return Uint8Array.from(bytes);
}

export interface Kernels {
  gatherSum(out: number, mat: number, idx: number, w: number, start: number, end: number, dim: number): void;
  adamRow(param: number, m: number, v: number, grad: number, dim: number,
    beta1: number, beta2: number, stepSize: number, epsHat: number): void;
  gemm(a: number, aRowStride: number, aColStride: number, b: number, ldb: number,
    out: number, ldo: number, m: number, n: number, k: number): void;
}

let compiled: object | null = null;

/** A shared memory the kernels can run on (size in bytes, rounded up to 64 KiB pages). */
export function createSharedMemory(bytes: number): WasmMemory {
  const pages = Math.max(1, Math.ceil(bytes / 65536));
  if (pages > 65536) throw new Error(`training arena needs ${(bytes / 2 ** 30).toFixed(1)} GiB, more than WebAssembly's 4 GiB`);
  return new WebAssembly.Memory({ initial: pages, maximum: 65536, shared: true });
}

/** Instantiate the kernels over a shared memory (synchronous: the module is a few hundred bytes). */
export function instantiateKernels(memory: WasmMemory): Kernels {
  compiled ??= new WebAssembly.Module(kernelModuleBytes());
  const instance = new WebAssembly.Instance(compiled, { env: { memory } });
  return instance.exports as unknown as Kernels;
}
