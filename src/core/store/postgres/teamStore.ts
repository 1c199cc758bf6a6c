// The team index in PostgreSQL, as the server and the CLI use it: searches and
// status of a repository's branch. Each search reads one snapshot (a
// repeatable-read, read-only transaction), so an index commit landing
// meanwhile is seen whole or not at all, and the ranking is the local one
// (search/search.ts) over a PgSearchStore.
import type { Embedder } from '../../embed/embedder';
import { runSearch, type SearchOptions } from '../../search/search';
import type { IndexRef, TeamSearchResponse, TeamStatus } from '../../team/api';
import { BRANCH_COLUMNS, type BranchRow, branchFromRow } from './branchWriter';
import { BranchCaches } from './branchCache';
import { type Client, inTransaction, openPool, type Pool, type PoolOptions, withClient } from './db';
import { NotIndexedError } from './errors';
import { migrate, requireSchema } from './migrate';
import { PgSearchStore, SEARCH_SETUP } from './pgSearchStore';
import { SCHEMA_VERSION } from './schema';

export const DEFAULT_BRANCH = 'main';

const SNAPSHOT = 'isolation level repeatable read read only';

export class TeamStore {
  private readonly caches = new BranchCaches();
  private schemaChecked = false;

  private constructor(readonly pool: Pool) {}

  /** Open a pool on the database (nothing is read yet: the first call finds out whether it answers). */
  static connect(url: string, opts: PoolOptions = {}): TeamStore {
    return new TeamStore(openPool(url, opts));
  }

  /** Bring the schema to this build's version (the indexer does; a server only checks). */
  async migrate(): Promise<number> { return migrate(this.pool); }

  private async ready(): Promise<void> {
    if (this.schemaChecked) return;
    await requireSchema(this.pool);
    this.schemaChecked = true;
  }

  private async branchOn(c: Client, ref: IndexRef): Promise<BranchRow> {
    const branch = ref.branch || DEFAULT_BRANCH;
    const r = await c.query(`select ${BRANCH_COLUMNS} from sift_branches b join sift_repos r on r.id = b.repo_id where r.name = $1 and b.name = $2`, [ref.repo, branch]);
    if (r.rows.length === 0) throw new NotIndexedError(`no team index for ${ref.repo}@${branch}: run sift index --store … --repo ${ref.repo} --branch ${branch} first`);
    return branchFromRow(r.rows[0]);
  }

  /** Why the branch's vectors cannot be searched with this model (null: they can). */
  private modelMismatch(b: BranchRow, embedder: Embedder | null): string | null {
    if (!b.modelHash) return 'the team index was built without an embedding model';
    if (!embedder) return 'no embedding model on this side to embed the query';
    if (embedder.hash !== b.modelHash) return `the team index was built with ${b.modelId}, this side has ${embedder.id}`;
    return null;
  }

  async search(ref: IndexRef, query: string, opts: SearchOptions, embedder: Embedder | null): Promise<TeamSearchResponse> {
    await this.ready();
    return inTransaction(this.pool, async (c) => {
      const b = await this.branchOn(c, ref);
      const cache = await this.caches.get(c, b.id, b.generation);
      const why = this.modelMismatch(b, embedder);
      const store = new PgSearchStore(c, b, cache, why === null);
      const res = await runSearch({ store, embedder: why === null ? embedder : null, roots: [''], partial: false, noModelReason: why ?? undefined }, query, opts);
      return { ...res, repo: b.repo, branch: b.name, head: b.head };
    }, SNAPSHOT, SEARCH_SETUP);
  }

  async status(ref: IndexRef, embedder: Embedder | null): Promise<TeamStatus> {
    await this.ready();
    return inTransaction(this.pool, async (c) => {
      const b = await this.branchOn(c, ref);
      const r = await c.query(
        `select (select count(*) from sift_files where branch_id = $1)::int as files,
                (select count(*) from sift_chunks where branch_id = $1 and embedding is not null)::int as embedded`,
        [b.id],
      );
      const why = this.modelMismatch(b, embedder);
      return {
        repo: b.repo, branch: b.name, head: b.head, files: r.rows[0].files, chunks: b.liveDocs, embedded: r.rows[0].embedded,
        model: b.modelId, mode: why === null ? 'hybrid' : 'keyword', ...(why === null ? {} : { modeReason: why }),
        lastUpdated: b.updatedAt, schemaVersion: SCHEMA_VERSION,
      };
    }, SNAPSHOT);
  }

  /** The repository's id, or null when none has that name. */
  async repoId(name: string): Promise<number | null> {
    return withClient(this.pool, async (c) => {
      const r = await c.query('select id from sift_repos where name = $1', [name]);
      return r.rows.length ? Number(r.rows[0].id) : null;
    });
  }

  async close(): Promise<void> {
    this.caches.clear();
    await this.pool.end();
  }
}
