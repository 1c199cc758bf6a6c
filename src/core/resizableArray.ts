// Typed arrays that grow and shrink in place. They sit on a resizable
// ArrayBuffer (address space reserved up front, pages committed as it grows),
// so growing the 20 MB postings of a 100K-chunk index costs no second copy at
// the moment of growth, and shrinking gives the pages back. Where a resizable
// buffer cannot be had, growth falls back to allocate-and-copy.

type Typed = Int32Array | Uint32Array | Uint8Array | Float32Array;
interface TypedCtor<T extends Typed> {
  new (length: number): T;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): T;
  readonly BYTES_PER_ELEMENT: number;
}
interface Resizable extends ArrayBuffer { resize(byteLength: number): void; readonly resizable: boolean }

/** Address space reserved per array: 4 GiB (a billion postings), never committed unless used. */
const MAX_BYTES = 2 ** 32;

function resizableBuffer(bytes: number): Resizable | null {
  try {
    const buf = new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => Resizable)(bytes, { maxByteLength: Math.max(bytes, MAX_BYTES) });
    return buf.resizable ? buf : null;
  } catch {
    return null; // no resizable buffers here, or no address space to reserve
  }
}

export class ResizableArray<T extends Typed> {
  private buf: Resizable | null = null;
  private view: T;

  /** Starts empty, or adopts `initial` (e.g. a view into a file just read) until it first has to grow. */
  constructor(private readonly ctor: TypedCtor<T>, initial?: T) {
    this.view = initial ?? new ctor(0);
  }

  /** The values, capacity long. The same object across resizes when in place; re-read it after reserve() or fit(). */
  get data(): T { return this.view; }
  get capacity(): number { return this.view.length; }

  /** Room for at least n values, keeping the first `keep` (default: all). Grows by a quarter at least, to bound repeated growth. */
  reserve(n: number, keep = this.view.length): void {
    if (n <= this.view.length) return;
    this.resize(Math.max(n, Math.ceil(this.view.length * 1.25), 1024), keep);
  }

  /** Capacity exactly n (shrinking releases memory), keeping the first min(n, keep) values. */
  fit(n: number, keep = this.view.length): void {
    if (n !== this.view.length) this.resize(n, keep);
  }

  private resize(n: number, keep: number): void {
    const size = this.ctor.BYTES_PER_ELEMENT;
    if (this.buf) {
      this.buf.resize(n * size);
      if (this.view.length !== n) this.view = new this.ctor(this.buf); // a view created before resize() does not always track it
      return;
    }
    const buf = resizableBuffer(n * size);
    const next = buf ? new this.ctor(buf) : new this.ctor(n);
    next.set(this.view.subarray(0, Math.min(keep, n)) as never);
    this.buf = buf;
    this.view = next;
  }
}

type PerKey = Int32Array | Uint32Array | Uint8Array | Uint16Array | Float32Array | Float64Array;

/**
 * `a` when `index` is inside it, else a copy (same values, zeros after) whose
 * length is `a`'s doubled until it holds `index`: for arrays indexed by key.
 */
export function holding<T extends PerKey>(a: T, index: number): T {
  if (index < a.length) return a;
  let cap = Math.max(1, a.length);
  while (cap <= index) cap *= 2;
  const grown = new (a.constructor as new (n: number) => T)(cap);
  grown.set(a as never);
  return grown;
}
