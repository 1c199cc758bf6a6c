// One branch of the team index as a SearchStore, read inside one read-only
// snapshot (the caller's transaction). BM25 with the local engine's own code
// path over posting lists read from sift_postings (kept by the BranchCache of
// this generation), names and chunk records from the BranchCache, vectors
// through the branch's HNSW index, lines from sift_chunks.
import { createHash } from 'node:crypto';
import { indexOfKey } from '../../keyword/bm25Accumulate';
import { idf, unseenIdf } from '../../keyword/bm25Score';
import type { KeywordHit } from '../../keyword/bm25Index';
import type { StoredChunk } from '../../persist/indexStore';
import type { VectorHit } from '../../vector/vectorStore';
import { compileCandidateFilter } from '../candidateFilter';
import { type CandidateFilter, type ChunkLookup, FetchedChunks, type SearchStore } from '../searchStore';
import type { BranchRow } from './branchWriter';
import type { BranchCache, PostingList } from './branchCache';
import type { Client } from './db';
import { queryVector } from './pgVectors';
import { storedTerm } from './storedTerm';
import { sqlInt } from './schema';

/**
 * Candidates the HNSW search keeps in its queue (pgvector's hnsw.ef_search). At 105K chunks the
 * vector top 10 holds 0.95 of the exact one at 200 (0.99 at 400, 0.997 at 800), and the ranked
 * top 10 0.9975 of the local engine's (1.0 at 400) at about half the search time (bench/README.md).
 */
export const EF_SEARCH = 200;
/** What a search's transaction sets first (TeamStore). */
export const SEARCH_SETUP = `set local hnsw.ef_search = ${EF_SEARCH}`;
/** Neighbours read beyond those asked for, so that the exact order decides who is in at the edge. */
const HNSW_MARGIN = 50;

export class PgSearchStore implements SearchStore {
  private readonly linesOf = new Map<number, Promise<string | null>>();
  private readonly lines = new Map<number, string>();
  private wanted: number[] = [];
  private batch: Promise<void> | null = null;
  private readonly c: Pick<Client, 'query'>;

  constructor(
    client: Client,
    private readonly branch: BranchRow,
    private readonly cache: BranchCache,
    readonly semantic: boolean,
  ) {
    this.c = serialized(client);
  }

  private get avgLen(): number { return this.branch.totalLen / Math.max(1, this.branch.liveDocs); }

  /** The query terms' posting lists (a term no chunk holds has an empty one). */
  private lists(terms: string[]): Promise<PostingList[]> {
    return this.cache.postingLists(this.c, this.branch.id, terms.map(storedTerm));
  }

  /** A key test for the filter over the cached records; null when nothing is filtered. */
  private keyTest(filter: CandidateFilter | null): ((key: number) => boolean) | null {
    const test = compileCandidateFilter(filter);
    if (!test) return null;
    return (key) => {
      const language = this.cache.languageOf(key);
      return language !== undefined && test(language, this.cache.pathOf(key)!);
    };
  }

  /** As the local keyword index scores: the same sums (Bm25Sums) over the branch's posting lists. */
  async keywordTop(terms: string[], limit: number, filter: CandidateFilter | null): Promise<KeywordHit[]> {
    const live = this.branch.liveDocs;
    if (live === 0 || terms.length === 0 || limit <= 0) return [];
    const lists = await this.lists(terms);
    const sums = this.cache.sums();
    for (const p of lists) if (p.keys.length > 0) sums.add(p.keys, p.tfs, idf(p.keys.length, live), this.cache.lens, this.avgLen);
    const hits = sums.top(limit * 4);
    const allow = this.keyTest(filter);
    return (allow ? hits.filter((h) => allow(h.key)) : hits).slice(0, limit);
  }

  async nameTop(query: string, limit: number, filter: CandidateFilter | null): Promise<number[]> {
    const allow = this.keyTest(filter);
    const keys = this.cache.searchNames(query, limit);
    return allow ? keys.filter(allow) : keys;
  }

  async vectorTop(query: Float32Array, limit: number, filter: CandidateFilter | null): Promise<VectorHit[]> {
    const dim = this.branch.dim;
    if (!dim || !this.semantic || limit <= 0) return [];
    const q = queryVector(query, dim);
    const allow = this.keyTest(filter);
    // value: the local store's rank value, dot × row scale (see pgVectors.ts)
    const value = (param: string) => `((embedding <#> ${param}::vector) * -1) * vscale`;
    let rows: Array<[number, number]>;
    if (allow) {
      // few chunks may pass a filter, and an HNSW search filtered afterwards would miss them: score exactly the ones that do
      const keys = Array.from(this.cache.allKeys()).filter(allow);
      if (keys.length === 0) return [];
      const r = await this.c.query({
        text: `select key, ${value('$2')} as value from sift_chunks
               where branch_id = $1 and key = any($3::int[]) and embedding is not null order by value desc, key limit $4`,
        values: [this.branch.id, q.literal, keys, limit],
        rowMode: 'array',
      });
      rows = r.rows as Array<[number, number]>;
    } else {
      // hnsw.ef_search is set when the search's transaction begins (TeamStore); the branch id is
      // written into the text so that every plan of this prepared statement can use its partial index
      const cast = `embedding::vector(${sqlInt(dim)})`;
      // the index's neighbours by cosine (float32: near-ties may swap), a margin more than asked, put in the exact order below
      const r = await this.c.query({
        text: `select key, ${value('$1')} as value from sift_chunks
               where branch_id = ${sqlInt(this.branch.id)} order by ${cast} <=> $1::vector(${sqlInt(dim)}) limit $2`,
        values: [q.literal, limit + HNSW_MARGIN],
        rowMode: 'array',
      });
      rows = (r.rows as Array<[number, number]>).filter(([, v]) => v !== null)
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .slice(0, limit);
    }
    return rows.map(([key, v]) => ({ key: Number(key), score: Math.fround(clampUnit(v * q.scale)) }));
  }

  async vectorScores(query: Float32Array, keys: number[]): Promise<Float32Array> {
    const out = new Float32Array(keys.length).fill(NaN);
    const dim = this.branch.dim;
    if (!dim || keys.length === 0) return out;
    const q = queryVector(query, dim);
    const r = await this.c.query({
      text: `select key, ((embedding <#> $2::vector) * -1) * vscale as value from sift_chunks
             where branch_id = $1 and key = any($3::int[]) and embedding is not null`,
      values: [this.branch.id, q.literal, keys],
      rowMode: 'array',
    });
    const at = new Map(keys.map((k, i) => [k, i]));
    for (const [key, v] of r.rows as Array<[number, number]>) out[at.get(Number(key))!] = clampUnit(v * q.scale);
    return out;
  }

  /** As the local keyword index computes it: idf-weighted share of the terms the chunk holds. */
  async coverage(terms: string[], keys: number[]): Promise<number[]> {
    if (keys.length === 0) return [];
    const live = this.branch.liveDocs;
    const lists = await this.lists(terms);
    const weights = lists.map((p) => (p.keys.length > 0 ? idf(p.keys.length, live) : unseenIdf(live)));
    let all = 0;
    for (const w of weights) all += w;
    if (!(all > 0)) return keys.map(() => 0);
    return keys.map((key) => {
      let have = 0;
      lists.forEach((p, i) => { if (indexOfKey(p.keys, key) >= 0) have += weights[i]; });
      return have / all;
    });
  }

  async chunks(keys: number[]): Promise<ChunkLookup> {
    const records = new Map<number, StoredChunk>();
    for (const key of keys) {
      const c = this.cache.chunk(key);
      if (!c) continue;
      records.set(key, c);
      // the other parts of a split unit, for folding them into one answer
      if (c.part && c.part.count > 1) for (const k of this.cache.splitKeysOf(c.file)) if (!records.has(k)) records.set(k, this.cache.chunk(k)!);
    }
    return new FetchedChunks(records.values());
  }

  async sourceText(c: StoredChunk): Promise<string | null> {
    // the hits of one answer ask at once: their lines come in one statement
    let pending = this.linesOf.get(c.key);
    if (!pending) {
      this.wanted.push(c.key);
      this.batch ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.fetchLines());
      pending = this.batch.then(() => this.lines.get(c.key) ?? null);
      this.linesOf.set(c.key, pending);
    }
    return pending;
  }

  private async fetchLines(): Promise<void> {
    const keys = this.wanted.splice(0);
    this.batch = null;
    const r = await this.c.query({ text: 'select key, lines from sift_chunks where branch_id = $1 and key = any($2::int[])', values: [this.branch.id, keys], rowMode: 'array' });
    for (const [key, lines] of r.rows as Array<[number, string]>) this.lines.set(Number(key), lines);
  }

  async anyMatches(filter: CandidateFilter): Promise<boolean> {
    const allow = this.keyTest(filter);
    return !allow || Array.from(this.cache.allKeys()).some(allow);
  }
}

function clampUnit(x: number): number {
  return x > 1 ? 1 : x < -1 ? -1 : x;
}

/**
 * The client's queries one after another (the ranking asks for several things
 * at once, and one connection runs one statement at a time: the driver would
 * queue them, but warns that it will stop doing so), each as a named prepared
 * statement: a connection parses and plans each of these texts once.
 */
function serialized(client: Client): Pick<Client, 'query'> {
  let last: Promise<unknown> = Promise.resolve();
  const query = ((config: { text: string; values?: unknown[]; rowMode?: 'array' }) => {
    const named = { ...config, name: statementName(config.text) };
    const run = last.then(() => client.query(named));
    last = run.catch(() => undefined);
    return run;
  }) as unknown as Client['query'];
  return { query };
}

const names = new Map<string, string>();

function statementName(text: string): string {
  let n = names.get(text);
  if (!n) names.set(text, (n = `sift_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`));
  return n;
}
