// The team server's client (src/core/team/client.ts) over real sockets: what it
// sends, and every way of failing said in the user's words without the token.
// Against the real `sift serve --store` with PostgreSQL: teamServer.test.ts-style
// tests at the end of this file (they skip until the server is built).
import * as assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { displayUrl, parseServerUrl, TeamClient, TeamServerError } from '../../src/core/team/client';
import type { TeamSearchResponse } from '../../src/core/team/api';
import { freshDatabase } from '../helpers/pgDatabase';

const TOKEN = 'sift_SECRET-token-value-0123456789';

interface Seen { method: string; url: string; auth: string | undefined; body: string }

/** A throw-away HTTP server on 127.0.0.1 answering with `reply`; records what it was sent. */
async function serve(reply: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, body });
      reply(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const apiError = (code: string, message: string) => ({ error: { code, message } });

const answer: TeamSearchResponse = {
  repo: 'app', branch: 'main', head: 'abc', mode: 'hybrid', noRelevant: false, partial: false, tookMs: 5,
  hits: [{ file: 'src/a.ts', root: '', startLine: 1, endLine: 2, declLine: 1, name: 'a', kind: 'function', language: 'typescript', signature: 'function a()', score: 0.8, matchedTerms: [], snippet: 'function a() {}' }],
};

/** The error a call fails with; fails the test when it resolves. */
async function failure(p: Promise<unknown>): Promise<TeamServerError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof TeamServerError, `expected a TeamServerError, got ${(e as Error)?.stack}`);
    assert.ok(!e.message.includes(TOKEN), `the token leaked into: ${e.message}`);
    return e;
  }
  throw new Error('expected the call to fail');
}

describe('team client', function () {
  this.timeout(20_000);
  const servers: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => { for (const s of servers.splice(0)) await s.close(); });
  const start = async (reply: Parameters<typeof serve>[0]) => { const s = await serve(reply); servers.push(s); return s; };

  it('sends the request as JSON with the bearer token under the URL\'s path, and returns the answer', async () => {
    const s = await start((req, res) => json(res, 200, req.url?.includes('status') ? { repo: 'app', branch: 'dev', head: null, files: 3, chunks: 9, embedded: 9, model: null, mode: 'keyword', lastUpdated: null, schemaVersion: 1 } : answer));
    const client = new TeamClient({ url: `${s.url}/sift`, token: TOKEN });
    const r = await client.search({ repo: 'app', query: 'where is a', k: 5 });
    assert.deepEqual(r, answer);
    await client.similar({ repo: 'app', branch: 'dev', code: 'function a() {}' });
    const st = await client.status({ repo: 'app', branch: 'dev' });
    assert.equal(st.files, 3);
    assert.deepEqual(s.seen.map((x) => `${x.method} ${x.url}`), ['POST /sift/v1/search', 'POST /sift/v1/similar', 'GET /sift/v1/status?repo=app&branch=dev']);
    assert.deepEqual(s.seen.map((x) => x.auth), [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    assert.deepEqual(JSON.parse(s.seen[0].body), { repo: 'app', query: 'where is a', k: 5 });
    assert.equal(s.seen[2].body, '');
  });

  it('a closed port: "refused the connection"', async () => {
    const s = await start((_q, res) => res.end());
    const url = s.url;
    await servers.pop()!.close();
    const e = await failure(new TeamClient({ url, token: TOKEN }).search({ repo: 'app', query: 'q' }));
    assert.equal(e.code, 'unreachable');
    assert.equal(e.unreachable, true);
    assert.match(e.message, new RegExp(`team server at ${url.replace(/\./g, '\\.')} refused the connection`));
  });

  it('no answer in time: a timeout naming the limit', async () => {
    const s = await start(() => { /* never answers */ });
    const e = await failure(new TeamClient({ url: s.url, token: TOKEN, timeoutMs: 300 }).search({ repo: 'app', query: 'q' }));
    assert.equal(e.code, 'timeout');
    assert.match(e.message, /did not answer within 0\.3 s/);
  });

  it('https:// to a plain HTTP server: "does not speak TLS"', async () => {
    const s = await start((_q, res) => json(res, 200, answer));
    const e = await failure(new TeamClient({ url: s.url.replace('http:', 'https:'), token: TOKEN }).search({ repo: 'app', query: 'q' }));
    assert.equal(e.code, 'tls');
    assert.match(e.message, /does not speak TLS: use http:\/\//);
  });

  it('a certificate nobody vouches for: a TLS error that says why', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-tls-'));
    try {
      try {
        execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
      } catch {
        this.skip();
      }
      const server = https.createServer({ key: fs.readFileSync(path.join(dir, 'k.pem')), cert: fs.readFileSync(path.join(dir, 'c.pem')) }, (_q, res) => json(res, 200, answer));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      servers.push({ close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) });
      const { port } = server.address() as AddressInfo;
      const e = await failure(new TeamClient({ url: `https://127.0.0.1:${port}`, token: TOKEN }).search({ repo: 'app', query: 'q' }));
      assert.equal(e.code, 'tls');
      assert.match(e.message, /TLS connection to the team server at https:\/\/127\.0\.0\.1:\d+ failed: .*(self.signed|certificate)/i);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('401: without a token says how to get and set one; with one says it was refused', async () => {
    const s = await start((_q, res) => json(res, 401, apiError('unauthorized', 'unknown or revoked token'), { 'www-authenticate': 'Bearer realm="sift"' }));
    const none = await failure(new TeamClient({ url: s.url }).search({ repo: 'app', query: 'q' }));
    assert.equal(none.code, 'unauthorized');
    assert.equal(none.status, 401);
    assert.match(none.message, /needs a token: create one with `sift token create` on the server and pass one with --token or the SIFT_TOKEN environment variable/);
    assert.equal(s.seen[0].auth, undefined);
    const editor = await failure(new TeamClient({ url: s.url, tokenHint: 'run "Sift: Set team server token"' }).search({ repo: 'app', query: 'q' }));
    assert.match(editor.message, /run "Sift: Set team server token"$/);
    const refused = await failure(new TeamClient({ url: s.url, token: TOKEN }).search({ repo: 'app', query: 'q' }));
    assert.match(refused.message, /refused the token \(unknown or revoked token\): create one with `sift token create`/);
  });

  it('403 and 404 with the server\'s words; other codes keep the server\'s code and message', async () => {
    const replies: Array<[number, string, string]> = [
      [403, 'forbidden', 'this token is for repository "web", not "app"'],
      [404, 'not_found', 'no index of app@release'],
      [503, 'busy', 'too many searches at once; try again in 5 s'],
      [400, 'bad_request', 'k must be from 1 to 100'],
    ];
    let i = 0;
    const s = await start((_q, res) => { const [status, code, message] = replies[i++]; json(res, status, apiError(code, message)); });
    const client = new TeamClient({ url: s.url, token: TOKEN });
    const forbidden = await failure(client.search({ repo: 'app', query: 'q' }));
    assert.deepEqual([forbidden.code, forbidden.status], ['forbidden', 403]);
    assert.match(forbidden.message, /does not let this token read that: this token is for repository "web", not "app"/);
    const notFound = await failure(client.status({ repo: 'app', branch: 'release' }));
    assert.equal(notFound.code, 'not_found');
    assert.match(notFound.message, /has no such index: no index of app@release/);
    const busy = await failure(client.search({ repo: 'app', query: 'q' }));
    assert.equal(busy.code, 'busy');
    assert.match(busy.message, /cannot answer now: too many searches/);
    const bad = await failure(client.search({ repo: 'app', query: 'q', k: 1000 }));
    assert.deepEqual([bad.code, bad.status], ['bad_request', 400]);
    assert.match(bad.message, /answered 400: k must be from 1 to 100/);
    assert.equal(bad.unreachable, false);
  });

  it('something that is not a Sift team server: said so, with what it answered', async () => {
    const pages: Array<(res: http.ServerResponse) => void> = [
      (res) => { res.writeHead(404, { 'content-type': 'text/html' }); res.end('<h1>Not Found</h1>'); },
      (res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<html>login</html>'); },
      (res) => json(res, 404, { message: 'no route' }),
      (res) => json(res, 200, { results: [] }),
    ];
    let i = 0;
    const s = await start((_q, res) => pages[i++](res));
    const client = new TeamClient({ url: s.url, token: TOKEN });
    const html404 = await failure(client.search({ repo: 'app', query: 'q' }));
    assert.equal(html404.code, 'bad_response');
    assert.match(html404.message, /did not answer as a Sift team server \(HTTP 404, text\/html, not JSON\); check sift\.server \/ --server/);
    assert.match((await failure(client.search({ repo: 'app', query: 'q' }))).message, /HTTP 200, text\/html, not JSON/);
    assert.match((await failure(client.search({ repo: 'app', query: 'q' }))).message, /HTTP 404 for \/v1\/search/);
    assert.match((await failure(client.search({ repo: 'app', query: 'q' }))).message, /has no hits, mode or noRelevant/);
  });

  it('a redirect is not followed (the token stays here), and says where it points', async () => {
    const elsewhere = await start((_q, res) => json(res, 200, answer));
    const s = await start((_q, res) => { res.writeHead(307, { location: `${elsewhere.url}/v1/search?x=1` }); res.end(); });
    const e = await failure(new TeamClient({ url: s.url, token: TOKEN }).search({ repo: 'app', query: 'q' }));
    assert.equal(e.code, 'bad_response');
    assert.match(e.message, new RegExp(`redirects to ${elsewhere.url.replace(/\./g, '\\.')}/v1/search: set the team server URL`));
    assert.equal(elsewhere.seen.length, 0);
  });

  it('a cancelled call rejects as cancelled, not as a server failure', async () => {
    const s = await start(() => { /* never answers */ });
    const ac = new AbortController();
    const p = new TeamClient({ url: s.url, token: TOKEN }).search({ repo: 'app', query: 'q' }, ac.signal);
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(p, (e: Error) => !(e instanceof TeamServerError) && e.name === 'AbortError');
  });

  it('URLs: http:// added to a bare host:port, other schemes refused, credentials never shown', () => {
    assert.equal(parseServerUrl('10.0.0.5:7700').href, 'http://10.0.0.5:7700/');
    assert.equal(parseServerUrl(' https://sift.example.com/team ').href, 'https://sift.example.com/team/');
    assert.throws(() => parseServerUrl('ftp://x'), /must start with http:\/\/ or https:\/\//);
    assert.throws(() => parseServerUrl(''), /URL is empty/);
    assert.equal(displayUrl(new URL('https://bob:hunter2@sift.example.com/team/?t=1')), 'https://sift.example.com/team');
    assert.equal(new TeamClient({ url: 'https://bob:hunter2@sift.example.com' }).shown, 'https://sift.example.com');
  });
});

// ---- against the real team server -------------------------------------------------------------
// The built CLI end to end, as a team uses it: `sift index --store` fills a database of this file's
// own on a real PostgreSQL + pgvector (test/helpers/pgServer.ts), `sift token create` makes a token,
// `sift serve --store … --listen 127.0.0.1:0` serves it; the client, `sift search --server` and
// `sift mcp --server` ask it from a checkout with local changes. Keyword only (--no-model): quick.

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

const FILES: Record<string, string> = {
  'src/retry.ts': '/** Retry a failing call with exponential backoff. */\nexport async function retryWithBackoff(fn: () => Promise<void>, attempts = 3) {\n  for (let i = 0; i < attempts; i++) {\n    try { return await fn(); } catch { await new Promise((r) => setTimeout(r, 2 ** i * 100)); }\n  }\n}\n',
  'src/slug.py': 'def slugify(title):\n    """Turn a title into a URL slug: lower case, words joined by dashes."""\n    return "-".join(title.lower().split())\n',
  'src/money.ts': '/** Rounds an amount of money to whole cents. */\nexport function roundToCents(amount: number): number {\n  return Math.round(amount * 100) / 100;\n}\n',
};

function sh(cwd: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(cmd, args, {
    cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', ...env },
  });
}

function builtWithTeamServer(): boolean {
  if (!fs.existsSync(CLI)) return false;
  try { return /--store/.test(sh(process.cwd(), process.execPath, [CLI, 'help', 'serve'])) && /--server/.test(sh(process.cwd(), process.execPath, [CLI, 'help', 'search'])); } catch { return false; }
}

describe('team client against the real team server (PostgreSQL, built CLI)', function () {
  this.timeout(120_000);
  let tmp: string;
  let repo: string;
  let dbUrl: string;
  let token: string;
  let base: string;
  let head: string;
  let serverProc: ChildProcess | null = null;
  let env: NodeJS.ProcessEnv;
  let dropDb: (() => Promise<void>) | null = null;

  before(async function () {
    if (process.platform === 'win32' || !builtWithTeamServer()) this.skip(); // built by `npm test` before the unit tests
    const db = await freshDatabase('teamclient');
    dbUrl = db.url;
    dropDb = db.drop;

    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sift-teamclient-')));
    env = { SIFT_CACHE_DIR: path.join(tmp, 'cache'), SIFT_RUNTIME_DIR: path.join(tmp, 'run'), SIFT_TOKEN: '' };
    repo = path.join(tmp, 'app');
    for (const [rel, text] of Object.entries(FILES)) {
      fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
      fs.writeFileSync(path.join(repo, rel), text);
    }
    sh(repo, 'git', ['init', '-q', '-b', 'main']);
    sh(repo, 'git', ['remote', 'add', 'origin', 'git@example.com:acme/app.git']);
    sh(repo, 'git', ['add', '-A']);
    sh(repo, 'git', ['commit', '-q', '-m', 'first']);
    head = sh(repo, 'git', ['rev-parse', 'HEAD']).trim();
    sh(repo, process.execPath, [CLI, 'index', '--store', dbUrl, '--repo', 'app', '--branch', 'main', '--no-model', '-q', repo], env);
    token = sh(repo, process.execPath, [CLI, 'token', 'create', '--store', dbUrl, '--name', 'client-test'], env).trim().split('\n').pop()!.trim();

    const proc = spawn(process.execPath, [CLI, 'serve', '--store', dbUrl, '--listen', '127.0.0.1:0', '--no-model'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    serverProc = proc;
    base = await new Promise<string>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`the team server did not start: ${err}`)), 30_000);
      proc.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /team server on (http:\/\/[^\s;]+)/.exec(err);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
      proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the team server exited (${code}): ${err}`)); });
    });
  });

  after(async () => {
    if (serverProc && serverProc.exitCode === null) {
      serverProc.kill('SIGTERM');
      await new Promise((r) => serverProc!.once('exit', r));
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    await dropDb?.();
  });

  it('status and search: the indexed commit, hits relative to the repository with root \'\'', async () => {
    const client = new TeamClient({ url: base, token });
    const st = await client.status({ repo: 'app', branch: 'main' });
    assert.equal(st.files, 3);
    assert.equal(st.head, head);
    assert.equal(st.mode, 'keyword');
    const r = await client.search({ repo: 'app', query: 'retryWithBackoff', k: 3 });
    assert.equal(r.head, head);
    assert.equal(r.hits[0].name, 'retryWithBackoff');
    assert.equal(r.hits[0].file, 'src/retry.ts');
    assert.equal(r.hits[0].root, '');
    const similar = await client.similar({ repo: 'app', code: 'def slugify(title):\n    return "-".join(title.lower().split())' });
    assert.equal(similar.hits[0]?.file, 'src/slug.py');
  });

  it('the server\'s refusals in the user\'s words: no token, a wrong token, an index it does not have', async () => {
    const none = await failure(new TeamClient({ url: base }).search({ repo: 'app', query: 'x' }));
    assert.equal(none.code, 'unauthorized');
    assert.match(none.message, /needs a token: create one with `sift token create`/);
    const wrong = await failure(new TeamClient({ url: base, token: TOKEN }).search({ repo: 'app', query: 'x' }));
    assert.equal(wrong.code, 'unauthorized');
    assert.match(wrong.message, /refused the token/);
    const missing = await failure(new TeamClient({ url: base, token }).status({ repo: 'app', branch: 'release-9' }));
    assert.equal(missing.code, 'not_found');
    assert.match(missing.message, /has no such index: .*release-9/);
  });

  it('sift search --server: team hits, the changed file\'s hit from the local overlay, a stale team hit gone; same format as local', async () => {
    // the checkout moves on: retryWithBackoff renamed (the team's hit is stale), a new untracked file
    fs.writeFileSync(path.join(repo, 'src/retry.ts'), FILES['src/retry.ts'].replace('retryWithBackoff', 'retryWithJitter'));
    fs.writeFileSync(path.join(repo, 'src/invoice.ts'), '/** Sums the lines of an invoice. */\nexport function invoiceTotal(lines: number[]): number {\n  return lines.reduce((a, b) => a + b, 0);\n}\n');
    try {
      const run = (args: string[]) => execFileSync(process.execPath, [CLI, 'search', '--server', base, '--no-model', ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, ...env, SIFT_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] });
      const json = JSON.parse(run(['--json', '--fixed-k', '-k', '5', 'retryWithBackoff retryWithJitter']));
      const files = json.results.map((r: { file: string; name: string }) => `${r.file}:${r.name}`);
      assert.ok(files.includes('src/retry.ts:retryWithJitter'), JSON.stringify(json));
      assert.ok(!files.includes('src/retry.ts:retryWithBackoff'), files.join(' '));
      assert.deepEqual(Object.keys(json), ['mode', 'modeReason', 'noRelevant', 'results']);
      assert.deepEqual(Object.keys(json.results[0]), ['file', 'startLine', 'endLine', 'name', 'kind', 'score']);
      const one = JSON.parse(run(['--json', 'invoiceTotal']));
      assert.equal(one.results[0].name, 'invoiceTotal');
      assert.equal(one.results[0].file, 'src/invoice.ts');
      const team = JSON.parse(run(['--json', 'roundToCents']));
      assert.equal(team.results[0].file, 'src/money.ts');
      // text: the local search's lines, and what was searched on stderr
      const r = spawnSync(process.execPath, [CLI, 'search', '--server', base, '--no-model', 'invoiceTotal'], { cwd: repo, encoding: 'utf8', env: { ...process.env, ...env, SIFT_TOKEN: token } });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^mode: keyword only — .*\n 1\. src\/invoice\.ts:2  invoiceTotal  \[function\]  relevance \d+%\n/);
      assert.match(r.stderr, new RegExp(`team index app@main at ${head.slice(0, 12)} on ${base.replace(/\./g, '\\.')}; 2 files changed here searched locally`));
      assert.ok(!r.stderr.includes(token) && !r.stdout.includes(token));
      // a refused token: exit 1 and the sentence
      const bad = spawnSync(process.execPath, [CLI, 'search', '--server', base, '--no-model', 'x'], { cwd: repo, encoding: 'utf8', env: { ...process.env, ...env, SIFT_TOKEN: TOKEN } });
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /^sift: the team server at .* refused the token/);
      assert.ok(!bad.stderr.includes(TOKEN));
    } finally {
      fs.writeFileSync(path.join(repo, 'src/retry.ts'), FILES['src/retry.ts']);
      fs.rmSync(path.join(repo, 'src/invoice.ts'), { force: true });
    }
  });

  it('sift mcp --server: search_code answers from the team and the changed files, saying which is which', async () => {
    fs.writeFileSync(path.join(repo, 'src/invoice.ts'), '/** Sums the lines of an invoice. */\nexport function invoiceTotal(lines: number[]): number {\n  return lines.reduce((a, b) => a + b, 0);\n}\n');
    const transport = new StdioClientTransport({
      command: process.execPath, args: [CLI, 'mcp', '--server', base, '--root', repo, '--no-model'],
      env: { ...process.env, ...env, SIFT_TOKEN: token } as Record<string, string>, stderr: 'pipe',
    });
    const mcp = new McpClient({ name: 'test', version: '1' });
    try {
      await mcp.connect(transport);
      const local = await mcp.callTool({ name: 'search_code', arguments: { query: 'invoiceTotal' } });
      const ls = local.structuredContent as { results: Array<{ file: string; name: string; origin?: string }> };
      assert.deepEqual([ls.results[0].file, ls.results[0].name, ls.results[0].origin], ['src/invoice.ts', 'invoiceTotal', 'local']);
      assert.match((local.content as Array<{ text: string }>)[0].text, /invoiceTotal.*\(changed in this checkout\)/);
      const team = await mcp.callTool({ name: 'search_code', arguments: { query: 'slugify' } });
      const ts = team.structuredContent as { results: Array<{ file: string; origin?: string }> };
      assert.deepEqual([ts.results[0].file, ts.results[0].origin], ['src/slug.py', 'team']);
      const status = await mcp.callTool({ name: 'index_status', arguments: {} });
      const ss = status.structuredContent as { repo: string; branch: string; head: string; files: number; changedFiles: number };
      assert.deepEqual([ss.repo, ss.branch, ss.head, ss.files, ss.changedFiles], ['app', 'main', head, 3, 1]);
    } finally {
      await mcp.close().catch(() => undefined);
      fs.rmSync(path.join(repo, 'src/invoice.ts'), { force: true });
    }
  });
});
