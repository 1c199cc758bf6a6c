// A client of the team server's HTTP/JSON API (api.ts) over Node's global
// fetch: search, similar and status, each with a deadline. Every failure
// becomes a TeamServerError that says what went wrong in the user's words —
// the server's own ApiError message when it answered, otherwise what stood
// between us and it (refused, no such host, TLS, a timeout, not a Sift
// server). The token is sent as a bearer header and never appears in a
// message, a log line or an error; the URL is shown without any user:password.
import { API_PREFIX, type ApiError, type IndexRef, type SearchRequest, type SimilarRequest, type TeamSearchResponse, type TeamStatus } from './api';

export type TeamErrorCode =
  | ApiError['error']['code']
  /** No answer: refused, no such host, network down. */
  | 'unreachable'
  /** The TLS handshake failed (certificate, or https to a plain-http server). */
  | 'tls'
  /** An answer that is not the team API's (a proxy's page, another program on the port, a redirect). */
  | 'bad_response';

export class TeamServerError extends Error {
  constructor(
    readonly code: TeamErrorCode,
    message: string,
    /** The HTTP status, or null when there was no answer. */
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'TeamServerError';
  }

  /** The server cannot be used at all right now (as opposed to refusing this one request). */
  get unreachable(): boolean {
    return this.code === 'unreachable' || this.code === 'tls' || this.code === 'timeout' || this.code === 'bad_response';
  }
}

export interface TeamClientOptions {
  /** The server's base URL, e.g. https://sift.example.com or http://10.0.0.5:7700/sift/. */
  url: string;
  /** Bearer token (from `sift token create`); undefined sends none. */
  token?: string;
  /** Deadline of one request (default 10 s). */
  timeoutMs?: number;
  /** How the person sets a token, for the 401 message (default: the CLI's words). */
  tokenHint?: string;
  /** For tests: the fetch to use (default: the global one). */
  fetch?: typeof fetch;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const CLI_TOKEN_HINT = 'pass one with --token or the SIFT_TOKEN environment variable';

/** The URL as it may be shown: no user name or password, no query or fragment. */
export function displayUrl(url: URL): string {
  const u = new URL(url.href);
  u.username = '';
  u.password = '';
  u.search = '';
  u.hash = '';
  return u.href.replace(/\/$/, '');
}

/** Parses and checks a server URL (http or https); a bare host:port gets http://. Throws a TeamServerError-free Error for bad input. */
export function parseServerUrl(raw: string): URL {
  const text = raw.trim();
  if (!text) throw new Error('the team server URL is empty');
  let u: URL;
  try {
    u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    throw new Error(`"${text}" is not a URL (expected e.g. https://sift.example.com or http://HOST:PORT)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`the team server URL must start with http:// or https://, got ${u.protocol}//`);
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return u;
}

/** What undici's "fetch failed" hides in its cause chain: the first error code found, and the innermost message. */
function causeOf(e: unknown): { code: string; message: string } {
  let message = '';
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const c = cur as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof c.message === 'string' && c.message) message = c.message;
    if (typeof c.code === 'string') return { code: c.code, message };
    cur = c.cause;
  }
  return { code: '', message };
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$|ERR_SSL)/;

export class TeamClient {
  readonly url: URL;
  /** The URL as messages show it. */
  readonly shown: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;
  private readonly tokenHint: string;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: TeamClientOptions) {
    this.url = parseServerUrl(opts.url);
    this.shown = displayUrl(this.url);
    this.token = opts.token?.trim() || undefined;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.tokenHint = opts.tokenHint ?? CLI_TOKEN_HINT;
    this.fetchImpl = opts.fetch ?? fetch;
  }

  search(req: SearchRequest, signal?: AbortSignal): Promise<TeamSearchResponse> {
    return this.call<TeamSearchResponse>('POST', 'search', req, signal).then((r) => checkSearch(r, this.shown));
  }

  similar(req: SimilarRequest, signal?: AbortSignal): Promise<TeamSearchResponse> {
    return this.call<TeamSearchResponse>('POST', 'similar', req, signal).then((r) => checkSearch(r, this.shown));
  }

  status(ref: IndexRef, signal?: AbortSignal): Promise<TeamStatus> {
    const q = new URLSearchParams({ repo: ref.repo });
    if (ref.branch) q.set('branch', ref.branch);
    return this.call<TeamStatus>('GET', `status?${q}`, undefined, signal).then((r) => {
      if (!r || typeof r !== 'object' || typeof r.files !== 'number' || typeof r.branch !== 'string') throw this.notSift('the status answer has no files or branch');
      return r;
    });
  }

  private endpoint(route: string): URL {
    // relative to the base URL's path, so a server behind a proxy prefix (/sift/) works
    return new URL(`${API_PREFIX.replace(/^\//, '')}/${route}`, this.url);
  }

  private notSift(why: string, status: number | null = null): TeamServerError {
    return new TeamServerError('bad_response', `${this.shown} did not answer as a Sift team server (${why}); check sift.server / --server`, status);
  }

  private async call<T>(method: 'GET' | 'POST', route: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const sig = signal ? AbortSignal.any([signal, deadline]) : deadline;
    let res: Response;
    let text: string;
    try {
      // redirects are not followed: the token must not travel to another address unasked
      res = await this.fetchImpl(this.endpoint(route), { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: sig, redirect: 'manual' });
      text = await res.text();
    } catch (e) {
      throw this.connectionError(e, signal, deadline);
    }
    if (res.status >= 300 && res.status < 400) {
      const to = res.headers.get('location');
      throw new TeamServerError('bad_response', `${this.shown} redirects${to ? ` to ${safeLocation(to)}` : ''}: set the team server URL to where it points (redirects are not followed, so the token is not sent elsewhere)`, res.status);
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw this.notSift(`HTTP ${res.status}, ${res.headers.get('content-type') || 'no content type'}, not JSON`, res.status);
    }
    if (!res.ok) throw this.apiError(res.status, json, route);
    return json as T;
  }

  private connectionError(e: unknown, signal: AbortSignal | undefined, deadline: AbortSignal): Error {
    if (signal?.aborted) return signal.reason instanceof Error ? signal.reason : Object.assign(new Error('cancelled'), { name: 'AbortError' });
    if (deadline.aborted || (e as Error)?.name === 'TimeoutError') {
      return new TeamServerError('timeout', `the team server at ${this.shown} did not answer within ${fmtSeconds(this.timeoutMs)}`);
    }
    const cause = causeOf(e);
    const code = cause.code;
    const host = this.url.host;
    if (code === 'ECONNREFUSED') return new TeamServerError('unreachable', `the team server at ${this.shown} refused the connection: is \`sift serve --store …\` running there, on that port?`);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new TeamServerError('unreachable', `cannot reach the team server at ${this.shown}: no such host ${this.url.hostname}`);
    if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return new TeamServerError('timeout', `cannot reach the team server at ${this.shown}: connecting to ${host} timed out`);
    if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return new TeamServerError('unreachable', `the team server at ${this.shown} closed the connection before answering${this.url.protocol === 'http:' ? ' (does it expect https://?)' : ''}`);
    if (TLS_CODE.test(code)) {
      const plain = /wrong version number|packet length too long|http request/i.test(cause.message);
      return new TeamServerError('tls', plain
        ? `the team server at ${this.shown} does not speak TLS: use http:// instead of https://`
        : `the TLS connection to the team server at ${this.shown} failed: ${cause.message || code} (${code})`);
    }
    // fetch refuses some ports outright (the Fetch standard's list: 1, 6000, 6665-6669, …)
    if (cause.message === 'bad port') return new TeamServerError('unreachable', `cannot reach the team server at ${this.shown}: port ${this.url.port} is one that fetch refuses to use; run the server on another port`);
    const why = cause.message || String(e);
    return new TeamServerError('unreachable', `cannot reach the team server at ${this.shown}: ${why}${code ? ` (${code})` : ''}`);
  }

  private apiError(status: number, json: unknown, route: string): TeamServerError {
    const err = (json as Partial<ApiError> | undefined)?.error;
    if (!err || typeof err.code !== 'string' || typeof err.message !== 'string') {
      if (status === 404) return this.notSift(`HTTP 404 for ${this.endpoint(route.split('?')[0]).pathname}`, status);
      return this.notSift(`HTTP ${status} without a Sift error body`, status);
    }
    const said = err.message;
    switch (err.code) {
      case 'unauthorized':
        return new TeamServerError('unauthorized', this.token
          ? `the team server at ${this.shown} refused the token (${said}): create one with \`sift token create\` on the server and set it`
          : `the team server at ${this.shown} needs a token: create one with \`sift token create\` on the server and ${this.tokenHint}`, status);
      case 'forbidden':
        return new TeamServerError('forbidden', `the team server at ${this.shown} does not let this token read that: ${said}`, status);
      case 'not_found':
        return new TeamServerError('not_found', `the team server at ${this.shown} has no such index: ${said}`, status);
      case 'busy':
      case 'unavailable':
        return new TeamServerError(err.code, `the team server at ${this.shown} cannot answer now: ${said}`, status);
      case 'timeout':
        return new TeamServerError('timeout', `the team server at ${this.shown} gave up: ${said}`, status);
      default:
        return new TeamServerError(err.code as TeamErrorCode, `the team server at ${this.shown} answered ${status}: ${said}`, status);
    }
  }
}

function fmtSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** A Location header as it may be shown (no credentials or query). */
function safeLocation(loc: string): string {
  try { return displayUrl(new URL(loc, 'http://x/')).replace(/^http:\/\/x/, ''); } catch { return '(an unreadable address)'; }
}

function checkSearch(r: TeamSearchResponse, shown: string): TeamSearchResponse {
  if (!r || typeof r !== 'object' || !Array.isArray(r.hits) || (r.mode !== 'hybrid' && r.mode !== 'keyword') || typeof r.noRelevant !== 'boolean') {
    throw new TeamServerError('bad_response', `${shown} did not answer as a Sift team server (the search answer has no hits, mode or noRelevant); check sift.server / --server`);
  }
  return r;
}
