// Starting `sift serve` in the background for `sift search --daemon`:
// detached, its output appended to serve.log beside the socket, and waited
// for until it answers (or says why it could not start).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../../core/assets';
import { DaemonClient } from './client';
import { ensureServeDir, logPath, socketPath } from './socketPath';

/** How long a starting daemon may take to answer (it loads the CLI bundle, ~0.1–0.5 s). */
const START_TIMEOUT_MS = 20_000;
const POLL_MS = 25;

/** The full CLI, which runs `sift serve`. */
export function mainScript(): string {
  return path.join(packageRoot(), 'dist', 'cliMain.js');
}

/** Start a daemon for this socket folder and connect to it; throws with the daemon's own words when it cannot start. */
export async function startDaemon(dir: string, serveArgs: string[] = []): Promise<DaemonClient> {
  ensureServeDir(dir);
  const log = logPath(dir);
  const fd = fs.openSync(log, 'a', 0o600);
  const logStart = fs.fstatSync(fd).size;
  const child = spawn(process.execPath, [mainScript(), 'serve', ...serveArgs], {
    detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, SIFT_RUNTIME_DIR: dir },
  });
  fs.closeSync(fd);
  let exited: number | null = null;
  child.on('exit', (code) => { exited = code ?? 1; });
  child.unref();
  const until = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const c = await DaemonClient.connect(socketPath(dir));
    if (c) return c;
    if (exited !== null) {
      // another client may have started one meanwhile: it answers on the next try
      const again = await DaemonClient.connect(socketPath(dir));
      if (again) return again;
      throw new Error(`sift serve did not start: ${logTail(log, logStart) || `exit code ${exited}`}`);
    }
    if (Date.now() > until) throw new Error(`sift serve did not answer within ${START_TIMEOUT_MS / 1000} s (its log: ${log})`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function logTail(file: string, from: number): string {
  try {
    return fs.readFileSync(file, 'utf8').slice(from).trim().split('\n').slice(-3).join('\n');
  } catch {
    return '';
  }
}
