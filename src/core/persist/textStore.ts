// Chunk texts live in one append-only file, read back lazily by offset, so a
// 100K-chunk index does not hold its texts in memory. The manifest records the
// committed length and its CRC-32 (continued on each append); bytes past that
// length are an interrupted write and are ignored.
import * as fs from 'node:fs';
import { crc32 } from '../crc32';
import { CorruptIndexError } from '../errors';

export interface TextRef { offset: number; length: number }

const FLUSH_BYTES = 4 << 20;
const WRITEV_PIECES = 1024; // IOV_MAX on Linux

export class TextStore {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private fd: number | null = null;

  /**
   * @param file path of texts.bin
   * @param committed length and crc recorded in the manifest (0, 0 for a new store)
   */
  constructor(readonly file: string, private committed = 0, private crc = 0) {}

  get length(): number { return this.committed + this.pendingBytes; }
  get checksum(): number { return this.crc; }
  /** Bytes already on disk (flushed). */
  get flushedLength(): number { return this.committed; }

  /** Verify the committed prefix of the file against the recorded CRC without keeping it in memory. */
  verify(): void {
    let st: fs.Stats;
    try { st = fs.statSync(this.file); } catch { throw new CorruptIndexError(`texts file missing: ${this.file}`); }
    if (st.size < this.committed) throw new CorruptIndexError(`texts file truncated: ${st.size} bytes, expected ${this.committed}`);
    const fd = fs.openSync(this.file, 'r');
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      let crc = 0;
      for (let pos = 0; pos < this.committed;) {
        const n = fs.readSync(fd, buf, 0, Math.min(buf.length, this.committed - pos), pos);
        if (n <= 0) throw new CorruptIndexError('texts file: short read');
        crc = crc32(buf.subarray(0, n), crc);
        pos += n;
      }
      if (crc !== this.crc) throw new CorruptIndexError('texts file: checksum mismatch');
    } finally {
      fs.closeSync(fd);
    }
  }

  append(text: string): TextRef {
    const b = Buffer.from(text, 'utf8');
    const ref = { offset: this.length, length: b.length };
    this.pending.push(b);
    this.pendingBytes += b.length;
    return ref;
  }

  /** Whether pending texts exceed the in-memory budget (the caller may flush during long runs). */
  get wantsFlush(): boolean { return this.pendingBytes >= FLUSH_BYTES; }

  /** Append pending texts to the file (truncating any uncommitted tail first). Throws on I/O errors; pending data is kept. */
  flush(): void {
    if (this.pendingBytes === 0) return;
    this.closeReader();
    const fd = fs.openSync(this.file, fs.existsSync(this.file) ? 'r+' : 'w');
    try {
      fs.ftruncateSync(fd, this.committed);
      // gathered writes of the pieces: one 4 MB concatenation per flush is a transient the allocator keeps
      let pos = this.committed;
      let crc = this.crc;
      for (let g = 0; g < this.pending.length; g += WRITEV_PIECES) {
        const group = this.pending.slice(g, g + WRITEV_PIECES);
        let done = fs.writevSync(fd, group, pos);
        // a short write (rare on regular files): the rest piece by piece
        let at = 0;
        for (const b of group) {
          const end = at + b.length;
          for (let off = Math.max(0, done - at); off < b.length;) {
            const n = fs.writeSync(fd, b, off, b.length - off, pos + at + off);
            off += n; done += n;
          }
          crc = crc32(b, crc);
          at = end;
        }
        pos += at;
      }
      fs.fsyncSync(fd);
      this.crc = crc;
      this.committed = pos;
      this.pending = [];
      this.pendingBytes = 0;
    } finally {
      fs.closeSync(fd);
    }
  }

  read(ref: TextRef): string {
    if (ref.offset >= this.committed) {
      // still pending: find it in memory
      let pos = this.committed;
      for (const b of this.pending) {
        if (ref.offset < pos + b.length) return b.toString('utf8', ref.offset - pos, ref.offset - pos + ref.length);
        pos += b.length;
      }
      return '';
    }
    if (this.fd === null) this.fd = fs.openSync(this.file, 'r');
    const buf = Buffer.allocUnsafe(ref.length);
    const n = fs.readSync(this.fd, buf, 0, ref.length, ref.offset);
    return buf.toString('utf8', 0, n);
  }

  closeReader(): void {
    if (this.fd !== null) { try { fs.closeSync(this.fd); } catch { /* already closed */ } this.fd = null; }
  }
}
