// Name index on flexsearch with forward (prefix) tokenisation: finds symbols
// from a partial identifier as the user types ("parseDur" → parseDuration).
// Bodies are not indexed here: they live in the BM25 index (see README, design).
//
// Layers, each measured at 76K names / 28,810 distinct name words: flexsearch
// holds the distinct 4-character heads of the words (4,672 heads, ~4 MB,
// ~0.2 s to build; the words themselves under forward tokenisation cost 95 MB
// and ~0.8 s, every symbol as a document ~140 MB and ~3 s); a head lists its
// words, a word lists its symbols.
import { Encoder, Index } from 'flexsearch';
import { splitWords } from '../text/identifiers';
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

export class SymbolIndex {
  private index = newIndex();
  private headIds = new Map<string, number>();
  private headWords: number[][] = [];
  private wordIds = new Map<string, number>();
  private words: string[] = [];
  private wordKeys: number[][] = [];
  private keyWordCount = new Map<number, number>();

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
  }

  /**
   * Keys whose name words match the query's words: exactly, or by prefix for
   * the word being typed (the query's last word and its last part). Best
   * first: more query words matched, exact before prefix, then shorter names.
   */
  search(query: string, limit: number): number[] {
    const split = splitWords(query);
    if (split.length === 0 || limit <= 0) return [];
    const last = split[split.length - 1];
    const typing = new Set([last.raw, last.parts[last.parts.length - 1]]);
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
      for (const [key, q] of best) score.set(key, (score.get(key) ?? 0) + q);
    }
    // one number per key for the heap: score (a multiple of 0.25) first, then fewer name words
    const keys = [...score.keys()];
    const values = new Float64Array(keys.length);
    for (let i = 0; i < keys.length; i++) values[i] = score.get(keys[i])! * 1024 - Math.min(1023, this.keyWordCount.get(keys[i])!);
    return selectTopK(values, keys, keys.length, limit).map(({ slot }) => keys[slot]);
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
    for (const [key, name] of entries) this.add(key, name);
  }
}
