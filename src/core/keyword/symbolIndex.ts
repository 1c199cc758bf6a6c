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

export class SymbolIndex {
  private index = newIndex();
  private count = 0;

  get size(): number { return this.count; }

  add(key: number, name: string): void {
    const words = symbolWords(name);
    if (words.length === 0) return;
    this.index.add(key, words.join(' '));
    this.count++;
  }

  /** Keys whose name words start with the query's words, best first (flexsearch's order). */
  search(query: string, limit: number): number[] {
    const words = symbolWords(query);
    if (words.length === 0) return [];
    return this.index.search(words.join(' '), { limit, suggest: true }) as number[];
  }

  /** Rebuild from scratch (used when removed keys pile up; flexsearch removal is slow without fastupdate). */
  rebuild(entries: Iterable<[number, string]>): void {
    this.index = newIndex();
    this.count = 0;
    for (const [key, name] of entries) this.add(key, name);
  }
}
