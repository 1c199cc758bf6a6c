// Rows not yet in the vector file, while the store serves from the file (the
// coarse pass): packed in one growing buffer, found by slot. A slot written
// again overwrites its row; a removed slot's row stays as garbage until the
// next save empties the buffer.

export class PendingRows {
  private rows: Int8Array;
  private used = 0;
  /** Index of each slot's row in `rows`, or -1. */
  private ofSlot: Int32Array;

  constructor(readonly dim: number, slots: number) {
    this.rows = new Int8Array(dim * 64);
    this.ofSlot = new Int32Array(slots).fill(-1);
  }

  /** Bytes held, garbage included. */
  get bytes(): number { return this.used * this.dim; }

  has(slot: number): boolean { return this.ofSlot[slot] >= 0; }

  /** Room for slots 0 … slots − 1. */
  reserveSlots(slots: number): void {
    if (slots <= this.ofSlot.length) return;
    const next = new Int32Array(slots).fill(-1);
    next.set(this.ofSlot);
    this.ofSlot = next;
  }

  /** Store row src[at, at + dim) for `slot`. */
  put(slot: number, src: ArrayLike<number>, at: number): void {
    let i = this.ofSlot[slot];
    if (i < 0) {
      if ((this.used + 1) * this.dim > this.rows.length) {
        const grown = new Int8Array(Math.max((this.used + 1) * this.dim, this.rows.length * 2));
        grown.set(this.rows.subarray(0, this.used * this.dim));
        this.rows = grown;
      }
      i = this.used++;
      this.ofSlot[slot] = i;
    }
    for (let j = 0; j < this.dim; j++) this.rows[i * this.dim + j] = src[at + j];
  }

  /** Copy `slot`'s row into out at `at` (the slot must have one). */
  get(slot: number, out: Int8Array, at: number): void {
    const i = this.ofSlot[slot];
    out.set(this.rows.subarray(i * this.dim, (i + 1) * this.dim), at);
  }

  /** The row moves with the slot (removal swaps the last slot into a hole); `to`'s own row is dropped. */
  move(from: number, to: number): void {
    this.ofSlot[to] = this.ofSlot[from];
    this.ofSlot[from] = -1;
  }

  drop(slot: number): void {
    this.ofSlot[slot] = -1;
  }

  /** Forget every row (after they were written to the file). */
  clear(): void {
    this.ofSlot.fill(-1);
    this.used = 0;
    if (this.rows.length > this.dim * 64) this.rows = new Int8Array(this.dim * 64);
  }
}
