// The name index of one keyword segment, as flat arrays that a segment file
// stores and a reader views without building anything: the distinct name
// words in sorted order with the keys holding each (and the word's place in
// each key's name), and the distinct names' parts (for hump matching) grouped
// by first character, then by length, then by first key. Built once when a
// segment is written; SegmentNames ranks over several of these.
import type { BinaryReader, BinaryWriter } from '../persist/binary';
import { CorruptIndexError } from '../errors';
import { charMask, nameParts } from '../text/symbolNames';
import { HUMP_NAME_MAX, symbolWords } from './nameRank';
import { joinStrings, StringBlob } from './stringBlob';
import { ResizableArray } from '../resizableArray';

interface NameArrays {
  wordBlob: Uint8Array; wordOff: Uint32Array;
  wordKeyOff: Uint32Array; wordKeys: Int32Array; wordPos: Uint8Array;
  humpBlob: Uint8Array; humpOff: Uint32Array; humpLen: Uint8Array; humpParts: Uint8Array; humpMask: Int32Array;
  humpKeyOff: Uint32Array; humpKeys: Int32Array;
  bucketChar: Uint32Array; bucketStart: Uint32Array;
}
const ORDER: Array<keyof NameArrays> = [
  'wordBlob', 'wordOff', 'wordKeyOff', 'wordKeys', 'wordPos',
  'humpBlob', 'humpOff', 'humpLen', 'humpParts', 'humpMask', 'humpKeyOff', 'humpKeys', 'bucketChar', 'bucketStart',
];
const U8 = new Set<keyof NameArrays>(['wordBlob', 'wordPos', 'humpBlob', 'humpLen', 'humpParts']);
const I32 = new Set<keyof NameArrays>(['wordKeys', 'humpMask', 'humpKeys']);
const MAX_BYTE = 255;

/** Pairs (group, value) appended one by one, in flat arrays (no object or array per pair). */
class Pairs {
  private readonly g = new ResizableArray(Int32Array);
  private readonly v = new ResizableArray(Int32Array);
  private readonly x = new ResizableArray(Uint8Array);
  length = 0;
  push(group: number, value: number, extra = 0): void {
    const i = this.length++;
    if (i >= this.g.capacity) for (const a of [this.g, this.v, this.x]) a.reserve(i + 1, i);
    this.g.data[i] = group; this.v.data[i] = value; this.x.data[i] = Math.min(MAX_BYTE, extra);
  }
  /**
   * The values grouped in the order `rank` gives the groups (rank[group] is its place), each group's
   * values in the order they were pushed: offsets (one more than groups), values, extras.
   */
  grouped(rank: Uint32Array): { off: Uint32Array; values: Int32Array; extras: Uint8Array } {
    const off = new Uint32Array(rank.length + 1);
    for (let i = 0; i < this.length; i++) off[rank[this.g.data[i]] + 1]++;
    for (let r = 0; r < rank.length; r++) off[r + 1] += off[r];
    const at = off.slice(0, rank.length);
    const values = new Int32Array(this.length);
    const extras = new Uint8Array(this.length);
    for (let i = 0; i < this.length; i++) {
      const j = at[rank[this.g.data[i]]]++;
      values[j] = this.v.data[i];
      extras[j] = this.x.data[i];
    }
    return { off, values, extras };
  }
}

export class NameSection {
  private readonly wordText: StringBlob;
  private readonly humpText: StringBlob;

  private constructor(private readonly a: NameArrays) {
    this.wordText = new StringBlob(a.wordBlob, a.wordOff);
    this.humpText = new StringBlob(a.humpBlob, a.humpOff);
  }

  /** The section of these chunks' names (keys ascending; an empty name has no entry). */
  static build(keys: ArrayLike<number>, names: ArrayLike<string>): NameSection {
    const wordIds = new Map<string, number>();
    const words: string[] = [];
    const wordPairs = new Pairs(); // word id, key, place in the name
    const humpIds = new Map<string, number>();
    const humps: string[] = [];
    const humpParts: number[] = [];
    const humpPairs = new Pairs(); // name id, key
    for (let i = 0; i < keys.length; i++) {
      const name = names[i];
      if (!name) continue;
      const ws = symbolWords(name);
      if (ws.length === 0) continue;
      const key = keys[i];
      ws.forEach((w, pos) => {
        let id = wordIds.get(w);
        if (id === undefined) { id = words.length; wordIds.set(w, id); words.push(w); }
        wordPairs.push(id, key, pos);
      });
      const parts = nameParts(name);
      const spaced = parts.join(' ');
      if (spaced.length === 0 || spaced.length > HUMP_NAME_MAX) continue;
      let h = humpIds.get(spaced);
      if (h === undefined) { h = humps.length; humpIds.set(spaced, h); humps.push(spaced); humpParts.push(parts.length); }
      humpPairs.push(h, key);
    }
    // words in string order (the default sort's, as `<` compares)
    const sortedWords = words.slice().sort();
    const wordRank = new Uint32Array(words.length);
    sortedWords.forEach((w, r) => { wordRank[wordIds.get(w)!] = r; });
    const wb = joinStrings(sortedWords);
    const wk = wordPairs.grouped(wordRank);
    // names by first character, then length, then first seen (first key)
    const order = humps.map((_, i) => i).sort((a, b) => humps[a].charCodeAt(0) - humps[b].charCodeAt(0) || humps[a].length - humps[b].length || a - b);
    const humpRank = new Uint32Array(humps.length);
    order.forEach((id, r) => { humpRank[id] = r; });
    const spacedNames = Array.from(order, (id) => humps[id]);
    const hb = joinStrings(spacedNames);
    const hk = humpPairs.grouped(humpRank);
    const chars: number[] = [];
    const starts: number[] = [];
    spacedNames.forEach((s, i) => { if (i === 0 || s.charCodeAt(0) !== spacedNames[i - 1].charCodeAt(0)) { chars.push(s.charCodeAt(0)); starts.push(i); } });
    starts.push(spacedNames.length);
    return new NameSection({
      wordBlob: wb.bytes, wordOff: wb.off, wordKeyOff: wk.off, wordKeys: wk.values, wordPos: wk.extras,
      humpBlob: hb.bytes, humpOff: hb.off,
      humpLen: Uint8Array.from(spacedNames, (s) => s.length), humpParts: Uint8Array.from(order, (id) => Math.min(MAX_BYTE, humpParts[id])),
      humpMask: Int32Array.from(spacedNames, charMask), humpKeyOff: hk.off, humpKeys: hk.values,
      bucketChar: Uint32Array.from(chars), bucketStart: Uint32Array.from(starts),
    });
  }

  write(w: BinaryWriter): void {
    for (const k of ORDER) w.array(this.a[k]);
  }

  static read(r: BinaryReader): NameSection {
    const a = {} as Record<keyof NameArrays, Uint8Array | Uint32Array | Int32Array>;
    for (const k of ORDER) a[k] = U8.has(k) ? r.u8() : I32.has(k) ? r.i32() : r.u32s();
    const s = new NameSection(a as unknown as NameArrays);
    s.check();
    return s;
  }

  /** The arrays agree with one another (a checksum vouched for the bytes; this catches a writer's bug). */
  private check(): void {
    const a = this.a;
    const words = a.wordOff.length - 1, humps = a.humpOff.length - 1;
    const ok = words >= 0 && humps >= 0 && this.wordText.consistent && this.humpText.consistent && a.wordKeyOff.length === words + 1 &&
      a.wordKeyOff[words] === a.wordKeys.length && a.wordPos.length === a.wordKeys.length &&
      a.humpLen.length === humps && a.humpParts.length === humps && a.humpMask.length === humps &&
      a.humpKeyOff.length === humps + 1 && a.humpKeyOff[humps] === a.humpKeys.length &&
      a.bucketStart.length === a.bucketChar.length + 1 && a.bucketStart[a.bucketChar.length] === humps;
    if (!ok) throw new CorruptIndexError('keyword segment: inconsistent name index');
  }

  get words(): number { return this.a.wordOff.length - 1; }
  word(i: number): string { return this.wordText.at(i); }
  wordKeys(i: number): Int32Array { return this.a.wordKeys.subarray(this.a.wordKeyOff[i], this.a.wordKeyOff[i + 1]); }
  /** Place of word i in each of its keys' symbolWords() (capped at 255). */
  wordPlaces(i: number): Uint8Array { return this.a.wordPos.subarray(this.a.wordKeyOff[i], this.a.wordKeyOff[i + 1]); }

  /** First word index whose word is not below `s`. */
  private lowerBound(s: string): number {
    let lo = 0, hi = this.words;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.word(mid) < s) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  findWord(word: string): number {
    const i = this.lowerBound(word);
    return i < this.words && this.word(i) === word ? i : -1;
  }

  /** Indexes of the words starting with `prefix` (a contiguous run in sorted order), with the words. */
  *wordsWithPrefix(prefix: string): Generator<[number, string]> {
    for (let i = this.lowerBound(prefix); i < this.words; i++) {
      const w = this.word(i);
      if (!w.startsWith(prefix)) return;
      yield [i, w];
    }
  }

  /** [start, end) of the distinct names beginning with this character code. */
  bucket(first: number): [number, number] {
    const c = this.a.bucketChar;
    let lo = 0, hi = c.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (c[mid] < first) lo = mid + 1; else hi = mid; }
    return lo < c.length && c[lo] === first ? [this.a.bucketStart[lo], this.a.bucketStart[lo + 1]] : [0, 0];
  }
  humpLength(i: number): number { return this.a.humpLen[i]; }
  humpParts(i: number): number { return this.a.humpParts[i]; }
  humpMask(i: number): number { return this.a.humpMask[i]; }
  humpName(i: number): string { return this.humpText.at(i); }
  humpKeys(i: number): Int32Array { return this.a.humpKeys.subarray(this.a.humpKeyOff[i], this.a.humpKeyOff[i + 1]); }
}
