// Key → slot for the vector store. Chunk keys are dense (the engine renumbers
// them when most are holes), so a key below the dense limit is an index into an
// Int32Array (4 bytes a key) rather than a Map entry (~33 bytes: 28 MB at 840K
// keys); the rare key far above the others goes to a Map.

/** Keys below max(MIN_DENSE, DENSE_PER_KEY × (size + 1)) live in the array. */
const MIN_DENSE = 1 << 16;
const DENSE_PER_KEY = 4;

export class KeySlots {
  /** slot + 1 per key; 0 = absent. */
  private dense = new Int32Array(0);
  private readonly sparse = new Map<number, number>();
  private denseCount = 0;

  get size(): number {
    return this.denseCount + this.sparse.size;
  }

  get(key: number): number | undefined {
    if (key < this.dense.length) {
      const v = this.dense[key];
      return v === 0 ? undefined : v - 1;
    }
    return this.sparse.get(key);
  }

  has(key: number): boolean {
    return this.get(key) !== undefined;
  }

  /** Set a key's slot (a key already held keeps its place: safe inside forEach). */
  set(key: number, slot: number): void {
    if (key >= this.dense.length && !this.sparse.has(key)) this.grow(key);
    if (key < this.dense.length) {
      if (this.dense[key] === 0) this.denseCount++;
      this.dense[key] = slot + 1;
    } else {
      this.sparse.set(key, slot);
    }
  }

  delete(key: number): boolean {
    if (key < this.dense.length) {
      if (this.dense[key] === 0) return false;
      this.dense[key] = 0;
      this.denseCount--;
      return true;
    }
    return this.sparse.delete(key);
  }

  clear(): void {
    this.dense = new Int32Array(0);
    this.denseCount = 0;
    this.sparse.clear();
  }

  /** Each key and its slot (dense keys in key order, then the others). */
  forEach(fn: (slot: number, key: number) => void): void {
    const d = this.dense;
    for (let k = 0; k < d.length; k++) if (d[k] !== 0) fn(d[k] - 1, k);
    this.sparse.forEach(fn);
  }

  /** Widen the array to hold `key` when it stays dense enough; sparse keys now in range move in. */
  private grow(key: number): void {
    const limit = Math.max(MIN_DENSE, DENSE_PER_KEY * (this.size + 1));
    if (key >= limit) return;
    const next = new Int32Array(Math.min(limit, Math.max(key + 1, this.dense.length * 2)));
    next.set(this.dense);
    this.dense = next;
    for (const [k, slot] of this.sparse) {
      if (k < next.length) {
        this.sparse.delete(k);
        next[k] = slot + 1;
        this.denseCount++;
      }
    }
  }
}
