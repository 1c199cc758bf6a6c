// Chunk texts live in one append-only file, read back lazily by offset, so a
// 100K-chunk index does not hold its texts in memory. The manifest records the
// committed length and its CRC-32 (continued on each append); bytes past that
// length are an interrupted write and are ignored.
import * as fs from 'node:fs';
import { crc32 } from '../crc32';
import { CorruptIndexError } from '../errors';

export interface TextRef { offset: number; length: number }

const FLUSH_BYTES = 4 << 20;

export class TextStore {
  // Texts not yet on disk, encoded back to back into one staging buffer that is
  // reused after each flush: no buffer per text for the collector to chase
  // (100K chunks made ~50 MB of short-lived buffers). It grows only while
  // flushes fail (a read-only index folder keeps everything in memory).
  private pending: Buffer = Buffer.alloc(0);
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
    try { st = fs.statSync(this.file); } catch {
      // an index of no chunks never wrote a texts file: nothing is missing
      if (this.committed === 0) return;
      throw new CorruptIndexError(`texts file missing: ${this.file}`);
    }
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
    const bytes = Buffer.byteLength(text, 'utf8');
    const need = this.pendingBytes + bytes;
    if (need > this.pending.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(need, FLUSH_BYTES + (FLUSH_BYTES >> 2), this.pending.length * 2));
      this.pending.copy(grown, 0, 0, this.pendingBytes);
      this.pending = grown;
    }
    const ref = { offset: this.length, length: bytes };
    this.pending.write(text, this.pendingBytes, bytes, 'utf8');
    this.pendingBytes = need;
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
      const all = this.pending.subarray(0, this.pendingBytes);
      let pos = 0;
      while (pos < all.length) pos += fs.writeSync(fd, all, pos, all.length - pos, this.committed + pos);
      const crc = crc32(all, this.crc);
      fs.fsyncSync(fd);
      this.crc = crc;
      this.committed += all.length;
      this.pendingBytes = 0;
    } finally {
      fs.closeSync(fd);
    }
  }

  read(ref: TextRef): string {
    if (ref.offset >= this.committed) {
      // still pending: in the staging buffer
      const at = ref.offset - this.committed;
      if (at + ref.length > this.pendingBytes) return '';
      return this.pending.toString('utf8', at, at + ref.length);
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
