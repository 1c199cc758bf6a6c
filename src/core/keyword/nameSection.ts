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

/** Lists as one flat array plus start offsets. */
function flatten<T>(lists: T[][], pick: (x: T) => number, Ctor: Int32ArrayConstructor | Uint8ArrayConstructor): { off: Uint32Array; flat: Int32Array | Uint8Array } {
  const off = new Uint32Array(lists.length + 1);
  for (let i = 0; i < lists.length; i++) off[i + 1] = off[i] + lists[i].length;
  const flat = new Ctor(off[lists.length]);
  lists.forEach((l, i) => l.forEach((x, j) => { flat[off[i] + j] = Math.min(pick(x), Ctor === Uint8Array ? MAX_BYTE : Infinity); }));
  return { off, flat };
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
    const words = new Map<string, Array<[number, number]>>(); // word → [key, place in the name]
    const humps = new Map<string, { parts: number; keys: number[] }>();
    for (let i = 0; i < keys.length; i++) {
      const name = names[i];
      if (!name) continue;
      const ws = symbolWords(name);
      if (ws.length === 0) continue;
      const key = keys[i];
      ws.forEach((w, pos) => {
        let l = words.get(w);
        if (!l) words.set(w, (l = []));
        l.push([key, pos]);
      });
      const parts = nameParts(name);
      const spaced = parts.join(' ');
      if (spaced.length === 0 || spaced.length > HUMP_NAME_MAX) continue;
      let h = humps.get(spaced);
      if (!h) humps.set(spaced, (h = { parts: parts.length, keys: [] }));
      h.keys.push(key);
    }
    const sortedWords = [...words.keys()].sort();
    const wb = joinStrings(sortedWords);
    const wl = sortedWords.map((w) => words.get(w)!);
    const wk = flatten(wl, (x) => x[0], Int32Array);
    const wp = flatten(wl, (x) => x[1], Uint8Array);
    // by first character, then length; the sort is stable, so first seen (first key) breaks ties
    const spacedNames = [...humps.keys()].sort((x, y) => x.charCodeAt(0) - y.charCodeAt(0) || x.length - y.length);
    const hb = joinStrings(spacedNames);
    const hk = flatten(spacedNames.map((s) => humps.get(s)!.keys), (k) => k, Int32Array);
    const chars: number[] = [];
    const starts: number[] = [];
    spacedNames.forEach((s, i) => { if (i === 0 || s.charCodeAt(0) !== spacedNames[i - 1].charCodeAt(0)) { chars.push(s.charCodeAt(0)); starts.push(i); } });
    starts.push(spacedNames.length);
    return new NameSection({
      wordBlob: wb.bytes, wordOff: wb.off, wordKeyOff: wk.off, wordKeys: wk.flat as Int32Array, wordPos: wp.flat as Uint8Array,
      humpBlob: hb.bytes, humpOff: hb.off,
      humpLen: Uint8Array.from(spacedNames, (s) => s.length), humpParts: Uint8Array.from(spacedNames, (s) => Math.min(MAX_BYTE, humps.get(s)!.parts)),
      humpMask: Int32Array.from(spacedNames, charMask), humpKeyOff: hk.off, humpKeys: hk.flat as Int32Array,
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
