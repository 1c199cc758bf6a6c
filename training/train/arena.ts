// The trainer's memory: one shared WasmMemory holding the parameters,
// the optimiser state and every per-batch buffer, laid out once from upper
// bounds so the main thread and the workers see the same typed-array views.
import { createSharedMemory, type WasmMemory } from './simd';

/** Sizes the layout is built from; per-batch quantities are upper bounds. */
export interface ArenaDims {
  /** Table rows (vocabulary + n-gram buckets). */
  rows: number;
  /** Embedding dimension, a multiple of 16. */
  dim: number;
  /** Queries per batch (the last, partial batch is smaller). */
  batch: number;
  /** One hard-negative code per query (doubles the code columns). */
  hardNegatives: boolean;
  /** Item-token entries per batch. */
  maxEntries: number;
  /** Distinct subtokens per batch. */
  maxTokens: number;
  /** Token-row entries per batch. */
  maxTokenRows: number;
  /** Distinct table rows per batch. */
  maxRows: number;
  threads: number;
  /** Keep each batch's row gradients instead of applying them (tests). */
  captureGrads: boolean;
}

export type Kind = 'f32' | 'i32' | 'f64';

export interface Region {
  offset: number;
  length: number;
  kind: Kind;
}

export const REGION_NAMES = [
  'table', 'adamM', 'adamV', 'steps', 'ctl', 'scalars',
  'itemOff', 'itemTok', 'itemCnt',
  'tokRowOff', 'tokRowIdx', 'tokRowW',
  'tokItemOff', 'tokItem', 'tokItemCnt',
  'rowGlobal', 'rowTokOff', 'rowTok', 'rowTokW',
  'tv', 'emb', 'norms', 'dx', 'ct', 'cos', 'expo', 'g', 'gt',
  'rowLoss', 'rowDtau', 'scratch', 'rowGrad',
] as const;
export type RegionName = (typeof REGION_NAMES)[number];

export interface ArenaLayout {
  dims: ArenaDims;
  /** Code columns per batch at most (batch, or 2·batch with hard negatives). */
  maxCodes: number;
  /** Row stride of the query×code matrices: padded, and off powers of two to spare the cache. */
  ld: number;
  /** Row stride of the transposed gradient (code × query). */
  ldt: number;
  bytes: number;
  regions: Record<RegionName, Region>;
}

// Control words (Int32 `ctl`).
export const CTL = {
  CMD: 0,
  B: 1,
  NC: 2,
  N: 3,
  U: 4,
  R: 5,
  BARRIER_COUNT: 6,
  BARRIER_GEN: 7,
  CAPTURE: 8,
  /** Set by a thread whose phase threw; the step's results are then invalid. */
  ERROR: 9,
  ERROR_PHASE: 10,
} as const;
export const CMD_RUN = 1;
export const CMD_STOP = 2;

// Float64 `scalars`.
export const SCALAR = {
  TAU: 0,
  LR: 1,
  BETA1: 2,
  BETA2: 3,
  EPS: 4,
} as const;

const ALIGN = 64;

export function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

export function buildLayout(dims: ArenaDims): ArenaLayout {
  if (!Number.isInteger(dims.dim) || dims.dim < 16 || dims.dim % 16 !== 0) {
    throw new Error(`dim must be a positive multiple of 16, got ${dims.dim}`);
  }
  if (!Number.isInteger(dims.batch) || dims.batch < 2) throw new Error(`batch must be an integer ≥ 2, got ${dims.batch}`);
  const D = dims.dim;
  const B = dims.batch;
  const maxCodes = dims.hardNegatives ? 2 * B : B;
  const N = B + maxCodes;
  const ld = roundUp(maxCodes, 8) + 8;
  const ldt = roundUp(B, 8) + 8;
  const sizes: Record<RegionName, [Kind, number]> = {
    table: ['f32', dims.rows * D],
    adamM: ['f32', dims.rows * D],
    adamV: ['f32', dims.rows * D],
    steps: ['i32', dims.rows],
    ctl: ['i32', 64],
    scalars: ['f64', 16],
    itemOff: ['i32', N + 1],
    itemTok: ['i32', dims.maxEntries],
    itemCnt: ['f32', dims.maxEntries],
    tokRowOff: ['i32', dims.maxTokens + 1],
    tokRowIdx: ['i32', dims.maxTokenRows],
    tokRowW: ['f32', dims.maxTokenRows],
    tokItemOff: ['i32', dims.maxTokens + 1],
    tokItem: ['i32', dims.maxEntries],
    tokItemCnt: ['f32', dims.maxEntries],
    rowGlobal: ['i32', dims.maxRows],
    rowTokOff: ['i32', dims.maxRows + 1],
    rowTok: ['i32', dims.maxTokenRows],
    rowTokW: ['f32', dims.maxTokenRows],
    tv: ['f32', dims.maxTokens * D],
    emb: ['f32', N * D],
    norms: ['f32', N],
    dx: ['f32', N * D],
    ct: ['f32', D * ld],
    cos: ['f32', B * ld],
    expo: ['f64', B * ld],
    g: ['f32', B * ld],
    gt: ['f32', maxCodes * ldt],
    rowLoss: ['f64', B + maxCodes],
    rowDtau: ['f64', B],
    scratch: ['f32', dims.threads * D],
    rowGrad: ['f32', dims.captureGrads ? dims.maxRows * D : 0],
  };
  let offset = 0;
  const regions = {} as Record<RegionName, Region>;
  for (const name of REGION_NAMES) {
    const [kind, length] = sizes[name];
    regions[name] = { offset, length, kind };
    offset = roundUp(offset + length * (kind === 'f64' ? 8 : 4), ALIGN);
  }
  return { dims, maxCodes, ld, ldt, bytes: offset, regions };
}

export type ArenaViews = {
  [K in RegionName]: (typeof REGION_KIND)[K] extends 'f64' ? Float64Array
    : (typeof REGION_KIND)[K] extends 'i32' ? Int32Array : Float32Array;
};

// Static kinds so views are typed per name.
const REGION_KIND = {
  table: 'f32', adamM: 'f32', adamV: 'f32', steps: 'i32', ctl: 'i32', scalars: 'f64',
  itemOff: 'i32', itemTok: 'i32', itemCnt: 'f32',
  tokRowOff: 'i32', tokRowIdx: 'i32', tokRowW: 'f32',
  tokItemOff: 'i32', tokItem: 'i32', tokItemCnt: 'f32',
  rowGlobal: 'i32', rowTokOff: 'i32', rowTok: 'i32', rowTokW: 'f32',
  tv: 'f32', emb: 'f32', norms: 'f32', dx: 'f32', ct: 'f32', cos: 'f32', expo: 'f64', g: 'f32', gt: 'f32',
  rowLoss: 'f64', rowDtau: 'f64', scratch: 'f32', rowGrad: 'f32',
} as const;

/** Typed-array views of every region over the memory's current buffer. */
export function viewsOf(memory: WasmMemory, layout: ArenaLayout): ArenaViews {
  const buf = memory.buffer;
  const out: Record<string, Float32Array | Int32Array | Float64Array> = {};
  for (const name of REGION_NAMES) {
    const r = layout.regions[name];
    if (r.kind !== REGION_KIND[name]) throw new Error(`arena: region ${name} kind mismatch`);
    out[name] = r.kind === 'f64' ? new Float64Array(buf, r.offset, r.length)
      : r.kind === 'i32' ? new Int32Array(buf, r.offset, r.length) : new Float32Array(buf, r.offset, r.length);
  }
  return out as ArenaViews;
}

/** A fresh shared memory large enough for the layout. */
export function allocateArena(layout: ArenaLayout): WasmMemory {
  return createSharedMemory(layout.bytes);
}
