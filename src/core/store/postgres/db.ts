// Connections to the team database: one pool per process, every statement
// under a timeout, and every failure turned into one of errors.ts's kinds.
// A client that errors while idle (the server restarted) is dropped by the
// pool and the next query connects anew: callers see StoreUnavailableError
// for the queries that were cut, never a crash.
import pg from 'pg';
import { classifyPgError } from './errors';

export interface PoolOptions {
  /** Most connections (default 10). */
  max?: number;
  /** Cancel a statement that runs longer (default 30 s; 0: none). */
  statementTimeoutMs?: number;
  /** Give up connecting after this long (default 5 s). */
  connectTimeoutMs?: number;
}

export type Pool = pg.Pool;
export type Client = pg.PoolClient;

/** A URL as the user may print it: the password replaced. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(an unparseable database URL)';
  }
}

export function openPool(url: string, opts: PoolOptions = {}): Pool {
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error(`not a PostgreSQL URL: ${redactUrl(url)} (expected postgres://user:password@host:port/database)`);
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    statement_timeout: opts.statementTimeoutMs ?? 30_000,
    idleTimeoutMillis: 30_000,
    application_name: 'sift',
  });
  // an idle client's error (the server went away) must not take the process down: the pool drops it
  pool.on('error', () => undefined);
  return pool;
}

/** Run fn on one client of the pool; errors come back classified (errors.ts). */
export async function withClient<T>(pool: Pool, fn: (c: Client) => Promise<T>): Promise<T> {
  let client: Client;
  try { client = await pool.connect(); } catch (e) { throw classifyPgError(e); }
  let broken: Error | undefined;
  const ignore = (): void => undefined;
  client.on('error', ignore);
  try {
    return await fn(client);
  } catch (e) {
    const err = classifyPgError(e);
    if (err.name === 'StoreUnavailableError') broken = err;
    throw err;
  } finally {
    client.off('error', ignore);
    // a client whose connection failed is destroyed, not returned to the pool
    client.release(broken);
  }
}

/**
 * Run fn in one transaction: committed when fn returns, rolled back when it
 * throws (or the connection dies: the server rolls back what it never saw
 * committed). `mode` is the BEGIN's options, e.g. 'isolation level repeatable read read only';
 * `setup`, statements (our own text, no user input) run right after it, e.g. SET LOCAL.
 */
export async function inTransaction<T>(pool: Pool, fn: (c: Client) => Promise<T>, mode = '', setup = ''): Promise<T> {
  return withClient(pool, async (c) => {
    // BEGIN and any setup (SET LOCAL …) in one round trip
    await c.query(`${mode ? `begin ${mode}` : 'begin'}${setup ? `; ${setup}` : ''}`);
    try {
      const out = await fn(c);
      await c.query('commit');
      return out;
    } catch (e) {
      try { await c.query('rollback'); } catch { /* the connection is gone: the server rolled back */ }
      throw e;
    }
  });
}
