// Little-endian binary writer/reader for index files. Typed arrays are written
// 4-byte aligned so a reader can view them without copying.
import { CorruptIndexError } from '../errors';

// Arrays this large are kept as views, not copied: the serialised index is a
// list of pieces written one after another (writeChecked), so saving 100K
// chunks' postings costs no second copy of them.
const VIEW_MIN_BYTES = 1 << 16;

export class BinaryWriter {
  private readonly pieces: Uint8Array[] = [];
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  private pos = 0;
  /** Bytes in `pieces`. */
  private before = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) {
      this.buf = new Uint8Array(n);
      this.view = new DataView(this.buf.buffer);
    }
  }
  private flush(): void {
    if (this.pos === 0) return;
    this.pieces.push(this.buf.subarray(0, this.pos));
    this.before += this.pos;
    this.buf = new Uint8Array(this.buf.length);
    this.view = new DataView(this.buf.buffer);
    this.pos = 0;
  }
  get length(): number { return this.before + this.pos; }
  u32(v: number): this { this.ensure(4); this.view.setUint32(this.pos, v >>> 0, true); this.pos += 4; return this; }
  f64(v: number): this { this.ensure(8); this.view.setFloat64(this.pos, v, true); this.pos += 8; return this; }
  bytes(b: Uint8Array): this {
    if (b.length >= VIEW_MIN_BYTES) {
      this.flush();
      this.pieces.push(b);
      this.before += b.length;
      return this;
    }
    this.ensure(b.length); this.buf.set(b, this.pos); this.pos += b.length; return this;
  }
  align4(): this { const pad = (4 - (this.length & 3)) & 3; this.ensure(pad); this.buf.fill(0, this.pos, this.pos + pad); this.pos += pad; return this; }
  string(s: string): this { const b = Buffer.from(s, 'utf8'); this.u32(b.length); return this.bytes(b); }
  /** A typed array prefixed by its element count, aligned. Large arrays are referenced, not copied: write the pieces before changing them. */
  array(a: Int32Array | Uint32Array | Float32Array | Float64Array | Uint8Array | Uint16Array): this {
    this.u32(a.length).align4();
    return this.bytes(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).align4();
  }
  /** The written bytes as pieces, in order (views; no copy). */
  finishPieces(): Uint8Array[] { this.flush(); return this.pieces.slice(); }
  /** The written bytes as one array (a copy). */
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.finishPieces()) { out.set(p, at); at += p.length; }
    return out;
  }
}

export class BinaryReader {
  private view: DataView;
  private pos = 0;
  constructor(private readonly buf: Uint8Array, private readonly what: string) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new CorruptIndexError(`${this.what}: truncated at byte ${this.pos}`);
  }
  u32(): number { this.need(4); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  f64(): number { this.need(8); const v = this.view.getFloat64(this.pos, true); this.pos += 8; return v; }
  bytes(n: number): Uint8Array { this.need(n); const b = this.buf.subarray(this.pos, this.pos + n); this.pos += n; return b; }
  align4(): void { this.pos += (4 - (this.pos & 3)) & 3; }
  string(): string { const n = this.u32(); return Buffer.from(this.bytes(n)).toString('utf8'); }
  private raw(elemSize: number): Uint8Array<ArrayBuffer> {
    const n = this.u32(); this.align4();
    const b = this.bytes(n * elemSize); this.align4();
    // A view when the bytes are aligned for the element type (a file read whole starts at offset 0
    // and the writer aligns arrays): no second copy of 100K chunks' postings while loading.
    // The view shares the buffer, so the reader's caller must hand over a buffer it no longer uses.
    if (b.byteOffset % elemSize === 0 && b.buffer instanceof ArrayBuffer) return new Uint8Array(b.buffer, b.byteOffset, b.length);
    const copy = new Uint8Array(b.length);
    copy.set(b);
    return copy;
  }
  i32(): Int32Array<ArrayBuffer> { const b = this.raw(4); return new Int32Array(b.buffer, b.byteOffset, b.length / 4); }
  u32s(): Uint32Array<ArrayBuffer> { const b = this.raw(4); return new Uint32Array(b.buffer, b.byteOffset, b.length / 4); }
  f32(): Float32Array<ArrayBuffer> { const b = this.raw(4); return new Float32Array(b.buffer, b.byteOffset, b.length / 4); }
  u8(): Uint8Array<ArrayBuffer> { return this.raw(1); }
  u16(): Uint16Array<ArrayBuffer> { const b = this.raw(2); return new Uint16Array(b.buffer, b.byteOffset, b.length / 2); }
  f64s(): Float64Array<ArrayBuffer> { const b = this.raw(8); return new Float64Array(b.buffer, b.byteOffset, b.length / 8); }
  expectMagic(magic: string, version: number): void {
    const m = Buffer.from(this.bytes(4)).toString('latin1');
    if (m !== magic) throw new CorruptIndexError(`${this.what}: not a ${magic} file`);
    const v = this.u32();
    if (v !== version) throw new CorruptIndexError(`${this.what}: format version ${v}, expected ${version}`);
  }
  done(): void {
    if (this.pos !== this.buf.length) throw new CorruptIndexError(`${this.what}: ${this.buf.length - this.pos} unexpected trailing bytes`);
  }
}

export function writeMagic(w: BinaryWriter, magic: string, version: number): void {
  w.bytes(Buffer.from(magic, 'latin1')).u32(version);
}
