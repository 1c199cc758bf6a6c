// A real PostgreSQL 16 + pgvector server for mocha tests (scripts/pgLib.mjs:
// the binaries of the PyPI wheel pgserver==0.1.4, a fresh throw-away data
// directory, 127.0.0.1 on a free port, database `sift` with extension `vector`).
//
// One server serves the whole mocha run: the first startPg() starts it (a few
// seconds; the first run on a machine also downloads ~11 MB), later calls get
// the same one, and a root `after` hook (or, failing that, process exit) stops
// it and deletes its data. Tests sharing it should use their own tables or
// schemas.
//
// SIFT_TEST_PG_URL=postgresql://... : use that server instead; it is never
// stopped, killed or restarted (crashPgSupported() is false, so fault tests skip).
// SIFT_TEST_PG_VERBOSE=1 : progress on stderr.
//
// Fault tests: killPg() SIGKILLs the postmaster and its children at once (a
// crash: nothing is flushed or shut down cleanly), restartPg() starts the same
// data directory on the same port again (PostgreSQL replays its WAL) and returns
// once it accepts connections. Clients connected before the kill get errors:
// connect again after restartPg().
import type { PgRun } from '../../scripts/pgLib.mjs';

type PgLib = typeof import('../../scripts/pgLib.mjs');

export interface PgServer {
  /** postgresql://sift:PASSWORD@127.0.0.1:PORT/sift (or SIFT_TEST_PG_URL). */
  url: string;
  port: number;
  /** The data directory; undefined for SIFT_TEST_PG_URL. */
  dataDir?: string;
  /** True for SIFT_TEST_PG_URL: not ours to stop, kill or restart. */
  external: boolean;
  /** Stops the server and deletes its data (a later startPg() starts a new one). */
  stop(): Promise<void>;
  /** killPg() */
  kill(): Promise<void>;
  /** restartPg() */
  restart(): Promise<void>;
}

let lib: PgLib | undefined;
let run: PgRun | undefined;
let server: Promise<PgServer> | undefined;

const log = process.env.SIFT_TEST_PG_VERBOSE ? (line: string) => process.stderr.write(`[pg] ${line}\n`) : undefined;

async function loadLib(): Promise<PgLib> {
  return (lib ??= await import('../../scripts/pgLib.mjs'));
}

/** Whether killPg()/restartPg() can be used (false with SIFT_TEST_PG_URL). */
export function crashPgSupported(): boolean {
  return !process.env.SIFT_TEST_PG_URL;
}

/** The shared server, started on first use. */
export function startPg(): Promise<PgServer> {
  if (!server) {
    server = open();
    server.catch(() => { server = undefined; }); // a failed start is retried by the next call
  }
  return server;
}

async function open(): Promise<PgServer> {
  const external = process.env.SIFT_TEST_PG_URL;
  if (external) {
    const u = new URL(external);
    return { url: external, port: Number(u.port || 5432), external: true, stop: async () => {}, kill: killPg, restart: restartPg };
  }
  const pg = await loadLib();
  pg.sweepOrphans(log);
  run = await pg.startServer({ kind: 'test', log });
  const r = run;
  return { url: r.url, port: r.port, dataDir: r.dataDir, external: false, stop: stopPg, kill: killPg, restart: restartPg };
}

function ours(what: string): PgRun {
  if (process.env.SIFT_TEST_PG_URL) throw new Error(`${what}: SIFT_TEST_PG_URL names a server that is not ours (check crashPgSupported())`);
  if (!run) throw new Error(`${what}: no server is running (call startPg() first)`);
  return run;
}

/** SIGKILLs the postmaster and all its processes at once, and waits until they are gone. */
export async function killPg(): Promise<void> {
  const r = ours('killPg');
  await lib!.killServer(r);
}

/** Starts the same data directory on the same port again after killPg(); resolves when it accepts connections. */
export async function restartPg(): Promise<void> {
  const r = ours('restartPg');
  await lib!.restartServer(r, log);
}

/** Stops the shared server and deletes its data; a no-op when none runs or with SIFT_TEST_PG_URL. */
export async function stopPg(): Promise<void> {
  const r = run;
  server = undefined;
  run = undefined;
  if (r) await lib!.stopServer(r, log);
}

// Stop it after the whole run: a root hook when loaded by mocha, and process exit as a backstop.
if (typeof globalThis.after === 'function') after('stop the test PostgreSQL server', stopPg);
process.on('exit', () => {
  if (run && lib) lib.stopServerSync(run);
});
