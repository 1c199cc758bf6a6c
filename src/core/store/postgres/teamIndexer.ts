// `sift index --store`: bring one branch of the team index up to date with a
// checkout. Files are compared by content hash with what the branch holds
// (or, for CI, only the paths a commit range touched are looked at), changed
// files are chunked and embedded here, and the whole update is written in ONE
// transaction: a reader sees the branch as it was or as it is now, and a
// crash (of this process or of the database) leaves the last commit intact.
// Embedding is the costly part: vectors are kept in sift_embed_cache, batch by
// batch in their own transactions, so a run cut short is not embedded again.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { Chunker, CHUNKER_VERSION, type ChunkerOptions } from '../../chunk/chunker';
import { languageForPath } from '../../chunk/languages';
import { crawl, type CrawlOptions } from '../../crawl/crawler';
import { contentHash, readSource } from '../../crawl/readSource';
import type { Embedder } from '../../embed/embedder';
import type { Chunk, SkippedFile } from '../../types';
import { pathsWithin, repoRootOf } from '../../team/changedFiles';
import { git, gitLine } from '../../team/git';
import { inTransaction, type Pool, withClient } from './db';
import { BranchWrite, type BranchRow, type FileToWrite, indexedFiles, openBranchForWrite } from './branchWriter';
import { migrate } from './migrate';
import { parseVector, scaleOf, type StoredVector, storedVector, vectorLiteral } from './pgVectors';

export interface TeamIndexOptions {
  /** The checkout's root folder. */
  root: string;
  repo: string;
  branch: string;
  embedder: Embedder | null;
  /** Only the paths changed between these commits are looked at (the checkout should be at `to`). */
  gitDiff?: { from: string; to: string };
  /** The commit (or label) recorded as indexed; default: the checkout's HEAD (or `to` of gitDiff) when it is a git work tree. */
  head?: string;
  crawl?: Omit<CrawlOptions, 'signal' | 'isIndexable'>;
  chunker?: ChunkerOptions;
  onProgress?: (p: TeamIndexProgress) => void;
  /** Files written per batch of statements (default 200). */
  batchFiles?: number;
  signal?: AbortSignal;
}

export interface TeamIndexProgress { phase: 'scan' | 'chunk' | 'commit' | 'done'; filesDone: number; filesTotal: number; chunks: number }

export interface TeamIndexStats {
  repo: string;
  branch: string;
  head: string | null;
  files: number;
  changedFiles: number;
  removedFiles: number;
  chunksWritten: number;
  /** Chunk vectors computed in this run; the rest came from the embedding cache. */
  embedded: number;
  cachedVectors: number;
  /** The branch was emptied first (a new model or chunker). */
  rebuilt: boolean;
  skipped: SkippedFile[];
  generation: number;
  tookMs: number;
}

const EMBED_BATCH = 256;
const BATCH_BYTES = 8 << 20;

/** The paths (relative to the work tree's top) that differ between two commits. */
export async function changedPaths(root: string, from: string, to: string): Promise<string[]> {
  for (const rev of [from, to]) {
    if (rev.startsWith('-')) throw new Error(`not a commit: ${rev}`);
    await git(root, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]).catch(() => { throw new Error(`not a commit in ${root}: ${rev}`); });
  }
  const out = await git(root, ['diff', '--name-only', '--no-renames', '-z', from, to, '--']);
  return out.split('\0').filter(Boolean);
}

function headOf(root: string, rev = 'HEAD'): Promise<string | null> {
  return gitLine(root, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
}

/** SHA-256 of a chunk's embedded text: the embedding cache's key. */
function textHash(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The chunks' vectors (stored form): from the cache where it has them, else embedded now and cached. */
async function vectorsFor(pool: Pool, embedder: Embedder, chunks: Chunk[]): Promise<{ vectors: StoredVector[]; embedded: number }> {
  const hashes = chunks.map((c) => textHash(c.text));
  const found = new Map<string, StoredVector>();
  await withClient(pool, async (c) => {
    const r = await c.query('select text_hash, embedding::text as v from sift_embed_cache where model_hash = $1 and text_hash = any($2::bytea[])', [embedder.hash, hashes]);
    for (const row of r.rows) {
      const q = parseVector(row.v);
      found.set((row.text_hash as Buffer).toString('hex'), { q, scale: scaleOf(q) });
    }
  });
  const missing = chunks.map((_, i) => i).filter((i) => !found.has(hashes[i].toString('hex')));
  for (let s = 0; s < missing.length; s += EMBED_BATCH) {
    const slice = missing.slice(s, s + EMBED_BATCH);
    const raw = await embedder.embed(slice.map((i) => chunks[i].text));
    const vecs = slice.map((_, j) => storedVector(raw, j * embedder.dim, embedder.dim));
    slice.forEach((i, j) => found.set(hashes[i].toString('hex'), vecs[j]));
    // committed at once (autocommit): kept even when the index run fails later
    await withClient(pool, (c) => c.query(
      'insert into sift_embed_cache (model_hash, text_hash, embedding) select $1, h, v::vector from unnest($2::bytea[], $3::text[]) as t(h, v) on conflict do nothing',
      [embedder.hash, slice.map((i) => hashes[i]), vecs.map((v) => vectorLiteral(v.q))],
    ));
  }
  return { vectors: hashes.map((h) => found.get(h.toString('hex'))!), embedded: missing.length };
}

export async function indexIntoStore(pool: Pool, o: TeamIndexOptions): Promise<TeamIndexStats> {
  const t0 = Date.now();
  const root = path.resolve(o.root);
  const model = o.embedder ? { id: o.embedder.id, hash: o.embedder.hash, dim: o.embedder.dim } : null;
  await migrate(pool);
  const progress: TeamIndexProgress = { phase: 'scan', filesDone: 0, filesTotal: 0, chunks: 0 };
  o.onProgress?.({ ...progress });
  const found = await crawl([root], { ...o.crawl, signal: o.signal, isIndexable: (rel) => languageForPath(rel) !== null });
  const skipped: SkippedFile[] = found.skipped.map((s) => ({ rel: s.rel, reason: s.reason }));
  const onDisk = new Map(found.files.map((f) => [f.rel, f]));
  let touched: Set<string> | null = null;
  if (o.gitDiff) {
    const top = await repoRootOf(root);
    if (!top) throw new Error(`--git-diff needs a git work tree: ${root} is not in one`);
    touched = pathsWithin(await changedPaths(root, o.gitDiff.from, o.gitDiff.to), top, root);
  }
  const head = o.head ?? (o.gitDiff ? await headOf(root, o.gitDiff.to) : await headOf(root));
  const chunker = await Chunker.create(o.chunker);
  let embedded = 0, cached = 0;

  const out = await inTransaction(pool, async (c) => {
    await c.query('set local statement_timeout = 0');
    const { row, reset } = await openBranchForWrite(c, o.repo, o.branch, model, CHUNKER_VERSION);
    const known = reset ? new Map<string, string>() : await indexedFiles(c, row.id);
    const write = new BranchWrite(c, row);
    // a commit range narrows the work only on a branch that holds an index to update
    const only = touched && known.size > 0 ? touched : null;
    const gone = [...known.keys()].filter((p) => !onDisk.has(p) && (!only || only.has(p)));
    const todo = only ? found.files.filter((f) => only.has(f.rel)) : found.files;
    progress.phase = 'chunk';
    progress.filesTotal = todo.length;
    await write.removeFiles(gone);
    let changed = 0, unreadable = 0;
    let writing: Promise<void> = Promise.resolve();
    const batchFiles = o.batchFiles ?? 200;
    for (let next = 0; next < todo.length;) {
      if (o.signal?.aborted) throw new Error('indexing cancelled: nothing was committed');
      const batch: Array<{ rel: string; hash: string; text: string; chunks: Chunk[] }> = [];
      const replaced: string[] = [];
      // a batch ends at batchFiles files or BATCH_BYTES of source, whichever comes first (statements stay well under PostgreSQL's limits)
      let bytes = 0;
      for (let n = 0; n < batchFiles && bytes < BATCH_BYTES && next < todo.length; n++) {
        const f = todo[next++];
        progress.filesDone++;
        const r = await readSource(f.abs, o.crawl?.maxFileBytes);
        if (!r.ok) {
          skipped.push({ rel: f.rel, reason: r.reason });
          if (known.has(f.rel)) { replaced.push(f.rel); unreadable++; }
          continue;
        }
        const hash = contentHash(r.text);
        if (known.get(f.rel) === hash) continue;
        if (known.has(f.rel)) replaced.push(f.rel);
        const res = await chunker.chunkFileAsync(f.rel, r.text);
        batch.push({ rel: f.rel, hash, text: r.text, chunks: res.chunks });
        bytes += r.text.length;
        changed++;
      }
      const all = batch.flatMap((x) => x.chunks);
      let vectors: StoredVector[] | null = null;
      if (o.embedder && all.length) {
        const v = await vectorsFor(pool, o.embedder, all);
        vectors = v.vectors;
        embedded += v.embedded;
        cached += all.length - v.embedded;
      }
      let at = 0;
      const files: FileToWrite[] = batch.map((x) => {
        const lines = x.text.split(/\r?\n/);
        return {
          path: x.rel, hash: x.hash,
          chunks: x.chunks.map((ch) => ({ chunk: ch, lines: lines.slice(ch.startLine - 1, ch.endLine).join('\n'), vector: vectors ? vectors[at++] : null })),
        };
      });
      // the last batch's statements are done (a failure surfaces here); this one's run while the next is read, chunked and embedded
      await writing;
      writing = write.removeFiles(replaced).then(() => write.addFiles(files));
      writing.catch(() => undefined);
      progress.chunks += all.length;
      o.onProgress?.({ ...progress });
    }
    await writing;
    progress.phase = 'commit';
    o.onProgress?.({ ...progress });
    const after: BranchRow = await write.finish(head);
    const files = Number((await c.query('select count(*)::int as n from sift_files where branch_id = $1', [row.id])).rows[0].n);
    return { row: after, reset, changed, written: write.writtenChunks, files, gone: gone.length + unreadable };
  });
  // vectors of a model no branch is built with any more are of no use to a later run
  await withClient(pool, (c) => c.query(
    'delete from sift_embed_cache where model_hash not in (select model_hash from sift_branches where model_hash is not null)',
  ));
  if (out.written > 0 || out.gone > 0) {
    // mark the new rows all-visible (and refresh the planner's statistics): BM25 then reads postings from the index alone
    await withClient(pool, (c) => c.query('vacuum (analyze) sift_postings, sift_chunks, sift_df'));
  }
  progress.phase = 'done';
  o.onProgress?.({ ...progress });
  return {
    repo: o.repo, branch: o.branch, head: out.row.head, files: out.files, changedFiles: out.changed, removedFiles: out.gone,
    chunksWritten: out.written, embedded, cachedVectors: cached, rebuilt: out.reset, skipped,
    generation: out.row.generation, tookMs: Date.now() - t0,
  };
}
