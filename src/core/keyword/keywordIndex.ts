// The keyword side of hybrid search: BM25 over names, signatures, paths and
// bodies, plus a prefix index of names. Keys are chunk ids.
import type { Chunk } from '../types';
import { chunkTermFreqs } from './chunkTerms';
import { Bm25Index, type KeywordHit } from './bm25Index';
import { SymbolIndex } from './symbolIndex';
import type { KeywordSource } from './keywordSource';
export { queryTerms } from './terms';

export type { KeywordHit };
export { chunkTermFreqs };

export class KeywordIndex implements KeywordSource {
  // The name index is built on first use, not on load: at 100K chunks it takes
  // ~0.5–1 s (flexsearch adds ~30 µs per distinct word), which a re-index of an
  // unchanged workspace or a keyword-only batch job never needs.
  private symbols: SymbolIndex | null = null;

  constructor(
    readonly bm25: Bm25Index = new Bm25Index(),
    private readonly names = new Map<number, string>(),
  ) {}

  get size(): number { return this.bm25.size; }

  add(key: number, chunk: Pick<Chunk, 'name' | 'signature' | 'text'>): void {
    this.bm25.add(key, chunkTermFreqs(chunk));
    if (chunk.name) { this.symbols?.add(key, chunk.name); this.names.set(key, chunk.name); }
  }

  remove(key: number): void {
    this.bm25.remove(key);
    this.names.delete(key);
  }

  /** Compact tombstones; drops the name index when it holds removed keys (rebuilt on next use). */
  compact(): void {
    this.bm25.compact();
    if (this.symbols && this.symbols.size > this.names.size) this.symbols = null;
  }

  /** New keys for the chunks (see Bm25Index.renumber); the name index is rebuilt on next use. */
  renumber(remap: Int32Array, count: number): void {
    this.bm25.renumber(remap, count);
    const names = [...this.names];
    this.names.clear();
    for (const [k, n] of names) this.names.set(remap[k], n);
    this.symbols = null;
  }

  /** Build the name index now (idle time), so the first name search does not pay for it. */
  prepareNames(): void {
    if (!this.symbols) {
      const s = new SymbolIndex();
      s.rebuild(this.names);
      this.symbols = s;
    }
  }

  /** BM25 hits for the query's terms (queryTerms()). */
  search(terms: string[], limit: number): KeywordHit[] {
    return this.bm25.search(terms, limit);
  }

  /** Idf-weighted share of the query's terms found in the chunk, 0..1. */
  coverage(terms: string[], key: number): number {
    return this.bm25.coverage(terms, key);
  }

  /** Keys whose names match the query's words by prefix, or a one-identifier query by humps (live keys only; see SymbolIndex.search). */
  searchNames(query: string, limit: number): number[] {
    this.prepareNames();
    return this.symbols!.search(query, limit * 2).filter((k) => this.names.has(k)).slice(0, limit);
  }

  serialize(): Uint8Array { this.compact(); return this.bm25.serialize(); }

  /** serialize() as pieces viewing the index (see Bm25Index.serializePieces). */
  serializePieces(): Uint8Array[] { this.compact(); return this.bm25.serializePieces(); }

  /** Restore from the BM25 file plus the chunk names (the name index is rebuilt on first use: flexsearch import is not faster). */
  static deserialize(buf: Uint8Array, names: Iterable<[number, string]>): KeywordIndex {
    const bm25 = Bm25Index.deserialize(buf);
    const nameMap = new Map<number, string>();
    for (const [k, n] of names) if (n && bm25.has(k)) nameMap.set(k, n);
    return new KeywordIndex(bm25, nameMap);
  }
}
