// A growable byte buffer for the keyword segments' varint-coded parts
// (postings, dictionary blocks), and a cursor that reads them back. Varints are
// LEB128: 7 bits a byte, low first, high bit set on all but the last.
import { CorruptIndexError } from '../errors';

export class ByteSink {
  private buf: Uint8Array;
  length = 0;
  constructor(capacity = 1024) { this.buf = new Uint8Array(capacity); }

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.length + n, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): void { this.ensure(1); this.buf[this.length++] = b; }

  /** An unsigned integer below 2^53. */
  varint(v: number): void {
    this.ensure(8);
    while (v >= 0x80) { this.buf[this.length++] = (v % 0x80) | 0x80; v = Math.floor(v / 0x80); }
    this.buf[this.length++] = v;
  }

  bytes(b: Uint8Array): void { this.ensure(b.length); this.buf.set(b, this.length); this.length += b.length; }

  u32(v: number): void {
    this.ensure(4);
    const b = this.buf, i = this.length;
    b[i] = v & 0xff; b[i + 1] = (v >>> 8) & 0xff; b[i + 2] = (v >>> 16) & 0xff; b[i + 3] = (v >>> 24) & 0xff;
    this.length += 4;
  }

  /** The bytes so far (a view: valid until the next write or clear()). */
  view(): Uint8Array { return this.buf.subarray(0, this.length); }

  /** A copy of the bytes so far. */
  copy(): Uint8Array { return this.buf.slice(0, this.length); }

  clear(): void { this.length = 0; }
}

/** Reads what a ByteSink wrote; running past the end is a CorruptIndexError naming `what`. */
export class ByteCursor {
  pos: number;
  constructor(readonly buf: Uint8Array, private readonly what: string, start = 0, readonly end = buf.length) { this.pos = start; }

  get done(): boolean { return this.pos >= this.end; }

  varint(): number {
    let v = 0, mul = 1;
    for (;;) {
      if (this.pos >= this.end) throw new CorruptIndexError(`${this.what}: truncated number`);
      const b = this.buf[this.pos++];
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 0x80;
      if (mul > 2 ** 56) throw new CorruptIndexError(`${this.what}: number too long`);
    }
  }

  bytes(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.end) throw new CorruptIndexError(`${this.what}: truncated`);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  u32(): number {
    const b = this.bytes(4);
    return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  }
}
