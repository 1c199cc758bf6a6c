// Minimal protobuf wire-format writer: enough to serialise an ONNX ModelProto
// (varints, length-delimited fields, packed repeated scalars). Messages are
// built bottom-up: a nested message is finished into bytes, then embedded.

const WIRE_VARINT = 0;
const WIRE_LEN = 2;

const utf8 = new TextEncoder();

export class ProtoWriter {
  private parts: Uint8Array[] = [];
  private scratch: number[] = [];
  private length = 0;

  /** Unsigned or signed integer as a varint; negatives use the 10-byte two's-complement form. */
  private varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    if (v < 0x80n) {
      this.scratch.push(Number(v));
      return;
    }
    while (v >= 0x80n) {
      this.scratch.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.scratch.push(Number(v));
  }

  private flushScratch(): void {
    if (this.scratch.length === 0) return;
    const bytes = Uint8Array.from(this.scratch);
    this.parts.push(bytes);
    this.length += bytes.length;
    this.scratch = [];
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  /** int32 / int64 / enum / bool field. */
  int(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  /** bytes field (also used for embedded messages); the buffer is not copied. */
  bytes(field: number, data: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.varint(data.length);
    this.flushScratch();
    this.parts.push(data);
    this.length += data.length;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  message(field: number, msg: ProtoWriter): this {
    return this.bytes(field, msg.finish());
  }

  /** Packed repeated int64/int32 field. */
  packedInts(field: number, values: ArrayLike<number | bigint>): this {
    const inner = new ProtoWriter();
    for (let i = 0; i < values.length; i++) inner.varint(values[i]);
    return this.bytes(field, inner.finish());
  }

  /** Packed repeated float field (little-endian fixed32). */
  packedFloats(field: number, values: ArrayLike<number>): this {
    const buf = new Uint8Array(values.length * 4);
    const view = new DataView(buf.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
    return this.bytes(field, buf);
  }

  /** float field (fixed32). */
  float(field: number, value: number): this {
    this.tag(field, 5);
    this.flushScratch();
    const buf = new Uint8Array(4);
    new DataView(buf.buffer).setFloat32(0, value, true);
    this.parts.push(buf);
    this.length += 4;
    return this;
  }

  finish(): Uint8Array {
    this.flushScratch();
    const out = new Uint8Array(this.length);
    let off = 0;
    for (const p of this.parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }
}
