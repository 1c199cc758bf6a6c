// `sift serve --store URL [--listen HOST:PORT]`: the team server (server.ts)
// over the team index in PostgreSQL, in the foreground, logging to stderr.
//
// The server does not create or migrate the schema: `sift index --store`
// does. It checks at start that the database answers and is at the schema
// version this build reads, and refuses to start otherwise (with what to
// run). It speaks plain HTTP; off loopback, TLS belongs in a reverse proxy
// in front of it (it says so at start).
import { UsageError, type ParsedArgs } from '../args';
import { loadModel } from '../engineOpen';
import { packageVersion } from '../help';
import { redactUrl } from '../../core/store/postgres/db';
import { requireSchema } from '../../core/store/postgres/migrate';
import { TeamStore } from '../../core/store/postgres/teamStore';
import { DEFAULT_LISTEN, isLoopback, parseListen } from './listenAddress';
import { DEFAULT_MAX_CONCURRENT, TeamServer } from './server';

/** Database connections beyond the searches' own: token checks and /healthz. */
const SPARE_CONNECTIONS = 4;

function positiveInt(a: ParsedArgs, flag: string, max: number): number | undefined {
  const v = a.values[flag]?.[0];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > max) throw new UsageError(`--${flag} takes a whole number from 1 to ${max} (got ${v})`);
  return n;
}

export async function cmdTeamServe(a: ParsedArgs): Promise<number> {
  const url = a.values.store?.[0];
  if (!url || !/^postgres(ql)?:\/\//.test(url)) throw new UsageError('--store takes a PostgreSQL URL (postgres://user:password@host:port/database)');
  if (a.positional.length) throw new UsageError(`sift serve --store takes no ${a.positional[0]} (stop it with Ctrl-C or SIGTERM)`);
  const { host, port } = parseListen(a.values.listen?.[0] ?? DEFAULT_LISTEN);
  const maxConcurrent = positiveInt(a, 'max-concurrent', 1024) ?? DEFAULT_MAX_CONCURRENT;
  const maxQueue = positiveInt(a, 'max-queue', 100_000);
  const log = (m: string): void => { process.stderr.write(`${new Date().toISOString()} ${m}\n`); };

  const embedder = await loadModel(a, (m) => log(m));
  const store = TeamStore.connect(url, { max: maxConcurrent + SPARE_CONNECTIONS });
  try {
    await requireSchema(store.pool);
  } catch (e) {
    await store.close().catch(() => undefined);
    if (embedder) await embedder.dispose();
    throw new Error(`cannot serve the team database at ${redactUrl(url)}: ${(e as Error).message}`);
  }
  const server = new TeamServer({ store, embedder, maxConcurrent, maxQueue, logQueries: a.flags.has('log-queries'), log });
  // a stray failure is logged, not fatal: other requests are still answered
  process.on('unhandledRejection', (e) => log(`internal error (still serving): ${(e as Error)?.stack ?? e}`));
  try {
    const addr = await server.listen(host, port);
    const shown = addr.family === 'IPv6' ? `[${addr.address}]:${addr.port}` : `${addr.address}:${addr.port}`;
    log(`sift serve ${packageVersion()} (pid ${process.pid}): team server on http://${shown} over ${redactUrl(url)}; ` +
      `${embedder ? `model ${embedder.id}` : 'no embedding model (keyword search only)'}; ${maxConcurrent} searches at once`);
    if (!isLoopback(host)) {
      log('warning: listening beyond this machine over plain HTTP: put a reverse proxy with TLS in front of it (tokens travel in every request)');
    }
  } catch (e) {
    await store.close().catch(() => undefined);
    if (embedder) await embedder.dispose();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new Error(`cannot listen on ${host}:${port}: the port is in use`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new Error(`cannot listen on ${host}:${port}: no such address on this machine`);
    if (code === 'EACCES') throw new Error(`cannot listen on ${host}:${port}: permission denied (ports below 1024 need privileges)`);
    throw e;
  }
  await new Promise<void>((resolve) => {
    const onSignal = (sig: string): void => {
      log(`${sig}: stopping (requests in flight may finish)`);
      resolve();
    };
    process.once('SIGINT', () => onSignal('SIGINT'));
    process.once('SIGTERM', () => onSignal('SIGTERM'));
  });
  await server.stop();
  await store.close().catch((e) => log(`closing the database pool: ${(e as Error).message}`));
  if (embedder) await embedder.dispose();
  log('stopped');
  return 0;
}
