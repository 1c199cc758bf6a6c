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
import { charMask, nameParts } from '../text/symbolNames';
import { HUMP_NAME_MAX, type HumpCandidate, type NameSource, rankNames, symbolWords, type WordMatch } from './nameRank';

export { symbolWords };

const HEAD = 4;
// Heads a completion looks at: a one-letter prefix of a huge index may begin more.
const WORDS_SEARCHED = 1024;

function newIndex(): Index {
  return new Index({
    tokenize: 'forward',
    resolution: 1,
    encoder: new Encoder({ normalize: false, dedupe: false, numeric: false, split: ' ', minlength: 1 }),
  });
}

export class SymbolIndex implements NameSource {
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

  /** Keys whose names match the query (see rankNames()). */
  search(query: string, limit: number): number[] {
    return rankNames(this, query, limit);
  }

  exact(word: string): WordMatch | null {
    const id = this.wordIds.get(word);
    return id === undefined ? null : { word, keys: this.wordKeys[id] };
  }

  wordCount(key: number): number { return this.keyWordCount.get(key) ?? 0; }

  *humpCandidates(first: number, mask: number): Generator<HumpCandidate> {
    const { ids, masks } = this.sortedBucket(first);
    for (let i = 0; i < ids.length; i++) {
      // the mask first: it rejects most names without touching their strings
      if ((masks[i] & mask) !== mask) continue;
      const id = ids[i];
      yield { spaced: this.humpNames[id], parts: this.humpParts[id], weight: this.humpKeyCount[id], keys: () => this.humpKeys(id) };
    }
  }

  private sortedBucket(first: number): HumpBucket {
    const bucket = this.humpBuckets.get(first) ?? { ids: [], masks: [] };
    if (this.unsortedBuckets.delete(first)) {
      bucket.ids.sort((a, b) => this.humpNames[a].length - this.humpNames[b].length || a - b);
      bucket.masks = bucket.ids.map((id) => charMask(this.humpNames[id]));
    }
    return bucket;
  }

  /** The words starting with `prefix`, shortest first, at most `limit`. */
  completions(prefix: string, limit: number): WordMatch[] {
    const heads = this.index.search(prefix.slice(0, HEAD), { limit: WORDS_SEARCHED }) as number[];
    const ids: number[] = [];
    for (const h of heads) for (const id of this.headWords[h]) if (this.words[id].startsWith(prefix)) ids.push(id);
    return ids.sort((a, b) => this.words[a].length - this.words[b].length || a - b).slice(0, limit)
      .map((id) => ({ word: this.words[id], keys: this.wordKeys[id] }));
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
