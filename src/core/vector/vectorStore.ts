// Sift's semantic index: an exact, int8-quantised vector store.
//
// Rows live densely in the scan kernel's memory (WASM linear memory when SIMD
// is available), one int8 row per key plus a Float32 scale. Removal swaps the
// last row into the hole so a scan never skips anything. A search is one
// kernel pass over all rows followed by a heap-based top-k in JS.

import { CorruptIndexError } from '../errors';
import { firstNonFinite, quantizeInto } from './quantize';
import { createScanKernel, KernelKind, ScanKernel } from './simdKernel';
import { selectTopK } from '../topK';
import { bufferSource, type ByteSource, encodeVectorFile, encodeVectorFilePieces, MAX_DIM, readVectorFile } from './vectorFile';

export { CorruptIndexError };

export interface VectorHit {
  key: number;
  /** Cosine similarity estimate in [-1, 1]. */
  score: number;
}

export interface VectorStoreOptions {
  /** 'js' forces the plain-JS scan (for tests and comparisons); 'auto' uses WASM SIMD when available. */
  kernel?: 'auto' | 'js';
}

const DEFAULT_CAPACITY = 1024;
const MAX_KEY = 0xffffffff;

export class VectorStore {
  readonly dim: number;
  private readonly kernel: ScanKernel;
  private keyOfSlot: Uint32Array;
  private scaleOfSlot: Float32Array;
  private readonly slotOfKey = new Map<number, number>();
  private count = 0;

  constructor(dim: number, initialCapacity = DEFAULT_CAPACITY, options: VectorStoreOptions = {}) {
    if (!Number.isInteger(dim) || dim < 1 || dim > MAX_DIM) {
      throw new RangeError(`vector dimension must be an integer in 1..${MAX_DIM}, got ${dim}`);
    }
    if (!Number.isInteger(initialCapacity) || initialCapacity < 0) {
      throw new RangeError(`initial capacity must be a non-negative integer, got ${initialCapacity}`);
    }
    const capacity = Math.max(1, initialCapacity);
    this.dim = dim;
    this.kernel = createScanKernel(dim, capacity, options.kernel ?? 'auto');
    this.keyOfSlot = new Uint32Array(capacity);
    this.scaleOfSlot = new Float32Array(capacity);
  }

  /** Live vectors. */
  get size(): number {
    return this.count;
  }

  /** Which scan kernel this store runs on. */
  get kernelKind(): KernelKind {
    return this.kernel.kind;
  }

  /** Keys of all live vectors, in storage order. */
  keys(): Uint32Array {
    return this.keyOfSlot.slice(0, this.count);
  }

  has(key: number): boolean {
    return this.slotOfKey.has(key);
  }

  /** Insert or replace the vector for `key`. The vector need not be unit length. */
  upsert(key: number, vec: Float32Array): void {
    checkKey(key);
    this.checkVector(vec, `vector for key ${key}`);
    this.write(key, vec, 0);
  }

  /** Insert or replace many: vecs holds keys.length × dim values, row by row. Validates everything before writing anything. */
  upsertMany(keys: ArrayLike<number>, vecs: Float32Array): void {
    const n = keys.length;
    if (!vecs || typeof vecs.length !== 'number' || vecs.length !== n * this.dim) {
      throw new RangeError(`upsertMany: ${n} keys need ${n * this.dim} values (dim ${this.dim}), got ${vecs?.length}`);
    }
    let fresh = 0;
    for (let i = 0; i < n; i++) {
      checkKey(keys[i]);
      checkFinite(vecs, i * this.dim, this.dim, `vector for key ${keys[i]}`);
      if (!this.slotOfKey.has(keys[i])) fresh++;
    }
    this.ensureCapacity(this.count + fresh);
    for (let i = 0; i < n; i++) this.write(keys[i], vecs, i * this.dim);
  }

  /** New keys for the stored vectors: remap[old] for each (every stored key must have one). */
  renumber(remap: Int32Array): void {
    this.slotOfKey.clear();
    for (let s = 0; s < this.count; s++) {
      const k = remap[this.keyOfSlot[s]];
      if (!(k >= 0)) throw new Error(`vector store: no new key for ${this.keyOfSlot[s]}`);
      this.keyOfSlot[s] = k;
      this.slotOfKey.set(k, s);
    }
  }

  remove(key: number): boolean {
    const slot = this.slotOfKey.get(key);
    if (slot === undefined) return false;
    const last = this.count - 1;
    if (slot !== last) {
      const stride = this.kernel.stride;
      this.kernel.rows.copyWithin(slot * stride, last * stride, last * stride + stride);
      const movedKey = this.keyOfSlot[last];
      this.keyOfSlot[slot] = movedKey;
      this.scaleOfSlot[slot] = this.scaleOfSlot[last];
      this.slotOfKey.set(movedKey, slot);
    }
    this.slotOfKey.delete(key);
    this.count = last;
    return true;
  }

  /**
   * Exact top-k by quantised cosine, best first; ties go to the smaller key.
   * `filter` keeps a key when it returns true; it is consulted only for keys
   * that would enter the current top k, so it may not see every key. It must
   * not search or modify this store (the scan's scores are reused).
   */
  search(query: Float32Array, k: number, filter?: (key: number) => boolean): VectorHit[] {
    const queryScale = this.loadQuery(query);
    if (!(k >= 1) || this.count === 0) return [];
    const want = Math.min(Math.floor(k), this.count);
    const dots = this.kernel.scan(this.count);
    // a row's rank value is dot × its scale (the query's scale is common to all rows)
    const ranked = selectTopK(dots, this.keyOfSlot, this.count, want, filter, this.scaleOfSlot);
    // Rounded to float32 so a hit's score equals what scoreKeys gives for its key.
    return ranked.map(({ slot, value }) => ({ key: this.keyOfSlot[slot], score: Math.fround(clampUnit(value * queryScale)) }));
  }

  /** Scores of the given keys against `query` (NaN where a key has no vector). */
  scoreKeys(query: Float32Array, keys: ArrayLike<number>): Float32Array {
    const queryScale = this.loadQuery(query);
    const out = new Float32Array(keys.length);
    const { rows, query: q, stride } = this.kernel;
    const dim = this.dim;
    for (let i = 0; i < keys.length; i++) {
      const slot = this.slotOfKey.get(keys[i]);
      if (slot === undefined) {
        out[i] = NaN;
        continue;
      }
      const base = slot * stride;
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += q[j] * rows[base + j];
      out[i] = clampUnit(dot * this.scaleOfSlot[slot] * queryScale);
    }
    return out;
  }

  /** The stored (dequantised) vector of a key, or null when it has none. */
  vectorOf(key: number): Float32Array | null {
    const slot = this.slotOfKey.get(key);
    if (slot === undefined) return null;
    const { rows, stride } = this.kernel;
    const out = new Float32Array(this.dim);
    const scale = this.scaleOfSlot[slot];
    const base = slot * stride;
    for (let j = 0; j < this.dim; j++) out[j] = rows[base + j] * scale;
    return out;
  }

  /** Compact little-endian snapshot (see vectorFile.ts for the layout). */
  serialize(): Uint8Array {
    return encodeVectorFile(this.dim, this.count, this.keyOfSlot, this.scaleOfSlot, this.kernel.rows, this.kernel.stride);
  }

  /** serialize()'s bytes as pieces viewing the store (no copy of the rows): write them before changing the store. */
  serializePieces(): Uint8Array[] {
    return encodeVectorFilePieces(this.dim, this.count, this.keyOfSlot, this.scaleOfSlot, this.kernel.rows, this.kernel.stride);
  }

  /** Rebuild a store from serialize()'s bytes. Throws CorruptIndexError when they are damaged. */
  static deserialize(buf: Uint8Array, options: VectorStoreOptions = {}): VectorStore {
    if (!(buf instanceof Uint8Array)) throw new CorruptIndexError('vector index: expected bytes (Uint8Array)');
    return VectorStore.read(bufferSource(buf), options);
  }

  /** Read a store from a vector file's bytes, straight into its rows. Throws CorruptIndexError when they are damaged. */
  static read(src: ByteSource, options: VectorStoreOptions = {}): VectorStore {
    let store: VectorStore | null = null;
    const file = readVectorFile(src, (dim, count) => {
      store = new VectorStore(dim, count, options);
      const { rows, stride } = store.kernel;
      return { rows: new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength), stride };
    });
    const s = store as unknown as VectorStore;
    for (let i = 0; i < file.count; i++) {
      const key = file.keys[i];
      if (s.slotOfKey.has(key)) throw new CorruptIndexError(`vector index lists key ${key} twice`);
      s.slotOfKey.set(key, i);
    }
    s.keyOfSlot.set(file.keys);
    s.scaleOfSlot.set(file.scales);
    s.count = file.count;
    return s;
  }

  private write(key: number, vecs: ArrayLike<number>, offset: number): void {
    let slot = this.slotOfKey.get(key);
    if (slot === undefined) {
      this.ensureCapacity(this.count + 1);
      slot = this.count++;
      this.slotOfKey.set(key, slot);
      this.keyOfSlot[slot] = key;
    }
    const stride = this.kernel.stride;
    this.scaleOfSlot[slot] = quantizeInto(vecs, offset, this.dim, this.kernel.rows, slot * stride, stride);
  }

  /** Quantise `query` into the kernel's query row; returns its scale. */
  private loadQuery(query: Float32Array): number {
    this.checkVector(query, 'query vector');
    return quantizeInto(query, 0, this.dim, this.kernel.query, 0, this.kernel.stride);
  }

  /** A single vector must be exactly dim long and finite. */
  private checkVector(vec: ArrayLike<number>, what: string): void {
    if (vec === null || typeof vec !== 'object' || typeof vec.length !== 'number') {
      throw new TypeError(`${what} must be a Float32Array`);
    }
    if (vec.length !== this.dim) {
      throw new RangeError(`${what} has ${vec.length} values, the store's dimension is ${this.dim}`);
    }
    checkFinite(vec, 0, this.dim, what);
  }

  private ensureCapacity(rows: number): void {
    const capacity = this.kernel.capacity;
    if (rows <= capacity) return;
    const next = Math.max(rows, capacity * 2);
    this.kernel.reserve(next);
    const keys = new Uint32Array(next);
    keys.set(this.keyOfSlot.subarray(0, this.count));
    this.keyOfSlot = keys;
    const scales = new Float32Array(next);
    scales.set(this.scaleOfSlot.subarray(0, this.count));
    this.scaleOfSlot = scales;
  }
}

function checkKey(key: number): void {
  if (!Number.isInteger(key) || key < 0 || key > MAX_KEY) {
    throw new RangeError(`vector key must be an integer in 0..${MAX_KEY}, got ${key}`);
  }
}

function checkFinite(vecs: ArrayLike<number>, offset: number, dim: number, what: string): void {
  const bad = firstNonFinite(vecs, offset, dim);
  if (bad >= 0) throw new RangeError(`${what} has a non-finite value (${vecs[offset + bad]}) at index ${bad}`);
}

function clampUnit(x: number): number {
  return x > 1 ? 1 : x < -1 ? -1 : x;
}
