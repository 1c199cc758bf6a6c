// The vector index's append-only file (format 2, little-endian). A save appends
// one segment holding the rows that changed since the last one; nothing before
// it is rewritten until a compaction writes the live rows out afresh.
//
//   header   "SIFV", u32 version (2), u32 dim, u32 0                      16 bytes
//   segment  rows     i8[n × dim]                 (unpadded)
//            records  n × { u32 key, f32 scale, u8[codeBytes] sign code }
//            removed  u32[m]   keys whose earlier rows are dead and not replaced here
//            trailer  u32 n, u32 m, u32 CRC-32 of the rows,
//                     u32 CRC-32 of records, removed and the trailer's first 12 bytes
//   segment  …
//
// A key's row is the one of its latest segment that lists it, unless a later
// segment removes it. Segments are found from the end backwards (each trailer
// gives its segment's size), starting at the committed length the manifest
// records: bytes past it are an interrupted append and are never read.
// The manifest's checksum is a CRC-32 chained over the header and every
// segment's records, removed keys and trailer: opening reads exactly those
// bytes, so it checks them whole without reading the rows; the rows' own CRC
// sits in the chained trailers (checked when rows are loaded whole, and each
// lazily read row is checked against its code and scale: rowCheck.ts).

import * as fs from 'node:fs';
import { crc32 } from '../crc32';
import { CorruptIndexError } from '../errors';
import { readFully } from './rowReader';
import { fileCodeBytes } from './signCode';
import { MAX_DIM, VECTOR_FILE_MAGIC } from './vectorFile';

export const VECTOR_LOG_VERSION = 2;
export const LOG_HEADER_BYTES = 16;
const TRAILER_BYTES = 16;
const ROW_BATCH_BYTES = 1 << 20;

/** What the manifest records for the file: its committed length and the chained CRC. */
export interface VectorCommit { bytes: number; crc32: number }

/** A segment's rows, keys, scales and codes, as a save writes them. */
export interface SegmentSource {
  readonly count: number;
  /** Rows i … i + n − 1 of the segment into out (n × dim bytes). */
  rows(i: number, n: number, out: Int8Array): void;
  key(i: number): number;
  scale(i: number): number;
  /** Row i's sign code (fileCodeBytes(dim) bytes) into out at `at`. */
  code(i: number, out: Uint8Array, at: number): void;
}

/** A segment as opening reads it: its keys and removed keys (scales and codes are read again by forEachRecord). */
export interface SegmentIndex {
  count: number;
  /** Byte positions of its first row and its first record. */
  rowsAt: number;
  recordsAt: number;
  rowsCrc: number;
  keys: Uint32Array;
  removed: Uint32Array;
}

const META_BATCH_BYTES = 1 << 20;

/** Bytes of one record: key, scale, code. */
export function recordBytes(dim: number): number {
  return 8 + fileCodeBytes(dim);
}

/** The file header; starts `chain` (bytes and CRC so far) afresh. */
export function logHeader(dim: number, chain: VectorCommit): Uint8Array {
  const h = new Uint8Array(LOG_HEADER_BYTES);
  const v = new DataView(h.buffer);
  for (let i = 0; i < 4; i++) h[i] = VECTOR_FILE_MAGIC.charCodeAt(i);
  v.setUint32(4, VECTOR_LOG_VERSION, true);
  v.setUint32(8, dim, true);
  chain.bytes = LOG_HEADER_BYTES;
  chain.crc32 = crc32(h);
  return h;
}

/**
 * One segment's bytes, in the order they go to the file, produced batch by
 * batch (no copy of all rows at once). Advances `chain` past the segment.
 */
export function* segmentPieces(dim: number, src: SegmentSource, removed: ArrayLike<number>, chain: VectorCommit): Generator<Uint8Array> {
  const n = src.count;
  const batch = Math.max(1, Math.floor(ROW_BATCH_BYTES / dim));
  let rowsCrc = 0;
  for (let i = 0; i < n; i += batch) {
    const m = Math.min(batch, n - i);
    const rows = new Int8Array(m * dim);
    src.rows(i, m, rows);
    const bytes = new Uint8Array(rows.buffer);
    rowsCrc = crc32(bytes, rowsCrc);
    yield bytes;
  }
  // two running CRCs over the records: the segment's own, and the chain the manifest records
  const rec = recordBytes(dim);
  let metaCrc = 0;
  let chainCrc = chain.crc32;
  for (let i = 0; i < n; i += batch) {
    const m = Math.min(batch, n - i);
    const out = new Uint8Array(m * rec);
    const v = new DataView(out.buffer);
    for (let j = 0; j < m; j++) {
      v.setUint32(j * rec, src.key(i + j), true);
      v.setFloat32(j * rec + 4, src.scale(i + j), true);
      src.code(i + j, out, j * rec + 8);
    }
    metaCrc = crc32(out, metaCrc);
    chainCrc = crc32(out, chainCrc);
    yield out;
  }
  const tail = new Uint8Array(removed.length * 4 + TRAILER_BYTES);
  const v = new DataView(tail.buffer);
  for (let i = 0; i < removed.length; i++) v.setUint32(i * 4, removed[i], true);
  const t = removed.length * 4;
  v.setUint32(t, n, true);
  v.setUint32(t + 4, removed.length, true);
  v.setUint32(t + 8, rowsCrc, true);
  v.setUint32(t + 12, crc32(tail.subarray(0, t + 12), metaCrc), true);
  chain.crc32 = crc32(tail, chainCrc);
  chain.bytes += n * dim + n * rec + tail.length;
  yield tail;
}

/** The dimension and version in a vector file's first 16 bytes (version 1 is vectorFile.ts's whole-file format). */
export function readLogHeader(fd: number, file: string): { version: number; dim: number; bytes: Uint8Array } {
  const h = new Uint8Array(LOG_HEADER_BYTES);
  readFully(fd, file, h, 0, LOG_HEADER_BYTES, 0);
  for (let i = 0; i < 4; i++) {
    if (h[i] !== VECTOR_FILE_MAGIC.charCodeAt(i)) throw new CorruptIndexError(`${file} is not a Sift vector index (bad magic)`);
  }
  const v = new DataView(h.buffer);
  return { version: v.getUint32(4, true), dim: v.getUint32(8, true), bytes: h };
}

/**
 * The segments of a format-2 file up to its committed length, oldest first,
 * checked against their CRCs and the chained CRC in `commit`; reads the
 * records in batches (never a whole table). Throws CorruptIndexError on any mismatch.
 */
export function readSegments(fd: number, file: string, commit: VectorCommit): { dim: number; segments: SegmentIndex[] } {
  const size = fs.fstatSync(fd).size;
  if (size < commit.bytes) throw new CorruptIndexError(`${file} has ${size} bytes, the index committed ${commit.bytes}`);
  if (commit.bytes < LOG_HEADER_BYTES) throw new CorruptIndexError(`${file}: committed length ${commit.bytes} is shorter than its header`);
  const { version, dim, bytes: header } = readLogHeader(fd, file);
  if (version !== VECTOR_LOG_VERSION) throw new CorruptIndexError(`unsupported vector index version ${version} (this reader reads ${VECTOR_LOG_VERSION})`);
  if (dim < 1 || dim > MAX_DIM) throw new CorruptIndexError(`${file} has an impossible dimension ${dim}`);
  const rec = recordBytes(dim);
  // the trailers, from the end backwards, give each segment's place
  const found: Array<{ start: number; end: number; trailer: Uint8Array }> = [];
  for (let end = commit.bytes; end > LOG_HEADER_BYTES;) {
    if (end - LOG_HEADER_BYTES < TRAILER_BYTES) throw new CorruptIndexError(`${file}: a segment ends inside the header`);
    const trailer = new Uint8Array(TRAILER_BYTES);
    readFully(fd, file, trailer, 0, TRAILER_BYTES, end - TRAILER_BYTES);
    const tv = new DataView(trailer.buffer);
    const n = tv.getUint32(0, true), m = tv.getUint32(4, true);
    const start = end - TRAILER_BYTES - m * 4 - n * rec - n * dim;
    if (start < LOG_HEADER_BYTES) throw new CorruptIndexError(`${file}: a segment of ${n} rows does not fit before byte ${end}`);
    found.push({ start, end, trailer });
    end = start;
  }
  found.reverse();
  let chain = crc32(header);
  const segments = found.map(({ start, end, trailer }) => {
    const tv = new DataView(trailer.buffer);
    const n = tv.getUint32(0, true), m = tv.getUint32(4, true);
    const seg: SegmentIndex = {
      count: n, rowsAt: start, recordsAt: start + n * dim, rowsCrc: tv.getUint32(8, true),
      keys: new Uint32Array(n), removed: new Uint32Array(m),
    };
    let crc = 0;
    forEachBatch(fd, file, seg.recordsAt, n * rec + m * 4, rec, (bytes, at) => {
      crc = crc32(bytes, crc);
      chain = crc32(bytes, chain);
      const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let off = 0; off < bytes.length; off += 4) {
        const pos = at + off;
        if (pos < n * rec) {
          if (pos % rec === 0) seg.keys[pos / rec] = v.getUint32(off, true);
          else if (pos % rec === 4) {
            const sc = v.getFloat32(off, true);
            if (!(sc >= 0 && sc <= 1)) throw new CorruptIndexError(`${file} has an invalid scale ${sc}`);
          }
        } else {
          seg.removed[(pos - n * rec) / 4] = v.getUint32(off, true);
        }
      }
    });
    if (crc32(trailer.subarray(0, 12), crc) !== tv.getUint32(12, true)) {
      throw new CorruptIndexError(`${file}: checksum mismatch in the segment ending at byte ${end}`);
    }
    chain = crc32(trailer, chain);
    return seg;
  });
  if (chain !== commit.crc32) throw new CorruptIndexError(`${file} does not match the checksum the index recorded for it`);
  return { dim, segments };
}

/**
 * Each record of a segment, read in batches: its index, scale and the bytes
 * holding its code at codeAt (fileCodeBytes(dim) of them). The records were
 * checked by readSegments; reading them again costs a pass over ~40 bytes a row.
 */
export function forEachRecord(
  fd: number, file: string, seg: SegmentIndex, dim: number,
  fn: (i: number, scale: number, code: Uint8Array, codeAt: number) => void,
): void {
  const rec = recordBytes(dim);
  forEachBatch(fd, file, seg.recordsAt, seg.count * rec, rec, (bytes, at) => {
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let off = 0; off < bytes.length; off += rec) fn((at + off) / rec, v.getFloat32(off + 4, true), bytes, off + 8);
  });
}

/** Read len bytes at pos in batches of whole `unit`s; fn gets each batch and its offset from pos. */
function forEachBatch(fd: number, file: string, pos: number, len: number, unit: number, fn: (bytes: Uint8Array, at: number) => void): void {
  const batch = Math.max(unit, Math.floor(META_BATCH_BYTES / unit) * unit);
  const buf = new Uint8Array(Math.min(batch, len));
  for (let at = 0; at < len; at += batch) {
    const n = Math.min(batch, len - at);
    readFully(fd, file, buf, 0, n, pos + at);
    fn(buf.subarray(0, n), at);
  }
}
