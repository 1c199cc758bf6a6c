// The model's tokenizer, shared by the engine and the training pipeline so a
// text maps to the same embedding-table rows at training and search time.
//
// A text becomes identifier subtokens (split on `_`, `$`, camelCase, digits;
// lower-cased). Each subtoken contributes its vocabulary row (when known) plus
// one hashed row per character n-gram of `<subtoken>` (fastText style). Every
// subtoken gets n-grams, in-vocabulary or not, so unseen identifiers such as
// `addressparser` still land near `address` and `parser`.
//
// Weighting: the rows of one subtoken share a total weight of 1 (each row gets
// 1/numRowsOfThatToken), i.e. a subtoken's vector is the mean of its rows as in
// fastText. Long words therefore do not outweigh short ones just by having
// more n-grams, and a repeated subtoken counts once per occurrence.
import { rawWords, splitIdentifier } from '../text/identifiers';
import { detached } from '../text/detached';

export interface TokenizerConfig {
  vocab: string[];
  /** Number of hashed n-gram rows after the vocabulary rows (0 = no n-grams). */
  ngramBuckets: number;
  /** Character n-gram lengths, e.g. [3, 4, 5]. */
  ngramSizes: number[];
  /** Subtokens kept per text (the rest is cut). */
  maxTokens: number;
  /** Subtokens are always lower-cased; the field documents that in saved configs. */
  lowercase?: true;
}

/** Embedding-table rows to sum for one text, each with its weight; rows are unique. */
export interface Encoded {
  rows: Int32Array;
  weights: Float32Array;
}

// Characters that can continue a word of identifiers.ts's WORD_RE; a cut before any other char splits no word.
const WORD_CHAR = /[\p{L}\p{N}\p{M}_$\uD800-\uDFFF]/u;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a over the UTF-8 bytes of `s` (unsigned). */
export function fnv1a32(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      h = Math.imul(h ^ c, FNV_PRIME);
      continue;
    }
    // Encode the code point as UTF-8 so the hash matches the spec on bytes.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    if (c < 0x800) {
      h = Math.imul(h ^ (0xc0 | (c >> 6)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | (c & 0x3f)), FNV_PRIME);
    } else if (c < 0x10000) {
      h = Math.imul(h ^ (0xe0 | (c >> 12)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | (c & 0x3f)), FNV_PRIME);
    } else {
      h = Math.imul(h ^ (0xf0 | (c >> 18)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((c >> 12) & 0x3f)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | (c & 0x3f)), FNV_PRIME);
    }
  }
  return h >>> 0;
}

/** 32-bit FNV-1a over bytes[start, end): fnv1a32(s) of the string whose UTF-8 bytes these are. */
export function fnv1a32Bytes(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], FNV_PRIME);
  return h >>> 0;
}

/** Words with count ≥ minCount, most frequent first, ties by code-unit order; at most maxSize. */
export function buildVocab(counts: Map<string, number>, minCount: number, maxSize: number): string[] {
  const kept: [string, number][] = [];
  for (const [word, n] of counts) if (word && n >= minCount) kept.push([word, n]);
  kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return kept.slice(0, Math.max(0, maxSize)).map(([w]) => w);
}

function validateConfig(cfg: TokenizerConfig): void {
  if (!Array.isArray(cfg.vocab)) throw new Error('tokenizer: vocab must be an array of strings');
  if (!Number.isInteger(cfg.ngramBuckets) || cfg.ngramBuckets < 0) {
    throw new Error(`tokenizer: ngramBuckets must be a non-negative integer, got ${cfg.ngramBuckets}`);
  }
  if (!Array.isArray(cfg.ngramSizes) || cfg.ngramSizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`tokenizer: ngramSizes must be positive integers, got ${JSON.stringify(cfg.ngramSizes)}`);
  }
  if (!Number.isInteger(cfg.maxTokens) || cfg.maxTokens < 1) {
    throw new Error(`tokenizer: maxTokens must be a positive integer, got ${cfg.maxTokens}`);
  }
}

/** Longer subtokens (hashes, base64, minified runs) rarely repeat: not worth a cache slot. */
export const CACHED_SUBTOKEN_MAX = 64;

export class Tokenizer {
  readonly vocab: readonly string[];
  readonly ngramBuckets: number;
  readonly ngramSizes: readonly number[];
  readonly maxTokens: number;
  private readonly index = new Map<string, number>();
  // Rows of a subtoken (vocab row + n-gram rows) are pure functions of the word; code repeats words a lot.
  private readonly cache = new Map<string, Int32Array>();
  private acc: Float64Array | null = null;

  constructor(cfg: TokenizerConfig) {
    validateConfig(cfg);
    this.vocab = cfg.vocab.slice();
    this.ngramBuckets = cfg.ngramBuckets;
    this.ngramSizes = [...new Set(cfg.ngramSizes)].sort((a, b) => a - b);
    this.maxTokens = cfg.maxTokens;
    for (let i = 0; i < this.vocab.length; i++) {
      const w = this.vocab[i];
      // First occurrence wins so a duplicated vocab line cannot shift meaning.
      if (!this.index.has(w)) this.index.set(w, i);
    }
  }

  get rowCount(): number {
    return this.vocab.length + this.ngramBuckets;
  }

  /** Lower-cased identifier sub-parts of a text, at most maxTokens. */
  subtokens(text: string): string[] {
    if (typeof text !== 'string') return []; // bad input embeds to nothing rather than throwing
    // A huge text only needs its head: split a prefix first (cut where no word
    // can straddle the cut) and fall back to the whole text if it was too short.
    const limit = this.maxTokens * 64;
    if (text.length > limit) {
      let cut = limit;
      while (cut < text.length && WORD_CHAR.test(text[cut])) cut++;
      if (cut < text.length) {
        const head = this.subtokensOf(text.slice(0, cut));
        if (head.length >= this.maxTokens) return head;
      }
    }
    return this.subtokensOf(text);
  }

  private subtokensOf(text: string): string[] {
    const out: string[] = [];
    for (const w of rawWords(text)) {
      for (const p of splitIdentifier(w)) {
        out.push(p);
        if (out.length >= this.maxTokens) return out;
      }
    }
    return out;
  }

  /** Vocabulary row of a subtoken, or -1. */
  vocabRow(subtoken: string): number {
    return this.index.get(subtoken) ?? -1;
  }

  /** Hashed n-gram rows of one subtoken (absolute table rows, duplicates kept). */
  ngramRows(subtoken: string): number[] {
    const out: number[] = [];
    if (this.ngramBuckets === 0) return out;
    const word = `<${subtoken}>`;
    const base = this.vocab.length;
    // n-grams count code points; only astral characters need the slow path.
    const chars = /[\uD800-\uDFFF]/.test(word) ? Array.from(word) : null;
    const len = chars ? chars.length : word.length;
    for (const n of this.ngramSizes) {
      for (let i = 0; i + n <= len; i++) {
        const gram = chars ? chars.slice(i, i + n).join('') : word.substring(i, i + n);
        out.push(base + (fnv1a32(gram) % this.ngramBuckets));
      }
    }
    return out;
  }

  /** All rows of one subtoken: its vocabulary row first (if any), then its n-gram rows. */
  tokenRows(subtoken: string): Int32Array {
    let rows = this.cache.get(subtoken);
    if (rows) return rows;
    rows = this.computeTokenRows(subtoken);
    if (subtoken.length > CACHED_SUBTOKEN_MAX) return rows;
    if (this.cache.size > 200_000) this.cache.clear(); // bound memory on huge corpora
    this.cache.set(detached(subtoken), rows);
    return rows;
  }

  /** tokenRows() without its cache, for callers that cache what they derive from the rows. */
  computeTokenRows(subtoken: string): Int32Array {
    const v = this.vocabRow(subtoken);
    const grams = this.ngramRows(subtoken);
    return Int32Array.from(v >= 0 ? [v, ...grams] : grams);
  }

  /** Unique rows of a text with summed weights (summing equal rows leaves the pooled vector unchanged). */
  encode(text: string): Encoded {
    // Dense accumulator over all table rows plus the list of touched rows: far
    // faster than a Map for the thousands of rows a code chunk touches.
    if (!this.acc) this.acc = new Float64Array(this.rowCount);
    const acc = this.acc;
    const touched: number[] = [];
    for (const tok of this.subtokens(text)) {
      const rows = this.tokenRows(tok);
      if (rows.length === 0) continue;
      const w = 1 / rows.length;
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i];
        if (acc[r] === 0) touched.push(r);
        acc[r] += w;
      }
    }
    const rows = Int32Array.from(touched); // first-appearance order
    const weights = new Float32Array(touched.length);
    for (let k = 0; k < touched.length; k++) {
      weights[k] = acc[touched[k]];
      acc[touched[k]] = 0;
    }
    return { rows, weights };
  }
}
