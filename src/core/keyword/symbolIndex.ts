// Name index on flexsearch with forward (prefix) tokenisation: finds symbols
// from a partial identifier as the user types ("parseDur" → parseDuration).
// Bodies are not indexed here: they live in the BM25 index (see README, design).
//
// Layers, each measured at 76K names / 28,810 distinct name words: flexsearch
// holds the distinct 4-character heads of the words (4,672 heads, ~4 MB,
// ~0.2 s to build; the words themselves under forward tokenisation cost 95 MB
// and ~0.8 s, every symbol as a document ~140 MB and ~3 s); a head lists its
// words, a word lists its symbols.
//
// A one-identifier query is also matched by humps, as Go to Symbol does
// (gcc, getContChs → get_content_charset): the distinct names' parts are kept
// as space-joined strings, bucketed by first character, and scanned.
import { Encoder, Index } from 'flexsearch';
import { splitWords, type SplitWord } from '../text/identifiers';
import { charMask, humpBound, humpQuery, humpScore, nameParts } from '../text/symbolNames';
import { selectTopK } from '../topK';

const HEAD = 4;

function newIndex(): Index {
  return new Index({
    tokenize: 'forward',
    resolution: 1,
    encoder: new Encoder({ normalize: false, dedupe: false, numeric: false, split: ' ', minlength: 1 }),
  });
}

/** Words indexed for a symbol: raw identifier and its parts, lower-cased. */
export function symbolWords(name: string): string[] {
  const out = new Set<string>();
  for (const w of splitWords(name)) {
    out.add(w.raw);
    for (const p of w.parts) out.add(p);
  }
  return [...out];
}

// A query word may be the prefix of thousands of name words ("g"): the shortest
// are the likeliest completions, and the rest only cost time.
const WORDS_PER_QUERY_WORD = 64;
const WORDS_SEARCHED = 1024;
// An exact word scores above a completion of it.
const EXACT = 1;
const PREFIX = 0.75;
// Above any score (the sum of EXACT or PREFIX over the query's words), to count matched parts in the same number.
const MATCHED = 1024;
// Hump matching costs O(query × name); longer names are left to the word index.
const HUMP_NAME_MAX = 96;
// Hump matches rank by score, then by shorter name: one number for both.
const HUMP_SCALE = 2 ** 20;

export class SymbolIndex {
  private index = newIndex();
  private headIds = new Map<string, number>();
  private headWords: number[][] = [];
  private wordIds = new Map<string, number>();
  private words: string[] = [];
  private wordKeys: number[][] = [];
  private keyWordCount = new Map<number, number>();
  // distinct names for hump matching: parts joined by spaces, and their part counts
  private humpIds = new Map<string, number>();
  private humpNames: string[] = [];
  private humpParts: number[] = [];
  // their keys as linked lists in flat arrays (an array per name costs ~100 bytes, most names have one key):
  // humpLastKey[name] is the slot of its latest key, keyAt[slot] the key, earlierKey[slot] the slot before (-1 ends)
  private humpKeyCount: number[] = [];
  private humpLastKey: number[] = [];
  private keyAt: number[] = [];
  private earlierKey: number[] = [];
  // name ids by first character, shortest first (sorted when searched after adds)
  private humpBuckets = new Map<number, HumpBucket>();
  private unsortedBuckets = new Set<number>();

  get size(): number { return this.keyWordCount.size; }

  add(key: number, name: string): void {
    const words = symbolWords(name);
    if (words.length === 0) return;
    for (const w of words) {
      let id = this.wordIds.get(w);
      if (id === undefined) {
        id = this.words.length;
        this.wordIds.set(w, id);
        this.words.push(w);
        this.wordKeys.push([]);
        const head = w.slice(0, HEAD);
        let h = this.headIds.get(head);
        if (h === undefined) {
          h = this.headWords.length;
          this.headIds.set(head, h);
          this.headWords.push([]);
          this.index.add(h, head);
        }
        this.headWords[h].push(id);
      }
      this.wordKeys[id].push(key);
    }
    this.keyWordCount.set(key, words.length);
    this.addHumpName(key, nameParts(name));
  }

  private addHumpName(key: number, parts: string[]): void {
    const spaced = parts.join(' ');
    if (spaced.length === 0 || spaced.length > HUMP_NAME_MAX) return;
    let id = this.humpIds.get(spaced);
    if (id === undefined) {
      id = this.humpNames.length;
      this.humpIds.set(spaced, id);
      this.humpNames.push(spaced);
      this.humpParts.push(parts.length);
      this.humpKeyCount.push(0);
      this.humpLastKey.push(-1);
      const first = spaced.charCodeAt(0);
      let bucket = this.humpBuckets.get(first);
      if (!bucket) this.humpBuckets.set(first, (bucket = { ids: [], masks: [] }));
      bucket.ids.push(id);
      this.unsortedBuckets.add(first);
    }
    this.humpKeyCount[id]++;
    this.keyAt.push(key);
    this.earlierKey.push(this.humpLastKey[id]);
    this.humpLastKey[id] = this.keyAt.length - 1;
  }

  /** Keys of a hump name, latest first. */
  private *humpKeys(id: number): Generator<number> {
    for (let slot = this.humpLastKey[id]; slot >= 0; slot = this.earlierKey[slot]) yield this.keyAt[slot];
  }

  /**
   * Keys whose name words match the query's words: exactly, or by prefix for
   * the word being typed (the query's last word and its last part). Best
   * first: more query words matched, exact before prefix, then shorter names.
   * A one-identifier query also matches names by humps (humpScore()): those
   * come after the names that matched all of its parts, and before those
   * that matched only some, which say less about it
   * ("getContChs": get_content_charset before every other get_*).
   */
  search(query: string, limit: number): number[] {
    const split = splitWords(query);
    if (split.length === 0 || limit <= 0) return [];
    const { keys, values, whole } = this.scoreWords(split, query);
    const top = (accept?: (key: number) => boolean) => selectTopK(values, keys, keys.length, limit, accept).map(({ slot }) => keys[slot]);
    const hump = humpQuery(query);
    if (hump === null) return top();
    const out = new Set(top(whole));
    if (out.size < limit) for (const id of this.humpMatches(hump, limit)) if (!addUpTo(out, this.humpKeys(id), limit)) break;
    if (out.size < limit) addUpTo(out, top((key) => !whole(key)), limit);
    return [...out];
  }

  /**
   * Word-index scores of the keys (see search()), and whether a key matched
   * every one of the query's parts.
   */
  private scoreWords(split: SplitWord[], query: string): { keys: number[]; values: Float64Array; whole: (key: number) => boolean } {
    const last = split[split.length - 1];
    const typing = new Set([last.raw, last.parts[last.parts.length - 1]]);
    const parts = new Set(split.flatMap((w) => w.parts));
    // per key: its score plus MATCHED × the query's parts it matched. One map:
    // a second one as large, kept across the loop, costs more than the loop itself.
    const score = new Map<number, number>();
    for (const qw of symbolWords(query)) {
      let ids: number[];
      if (typing.has(qw)) {
        ids = this.completions(qw);
      } else {
        const id = this.wordIds.get(qw);
        ids = id === undefined ? [] : [id];
      }
      // each query word counts once per key, at its best match
      const best = new Map<number, number>();
      for (const id of ids) {
        const q = this.words[id] === qw ? EXACT : PREFIX;
        for (const key of this.wordKeys[id]) if ((best.get(key) ?? 0) < q) best.set(key, q);
      }
      const add = parts.has(qw) ? MATCHED : 0;
      for (const [key, q] of best) score.set(key, (score.get(key) ?? 0) + q + add);
    }
    // one number per key for the heap: score (a multiple of 0.25) first, then fewer name words
    const keys = [...score.keys()];
    const values = new Float64Array(keys.length);
    for (let i = 0; i < keys.length; i++) values[i] = (score.get(keys[i])! % MATCHED) * 1024 - Math.min(1023, this.keyWordCount.get(keys[i])!);
    return { keys, values, whole: (key) => score.get(key)! >= parts.size * MATCHED };
  }

  /**
   * Ids of the distinct names matching `query` (humpQuery()) by humps, best
   * first (higher humpScore, then shorter), as many as hold `limit` keys.
   * Names are scanned shortest first, so the scan ends once no longer name
   * can enter the kept ones, and a name whose part count bounds its score
   * below them is not scored.
   */
  private humpMatches(query: string, limit: number): number[] {
    const { ids, masks } = this.sortedBucket(query.charCodeAt(0));
    const mask = charMask(query);
    const top = new BestCovering(limit);
    for (let i = 0; i < ids.length; i++) {
      // the mask first: it rejects most names without touching their strings
      if ((masks[i] & mask) !== mask) continue;
      const id = ids[i];
      const len = this.humpNames[id].length;
      if (HUMP_SCALE - len <= top.floor) break;
      if (humpBound(query.length, this.humpParts[id]) * HUMP_SCALE - len <= top.floor) continue;
      const s = humpScore(query, this.humpNames[id]);
      if (s > 0) top.offer(s * HUMP_SCALE - len, id, this.humpKeyCount[id]);
    }
    return top.ids;
  }

  private sortedBucket(first: number): HumpBucket {
    const bucket = this.humpBuckets.get(first) ?? { ids: [], masks: [] };
    if (this.unsortedBuckets.delete(first)) {
      bucket.ids.sort((a, b) => this.humpNames[a].length - this.humpNames[b].length || a - b);
      bucket.masks = bucket.ids.map((id) => charMask(this.humpNames[id]));
    }
    return bucket;
  }

  /** Ids of the words starting with `prefix`, shortest first, at most WORDS_PER_QUERY_WORD. */
  private completions(prefix: string): number[] {
    const heads = this.index.search(prefix.slice(0, HEAD), { limit: WORDS_SEARCHED }) as number[];
    const ids: number[] = [];
    for (const h of heads) for (const id of this.headWords[h]) if (this.words[id].startsWith(prefix)) ids.push(id);
    return ids.sort((a, b) => this.words[a].length - this.words[b].length || a - b).slice(0, WORDS_PER_QUERY_WORD);
  }

  /** Rebuild from scratch (used when removed keys pile up). */
  rebuild(entries: Iterable<[number, string]>): void {
    this.index = newIndex();
    this.headIds = new Map();
    this.headWords = [];
    this.wordIds = new Map();
    this.words = [];
    this.wordKeys = [];
    this.keyWordCount = new Map();
    this.humpIds = new Map();
    this.humpNames = [];
    this.humpParts = [];
    this.humpKeyCount = [];
    this.humpLastKey = [];
    this.keyAt = [];
    this.earlierKey = [];
    this.humpBuckets = new Map();
    this.unsortedBuckets = new Set();
    for (const [key, name] of entries) this.add(key, name);
  }
}

/**
 * Names by first character, shortest first, with their charMask()s in the
 * same order: a scan reads the masks in a row, and a name's string only when
 * its mask passes. The masks are made when the bucket is sorted.
 */
interface HumpBucket {
  ids: number[];
  masks: number[];
}

/** Add keys to `out` until it holds `limit`; false once it does. */
function addUpTo(out: Set<number>, keys: Iterable<number>, limit: number): boolean {
  for (const key of keys) {
    if (out.size >= limit) return false;
    out.add(key);
  }
  return out.size < limit;
}

/**
 * The best-valued ids offered whose weights (key counts) add up to `need`,
 * best first; ties keep the earlier. A name with many keys ("set") covers the
 * need alone, and ends a scan early.
 */
class BestCovering {
  readonly ids: number[] = [];
  private readonly values: number[] = [];
  private readonly weights: number[] = [];
  private total = 0;
  constructor(private readonly need: number) {}

  /** What a value must beat to enter. */
  get floor(): number {
    return this.total < this.need ? -Infinity : this.values[this.values.length - 1];
  }

  offer(value: number, id: number, weight: number): void {
    if (value <= this.floor) return;
    let i = this.values.length;
    while (i > 0 && this.values[i - 1] < value) i--;
    this.values.splice(i, 0, value);
    this.ids.splice(i, 0, id);
    this.weights.splice(i, 0, weight);
    this.total += weight;
    // drop the worst while the others still cover the need
    while (this.total - this.weights[this.weights.length - 1] >= this.need) {
      this.total -= this.weights.pop()!;
      this.values.pop();
      this.ids.pop();
    }
  }
}
