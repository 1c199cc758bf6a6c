// The team index's tables, as numbered migrations. A database records the
// version it is at (sift_meta 'schema_version'); `migrate` brings it up to
// SCHEMA_VERSION in one transaction each, under an advisory lock so two
// processes never migrate at once. A reader refuses a database newer than it
// knows (SchemaError) instead of misreading it.
//
// Layout: a repository has branches; each branch is one index (its files,
// chunks, postings and BM25 statistics), keyed by (branch_id, key) where key
// is the chunk's number within the branch, as the local engine numbers them.
// Vectors sit in sift_chunks.embedding (int8 values, see pgVectors.ts); each
// branch gets its own partial HNSW index (cosine) over `embedding::vector(dim)`
// (see vectorIndexName).

export const SCHEMA_VERSION = 1;

/** migrations[i] takes a database from version i to i + 1. */
export const MIGRATIONS: string[][] = [
  [
    `create extension if not exists vector`,
    `create table sift_meta (key text primary key, value text not null)`,
    `create table sift_repos (
      id serial primary key,
      name text not null unique,
      created_at timestamptz not null default now())`,
    `create table sift_branches (
      id serial primary key,
      repo_id int not null references sift_repos(id) on delete cascade,
      name text not null,
      model_id text,
      model_hash text,
      dim int,
      chunker int not null,
      head text,
      generation bigint not null default 0,
      next_key int not null default 0,
      live_docs int not null default 0,
      total_len double precision not null default 0,
      updated_at timestamptz,
      unique (repo_id, name))`,
    `create table sift_files (
      branch_id int not null references sift_branches(id) on delete cascade,
      path text not null,
      hash text not null,
      chunks int not null,
      primary key (branch_id, path))`,
    `create table sift_chunks (
      branch_id int not null references sift_branches(id) on delete cascade,
      key int not null,
      path text not null,
      start_line int not null,
      end_line int not null,
      decl_line int not null,
      kind text not null,
      name text not null,
      language text not null,
      signature text not null,
      context text[] not null,
      part_index smallint,
      part_count smallint,
      doc_len real not null,
      lines text not null,
      -- its distinct keyword terms: removing the chunk removes exactly these postings
      terms text[] not null,
      -- int8 values (pgvector.ts) and the row's scale; null until embedded
      embedding vector,
      vscale real,
      primary key (branch_id, key))`,
    `create index sift_chunks_path on sift_chunks (branch_id, path)`,
    // one row per (term, chunk); doc_len repeated so BM25 needs no join
    `create table sift_postings (
      branch_id int not null,
      term text not null,
      key int not null,
      tf smallint not null,
      doc_len real not null,
      -- tf and doc_len in the index too: BM25 reads a term's postings from the index alone
      primary key (branch_id, term, key) include (tf, doc_len))`,
    `create table sift_df (
      branch_id int not null,
      term text not null,
      df int not null,
      primary key (branch_id, term))`,
    // embeddings by model and chunk text: an interrupted run's work is kept (committed batch by batch)
    `create table sift_embed_cache (
      model_hash text not null,
      text_hash bytea not null,
      embedding vector not null,
      primary key (model_hash, text_hash))`,
    // bearer tokens: only a SHA-256 of each is kept; repo_id null = every repository
    `create table sift_tokens (
      id serial primary key,
      name text not null,
      token_hash bytea not null unique,
      repo_id int references sift_repos(id) on delete cascade,
      created_at timestamptz not null default now(),
      revoked_at timestamptz)`,
  ],
];

/** The name of a branch's HNSW index (branch ids are integers the database gave). */
export function vectorIndexName(branchId: number): string {
  return `sift_hnsw_b${sqlInt(branchId)}`;
}

/**
 * An integer for the few SQL texts that cannot take a parameter (DDL, a
 * vector's dimension in a cast): only integers the database or the model gave,
 * checked here. Every value from a user goes in as a parameter.
 */
export function sqlInt(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`not a non-negative integer: ${String(n)}`);
  return String(n);
}
