// The index's files, column by column: what each file was when it was last
// read (size, mtime, SHA-1 of its text) and the range of keys its chunks got.
// A file's chunk keys are contiguous (assigned in sequence as the file is
// chunked; renumbering keeps their order), so a range stands for them.
//
// Loading makes no row and no string: the columns are views into the file's
// buffer, and a file is found by (root, path) through a hash table of rows
// built from the paths' bytes. A deleted row stays in place, dead, until the
// next save (it comes back to life if its file is set again): rows never
// move, so deleting while iterating is safe.
import { CorruptIndexError } from '../errors';
import { BinaryReader, BinaryWriter, writeMagic } from './binary';
import { fnv1a32 } from '../embed/tokenizer';
import { StringColumn } from './stringColumn';

const MAGIC = 'SFTF';
const VERSION = 1;
const HASH_BYTES = 20;
const HEX_HASH = /^[0-9a-f]{40}$/;

/** A file as the index last saw it. */
export interface FileRecord {
  /** Index into the engine's roots. */
  root: number;
  /** Path under its root, '/'-separated. */
  rel: string;
  size: number;
  mtimeMs: number;
  /** SHA-1 of its text, 40 lowercase hex digits. */
  hash: string;
  /** Its chunks' keys: firstKey … firstKey + keyCount − 1. */
  firstKey: number;
  keyCount: number;
}

/** The keys of a file's chunks. */
export function keysOf(f: Pick<FileRecord, 'firstKey' | 'keyCount'>): number[] {
  return Array.from({ length: f.keyCount }, (_, i) => f.firstKey + i);
}

/** The range of a file's chunk keys; throws unless they run in sequence. */
export function keyRange(keys: readonly number[]): Pick<FileRecord, 'firstKey' | 'keyCount'> {
  for (let i = 1; i < keys.length; i++) {
    if (keys[i] !== keys[0] + i) throw new Error(`file table: chunk keys ${keys[0]}, …, ${keys[i]} are not in sequence`);
  }
  return { firstKey: keys.length ? keys[0] : 0, keyCount: keys.length };
}

interface Columns {
  root: Int32Array; size: Float64Array; mtimeMs: Float64Array; hash: Buffer; firstKey: Int32Array; keyCount: Int32Array;
}

function makeColumns(cap: number): Columns {
  return {
    root: new Int32Array(cap), size: new Float64Array(cap), mtimeMs: new Float64Array(cap),
    hash: Buffer.alloc(cap * HASH_BYTES), firstKey: new Int32Array(cap), keyCount: new Int32Array(cap),
  };
}

/** Columns holding rows order[0], order[1], … of `from`. */
function pickRows(from: Columns, order: Int32Array): Columns {
  const to = makeColumns(order.length);
  for (let i = 0; i < order.length; i++) {
    const r = order[i];
    to.root[i] = from.root[r]; to.size[i] = from.size[r]; to.mtimeMs[i] = from.mtimeMs[r];
    to.firstKey[i] = from.firstKey[r]; to.keyCount[i] = from.keyCount[r];
    to.hash.set(from.hash.subarray(r * HASH_BYTES, (r + 1) * HASH_BYTES), i * HASH_BYTES);
  }
  return to;
}

/** The hash of a file's (root, path), from the hash of the path's bytes. */
const mix = (root: number, pathHash: number): number => (pathHash ^ Math.imul(root + 1, 0x9e3779b1)) | 0;

/** A path as the table stores it: lone surrogates become U+FFFD, as they do in UTF-8. */
const stored = (rel: string): string => (/[\uD800-\uDFFF]/.test(rel) ? Buffer.from(rel, 'utf8').toString('utf8') : rel);

/** Finding the files of a crawl in the table, and then those the crawl did not find. */
export interface FileSweep {
  /** Marks the file as found; returns whether the table holds it with this size and mtime (unchanged, most likely). */
  visit(root: number, rel: string, size: number, mtimeMs: number): boolean;
  /** The files in the table that were not visited (when the sweep began). */
  unvisited(): FileRecord[];
}

export class FileTable {
  /** Rows in use, dead ones included. */
  private rows = 0;
  private liveCount = 0;
  private col: Columns = makeColumns(0);
  private alive = new Uint8Array(0);
  private rel = new StringColumn(0, false);
  /** mix(root, fnv1a32(rel)) per row. */
  private rowHash = new Int32Array(0);
  /** Open addressing over rowHash: row + 1, or 0 for an empty bucket; a power of two, at most half full. */
  private buckets = new Int32Array(16);

  /** Files in the table. */
  get size(): number { return this.liveCount; }

  has(root: number, rel: string): boolean { return this.liveRow(root, rel) >= 0; }

  get(root: number, rel: string): FileRecord | undefined {
    const r = this.liveRow(root, rel);
    return r < 0 ? undefined : this.record(r);
  }

  /** Add a file, or replace what the table holds for it (same root and rel). */
  set(f: FileRecord): void {
    if (!HEX_HASH.test(f.hash)) throw new Error(`file table: hash of ${f.rel} is not 40 hex digits`);
    if (!(Number.isInteger(f.firstKey) && f.firstKey >= 0 && Number.isInteger(f.keyCount) && f.keyCount >= 0)) {
      throw new RangeError(`file table: bad key range ${f.firstKey}+${f.keyCount} for ${f.rel}`);
    }
    if (!(Number.isInteger(f.root) && f.root >= 0)) throw new RangeError(`file table: bad root ${f.root}`);
    const rel = stored(f.rel);
    let r = this.row(f.root, rel);
    if (r < 0) {
      r = this.rows++;
      this.ensureRows(this.rows);
      this.col.root[r] = f.root;
      this.rel.set(r, rel);
      this.rowHash[r] = mix(f.root, fnv1a32(rel));
      if (2 * this.rows > this.buckets.length) this.rebuildIndex(); else this.index(r);
    }
    if (!this.alive[r]) { this.alive[r] = 1; this.liveCount++; }
    this.col.size[r] = f.size;
    this.col.mtimeMs[r] = f.mtimeMs;
    this.col.hash.set(Buffer.from(f.hash, 'hex'), r * HASH_BYTES);
    this.col.firstKey[r] = f.keyCount > 0 ? f.firstKey : 0;
    this.col.keyCount[r] = f.keyCount;
  }

  /** A file's size and mtime, when they change but its text does not. Returns false when the table lacks the file. */
  touch(root: number, rel: string, size: number, mtimeMs: number): boolean {
    const r = this.liveRow(root, rel);
    if (r < 0) return false;
    this.col.size[r] = size;
    this.col.mtimeMs[r] = mtimeMs;
    return true;
  }

  delete(root: number, rel: string): boolean {
    const r = this.liveRow(root, rel);
    if (r < 0) return false;
    this.alive[r] = 0;
    this.liveCount--;
    this.col.keyCount[r] = 0;
    return true;
  }

  /** The files: those of the last load or save in their order there, then those added since in the order added. */
  *values(): Generator<FileRecord> {
    for (let r = 0; r < this.rows; r++) if (this.alive[r]) yield this.record(r);
  }

  /** A crawl's pass over the table: visit each file found, then take the ones not visited (vanished files). */
  sweep(): FileSweep {
    const visited = new Uint8Array(this.rows);
    const rows = this.rows;
    return {
      visit: (root, rel, size, mtimeMs) => {
        const r = this.liveRow(root, rel);
        if (r < 0) return false;
        if (r < rows) visited[r] = 1;
        return this.col.size[r] === size && this.col.mtimeMs[r] === mtimeMs;
      },
      unvisited: () => {
        const out: FileRecord[] = [];
        for (let r = 0; r < rows; r++) if (this.alive[r] && !visited[r]) out.push(this.record(r));
        return out;
      },
    };
  }

  /** New keys for the chunks: remap[old]; each file's keys must stay in sequence. */
  renumber(remap: Int32Array): void {
    const { firstKey, keyCount } = this.col;
    const next = new Int32Array(this.rows);
    for (let r = 0; r < this.rows; r++) {
      if (!this.alive[r] || keyCount[r] === 0) continue;
      const first = remap[firstKey[r]];
      if (!(first >= 0) || remap[firstKey[r] + keyCount[r] - 1] !== first + keyCount[r] - 1) {
        throw new Error(`file table: the keys of ${this.rel.get(r)} do not stay in sequence`);
      }
      next[r] = first;
    }
    for (let r = 0; r < this.rows; r++) if (this.alive[r] && keyCount[r] > 0) firstKey[r] = next[r];
  }

  private record(r: number): FileRecord {
    const c = this.col;
    return {
      root: c.root[r], rel: this.rel.get(r), size: c.size[r], mtimeMs: c.mtimeMs[r],
      hash: c.hash.toString('hex', r * HASH_BYTES, (r + 1) * HASH_BYTES),
      firstKey: c.firstKey[r], keyCount: c.keyCount[r],
    };
  }

  private liveRow(root: number, rel: string): number {
    const r = this.row(root, stored(rel));
    return r >= 0 && this.alive[r] ? r : -1;
  }

  /** The row of a file (its path as stored), dead or alive, or -1. */
  private row(root: number, rel: string): number {
    const h = mix(root, fnv1a32(rel));
    const mask = this.buckets.length - 1;
    for (let b = h & mask; ; b = (b + 1) & mask) {
      const r = this.buckets[b] - 1;
      if (r < 0) return -1;
      if (this.rowHash[r] === h && this.col.root[r] === root && this.rel.equalsAt(r, rel)) return r;
    }
  }

  /** Put a row in the hash table; returns a row already there for the same file (the row is then not put in), or -1. */
  private index(row: number): number {
    const h = this.rowHash[row];
    const mask = this.buckets.length - 1;
    for (let b = h & mask; ; b = (b + 1) & mask) {
      const r = this.buckets[b] - 1;
      if (r < 0) { this.buckets[b] = row + 1; return -1; }
      if (this.rowHash[r] === h && this.col.root[r] === this.col.root[row] && this.rel.compareRows(r, row) === 0) return r;
    }
  }

  /** A new hash table, a quarter full, with every row in it; returns the first row that repeats a file, or -1. */
  private rebuildIndex(): number {
    let size = 16;
    while (size < 4 * this.rows) size *= 2;
    this.buckets = new Int32Array(size);
    for (let r = 0; r < this.rows; r++) if (this.index(r) >= 0) return r;
    return -1;
  }

  private ensureRows(n: number): void {
    const have = this.col.root.length;
    if (n <= have) return;
    const cap = Math.max(n, have + (have >> 2) + 256);
    const grown = makeColumns(cap);
    for (const k of Object.keys(grown) as Array<keyof Columns>) grown[k].set(this.col[k] as never);
    this.col = grown;
    const alive = new Uint8Array(cap);
    alive.set(this.alive);
    this.alive = alive;
    const rowHash = new Int32Array(cap);
    rowHash.set(this.rowHash);
    this.rowHash = rowHash;
    this.rel.grow(cap);
  }

  /**
   * The table as file pieces (see BinaryWriter.finishPieces): write them before
   * changing the table. Saving forgets deleted files, as loading the file would.
   */
  serializePieces(): Uint8Array[] {
    const order: number[] = [];
    for (let r = 0; r < this.rows; r++) if (this.alive[r]) order.push(r);
    const rows = Int32Array.from(order);
    const n = rows.length;
    this.col = pickRows(this.col, rows);
    this.rel.compact(rows);
    this.rowHash = Int32Array.from(rows, (r) => this.rowHash[r]);
    this.alive = new Uint8Array(n).fill(1);
    this.rows = this.liveCount = n;
    this.rebuildIndex();
    const w = new BinaryWriter();
    writeMagic(w, MAGIC, VERSION);
    w.u32(n);
    const c = this.col;
    w.array(c.root).array(c.size).array(c.mtimeMs).array(c.hash).array(c.firstKey).array(c.keyCount);
    this.rel.write(w, n);
    return w.finishPieces();
  }

  /** A table viewing the file's buffer (kept, not copied: hand over a buffer nothing else uses). */
  static deserialize(buf: Uint8Array): FileTable {
    const r = new BinaryReader(buf, 'file table');
    r.expectMagic(MAGIC, VERSION);
    const n = r.u32();
    const hash = (u8: Uint8Array): Buffer => Buffer.from(u8.buffer, u8.byteOffset, u8.length);
    const col: Columns = { root: r.i32(), size: r.f64s(), mtimeMs: r.f64s(), hash: hash(r.u8()), firstKey: r.i32(), keyCount: r.i32() };
    for (const k of Object.keys(col) as Array<keyof Columns>) {
      const want = k === 'hash' ? n * HASH_BYTES : n;
      if (col[k].length !== want) throw new CorruptIndexError(`file table: ${k} has ${col[k].length} entries, expected ${want}`);
    }
    const rel = StringColumn.read(r, n, 'file table: paths', false);
    r.done();
    for (let i = 0; i < n; i++) {
      if (col.root[i] < 0 || col.firstKey[i] < 0 || col.keyCount[i] < 0) throw new CorruptIndexError(`file table: bad root or keys in row ${i}`);
    }
    const t = new FileTable();
    t.col = col;
    t.rel = rel;
    t.alive = new Uint8Array(n).fill(1);
    t.rows = t.liveCount = n;
    t.rowHash = new Int32Array(n);
    for (let i = 0; i < n; i++) t.rowHash[i] = mix(col.root[i], rel.hashAt(i));
    const twice = t.rebuildIndex();
    if (twice >= 0) throw new CorruptIndexError(`file table: row ${twice} repeats a file`);
    return t;
  }
}
