// Name index on flexsearch with forward (prefix) tokenisation: finds symbols
// from a partial identifier as the user types ("parseDur" → parseDuration).
// Bodies are not indexed here: they live in the BM25 index (see README, design).
import { Encoder, Index } from 'flexsearch';
import { splitWords } from '../text/identifiers';

function newIndex(): Index {
  return new Index({
    tokenize: 'forward',
    resolution: 9,
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
const WORDS_PER_QUERY_WORD = 256;
// An exact word scores above a completion of it.
const EXACT = 1;
const PREFIX = 0.75;

/**
 * flexsearch indexes each distinct name word once (its prefixes, 'forward'),
 * and a plain table maps a word to the symbols using it. Indexing every
 * symbol's words in flexsearch instead cost ~140 MB and ~3 s to rebuild at
 * 76K names (measured), because common words ("get", "to") repeat thousands of times.
 */
export class SymbolIndex {
  private index = newIndex();
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
        this.index.add(id, w);
      }
      this.wordKeys[id].push(key);
    }
    this.keyWordCount.set(key, words.length);
  }

  /**
   * Keys whose name words match the query's words, exactly or by prefix; best
   * first: more query words matched, exact before prefix, then shorter names.
   */
  search(query: string, limit: number): number[] {
    const qWords = symbolWords(query);
    if (qWords.length === 0 || limit <= 0) return [];
    const score = new Map<number, number>();
    for (const qw of qWords) {
      const ids = (this.index.search(qw, { limit: 10_000 }) as number[])
        .sort((a, b) => this.words[a].length - this.words[b].length || a - b)
        .slice(0, WORDS_PER_QUERY_WORD);
      // each query word counts once per key, at its best match
      const best = new Map<number, number>();
      for (const id of ids) {
        const q = this.words[id] === qw ? EXACT : PREFIX;
        for (const key of this.wordKeys[id]) if ((best.get(key) ?? 0) < q) best.set(key, q);
      }
      for (const [key, q] of best) score.set(key, (score.get(key) ?? 0) + q);
    }
    return [...score]
      .sort((a, b) => b[1] - a[1] || this.keyWordCount.get(a[0])! - this.keyWordCount.get(b[0])! || a[0] - b[0])
      .slice(0, limit)
      .map(([key]) => key);
  }

  /** Rebuild from scratch (used when removed keys pile up). */
  rebuild(entries: Iterable<[number, string]>): void {
    this.index = newIndex();
    this.wordIds = new Map();
    this.words = [];
    this.wordKeys = [];
    this.keyWordCount = new Map();
    for (const [key, name] of entries) this.add(key, name);
  }
}
