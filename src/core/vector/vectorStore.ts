// Sift's semantic index: an int8-quantised vector store with two ways to search.
//
// Exact (every store below COARSE_MIN_ROWS rows): rows live densely in the scan
// kernel's memory (WASM linear memory when SIMD is available), one int8 row per
// key plus a Float32 scale; a search is one kernel pass over all rows followed
// by a heap-based top-k in JS.
//
// Coarse (above it): only each row's 256-bit sign code is held (plus key and
// scale); a search takes the HAMMING_SHORTLIST rows nearest by Hamming distance
// (hammingKernel.ts), keeps the RESCORE_ROWS of those that score best against
// the query's int8 values (asymmetricScore.ts), and rescores those exactly from
// their int8 rows, read in place from the vector file (rowReader.ts); rows not
// yet saved are held in memory (pendingRows.ts) until the next save.
//
// Either way removal swaps the last slot into the hole, so a scan never skips
// anything. The file is append-only (vectorLog.ts): a save writes the rows that
// changed since the last one and the keys removed, and rewrites the file only
// when dead rows outnumber the live ones or keys were renumbered.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from '../crc32';
import { CorruptIndexError } from '../errors';
import { FILES, type Manifest, openChecked } from '../persist/indexStore';
import { writeFileAtomic } from '../persist/atomicWrite';
import { selectTopK } from '../topK';
import { asymmetricScores, byteTables } from './asymmetricScore';
import { type CodeKernel, createCodeKernel } from './hammingKernel';
import { nearestCodes } from './nearestCodes';
import { KeySlots } from './keySlots';
import { PendingRows } from './pendingRows';
import { firstNonFinite, quantizeInto } from './quantize';
import { rowMatches } from './rowCheck';
import { readFully, readRowsAt } from './rowReader';
import { fileCodeBytes, kernelCodeStride, signCodeInto } from './signCode';
import { createScanKernel, type KernelKind, type ScanKernel } from './simdKernel';
import {
  bufferSource, type ByteSource, encodeVectorFile, encodeVectorFilePieces, MAX_DIM, readVectorFile, VECTOR_FILE_VERSION,
} from './vectorFile';
import {
  forEachRecord, LOG_HEADER_BYTES, logHeader, readLogHeader, readSegments, type SegmentIndex, segmentPieces, type SegmentSource, type VectorCommit,
} from './vectorLog';

export { CorruptIndexError };
export type { VectorCommit };

export interface VectorHit {
  key: number;
  /** Cosine similarity estimate in [-1, 1]. */
  score: number;
}

/** 'auto': exact below COARSE_MIN_ROWS rows, the coarse pass above; or either forced (tests, benches). */
export type SearchMode = 'auto' | 'exact' | 'coarse';

export interface VectorStoreOptions {
  /** 'js' forces the plain-JS kernels (for tests and comparisons); 'auto' uses WASM SIMD when available. */
  kernel?: 'auto' | 'js';
  search?: SearchMode;
  /** Rows the Hamming pass keeps (default HAMMING_SHORTLIST; benches vary it). */
  shortlist?: number;
  /** Rows rescored exactly (default RESCORE_ROWS; at least k). */
  rescore?: number;
}

/**
 * Above this many rows the store searches with the coarse pass. Measured with
 * 256-dim rows of the shipped model (bench/vectorCoarse.bench.ts; the best of
 * 200 queries, k = 100, on a host at load average ~6, see bench/README.md
 * "Vector coarse pass"): the exact scan costs ~3 ms per 100K rows (3.1 ms at
 * 105K, 6.6 ms at 210K, 24.9 ms at 840K), the coarse pass 2.6 ms at 105K and
 * ~6 ms at 840K. At 150K the exact scan would take ~4.5 ms, half of a 10 ms
 * query, against ~2.8 ms; the speed corpus (105K rows) stays exact, so its
 * results and quality are unchanged.
 */
export const COARSE_MIN_ROWS = 150_000;
/** A coarse store goes back to exact (on save) only below this, so a store near the threshold does not flip at every save. */
const EXACT_BELOW_ROWS = Math.floor(COARSE_MIN_ROWS * 0.9);
/**
 * Rows kept by Hamming distance, then rows rescored exactly (read from the
 * file: ~2.8 µs each with the check and the dot product). Chosen on the speed
 * corpus's 105,048 real rows and 200 queries (function names of its sources,
 * never the quality bench): 2000 → 400 keeps recall of the exact top 10 at
 * 0.999 and of the top 100 at 0.963 (840K rows of perturbed copies: 0.999 /
 * 0.966); 4000 → 500 gained 0.0005 / 0.013 for ~1 ms more.
 */
export const HAMMING_SHORTLIST = 2000;
export const RESCORE_ROWS = 400;
/** Unsaved rows held while serving coarse before the owner should save (wantsFlush). */
const FLUSH_BYTES = 16 << 20;
/** Rows read per call when a segment is loaded whole. */
const LOAD_BATCH_BYTES = 1 << 20;

const DEFAULT_CAPACITY = 1024;
const MAX_KEY = 0xffffffff;

/** The file the store appends to, as far as it was written. */
interface AttachedFile {
  dir: string;
  file: string;
  /** Read descriptor for lazy rows, opened on first use. */
  fd: number | null;
  /** Bytes written (committed once the manifest records them) and the chained CRC. */
  end: VectorCommit;
  /** Rows the file holds, live or dead. */
  rows: number;
  /** First file row and byte position of each segment's rows, in file order. */
  segments: Array<{ firstRow: number; rowsAt: number }>;
}

export class VectorStore {
  readonly dim: number;
  private options: VectorStoreOptions;
  private capacity: number;
  private keyOfSlot: Uint32Array;
  private scaleOfSlot: Float32Array;
  /** Each slot's row number in the file, or -1 when the file does not hold its current row. */
  private fileRowOfSlot: Int32Array;
  private slotOfKey = new KeySlots();
  private count = 0;
  /** Exact mode: every row. */
  private rows: ScanKernel | null = null;
  /** Coarse mode: every row's sign code, and the rows not in the file. */
  private codes: CodeKernel | null = null;
  private pending: PendingRows | null = null;
  private file: AttachedFile | null = null;
  /** Keys removed since the last save whose rows the file may hold. */
  private removedSinceSave: number[] = [];
  /** Keys were renumbered (or the file is of format 1): the next save writes the file afresh. */
  private rewriteNeeded = false;
  private queryRow: Int8Array;
  private scratchRow: Int8Array;
  /** Scratch of the filtered coarse pass. */
  private order = new Int32Array(0);

  constructor(dim: number, initialCapacity = DEFAULT_CAPACITY, options: VectorStoreOptions = {}) {
    if (!Number.isInteger(dim) || dim < 1 || dim > MAX_DIM) {
      throw new RangeError(`vector dimension must be an integer in 1..${MAX_DIM}, got ${dim}`);
    }
    if (!Number.isInteger(initialCapacity) || initialCapacity < 0) {
      throw new RangeError(`initial capacity must be a non-negative integer, got ${initialCapacity}`);
    }
    const capacity = Math.max(1, initialCapacity);
    this.dim = dim;
    this.options = options;
    this.capacity = capacity;
    this.keyOfSlot = new Uint32Array(capacity);
    this.scaleOfSlot = new Float32Array(capacity);
    this.fileRowOfSlot = new Int32Array(capacity).fill(-1);
    this.queryRow = new Int8Array(dim);
    this.scratchRow = new Int8Array(dim);
    if (options.search === 'coarse') {
      this.codes = createCodeKernel(dim, capacity, options.kernel ?? 'auto');
      this.pending = new PendingRows(dim, capacity);
    } else {
      this.rows = createScanKernel(dim, capacity, options.kernel ?? 'auto');
    }
  }

  /** Live vectors. */
  get size(): number {
    return this.count;
  }

  /** Which scan kernel this store runs on. */
  get kernelKind(): KernelKind {
    return (this.rows ?? this.codes)!.kind;
  }

  /** 'coarse' while searches take the coarse pass and rows stay in the file; else 'exact'. */
  get searchMode(): 'exact' | 'coarse' {
    return this.rows ? 'exact' : 'coarse';
  }

  /** Unsaved rows exceed what the store should hold while serving from its file: save() soon. */
  get wantsFlush(): boolean {
    return this.pending !== null && this.pending.bytes >= FLUSH_BYTES;
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
    this.ensureCapacity(this.count + (this.slotOfKey.has(key) ? 0 : 1));
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
    for (let s = 0; s < this.count; s++) {
      if (!(remap[this.keyOfSlot[s]] >= 0)) throw new Error(`vector store: no new key for ${this.keyOfSlot[s]}`);
    }
    this.slotOfKey.clear();
    for (let s = 0; s < this.count; s++) {
      const k = remap[this.keyOfSlot[s]];
      this.keyOfSlot[s] = k;
      this.slotOfKey.set(k, s);
    }
    // the file's keys are the old ones: the next save writes it afresh
    this.rewriteNeeded = true;
    this.removedSinceSave = [];
  }

  remove(key: number): boolean {
    const slot = this.slotOfKey.get(key);
    if (slot === undefined) return false;
    const last = this.count - 1;
    if (slot !== last) {
      if (this.rows) {
        const stride = this.rows.stride;
        this.rows.rows.copyWithin(slot * stride, last * stride, last * stride + stride);
      } else {
        this.codes!.moveCode(last, slot);
        this.pending!.move(last, slot);
      }
      const movedKey = this.keyOfSlot[last];
      this.keyOfSlot[slot] = movedKey;
      this.scaleOfSlot[slot] = this.scaleOfSlot[last];
      this.fileRowOfSlot[slot] = this.fileRowOfSlot[last];
      this.slotOfKey.set(movedKey, slot);
    } else {
      this.pending?.drop(slot);
    }
    this.fileRowOfSlot[last] = -1;
    this.slotOfKey.delete(key);
    this.count = last;
    if (this.file) this.removedSinceSave.push(key);
    return true;
  }

  /**
   * Top-k by quantised cosine, best first; ties go to the smaller key.
   * Exact mode: the exact top k; `filter` keeps a key when it returns true and
   * is consulted only for keys that would enter the current top k, so it may
   * not see every key. Coarse mode: the best k of the rows the coarse pass
   * keeps (scores exact, membership approximate), the filter consulted for
   * keys in order of Hamming distance until the shortlist is full. The filter
   * must not search or modify this store (scratch buffers are reused).
   * Coarse mode reads rows from the file: CorruptIndexError when one does not match what was saved.
   */
  search(query: Float32Array, k: number, filter?: (key: number) => boolean): VectorHit[] {
    const queryScale = this.loadQuery(query);
    if (!(k >= 1) || this.count === 0) return [];
    const want = Math.min(Math.floor(k), this.count);
    const ranked = this.rows ? this.exactTop(want, filter) : this.coarseTop(want, filter);
    // Rounded to float32 so a hit's score equals what scoreKeys gives for its key.
    return ranked.map(({ key, value }) => ({ key, score: Math.fround(clampUnit(value * queryScale)) }));
  }

  /** Scores of the given keys against `query` (NaN where a key has no vector). */
  scoreKeys(query: Float32Array, keys: ArrayLike<number>): Float32Array {
    const queryScale = this.loadQuery(query);
    const out = new Float32Array(keys.length).fill(NaN);
    const slots: number[] = [];
    const at: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      const slot = this.slotOfKey.get(keys[i]);
      if (slot !== undefined) { slots.push(slot); at.push(i); }
    }
    const rows = this.rowsOf(Int32Array.from(slots));
    const q = this.queryRow;
    const dim = this.dim;
    for (let i = 0; i < slots.length; i++) {
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += q[j] * rows[i * dim + j];
      out[at[i]] = clampUnit(dot * this.scaleOfSlot[slots[i]] * queryScale);
    }
    return out;
  }

  /** The stored (dequantised) vector of a key, or null when it has none. */
  vectorOf(key: number): Float32Array | null {
    const slot = this.slotOfKey.get(key);
    if (slot === undefined) return null;
    const row = this.rowsOf(Int32Array.of(slot));
    const out = new Float32Array(this.dim);
    const scale = this.scaleOfSlot[slot];
    for (let j = 0; j < this.dim; j++) out[j] = row[j] * scale;
    return out;
  }

  // ---- the append-only file ------------------------------------------------

  /**
   * Open the vector file in `dir` as far as `commit` (what the manifest
   * recorded at the last save) says. Reads the keys, scales and codes; the rows
   * too when the store is exact, else they are read when a search rescores
   * them. Bytes past the committed length are ignored (an interrupted save).
   * A file of format 1 (vectorFile.ts) is read whole and rewritten at the next
   * save. Throws CorruptIndexError when the file does not match.
   */
  static open(dir: string, commit: VectorCommit, options: VectorStoreOptions = {}): VectorStore {
    const file = path.join(dir, FILES.vectors);
    let fd: number;
    try { fd = fs.openSync(file, 'r'); } catch (e) {
      throw new CorruptIndexError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    let keepFd = false;
    try {
      if (fs.fstatSync(fd).size < commit.bytes) {
        throw new CorruptIndexError(`${file} has ${fs.fstatSync(fd).size} bytes, the index committed ${commit.bytes}`);
      }
      if (commit.bytes >= 8 && readLogHeader(fd, file).version === VECTOR_FILE_VERSION) return VectorStore.openFormat1(dir, commit, options);
      const { dim, segments } = readSegments(fd, file, commit);
      const { slotOfRow, live, rowOfKey } = replaySegments(segments, file);
      const coarse = wantsCoarse(options, live);
      const store = new VectorStore(dim, live, { ...options, search: coarse ? 'coarse' : 'exact' });
      store.options = options;
      store.loadSegments(segments, slotOfRow, rowOfKey, fd, file);
      store.file = {
        dir, file, fd: coarse ? fd : null, end: { ...commit },
        rows: slotOfRow.length,
        segments: segmentStarts(segments),
      };
      keepFd = coarse;
      return store;
    } finally {
      if (!keepFd) fs.closeSync(fd);
    }
  }

  /**
   * Write what changed since the last save to the vector file in `dir`: one
   * appended segment, or the whole file afresh when the store has no file there
   * yet, keys were renumbered, or dead rows outnumber the live ones. Returns what
   * the manifest must record (written after this returns: until then the old
   * manifest still describes a valid prefix of the file, except after a rewrite).
   * Throws on I/O errors; the store is unchanged and a later save retries.
   */
  save(dir: string): VectorCommit {
    const f = this.file;
    const liveInFile = this.countInFile();
    const rewrite = !f || f.dir !== dir || this.rewriteNeeded || (f.rows - liveInFile) > liveInFile;
    if (rewrite) this.writeAfresh(dir);
    else if (liveInFile < this.count || this.removedSinceSave.length > 0) this.append(f);
    if (this.codes && this.autoMode() && this.count < EXACT_BELOW_ROWS) this.toExact();
    return { ...this.file!.end };
  }

  /** Release the file descriptor lazy reads hold (the store reopens it when it needs a row). */
  close(): void {
    if (this.file?.fd != null) {
      try { fs.closeSync(this.file.fd); } catch { /* already closed */ }
      this.file.fd = null;
    }
  }

  // ---- format 1: one whole-file snapshot (vectorFile.ts) --------------------

  /** Compact little-endian snapshot in format 1 (see vectorFile.ts for the layout). */
  serialize(): Uint8Array {
    if (this.rows) return encodeVectorFile(this.dim, this.count, this.keyOfSlot, this.scaleOfSlot, this.rows.rows, this.rows.stride);
    const all = this.rowsOf(Int32Array.from({ length: this.count }, (_, i) => i));
    return encodeVectorFile(this.dim, this.count, this.keyOfSlot, this.scaleOfSlot, all, this.dim);
  }

  /** serialize()'s bytes as pieces viewing the store (no copy of the rows when exact): write them before changing the store. */
  serializePieces(): Uint8Array[] {
    if (!this.rows) return [this.serialize()];
    return encodeVectorFilePieces(this.dim, this.count, this.keyOfSlot, this.scaleOfSlot, this.rows.rows, this.rows.stride);
  }

  /** Rebuild a store from serialize()'s bytes. Throws CorruptIndexError when they are damaged. */
  static deserialize(buf: Uint8Array, options: VectorStoreOptions = {}): VectorStore {
    if (!(buf instanceof Uint8Array)) throw new CorruptIndexError('vector index: expected bytes (Uint8Array)');
    return VectorStore.read(bufferSource(buf), options);
  }

  /** Read a store from a format-1 file's bytes, straight into its rows. Throws CorruptIndexError when they are damaged. */
  static read(src: ByteSource, options: VectorStoreOptions = {}): VectorStore {
    let store: VectorStore | null = null;
    const file = readVectorFile(src, (dim, count) => {
      store = VectorStore.exactShell(dim, count, options);
      const { rows, stride } = store.rows!;
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
    if (s.shouldBeCoarse()) s.toCoarse();
    return s;
  }

  /** An exact store (rows are loaded into its scan kernel) that keeps the caller's search mode for later. */
  private static exactShell(dim: number, capacity: number, options: VectorStoreOptions): VectorStore {
    const store = new VectorStore(dim, capacity, { ...options, search: 'exact' });
    store.options = options;
    return store;
  }

  private static openFormat1(dir: string, commit: VectorCommit, options: VectorStoreOptions): VectorStore {
    const src = openChecked(dir, { files: { vectors: commit } } as unknown as Manifest, 'vectors');
    try {
      const store = VectorStore.read(src, options);
      src.finish();
      store.rewriteNeeded = true;
      return store;
    } finally {
      src.close();
    }
  }

  // ---- internals -------------------------------------------------------------

  private autoMode(): boolean {
    return (this.options.search ?? 'auto') === 'auto';
  }

  private shouldBeCoarse(): boolean {
    return wantsCoarse(this.options, this.count);
  }

  private write(key: number, vecs: ArrayLike<number>, offset: number): void {
    let slot = this.slotOfKey.get(key);
    if (slot === undefined) {
      slot = this.count++;
      this.slotOfKey.set(key, slot);
      this.keyOfSlot[slot] = key;
    }
    this.fileRowOfSlot[slot] = -1; // the file's row (if any) is now dead
    if (this.rows) {
      const stride = this.rows.stride;
      this.scaleOfSlot[slot] = quantizeInto(vecs, offset, this.dim, this.rows.rows, slot * stride, stride);
    } else {
      const row = this.scratchRow;
      this.scaleOfSlot[slot] = quantizeInto(vecs, offset, this.dim, row, 0, this.dim);
      this.setCodeOf(slot, row, 0);
      this.pending!.put(slot, row, 0);
    }
  }

  private setCodeOf(slot: number, row: ArrayLike<number>, at: number): void {
    const codes = this.codes!;
    const code = new Uint8Array(codes.stride);
    signCodeInto(row, at, this.dim, code, 0, codes.stride);
    codes.setCode(slot, code, 0, codes.stride);
  }

  /** Quantise `query` into the query row (and the exact kernel's); returns its scale. */
  private loadQuery(query: Float32Array): number {
    this.checkVector(query, 'query vector');
    if (this.rows) quantizeInto(query, 0, this.dim, this.rows.query, 0, this.rows.stride);
    return quantizeInto(query, 0, this.dim, this.queryRow, 0, this.dim);
  }

  private exactTop(want: number, filter?: (key: number) => boolean): Array<{ key: number; value: number }> {
    const dots = this.rows!.scan(this.count);
    // a row's rank value is dot × its scale (the query's scale is common to all rows)
    return selectTopK(dots, this.keyOfSlot, this.count, want, filter, this.scaleOfSlot)
      .map(({ slot, value }) => ({ key: this.keyOfSlot[slot], value }));
  }

  private coarseTop(want: number, filter?: (key: number) => boolean): Array<{ key: number; value: number }> {
    const codes = this.codes!;
    const q = this.queryRow;
    const qCode = new Uint8Array(codes.stride);
    signCodeInto(q, 0, this.dim, qCode, 0, codes.stride);
    codes.setQuery(qCode);
    const { dist, hist } = codes.distances(this.count);
    const rescore = Math.max(want, this.options.rescore ?? RESCORE_ROWS);
    const shortlist = Math.max(rescore, this.options.shortlist ?? HAMMING_SHORTLIST);
    if (filter && this.order.length < this.count) this.order = new Int32Array(this.capacity);
    let slots = nearestCodes(dist, hist, this.count, shortlist, this.keyOfSlot, filter, this.order);
    if (slots.length > rescore) slots = this.bestByCode(slots, rescore);
    const rows = this.rowsOf(slots);
    const n = slots.length;
    const dim = this.dim;
    const dots = new Float64Array(n);
    const keys = new Uint32Array(n);
    const scales = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let dot = 0;
      for (let j = 0, base = i * dim; j < dim; j++) dot += q[j] * rows[base + j];
      dots[i] = dot;
      keys[i] = this.keyOfSlot[slots[i]];
      scales[i] = this.scaleOfSlot[slots[i]];
    }
    return selectTopK(dots, keys, n, want, undefined, scales).map(({ slot, value }) => ({ key: keys[slot], value }));
  }

  /** The `keep` of `slots` whose codes score best against the query's int8 values. */
  private bestByCode(slots: Int32Array, keep: number): Int32Array {
    const codes = this.codes!;
    const bytes = Math.ceil(this.dim / 8);
    const tables = new Int32Array(bytes * 256);
    byteTables(this.queryRow, this.dim, bytes, tables);
    const gathered = new Uint8Array(slots.length * codes.stride);
    codes.gatherCodes(slots, slots.length, gathered);
    const scores = new Float64Array(slots.length);
    asymmetricScores(tables, bytes, gathered, codes.stride, slots.length, scores);
    const keys = new Uint32Array(slots.length);
    for (let i = 0; i < slots.length; i++) keys[i] = this.keyOfSlot[slots[i]];
    const best = selectTopK(scores, keys, slots.length, keep);
    const out = new Int32Array(best.length);
    for (let i = 0; i < best.length; i++) out[i] = slots[best[i].slot];
    return out;
  }

  /**
   * The int8 rows of `slots` (dim bytes each, in order): from the scan kernel,
   * the unsaved rows or the file. A row read from the file is checked against
   * its code and scale: CorruptIndexError when it does not match.
   */
  private rowsOf(slots: Int32Array): Int8Array {
    const dim = this.dim;
    const n = slots.length;
    const out = new Int8Array(n * dim);
    if (this.rows) {
      const { rows, stride } = this.rows;
      for (let i = 0; i < n; i++) out.set(rows.subarray(slots[i] * stride, slots[i] * stride + dim), i * dim);
      return out;
    }
    const pending = this.pending!;
    const fromFile = new Int32Array(n); // indices into slots
    let m = 0;
    for (let i = 0; i < n; i++) {
      if (pending.has(slots[i])) pending.get(slots[i], out, i * dim);
      else fromFile[m++] = i;
    }
    if (m > 0) this.readFileRows(slots, fromFile.subarray(0, m), out);
    return out;
  }

  /** Rows slots[which[j]] from the file into out (at which[j] · dim), each checked against its code and scale. */
  private readFileRows(slots: Int32Array, which: Int32Array, out: Int8Array): void {
    const dim = this.dim;
    const m = which.length;
    const f = this.file!;
    if (f.fd === null) {
      try { f.fd = fs.openSync(f.file, 'r'); } catch (e) {
        throw new CorruptIndexError(`cannot read ${f.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    }
    const fileSlots = new Int32Array(m);
    const pos = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      fileSlots[j] = slots[which[j]];
      pos[j] = this.filePosition(this.fileRowOfSlot[fileSlots[j]]);
    }
    const got = new Int8Array(m * dim);
    readRowsAt(f.fd, f.file, pos, m, dim, got);
    const codes = this.codes!;
    const stride = codes.stride;
    const code = new Uint8Array(m * stride);
    codes.gatherCodes(fileSlots, m, code);
    for (let j = 0; j < m; j++) {
      const slot = fileSlots[j];
      if (!rowMatches(got, j * dim, dim, this.scaleOfSlot[slot], code, j * stride)) {
        throw new CorruptIndexError(`${f.file}: the row of key ${this.keyOfSlot[slot]} does not match its saved code and scale`);
      }
      out.set(got.subarray(j * dim, (j + 1) * dim), which[j] * dim);
    }
  }

  /** Byte position of file row `row`. */
  private filePosition(row: number): number {
    const segs = this.file!.segments;
    let lo = 0, hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segs[mid].firstRow <= row) lo = mid; else hi = mid - 1;
    }
    return segs[lo].rowsAt + (row - segs[lo].firstRow) * this.dim;
  }

  private countInFile(): number {
    let n = 0;
    for (let s = 0; s < this.count; s++) if (this.fileRowOfSlot[s] >= 0) n++;
    return n;
  }

  /**
   * The live rows of `segments` become the slots, in file order, with their
   * codes (coarse) or their rows (exact). rowOfKey (the replay's map) becomes
   * the key → slot map: one map of every key, not two.
   */
  private loadSegments(segments: SegmentIndex[], slotOfRow: Int32Array, rowOfKey: KeySlots, fd: number, file: string): void {
    const cb = fileCodeBytes(this.dim);
    let first = 0;
    for (const seg of segments) {
      const rows = slotOfRow.subarray(first, first + seg.count);
      forEachRecord(fd, file, seg, this.dim, (i, scale, code, codeAt) => {
        const s = rows[i];
        if (s < 0) return;
        this.keyOfSlot[s] = seg.keys[i];
        this.scaleOfSlot[s] = scale;
        this.fileRowOfSlot[s] = first + i;
        this.codes?.setCode(s, code, codeAt, cb);
      });
      if (this.rows) this.loadSegmentRows(fd, file, seg, rows);
      first += seg.count;
    }
    rowOfKey.forEach((row, key) => rowOfKey.set(key, slotOfRow[row]));
    this.slotOfKey = rowOfKey;
    this.count = rowOfKey.size;
  }

  /** Read a segment's rows in batches, checking their CRC, into the scan kernel's slots (slotOfRow[i] < 0: a dead row). */
  private loadSegmentRows(fd: number, file: string, seg: SegmentIndex, slotOfRow: Int32Array): void {
    const dim = this.dim;
    const { rows, stride } = this.rows!;
    const batch = Math.max(1, Math.floor(LOAD_BATCH_BYTES / dim));
    const buf = new Uint8Array(Math.min(batch, seg.count) * dim);
    const view = new Int8Array(buf.buffer);
    let crc = 0;
    for (let i = 0; i < seg.count; i += batch) {
      const m = Math.min(batch, seg.count - i);
      readFully(fd, file, buf, 0, m * dim, seg.rowsAt + i * dim);
      crc = crc32(buf.subarray(0, m * dim), crc);
      for (let j = 0; j < m; j++) {
        const s = slotOfRow[i + j];
        if (s >= 0) rows.set(view.subarray(j * dim, (j + 1) * dim), s * stride);
      }
    }
    if (crc !== seg.rowsCrc) throw new CorruptIndexError(`${file}: rows checksum mismatch in the segment at byte ${seg.rowsAt}`);
  }

  /** Exact → coarse: codes from the rows; rows the file lacks move to the pending rows; the scan kernel goes. */
  private toCoarse(): void {
    const { rows, stride } = this.rows!;
    this.codes = createCodeKernel(this.dim, this.capacity, this.options.kernel ?? 'auto');
    this.pending = new PendingRows(this.dim, this.capacity);
    for (let s = 0; s < this.count; s++) {
      this.setCodeOf(s, rows, s * stride);
      if (this.fileRowOfSlot[s] < 0) this.pending.put(s, rows, s * stride);
    }
    this.rows = null;
  }

  /** Coarse → exact (after a save, so every row is in the file): rows read back whole. */
  private toExact(): void {
    const all = this.rowsOf(Int32Array.from({ length: this.count }, (_, i) => i));
    const kernel = createScanKernel(this.dim, this.capacity, this.options.kernel ?? 'auto');
    for (let s = 0; s < this.count; s++) kernel.rows.set(all.subarray(s * this.dim, (s + 1) * this.dim), s * kernel.stride);
    this.rows = kernel;
    this.codes = null;
    this.pending = null;
    this.close();
  }

  /** A segment writer's view of the given slots. */
  private segmentOf(slots: Int32Array): SegmentSource {
    const dim = this.dim;
    const cb = fileCodeBytes(dim);
    const code = new Uint8Array(Math.max(cb, kernelCodeStride(dim)));
    return {
      count: slots.length,
      rows: (i, n, out) => out.set(this.rowsOf(slots.subarray(i, i + n))),
      key: (i) => this.keyOfSlot[slots[i]],
      scale: (i) => this.scaleOfSlot[slots[i]],
      code: (i, out, at) => {
        const s = slots[i];
        if (this.codes) this.codes.getCode(s, code, 0);
        else signCodeInto(this.rows!.rows, s * this.rows!.stride, dim, code, 0, cb);
        out.set(code.subarray(0, cb), at);
      },
    };
  }

  /** Append a segment of the rows the file lacks and the keys removed since the last save. */
  private append(f: AttachedFile): void {
    const slots: number[] = [];
    for (let s = 0; s < this.count; s++) if (this.fileRowOfSlot[s] < 0) slots.push(s);
    const seg = Int32Array.from(slots);
    const end = { ...f.end };
    const fd = fs.openSync(f.file, 'r+');
    try {
      fs.ftruncateSync(fd, f.end.bytes); // drop an interrupted append's bytes
      let pos = f.end.bytes;
      for (const piece of segmentPieces(this.dim, this.segmentOf(seg), this.removedSinceSave, end)) {
        for (let off = 0; off < piece.length;) off += fs.writeSync(fd, piece, off, piece.length - off, pos + off);
        pos += piece.length;
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    f.segments.push({ firstRow: f.rows, rowsAt: f.end.bytes });
    seg.forEach((s, i) => { this.fileRowOfSlot[s] = f.rows + i; });
    f.rows += seg.length;
    f.end = end;
    this.removedSinceSave = [];
    this.pending?.clear();
  }

  /** Write every live row to a new file (atomically replacing any there) and attach it. */
  private writeAfresh(dir: string): void {
    const file = path.join(dir, FILES.vectors);
    const all = Int32Array.from({ length: this.count }, (_, i) => i);
    const end: VectorCommit = { bytes: 0, crc32: 0 };
    const dim = this.dim;
    const src = this.segmentOf(all);
    function* pieces(): Generator<Uint8Array> {
      yield logHeader(dim, end);
      yield* segmentPieces(dim, src, [], end);
    }
    writeFileAtomic(file, pieces());
    this.close();
    for (let s = 0; s < this.count; s++) this.fileRowOfSlot[s] = s;
    this.file = { dir, file, fd: null, end, rows: this.count, segments: [{ firstRow: 0, rowsAt: LOG_HEADER_BYTES }] };
    this.removedSinceSave = [];
    this.rewriteNeeded = false;
    this.pending?.clear();
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

  /** Room for `rows` slots; past COARSE_MIN_ROWS (auto mode) the store turns coarse first, so its rows need not all fit in memory. */
  private ensureCapacity(rows: number): void {
    if (this.rows && this.autoMode() && rows > COARSE_MIN_ROWS) this.toCoarse();
    if (rows <= this.capacity) return;
    const next = Math.max(rows, this.capacity * 2);
    this.rows?.reserve(next);
    this.codes?.reserve(next);
    this.pending?.reserveSlots(next);
    const keys = new Uint32Array(next);
    keys.set(this.keyOfSlot.subarray(0, this.count));
    this.keyOfSlot = keys;
    const scales = new Float32Array(next);
    scales.set(this.scaleOfSlot.subarray(0, this.count));
    this.scaleOfSlot = scales;
    const fileRows = new Int32Array(next).fill(-1);
    fileRows.set(this.fileRowOfSlot.subarray(0, this.count));
    this.fileRowOfSlot = fileRows;
    this.capacity = next;
  }
}

function wantsCoarse(options: VectorStoreOptions, rows: number): boolean {
  const mode = options.search ?? 'auto';
  return mode === 'coarse' || (mode === 'auto' && rows > COARSE_MIN_ROWS);
}

/**
 * Replay the segments: a key's row is its latest, unless a later segment
 * removed it. Returns each file row's slot (-1: dead), slots numbered in file order.
 */
function replaySegments(segments: SegmentIndex[], file: string): { slotOfRow: Int32Array; live: number; rowOfKey: KeySlots } {
  const rowOfKey = new KeySlots();
  let first = 0;
  for (const seg of segments) {
    for (const k of seg.removed) rowOfKey.delete(k);
    for (let i = 0; i < seg.count; i++) {
      const prev = rowOfKey.get(seg.keys[i]);
      if (prev !== undefined && prev >= first) throw new CorruptIndexError(`${file} lists key ${seg.keys[i]} twice in one segment`);
      rowOfKey.set(seg.keys[i], first + i);
    }
    first += seg.count;
  }
  const slotOfRow = new Int32Array(first).fill(-1);
  rowOfKey.forEach((r) => { slotOfRow[r] = 0; });
  let live = 0;
  for (let r = 0; r < first; r++) if (slotOfRow[r] === 0) slotOfRow[r] = live++;
  return { slotOfRow, live, rowOfKey };
}

/** First file row and row position of each segment. */
function segmentStarts(segments: SegmentIndex[]): Array<{ firstRow: number; rowsAt: number }> {
  let first = 0;
  return segments.map((s) => { const e = { firstRow: first, rowsAt: s.rowsAt }; first += s.count; return e; });
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
