// One column of strings for a table of rows (chunk names, file paths…), held
// the way it is stored: a dictionary of distinct strings as one UTF-8 blob with
// offsets, sorted by their bytes, and one dictionary id per row. Loading is a
// few views into the file's buffer; a string is decoded when it is asked for.
// Rows set since the last load or compaction that hold a string the
// dictionary lacks point into a list of ordinary strings (the overlay), folded
// into a new dictionary by compact(), which a table runs when it is saved.
import { CorruptIndexError } from '../errors';
import { detached } from '../text/detached';
import { fnv1a32, fnv1a32Bytes } from '../embed/tokenizer';
import type { BinaryReader, BinaryWriter } from './binary';

const EMPTY = Buffer.alloc(0);

/**
 * How a[as, ae) sorts against b[bs, be) byte by byte (negative: before). In JS:
 * Buffer.compare with offsets checks its arguments on every call, and sorting
 * a fresh index's 840K names makes ~17M calls.
 */
export function compareBytes(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const n = Math.min(ae - as, be - bs);
  for (let i = 0; i < n; i++) {
    const d = a[as + i] - b[bs + i];
    if (d !== 0) return d;
  }
  return (ae - as) - (be - bs);
}

export class StringColumn {
  /** Per row: a dictionary id (≥ 0), or ~i for the overlay's string i. */
  private refs: Int32Array;
  /** The dictionary: entry i is blob[offsets[i], offsets[i + 1]). */
  private offsets: Uint32Array = Uint32Array.of(0);
  private blob: Buffer = EMPTY;
  /** Whether offsets and blob are views into a buffer the column does not own (a loaded file). */
  private viewsFile = false;
  private extra: string[] = [];
  /** Overlay string → its index, for columns whose strings repeat across rows (null: not shared). */
  private extraIndex: Map<string, number> | null;
  // the last string decoded (rows of one file sit together, and ask for the same path in turn)
  private lastId = -1;
  private lastString = '';

  constructor(capacity: number, private readonly shared: boolean) {
    this.refs = new Int32Array(capacity);
    this.extraIndex = shared ? new Map() : null;
  }

  get capacity(): number { return this.refs.length; }

  /** Room for this many rows (copies the dictionary out of a loaded file's buffer, so that buffer can go). */
  grow(capacity: number): void {
    if (capacity <= this.refs.length) return;
    const refs = new Int32Array(capacity);
    refs.set(this.refs);
    this.refs = refs;
    if (this.viewsFile) {
      this.offsets = this.offsets.slice();
      this.blob = Buffer.from(this.blob.buffer.slice(this.blob.byteOffset, this.blob.byteOffset + this.blob.length));
      this.viewsFile = false;
    }
  }

  get(row: number): string {
    const r = this.refs[row];
    if (r < 0) return this.extra[~r];
    if (r !== this.lastId) {
      this.lastString = this.blob.toString('utf8', this.offsets[r], this.offsets[r + 1]);
      this.lastId = r;
    }
    return this.lastString;
  }

  set(row: number, s: string): void {
    const id = this.dictionaryId(s);
    if (id >= 0) { this.refs[row] = id; return; }
    let at = this.extraIndex?.get(s);
    if (at === undefined) {
      at = this.extra.length;
      const own = detached(s);
      this.extra.push(own);
      this.extraIndex?.set(own, at);
    }
    this.refs[row] = ~at;
  }

  /** Row `to` takes row `from`'s string. */
  copy(from: number, to: number): void { this.refs[to] = this.refs[from]; }

  /** fnv1a32 of the row's string (over its UTF-8 bytes: no string is made for a row of the dictionary). */
  hashAt(row: number): number {
    const r = this.refs[row];
    return r < 0 ? fnv1a32(this.extra[~r]) : fnv1a32Bytes(this.blob, this.offsets[r], this.offsets[r + 1]);
  }

  /** Whether the row holds this string (an ASCII string is compared with the bytes as they are). */
  equalsAt(row: number, s: string): boolean {
    const r = this.refs[row];
    if (r < 0) return this.extra[~r] === s;
    const start = this.offsets[r];
    const length = this.offsets[r + 1] - start;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        const bytes = Buffer.from(s, 'utf8');
        return compareBytes(this.blob, start, start + length, bytes, 0, bytes.length) === 0;
      }
      if (i >= length || this.blob[start + i] !== c) return false;
    }
    return length === s.length;
  }

  /** How row a's string sorts against row b's (by bytes, negative: before). */
  compareRows(a: number, b: number): number {
    const ra = this.refs[a];
    const rb = this.refs[b];
    if (ra < 0 || rb < 0) return Buffer.compare(Buffer.from(this.get(a), 'utf8'), Buffer.from(this.get(b), 'utf8'));
    return compareBytes(this.blob, this.offsets[ra], this.offsets[ra + 1], this.blob, this.offsets[rb], this.offsets[rb + 1]);
  }

  /** The dictionary id of a string, or -1 (binary search by bytes). */
  private dictionaryId(s: string): number {
    let hi = this.offsets.length - 2;
    if (hi < 0) return -1;
    const bytes = Buffer.from(s, 'utf8');
    let lo = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareBytes(this.blob, this.offsets[mid], this.offsets[mid + 1], bytes, 0, bytes.length);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
  }

  /**
   * Keep the strings of these rows, in this order (row i of the result is row
   * order[i]), as a new dictionary: the ones in use, each once, sorted by bytes.
   * The overlay is emptied. Linear in the dictionary, plus sorting the overlay.
   */
  compact(order: ArrayLike<number>): void {
    const n = order.length;
    const d = this.offsets.length - 1;
    const usedBase = new Uint8Array(d);
    // overlay string → its place in `used` (the same string may be in the overlay more than once)
    const extraPos = new Int32Array(this.extra.length).fill(-1);
    const posOf = new Map<string, number>();
    const used: number[] = [];
    for (let i = 0; i < n; i++) {
      const r = this.refs[order[i]];
      if (r >= 0) { usedBase[r] = 1; continue; }
      if (extraPos[~r] >= 0) continue;
      let p = posOf.get(this.extra[~r]);
      if (p === undefined) { p = used.length; used.push(~r); posOf.set(this.extra[~r], p); }
      extraPos[~r] = p;
    }
    posOf.clear();
    // the overlay's strings in use, encoded one after another, then sorted by bytes
    const starts = new Uint32Array(used.length + 1);
    for (let j = 0; j < used.length; j++) starts[j + 1] = starts[j] + Buffer.byteLength(this.extra[used[j]], 'utf8');
    const big = Buffer.allocUnsafe(starts[used.length]);
    for (let j = 0; j < used.length; j++) big.write(this.extra[used[j]], starts[j], 'utf8');
    const sorted = Int32Array.from(used.keys()).sort((a, b) => compareBytes(big, starts[a], starts[a + 1], big, starts[b], starts[b + 1]));
    // merge with the dictionary's entries in use (already sorted); equal strings get one entry
    let bound = big.length;
    for (let i = 0; i < d; i++) if (usedBase[i]) bound += this.offsets[i + 1] - this.offsets[i];
    const blob = Buffer.allocUnsafeSlow(bound);
    const offsets: number[] = [0];
    const newOfBase = new Int32Array(d);
    const newOfUsed = new Int32Array(used.length);
    let at = 0;
    let lastStart = -1;
    const emit = (src: Buffer, s: number, e: number): number => {
      if (lastStart >= 0 && compareBytes(blob, lastStart, at, src, s, e) === 0) return offsets.length - 2;
      src.copy(blob, at, s, e);
      lastStart = at;
      at += e - s;
      offsets.push(at);
      return offsets.length - 2;
    };
    let i = 0;
    let j = 0;
    for (;;) {
      while (i < d && !usedBase[i]) i++;
      if (i >= d && j >= sorted.length) break;
      const u = sorted[j];
      const baseFirst = j >= sorted.length ||
        (i < d && compareBytes(this.blob, this.offsets[i], this.offsets[i + 1], big, starts[u], starts[u + 1]) <= 0);
      if (baseFirst) { newOfBase[i] = emit(this.blob, this.offsets[i], this.offsets[i + 1]); i++; }
      else { newOfUsed[u] = emit(big, starts[u], starts[u + 1]); j++; }
    }
    const refs = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const r = this.refs[order[k]];
      refs[k] = r >= 0 ? newOfBase[r] : newOfUsed[extraPos[~r]];
    }
    this.refs = refs;
    this.offsets = Uint32Array.from(offsets);
    this.blob = at === bound ? blob : Buffer.from(blob.buffer.slice(0, at));
    this.viewsFile = false;
    this.extra = [];
    this.extraIndex = this.shared ? new Map() : null;
    this.lastId = -1;
  }

  /** The first n rows' ids and the dictionary (after compact(), so no row is in the overlay). */
  write(w: BinaryWriter, n: number): void {
    if (this.extra.length > 0) throw new Error('string column: compact() before write()');
    w.array(this.refs.subarray(0, n)).array(this.offsets).array(new Uint8Array(this.blob.buffer, this.blob.byteOffset, this.blob.length));
  }

  /** A column of n rows as write() stored it; views into the reader's buffer. */
  static read(r: BinaryReader, n: number, what: string, shared: boolean): StringColumn {
    const refs = r.i32();
    const offsets = r.u32s();
    const blob = r.u8();
    if (refs.length !== n) throw new CorruptIndexError(`${what}: ${refs.length} rows, expected ${n}`);
    const d = offsets.length - 1;
    if (d < 0 || offsets[0] !== 0 || offsets[d] !== blob.length) throw new CorruptIndexError(`${what}: offsets do not span the strings`);
    for (let i = 0; i < d; i++) if (offsets[i + 1] < offsets[i]) throw new CorruptIndexError(`${what}: offsets go backwards at ${i}`);
    for (let i = 0; i < n; i++) if (!(refs[i] >= 0 && refs[i] < d)) throw new CorruptIndexError(`${what}: row ${i} names string ${refs[i]} of ${d}`);
    const c = new StringColumn(0, shared);
    c.refs = refs;
    c.offsets = offsets;
    c.blob = Buffer.from(blob.buffer, blob.byteOffset, blob.length);
    c.viewsFile = true;
    return c;
  }
}
