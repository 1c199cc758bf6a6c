// `sift serve` (run the daemon in the foreground, logging to stderr),
// `sift serve status` and `sift serve stop`; with --store, the team server.
import { UsageError, type ParsedArgs } from '../args';
import { DaemonClient } from './client';
import { parseDuration } from './duration';
import { SiftServer, ServeRunningError } from './server';
import { serveDir, ServeDirError, socketPath } from './socketPath';

const DEFAULT_IDLE = '30m';
const DEFAULT_ENGINE_IDLE = '10m';

export async function cmdServe(a: ParsedArgs): Promise<number> {
  // --store: the team server over PostgreSQL (src/cli/team/), not this per-user daemon
  if (a.values.store) return (await import('../team/serveCommand')).cmdTeamServe(a);
  for (const f of ['listen', 'max-concurrent', 'max-queue']) if (a.values[f]) throw new UsageError(`--${f} is for the team server: sift serve --store URL --${f} …`);
  if (a.flags.has('log-queries')) throw new UsageError('--log-queries is for the team server: sift serve --store URL --log-queries');
  const action = a.positional[0] ?? 'start';
  if (action === 'status' || action === 'stop') return ask(action, a.flags.has('json'));
  if (action !== 'start') throw new UsageError(`sift serve takes start (the default), status or stop; got ${action}`);
  const idleMs = parseDuration('idle-timeout', a.values['idle-timeout']?.[0] ?? DEFAULT_IDLE);
  const engineIdleMs = Math.min(idleMs, parseDuration('engine-idle-timeout', a.values['engine-idle-timeout']?.[0] ?? DEFAULT_ENGINE_IDLE));
  const log = (m: string) => process.stderr.write(`${new Date().toISOString()} ${m}\n`);
  const server = new SiftServer({ dir: serveDir(), idleMs, engineIdleMs, log });
  try {
    await server.start();
  } catch (e) {
    if (e instanceof ServeRunningError || e instanceof ServeDirError) { process.stderr.write(`sift: ${e.message}\n`); return 1; }
    throw e;
  }
  // a stray failure is logged, not fatal: the daemon serves other clients and indexes
  process.on('unhandledRejection', (e) => log(`internal error (still serving): ${(e as Error)?.stack ?? e}`));
  const onSignal = (sig: string) => void server.stop(`${sig}`);
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGHUP', () => onSignal('SIGHUP'));
  await server.stopped;
  return 0;
}

async function ask(action: 'status' | 'stop', json: boolean): Promise<number> {
  const sock = socketPath(serveDir());
  const client = await DaemonClient.connect(sock);
  if (!client) {
    process.stdout.write(json ? JSON.stringify({ running: false, socket: sock }) + '\n' : `sift serve is not running (${sock})\n`);
    return action === 'status' ? 3 : 0;
  }
  try {
    const value = await client.request({ type: action });
    if (json) process.stdout.write(JSON.stringify({ running: action === 'status', ...(value as object) }) + '\n');
    else if (action === 'stop') process.stdout.write('sift serve is stopping\n');
    else process.stdout.write(formatDaemonStatus(value as DaemonStatus) + '\n');
    return 0;
  } finally {
    client.close();
  }
}

interface DaemonStatus {
  pid: number; version: string; socket: string; startedAt: string; idleTimeoutMs: number; connections: number;
  engines: Array<{ roots: string[]; indexDir: string; busy: boolean; holdsWriteLock: boolean }>;
}

function formatDaemonStatus(s: DaemonStatus): string {
  const lines = [
    `sift serve ${s.version}, process ${s.pid}, since ${s.startedAt}`,
    `socket: ${s.socket}; stops after ${Math.round(s.idleTimeoutMs / 1000)} s idle; ${s.connections} client(s) connected`,
    s.engines.length ? `warm indexes (${s.engines.length}):` : 'no index loaded',
  ];
  for (const e of s.engines) lines.push(`  ${e.roots.join(', ')}  (index ${e.indexDir}${e.busy ? ', busy' : ''}${e.holdsWriteLock ? '' : ', read-only: another process holds its write lock'})`);
  return lines.join('\n');
}
