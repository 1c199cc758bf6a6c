// Per chunk key, what the segmented keyword index keeps in memory: whether
// the chunk is live, removed from a segment (until a merge drops it) or
// neither, its length (for BM25) and its name's word count (for the name
// ranking); with the live count and total length (N and the average length).
import { holding } from '../resizableArray';

export const NONE = 0;
export const LIVE = 1;
export const REMOVED = 2;

export class KeyTable {
  state = new Uint8Array(1024);
  len = new Float32Array(1024);
  nameWords = new Uint16Array(1024);
  live = 0;
  totalLen = 0;

  constructor(capacity = 1024) {
    if (capacity > 1024) this.grow(capacity - 1);
  }

  has(key: number): boolean { return key >= 0 && key < this.state.length && this.state[key] === LIVE; }

  get avgLen(): number { return this.totalLen / Math.max(1, this.live); }

  grow(key: number): void {
    this.state = holding(this.state, key);
    this.len = holding(this.len, key);
    this.nameWords = holding(this.nameWords, key);
  }

  add(key: number, len: number, nameWords: number): void {
    this.grow(key);
    this.state[key] = LIVE;
    this.len[key] = len;
    this.nameWords[key] = nameWords;
    this.live++;
    this.totalLen += len;
  }

  remove(key: number): boolean {
    if (!this.has(key)) return false;
    this.state[key] = REMOVED;
    this.live--;
    this.totalLen -= this.len[key];
    return true;
  }

  /** A removed key no segment holds any more. */
  forget(key: number): void {
    if (this.state[key] === REMOVED) this.state[key] = NONE;
  }

  removedKeys(): Int32Array {
    const out: number[] = [];
    for (let k = 0; k < this.state.length; k++) if (this.state[k] === REMOVED) out.push(k);
    return Int32Array.from(out);
  }

  /** The live keys under new keys (remap[old], increasing with old, below count); removed ones are dropped. */
  renumbered(remap: Int32Array, count: number): KeyTable {
    const t = new KeyTable(count);
    for (let k = 0; k < this.state.length; k++) {
      if (this.state[k] !== LIVE) continue;
      const n = remap[k];
      if (!(n >= 0 && n < count)) throw new Error(`keyword index: no new key for document ${k}`);
      t.add(n, this.len[k], this.nameWords[k]);
    }
    t.totalLen = this.totalLen;
    return t;
  }
}
