// Bearer tokens of the team server (core/store/postgres/tokens.ts) and
// `sift token`, against a real PostgreSQL 16 + pgvector (test/helpers/pgServer.ts),
// in a database of this file's own. Repositories come from the real indexer.
import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs, UsageError } from '../../src/cli/args';
import { cmdToken } from '../../src/cli/team/tokenCommand';
import { StoreUnavailableError } from '../../src/core/store/postgres/errors';
import { indexIntoStore } from '../../src/core/store/postgres/teamIndexer';
import { TeamStore } from '../../src/core/store/postgres/teamStore';
import { createToken, listTokens, revokeToken, TokenError, verifyToken } from '../../src/core/store/postgres/tokens';
import { freshDatabase } from '../helpers/pgDatabase';

const HOSTILE_NAMES = [
  `'; drop table sift_chunks; --`,
  `Robert'); drop table sift_tokens;--`,
  `"quoted" \\ back\\slash`,
  'ünïcödé 検索 🚀',
  `$1 $2 %s %n`,
];

describe('team tokens (PostgreSQL)', function () {
  this.timeout(120_000);
  let url: string;
  let store: TeamStore;
  let tmp: string;

  before(async () => {
    url = (await freshDatabase('sift_tokens_test')).url;
    store = TeamStore.connect(url);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-tokens-'));
    fs.mkdirSync(path.join(tmp, 'src'));
    fs.writeFileSync(path.join(tmp, 'src', 'slug.py'), 'def slugify(title):\n    """Turn a title into a URL slug."""\n    return "-".join(title.lower().split())\n');
    // the real indexer creates the schema and the repository row
    await indexIntoStore(store.pool, { root: tmp, repo: 'alpha', branch: 'main', embedder: null, head: 'c0ffee' });
  });
  after(async () => {
    await store?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function count(table: string): Promise<number> {
    return Number((await store.pool.query(`select count(*)::int as n from ${table}`)).rows[0].n);
  }

  it('creates a token of 32 random bytes and keeps only its SHA-256', async () => {
    const token = await createToken(store.pool, 'ci', null);
    assert.match(token, /^sift_[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(token.slice(5), 'base64url').length, 32);
    const rows = (await store.pool.query(`select t::text as row, token_hash from sift_tokens t where name = 'ci'`)).rows;
    assert.equal(rows.length, 1);
    assert.ok(!rows[0].row.includes(token.slice(5)), 'the token itself is not stored');
    assert.deepEqual(rows[0].token_hash, createHash('sha256').update(token).digest());
    const who = await verifyToken(store.pool, token);
    assert.deepEqual(who, { id: who!.id, name: 'ci', repoId: null, repo: null });
    assert.notEqual(await createToken(store.pool, 'ci-2', null), token);
  });

  it('verifies nothing that is malformed, unknown or revoked', async () => {
    const token = await createToken(store.pool, 'short-lived', null);
    const unknown = 'sift_' + randomBytes(32).toString('base64url');
    for (const bad of ['', 'sift_', token + 'x', token.slice(0, -1), token.toUpperCase(), ` ${token}`, `${token}\u0000`, 'x'.repeat(100_000), unknown, token.replace('sift_', 'SIFT_')]) {
      assert.equal(await verifyToken(store.pool, bad), null, `${JSON.stringify(bad.slice(0, 60))} is not a token`);
    }
    assert.ok(await verifyToken(store.pool, token));
    const gone = await revokeToken(store.pool, 'short-lived');
    assert.equal(gone?.name, 'short-lived');
    assert.equal(await verifyToken(store.pool, token), null);
    assert.equal(await revokeToken(store.pool, 'short-lived'), null, 'nothing left to revoke');
  });

  it('revokes by id, and lets a revoked name be used again', async () => {
    const first = await createToken(store.pool, 'reused', null);
    await assert.rejects(createToken(store.pool, 'reused', null), (e: Error) => e instanceof TokenError && /exists already/.test(e.message));
    const id = (await verifyToken(store.pool, first))!.id;
    assert.equal((await revokeToken(store.pool, String(id)))?.id, id);
    const second = await createToken(store.pool, 'reused', null);
    assert.equal(await verifyToken(store.pool, first), null);
    assert.equal((await verifyToken(store.pool, second))?.name, 'reused');
    const listed = (await listTokens(store.pool)).filter((t) => t.name === 'reused');
    assert.equal(listed.length, 2);
    assert.ok(listed[0].revokedAt && !listed[1].revokedAt);
  });

  it('scopes a token to an indexed repository and refuses one not indexed, creating nothing', async () => {
    const token = await createToken(store.pool, 'alpha-only', 'alpha');
    const who = await verifyToken(store.pool, token);
    assert.equal(who?.repo, 'alpha');
    assert.equal(typeof who?.repoId, 'number');
    const repos = await count('sift_repos');
    await assert.rejects(createToken(store.pool, 'typo', 'alhpa'), (e: Error) => e instanceof TokenError && /no repository "alhpa".*index it first/.test(e.message));
    assert.equal(await count('sift_repos'), repos, 'no repository row was made up');
    assert.equal((await listTokens(store.pool)).some((t) => t.name === 'typo'), false);
  });

  it('takes hostile names as plain data and refuses control characters, digits-only and overlong names', async () => {
    const chunks = await count('sift_chunks');
    for (const name of HOSTILE_NAMES) {
      const token = await createToken(store.pool, name, null);
      assert.equal((await verifyToken(store.pool, token))?.name, name);
      assert.equal((await revokeToken(store.pool, name))?.name, name);
    }
    await assert.rejects(createToken(store.pool, 'x', `'; drop table sift_repos; --`), TokenError);
    for (const bad of ['', 'nul\u0000byte', 'new\nline', '12345', 'x'.repeat(101)]) {
      await assert.rejects(createToken(store.pool, bad, null), TokenError, JSON.stringify(bad.slice(0, 20)));
    }
    assert.equal(await revokeToken(store.pool, 'nul\u0000byte'), null);
    assert.equal(await count('sift_chunks'), chunks);
    assert.ok(await store.repoId('alpha'));
    const names = (await listTokens(store.pool)).map((t) => t.name);
    for (const name of HOSTILE_NAMES) assert.ok(names.includes(name), name);
  });

  it('says the database is unavailable instead of calling a token unknown', async () => {
    const nowhere = TeamStore.connect('postgres://sift:x@127.0.0.1:1/sift', { connectTimeoutMs: 1000 });
    try {
      await assert.rejects(verifyToken(nowhere.pool, 'sift_' + randomBytes(32).toString('base64url')), StoreUnavailableError);
    } finally {
      await nowhere.close();
    }
  });

  describe('sift token', () => {
    function io() {
      const out: string[] = [];
      const err: string[] = [];
      return { out, err, io: { out: (t: string) => { out.push(t); }, err: (t: string) => { err.push(t); } } };
    }
    const run = (argv: string[], x: ReturnType<typeof io>) => cmdToken(parseArgs(['token', ...argv]), x.io);

    it('creates (token on the last line of stdout), lists and revokes', async () => {
      const c = io();
      assert.equal(await run(['create', '--store', url, '--name', 'laptop', '--repo', 'alpha'], c), 0);
      const token = c.out.join('').trim().split('\n').at(-1)!;
      assert.match(token, /^sift_[A-Za-z0-9_-]{43}$/);
      assert.match(c.err.join(''), /shown once/);
      assert.equal((await verifyToken(store.pool, token))?.repo, 'alpha');

      const l = io();
      assert.equal(await run(['list', '--store', url, '--json'], l), 0);
      const listed = JSON.parse(l.out.join('')) as Array<{ name: string; repo: string | null }>;
      assert.ok(listed.some((t) => t.name === 'laptop' && t.repo === 'alpha'));
      assert.ok(!l.out.join('').includes(token.slice(5)), 'list never shows a token');

      const r = io();
      assert.equal(await run(['revoke', '--store', url, 'laptop'], r), 0);
      assert.match(r.out.join(''), /revoked token \d+ "laptop"/);
      assert.equal(await verifyToken(store.pool, token), null);
      const again = io();
      assert.equal(await run(['revoke', '--store', url, 'laptop'], again), 1);
      assert.match(again.err.join(''), /no token "laptop"/);
    });

    it('refuses bad use with usage errors', async () => {
      await assert.rejects(run(['create', '--store', url], io()), (e: Error) => e instanceof UsageError && /--name/.test(e.message));
      await assert.rejects(run(['create', '--store', url, '--name', 'x', '--repo', 'nope'], io()), (e: Error) => e instanceof UsageError && /index it first/.test(e.message));
      await assert.rejects(run(['create', '--store', 'mysql://x', '--name', 'x'], io()), UsageError);
      await assert.rejects(run(['rotate', '--store', url], io()), UsageError);
      await assert.rejects(run(['revoke', '--store', url], io()), UsageError);
    });

    it('refuses a database without the sift schema, saying what to run', async () => {
      const empty = (await freshDatabase('sift_tokens_empty')).url;
      await assert.rejects(run(['list', '--store', empty], io()), /no sift schema yet.*sift index --store/);
    });
  });
});
