// Strings stored as one UTF-8 byte array plus start offsets, read back one
// at a time without materialising the rest.

/** Strings joined as UTF-8 with their start offsets (one more than strings). */
export function joinStrings(strings: readonly string[]): { bytes: Uint8Array; off: Uint32Array } {
  const parts = strings.map((s) => Buffer.from(s, 'utf8'));
  const off = new Uint32Array(parts.length + 1);
  for (let i = 0; i < parts.length; i++) off[i + 1] = off[i] + parts[i].length;
  const bytes = new Uint8Array(off[parts.length]);
  parts.forEach((p, i) => bytes.set(p, off[i]));
  return { bytes, off };
}

/** String i of a joinStrings() pair. */
export class StringBlob {
  private readonly text: Buffer;
  constructor(bytes: Uint8Array, private readonly off: Uint32Array) {
    this.text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  }
  get length(): number { return this.off.length - 1; }
  at(i: number): string { return this.text.toString('utf8', this.off[i], this.off[i + 1]); }
  /** Offsets and bytes agree. */
  get consistent(): boolean { return this.off.length >= 1 && this.off[this.off.length - 1] === this.text.length; }
}
