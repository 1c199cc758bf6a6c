// Where `sift serve` listens: a Unix socket `sift.sock` in a folder only this
// user may enter ($SIFT_RUNTIME_DIR, else $XDG_RUNTIME_DIR/sift, else <cache
// home>/run; created 0700), or the named pipe \\.\pipe\sift-<user> on Windows.
// A folder owned by someone else, or that others may write to, is refused.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheHome } from '../indexDir';

/** Longest Unix socket path the kernel takes (sun_path, 108 bytes with the NUL on Linux; 104 on macOS). */
const MAX_SOCKET_PATH = process.platform === 'darwin' ? 103 : 107;

export class ServeDirError extends Error {
  constructor(message: string) { super(message); this.name = 'ServeDirError'; }
}

/** The folder holding the socket, the daemon's lock and its log. */
export function serveDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SIFT_RUNTIME_DIR) return path.resolve(env.SIFT_RUNTIME_DIR);
  if (env.XDG_RUNTIME_DIR && process.platform !== 'win32') return path.join(env.XDG_RUNTIME_DIR, 'sift');
  return path.join(cacheHome(), 'run');
}

export function socketPath(dir = serveDir()): string {
  if (process.platform === 'win32') return `\\\\.\\pipe\\sift-${userName()}`;
  return path.join(dir, 'sift.sock');
}

/** The lock file that makes one daemon per socket folder (the write-lock protocol). */
export const SERVE_LOCK_FILE = 'serve.lock';

export function logPath(dir = serveDir()): string {
  return path.join(dir, 'serve.log');
}

function userName(): string {
  try { return os.userInfo().username.replace(/[^\w.-]/g, '_'); } catch { return String(process.getuid?.() ?? 'user'); }
}

/** Why this folder must not hold the socket, or null when it is fine (owned by this user, writable by no one else). */
export function serveDirProblem(dir: string): string | null {
  let st: fs.Stats;
  try { st = fs.lstatSync(dir); } catch (e) {
    return `cannot use ${dir} for the sift serve socket: ${(e as Error).message}`;
  }
  if (!st.isDirectory()) return `${dir} is not a folder (it should hold the sift serve socket)`;
  if (process.platform === 'win32') return null;
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) return `${dir} belongs to user ${st.uid}, not to you (${uid}): sift serve will not put its socket there; remove it or set SIFT_RUNTIME_DIR`;
  if (st.mode & 0o022) return `${dir} may be written by other users (mode ${(st.mode & 0o777).toString(8)}): sift serve will not put its socket there; chmod 700 it or set SIFT_RUNTIME_DIR`;
  return null;
}

/** Create the folder (0700) if missing and check it; throws ServeDirError saying what is wrong. */
export function ensureServeDir(dir: string): void {
  if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const problem = serveDirProblem(dir);
  if (problem) throw new ServeDirError(problem);
  const sock = socketPath(dir);
  if (process.platform !== 'win32' && Buffer.byteLength(sock) > MAX_SOCKET_PATH) {
    throw new ServeDirError(`the socket path ${sock} is longer than the ${MAX_SOCKET_PATH} bytes a Unix socket may have: set SIFT_RUNTIME_DIR to a shorter folder`);
  }
}
