// The team index on a real PostgreSQL + pgvector (test/helpers/pgServer.ts):
// the same answers as the local engine, updates by content hash and by commit
// range, several repositories and branches, the schema's version, one writer
// per branch, snapshots, and hostile input.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { loadEmbedder, type Embedder } from '../../src/core/embed/embedder';
import { Engine } from '../../src/core/engine';
import { BranchWrite, openBranchForWrite } from '../../src/core/store/postgres/branchWriter';
import { BranchCaches } from '../../src/core/store/postgres/branchCache';
import { inTransaction, openPool, type Pool } from '../../src/core/store/postgres/db';
import { BranchBusyError, NotIndexedError, SchemaError } from '../../src/core/store/postgres/errors';
import { migrate, schemaVersion } from '../../src/core/store/postgres/migrate';
import { SCHEMA_VERSION, vectorIndexName } from '../../src/core/store/postgres/schema';
import { indexIntoStore } from '../../src/core/store/postgres/teamIndexer';
import { TeamStore } from '../../src/core/store/postgres/teamStore';
import type { SearchHit } from '../../src/core/types';
import { CHUNKER_VERSION } from '../../src/core/chunk/chunker';
import { buildTestModel } from '../helpers/testModel';
import { freshDatabase, type TestDatabase } from '../helpers/pgDatabase';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'chunker');

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' }).trim();
}

/** A git work tree holding the chunker fixtures, committed. */
function fixtureRepo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-team-'));
  for (const f of fs.readdirSync(FIXTURES)) fs.copyFileSync(path.join(FIXTURES, f), path.join(dir, f));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'fixtures');
  return dir;
}

const where = (h: SearchHit) => `${h.file}:${h.startLine}-${h.endLine}:${h.name}`;

const QUERIES = [
  'parse a duration like 5m into seconds', 'token bucket rate limit', 'TokenBucket', 'take', 'retry with backoff',
  'read a file from disk', 'http request handler', 'sort by key', 'class', 'hash the password', 'parse_duration',
  "it's a 'quoted' query; drop table sift_chunks; --", 'zzzz unknown words qqqq',
];

describe('team index on PostgreSQL', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let pool: Pool;
  let store: TeamStore;
  let embedder: Embedder;
  let repo: string;
  const tmp: string[] = [];

  before(async () => {
    db = await freshDatabase('teamstore');
    pool = openPool(db.url, { max: 4, statementTimeoutMs: 0 });
    store = TeamStore.connect(db.url, { max: 4 });
    const model = buildTestModel();
    tmp.push(model.dir);
    embedder = await loadEmbedder(model.dir);
    repo = fixtureRepo();
    tmp.push(repo);
  });

  after(async () => {
    await store?.close();
    await pool?.end();
    await embedder?.dispose();
    await db?.drop();
    for (const d of tmp) fs.rmSync(d, { recursive: true, force: true });
  });

  it('creates its schema at the current version, and refuses a database newer than it reads', async () => {
    assert.equal(await schemaVersion(pool), 0);
    assert.equal(await migrate(pool), 0);
    assert.equal(await schemaVersion(pool), SCHEMA_VERSION);
    assert.equal(await migrate(pool), SCHEMA_VERSION, 'a second migrate has nothing to do');
    await pool.query(`update sift_meta set value = $1 where key = 'schema_version'`, [String(SCHEMA_VERSION + 1)]);
    try {
      await assert.rejects(migrate(pool), SchemaError);
      const fresh = TeamStore.connect(db.url);
      await assert.rejects(fresh.search({ repo: 'x' }, 'q', {}, null), SchemaError);
      await fresh.close();
    } finally {
      await pool.query(`update sift_meta set value = $1 where key = 'schema_version'`, [String(SCHEMA_VERSION)]);
    }
  });

  it('answers every query with the local engine\'s hits, in its order, with its scores', async () => {
    const stats = await indexIntoStore(pool, { root: repo, repo: 'fixtures', branch: 'main', embedder });
    assert.equal(stats.changedFiles, fs.readdirSync(FIXTURES).length);
    assert.equal(stats.head, git(repo, 'rev-parse', 'HEAD'));
    const indexDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-team-local-'));
    tmp.push(indexDir);
    const engine = await Engine.open({ roots: [repo], indexDir, embedder, chunkThreads: 0 });
    await engine.index();
    assert.equal(stats.chunksWritten, engine.chunkCount);
    for (const q of QUERIES) {
      for (const opts of [{ k: 10, fixedK: true }, { k: 10 }, { k: 5, languages: ['python' as const] }, { k: 10, pathFilter: '*.ts' }]) {
        const local = await engine.search(q, opts);
        const team = await store.search({ repo: 'fixtures' }, q, opts, embedder);
        assert.deepEqual(team.hits.map(where), local.hits.map(where), `${q} ${JSON.stringify(opts)}`);
        assert.deepEqual(team.hits.map((h) => h.score), local.hits.map((h) => h.score), `scores of ${q}`);
        assert.deepEqual(team.hits.map((h) => h.snippet), local.hits.map((h) => h.snippet), `snippets of ${q}`);
        assert.equal(team.noRelevant, local.noRelevant);
        assert.equal(team.mode, 'hybrid');
      }
    }
    await engine.close();
  });

  it('searches the branch through its HNSW index', async () => {
    const r = await pool.query(`select b.id, b.dim from sift_branches b join sift_repos r on r.id = b.repo_id where r.name = 'fixtures'`);
    const { id, dim } = r.rows[0];
    const c = await pool.connect();
    try {
      await c.query('begin');
      await c.query('set local enable_seqscan = off');
      await c.query('set local enable_sort = off');
      const q = `[${new Array(dim).fill(0).map((_, i) => (i === 0 ? 1 : 0)).join(',')}]`;
      const plan = await c.query(`explain select key from sift_chunks where branch_id = $1 order by embedding::vector(${dim}) <=> $2::vector(${dim}) limit 10`, [id, q]);
      await c.query('rollback');
      assert.match(plan.rows.map((x) => x['QUERY PLAN']).join('\n'), new RegExp(vectorIndexName(id)));
    } finally {
      c.release();
    }
  });

  it('updates by content hash: an unchanged file is not written again, a changed one is, a deleted one goes', async () => {
    const before = await store.status({ repo: 'fixtures' }, embedder);
    fs.appendFileSync(path.join(repo, 'sample.py'), '\n\ndef compute_invoice_total(lines):\n    """Sum the invoice lines."""\n    return sum(l.amount for l in lines)\n');
    fs.rmSync(path.join(repo, 'sample.rb'));
    const stats = await indexIntoStore(pool, { root: repo, repo: 'fixtures', branch: 'main', embedder });
    assert.equal(stats.changedFiles, 1);
    assert.equal(stats.removedFiles, 1);
    assert.ok(stats.cachedVectors > 0, 'the unchanged chunks of the changed file come from the embedding cache');
    const after = await store.status({ repo: 'fixtures' }, embedder);
    assert.equal(after.files, before.files - 1);
    const hit = (await store.search({ repo: 'fixtures' }, 'compute_invoice_total', { k: 3 }, embedder)).hits[0];
    assert.equal(hit?.name, 'compute_invoice_total');
    const rb = await store.search({ repo: 'fixtures' }, 'ruby', { k: 50, fixedK: true }, embedder);
    assert.ok(!rb.hits.some((h) => h.file === 'sample.rb'), 'no hit in the deleted file');
    // the embedding cache keeps the vectors of models some branch uses, and only those
    await pool.query(`insert into sift_embed_cache (model_hash, text_hash, embedding) values ('a-model-gone', '\\x00', '[1,2]')`);
    const again = await indexIntoStore(pool, { root: repo, repo: 'fixtures', branch: 'main', embedder });
    assert.equal(again.changedFiles, 0);
    assert.equal(again.chunksWritten, 0);
    const models = (await pool.query('select distinct model_hash from sift_embed_cache')).rows.map((r) => r.model_hash);
    assert.deepEqual(models, [embedder.hash]);
  });

  it('with --git-diff looks only at the paths the commit range touched', async () => {
    const from = git(repo, 'rev-parse', 'HEAD');
    fs.writeFileSync(path.join(repo, 'billing.ts'), 'export function refundPayment(id: string) {\n  return `refund ${id}`;\n}\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'billing');
    const to = git(repo, 'rev-parse', 'HEAD');
    // a change outside the range stays out of the team index
    fs.appendFileSync(path.join(repo, 'sample.go'), '\nfunc uncommittedHelper() {}\n');
    const stats = await indexIntoStore(pool, { root: repo, repo: 'fixtures', branch: 'main', embedder, gitDiff: { from, to } });
    assert.equal(stats.head, to);
    // the commit also holds the last test's edits to sample.py and sample.rb, which the team index already has
    assert.deepEqual([stats.changedFiles, stats.removedFiles], [1, 0]);
    const names = (await store.search({ repo: 'fixtures' }, 'uncommittedHelper', { k: 10, fixedK: true }, embedder)).hits.map((h) => h.name);
    assert.ok(!names.includes('uncommittedHelper'));
    assert.equal((await store.search({ repo: 'fixtures' }, 'refundPayment', { k: 1 }, embedder)).hits[0]?.name, 'refundPayment');
    await assert.rejects(indexIntoStore(pool, { root: repo, repo: 'fixtures', branch: 'main', embedder, gitDiff: { from: 'nosuchcommit', to } }), /not a commit/);
  });

  it('keeps repositories and branches apart in one database', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-team-other-'));
    tmp.push(other);
    fs.writeFileSync(path.join(other, 'only_here.py'), 'def launch_rocket(fuel):\n    return fuel > 10\n');
    await indexIntoStore(pool, { root: other, repo: 'rockets', branch: 'main', embedder });
    await indexIntoStore(pool, { root: other, repo: 'fixtures', branch: 'feature/x', embedder });
    const inFixtures = await store.search({ repo: 'fixtures', branch: 'main' }, 'launch_rocket', { k: 10, fixedK: true }, embedder);
    assert.ok(!inFixtures.hits.some((h) => h.name === 'launch_rocket'));
    const inFeature = await store.search({ repo: 'fixtures', branch: 'feature/x' }, 'launch_rocket', { k: 10, fixedK: true }, embedder);
    assert.deepEqual(inFeature.hits.map((h) => h.file), ['only_here.py']);
    const rockets = await store.status({ repo: 'rockets' }, embedder);
    assert.equal(rockets.files, 1);
    await assert.rejects(store.search({ repo: 'rockets', branch: 'nope' }, 'x', {}, embedder), NotIndexedError);
    await assert.rejects(store.search({ repo: 'nope' }, 'x', {}, embedder), NotIndexedError);
  });

  it('searches keyword-only, saying why, when its model is not the one the branch was built with', async () => {
    const res = await store.search({ repo: 'fixtures' }, 'TokenBucket', { k: 3 }, null);
    assert.equal(res.mode, 'keyword');
    assert.match(res.modeReason ?? '', /no embedding model/);
    assert.equal(res.hits[0]?.name, 'TokenBucket');
  });

  it('lets one writer at a time write a branch', async () => {
    await inTransaction(pool, async (c) => {
      await openBranchForWrite(c, 'fixtures', 'main', { id: embedder.id, hash: embedder.hash, dim: embedder.dim }, CHUNKER_VERSION);
      await assert.rejects(indexIntoStore(pool, { root: repo, repo: 'fixtures', branch: 'main', embedder }), BranchBusyError);
    });
  });

  it('shows readers nothing of a write until it commits', async () => {
    const c = await pool.connect();
    try {
      await c.query('begin');
      const { row } = await openBranchForWrite(c, 'fixtures', 'main', { id: embedder.id, hash: embedder.hash, dim: embedder.dim }, CHUNKER_VERSION);
      const w = new BranchWrite(c, row);
      await w.removeFiles(['sample.py']);
      await w.finish(null);
      // another connection still sees sample.py
      const res = await store.search({ repo: 'fixtures' }, 'TokenBucket', { k: 1 }, embedder);
      assert.equal(res.hits[0]?.file, 'sample.py');
      await c.query('rollback');
    } finally {
      c.release();
    }
    const after = await store.search({ repo: 'fixtures' }, 'TokenBucket', { k: 1 }, embedder);
    assert.equal(after.hits[0]?.file, 'sample.py', 'rolled back: nothing changed');
  });

  it('takes hostile names, paths and queries as data', async () => {
    const evil = ["x'; drop table sift_chunks; --", 'a"b', 'robert\'); delete from sift_files; --', '%_\\', 'ünï©ødé 🚀', '$1 $2'];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-team-evil-'));
    tmp.push(dir);
    fs.mkdirSync(path.join(dir, "it's; drop table x"), { recursive: true });
    fs.writeFileSync(path.join(dir, "it's; drop table x", "o'neil.py"), 'def quote_me():\n    return "\'; drop table sift_postings; --"\n');
    for (const name of evil) {
      await indexIntoStore(pool, { root: dir, repo: name, branch: name, embedder });
      const res = await store.search({ repo: name, branch: name }, name, { k: 5, fixedK: true, pathFilter: name }, embedder);
      assert.ok(Array.isArray(res.hits));
      const q = await store.search({ repo: name, branch: name }, 'quote_me', { k: 1, pathPrefix: "it's; drop table x" }, embedder);
      assert.equal(q.hits[0]?.file, "it's; drop table x/o'neil.py");
    }
    for (const t of ['sift_chunks', 'sift_files', 'sift_postings', 'sift_df', 'sift_repos', 'sift_branches']) {
      assert.ok((await pool.query(`select count(*)::int as n from ${t}`)).rows[0].n > 0, `${t} is intact`);
    }
    await assert.rejects(store.search({ repo: 'fixtures' }, '   ', {}, embedder), /empty query/);
  });

  it('keeps words too long for a B-tree entry, and answers as the local engine does for them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-team-long-'));
    tmp.push(dir);
    const long = 'blob' + 'q'.repeat(1500); // past LONG_TERM_BYTES, within a query's 2,000 characters
    fs.writeFileSync(path.join(dir, 'data.py'), `PAYLOAD = "${long}"\n\ndef ${long}_reader():\n    return PAYLOAD\n`);
    const stats = await indexIntoStore(pool, { root: dir, repo: 'long', branch: 'main', embedder });
    assert.equal(stats.files, 1);
    const indexDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-team-local-'));
    tmp.push(indexDir);
    const engine = await Engine.open({ roots: [dir], indexDir, embedder, chunkThreads: 0 });
    await engine.index();
    for (const q of [long, `${long}_reader`, `read ${long}`]) {
      const local = await engine.search(q, { k: 5, fixedK: true });
      const team = await store.search({ repo: 'long' }, q, { k: 5, fixedK: true }, embedder);
      assert.deepEqual(team.hits.map((h) => [where(h), h.score]), local.hits.map((h) => [where(h), h.score]));
    }
    const n = (await pool.query(`select count(*)::int as n from sift_postings where term like '#sha256:%'`)).rows[0].n;
    assert.ok(n > 0, 'the long words are stored by their hash');
    await engine.close();
  });

  it('keeps the caches of a bounded number of branches, each at its newest generation', async () => {
    const rows = (await pool.query('select id, generation from sift_branches order by id')).rows.map((r) => ({ id: Number(r.id), gen: Number(r.generation) }));
    assert.ok(rows.length >= 3);
    const caches = new BranchCaches(2);
    const c = await pool.connect();
    try {
      const first = await caches.get(c, rows[0].id, rows[0].gen);
      assert.equal(await caches.get(c, rows[0].id, rows[0].gen), first, 'the same generation: the same cache');
      await caches.get(c, rows[1].id, rows[1].gen);
      await caches.get(c, rows[2].id, rows[2].gen);
      assert.equal(caches.size, 2);
      const again = await caches.get(c, rows[0].id, rows[0].gen);
      assert.notEqual(again, first, 'the least recently searched branch was let go and loads anew');
      const newer = await caches.get(c, rows[0].id, rows[0].gen + 1);
      assert.equal(newer.generation, rows[0].gen + 1, 'a new generation loads anew');
    } finally {
      c.release();
    }
  });

  it('refuses a URL that is not PostgreSQL\'s, and says the database is unavailable when nothing listens', async () => {
    assert.throws(() => openPool('mysql://x'), /not a PostgreSQL URL/);
    const dead = TeamStore.connect('postgres://sift:pw@127.0.0.1:1/sift', { connectTimeoutMs: 1000 });
    await assert.rejects(dead.search({ repo: 'x' }, 'q', {}, null), (e: Error) => e.name === 'StoreUnavailableError' && /unavailable/.test(e.message));
    await dead.close();
    void pg;
  });
});
