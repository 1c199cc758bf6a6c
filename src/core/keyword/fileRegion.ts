// Positional reads of a segment file: one range at a time (a query's
// postings), or a region front to back through a window (a merge).
import * as fs from 'node:fs';
import { CorruptIndexError } from '../errors';

/** Bytes [pos, pos+len) of an open file; a short read is a CorruptIndexError naming `what`. */
export function readAt(fd: number, pos: number, len: number, what: string, into: Uint8Array = Buffer.allocUnsafeSlow(len)): Uint8Array {
  for (let at = 0; at < len;) {
    let n: number;
    try { n = fs.readSync(fd, into, at, len - at, pos + at); } catch (e) {
      throw new CorruptIndexError(`cannot read ${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (n <= 0) throw new CorruptIndexError(`${what} truncated at byte ${pos + at}`);
    at += n;
  }
  return into.subarray(0, len);
}

/** Reads of increasing positions served from a window that moves forward: few system calls for a sequential pass. */
export class WindowReader {
  private buf: Buffer;
  private start = 0;
  private end = 0;
  constructor(private readonly fd: number, private readonly what: string, private readonly limit: number, window = 1 << 20) {
    this.buf = Buffer.allocUnsafeSlow(window);
  }

  /** Bytes [pos, pos+len): a view valid until the next read. */
  read(pos: number, len: number): Uint8Array {
    if (pos < this.start || pos + len > this.end) {
      if (len > this.buf.length) this.buf = Buffer.allocUnsafeSlow(len);
      const n = Math.min(this.buf.length, this.limit - pos);
      if (n < len) throw new CorruptIndexError(`${this.what}: read past its region`);
      readAt(this.fd, pos, n, this.what, this.buf);
      this.start = pos;
      this.end = pos + n;
    }
    return this.buf.subarray(pos - this.start, pos - this.start + len);
  }
}
