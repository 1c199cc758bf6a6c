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

/** A segment as opening reads it (everything but the rows). */
export interface SegmentIndex {
  count: number;
  /** Byte position of its first row. */
  rowsAt: number;
  rowsCrc: number;
  keys: Uint32Array;
  scales: Float32Array;
  /** count × fileCodeBytes(dim) */
  codes: Uint8Array;
  removed: Uint32Array;
}

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
 * checked against their CRCs and the chained CRC in `commit`. Throws
 * CorruptIndexError on any mismatch.
 */
export function readSegments(fd: number, file: string, commit: VectorCommit): { dim: number; segments: SegmentIndex[] } {
  const size = fs.fstatSync(fd).size;
  if (size < commit.bytes) throw new CorruptIndexError(`${file} has ${size} bytes, the index committed ${commit.bytes}`);
  if (commit.bytes < LOG_HEADER_BYTES) throw new CorruptIndexError(`${file}: committed length ${commit.bytes} is shorter than its header`);
  const { version, dim, bytes: header } = readLogHeader(fd, file);
  if (version !== VECTOR_LOG_VERSION) throw new CorruptIndexError(`unsupported vector index version ${version} (this reader reads ${VECTOR_LOG_VERSION})`);
  if (dim < 1 || dim > MAX_DIM) throw new CorruptIndexError(`${file} has an impossible dimension ${dim}`);
  const rec = recordBytes(dim);
  const cb = fileCodeBytes(dim);
  const tails: Array<{ seg: SegmentIndex; meta: Uint8Array }> = [];
  for (let end = commit.bytes; end > LOG_HEADER_BYTES;) {
    if (end - LOG_HEADER_BYTES < TRAILER_BYTES) throw new CorruptIndexError(`${file}: a segment ends inside the header`);
    const trailer = new Uint8Array(TRAILER_BYTES);
    readFully(fd, file, trailer, 0, TRAILER_BYTES, end - TRAILER_BYTES);
    const tv = new DataView(trailer.buffer);
    const n = tv.getUint32(0, true), m = tv.getUint32(4, true);
    const metaLen = n * rec + m * 4 + TRAILER_BYTES;
    const start = end - metaLen - n * dim;
    if (start < LOG_HEADER_BYTES) throw new CorruptIndexError(`${file}: a segment of ${n} rows does not fit before byte ${end}`);
    const meta = new Uint8Array(metaLen);
    readFully(fd, file, meta, 0, metaLen, end - metaLen);
    if (crc32(meta.subarray(0, metaLen - 4)) !== tv.getUint32(12, true)) {
      throw new CorruptIndexError(`${file}: checksum mismatch in the segment ending at byte ${end}`);
    }
    const mv = new DataView(meta.buffer);
    const seg: SegmentIndex = {
      count: n, rowsAt: start, rowsCrc: tv.getUint32(8, true),
      keys: new Uint32Array(n), scales: new Float32Array(n), codes: new Uint8Array(n * cb), removed: new Uint32Array(m),
    };
    for (let i = 0; i < n; i++) {
      seg.keys[i] = mv.getUint32(i * rec, true);
      const s = mv.getFloat32(i * rec + 4, true);
      if (!(s >= 0 && s <= 1)) throw new CorruptIndexError(`${file} has an invalid scale ${s}`);
      seg.scales[i] = s;
      seg.codes.set(meta.subarray(i * rec + 8, i * rec + 8 + cb), i * cb);
    }
    for (let i = 0; i < m; i++) seg.removed[i] = mv.getUint32(n * rec + i * 4, true);
    tails.push({ seg, meta });
    end = start;
  }
  tails.reverse();
  let chain = crc32(header);
  for (const t of tails) chain = crc32(t.meta, chain);
  if (chain !== commit.crc32) throw new CorruptIndexError(`${file} does not match the index's checksum (a save did not finish)`);
  return { dim, segments: tails.map((t) => t.seg) };
}
