// One query, start to finish: retrieve candidates from both sides, rank them
// with the learned ranker, fold overlapping and split units into one result,
// calibrate each hit's probability of being right, cut to the hits at or above
// the threshold ("nothing relevant" when none is), and dress the hits.
import type { Embedder } from '../embed/embedder';
import { queryTerms } from '../keyword/terms';
import type { KeywordSource } from '../keyword/keywordSource';
import type { ChunkTable } from '../persist/chunkTable';
import type { StoredChunk } from '../persist/indexStore';
import { isFiltering } from '../store/candidateFilter';
import type { ChunkLookup, SearchStore } from '../store/searchStore';
import { CLASS_LIKE, FEATURE_COUNT, FEATURES, featurize } from '../rank/features';
import { type RankModel, shippedRankModel } from '../rank/model';
import { rankScores } from '../rank/ranker';
import { answerSize, relevance, relevanceInputs } from '../rank/relevance';
import { splitWords } from '../text/identifiers';
import type { LanguageId, SearchHit, SearchResponse } from '../types';
import type { VectorStore } from '../vector/vectorStore';
import { gatherCandidates } from './candidates';
import { collapseOverlapping } from './collapse';
import { declarationColumnsIn } from './declaration';
import { makeSnippet, sourceView } from './snippet';
import { hitSpan, mergeRankedParts, type UnitSpan } from './units';

/** Longer queries are cut here: no one types more, and a pasted file should not stall the search. */
export const MAX_QUERY_CHARS = 2000;
const MAX_QUERY_TERMS = 64;
/** Ranked results kept after folding (beyond this they are not shown anyway). */
const KEEP_TOP = 40;
/** Ranked candidates folded per kept hit: enough for overlaps and split parts to fold. */
const FOLD_DEPTH = 3;

export interface SearchOptions {
  /** Most results to return (default 10). */
  k?: number;
  /** Return the closest matches even when none is judged relevant. */
  showWeak?: boolean;
  languages?: LanguageId[];
  /** Only files under this '/'-separated prefix (relative to a root). */
  pathPrefix?: string;
  /**
   * Only files whose path (relative to a root) matches: a glob when it holds
   * `*`, `?`, `[` or `{` (`src/*.ts`, `**\/receiver/**`), else a substring
   * (`receiver`, `pkg/receiver/`); case-insensitive. See compilePathFilter.
   */
  pathFilter?: string;
  /** Probability a hit needs to be part of the answer (default: the model's). */
  threshold?: number;
  /** Skip the calibrated cut: return the ranked top-k (for evaluation). */
  fixedK?: boolean;
  /** Another ranking model (training and evaluation). */
  rankModel?: RankModel;
}

/** What a search reads: an index behind the storage seam, and the model that embeds the query. */
export interface SearchSource {
  store: SearchStore;
  embedder: Embedder | null;
  /** The roots chunks' root numbers stand for (as hits show them). */
  roots: string[];
  partial: boolean;
  /** Why there is no embedding model, in the user's words (default "no embedding model installed"). */
  noModelReason?: string;
}

/** The local index's search source, with its parts in reach (learning and training read them directly). */
export interface SearchContext extends SearchSource {
  chunks: ChunkTable;
  keyword: KeywordSource;
  vectors: VectorStore | null;
  /** The chunk's lines in its source file (startLine..endLine), or null when the file changed since it was indexed. */
  readText: (c: StoredChunk) => string | null;
}

export class QueryError extends Error {
  constructor(message: string) { super(message); this.name = 'QueryError'; }
}

/** One query's candidates with their feature rows, as the ranker sees them (also what training reads). */
export interface FeaturizedCandidates {
  keys: number[];
  chunks: StoredChunk[];
  /** Row-major feature rows, keys.length × FEATURE_COUNT. */
  features: Float32Array;
  semantic: boolean;
  /** The candidates' records, and their split units' other parts (for rankFeaturized). */
  lookup: ChunkLookup;
}

function normalizeQuery(rawQuery: string): string {
  const query = rawQuery.trim().slice(0, MAX_QUERY_CHARS);
  if (!query) throw new QueryError('empty query: type what the code does, or a name');
  return query;
}

export async function featurizeQuery(src: SearchSource, query: string, opts: Pick<SearchOptions, 'languages' | 'pathPrefix' | 'pathFilter'> = {}): Promise<FeaturizedCandidates> {
  const terms = queryTerms(query).slice(0, MAX_QUERY_TERMS);
  const filter = isFiltering(opts) ? { languages: opts.languages, pathPrefix: opts.pathPrefix, pathFilter: opts.pathFilter } : null;
  const cands = await gatherCandidates(src, query, terms, filter);
  const chunks = cands.keys.map((k) => cands.lookup.get(k)!);
  const features = featurize(query, cands.scores, chunks, cands.semantic);
  return { keys: cands.keys, chunks, features, semantic: cands.semantic, lookup: cands.lookup };
}

/** A ranked, folded hit; row is its candidate's index in the feature rows. */
export interface RankedHit { row: number; chunk: StoredChunk; score: number; unit: UnitSpan | null }

const NAME_EXACT = FEATURES.indexOf('name_exact');

/**
 * Candidates in ranked order, folded: the parts of a split unit become one hit
 * at the unit's signature, and an overlapping later hit is dropped or takes the
 * place of a container it is nested in, unless the query names that container.
 */
export function rankFeaturized(chunks: ChunkLookup, fc: FeaturizedCandidates, model: RankModel, limit: number): RankedHit[] {
  const scores = rankScores(model.ranker, fc.features, fc.keys.length);
  const order = fc.keys.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || fc.keys[a] - fc.keys[b]);
  // folding only ever looks this far down: the kept hits come from the top of the ranking
  const top = order.slice(0, limit * FOLD_DEPTH);
  const merged = mergeRankedParts(chunks, top.map((i) => ({ key: fc.keys[i], row: i, chunk: fc.chunks[i], score: scores[i] })));
  const folded = collapseOverlapping(
    merged,
    (m) => { const s = hitSpan(m.item.chunk, m.unit); return { root: String(m.item.chunk.root), file: m.item.chunk.file, startLine: s.startLine, endLine: s.endLine }; },
    limit,
    { keepContainer: (m) => CLASS_LIKE.has(m.item.chunk.kind) && fc.features[m.item.row * FEATURE_COUNT + NAME_EXACT] >= 1 },
  );
  return folded.map((m) => ({ row: m.item.row, chunk: m.item.chunk, score: m.item.score, unit: m.unit }));
}

export async function runSearch(ctx: SearchSource, rawQuery: string, opts: SearchOptions = {}): Promise<SearchResponse> {
  const t0 = performance.now();
  const k = Math.max(1, Math.min(opts.k ?? 10, 200));
  const query = normalizeQuery(rawQuery);
  const model = opts.rankModel ?? shippedRankModel();
  const fc = await featurizeQuery(ctx, query, opts);
  const mode = fc.semantic ? 'hybrid' : 'keyword';
  const modeReason = fc.semantic ? undefined : ctx.embedder ? 'embeddings not ready yet' : ctx.noModelReason ?? 'no embedding model installed';

  const ranked = rankFeaturized(fc.lookup, fc, model, Math.max(k, KEEP_TOP));
  const probs = relevance(model.relevance[mode], relevanceInputs(ranked.map((r) => r.score), fc.features, ranked.map((r) => r.row)));
  const cut = answerSize(probs, k, opts.threshold ?? model.threshold);
  const size = opts.fixedK || (cut.noRelevant && opts.showWeak) ? Math.min(k, ranked.length) : cut.size;

  const words = [...new Set(splitWords(query).flatMap((w) => [w.raw, ...w.parts]).filter((w) => w.length > 1))];
  const shown = ranked.slice(0, size);
  const sources = await Promise.all(shown.map(({ chunk }) => ctx.store.sourceText(chunk)));
  const hits: SearchHit[] = shown.map(({ chunk: c, unit }, i) => {
    const source = sources[i];
    const snippet = source === null ? { text: '', matched: [] } : makeSnippet(sourceView(source, c), c, words);
    const span = hitSpan(c, unit);
    const declColumns = source === null ? undefined : declarationColumnsIn(source, c.startLine, span.declLine, c.name);
    return {
      ...(source === null ? { stale: true } : {}),
      file: c.file,
      root: ctx.roots[c.root] ?? '',
      startLine: span.startLine,
      endLine: span.endLine,
      declLine: span.declLine,
      ...(declColumns ? { declColumns } : {}),
      name: c.name,
      kind: c.kind,
      language: c.language,
      signature: c.signature,
      score: Math.round(probs[i] * 1000) / 1000,
      matchedTerms: snippet.matched,
      snippet: snippet.text,
    };
  });
  const res: SearchResponse = { mode, modeReason, noRelevant: cut.noRelevant, hits, partial: ctx.partial, tookMs: performance.now() - t0 };
  // nothing found under a path filter: say whether the filter let any file through at all
  if (hits.length === 0 && fc.keys.length === 0 && (opts.pathPrefix || opts.pathFilter)) {
    if (!await ctx.store.anyMatches({ pathPrefix: opts.pathPrefix, pathFilter: opts.pathFilter })) res.filterMatchedNothing = true;
  }
  return res;
}

export { compilePathFilter } from './pathGlob';
