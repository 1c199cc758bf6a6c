// The team server's client (src/core/team/client.ts) over real sockets: what it
// sends, and every way of failing said in the user's words without the token.
// Against the real `sift serve --store` with PostgreSQL: teamServer.test.ts-style
// tests at the end of this file (they skip until the server is built).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { displayUrl, parseServerUrl, TeamClient, TeamServerError } from '../../src/core/team/client';
import type { TeamSearchResponse } from '../../src/core/team/api';

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
