// Retrieval: the candidates a query's answer is chosen from. The keyword side's
// BM25 top list, the name index's matches and the vector side's cosine top list,
// with every candidate's scores on every side (a keyword-only candidate still
// gets its cosine), so the ranker compares like with like. Read through the
// storage seam: local files and a team database give the same candidates.
import type { Embedder } from '../embed/embedder';
import type { CandidateScores } from '../rank/features';
import type { CandidateFilter, ChunkLookup, SearchStore } from '../store/searchStore';
import { nameEvidence } from './nameMatch';

const CANDIDATES_PER_SIDE = 100;
const NAME_CANDIDATES = 20;

export interface RetrievalSources {
  store: SearchStore;
  embedder: Embedder | null;
}

export interface Candidates {
  keys: number[];
  scores: CandidateScores[];
  /** The candidates' chunk records (and their split units' other parts). */
  lookup: ChunkLookup;
  semantic: boolean;
}

export async function gatherCandidates(src: RetrievalSources, query: string, terms: string[], filter: CandidateFilter | null): Promise<Candidates> {
  const { store, embedder } = src;
  const semantic = store.semantic && embedder !== null;
  const byKey = new Map<number, CandidateScores>();
  const get = (key: number): CandidateScores => {
    let c = byKey.get(key);
    if (!c) { c = { name: { exact: 0, words: 0, prefix: 0, fuzzy: 0 }, coverage: 0 }; byKey.set(key, c); }
    return c;
  };

  const queryVec = semantic ? embedder!.embed([query]).then((v) => v.subarray(0, embedder!.dim)) : null;
  const [keywordHits, nameKeys, vectorHits] = await Promise.all([
    store.keywordTop(terms, CANDIDATES_PER_SIDE, filter),
    store.nameTop(query, NAME_CANDIDATES, filter),
    queryVec ? queryVec.then((q) => store.vectorTop(q, CANDIDATES_PER_SIDE, filter)) : Promise.resolve([]),
  ]);
  let rank = 0;
  for (const h of keywordHits) {
    const c = get(h.key);
    c.keyword = h.score;
    c.keywordRank = ++rank;
  }
  for (const key of nameKeys) get(key);

  if (queryVec) {
    rank = 0;
    for (const h of vectorHits) {
      const c = get(h.key);
      c.cosine = h.score;
      c.semanticRank = ++rank;
    }
    const missing = [...byKey.entries()].filter(([, c]) => c.cosine === undefined);
    if (missing.length) {
      const cos = await store.vectorScores(await queryVec, missing.map(([k]) => k));
      missing.forEach(([, c], i) => { if (!Number.isNaN(cos[i])) c.cosine = cos[i]; });
    }
  }

  const [lookup, coverage] = await Promise.all([store.chunks([...byKey.keys()]), store.coverage(terms, [...byKey.keys()])]);
  const coverageOf = new Map([...byKey.keys()].map((k, i) => [k, coverage[i]]));
  const keys = [...byKey.keys()].filter((k) => lookup.get(k) !== undefined);
  const names = nameEvidence(query);
  const scores = keys.map((k) => {
    const c = byKey.get(k)!;
    c.name = names(lookup.name(k));
    c.coverage = coverageOf.get(k)!;
    return c;
  });
  return { keys, scores, lookup, semantic };
}
