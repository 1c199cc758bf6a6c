// The vector index's binary format (little-endian):
//
//   0  magic   "SIFV"
//   4  u32     format version (1)
//   8  u32     dim
//  12  u32     count
//  16  u32[count]      keys
//      f32[count]      scales (1 / ‖row‖ of the int8 row; 0 for a zero row)
//      i8[count × dim] rows, unpadded
//      u32     CRC-32 of every byte before it

import { crc32 } from '../crc32';
import { CorruptIndexError } from '../errors';

export const VECTOR_FILE_MAGIC = 'SIFV';
export const VECTOR_FILE_VERSION = 1;
const HEADER_BYTES = 16;
const TRAILER_BYTES = 4;
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Largest dimension the store accepts (the int32 dot product cannot overflow below ~133K). */
export const MAX_DIM = 65536;

export interface VectorFileContents {
  dim: number;
  count: number;
  keys: Uint32Array;
  scales: Float32Array;
}

/** Byte size of a file holding `count` vectors of `dim`. */
export function vectorFileBytes(dim: number, count: number): number {
  return HEADER_BYTES + count * (8 + dim) + TRAILER_BYTES;
}

/** Magic, version, dim and count. */
function vectorFileHeader(dim: number, count: number): Uint8Array {
  const header = new Uint8Array(HEADER_BYTES);
  const view = new DataView(header.buffer);
  for (let i = 0; i < 4; i++) header[i] = VECTOR_FILE_MAGIC.charCodeAt(i);
  view.setUint32(4, VECTOR_FILE_VERSION, true);
  view.setUint32(8, dim, true);
  view.setUint32(12, count, true);
  return header;
}

/**
 * Encode `count` rows that lie `stride` bytes apart in `rows` (stride ≥ dim;
 * the padding is dropped).
 */
export function encodeVectorFile(
  dim: number, count: number, keys: Uint32Array, scales: Float32Array, rows: Int8Array, stride: number,
): Uint8Array {
  const out = new Uint8Array(vectorFileBytes(dim, count));
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out.set(vectorFileHeader(dim, count));
  let off = HEADER_BYTES;
  if (HOST_IS_LITTLE_ENDIAN) {
    out.set(bytesOf(keys, count), off);
    out.set(bytesOf(scales, count), off + 4 * count);
    off += 8 * count;
  } else {
    for (let i = 0; i < count; i++, off += 4) view.setUint32(off, keys[i], true);
    for (let i = 0; i < count; i++, off += 4) view.setFloat32(off, scales[i], true);
  }
  const data = new Int8Array(out.buffer, out.byteOffset + off, count * dim);
  if (stride === dim) data.set(rows.subarray(0, count * dim));
  else for (let i = 0; i < count; i++) data.set(rows.subarray(i * stride, i * stride + dim), i * dim);
  off += count * dim;
  view.setUint32(off, crc32(out.subarray(0, off)), true);
  return out;
}

/**
 * encodeVectorFile()'s bytes as pieces that view the store's arrays where the
 * layout allows (little-endian host, unpadded rows): saving costs no copy of
 * the rows. Write the pieces before changing the store.
 */
export function encodeVectorFilePieces(
  dim: number, count: number, keys: Uint32Array, scales: Float32Array, rows: Int8Array, stride: number,
): Uint8Array[] {
  if (!HOST_IS_LITTLE_ENDIAN || stride !== dim) return [encodeVectorFile(dim, count, keys, scales, rows, stride)];
  const pieces = [vectorFileHeader(dim, count), bytesOf(keys, count), bytesOf(scales, count), new Uint8Array(rows.buffer, rows.byteOffset, count * dim)];
  let crc = 0;
  for (const p of pieces) crc = crc32(p, crc);
  const trailer = new Uint8Array(TRAILER_BYTES);
  new DataView(trailer.buffer).setUint32(0, crc, true);
  return [...pieces, trailer];
}

function bytesOf(a: Uint32Array | Float32Array, count: number): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, count * 4);
}

/**
 * Bytes read front to back with a running CRC-32 of what was read: a buffer in
 * memory, or a file read piece by piece (persist/indexStore.ts) so a 27 MB
 * vector file goes straight into the store's rows without a whole-file copy.
 */
export interface ByteSource {
  /** Total bytes the source holds. */
  readonly length: number;
  /** CRC-32 of the bytes read so far. */
  readonly crc: number;
  /** Fill `into` with the next into.length bytes; throws CorruptIndexError past the end. */
  readInto(into: Uint8Array): void;
}

export function bufferSource(buf: Uint8Array): ByteSource {
  let pos = 0;
  let crc = 0;
  return {
    length: buf.length,
    get crc() { return crc; },
    readInto(into: Uint8Array): void {
      if (pos + into.length > buf.length) throw new CorruptIndexError(`vector index truncated at byte ${buf.length}`);
      const piece = buf.subarray(pos, pos + into.length);
      into.set(piece);
      crc = crc32(piece, crc);
      pos += into.length;
    },
  };
}

/** Where decoding puts the rows: `count` rows of dim bytes, `stride` bytes apart in `rows` (zeroed padding stays). */
export interface RowSink { rows: Uint8Array; stride: number }

/**
 * Decode and verify a vector file from `src`; its rows go to the sink that
 * `rowsFor(dim, count)` returns once the header is read. Throws CorruptIndexError
 * on any mismatch (the sink may then hold part of the rows).
 */
export function readVectorFile(src: ByteSource, rowsFor: (dim: number, count: number) => RowSink): VectorFileContents {
  if (src.length < HEADER_BYTES + TRAILER_BYTES) {
    throw new CorruptIndexError(`vector index truncated: ${src.length} bytes, a header alone is ${HEADER_BYTES + TRAILER_BYTES}`);
  }
  const header = new Uint8Array(HEADER_BYTES);
  src.readInto(header);
  for (let i = 0; i < 4; i++) {
    if (header[i] !== VECTOR_FILE_MAGIC.charCodeAt(i)) throw new CorruptIndexError('not a Sift vector index (bad magic)');
  }
  const view = new DataView(header.buffer);
  const version = view.getUint32(4, true);
  if (version !== VECTOR_FILE_VERSION) {
    throw new CorruptIndexError(`unsupported vector index version ${version} (this build reads ${VECTOR_FILE_VERSION})`);
  }
  const dim = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  if (dim < 1 || dim > MAX_DIM) throw new CorruptIndexError(`vector index has an impossible dimension ${dim}`);
  const expected = vectorFileBytes(dim, count);
  if (src.length !== expected) {
    throw new CorruptIndexError(`vector index length ${src.length} does not match ${count} vectors of dim ${dim} (${expected} bytes)`);
  }
  const keys = new Uint32Array(count);
  const scales = new Float32Array(count);
  src.readInto(bytesOf(keys, count));
  src.readInto(bytesOf(scales, count));
  if (!HOST_IS_LITTLE_ENDIAN) {
    const k = new DataView(keys.buffer), sc = new DataView(scales.buffer);
    for (let i = 0; i < count; i++) { keys[i] = k.getUint32(i * 4, true); scales[i] = sc.getFloat32(i * 4, true); }
  }
  for (let i = 0; i < count; i++) {
    const s = scales[i];
    if (!(s >= 0 && s <= 1)) throw new CorruptIndexError(`vector index has an invalid scale ${s} at row ${i}`);
  }
  const sink = rowsFor(dim, count);
  if (sink.stride === dim) {
    src.readInto(sink.rows.subarray(0, count * dim));
  } else {
    // padded rows: read many rows at a time, then place each
    const batch = Math.max(1, Math.floor((1 << 20) / dim));
    const scratch = new Uint8Array(Math.min(count, batch) * dim);
    for (let i = 0; i < count; i += batch) {
      const n = Math.min(batch, count - i);
      const got = scratch.subarray(0, n * dim);
      src.readInto(got);
      for (let j = 0; j < n; j++) sink.rows.set(got.subarray(j * dim, (j + 1) * dim), (i + j) * sink.stride);
    }
  }
  const crc = src.crc;
  const trailer = new Uint8Array(TRAILER_BYTES);
  src.readInto(trailer);
  if (crc !== new DataView(trailer.buffer).getUint32(0, true)) throw new CorruptIndexError('vector index checksum mismatch');
  return { dim, count, keys, scales };
}
