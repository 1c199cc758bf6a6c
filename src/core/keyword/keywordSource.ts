// What the search path asks of the keyword side (search/candidates.ts), met
// by today's KeywordIndex and by the SegmentedKeywordIndex that replaces it.
import type { KeywordHit } from './bm25Index';

export interface KeywordSource {
  /** BM25 hits for distinct query terms (queryTerms()), best first. */
  search(terms: string[], limit: number): KeywordHit[];
  /** Idf-weighted share of the query's terms found in the chunk, 0..1. */
  coverage(terms: string[], key: number): number;
  /** Keys whose names match the query (prefix words, humps). */
  searchNames(query: string, limit: number): number[];
}
