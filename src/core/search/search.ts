// One query, start to finish: retrieve from both sides, fuse, collapse nested
// duplicates, calibrate, cut to an honest answer, and dress the hits.
import type { Embedder } from '../embed/embedder';
import { KeywordIndex, queryTerms } from '../keyword/keywordIndex';
import type { ChunkTable } from '../persist/chunkTable';
import type { StoredChunk } from '../persist/indexStore';
import { looksLikeIdentifier, splitWords } from '../text/identifiers';
import type { LanguageId, SearchHit, SearchResponse } from '../types';
import type { VectorStore } from '../vector/vectorStore';
import { answerSize, type CalibrationParams, DEFAULT_CALIBRATION, relevanceProbability } from './calibrate';
import { collapseOverlapping } from './collapse';
import { type Candidate, defaultWeights, fuse, type FusionMethod, type FusionWeights } from './fusion';
import { nameMatcher } from './nameMatch';
import { makeSnippet } from './snippet';

/** Longer queries are cut here: no one types more, and a pasted file should not stall the search. */
export const MAX_QUERY_CHARS = 2000;
const MAX_QUERY_TERMS = 64;
const CANDIDATES_PER_SIDE = 100;
const NAME_CANDIDATES = 20;
/** Hits whose evidence is weighed for the cut (beyond this they are not shown anyway). */
const CALIBRATE_TOP = 40;

export const DEFAULT_FUSION: FusionMethod = 'score';

export interface SearchOptions {
  /** Most results to return (default 10). */
  k?: number;
  /** Return the closest matches even when none is judged relevant. */
  showWeak?: boolean;
  languages?: LanguageId[];
  /** Only files under this '/'-separated prefix (relative to a root). */
  pathPrefix?: string;
  fusion?: FusionMethod;
  weights?: Partial<FusionWeights>;
  calibration?: CalibrationParams;
  /** Skip the calibrated cut: return the fused top-k (for evaluation). */
  fixedK?: boolean;
  /** Attach the evidence behind each hit (calibration work). */
  debugEvidence?: boolean;
}

export interface SearchContext {
  chunks: ChunkTable;
  keyword: KeywordIndex;
  vectors: VectorStore | null;
  embedder: Embedder | null;
  readText: (c: StoredChunk) => string;
  roots: string[];
  partial: boolean;
}

export class QueryError extends Error {
  constructor(message: string) { super(message); this.name = 'QueryError'; }
}

export async function runSearch(ctx: SearchContext, rawQuery: string, opts: SearchOptions = {}): Promise<SearchResponse> {
  const t0 = performance.now();
  const k = Math.max(1, Math.min(opts.k ?? 10, 200));
  const query = rawQuery.trim().slice(0, MAX_QUERY_CHARS);
  if (!query) throw new QueryError('empty query: type what the code does, or a name');
  const semantic = ctx.vectors !== null && ctx.embedder !== null;
  const mode = semantic ? 'hybrid' : 'keyword';
  const modeReason = semantic ? undefined : ctx.embedder ? 'embeddings not ready yet' : 'no embedding model installed';

  const allow = makeFilter(ctx.chunks, opts);
  const terms = queryTerms(query).slice(0, MAX_QUERY_TERMS);
  const cands = new Map<number, Candidate>();
  const get = (key: number): Candidate => {
    let c = cands.get(key);
    if (!c) { c = { key, nameMatch: 0 }; cands.set(key, c); }
    return c;
  };

  let rank = 0;
  for (const h of ctx.keyword.search(terms, CANDIDATES_PER_SIDE * 4)) {
    if (allow && !allow(h.key)) continue;
    const c = get(h.key);
    c.keyword = h.score;
    c.keywordRank = ++rank;
    if (rank >= CANDIDATES_PER_SIDE) break;
  }
  for (const key of ctx.keyword.searchNames(query, NAME_CANDIDATES)) if (!allow || allow(key)) get(key);

  let queryVec: Float32Array | null = null;
  if (semantic) {
    queryVec = (await ctx.embedder!.embed([query])).subarray(0, ctx.embedder!.dim);
    rank = 0;
    for (const h of ctx.vectors!.search(queryVec, CANDIDATES_PER_SIDE, allow ?? undefined)) {
      const c = get(h.key);
      c.semantic = h.score;
      c.semanticRank = ++rank;
    }
    // keyword-only candidates still get their cosine, so fusion compares like with like
    const missing = [...cands.values()].filter((c) => c.semantic === undefined);
    if (missing.length) {
      const scores = ctx.vectors!.scoreKeys(queryVec, missing.map((c) => c.key));
      missing.forEach((c, i) => { if (!Number.isNaN(scores[i])) c.semantic = scores[i]; });
    }
  }
  const nameMatch = nameMatcher(query);
  for (const c of cands.values()) c.nameMatch = nameMatch(ctx.chunks.name(c.key));

  const weights = { ...defaultWeights(looksLikeIdentifier(query), semantic), ...opts.weights };
  const fused = fuse([...cands.values()], opts.fusion ?? DEFAULT_FUSION, weights);
  const ranked = collapseOverlapping(
    fused.filter((f) => ctx.chunks.has(f.key)),
    (f) => { const c = ctx.chunks.get(f.key)!; return { root: String(c.root), file: c.file, startLine: c.startLine, endLine: c.endLine }; },
    Math.max(k, CALIBRATE_TOP),
  );

  const probs = ranked.map((f) => {
    const c = cands.get(f.key)!;
    return relevanceProbability({ cosine: semantic ? c.semantic ?? 0 : undefined, coverage: ctx.keyword.coverage(terms, f.key), nameMatch: c.nameMatch }, opts.calibration ?? DEFAULT_CALIBRATION);
  });
  let size: number;
  let noRelevant: boolean;
  if (opts.fixedK) {
    size = Math.min(k, ranked.length);
    noRelevant = answerSize(probs, k, opts.calibration).noRelevant;
  } else {
    const cut = answerSize(probs, k, opts.calibration);
    noRelevant = cut.noRelevant;
    size = noRelevant ? (opts.showWeak ? Math.min(k, ranked.length) : 0) : cut.size;
  }

  // shown scores follow the shown order: a hit never looks more relevant than one ranked above it
  for (let i = 1; i < probs.length; i++) probs[i] = Math.min(probs[i], probs[i - 1]);
  const words = [...new Set(splitWords(query).flatMap((w) => [w.raw, ...w.parts]).filter((w) => w.length > 1))];
  const hits: SearchHit[] = ranked.slice(0, size).map((f, i) => {
    const c = ctx.chunks.get(f.key)!;
    const text = ctx.readText(c);
    const snippet = makeSnippet(text, c, words);
    return {
      file: c.file,
      root: ctx.roots[c.root] ?? '',
      startLine: c.startLine,
      endLine: c.endLine,
      declLine: c.declLine,
      name: c.name,
      kind: c.kind,
      language: c.language,
      signature: c.signature,
      score: Math.round(probs[i] * 1000) / 1000,
      matchedTerms: snippet.matched,
      snippet: snippet.text,
    };
  });
  const res: SearchResponse = { mode, modeReason, noRelevant, hits, partial: ctx.partial, tookMs: performance.now() - t0 };
  if (opts.debugEvidence) {
    (res as SearchResponse & { evidence: unknown }).evidence = ranked.slice(0, 10).map((f, i) => {
      const c = cands.get(f.key)!;
      return { key: f.key, fused: f.fused, cos: c.semantic, kw: c.keyword, cov: ctx.keyword.coverage(terms, f.key), name: c.nameMatch, p: probs[i] };
    });
  }
  return res;
}

function makeFilter(chunks: ChunkTable, opts: SearchOptions): ((key: number) => boolean) | null {
  const langs = opts.languages?.length ? new Set(opts.languages) : null;
  const prefix = opts.pathPrefix ? opts.pathPrefix.replace(/^\.?\/+/, '') : '';
  if (!langs && !prefix) return null;
  return (key) => {
    const language = chunks.language(key);
    if (language === undefined) return false;
    if (langs && !langs.has(language)) return false;
    const file = chunks.file(key);
    if (prefix && !(file === prefix || file.startsWith(prefix.endsWith('/') ? prefix : prefix + '/'))) return false;
    return true;
  };
}
