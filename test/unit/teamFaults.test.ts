// Faults on a real PostgreSQL: the database killed (SIGKILL, all its
// processes) in the middle of an index run, and the `sift index` process
// killed in the middle of its run. Nothing committed is lost, no half-indexed
// commit is ever visible, and the next run finishes the work (the vectors
// embedded before the crash come from the embedding cache).
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadEmbedder, type Embedder } from '../../src/core/embed/embedder';
import { openPool, type Pool } from '../../src/core/store/postgres/db';
import { indexIntoStore } from '../../src/core/store/postgres/teamIndexer';
import { TeamStore } from '../../src/core/store/postgres/teamStore';
import { createToken } from '../../src/core/store/postgres/tokens';
import { buildTestModel } from '../helpers/testModel';
import { freshDatabase, type TestDatabase } from '../helpers/pgDatabase';
import { crashPgSupported, killPg, restartPg } from '../helpers/pgServer';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'chunker');
const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

/** A folder of n Python files, each with a function named after it and its generation. */
function writeFiles(dir: string, n: number, gen: string): void {
  for (let i = 0; i < n; i++) {
    fs.writeFileSync(path.join(dir, `mod${i}.py`), `def handler_${gen}_${i}(request):\n    """Answer request ${i} of ${gen}."""\n    return request.reply(${i})\n`);
  }
}

async function snapshot(pool: Pool): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ['sift_files', 'sift_chunks', 'sift_postings', 'sift_df']) out[t] = (await pool.query(`select count(*)::int as n from ${t}`)).rows[0].n;
  const b = (await pool.query('select generation, live_docs, total_len, next_key from sift_branches')).rows[0];
  return { ...out, generation: Number(b.generation), live: b.live_docs, totalLen: b.total_len, nextKey: b.next_key };
}

/** A branch's generation and live chunk count, as committed. */
async function branchState(pool: Pool, repo: string): Promise<unknown> {
  return (await pool.query('select b.generation, b.live_docs from sift_branches b join sift_repos r on r.id = b.repo_id where r.name = $1', [repo])).rows[0];
}

/** Waits (up to 5 s) until no other sift connection is busy: the server has rolled back what a killed process left open. */
async function otherBackendsIdle(pool: Pool): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const busy = (await pool.query(`select count(*)::int as n from pg_stat_activity where application_name = 'sift' and pid <> pg_backend_pid() and state <> 'idle'`)).rows[0].n;
    if (busy === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('team index faults', function () {
  this.timeout(180_000);
  let db: TestDatabase;
  let embedder: Embedder;
  let modelDir: string;
  const tmp: string[] = [];

  before(async function () {
    if (!crashPgSupported()) this.skip();
    db = await freshDatabase('teamfaults');
    const model = buildTestModel();
    tmp.push(model.dir);
    modelDir = model.dir;
    embedder = await loadEmbedder(model.dir);
  });

  after(async () => {
    await embedder?.dispose();
    await db?.drop();
    for (const d of tmp) fs.rmSync(d, { recursive: true, force: true });
  });

  it('loses nothing committed and shows no half-indexed commit when PostgreSQL is killed mid-index', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-fault-'));
    tmp.push(root);
    writeFiles(root, 40, 'v1');
    let pool = openPool(db.url, { max: 3, statementTimeoutMs: 0 });
    await indexIntoStore(pool, { root, repo: 'r', branch: 'main', embedder, batchFiles: 5 });
    const committed = await snapshot(pool);

    writeFiles(root, 40, 'v2');
    let killed = false;
    const run = indexIntoStore(pool, {
      root, repo: 'r', branch: 'main', embedder, batchFiles: 5,
      onProgress: (p) => {
        // a few batches written inside the run's transaction, and their vectors cached: now the database dies
        if (!killed && p.phase === 'chunk' && p.filesDone >= 20) { killed = true; void killPg(); }
      },
    });
    await assert.rejects(run, (e: Error) => e.name === 'StoreUnavailableError' || /terminat|ECONNRESET|connection/i.test(e.message));
    assert.ok(killed);
    await pool.end().catch(() => undefined);
    await restartPg();

    pool = openPool(db.url, { max: 3, statementTimeoutMs: 0 });
    assert.deepEqual(await snapshot(pool), committed, 'the database is as the last commit left it');
    const store = TeamStore.connect(db.url);
    const v1 = await store.search({ repo: 'r' }, 'handler_v1_3', { k: 1 }, embedder);
    assert.equal(v1.hits[0]?.name, 'handler_v1_3');
    const v2 = await store.search({ repo: 'r' }, 'handler_v2_3', { k: 10, fixedK: true }, embedder);
    assert.ok(!v2.hits.some((h) => h.name.startsWith('handler_v2')), 'nothing of the cut run is visible');
    const cached = (await pool.query('select count(*)::int as n from sift_embed_cache')).rows[0].n;
    assert.ok(cached > committed.sift_chunks, 'the vectors embedded before the crash were kept');

    const again = await indexIntoStore(pool, { root, repo: 'r', branch: 'main', embedder, batchFiles: 5 });
    assert.equal(again.changedFiles, 40);
    assert.ok(again.cachedVectors > 0, 'the next run takes the cut run\'s vectors from the cache');
    assert.equal((await store.search({ repo: 'r' }, 'handler_v2_3', { k: 1 }, embedder)).hits[0]?.name, 'handler_v2_3');
    await store.close();
    await pool.end();
  });

  it('leaves the last commit intact when the sift index process is killed mid-run', async function () {
    if (!fs.existsSync(CLI)) this.skip();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-fault-cli-'));
    tmp.push(root);
    for (const f of fs.readdirSync(FIXTURES)) fs.copyFileSync(path.join(FIXTURES, f), path.join(root, f));
    const pool = openPool(db.url, { max: 2, statementTimeoutMs: 0 });
    await indexIntoStore(pool, { root, repo: 'cli', branch: 'main', embedder });
    const before = await branchState(pool, 'cli');
    writeFiles(root, 300, 'v3');
    const child = spawn(process.execPath, [CLI, 'index', '--store', db.url, '--repo', 'cli', '--model', modelDir, root], { stdio: ['ignore', 'pipe', 'pipe'] });
    // killed as soon as it has begun writing: its transaction is open
    await new Promise<void>((resolve) => {
      const poll = setInterval(async () => {
        const r = await pool.query(`select count(*)::int as n from pg_stat_activity where application_name = 'sift' and pid <> pg_backend_pid() and (state = 'idle in transaction' or query ilike 'insert into sift_%')`);
        if (r.rows[0].n > 0 || child.exitCode !== null) { clearInterval(poll); resolve(); }
      }, 20);
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // the server notices the dead connection and rolls its transaction back
    await otherBackendsIdle(pool);
    const after = await branchState(pool, 'cli');
    assert.deepEqual(after, before);
    const store = TeamStore.connect(db.url);
    const hits = await store.search({ repo: 'cli' }, 'handler_v3_7', { k: 10, fixedK: true }, embedder);
    assert.ok(!hits.hits.some((h) => h.name.startsWith('handler_v3')));
    // the next run is not blocked by the dead one's lock
    const done = await indexIntoStore(pool, { root, repo: 'cli', branch: 'main', embedder });
    assert.equal(done.changedFiles, 300);
    await store.close();
    await pool.end();
  });

  it('leaves the database consistent when sift serve is killed mid-query, and a new server answers the same', async function () {
    if (!fs.existsSync(CLI)) this.skip();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-fault-serve-'));
    tmp.push(root);
    writeFiles(root, 60, 'v4');
    const pool = openPool(db.url, { max: 2, statementTimeoutMs: 0 });
    await indexIntoStore(pool, { root, repo: 'srv', branch: 'main', embedder });
    const token = await createToken(pool, `kill-${Date.now()}`, 'srv');
    const counts = async () => (await pool.query(
      `select (select count(*) from sift_chunks)::int as chunks, (select count(*) from sift_postings)::int as postings,
              (select count(*) from sift_files)::int as files, (select sum(generation)::int from sift_branches) as gens`)).rows[0];
    const before = await counts();
    const serve = (port: number) => {
      const child = spawn(process.execPath, [CLI, 'serve', '--store', db.url, '--listen', `127.0.0.1:${port}`, '--model', modelDir], { stdio: ['ignore', 'ignore', 'pipe'] });
      const up = new Promise<void>((resolve, reject) => {
        let log = '';
        child.stderr!.on('data', (d: Buffer) => { log += d.toString(); if (/team server on http/.test(log)) resolve(); });
        child.once('exit', (code) => reject(new Error(`sift serve exited (${code}): ${log}`)));
      });
      return { child, up };
    };
    const port = 20000 + Math.floor(Math.random() * 20000);
    const search = (q: string) => fetch(`http://127.0.0.1:${port}/v1/search`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ repo: 'srv', query: q, k: 5 }),
    });
    const first = serve(port);
    await first.up;
    const answer = await (await search('handler_v4_7')).json() as { hits: Array<{ name: string }> };
    assert.equal(answer.hits[0]?.name, 'handler_v4_7');
    // many searches in flight, then SIGKILL: no clean shutdown, connections cut mid-statement
    const inFlight = Array.from({ length: 40 }, (_, i) => search(`answer request ${i}`).then(() => 'answered', () => 'cut'));
    await new Promise((r) => setTimeout(r, 30));
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    const outcomes = await Promise.all(inFlight);
    assert.ok(outcomes.includes('cut'), 'some searches were cut by the kill');
    // the server's backends go away with their read-only transactions; nothing it held stays
    await otherBackendsIdle(pool);
    assert.deepEqual(await counts(), before, 'the database is as it was');
    const second = serve(port);
    await second.up;
    const again = await (await search('handler_v4_7')).json() as { hits: Array<{ name: string }> };
    assert.deepEqual(again.hits.map((h) => h.name), answer.hits.map((h) => h.name));
    // and a writer is not blocked by anything the killed server held
    writeFiles(root, 61, 'v4');
    assert.equal((await indexIntoStore(pool, { root, repo: 'srv', branch: 'main', embedder })).changedFiles, 1);
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
    await pool.end();
  });
});
