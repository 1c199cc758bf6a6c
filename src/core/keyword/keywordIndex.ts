// The keyword side of hybrid search: BM25 over names, signatures, paths and
// bodies, plus a prefix index of names. Keys are chunk ids.
import type { Chunk } from '../types';
import { Bm25Index, type KeywordHit } from './bm25Index';
import { SymbolIndex } from './symbolIndex';
import { textTerms } from './terms';
export { queryTerms } from './terms';

// A word in a chunk's name says more about it than one in its body.
const NAME_WEIGHT = 3;
const SIGNATURE_WEIGHT = 1;

export type { KeywordHit };

/** Weighted term frequencies of a chunk. */
export function chunkTermFreqs(chunk: Pick<Chunk, 'name' | 'signature' | 'text'>): Map<string, number> {
  const tf = new Map<string, number>();
  const addAll = (terms: string[], w: number) => { for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + w); };
  addAll(textTerms(chunk.text), 1);
  if (chunk.name) addAll(textTerms(chunk.name), NAME_WEIGHT);
  if (chunk.signature) addAll(textTerms(chunk.signature), SIGNATURE_WEIGHT);
  return tf;
}

export class KeywordIndex {
  constructor(
    readonly bm25: Bm25Index = new Bm25Index(),
    private readonly symbols: SymbolIndex = new SymbolIndex(),
    private readonly names = new Map<number, string>(),
  ) {}

  get size(): number { return this.bm25.size; }

  add(key: number, chunk: Pick<Chunk, 'name' | 'signature' | 'text'>): void {
    this.bm25.add(key, chunkTermFreqs(chunk));
    if (chunk.name) { this.symbols.add(key, chunk.name); this.names.set(key, chunk.name); }
  }

  remove(key: number): void {
    this.bm25.remove(key);
    this.names.delete(key);
  }

  /** Compact tombstones; rebuilds the name index when it holds many removed keys. */
  compact(): void {
    const stale = this.symbols.size - this.names.size;
    this.bm25.compact();
    if (stale > 0) this.symbols.rebuild(this.names);
  }

  /** BM25 hits for the query's terms (queryTerms()). */
  search(terms: string[], limit: number): KeywordHit[] {
    return this.bm25.search(terms, limit);
  }

  /** Idf-weighted share of the query's terms found in the chunk, 0..1. */
  coverage(terms: string[], key: number): number {
    return this.bm25.coverage(terms, key);
  }

  /** Keys whose names match the query's words by prefix (live keys only). */
  searchNames(query: string, limit: number): number[] {
    return this.symbols.search(query, limit * 2).filter((k) => this.names.has(k)).slice(0, limit);
  }

  serialize(): Uint8Array { this.compact(); return this.bm25.serialize(); }

  /** Restore from the BM25 file plus the chunk names (the name index is rebuilt: flexsearch import is not faster). */
  static deserialize(buf: Uint8Array, names: Iterable<[number, string]>): KeywordIndex {
    const bm25 = Bm25Index.deserialize(buf);
    const nameMap = new Map<number, string>();
    for (const [k, n] of names) if (n && bm25.has(k)) nameMap.set(k, n);
    const symbols = new SymbolIndex();
    symbols.rebuild(nameMap);
    return new KeywordIndex(bm25, symbols, nameMap);
  }
}
