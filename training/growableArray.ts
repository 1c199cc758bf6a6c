// A typed array that grows by doubling as values are pushed: the training data
// passes hold millions of numbers, which plain JS arrays would keep as boxed
// heap entries. Shared by the harvester's merge and the trainer's corpus.

type Typed = Int32Array | Uint16Array | Float64Array;

export class GrowableArray<T extends Typed> {
  /** Backing store; valid values are data[0 .. length). Replaced when it grows: re-read after push(). */
  data: T;
  length = 0;

  constructor(private readonly make: (size: number) => T) {
    this.data = make(1024);
  }

  push(v: number): void {
    if (this.length === this.data.length) {
      const d = this.make(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = v;
  }

  get(i: number): number {
    return this.data[i];
  }

  /** A copy of the valid values. */
  toArray(): T {
    return this.data.slice(0, this.length) as T;
  }
}

export const int32List = (): GrowableArray<Int32Array> => new GrowableArray((n) => new Int32Array(n));
export const uint16List = (): GrowableArray<Uint16Array> => new GrowableArray((n) => new Uint16Array(n));
export const float64List = (): GrowableArray<Float64Array> => new GrowableArray((n) => new Float64Array(n));
