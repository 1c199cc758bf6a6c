// Writing one branch of the team index, inside the caller's transaction: files
// removed, files (re)indexed with their chunks, postings, document
// frequencies and BM25 statistics, and the branch row advanced to a new
// generation at the end. Nothing is visible to readers until the caller
// commits: a search sees the branch before the run or after it, never between.
import { storedTf } from '../../keyword/bm25Score';
import { chunkTermFreqs } from '../../keyword/chunkTerms';
import type { Chunk } from '../../types';
import type { Client } from './db';
import { BranchBusyError } from './errors';
import { type StoredVector, vectorLiteral } from './pgVectors';
import { storedTerm } from './storedTerm';
import { sqlInt, vectorIndexName } from './schema';

// JSON of chunk rows per insert statement
const ROWS_JSON_BYTES = 32 << 20;
// pg_try_advisory_xact_lock's first key for branch writers ('sifw')
const BRANCH_LOCK = 0x73696677;

export interface ModelInfo { id: string; hash: string; dim: number }

export interface BranchRow {
  id: number;
  repo: string;
  name: string;
  modelId: string | null;
  modelHash: string | null;
  dim: number | null;
  chunker: number;
  head: string | null;
  generation: number;
  nextKey: number;
  liveDocs: number;
  totalLen: number;
  updatedAt: string | null;
}

export const BRANCH_COLUMNS = `b.id, r.name as repo, b.name, b.model_id, b.model_hash, b.dim, b.chunker, b.head, b.generation, b.next_key, b.live_docs, b.total_len, b.updated_at`;

export function branchFromRow(r: Record<string, unknown>): BranchRow {
  return {
    id: Number(r.id), repo: String(r.repo), name: String(r.name),
    modelId: (r.model_id as string | null) ?? null, modelHash: (r.model_hash as string | null) ?? null,
    dim: r.dim === null ? null : Number(r.dim), chunker: Number(r.chunker), head: (r.head as string | null) ?? null,
    generation: Number(r.generation), nextKey: Number(r.next_key), liveDocs: Number(r.live_docs), totalLen: Number(r.total_len),
    updatedAt: r.updated_at ? new Date(r.updated_at as string).toISOString() : null,
  };
}

/** One chunk as the writer stores it: the chunk, its source lines, and its vector (null: none). */
export interface ChunkToWrite {
  chunk: Chunk;
  lines: string;
  vector: StoredVector | null;
}

export interface FileToWrite {
  path: string;
  hash: string;
  chunks: ChunkToWrite[];
}

/**
 * Take the branch for writing: create the repository and branch rows when new,
 * and hold the branch's write lock until the transaction ends (another writer
 * gets BranchBusyError at once). A branch built with another model or chunker
 * is emptied, to be indexed anew.
 */
export async function openBranchForWrite(c: Client, repo: string, branch: string, model: ModelInfo | null, chunker: number): Promise<{ row: BranchRow; reset: boolean }> {
  await c.query(`insert into sift_repos (name) values ($1) on conflict (name) do nothing`, [repo]);
  await c.query(
    `insert into sift_branches (repo_id, name, model_id, model_hash, dim, chunker)
     select id, $2, $3, $4, $5, $6 from sift_repos where name = $1
     on conflict (repo_id, name) do nothing`,
    [repo, branch, model?.id ?? null, model?.hash ?? null, model?.dim ?? null, chunker],
  );
  const r = await c.query(`select ${BRANCH_COLUMNS} from sift_branches b join sift_repos r on r.id = b.repo_id where r.name = $1 and b.name = $2`, [repo, branch]);
  const row = branchFromRow(r.rows[0]);
  const got = await c.query('select pg_try_advisory_xact_lock($1, $2) as ok', [BRANCH_LOCK, row.id]);
  if (!got.rows[0].ok) throw new BranchBusyError(`another sift index is writing ${repo}@${branch} now; try again when it is done`);
  // the lock is ours: read the row again, as the last writer committed it
  const again = branchFromRow((await c.query(`select ${BRANCH_COLUMNS} from sift_branches b join sift_repos r on r.id = b.repo_id where b.id = $1 for update of b`, [row.id])).rows[0]);
  const sameModel = (again.modelHash ?? null) === (model?.hash ?? null) && (again.dim ?? null) === (model?.dim ?? null);
  if (sameModel && again.chunker === chunker) return { row: again, reset: false };
  await emptyBranch(c, again.id);
  await c.query(
    `update sift_branches set model_id = $2, model_hash = $3, dim = $4, chunker = $5, next_key = 0, live_docs = 0, total_len = 0 where id = $1`,
    [again.id, model?.id ?? null, model?.hash ?? null, model?.dim ?? null, chunker],
  );
  return { row: { ...again, modelId: model?.id ?? null, modelHash: model?.hash ?? null, dim: model?.dim ?? null, chunker, nextKey: 0, liveDocs: 0, totalLen: 0 }, reset: true };
}

async function emptyBranch(c: Client, branchId: number): Promise<void> {
  await c.query(`drop index if exists ${vectorIndexName(branchId)}`);
  for (const t of ['sift_postings', 'sift_df', 'sift_chunks', 'sift_files']) await c.query(`delete from ${t} where branch_id = $1`, [branchId]);
}

/** The branch's files and their content hashes. */
export async function indexedFiles(c: Client, branchId: number): Promise<Map<string, string>> {
  const r = await c.query('select path, hash from sift_files where branch_id = $1', [branchId]);
  return new Map(r.rows.map((x) => [x.path as string, x.hash as string]));
}

/** A branch's write in progress: the statistics it changes, applied to the branch row by finish(). */
export class BranchWrite {
  private nextKey: number;
  private live: number;
  private totalLen: number;
  removedFiles = 0;
  writtenFiles = 0;
  writtenChunks = 0;

  constructor(private readonly c: Client, private readonly row: BranchRow) {
    this.nextKey = row.nextKey;
    this.live = row.liveDocs;
    this.totalLen = row.totalLen;
  }

  /** Remove these files (and their chunks, postings and their share of each term's df); absent paths are skipped. */
  async removeFiles(paths: string[]): Promise<void> {
    if (paths.length === 0) return;
    const r = await this.c.query(
      `with gone as (delete from sift_chunks where branch_id = $1 and path = any($2::text[]) returning key, doc_len, terms),
            gt as (select key, unnest(terms) as term from gone),
            dp as (delete from sift_postings p using gt where p.branch_id = $1 and p.term = gt.term and p.key = gt.key returning p.term),
            dd as (update sift_df d set df = d.df - x.n from (select term, count(*)::int as n from dp group by term) x
                   where d.branch_id = $1 and d.term = x.term returning 1),
            df as (delete from sift_files where branch_id = $1 and path = any($2::text[]) returning 1)
       select (select count(*) from gone)::int as n, (select coalesce(sum(doc_len), 0) from gone)::float8 as len,
              (select count(*) from dd)::int as terms, (select count(*) from df)::int as files`,
      [this.row.id, paths],
    );
    this.live -= r.rows[0].n;
    this.totalLen -= r.rows[0].len;
    this.removedFiles += r.rows[0].files;
  }

  /** Add files (not indexed now: remove them first). Keys are given in order, as the local engine gives them. */
  async addFiles(files: FileToWrite[]): Promise<void> {
    if (files.length === 0) return;
    const rows: unknown[] = [];
    const pTerm: string[] = [], pKey: number[] = [], pTf: number[] = [], pLen: number[] = [];
    for (const f of files) {
      for (const { chunk: ch, lines, vector } of f.chunks) {
        const key = this.nextKey++;
        const tf = chunkTermFreqs(ch);
        let len = 0;
        for (const v of tf.values()) len += v;
        const docLen = Math.fround(len);
        const terms: string[] = [];
        for (const [term, v] of tf) { const t = storedTerm(term); terms.push(t); pTerm.push(t); pKey.push(key); pTf.push(storedTf(v)); pLen.push(docLen); }
        rows.push({
          key, path: f.path, start_line: ch.startLine, end_line: ch.endLine, decl_line: ch.declLine, kind: ch.kind, name: ch.name,
          language: ch.language, signature: ch.signature, context: ch.context, part_index: ch.part?.index ?? null, part_count: ch.part?.count ?? null,
          doc_len: docLen, lines, terms, embedding: vector ? vectorLiteral(vector.q) : null, vscale: vector ? vector.scale : null,
        });
        this.live++;
        this.totalLen += docLen;
        this.writtenChunks++;
      }
      this.writtenFiles++;
    }
    const id = this.row.id;
    // the chunk rows in statements of at most ROWS_JSON_BYTES of JSON (a big file's rows repeat its lines)
    for (let i = 0; i < rows.length;) {
      const part: string[] = [];
      let size = 0;
      while (i < rows.length && (part.length === 0 || size < ROWS_JSON_BYTES)) {
        const j = JSON.stringify(rows[i++]);
        part.push(j);
        size += j.length;
      }
      await this.c.query(
        `insert into sift_chunks (branch_id, key, path, start_line, end_line, decl_line, kind, name, language, signature, context,
                                  part_index, part_count, doc_len, lines, terms, embedding, vscale)
         select $1, r.key, r.path, r.start_line, r.end_line, r.decl_line, r.kind, r.name, r.language, r.signature,
                array(select jsonb_array_elements_text(r.context)), r.part_index, r.part_count, r.doc_len, r.lines,
                array(select jsonb_array_elements_text(r.terms)), r.embedding::vector, r.vscale
         from jsonb_to_recordset($2::jsonb) as r(key int, path text, start_line int, end_line int, decl_line int, kind text, name text,
              language text, signature text, context jsonb, part_index smallint, part_count smallint, doc_len real, lines text,
              terms jsonb, embedding text, vscale real)`,
        [id, `[${part.join(',')}]`],
      );
    }
    if (rows.length) {
      await this.c.query(
        `insert into sift_postings (branch_id, term, key, tf, doc_len) select $1, * from unnest($2::text[], $3::int[], $4::smallint[], $5::real[])`,
        [id, pTerm, pKey, pTf, pLen],
      );
      await this.c.query(
        `insert into sift_df (branch_id, term, df) select $1, term, count(*)::int from unnest($2::text[]) as term group by term
         on conflict (branch_id, term) do update set df = sift_df.df + excluded.df`,
        [id, pTerm],
      );
    }
    await this.c.query(
      `insert into sift_files (branch_id, path, hash, chunks) select $1, * from unnest($2::text[], $3::text[], $4::int[])`,
      [id, files.map((f) => f.path), files.map((f) => f.hash), files.map((f) => f.chunks.length)],
    );
  }

  /** Make sure the branch has its vector index, then advance the branch row to a new generation (head: the commit indexed). */
  async finish(head: string | null): Promise<BranchRow> {
    const id = this.row.id;
    if (this.row.dim) {
      await this.c.query(`set local maintenance_work_mem = '512MB'`);
      await this.c.query(
        `create index if not exists ${vectorIndexName(id)} on sift_chunks using hnsw ((embedding::vector(${sqlInt(this.row.dim)})) vector_cosine_ops)
         with (m = 16, ef_construction = 64) where branch_id = ${sqlInt(id)}`,
      );
    }
    // a df that fell to zero is a term no chunk holds any more
    await this.c.query('delete from sift_df where branch_id = $1 and df <= 0', [id]);
    const r = await this.c.query(
      `update sift_branches b set next_key = $2, live_docs = $3, total_len = $4, head = coalesce($5, head), generation = generation + 1, updated_at = now()
       from sift_repos r where b.id = $1 and r.id = b.repo_id returning ${BRANCH_COLUMNS}`,
      [id, this.nextKey, this.live, this.totalLen, head],
    );
    return branchFromRow(r.rows[0]);
  }
}
