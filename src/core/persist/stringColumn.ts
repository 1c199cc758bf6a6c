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
import { compareBytes, encodeSorted, mergeDictionaries } from './dictionaryMerge';

const EMPTY = Buffer.alloc(0);

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

  /**
   * A number for each distinct string the rows hold, in [0, codeCount): the
   * same until the next compact(). For a column of shared strings (codeOf()
   * needs the overlay's index).
   */
  codeAt(row: number): number {
    const r = this.refs[row];
    return r >= 0 ? r : this.offsets.length - 1 + ~r;
  }

  get codeCount(): number { return this.offsets.length - 1 + this.extra.length; }

  /** The code of rows holding this string, or -1 when no row of the dictionary or the overlay can. */
  codeOf(s: string): number {
    const id = this.dictionaryId(s);
    if (id >= 0) return id;
    const at = this.extraIndex?.get(s);
    return at === undefined ? -1 : this.offsets.length - 1 + at;
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
    const { inDictionary, inOverlay, overlayOf } = this.inUse(order);
    const added = encodeSorted(inOverlay.map((i) => this.extra[i]));
    const merged = mergeDictionaries({ bytes: this.blob, offsets: this.offsets, take: inDictionary }, added);
    const refs = new Int32Array(order.length);
    for (let k = 0; k < order.length; k++) {
      const r = this.refs[order[k]];
      refs[k] = r >= 0 ? merged.fromA[r] : merged.fromB[overlayOf[~r]];
    }
    this.refs = refs;
    this.offsets = merged.offsets;
    this.blob = Buffer.from(merged.bytes.buffer, merged.bytes.byteOffset, merged.bytes.length);
    this.viewsFile = false;
    this.extra = [];
    this.extraIndex = this.shared ? new Map() : null;
    this.lastId = -1;
  }

  /**
   * What these rows hold: the dictionary ids in use (in order), the overlay's
   * strings in use (each string once), and for each overlay index its place
   * in that list.
   */
  private inUse(order: ArrayLike<number>): { inDictionary: Int32Array; inOverlay: number[]; overlayOf: Int32Array } {
    const d = this.offsets.length - 1;
    const used = new Uint8Array(d);
    const overlayOf = new Int32Array(this.extra.length).fill(-1);
    const placeOf = new Map<string, number>();
    const inOverlay: number[] = [];
    let inDictionaryCount = 0;
    for (let k = 0; k < order.length; k++) {
      const r = this.refs[order[k]];
      if (r >= 0) { if (!used[r]) { used[r] = 1; inDictionaryCount++; } continue; }
      if (overlayOf[~r] >= 0) continue;
      let place = placeOf.get(this.extra[~r]);
      if (place === undefined) { place = inOverlay.length; inOverlay.push(~r); placeOf.set(this.extra[~r], place); }
      overlayOf[~r] = place;
    }
    const inDictionary = new Int32Array(inDictionaryCount);
    for (let i = 0, k = 0; i < d; i++) if (used[i]) inDictionary[k++] = i;
    return { inDictionary, inOverlay, overlayOf };
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
