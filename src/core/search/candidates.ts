// Retrieval: the candidates a query's answer is chosen from. The keyword side's
// BM25 top list, the name index's matches and the vector side's cosine top list,
// with every candidate's scores on every side (a keyword-only candidate still
// gets its cosine), so the ranker compares like with like.
import type { Embedder } from '../embed/embedder';
import type { KeywordSource } from '../keyword/keywordSource';
import type { CandidateScores } from '../rank/features';
import type { ChunkTable } from '../persist/chunkTable';
import type { VectorStore } from '../vector/vectorStore';
import { nameEvidence } from './nameMatch';

const CANDIDATES_PER_SIDE = 100;
const NAME_CANDIDATES = 20;

export interface RetrievalSources {
  chunks: ChunkTable;
  keyword: KeywordSource;
  vectors: VectorStore | null;
  embedder: Embedder | null;
}

export interface Candidates {
  keys: number[];
  scores: CandidateScores[];
  semantic: boolean;
}

export async function gatherCandidates(src: RetrievalSources, query: string, terms: string[], allow: ((key: number) => boolean) | null): Promise<Candidates> {
  const semantic = src.vectors !== null && src.embedder !== null;
  const byKey = new Map<number, CandidateScores>();
  const get = (key: number): CandidateScores => {
    let c = byKey.get(key);
    if (!c) { c = { name: { exact: 0, words: 0, prefix: 0, fuzzy: 0 }, coverage: 0 }; byKey.set(key, c); }
    return c;
  };

  let rank = 0;
  for (const h of src.keyword.search(terms, CANDIDATES_PER_SIDE * 4)) {
    if (allow && !allow(h.key)) continue;
    const c = get(h.key);
    c.keyword = h.score;
    c.keywordRank = ++rank;
    if (rank >= CANDIDATES_PER_SIDE) break;
  }
  for (const key of src.keyword.searchNames(query, NAME_CANDIDATES)) if (!allow || allow(key)) get(key);

  if (semantic) {
    const queryVec = (await src.embedder!.embed([query])).subarray(0, src.embedder!.dim);
    rank = 0;
    for (const h of src.vectors!.search(queryVec, CANDIDATES_PER_SIDE, allow ?? undefined)) {
      const c = get(h.key);
      c.cosine = h.score;
      c.semanticRank = ++rank;
    }
    const missing = [...byKey.entries()].filter(([, c]) => c.cosine === undefined);
    if (missing.length) {
      const cos = src.vectors!.scoreKeys(queryVec, missing.map(([k]) => k));
      missing.forEach(([, c], i) => { if (!Number.isNaN(cos[i])) c.cosine = cos[i]; });
    }
  }

  const keys = [...byKey.keys()].filter((k) => src.chunks.has(k));
  const names = nameEvidence(query);
  const scores = keys.map((k) => {
    const c = byKey.get(k)!;
    c.name = names(src.chunks.name(k));
    c.coverage = src.keyword.coverage(terms, k);
    return c;
  });
  return { keys, scores, semantic };
}
