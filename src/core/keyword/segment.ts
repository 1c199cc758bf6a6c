// A segment file opened for reading (segmentFormat.ts). Opening checks the
// length against the commit's and reads only the trailer and the head (doc
// keys and lengths, block index, name index), checksummed; a term's
// dictionary block and postings are read when a query asks for them, each
// checked against its own CRC, and kept in a shared LRU cache.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from '../crc32';
import { CorruptIndexError } from '../errors';
import { BinaryReader } from '../persist/binary';
import { decodeDictBlock, type DictEntries } from './dictBlock';
import { readAt, WindowReader } from './fileRegion';
import type { LruCache } from './lruCache';
import { NameSection } from './nameSection';
import { decodePostings, type Postings } from './postings';
import { SEGMENT_MAGIC, SEGMENT_VERSION, TERMS_PER_BLOCK, TRAILER_BYTES, type SegmentRef } from './segmentFormat';
import { StringBlob } from './stringBlob';
import { indexOfKey } from './bm25Accumulate';

export type SegmentCache = LruCache<Postings | DictEntries>;

/** A term of a segment as a merge reads it: postings read on request, in term order. */
export interface SegmentTerm { term: string; df: number; postings(): Postings }

export class Segment {
  readonly keys: Int32Array;
  readonly lens: Float32Array;
  readonly nameWords: Uint16Array;
  readonly names: NameSection;
  readonly termCount: number;
  private readonly firstTerms: StringBlob;
  private readonly dictStart: number;
  private readonly blockDict: Float64Array;
  private readonly blockPostings: Float64Array;
  private readonly blockCrc: Uint32Array;
  private readonly namesAt: { start: number; length: number; crc: number };
  private fd: number | null;

  private constructor(readonly ref: SegmentRef, fd: number, head: Uint8Array, private readonly cache: SegmentCache) {
    this.fd = fd;
    const what = ref.name;
    const r = new BinaryReader(head, what);
    r.expectMagic(SEGMENT_MAGIC, SEGMENT_VERSION);
    const docs = r.u32();
    this.termCount = r.u32();
    this.keys = r.i32();
    this.lens = r.f32();
    this.nameWords = r.u16();
    const off = r.u32s();
    this.firstTerms = new StringBlob(r.u8(), off);
    this.dictStart = r.f64();
    this.blockDict = r.f64s();
    this.blockPostings = r.f64s();
    this.blockCrc = r.u32s();
    this.namesAt = { start: r.f64(), length: r.u32(), crc: r.u32() };
    this.names = NameSection.read(r);
    r.done();
    const blocks = this.firstTerms.length;
    const ok = docs === ref.docs && this.keys.length === docs && this.lens.length === docs && this.nameWords.length === docs &&
      this.firstTerms.consistent && this.blockDict.length === blocks + 1 && this.blockPostings.length === blocks && this.blockCrc.length === blocks &&
      this.termCount <= blocks * TERMS_PER_BLOCK && this.dictStart + this.blockDict[blocks] === this.namesAt.start &&
      this.namesAt.start + this.namesAt.length + head.length + TRAILER_BYTES === ref.bytes;
    if (!ok) throw new CorruptIndexError(`${what}: inconsistent head`);
    for (let i = 1; i < docs; i++) if (this.keys[i] <= this.keys[i - 1]) throw new CorruptIndexError(`${what}: keys out of order`);
  }

  /** Open a segment named by a commit; a missing, short, long or damaged file is a CorruptIndexError. */
  static open(dir: string, ref: SegmentRef, cache: SegmentCache): Segment {
    let fd: number;
    try { fd = fs.openSync(path.join(dir, ref.name), 'r'); } catch (e) {
      throw new CorruptIndexError(`cannot read ${ref.name}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size !== ref.bytes) throw new CorruptIndexError(`${ref.name} has ${size} bytes, expected ${ref.bytes}`);
      if (size < TRAILER_BYTES) throw new CorruptIndexError(`${ref.name} is too short`);
      const t = new BinaryReader(readAt(fd, size - TRAILER_BYTES, TRAILER_BYTES, ref.name), ref.name);
      const headLength = t.u32();
      const headCrc = t.u32();
      t.expectMagic(SEGMENT_MAGIC, SEGMENT_VERSION);
      if (headLength > size - TRAILER_BYTES) throw new CorruptIndexError(`${ref.name}: bad trailer`);
      // not from Buffer's pool: the head's arrays are viewed in place
      const head = readAt(fd, size - TRAILER_BYTES - headLength, headLength, ref.name);
      if (crc32(head) !== headCrc) throw new CorruptIndexError(`${ref.name}: head checksum mismatch`);
      return new Segment(ref, fd, head, cache);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  get name(): string { return this.ref.name; }
  get minKey(): number { return this.keys.length ? this.keys[0] : -1; }
  get maxKey(): number { return this.keys.length ? this.keys[this.keys.length - 1] : -1; }

  private get handle(): number {
    if (this.fd === null) throw new Error(`${this.name} is closed`);
    return this.fd;
  }

  /** Index of a key among the segment's documents, or -1. */
  docIndex(key: number): number {
    return indexOfKey(this.keys, key);
  }

  private checkedBlock(b: number, bytes: Uint8Array): DictEntries {
    if (crc32(bytes) !== this.blockCrc[b]) throw new CorruptIndexError(`${this.name}: dictionary block ${b} checksum mismatch`);
    return decodeDictBlock(bytes, this.blockPostings[b], this.name);
  }

  private block(b: number): DictEntries {
    const id = `${this.name}:b${b}`;
    const hit = this.cache.get(id) as DictEntries | undefined;
    if (hit) return hit;
    const start = this.dictStart + this.blockDict[b];
    const entries = this.checkedBlock(b, readAt(this.handle, start, this.dictStart + this.blockDict[b + 1] - start, this.name));
    this.cache.set(id, entries, 64 * entries.terms.length + (this.blockDict[b + 1] - this.blockDict[b]));
    return entries;
  }

  /** The term's postings (removed keys included), or null when the segment lacks it. */
  postings(term: string): Postings | null {
    const id = `${this.name}:t${term}`;
    const hit = this.cache.get(id) as Postings | undefined;
    if (hit) return hit;
    // the last block whose first term is not above the term
    let lo = 0, hi = this.firstTerms.length - 1, b = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.firstTerms.at(mid) <= term) { b = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (b < 0) return null;
    const e = this.block(b);
    const i = e.terms.indexOf(term);
    if (i < 0) return null;
    const p = decodePostings(readAt(this.handle, e.offsets[i], e.offsets[i + 1] - e.offsets[i], this.name), e.df[i], this.name);
    this.cache.set(id, p, 5 * p.keys.length + 64);
    return p;
  }

  /** Every term in order, its postings read front to back through a window (for merging): views valid until the next term. */
  *terms(): Generator<SegmentTerm> {
    const dict = new WindowReader(this.handle, this.name, this.namesAt.start);
    const posts = new WindowReader(this.handle, this.name, this.dictStart);
    const scratch: Postings = { keys: new Int32Array(this.keys.length), tfs: new Uint8Array(this.keys.length) };
    for (let b = 0; b < this.blockCrc.length; b++) {
      const start = this.dictStart + this.blockDict[b];
      const e = this.checkedBlock(b, dict.read(start, this.dictStart + this.blockDict[b + 1] - start));
      for (let i = 0; i < e.terms.length; i++) {
        const a = e.offsets[i], z = e.offsets[i + 1];
        yield { term: e.terms[i], df: e.df[i], postings: () => decodePostings(posts.read(a, z - a), e.df[i], this.name, scratch) };
      }
    }
  }

  /** The documents' names, in key order (read and checked on request: merges need them). */
  rawNames(): string[] {
    const { start, length, crc } = this.namesAt;
    const bytes = readAt(this.handle, start, length, this.name);
    if (crc32(bytes) !== crc) throw new CorruptIndexError(`${this.name}: names checksum mismatch`);
    const r = new BinaryReader(bytes, this.name);
    const off = r.u32s();
    const blob = new StringBlob(r.u8(), off);
    r.done();
    if (!blob.consistent || blob.length !== this.keys.length) throw new CorruptIndexError(`${this.name}: names do not match the documents`);
    return Array.from({ length: blob.length }, (_, i) => blob.at(i));
  }

  /** Read the whole file and check it against the commit's CRC-32. */
  verify(): void {
    const reader = new WindowReader(this.handle, this.name, this.ref.bytes);
    let crc = 0;
    for (let at = 0; at < this.ref.bytes; at += 1 << 20) crc = crc32(reader.read(at, Math.min(1 << 20, this.ref.bytes - at)), crc);
    if (crc !== this.ref.crc32) throw new CorruptIndexError(`${this.name} checksum mismatch`);
  }

  close(): void {
    if (this.fd === null) return;
    fs.closeSync(this.fd);
    this.fd = null;
    this.cache.deletePrefix(`${this.name}:`);
  }
}
