// How the name index ranks: shared by its in-memory form (SymbolIndex) and
// the one read from segment files (SegmentNames), which differ only in how
// they find words and names. Keys are chunk ids.
import { splitWords, type SplitWord } from '../text/identifiers';
import { charMask, humpBound, humpQuery, humpScore } from '../text/symbolNames';
import { holding } from '../resizableArray';
import { selectTopK } from '../topK';

// A query word may be the prefix of thousands of name words ("g"): the shortest
// are the likeliest completions, and the rest only cost time.
export const WORDS_PER_QUERY_WORD = 64;
// An exact word scores above a completion of it.
const EXACT = 1;
const PREFIX = 0.75;
// Above any score (the sum of EXACT or PREFIX over the query's words), to count matched parts in the same number.
const MATCHED = 1024;
/** Hump matching costs O(query × name); longer names are left to the word index. */
export const HUMP_NAME_MAX = 96;
// Hump matches rank by score, then by shorter name: one number for both.
const HUMP_SCALE = 2 ** 20;

/** Words indexed for a symbol: raw identifier and its parts, lower-cased. */
export function symbolWords(name: string): string[] {
  const out = new Set<string>();
  for (const w of splitWords(name)) {
    out.add(w.raw);
    for (const p of w.parts) out.add(p);
  }
  return [...out];
}

/** A name word and the keys whose names hold it (ascending). */
export interface WordMatch { word: string; keys: ArrayLike<number> }

/** A distinct name (its parts joined by spaces) offered to the hump scan. */
export interface HumpCandidate {
  spaced: string;
  parts: number;
  /** How many keys have this name. */
  weight: number;
  /** Its keys, latest first. */
  keys(): Iterable<number>;
}

/** What the ranking needs of a name index. */
export interface NameSource {
  /**
   * The `limit` words starting with `prefix`, shortest first, then in the
   * order they were first seen (by key, then place in the name).
   */
  completions(prefix: string, limit: number): WordMatch[];
  exact(word: string): WordMatch | null;
  /** symbolWords(name).length of a key's name. */
  wordCount(key: number): number;
  /**
   * Distinct names whose first character is the query's and whose
   * charMask() holds the query's: shorter first, then first seen. The scan
   * stops reading once no later name can enter.
   */
  humpCandidates(first: number, mask: number): Iterable<HumpCandidate>;
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
export function rankNames(src: NameSource, query: string, limit: number): number[] {
  const split = splitWords(query);
  if (split.length === 0 || limit <= 0) return [];
  const { keys, values, whole } = scoreWords(src, split, query);
  try {
    const top = (accept?: (key: number) => boolean) => selectTopK(values, keys, keys.length, limit, accept).map(({ slot }) => keys[slot]);
    const hump = humpQuery(query);
    if (hump === null) return top();
    const out = new Set(top(whole));
    if (out.size < limit) for (const name of humpMatches(src, hump, limit)) if (!addUpTo(out, name.keys(), limit)) break;
    if (out.size < limit) addUpTo(out, top((key) => !whole(key)), limit);
    return [...out];
  } finally {
    for (const k of keys) scratch.score[k] = 0;
  }
}

/** Per-key accumulators for scoreWords(), grown as keys need them and zeroed after each use (a Map per query word cost more). */
const scratch = {
  score: new Float64Array(1024),
  best: new Float32Array(1024),
  fit(key: number): void {
    this.score = holding(this.score, key);
    this.best = holding(this.best, key);
  },
};

/**
 * Word-index scores of the keys (see rankNames()), and whether a key matched
 * every one of the query's parts.
 */
function scoreWords(src: NameSource, split: SplitWord[], query: string): { keys: number[]; values: Float64Array; whole: (key: number) => boolean } {
  const last = split[split.length - 1];
  const typing = new Set([last.raw, last.parts[last.parts.length - 1]]);
  const parts = new Set(split.flatMap((w) => w.parts));
  // per key: its score plus MATCHED × the query's parts it matched (scratch.score, zeroed by rankNames())
  const keys: number[] = [];
  for (const qw of symbolWords(query)) {
    let words: WordMatch[];
    if (typing.has(qw)) {
      words = src.completions(qw, WORDS_PER_QUERY_WORD);
    } else {
      const w = src.exact(qw);
      words = w ? [w] : [];
    }
    // each query word counts once per key, at its best match
    const matched: number[] = [];
    for (const w of words) {
      const q = w.word === qw ? EXACT : PREFIX;
      for (let i = 0; i < w.keys.length; i++) {
        const key = w.keys[i];
        scratch.fit(key);
        const best = scratch.best;
        if (best[key] < q) { if (best[key] === 0) matched.push(key); best[key] = q; }
      }
    }
    const add = parts.has(qw) ? MATCHED : 0;
    const { score, best } = scratch;
    for (const key of matched) {
      if (score[key] === 0) keys.push(key);
      score[key] += best[key] + add;
      best[key] = 0;
    }
  }
  // one number per key for the heap: score (a multiple of 0.25) first, then fewer name words
  const score = scratch.score;
  const values = new Float64Array(keys.length);
  for (let i = 0; i < keys.length; i++) values[i] = (score[keys[i]] % MATCHED) * 1024 - Math.min(1023, src.wordCount(keys[i]));
  return { keys, values, whole: (key) => scratch.score[key] >= parts.size * MATCHED };
}

/**
 * The distinct names matching `query` (humpQuery()) by humps, best first
 * (higher humpScore, then shorter), as many as hold `limit` keys. Names come
 * shortest first, so the scan ends once no longer name can enter the kept
 * ones, and a name whose part count bounds its score below them is not scored.
 */
function humpMatches(src: NameSource, query: string, limit: number): HumpCandidate[] {
  const top = new BestCovering<HumpCandidate>(limit);
  for (const c of src.humpCandidates(query.charCodeAt(0), charMask(query))) {
    const len = c.spaced.length;
    if (HUMP_SCALE - len <= top.floor) break;
    if (humpBound(query.length, c.parts) * HUMP_SCALE - len <= top.floor) continue;
    const s = humpScore(query, c.spaced);
    if (s > 0) top.offer(s * HUMP_SCALE - len, c, c.weight);
  }
  return top.items;
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
 * The best-valued items offered whose weights (key counts) add up to `need`,
 * best first; ties keep the earlier. A name with many keys ("set") covers the
 * need alone, and ends a scan early.
 */
class BestCovering<T> {
  readonly items: T[] = [];
  private readonly values: number[] = [];
  private readonly weights: number[] = [];
  private total = 0;
  constructor(private readonly need: number) {}

  /** What a value must beat to enter. */
  get floor(): number {
    return this.total < this.need ? -Infinity : this.values[this.values.length - 1];
  }

  offer(value: number, item: T, weight: number): void {
    if (value <= this.floor) return;
    let i = this.values.length;
    while (i > 0 && this.values[i - 1] < value) i--;
    this.values.splice(i, 0, value);
    this.items.splice(i, 0, item);
    this.weights.splice(i, 0, weight);
    this.total += weight;
    // drop the worst while the others still cover the need
    while (this.total - this.weights[this.weights.length - 1] >= this.need) {
      this.total -= this.weights.pop()!;
      this.values.pop();
      this.items.pop();
    }
  }
}
