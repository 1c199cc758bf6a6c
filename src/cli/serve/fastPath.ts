// `sift search` and `sift index` through a running `sift serve`, before any
// engine code is loaded: parse the command line, send the request, print what
// the daemon answers. Null means "not answered here" (no daemon, --no-daemon,
// another command, input the full CLI should complain about): run the CLI
// in-process. `--daemon` starts a daemon when none runs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isStale, readHolder } from '../../core/persist/writeLock';
import { parseArgs, type ParsedArgs } from '../args';
import { engineRequest } from '../engineSpec';
import { formatStats } from '../format';
import { ProgressBar } from '../progress';
import { parseSearchArgs } from '../searchArgs';
import type { EngineStatus } from '../../core/engine';
import type { IndexStats } from '../../core/types';
import { buildId } from './buildId';
import { DaemonClient, DaemonError, DaemonGone, type Outgoing } from './client';
import { SERVE_LOCK_FILE, serveDir, serveDirProblem, socketPath } from './socketPath';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** A progress bar's terminal, or null (not a TTY). */
  tty: NodeJS.WriteStream | null;
}

const stdio: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), tty: process.stderr.isTTY ? process.stderr : null };

/** A command the daemon can answer: the request, and what to print of its reply. */
interface Forwarded { a: ParsedArgs; request: Outgoing; print: (value: unknown) => string }

/** As in-process: a progress bar on a terminal unless --quiet (and for sift index, --json). */
function wantsBar(a: ParsedArgs, io: Io): boolean {
  return !!io.tty && !a.flags.has('quiet') && !(a.command === 'index' && a.flags.has('json'));
}

/** The exit code when the daemon answered, or null: run the command in-process. */
export async function viaDaemon(argv: string[], io: Io = stdio): Promise<number | null> {
  const fwd = forwardable(argv, io);
  if (!fwd) return null;
  const wantDaemon = fwd.a.flags.has('daemon');
  const dir = serveDir();
  const sock = socketPath(dir);
  let client: DaemonClient | null = null;
  try {
    if (fs.existsSync(dir)) {
      const problem = serveDirProblem(dir);
      if (problem) {
        if (wantDaemon) { io.err(`sift: ${problem}\n`); return 1; }
        if (fs.existsSync(sock)) io.err(`sift: not using sift serve: ${problem}\n`);
        return null;
      }
      client = await DaemonClient.connect(sock);
    }
    if (!client && !wantDaemon) return null;
    const build = buildId();
    for (let attempt = 0; ; attempt++) {
      client ??= await (await import('./autostart')).startDaemon(dir);
      try {
        io.out(fwd.print(await ask(client, fwd, build, io)));
        return 0;
      } catch (e) {
        if (e instanceof DaemonError && e.code === 'otherBuild') {
          if (!wantDaemon || attempt > 0) {
            io.err(`sift: ${e.message.replace(/^this /, '')}; answering in this process\n`);
            return null;
          }
          await client.request({ type: 'stop' }).catch(() => undefined);
          client.close();
          client = null;
          await waitGone(dir);
          continue;
        }
        if (e instanceof DaemonError) { io.err(`sift: ${e.message}\n`); return e.exitCode; }
        if (e instanceof DaemonGone) { io.err(`sift: ${e.message}; answering in this process\n`); return null; }
        throw e;
      }
    }
  } catch (e) {
    if (!wantDaemon) return null;
    io.err(`sift: ${(e as Error).message}\n`);
    return 1;
  } finally {
    client?.destroy(); // this process exits next: no need to wait for the daemon to close its side
  }
}

/** Send the request; warnings to stderr and a progress bar as in-process. */
async function ask(client: DaemonClient, fwd: Forwarded, build: string, io: Io): Promise<unknown> {
  const bar = wantsBar(fwd.a, io) ? new ProgressBar(io.tty!) : null;
  try {
    return await client.request({ ...fwd.request, build, ...(bar ? { progress: true } : {}) }, {
      warning: (m) => io.err(m + '\n'),
      progress: bar ? (p) => bar.update(p) : undefined,
    });
  } finally {
    bar?.done();
  }
}

/** search or index, unless --no-daemon, help, or input the full CLI reports on. */
function forwardable(argv: string[], io: Io): Forwarded | null {
  try {
    const a = parseArgs(argv);
    if (a.flags.has('no-daemon') || a.flags.has('help') || a.flags.has('version') || a.values.store || a.values.server) return null;
    if (a.command === 'search') {
      const s = parseSearchArgs(a);
      return {
        a,
        request: {
          type: 'search', engine: engineRequest(a, s.roots), query: s.query, k: s.k, all: s.all, threshold: s.threshold, fixedK: s.fixedK,
          refresh: !s.noRefresh, announce: !s.quiet && !s.json && !wantsBar(a, io), output: s.json ? 'json' : 'text',
        },
        print: (v) => (v as { stdout: string }).stdout,
      };
    }
    if (a.command === 'index') {
      const roots = a.positional.length ? a.positional : ['.'];
      return {
        a,
        request: { type: 'index', engine: engineRequest(a, roots) },
        print: (v) => {
          const { stats, status } = v as { stats: IndexStats; status: EngineStatus };
          // as `sift index` prints them in-process (cli.ts cmdIndex)
          if (a.flags.has('json')) return JSON.stringify({ ...stats, mode: status.mode, modeReason: status.modeReason, indexDir: status.indexDir }) + '\n';
          return formatStats(stats, status, a.flags.has('all-skipped')) + '\n';
        },
      };
    }
    return null;
  } catch {
    return null;
  }
}

/** Wait until the daemon of this folder has let go of it (its serve.lock gone), at most ~10 s. */
async function waitGone(dir: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const h = readHolder(path.join(dir, SERVE_LOCK_FILE));
    if (!h || isStale(h)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}
