// The local index as a SearchStore: the chunk table, the keyword segments and
// the int8 vector store in this process's memory (and its files), and the
// source files for the lines.
import type { KeywordSource } from '../keyword/keywordSource';
import type { ChunkTable } from '../persist/chunkTable';
import type { StoredChunk } from '../persist/indexStore';
import type { VectorHit, VectorStore } from '../vector/vectorStore';
import type { KeywordHit } from '../keyword/bm25Index';
import { compileCandidateFilter } from './candidateFilter';
import type { CandidateFilter, ChunkLookup, SearchStore } from './searchStore';

export interface LocalParts {
  chunks: ChunkTable;
  keyword: KeywordSource;
  /** Null: no vectors to search (no model, or embedding not done yet). */
  vectors: VectorStore | null;
  readText: (c: StoredChunk) => string | null;
}

export class LocalStore implements SearchStore {
  constructor(private readonly parts: LocalParts) {}

  get semantic(): boolean { return this.parts.vectors !== null; }

  private keyTest(filter: CandidateFilter | null): ((key: number) => boolean) | null {
    const test = compileCandidateFilter(filter);
    if (!test) return null;
    const chunks = this.parts.chunks;
    return (key) => {
      const language = chunks.language(key);
      return language !== undefined && test(language, chunks.file(key));
    };
  }

  async keywordTop(terms: string[], limit: number, filter: CandidateFilter | null): Promise<KeywordHit[]> {
    const allow = this.keyTest(filter);
    const hits = this.parts.keyword.search(terms, limit * 4);
    return (allow ? hits.filter((h) => allow(h.key)) : hits).slice(0, limit);
  }

  async nameTop(query: string, limit: number, filter: CandidateFilter | null): Promise<number[]> {
    const allow = this.keyTest(filter);
    const keys = this.parts.keyword.searchNames(query, limit);
    return allow ? keys.filter(allow) : keys;
  }

  async vectorTop(query: Float32Array, limit: number, filter: CandidateFilter | null): Promise<VectorHit[]> {
    return this.parts.vectors?.search(query, limit, this.keyTest(filter) ?? undefined) ?? [];
  }

  async vectorScores(query: Float32Array, keys: number[]): Promise<Float32Array> {
    return this.parts.vectors?.scoreKeys(query, keys) ?? new Float32Array(keys.length).fill(NaN);
  }

  async coverage(terms: string[], keys: number[]): Promise<number[]> {
    return keys.map((k) => this.parts.keyword.coverage(terms, k));
  }

  async chunks(): Promise<ChunkLookup> { return this.parts.chunks; }

  async sourceText(c: StoredChunk): Promise<string | null> { return this.parts.readText(c); }

  async anyMatches(filter: CandidateFilter): Promise<boolean> {
    const allow = this.keyTest(filter);
    return !allow || this.parts.chunks.keys().some(allow);
  }
}
