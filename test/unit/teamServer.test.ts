// The team server (src/cli/team/server.ts) over a real PostgreSQL 16 +
// pgvector (test/helpers/pgServer.ts), in a database of this file's own,
// filled by the real indexer (keyword only: no model). Requests go over HTTP
// with fetch, as a client's would.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { LANGUAGES, SERVER_LIMITS } from '../../src/cli/team/limits';
import { TeamServer } from '../../src/cli/team/server';
import { indexIntoStore } from '../../src/core/store/postgres/teamIndexer';
import { TeamStore } from '../../src/core/store/postgres/teamStore';
import { createToken, revokeToken } from '../../src/core/store/postgres/tokens';
import { API_LIMITS, type ApiError, type TeamSearchResponse, type TeamStatus } from '../../src/core/team/api';
import { crashPgSupported, startPg } from '../helpers/pgServer';
import { freshDatabase } from '../helpers/pgDatabase';

const RETRY = '/** Retry a failing call with exponential backoff. */\nexport async function retryWithBackoff(fn: () => Promise<void>, attempts = 3) {\n  for (let i = 0; i < attempts; i++) {\n    try { return await fn(); } catch { await new Promise((r) => setTimeout(r, 2 ** i * 100)); }\n  }\n}\n';
const SLUG = 'def slugify(title):\n    """Turn a title into a URL slug: lower case, words joined by dashes."""\n    return "-".join(title.lower().split())\n';

/** A long file name: a backtracking path filter would take seconds on it. */
const LONG_PATH = `src/${'a'.repeat(80)}.txt`;

interface Answer<T = unknown> { status: number; headers: Headers; body: T }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('team server (PostgreSQL)', function () {
  this.timeout(120_000);
  let dbUrl: string;
  let tmp: string;
  let all: string; // every repository
  let alphaOnly: string;
  let revoked: string;
  const opened: Array<{ server: TeamServer; store: TeamStore }> = [];
  let base: string;
  let server: TeamServer;
  let logs: string[];

  /** A server on a free loopback port over its own store. */
  async function serve(opts: Partial<ConstructorParameters<typeof TeamServer>[0]> & { statementTimeoutMs?: number } = {}) {
    const store = TeamStore.connect(dbUrl, { max: 8, statementTimeoutMs: opts.statementTimeoutMs, connectTimeoutMs: 2000 });
    const lines: string[] = [];
    const s = new TeamServer({ store, embedder: null, log: (l) => lines.push(l), ...opts });
    const addr = await s.listen('127.0.0.1', 0);
    opened.push({ server: s, store });
    return { server: s, store, lines, base: `http://127.0.0.1:${addr.port}` };
  }

  async function call<T = unknown>(method: string, route: string, o: { token?: string; body?: unknown; raw?: string | Buffer; headers?: Record<string, string>; at?: string } = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...o.headers };
    let body: string | Buffer | undefined = o.raw;
    if (o.body !== undefined) { body = JSON.stringify(o.body); headers['content-type'] ??= 'application/json'; }
    const res = await fetch(`${o.at ?? base}${route}`, { method, headers, body });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }
  const search = (token: string | undefined, body: unknown, at?: string) => call<TeamSearchResponse & ApiError>('POST', '/v1/search', { token, body, at });

  async function tableCounts(): Promise<Record<string, number>> {
    const c = new Client({ connectionString: dbUrl });
    await c.connect();
    try {
      const out: Record<string, number> = {};
      for (const t of ['sift_repos', 'sift_branches', 'sift_files', 'sift_chunks', 'sift_postings', 'sift_tokens', 'sift_meta']) {
        out[t] = Number((await c.query(`select count(*)::int as n from ${t}`)).rows[0].n);
      }
      return out;
    } finally {
      await c.end();
    }
  }

  /** Hold an exclusive lock on sift_branches (every search reads it first) until the returned function is called. */
  async function blockSearches(): Promise<() => Promise<void>> {
    const c = new Client({ connectionString: dbUrl });
    await c.connect();
    await c.query('begin');
    await c.query('lock table sift_branches in access exclusive mode');
    return async () => { await c.query('commit'); await c.end(); };
  }

  before(async () => {
    dbUrl = (await freshDatabase('sift_server_test')).url;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-team-server-'));
    for (const [repo, files] of [['alpha', { 'src/retry.ts': RETRY, 'src/slug.py': SLUG, [LONG_PATH]: 'retry once more\n' }], ['beta', { 'lib/slug.py': SLUG }]] as const) {
      const root = path.join(tmp, repo);
      for (const [rel, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        fs.writeFileSync(path.join(root, rel), text);
      }
      const store = TeamStore.connect(dbUrl);
      try {
        await indexIntoStore(store.pool, { root, repo, branch: 'main', embedder: null, head: `${repo}-head` });
        all ??= await createToken(store.pool, 'everything', null);
        if (repo === 'alpha') {
          alphaOnly = await createToken(store.pool, 'alpha only', 'alpha');
          revoked = await createToken(store.pool, 'gone', null);
          await revokeToken(store.pool, 'gone');
        }
      } finally {
        await store.close();
      }
    }
    ({ server, lines: logs, base } = await serve());
  });
  after(async () => {
    for (const { server: s, store } of opened.splice(0)) { await s.stop(); await store.close(); }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe('authentication', () => {
    it('answers 401 with WWW-Authenticate and no results without a token', async () => {
      const r = await search(undefined, { repo: 'alpha', query: 'retry with backoff' });
      assert.equal(r.status, 401);
      assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.equal(r.body.error.code, 'unauthorized');
      assert.equal(r.body.hits, undefined);
      const s = await call<ApiError>('GET', '/v1/status?repo=alpha');
      assert.equal(s.status, 401);
    });

    it('answers 401 to an unknown token, a malformed header and a revoked token', async () => {
      const unknown = 'sift_' + randomBytes(32).toString('base64url');
      for (const token of [unknown, revoked, 'not-a-token', all + 'x']) {
        const r = await search(token, { repo: 'alpha', query: 'retry' });
        assert.equal(r.status, 401, token.slice(0, 8));
        assert.equal(r.body.hits, undefined);
      }
      const basic = await call<ApiError>('POST', '/v1/search', { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, body: { repo: 'alpha', query: 'x' } });
      assert.equal(basic.status, 401);
      assert.match(basic.headers.get('www-authenticate') ?? '', /^Bearer/);
    });

    it('refuses a token revoked while cached once its cache time is over', async () => {
      const s = await serve({ tokenTtlMs: 400 });
      const pool = s.store.pool;
      const token = await createToken(pool, 'soon revoked', null);
      assert.equal((await search(token, { repo: 'alpha', query: 'retry' }, s.base)).status, 200);
      await revokeToken(pool, 'soon revoked');
      await sleep(450);
      const r = await search(token, { repo: 'alpha', query: 'retry' }, s.base);
      assert.equal(r.status, 401);
      assert.equal(r.body.hits, undefined);
    });

    it('gives a repository token its repository and 403 for any other, existing or not, alike', async () => {
      const ok = await search(alphaOnly, { repo: 'alpha', query: 'retry with backoff' });
      assert.equal(ok.status, 200);
      const beta = await search(alphaOnly, { repo: 'beta', query: 'slug' });
      const none = await search(alphaOnly, { repo: 'no-such-repo', query: 'slug' });
      assert.equal(beta.status, 403);
      assert.equal(none.status, 403);
      assert.deepEqual(beta.body, none.body, 'the answer does not say whether the repository exists');
      assert.equal(beta.body.hits, undefined);
      assert.equal((await call('GET', '/v1/status?repo=beta', { token: alphaOnly })).status, 403);
      assert.equal((await call('POST', '/v1/similar', { token: alphaOnly, body: { repo: 'beta', code: SLUG } })).status, 403);
      // a token for every repository learns that one does not exist
      const missing = await search(all, { repo: 'no-such-repo', query: 'slug' });
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error.code, 'not_found');
    });

    it('needs no token for /healthz', async () => {
      const r = await call<{ status: string; database: string }>('GET', '/healthz');
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { status: 'ok', database: 'up' });
    });
  });

  describe('answers', () => {
    it('searches an indexed branch', async () => {
      const r = await search(all, { repo: 'alpha', query: 'retry a failing call with exponential backoff', k: 3 });
      assert.equal(r.status, 200);
      assert.equal(r.body.repo, 'alpha');
      assert.equal(r.body.branch, 'main');
      assert.equal(r.body.head, 'alpha-head');
      assert.equal(r.body.mode, 'keyword');
      assert.equal(r.body.partial, false);
      assert.ok(r.body.hits.length >= 1 && r.body.hits.length <= 3);
      assert.equal(r.body.hits[0].file, 'src/retry.ts');
      assert.equal(r.body.hits[0].root, '');
      // where an editor lands: the name on its declaration line, worked out by the server
      const at = RETRY.split('\n')[1].indexOf('retryWithBackoff');
      assert.equal(r.body.hits[0].declLine, 2);
      assert.deepEqual(r.body.hits[0].declColumns, [at, at + 'retryWithBackoff'.length]);
      assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
    });

    it('applies filters: languages and path', async () => {
      const py = await search(all, { repo: 'alpha', query: 'slug title retry', languages: ['python'], showWeak: true });
      assert.equal(py.status, 200);
      assert.ok(py.body.hits.length > 0 && py.body.hits.every((h) => h.language === 'python'));
      const nothing = await search(all, { repo: 'alpha', query: 'retry', pathPrefix: 'docs/' });
      assert.equal(nothing.status, 200);
      assert.equal(nothing.body.hits.length, 0);
    });

    it('finds code similar to a snippet', async () => {
      const r = await call<TeamSearchResponse>('POST', '/v1/similar', { token: all, body: { repo: 'beta', code: SLUG } });
      assert.equal(r.status, 200);
      assert.equal(r.body.repo, 'beta');
      assert.equal(r.body.hits[0]?.file, 'lib/slug.py');
    });

    it('tells a branch\'s status', async () => {
      const r = await call<TeamStatus>('GET', '/v1/status?repo=alpha&branch=main', { token: alphaOnly });
      assert.equal(r.status, 200);
      assert.equal(r.body.repo, 'alpha');
      assert.equal(r.body.files, 3);
      assert.ok(r.body.chunks > 0);
      assert.equal(r.body.mode, 'keyword');
      assert.equal(r.body.head, 'alpha-head');
      const other = await call<ApiError>('GET', '/v1/status?repo=alpha&branch=nope', { token: all });
      assert.equal(other.status, 404);
    });
  });

  describe('limits', () => {
    const bad = async (body: unknown, limit: RegExp) => {
      const r = await search(all, body);
      assert.equal(r.status, 400, JSON.stringify(body).slice(0, 80));
      assert.equal(r.body.error.code, 'bad_request');
      assert.match(r.body.error.message, limit);
    };

    it('refuses a query, snippet or k past its limit with 400 naming the limit', async () => {
      await bad({ repo: 'alpha', query: 'x'.repeat(API_LIMITS.maxQueryChars + 1) }, new RegExp(`${API_LIMITS.maxQueryChars}`));
      assert.equal((await search(all, { repo: 'alpha', query: 'x'.repeat(API_LIMITS.maxQueryChars) })).status, 200);
      for (const k of [0, API_LIMITS.maxK + 1, 1.5, '5', -1, null]) await bad({ repo: 'alpha', query: 'retry', k }, new RegExp(`${API_LIMITS.maxK}`));
      assert.equal((await search(all, { repo: 'alpha', query: 'retry', k: API_LIMITS.maxK })).status, 200);
      const code = await call<ApiError>('POST', '/v1/similar', { token: all, body: { repo: 'alpha', code: 'y'.repeat(API_LIMITS.maxCodeChars + 1) } });
      assert.equal(code.status, 400);
      assert.match(code.body.error.message, new RegExp(`${API_LIMITS.maxCodeChars}`));
    });

    it('refuses unknown languages and fields, a missing query and wrong types', async () => {
      await bad({ repo: 'alpha', query: 'retry', languages: ['cobol'] }, /unknown language "cobol"/);
      await bad({ repo: 'alpha', query: 'retry', languages: 'python' }, /languages/);
      await bad({ repo: 'alpha', querry: 'retry' }, /unknown field "querry"/);
      await bad({ repo: 'alpha' }, /query/);
      await bad({ repo: 'alpha', query: '   ' }, /query must not be empty/);
      await bad({ query: 'retry' }, /repo/);
      await bad({ repo: 'alpha', query: 'retry', showWeak: 'yes' }, /showWeak/);
      await bad([1, 2], /JSON object/);
      const status = await call<ApiError>('GET', '/v1/status', { token: all });
      assert.equal(status.status, 400);
      assert.equal((await call('GET', '/v1/status?repo=alpha&repo=beta', { token: all })).status, 400);
    });

    it('refuses a body over the limit with 413, and non-JSON with 400 or 415', async () => {
      const big = await call<ApiError>('POST', '/v1/search', { token: all, raw: JSON.stringify({ repo: 'alpha', query: 'x', pad: 'p'.repeat(API_LIMITS.maxBodyBytes) }), headers: { 'content-type': 'application/json' } });
      assert.equal(big.status, 413);
      assert.equal(big.body.error.code, 'too_large');
      const notJson = await call<ApiError>('POST', '/v1/search', { token: all, raw: '{"repo": "alpha", "query": ', headers: { 'content-type': 'application/json' } });
      assert.equal(notJson.status, 400);
      const badUtf8 = await call<ApiError>('POST', '/v1/search', { token: all, raw: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), headers: { 'content-type': 'application/json' } });
      assert.equal(badUtf8.status, 400);
      const form = await call<ApiError>('POST', '/v1/search', { token: all, raw: 'query=retry', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(form.status, 415);
    });

    it('answers 404 to an unknown route and 405 to a wrong method', async () => {
      assert.equal((await call('GET', '/v1/nope', { token: all })).status, 404);
      assert.equal((await call('GET', '/', {})).status, 404);
      const get = await call('GET', '/v1/search', { token: all });
      assert.equal(get.status, 405);
      assert.equal(get.headers.get('allow'), 'POST');
    });
  });

  describe('hostile input', () => {
    const HOSTILE = [
      `'; drop table sift_chunks; --`,
      `" or 1=1 --`,
      `alpha' or 'a'='a`,
      'nul\u0000byte',
      'ünïcödé 検索 🚀 \u202e',
      '\ud800 lone surrogate',
      '%00%27',
      '../../etc/passwd',
      '$1::text; select pg_sleep(10)',
      'x'.repeat(5000),
      '[z-a]',
      '**a**a**a**a**a**a',
      '*'.repeat(300),
    ];

    it('gives every hostile repo, branch, query and path filter a clean answer or a 400, and the tables stay whole', async () => {
      const before = await tableCounts();
      const seen = new Set<number>();
      for (const h of HOSTILE) {
        const bodies = [
          { repo: h, query: 'retry' },
          { repo: 'alpha', branch: h, query: 'retry' },
          { repo: 'alpha', query: h },
          { repo: 'alpha', query: 'retry', pathFilter: h },
          { repo: 'alpha', query: 'retry', pathPrefix: h },
          { repo: 'alpha', query: 'retry', languages: [h] },
        ];
        for (const body of bodies) {
          const t0 = Date.now();
          const r = await search(all, body);
          seen.add(r.status);
          assert.ok([200, 400, 404].includes(r.status), `${r.status} for ${JSON.stringify(body).slice(0, 100)}: ${JSON.stringify(r.body).slice(0, 200)}`);
          assert.ok(Date.now() - t0 < 1500, `${JSON.stringify(body).slice(0, 100)} took ${Date.now() - t0} ms`);
          if (r.status === 200) assert.ok(Array.isArray(r.body.hits));
          else assert.equal(typeof r.body.error.message, 'string');
        }
        const st = await call('GET', `/v1/status?${new URLSearchParams({ repo: h, branch: h })}`, { token: all });
        assert.ok([400, 404].includes(st.status), `status ${st.status} for ${h.slice(0, 40)}`);
      }
      assert.ok(seen.has(200) && seen.has(400) && seen.has(404));
      assert.deepEqual(await tableCounts(), before);
      assert.equal((await search(all, { repo: 'alpha', query: 'retry with backoff' })).body.hits[0].file, 'src/retry.ts');
    });

    it('takes no token from the query string and never logs the token or the query', async () => {
      const r = await call('POST', `/v1/search?access_token=${all}`, { body: { repo: 'alpha', query: 'secret words here' } });
      assert.equal(r.status, 401);
      await search(all, { repo: 'alpha', query: 'secret words here' });
      const text = logs.join('\n');
      assert.ok(!text.includes(all.slice(5)), 'no token in the log');
      assert.ok(!text.includes('secret words'), 'no query in the log');
      assert.match(text, /POST \/v1\/search 200 \d+(\.\d+)?ms token=\d+/);
      assert.match(text, /POST \/v1\/search 401 /);
    });

    it('logs the query with logQueries', async () => {
      const s = await serve({ logQueries: true });
      await search(all, { repo: 'alpha', query: 'words to log' }, s.base);
      assert.match(s.lines.join('\n'), /POST \/v1\/search 200 .*repo="alpha" query="words to log"/);
    });
  });

  describe('load and failures', () => {
    it('answers 503 busy with Retry-After past the queue, and the rest once the database lets them', async () => {
      const s = await serve({ maxConcurrent: 1, maxQueue: 1 });
      assert.equal((await search(all, { repo: 'alpha', query: 'retry' }, s.base)).status, 200); // token cached
      const release = await blockSearches();
      let first: Promise<Answer<TeamSearchResponse>>, second: Promise<Answer<TeamSearchResponse>>;
      try {
        first = search(all, { repo: 'alpha', query: 'retry' }, s.base) as Promise<Answer<TeamSearchResponse>>;
        await until('one search running', () => s.server.load.running === 1);
        second = search(all, { repo: 'alpha', query: 'slug' }, s.base) as Promise<Answer<TeamSearchResponse>>;
        await until('one search waiting', () => s.server.load.waiting === 1);
        const t0 = Date.now();
        const third = await search(all, { repo: 'alpha', query: 'backoff' }, s.base);
        assert.equal(third.status, 503);
        assert.equal(third.body.error.code, 'busy');
        assert.ok(Number(third.headers.get('retry-after')) > 0);
        assert.ok(Date.now() - t0 < 1000, 'refused at once');
        const health = await call('GET', '/healthz', { at: s.base });
        assert.equal(health.status, 200, 'health is not queued behind searches');
      } finally {
        await release();
      }
      assert.equal((await first!).status, 200);
      assert.equal((await second!).status, 200);
    });

    it('refuses a request that waited too long for its turn with 503 busy', async () => {
      const s = await serve({ maxConcurrent: 1, maxQueue: 5, maxWaitMs: 300 });
      assert.equal((await search(all, { repo: 'alpha', query: 'retry' }, s.base)).status, 200);
      const release = await blockSearches();
      let first: Promise<Answer>;
      try {
        first = search(all, { repo: 'alpha', query: 'retry' }, s.base);
        await until('one search running', () => s.server.load.running === 1);
        const waited = await search(all, { repo: 'alpha', query: 'slug' }, s.base);
        assert.equal(waited.status, 503);
        assert.equal(waited.body.error.code, 'busy');
      } finally {
        await release();
      }
      assert.equal((await first!).status, 200);
    });

    it('answers 504 when the database is too slow, and serves again after', async () => {
      const s = await serve({ statementTimeoutMs: 300 });
      assert.equal((await search(all, { repo: 'alpha', query: 'retry' }, s.base)).status, 200);
      const release = await blockSearches();
      try {
        const r = await search(all, { repo: 'alpha', query: 'retry' }, s.base);
        assert.equal(r.status, 504);
        assert.equal(r.body.error.code, 'timeout');
        assert.equal(r.body.hits, undefined, 'no partial answer');
      } finally {
        await release();
      }
      assert.equal((await search(all, { repo: 'alpha', query: 'retry' }, s.base)).status, 200);
    });

    it('answers 503 while the database is down and serves again once it is back, without a restart', async function () {
      if (!crashPgSupported()) this.skip();
      const pg = await startPg();
      const s = await serve();
      const fresh = await createToken(s.store.pool, 'never used before the crash', null);
      assert.equal((await search(all, { repo: 'alpha', query: 'retry' }, s.base)).status, 200);
      await pg.kill();
      try {
        const r = await search(all, { repo: 'alpha', query: 'retry' }, s.base);
        assert.equal(r.status, 503);
        assert.equal(r.body.error.code, 'unavailable');
        assert.ok(Number(r.headers.get('retry-after')) > 0);
        const unverified = await search(fresh, { repo: 'alpha', query: 'retry' }, s.base);
        assert.equal(unverified.status, 503, 'a token that cannot be checked is not called invalid');
        assert.equal((await call('GET', '/healthz', { at: s.base })).status, 503);
      } finally {
        await pg.restart();
      }
      const after = await search(all, { repo: 'alpha', query: 'retry with backoff' }, s.base);
      assert.equal(after.status, 200, JSON.stringify(after.body));
      assert.equal(after.body.hits[0].file, 'src/retry.ts');
      assert.equal((await search(fresh, { repo: 'alpha', query: 'retry' }, s.base)).status, 200);
      assert.equal((await call('GET', '/healthz', { at: s.base })).status, 200);
    });

    it('stops gracefully: stops accepting, lets a search in flight finish', async () => {
      const store = TeamStore.connect(dbUrl, { max: 4 });
      const lines: string[] = [];
      const s = new TeamServer({ store, embedder: null, log: (l) => lines.push(l), stopGraceMs: 5000 });
      const { port } = await s.listen('127.0.0.1', 0);
      const at = `http://127.0.0.1:${port}`;
      try {
        assert.equal((await search(all, { repo: 'alpha', query: 'retry' }, at)).status, 200);
        const release = await blockSearches();
        const inFlight = search(all, { repo: 'alpha', query: 'retry with backoff' }, at);
        await until('the search running', () => s.load.running === 1);
        const stopped = s.stop();
        await sleep(100);
        await assert.rejects(fetch(`${at}/healthz`), 'no new connection is accepted');
        await release();
        const r = await inFlight;
        assert.equal(r.status, 200);
        assert.equal(r.body.hits[0].file, 'src/retry.ts');
        await stopped;
      } finally {
        await s.stop();
        await store.close();
      }
    });
  });

  describe('docs/openapi.yaml', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'openapi.yaml'), 'utf8');

    it('states the limits and language ids the server enforces', () => {
      assert.match(doc, new RegExp(`query: \\{ type: string, minLength: 1, maxLength: ${API_LIMITS.maxQueryChars} \\}`));
      assert.match(doc, new RegExp(`code: \\{ type: string, minLength: 1, maxLength: ${API_LIMITS.maxCodeChars},`));
      assert.equal(doc.match(new RegExp(`k: \\{ type: integer, minimum: 1, maximum: ${API_LIMITS.maxK},`, 'g'))?.length, 2);
      assert.ok(doc.includes(`body ${API_LIMITS.maxBodyBytes} bytes`) && doc.includes(`larger than ${API_LIMITS.maxBodyBytes} bytes`));
      assert.ok(doc.includes(`maxLength: ${SERVER_LIMITS.maxNameChars}`) && doc.includes(`maxLength: ${SERVER_LIMITS.maxPathChars}`));
      assert.ok(doc.includes(`At most ${SERVER_LIMITS.maxGlobOperators} wildcard runs`));
      const langs = /LanguageId:\n\s+type: string\n\s+enum: \[([^\]]+)\]/.exec(doc)?.[1].split(', ');
      assert.deepEqual(langs, [...LANGUAGES]);
    });
  });

  describe('sift serve --store', () => {
    const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

    function start(args: string[]) {
      const child = spawn(process.execPath, [CLI, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SIFT_MODEL: '' } });
      let err = '';
      child.stderr.on('data', (d) => { err += d; });
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      return { child, exited, err: () => err };
    }

    before(function () {
      if (!fs.existsSync(CLI)) this.skip(); // built by `npm test` before the unit tests
    });

    it('serves, warns about plain HTTP off loopback, and stops on SIGTERM', async () => {
      const p = start(['--store', dbUrl, '--listen', '0.0.0.0:0', '--no-model']);
      try {
        await until('listening', () => /team server on http:\/\/[^ ]+:(\d+)/.test(p.err()), 20_000);
        const port = /team server on http:\/\/[^ ]+:(\d+)/.exec(p.err())![1];
        // the warning is the next line written, and may reach the pipe in a read of its own
        await until('the plain-HTTP warning', () => /reverse proxy with TLS/.test(p.err()), 5_000).catch(() => undefined);
        assert.match(p.err(), /reverse proxy with TLS/);
        assert.ok(!p.err().includes(new URL(dbUrl).password), 'no database password in the log');
        const r = await search(all, { repo: 'alpha', query: 'retry with backoff' }, `http://127.0.0.1:${port}`);
        assert.equal(r.status, 200);
        p.child.kill('SIGTERM');
        assert.equal(await p.exited, 0);
        assert.match(p.err(), /POST \/v1\/search 200/);
      } finally {
        p.child.kill('SIGKILL');
      }
    });

    it('refuses a database without the schema, saying what to run', async () => {
      const empty = (await freshDatabase('sift_server_empty')).url;
      const p = start(['--store', empty, '--listen', '127.0.0.1:0', '--no-model']);
      assert.equal(await p.exited, 1);
      assert.match(p.err(), /no sift schema yet.*sift index --store/);
    });
  });
});
