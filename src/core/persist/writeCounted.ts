// An atomic file write that returns the length and CRC-32 of what it wrote,
// computed from the pieces as they go out (no second pass, no whole copy).
import { crc32 } from '../crc32';
import type { FileChecksum } from './indexStore';
import { writeFileAtomic } from './atomicWrite';

export function writeCounted(file: string, pieces: Iterable<Uint8Array>): FileChecksum {
  const sum: FileChecksum = { bytes: 0, crc32: 0 };
  function* counted(): Generator<Uint8Array> {
    for (const p of pieces) {
      sum.bytes += p.length;
      sum.crc32 = crc32(p, sum.crc32);
      yield p;
    }
  }
  writeFileAtomic(file, counted());
  return sum;
}
