// One query, start to finish: retrieve candidates from both sides, rank them
// with the learned ranker, fold overlapping and split units into one result,
// calibrate each hit's probability of being right, cut to the hits at or above
// the threshold ("nothing relevant" when none is), and dress the hits.
import type { Embedder } from '../embed/embedder';
import { queryTerms } from '../keyword/terms';
import type { KeywordSource } from '../keyword/keywordSource';
import type { ChunkTable } from '../persist/chunkTable';
import type { StoredChunk } from '../persist/indexStore';
import { CLASS_LIKE, FEATURE_COUNT, FEATURES, featurize } from '../rank/features';
import { type RankModel, shippedRankModel } from '../rank/model';
import { rankScores } from '../rank/ranker';
import { answerSize, relevance, relevanceInputs } from '../rank/relevance';
import { splitWords } from '../text/identifiers';
import type { LanguageId, SearchHit, SearchResponse } from '../types';
import type { VectorStore } from '../vector/vectorStore';
import { gatherCandidates } from './candidates';
import { collapseOverlapping } from './collapse';
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

export interface SearchContext {
  chunks: ChunkTable;
  keyword: KeywordSource;
  vectors: VectorStore | null;
  embedder: Embedder | null;
  /** The chunk's lines in its source file (startLine..endLine), or null when the file changed since it was indexed. */
  readText: (c: StoredChunk) => string | null;
  roots: string[];
  partial: boolean;
  /** Why there is no embedding model, in the user's words (default "no embedding model installed"). */
  noModelReason?: string;
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
}

function normalizeQuery(rawQuery: string): string {
  const query = rawQuery.trim().slice(0, MAX_QUERY_CHARS);
  if (!query) throw new QueryError('empty query: type what the code does, or a name');
  return query;
}

export async function featurizeQuery(ctx: SearchContext, query: string, opts: Pick<SearchOptions, 'languages' | 'pathPrefix' | 'pathFilter'> = {}): Promise<FeaturizedCandidates> {
  const terms = queryTerms(query).slice(0, MAX_QUERY_TERMS);
  const cands = await gatherCandidates(ctx, query, terms, makeFilter(ctx.chunks, opts));
  const chunks = cands.keys.map((k) => ctx.chunks.get(k)!);
  const features = featurize(query, cands.scores, chunks, cands.semantic);
  return { keys: cands.keys, chunks, features, semantic: cands.semantic };
}

/** A ranked, folded hit; row is its candidate's index in the feature rows. */
export interface RankedHit { row: number; chunk: StoredChunk; score: number; unit: UnitSpan | null }

const NAME_EXACT = FEATURES.indexOf('name_exact');

/**
 * Candidates in ranked order, folded: the parts of a split unit become one hit
 * at the unit's signature, and an overlapping later hit is dropped or takes the
 * place of a container it is nested in, unless the query names that container.
 */
export function rankFeaturized(chunks: ChunkTable, fc: FeaturizedCandidates, model: RankModel, limit: number): RankedHit[] {
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

export async function runSearch(ctx: SearchContext, rawQuery: string, opts: SearchOptions = {}): Promise<SearchResponse> {
  const t0 = performance.now();
  const k = Math.max(1, Math.min(opts.k ?? 10, 200));
  const query = normalizeQuery(rawQuery);
  const model = opts.rankModel ?? shippedRankModel();
  const fc = await featurizeQuery(ctx, query, opts);
  const mode = fc.semantic ? 'hybrid' : 'keyword';
  const modeReason = fc.semantic ? undefined : ctx.embedder ? 'embeddings not ready yet' : ctx.noModelReason ?? 'no embedding model installed';

  const ranked = rankFeaturized(ctx.chunks, fc, model, Math.max(k, KEEP_TOP));
  const probs = relevance(model.relevance[mode], relevanceInputs(ranked.map((r) => r.score), fc.features, ranked.map((r) => r.row)));
  const cut = answerSize(probs, k, opts.threshold ?? model.threshold);
  const size = opts.fixedK || (cut.noRelevant && opts.showWeak) ? Math.min(k, ranked.length) : cut.size;

  const words = [...new Set(splitWords(query).flatMap((w) => [w.raw, ...w.parts]).filter((w) => w.length > 1))];
  const hits: SearchHit[] = ranked.slice(0, size).map(({ chunk: c, unit }, i) => {
    const source = ctx.readText(c);
    const snippet = source === null ? { text: '', matched: [] } : makeSnippet(sourceView(source, c), c, words);
    const span = hitSpan(c, unit);
    return {
      ...(source === null ? { stale: true } : {}),
      file: c.file,
      root: ctx.roots[c.root] ?? '',
      startLine: span.startLine,
      endLine: span.endLine,
      declLine: span.declLine,
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
    const filter = makeFilter(ctx.chunks, { pathPrefix: opts.pathPrefix, pathFilter: opts.pathFilter });
    if (filter && !ctx.chunks.keys().some(filter)) res.filterMatchedNothing = true;
  }
  return res;
}

const GLOB_CHARS = /[*?[{]/;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One glob as a regular expression source: `**` any folders, `*` and `?` within a name, `[...]` a class, `{a,b}` either. */
function globSource(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') { i++; out += '(?:.*/)?'; } else out += '.*';
    } else if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) { out += '\\['; continue; }
      const body = glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
      out += `[${body}]`;
      i = end;
    } else if (ch === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) { out += '\\{'; continue; }
      out += `(?:${glob.slice(i + 1, end).split(',').map(globSource).join('|')})`;
      i = end;
    } else out += escapeRegExp(ch);
  }
  return out;
}

/**
 * A test for a file path (relative to its root, '/'-separated) from what a
 * person typed as a folder filter, or null for an empty filter. A glob matches
 * the whole path or a folder above it (`src/*` takes `src/auth/session.ts`);
 * a glob without '/' (`*.ts`, `receiver`) may match at any depth. Anything
 * else is a substring. Case-insensitive; a leading './' or '/' is ignored.
 */
export function compilePathFilter(filter: string): ((file: string) => boolean) | null {
  const f = filter.trim().replace(/\\/g, '/').replace(/^\.?\/+/, '');
  if (!f) return null;
  if (!GLOB_CHARS.test(f)) {
    const needle = f.toLowerCase();
    return (file) => file.toLowerCase().includes(needle);
  }
  const anywhere = !f.replace(/\/+$/, '').includes('/');
  const re = new RegExp(`^${anywhere ? '(?:.*/)?' : ''}${globSource(f.replace(/\/+$/, ''))}(?:/.*)?$`, 'i');
  return (file) => re.test(file);
}

function makeFilter(chunks: ChunkTable, opts: Pick<SearchOptions, 'languages' | 'pathPrefix' | 'pathFilter'>): ((key: number) => boolean) | null {
  const langs = opts.languages?.length ? new Set(opts.languages) : null;
  const prefix = opts.pathPrefix ? opts.pathPrefix.replace(/^\.?\/+/, '') : '';
  const pathTest = opts.pathFilter ? compilePathFilter(opts.pathFilter) : null;
  if (!langs && !prefix && !pathTest) return null;
  // many chunks share a file: test each path once per search
  const seen = pathTest ? new Map<string, boolean>() : null;
  return (key) => {
    const language = chunks.language(key);
    if (language === undefined) return false;
    if (langs && !langs.has(language)) return false;
    const file = chunks.file(key);
    if (prefix && !(file === prefix || file.startsWith(prefix.endsWith('/') ? prefix : prefix + '/'))) return false;
    if (pathTest && seen) {
      let ok = seen.get(file);
      if (ok === undefined) { ok = pathTest(file); seen.set(file, ok); }
      if (!ok) return false;
    }
    return true;
  };
}
