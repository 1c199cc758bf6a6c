// What can go wrong talking to the team database, in the user's words. The
// server maps these to HTTP answers (503, 504, 404, 409); the CLI to messages.

/** The database cannot be reached (down, restarting, refused, connection lost). Retry later: nothing was half-done. */
export class StoreUnavailableError extends Error {
  constructor(message: string) { super(message); this.name = 'StoreUnavailableError'; }
}

/** The database took longer than the statement timeout; the statement was cancelled and its transaction rolled back. */
export class StoreTimeoutError extends Error {
  constructor(message: string) { super(message); this.name = 'StoreTimeoutError'; }
}

/** No such repository or branch in the team index. */
export class NotIndexedError extends Error {
  constructor(message: string) { super(message); this.name = 'NotIndexedError'; }
}

/** The database's schema is not one this build reads (newer, or not created yet). */
export class SchemaError extends Error {
  constructor(message: string) { super(message); this.name = 'SchemaError'; }
}

/** Another `sift index` is writing this branch now. */
export class BranchBusyError extends Error {
  constructor(message: string) { super(message); this.name = 'BranchBusyError'; }
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);

/** A pg driver error as one of the errors above, or as it is when it is none of them. */
export function classifyPgError(e: unknown): Error {
  const err = e as Error & { code?: string };
  if (err instanceof StoreUnavailableError || err instanceof StoreTimeoutError) return err;
  const code = err?.code ?? '';
  const msg = err?.message ?? String(e);
  if (code === '57014') return new StoreTimeoutError(`the team database did not answer in time (${msg})`);
  if (UNAVAILABLE_CODES.has(code) || /Connection terminated|connection timeout|terminating connection|the database system is (starting up|shutting down|in recovery)|Client has encountered a connection error/i.test(msg)) {
    return new StoreUnavailableError(`the team database is unavailable (${msg})`);
  }
  return err instanceof Error ? err : new Error(msg);
}
