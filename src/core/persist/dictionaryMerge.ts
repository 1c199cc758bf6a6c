// Two sorted lists of UTF-8 strings, each stored as one byte array with
// offsets, merged into one sorted dictionary in which equal strings are one
// entry. A string column's save merges its loaded dictionary (the entries
// still in use) with the strings added since (sorted first).

/** Byte comparison of a[as, ae) and b[bs, be), negative when a sorts first. */
export function compareBytes(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const n = Math.min(ae - as, be - bs);
  for (let i = 0; i < n; i++) {
    const d = a[as + i] - b[bs + i];
    if (d !== 0) return d;
  }
  return (ae - as) - (be - bs);
}

/** Entries of a byte array: entry i is bytes[offsets[i], offsets[i + 1]); `take` lists those to merge, in sorted order. */
export interface SortedEntries { bytes: Uint8Array; offsets: ArrayLike<number>; take: ArrayLike<number> }

export interface MergedDictionary {
  bytes: Uint8Array;
  /** Entry i of the result is bytes[offsets[i], offsets[i + 1]). */
  offsets: Uint32Array;
  /** For each entry of a and of b, its entry in the result (−1: not taken). */
  fromA: Int32Array;
  fromB: Int32Array;
}

/** Appends entries to a byte array, copying runs of entries that follow one another in their source at once. */
class Appender {
  readonly out: Uint8Array;
  readonly offsets: Uint32Array;
  count = 0;
  private at = 0;
  private run: Uint8Array | null = null;
  private runStart = 0;
  private runEnd = 0;
  private runAt = 0;
  // the last entry appended, where it came from
  private last: Uint8Array | null = null;
  private lastStart = 0;
  private lastEnd = 0;

  constructor(bound: number, entries: number) {
    this.out = new Uint8Array(bound);
    this.offsets = new Uint32Array(entries + 1);
  }

  /** Appends src[s, e) unless it equals the last entry; returns its entry. */
  add(src: Uint8Array, s: number, e: number): number {
    if (this.last && compareBytes(this.last, this.lastStart, this.lastEnd, src, s, e) === 0) return this.count - 1;
    if (this.run !== src || this.runEnd !== s) {
      this.flush();
      this.run = src;
      this.runStart = s;
      this.runAt = this.at;
    }
    this.runEnd = e;
    this.at += e - s;
    this.offsets[++this.count] = this.at;
    this.last = src; this.lastStart = s; this.lastEnd = e;
    return this.count - 1;
  }

  flush(): void {
    if (this.run && this.runEnd > this.runStart) this.out.set(this.run.subarray(this.runStart, this.runEnd), this.runAt);
    this.run = null;
  }

  get length(): number { return this.at; }
}

function entryLength(x: SortedEntries, i: number): number { return x.offsets[i + 1] - x.offsets[i]; }

export function mergeDictionaries(a: SortedEntries, b: SortedEntries): MergedDictionary {
  let bound = 0;
  for (let k = 0; k < a.take.length; k++) bound += entryLength(a, a.take[k]);
  for (let k = 0; k < b.take.length; k++) bound += entryLength(b, b.take[k]);
  const out = new Appender(bound, a.take.length + b.take.length);
  const fromA = new Int32Array(a.offsets.length - 1).fill(-1);
  const fromB = new Int32Array(b.offsets.length - 1).fill(-1);
  let i = 0;
  let j = 0;
  while (i < a.take.length || j < b.take.length) {
    const x = a.take[i];
    const y = b.take[j];
    const aFirst = j >= b.take.length ||
      (i < a.take.length && compareBytes(a.bytes, a.offsets[x], a.offsets[x + 1], b.bytes, b.offsets[y], b.offsets[y + 1]) <= 0);
    if (aFirst) { fromA[x] = out.add(a.bytes, a.offsets[x], a.offsets[x + 1]); i++; }
    else { fromB[y] = out.add(b.bytes, b.offsets[y], b.offsets[y + 1]); j++; }
  }
  out.flush();
  const exact = out.length === bound && out.count === a.take.length + b.take.length;
  return {
    bytes: exact ? out.out : out.out.slice(0, out.length),
    offsets: exact ? out.offsets : out.offsets.slice(0, out.count + 1),
    fromA, fromB,
  };
}

/** Strings as entries of one UTF-8 byte array, with `take` listing them in byte order. */
export function encodeSorted(strings: readonly string[]): { bytes: Buffer; offsets: Uint32Array; take: Int32Array } {
  const offsets = new Uint32Array(strings.length + 1);
  for (let k = 0; k < strings.length; k++) offsets[k + 1] = offsets[k] + Buffer.byteLength(strings[k], 'utf8');
  const bytes = Buffer.allocUnsafe(offsets[strings.length]);
  for (let k = 0; k < strings.length; k++) bytes.write(strings[k], offsets[k], 'utf8');
  const take = new Int32Array(strings.length);
  for (let k = 0; k < take.length; k++) take[k] = k;
  take.sort((x, y) => compareBytes(bytes, offsets[x], offsets[x + 1], bytes, offsets[y], offsets[y + 1]));
  return { bytes, offsets, take };
}
