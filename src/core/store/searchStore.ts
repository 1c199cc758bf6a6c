// The storage seam: what one query's ranking reads from an index, whatever
// holds it. Two stores meet it: the local index files (localStore.ts) and a
// team index in PostgreSQL (postgres/). The ranking (search/) is one piece
// over either: both hand it the same candidates, scored the same way.
import type { KeywordHit } from '../keyword/bm25Index';
import type { StoredChunk } from '../persist/indexStore';
import type { LanguageId } from '../types';
import type { VectorHit } from '../vector/vectorStore';

/** Which chunks a search may answer with (see compilePathFilter for pathFilter). */
export interface CandidateFilter {
  languages?: LanguageId[];
  /** Only files under this '/'-separated prefix (relative to a root). */
  pathPrefix?: string;
  /** A glob or a substring of the path (relative to a root). */
  pathFilter?: string;
}

/** The chunk records a ranking reads: its candidates, and the other parts of any split unit among them. */
export interface ChunkLookup {
  get(key: number): StoredChunk | undefined;
  /** The part count of a split chunk; 1 for a whole one (and for an unknown key). */
  partCount(key: number): number;
  name(key: number): string;
  /** Keys of a file's chunks (at least every part of each split unit asked about), in key order. */
  keysOfFile(root: number, file: string): number[];
}

export interface SearchStore {
  /** True when the store has vectors to search (every chunk embedded, or enough of them). */
  readonly semantic: boolean;
  /** BM25 hits for distinct query terms (queryTerms()): the best `limit` that pass the filter among the best 4 × limit, best first. */
  keywordTop(terms: string[], limit: number, filter: CandidateFilter | null): Promise<KeywordHit[]>;
  /** Keys whose names match the query (rankNames()), the `limit` best, those failing the filter left out. */
  nameTop(query: string, limit: number, filter: CandidateFilter | null): Promise<number[]>;
  /** The `limit` chunks nearest to the query vector that pass the filter, best first. */
  vectorTop(query: Float32Array, limit: number, filter: CandidateFilter | null): Promise<VectorHit[]>;
  /** Cosine of each key's vector with the query (NaN where a key has none). */
  vectorScores(query: Float32Array, keys: number[]): Promise<Float32Array>;
  /** Per key: the idf-weighted share of the query's terms found in the chunk, 0..1. */
  coverage(terms: string[], keys: number[]): Promise<number[]>;
  /** These keys' records (a key no longer indexed is absent) and the other parts of their split units. */
  chunks(keys: number[]): Promise<ChunkLookup>;
  /** The chunk's lines (startLine..endLine), or null when they are not as indexed (the file changed). */
  sourceText(c: StoredChunk): Promise<string | null>;
  /** True when some indexed chunk passes the filter (to say "the filter matched nothing"). */
  anyMatches(filter: CandidateFilter): Promise<boolean>;
}

/** A ChunkLookup over the records a query fetched (a store that does not hold its table in memory). */
export class FetchedChunks implements ChunkLookup {
  private readonly byKey = new Map<number, StoredChunk>();
  private readonly byFile = new Map<string, number[]>();

  constructor(records: Iterable<StoredChunk>) {
    for (const c of records) this.byKey.set(c.key, c);
    for (const key of [...this.byKey.keys()].sort((a, b) => a - b)) {
      const c = this.byKey.get(key)!;
      const id = `${c.root}\u0000${c.file}`;
      let list = this.byFile.get(id);
      if (!list) this.byFile.set(id, (list = []));
      list.push(key);
    }
  }

  get(key: number): StoredChunk | undefined { return this.byKey.get(key); }
  partCount(key: number): number { return this.byKey.get(key)?.part?.count ?? 1; }
  name(key: number): string { return this.byKey.get(key)?.name ?? ''; }
  keysOfFile(root: number, file: string): number[] { return this.byFile.get(`${root}\u0000${file}`) ?? []; }
}
