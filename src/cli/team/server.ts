// The team server (`sift serve --store …`): the HTTP/JSON API of api.ts over
// a TeamStore, for editors, CLIs and agents. Plain HTTP: TLS belongs in a
// reverse proxy in front of it (serveCommand.ts warns off loopback).
//
//   GET  /healthz                     no token; 200 when the database answers, else 503
//   POST /v1/search   SearchRequest   → TeamSearchResponse
//   POST /v1/similar  SimilarRequest  → TeamSearchResponse (the snippet is the query)
//   GET  /v1/status?repo=R&branch=B   → TeamStatus
//
// Every /v1 route needs `Authorization: Bearer <token>` (tokens.ts): none,
// unknown or revoked → 401; a token for one repository asking about another
// → 403, the same answer whether that repository exists or not. Verified
// tokens are cached for `tokenTtlMs` (default 30 s), so a revoked token
// stops working at the latest that long after `sift token revoke`.
//
// Requests are checked against the limits (limits.ts, body.ts) before the
// store sees them; then at most `maxConcurrent` run at once, `maxQueue` more
// wait (each at most `maxWaitMs`), and the rest get 503 busy with
// Retry-After at once. Store failures map to answers (httpErrors.ts): the
// database down → 503, too slow → 504, no such index → 404. An answer is
// the store's whole result or an error, never part of one. The pool drops a
// connection that broke and opens a new one on the next request, so the
// server recovers by itself once the database is back.
//
// One line per request goes to the log: method, route, status, milliseconds,
// the token's id; never the token, and the query only with `logQueries`.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pool } from 'pg';
import type { Embedder } from '../../core/embed/embedder';
import type { SearchOptions } from '../../core/search/search';
import type { TokenInfo } from '../../core/store/postgres/tokens';
import type { IndexRef, TeamSearchResponse, TeamStatus } from '../../core/team/api';
import { readJsonBody } from './body';
import { busy, errorFor, HttpError, RETRY_AFTER_S, unauthorized } from './httpErrors';
import { checkSearchRequest, checkSimilarRequest, checkStatusQuery } from './limits';
import { Limiter, LimiterRefusal } from './limiter';
import { DEFAULT_TOKEN_TTL_MS, TokenCache } from './tokenCache';

/** What the server needs of the team index (TeamStore meets it). */
export interface TeamBackend {
  readonly pool: Pool;
  search(ref: IndexRef, query: string, opts: SearchOptions, embedder: Embedder | null): Promise<TeamSearchResponse>;
  status(ref: IndexRef, embedder: Embedder | null): Promise<TeamStatus>;
}

export interface TeamServerOptions {
  store: TeamBackend;
  /** The model that embeds queries (null: keyword search only). */
  embedder: Embedder | null;
  /** Searches (and status requests) running at once (default 16). */
  maxConcurrent?: number;
  /** Requests waiting for a turn beyond those (default 4 × maxConcurrent). */
  maxQueue?: number;
  /** How long one may wait for its turn (default 10 s). */
  maxWaitMs?: number;
  /** How long a verified token is taken without asking the database again (default 30 s). */
  tokenTtlMs?: number;
  /** Put each request's repository and query in its log line. */
  logQueries?: boolean;
  /** How long requests in flight may take to finish when the server stops (default 5 s). */
  stopGraceMs?: number;
  log: (line: string) => void;
}

export const DEFAULT_MAX_CONCURRENT = 16;
const DEFAULT_MAX_WAIT_MS = 10_000;
const DEFAULT_STOP_GRACE_MS = 5000;
/** How long /healthz waits for the database. */
const HEALTH_TIMEOUT_MS = 2000;
const DEFAULT_K = 10;

type Route = 'search' | 'similar' | 'status' | 'healthz';
const ROUTES: Record<string, { route: Route; method: 'GET' | 'POST' }> = {
  '/v1/search': { route: 'search', method: 'POST' },
  '/v1/similar': { route: 'similar', method: 'POST' },
  '/v1/status': { route: 'status', method: 'GET' },
  '/healthz': { route: 'healthz', method: 'GET' },
};

/** What one request's log line says besides method, route, status and time. */
interface LogNote { token?: number; repo?: string; query?: string }

export class TeamServer {
  private readonly http: http.Server;
  private readonly limiter: Limiter;
  private readonly tokens: TokenCache;
  private inFlight = 0;
  private idle: (() => void) | null = null;
  private stopping: Promise<void> | null = null;

  constructor(private readonly opts: TeamServerOptions) {
    const maxConcurrent = opts.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
    this.limiter = new Limiter({ maxConcurrent, maxQueue: opts.maxQueue ?? 4 * maxConcurrent, maxWaitMs: opts.maxWaitMs ?? DEFAULT_MAX_WAIT_MS });
    this.tokens = new TokenCache(opts.store.pool, opts.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS);
    this.http = http.createServer((req, res) => void this.onRequest(req, res));
    // a slow client cannot hold a connection open forever
    this.http.headersTimeout = 10_000;
    this.http.requestTimeout = 30_000;
    this.http.on('clientError', (_e, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
    // a pooled connection that breaks while idle (the database restarted) is dropped by the pool; say so
    opts.store.pool.on('error', (e) => opts.log(`database connection lost while idle (${e.message}); the next request reconnects`));
  }

  /** Listen on host:port (port 0: any free one); resolves with the address once listening. */
  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        this.http.on('error', (e) => this.opts.log(`server error: ${e.message}`));
        resolve(this.http.address() as AddressInfo);
      });
    });
  }

  /** Requests being answered now; of those, searches running and waiting for a turn. */
  get load(): { requests: number; running: number; waiting: number } {
    return { requests: this.inFlight, running: this.limiter.inFlight, waiting: this.limiter.waiting };
  }

  /**
   * Stop accepting connections, let requests in flight finish (at most
   * `stopGraceMs`), then close every connection. The store is the caller's to close.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const closed = new Promise<void>((r) => this.http.close(() => r()));
      this.http.closeIdleConnections();
      if (this.inFlight > 0) {
        const drained = new Promise<void>((r) => { this.idle = r; });
        let timer: NodeJS.Timeout | undefined;
        const grace = new Promise<void>((r) => { timer = setTimeout(r, this.opts.stopGraceMs ?? DEFAULT_STOP_GRACE_MS); });
        await Promise.race([drained, grace]);
        clearTimeout(timer);
        if (this.inFlight > 0) this.opts.log(`stopping with ${this.inFlight} request(s) unfinished`);
      }
      this.http.closeAllConnections();
      await closed;
    })();
    return this.stopping;
  }

  // ---- one request -------------------------------------------------------------

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const t0 = performance.now();
    this.inFlight++;
    const note: LogNote = {};
    const method = (req.method ?? '?').slice(0, 16);
    const pathname = (req.url ?? '/').split('?')[0];
    const known = Object.hasOwn(ROUTES, pathname) ? ROUTES[pathname] : undefined;
    try {
      const answer = await this.answer(req, res, known, note);
      this.send(req, res, 200, answer);
    } catch (e) {
      const { error, unexpected } = errorFor(e);
      if (unexpected) this.opts.log(`internal error on ${method} ${known?.route ?? 'unknown path'}: ${(e as Error)?.stack ?? String(e)}`);
      this.send(req, res, error.status, error.body(), error.headers);
    } finally {
      const ms = (performance.now() - t0).toFixed(1);
      const extra = [
        note.token !== undefined ? `token=${note.token}` : '',
        this.opts.logQueries && note.repo !== undefined ? `repo=${JSON.stringify(note.repo)}` : '',
        this.opts.logQueries && note.query !== undefined ? `query=${JSON.stringify(note.query.slice(0, 200))}` : '',
      ].filter(Boolean).join(' ');
      this.opts.log(`${method} ${known ? pathname : '(unknown path)'} ${res.statusCode} ${ms}ms${extra ? ' ' + extra : ''}`);
      if (--this.inFlight === 0 && this.idle) { this.idle(); this.idle = null; }
    }
  }

  private async answer(req: http.IncomingMessage, res: http.ServerResponse, known: (typeof ROUTES)[string] | undefined, note: LogNote): Promise<unknown> {
    if (!known) throw new HttpError(404, 'not_found', 'no such route: the API has POST /v1/search, POST /v1/similar, GET /v1/status and GET /healthz');
    const method = req.method === 'HEAD' && known.method === 'GET' ? 'GET' : req.method;
    if (method !== known.method) throw new HttpError(405, 'bad_request', `use ${known.method} for this route`, { Allow: known.method });
    if (this.stopping) throw new HttpError(503, 'unavailable', 'the server is stopping', { 'Retry-After': String(RETRY_AFTER_S) });
    if (known.route === 'healthz') return this.health();

    const who = await this.authenticate(req);
    note.token = who.id;
    // a request cancelled while it waits for its turn gives its place up
    const gone = new AbortController();
    res.on('close', () => { if (!res.writableFinished) gone.abort(); });

    if (known.route === 'status') {
      const ref = checkStatusQuery(new URLSearchParams((req.url ?? '').split('?').slice(1).join('?')));
      note.repo = ref.repo;
      this.authorize(who, ref);
      return this.limited(gone.signal, () => this.opts.store.status(ref, this.opts.embedder));
    }
    const body = await readJsonBody(req);
    if (known.route === 'search') {
      const r = checkSearchRequest(body);
      note.repo = r.repo;
      note.query = r.query;
      this.authorize(who, r);
      const opts: SearchOptions = { k: r.k ?? DEFAULT_K, showWeak: r.showWeak, fixedK: r.fixedK, languages: r.languages, pathPrefix: r.pathPrefix, pathFilter: r.pathFilter };
      return this.limited(gone.signal, () => this.opts.store.search({ repo: r.repo, branch: r.branch }, r.query, opts, this.opts.embedder));
    }
    const r = checkSimilarRequest(body);
    note.repo = r.repo;
    note.query = r.code;
    this.authorize(who, r);
    const opts: SearchOptions = { k: r.k ?? DEFAULT_K, languages: r.languages, pathPrefix: r.pathPrefix, pathFilter: r.pathFilter };
    return this.limited(gone.signal, () => this.opts.store.search({ repo: r.repo, branch: r.branch }, r.code, opts, this.opts.embedder));
  }

  private async authenticate(req: http.IncomingMessage): Promise<TokenInfo> {
    const header = req.headers.authorization;
    if (!header) throw unauthorized('this server needs a token: send Authorization: Bearer <token> (sift token create makes one)');
    const m = /^Bearer[ ]+(\S+)[ ]*$/i.exec(header);
    if (!m) throw unauthorized('send the token as Authorization: Bearer <token>');
    // a database failure here is 503, never taken for an unknown token
    const who = await this.tokens.verify(m[1]);
    if (!who) throw unauthorized('the token is not valid (unknown or revoked)');
    return who;
  }

  /** A token for one repository may read only that one; the answer does not say whether the other exists. */
  private authorize(who: TokenInfo, ref: IndexRef): void {
    if (who.repoId !== null && who.repo !== ref.repo) throw new HttpError(403, 'forbidden', 'this token is for another repository');
  }

  private async limited<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    let release: () => void;
    try {
      release = await this.limiter.acquire(signal);
    } catch (e) {
      if (e instanceof LimiterRefusal) throw busy(e.message);
      throw e;
    }
    try {
      return await fn();
    } finally {
      release();
    }
  }

  private async health(): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.opts.store.pool.query('select 1'),
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('no answer in time')), HEALTH_TIMEOUT_MS); }),
      ]);
      return { status: 'ok', database: 'up' };
    } catch {
      throw new HttpError(503, 'unavailable', 'the team database does not answer', { 'Retry-After': String(RETRY_AFTER_S) });
    } finally {
      clearTimeout(timer);
    }
  }

  private send(req: http.IncomingMessage, res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent || res.destroyed) return;
    const text = JSON.stringify(body);
    res.statusCode = status;
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // a body left unread (refused before it was read, or too large) is not read to its end: close instead
    if (!req.complete || this.stopping) res.setHeader('Connection', 'close');
    res.end(req.method === 'HEAD' ? undefined : text);
  }
}
