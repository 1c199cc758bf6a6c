// The team server's error answers: an HttpError carries the status, the
// ApiError code and the message; errorFor maps what the store throws to one.
// A message the server did not write itself (an unexpected failure) is never
// sent: the client gets "internal error" and the log gets the stack.
import type { ApiError } from '../../core/team/api';
import { classifyPgError, NotIndexedError, SchemaError, StoreTimeoutError, StoreUnavailableError } from '../../core/store/postgres/errors';
import { QueryError } from '../../core/search/search';

export type ErrorCode = ApiError['error']['code'];

/** Seconds a client is told to wait before trying again after 503. */
export const RETRY_AFTER_S = 5;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    /** Extra response headers (WWW-Authenticate, Retry-After, Allow). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  body(): ApiError {
    return { error: { code: this.code, message: this.message } };
  }
}

export const badRequest = (message: string) => new HttpError(400, 'bad_request', message);
export const unauthorized = (message: string) => new HttpError(401, 'unauthorized', message, { 'WWW-Authenticate': 'Bearer realm="sift"' });
export const busy = (message: string) => new HttpError(503, 'busy', message, { 'Retry-After': String(RETRY_AFTER_S) });

/** The answer for anything a handler threw; `unexpected` is set when it is a bug or an unknown failure (to be logged). */
export function errorFor(e: unknown): { error: HttpError; unexpected: boolean } {
  if (e instanceof HttpError) return { error: e, unexpected: false };
  const err = classifyPgError(e);
  if (err instanceof StoreUnavailableError) return { error: new HttpError(503, 'unavailable', 'the team database is unavailable; try again shortly', { 'Retry-After': String(RETRY_AFTER_S) }), unexpected: false };
  if (err instanceof StoreTimeoutError) return { error: new HttpError(504, 'timeout', 'the team database did not answer in time; the search was cancelled'), unexpected: false };
  if (err instanceof NotIndexedError) return { error: new HttpError(404, 'not_found', err.message), unexpected: false };
  if (err instanceof SchemaError) return { error: new HttpError(503, 'unavailable', err.message, { 'Retry-After': String(RETRY_AFTER_S * 6) }), unexpected: false };
  if (err instanceof QueryError) return { error: badRequest(err.message), unexpected: false };
  return { error: new HttpError(500, 'internal', 'internal error (logged by the server)'), unexpected: true };
}
