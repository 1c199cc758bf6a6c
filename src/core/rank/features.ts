// What the ranker sees of one candidate: a fixed-width row of numbers built from
// the query, the candidate's scores on each side and the chunk's own facts. Pure:
// the training pipeline (training/rank) calls the same function on the engine's
// real candidate lists, so the features cannot drift between fit and use.
import type { Chunk, ChunkKind, LanguageId } from '../types';
import { queryShape, type QueryShape } from './queryShape';
import { pathSignals } from './pathSignals';

/** Scores one candidate got from the retrieval sides (see search/candidates.ts). */
export interface CandidateScores {
  /** Cosine to the query; undefined in keyword mode. */
  cosine?: number;
  /** 1-based rank in the vector side's top list, when retrieved there. */
  semanticRank?: number;
  /** BM25, when the keyword side retrieved it. */
  keyword?: number;
  keywordRank?: number;
  /** Name evidence, each 0..1 (search/nameMatch.ts nameEvidence). */
  name: { exact: number; words: number; prefix: number; fuzzy: number };
  /** Idf-weighted share of the query's terms found in the chunk. */
  coverage: number;
}

/** The chunk facts the ranker reads (a StoredChunk has them all). */
export type CandidateChunk = Pick<Chunk, 'file' | 'startLine' | 'endLine' | 'declLine' | 'kind' | 'name' | 'language' | 'part'> & { root: number };

export const FEATURES = [
  'cos', 'z_cos', 'sem_rank', 'sem_hit',
  'bm25', 'z_bm25', 'kw_rank', 'kw_hit', 'bm25_rel',
  'name_exact', 'name_words', 'name_prefix', 'name_fuzzy',
  'coverage',
  'q_identifier', 'q_prose', 'q_question', 'q_symptom', 'q_words',
  'k_definition', 'k_class', 'k_block', 'k_file', 'k_section', 'k_window',
  'has_doc', 'not_code',
  'p_test', 'p_docs', 'p_example', 'p_generated', 'p_vendored',
  'test_unasked', 'test_asked', 'docs_unasked',
  'lines', 'later_part', 'file_support',
  'semantic_mode',
] as const;
export type FeatureName = typeof FEATURES[number];
export const FEATURE_COUNT = FEATURES.length;
const F = Object.fromEntries(FEATURES.map((f, i) => [f, i])) as Record<FeatureName, number>;

const DEFINITION: ReadonlySet<ChunkKind> = new Set(['function', 'method', 'constant']);
/** Kinds that hold members: a query naming one wants it, not its first member (search.ts). */
export const CLASS_LIKE: ReadonlySet<ChunkKind> = new Set(['class', 'struct', 'interface', 'enum', 'trait', 'impl', 'type', 'module']);
const NOT_CODE: ReadonlySet<LanguageId> = new Set(['markdown', 'text', 'config']);

function meanStd(values: number[]): { mean: number; std: number } {
  if (values.length === 0) return { mean: 0, std: 1 };
  let s = 0;
  for (const v of values) s += v;
  const mean = s / values.length;
  let q = 0;
  for (const v of values) q += (v - mean) * (v - mean);
  return { mean, std: Math.max(Math.sqrt(q / values.length), 0.01) };
}

/** 1 at rank 1, falling like a DCG discount; 0 when not retrieved. */
const rankFeature = (rank: number | undefined): number => (rank === undefined ? 0 : 1 / Math.log2(1 + rank));

/**
 * Feature rows for one query's candidates, row-major (candidates × FEATURE_COUNT).
 * Per-query statistics (z-scores, the best BM25, same-file support) are taken
 * over this candidate list, so the list must be the engine's full candidate set.
 */
export function featurize(query: string, scores: CandidateScores[], chunks: CandidateChunk[], semanticMode: boolean): Float32Array {
  const n = scores.length;
  const out = new Float32Array(n * FEATURE_COUNT);
  const shape: QueryShape = queryShape(query);
  const sem = meanStd(scores.filter((s) => s.semanticRank !== undefined).map((s) => s.cosine!));
  const kwList = scores.filter((s) => s.keywordRank !== undefined).map((s) => s.keyword!);
  const kw = meanStd(kwList);
  const kwMax = kwList.length ? Math.max(...kwList) : 1;
  const kwFloor = kwList.length ? (Math.min(...kwList) - kw.mean) / kw.std : 0;

  // support: how many other strong candidates (top 20 on either side) share the file
  const strongPerFile = new Map<string, number>();
  const fileKey = (c: CandidateChunk) => `${c.root}\u0000${c.file}`;
  const strong = (s: CandidateScores) => (s.semanticRank ?? 1e9) <= 20 || (s.keywordRank ?? 1e9) <= 20;
  scores.forEach((s, i) => { if (strong(s)) strongPerFile.set(fileKey(chunks[i]), (strongPerFile.get(fileKey(chunks[i])) ?? 0) + 1); });

  for (let i = 0; i < n; i++) {
    const s = scores[i];
    const c = chunks[i];
    const row = out.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT);
    if (s.cosine !== undefined) {
      row[F.cos] = s.cosine;
      row[F.z_cos] = (s.cosine - sem.mean) / sem.std;
    }
    row[F.sem_rank] = rankFeature(s.semanticRank);
    row[F.sem_hit] = s.semanticRank !== undefined ? 1 : 0;
    row[F.bm25] = s.keyword !== undefined ? Math.log1p(s.keyword) : 0;
    row[F.z_bm25] = s.keyword !== undefined ? (s.keyword - kw.mean) / kw.std : kwFloor;
    row[F.kw_rank] = rankFeature(s.keywordRank);
    row[F.kw_hit] = s.keywordRank !== undefined ? 1 : 0;
    row[F.bm25_rel] = s.keyword !== undefined && kwMax > 0 ? s.keyword / kwMax : 0;
    row[F.name_exact] = s.name.exact;
    row[F.name_words] = s.name.words;
    row[F.name_prefix] = s.name.prefix;
    row[F.name_fuzzy] = s.name.fuzzy;
    row[F.coverage] = s.coverage;
    row[F.q_identifier] = shape.kind === 'identifier' ? 1 : 0;
    row[F.q_prose] = shape.kind === 'prose' ? 1 : 0;
    row[F.q_question] = shape.kind === 'question' ? 1 : 0;
    row[F.q_symptom] = shape.kind === 'symptom' ? 1 : 0;
    row[F.q_words] = Math.log1p(shape.words);
    row[F.k_definition] = DEFINITION.has(c.kind) ? 1 : 0;
    row[F.k_class] = CLASS_LIKE.has(c.kind) ? 1 : 0;
    row[F.k_block] = c.kind === 'block' ? 1 : 0;
    row[F.k_file] = c.kind === 'file' ? 1 : 0;
    row[F.k_section] = c.kind === 'section' ? 1 : 0;
    row[F.k_window] = c.kind === 'window' ? 1 : 0;
    // lines above the declaration inside the unit: a doc comment (or decorators)
    row[F.has_doc] = c.declLine > c.startLine ? 1 : 0;
    row[F.not_code] = NOT_CODE.has(c.language) ? 1 : 0;
    const p = pathSignals(c.file, c.name);
    row[F.p_test] = p.test ? 1 : 0;
    row[F.p_docs] = p.docs ? 1 : 0;
    row[F.p_example] = p.example ? 1 : 0;
    row[F.p_generated] = p.generated ? 1 : 0;
    row[F.p_vendored] = p.vendored ? 1 : 0;
    row[F.test_unasked] = p.test && !shape.asksTests ? 1 : 0;
    row[F.test_asked] = p.test && shape.asksTests ? 1 : 0;
    row[F.docs_unasked] = (p.docs || p.example || NOT_CODE.has(c.language)) && !shape.asksDocs ? 1 : 0;
    row[F.lines] = Math.log1p(c.endLine - c.startLine + 1);
    row[F.later_part] = c.part && c.part.index > 1 ? 1 : 0;
    row[F.file_support] = Math.log1p(Math.max(0, (strongPerFile.get(fileKey(c)) ?? 0) - (strong(s) ? 1 : 0)));
    row[F.semantic_mode] = semanticMode ? 1 : 0;
  }
  return out;
}
