// The keys removed from a commit's segments (until merges drop them): a
// small file of its own, written with each commit that has any.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from '../crc32';
import { CorruptIndexError } from '../errors';
import { BinaryReader, BinaryWriter, writeMagic } from '../persist/binary';
import { DELETES_MAGIC, DELETES_VERSION, type FileRef } from './segmentFormat';
import { writeCounted } from '../persist/writeCounted';

export function writeDeletes(dir: string, name: string, keys: Int32Array): FileRef {
  const w = new BinaryWriter();
  writeMagic(w, DELETES_MAGIC, DELETES_VERSION);
  w.array(keys);
  return { name, ...writeCounted(path.join(dir, name), w.finishPieces()) };
}

/** The removed keys, checked against the commit's length and CRC. */
export function readDeletes(dir: string, ref: FileRef): Int32Array {
  let buf: Buffer;
  try { buf = fs.readFileSync(path.join(dir, ref.name)); } catch (e) {
    throw new CorruptIndexError(`cannot read ${ref.name}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (buf.length !== ref.bytes) throw new CorruptIndexError(`${ref.name} has ${buf.length} bytes, expected ${ref.bytes}`);
  if (crc32(buf) !== ref.crc32) throw new CorruptIndexError(`${ref.name} checksum mismatch`);
  const r = new BinaryReader(buf, ref.name);
  r.expectMagic(DELETES_MAGIC, DELETES_VERSION);
  const keys = r.i32();
  r.done();
  return keys;
}
