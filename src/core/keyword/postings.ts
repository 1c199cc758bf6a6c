// One term's postings in a segment file: keys as varint gaps (the first one
// whole), then a byte per key for its term frequency, then the CRC-32 of
// those bytes, so a lazily read list that is damaged is caught, not scored.
import { crc32 } from '../crc32';
import { CorruptIndexError } from '../errors';
import { ByteCursor, type ByteSink } from './byteSink';

/** A term's postings: keys ascending, and their stored term frequencies. */
export interface Postings { keys: Int32Array; tfs: Uint8Array }

/** Append the encoded list (keys ascending) to `out`; returns its byte length. */
export function encodePostings(out: ByteSink, keys: ArrayLike<number>, tfs: ArrayLike<number>, count: number): number {
  const start = out.length;
  let prev = -1;
  for (let i = 0; i < count; i++) {
    const k = keys[i];
    if (k <= prev) throw new Error(`keyword segment: postings out of order (${k} after ${prev})`);
    out.varint(prev < 0 ? k : k - prev);
    prev = k;
  }
  for (let i = 0; i < count; i++) out.byte(tfs[i]);
  out.u32(crc32(out.view().subarray(start)));
  return out.length - start;
}

/**
 * Decode a list of `count` postings from its bytes (checksum last); a mismatch is a CorruptIndexError.
 * With `scratch`, the result views its arrays when they are large enough (valid until the next use).
 */
export function decodePostings(bytes: Uint8Array, count: number, what: string, scratch?: Postings): Postings {
  if (bytes.length < 4 + 2 * count) throw new CorruptIndexError(`${what}: postings truncated`);
  const body = bytes.subarray(0, bytes.length - 4);
  const c = new ByteCursor(bytes, what, body.length);
  if (crc32(body) !== c.u32()) throw new CorruptIndexError(`${what}: postings checksum mismatch`);
  const cur = new ByteCursor(body, what);
  const keys = scratch && scratch.keys.length >= count ? scratch.keys.subarray(0, count) : new Int32Array(count);
  let prev = -1;
  for (let i = 0; i < count; i++) {
    const d = cur.varint();
    prev = prev < 0 ? d : prev + d;
    keys[i] = prev;
  }
  if (body.length - cur.pos !== count) throw new CorruptIndexError(`${what}: postings of the wrong length`);
  const tfBytes = body.subarray(cur.pos);
  if (scratch && scratch.tfs.length >= count) {
    const tfs = scratch.tfs.subarray(0, count);
    tfs.set(tfBytes);
    return { keys, tfs };
  }
  return { keys, tfs: tfBytes.slice() };
}
