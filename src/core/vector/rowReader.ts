// Positional reads of rows from the vector file (Node has no mmap): the rows
// a search rescores, sorted by position and read in runs where they lie close,
// one fs.readSync per run.
import * as fs from 'node:fs';
import { CorruptIndexError } from '../errors';

/** Rows closer than this many bytes apart are read in one call. */
const MERGE_GAP = 2048;
/** Longest single read. */
const MAX_RUN = 256 << 10;

/**
 * Read `dim`-byte rows at byte positions pos[i] (i < n) of `fd` into
 * out[i · dim, (i + 1) · dim). `file` names it in errors.
 */
export function readRowsAt(fd: number, file: string, pos: Float64Array, n: number, dim: number, out: Int8Array): void {
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => pos[a] - pos[b]);
  const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  let scratch: Buffer | null = null;
  for (let i = 0; i < n;) {
    const start = pos[order[i]];
    let j = i + 1;
    while (j < n && pos[order[j]] - (pos[order[j - 1]] + dim) <= MERGE_GAP && pos[order[j]] + dim - start <= MAX_RUN) j++;
    if (j === i + 1) {
      readFully(fd, file, bytes, order[i] * dim, dim, start);
    } else {
      const len = pos[order[j - 1]] + dim - start;
      if (!scratch || scratch.length < len) scratch = Buffer.allocUnsafe(Math.max(len, MAX_RUN));
      readFully(fd, file, scratch, 0, len, start);
      for (let k = i; k < j; k++) {
        const from = pos[order[k]] - start;
        bytes.set(scratch.subarray(from, from + dim), order[k] * dim);
      }
    }
    i = j;
  }
}

/** Read len bytes at file position pos into into[at …]; CorruptIndexError when the file ends first or cannot be read. */
export function readFully(fd: number, file: string, into: Uint8Array, at: number, len: number, pos: number): void {
  for (let done = 0; done < len;) {
    let got: number;
    try { got = fs.readSync(fd, into, at + done, len - done, pos + done); } catch (e) {
      throw new CorruptIndexError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (got <= 0) throw new CorruptIndexError(`${file} truncated at byte ${pos + done}`);
    done += got;
  }
}
