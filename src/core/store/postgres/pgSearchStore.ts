// One branch of the team index as a SearchStore, read inside one read-only
// snapshot (the caller's transaction): BM25 over the postings table with the
// local engine's arithmetic, the name index from BranchNames, vectors through
// the branch's HNSW index, and chunk records and lines from sift_chunks.
import { createHash } from 'node:crypto';
import { idf, unseenIdf } from '../../keyword/bm25Score';
import type { KeywordHit } from '../../keyword/bm25Index';
import type { StoredChunk } from '../../persist/indexStore';
import type { ChunkKind, LanguageId } from '../../types';
import type { VectorHit } from '../../vector/vectorStore';
import { compileCandidateFilter } from '../candidateFilter';
import { type CandidateFilter, type ChunkLookup, FetchedChunks, type SearchStore } from '../searchStore';
import { B, K1 } from '../../keyword/bm25Score';
import type { BranchRow } from './branchWriter';
import type { BranchNames } from './branchNames';
import type { Client } from './db';
import { queryVector } from './pgVectors';
import { storedTerm } from './storedTerm';
import { sqlInt } from './schema';

/** Candidates the HNSW search keeps in its queue (pgvector's hnsw.ef_search): above the 100 a query asks for. */
export const EF_SEARCH = 200;
/** What a search's transaction sets first (TeamStore). */
export const SEARCH_SETUP = `set local hnsw.ef_search = ${EF_SEARCH}`;
/** Neighbours read beyond those asked for, so that the exact order decides who is in at the edge. */
const HNSW_MARGIN = 50;

const CHUNK_COLUMNS = 'key, path, start_line, end_line, decl_line, kind, name, language, signature, context, part_index, part_count';

function chunkFromRow(r: Record<string, unknown>): StoredChunk {
  const c: StoredChunk = {
    key: Number(r.key), root: 0, file: String(r.path), startLine: Number(r.start_line), endLine: Number(r.end_line), declLine: Number(r.decl_line),
    kind: r.kind as ChunkKind, name: String(r.name), language: r.language as LanguageId, signature: String(r.signature), context: r.context as string[],
  };
  if (r.part_count !== null && r.part_count !== undefined) c.part = { index: Number(r.part_index), count: Number(r.part_count) };
  return c;
}

export class PgSearchStore implements SearchStore {
  private readonly dfs = new Map<string, number>();
  private readonly linesOf = new Map<number, Promise<string | null>>();
  private readonly lines = new Map<number, string>();
  private wanted: number[] = [];
  private batch: Promise<void> | null = null;
  /** Per key of keywordTop's last answer, the terms it holds; heldFor: those terms, joined. */
  private readonly held = new Map<number, Set<string>>();
  private heldFor: string | null = null;

  private readonly c: Pick<Client, 'query'>;

  constructor(
    client: Client,
    private readonly branch: BranchRow,
    private readonly names: BranchNames,
    readonly semantic: boolean,
  ) {
    this.c = serialized(client);
  }

  private get avgLen(): number { return this.branch.totalLen / Math.max(1, this.branch.liveDocs); }

  /** Document frequencies of the terms (0 for a term no chunk holds), read once per store. */
  private async docFreqs(queryTerms: string[]): Promise<number[]> {
    const terms = queryTerms.map(storedTerm);
    const ask = terms.filter((t) => !this.dfs.has(t));
    if (ask.length) {
      const r = await this.c.query({ text: 'select term, df from sift_df where branch_id = $1 and term = any($2::text[])', values: [this.branch.id, ask] });
      for (const t of ask) this.dfs.set(t, 0);
      for (const row of r.rows) this.dfs.set(row.term, Number(row.df));
    }
    return terms.map((t) => this.dfs.get(t)!);
  }

  /** A key test for the filter over what the names cache knows of every key; null when nothing is filtered. */
  private keyTest(filter: CandidateFilter | null): ((key: number) => boolean) | null {
    const test = compileCandidateFilter(filter);
    if (!test) return null;
    return (key) => {
      const language = this.names.languageOf(key);
      return language !== undefined && test(language, this.names.pathOf(key)!);
    };
  }

  async keywordTop(terms: string[], limit: number, filter: CandidateFilter | null): Promise<KeywordHit[]> {
    const live = this.branch.liveDocs;
    if (live === 0 || terms.length === 0 || limit <= 0) return [];
    const dfs = await this.docFreqs(terms);
    const use = terms.map((t, i) => ({ t: storedTerm(t), df: dfs[i] })).filter((x) => x.df > 0);
    if (use.length === 0) return [];
    this.held.clear();
    this.heldFor = use.map((x) => x.t).join('\u0000');
    // with each hit, which of the terms it holds (a bit per term): coverage() needs no second look at these keys
    const r = await this.c.query({
      text: `select p.key, sum(q.w * (p.tf * ($4::float8 + 1)) / (p.tf + $4::float8 * (1 - $5::float8 + $5::float8 * p.doc_len / $3::float8)))::float8 as score,
                    bit_or(1::bigint << (q.i - 1)::int)::text as held
             from unnest($2::text[], $6::float8[]) with ordinality as q(term, w, i)
             join sift_postings p on p.branch_id = $1 and p.term = q.term
             group by p.key order by score desc, p.key limit $7`,
      values: [this.branch.id, use.map((x) => x.t), this.avgLen, K1, B, use.map((x) => idf(x.df, live)), limit * 4],
      rowMode: 'array',
    });
    const allow = this.keyTest(filter);
    const hits: KeywordHit[] = [];
    for (const [key, score, held] of r.rows as Array<[number, number, string]>) {
      hits.push({ key: Number(key), score: Math.fround(score) });
      const mask = BigInt.asUintN(64, BigInt(held));
      this.held.set(Number(key), new Set(use.filter((_, i) => (mask >> BigInt(i)) & 1n).map((x) => x.t)));
    }
    return (allow ? hits.filter((h) => allow(h.key)) : hits).slice(0, limit);
  }

  async nameTop(query: string, limit: number, filter: CandidateFilter | null): Promise<number[]> {
    const allow = this.keyTest(filter);
    const keys = this.names.search(query, limit);
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
      const keys = Array.from(this.names.allKeys()).filter(allow);
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

  async coverage(queryTerms: string[], keys: number[]): Promise<number[]> {
    if (keys.length === 0) return [];
    const live = this.branch.liveDocs;
    const dfs = await this.docFreqs(queryTerms);
    const terms = queryTerms.map(storedTerm);
    const weights = dfs.map((df) => (df > 0 ? idf(df, live) : unseenIdf(live)));
    const all = weights.reduce((a, b) => a + b, 0);
    if (!(all > 0)) return keys.map(() => 0);
    const held = terms.filter((_, i) => dfs[i] > 0);
    // the terms each key holds: known for keywordTop's hits (when it looked up these very terms), else looked up
    const byKey = new Map<number, Set<string>>();
    const sameTerms = this.heldFor !== null && this.heldFor === held.join('\u0000');
    const ask = sameTerms ? keys.filter((k) => !this.held.has(k)) : keys;
    if (sameTerms) for (const k of keys) { const h = this.held.get(k); if (h) byKey.set(k, h); }
    if (held.length && ask.length) {
      // one index probe per (term, key) pair: a common term's whole posting list is not read
      const r = await this.c.query({
        text: `select p.key, p.term from unnest($2::text[], $3::int[]) as pr(term, key)
               join sift_postings p on p.branch_id = $1 and p.term = pr.term and p.key = pr.key`,
        values: [this.branch.id, ask.flatMap(() => held), ask.flatMap((k) => held.map(() => k))],
        rowMode: 'array',
      });
      for (const [key, term] of r.rows as Array<[number, string]>) {
        let s = byKey.get(Number(key));
        if (!s) byKey.set(Number(key), (s = new Set()));
        s.add(term);
      }
    }
    // summed in the query's term order, as the local index sums them
    return keys.map((k) => {
      const set = byKey.get(k);
      if (!set) return 0;
      let h = 0;
      terms.forEach((t, i) => { if (set.has(t)) h += weights[i]; });
      return h / all;
    });
  }

  async chunks(keys: number[]): Promise<ChunkLookup> {
    if (keys.length === 0) return new FetchedChunks([]);
    const r = await this.c.query({
      text: `with asked as (select ${CHUNK_COLUMNS} from sift_chunks where branch_id = $1 and key = any($2::int[]))
       select * from asked
       union
       select ${CHUNK_COLUMNS} from sift_chunks where branch_id = $1 and part_count > 1
         and path in (select path from asked where part_count > 1)`,
      values: [this.branch.id, keys],
    });
    return new FetchedChunks(r.rows.map(chunkFromRow));
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
    return !allow || Array.from(this.names.allKeys()).some(allow);
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
