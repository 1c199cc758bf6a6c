// Running git for the team features (the changed files, the default
// repository and branch, the indexer's commit range): argument arrays, never
// a shell; a bounded time and output; a repository's fsmonitor hook never
// runs; errors said in one line.
import { execFile } from 'node:child_process';

const GIT_TIMEOUT_MS = 15_000;
const MAX_BUFFER = 64 * 1024 * 1024;

export class GitError extends Error {
  constructor(message: string) { super(message); this.name = 'GitError'; }
}

/** git's stdout for `args` run in `cwd`; GitError when git is missing, slow or fails. */
export function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', ['-c', 'core.fsmonitor=false', ...args], { cwd, timeout: GIT_TIMEOUT_MS, maxBuffer: MAX_BUFFER, encoding: 'utf8', windowsHide: true, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' } },
      (err, stdout, stderr) => {
        if (err) {
          const e = err as NodeJS.ErrnoException & { killed?: boolean };
          const why = e.code === 'ENOENT' ? 'git is not installed (or not on PATH)'
            : e.killed ? `git ${args[0]} took longer than ${GIT_TIMEOUT_MS / 1000} s`
            : (stderr || e.message).trim().split('\n')[0];
          reject(new GitError(why));
        } else {
          resolve(stdout);
        }
      });
  });
}

/** Whether a command succeeds (for yes/no questions to git). */
export function gitOk(cwd: string, args: string[]): Promise<boolean> {
  return git(cwd, args).then(() => true, () => false);
}

/** stdout trimmed, or null when git fails or prints nothing. */
export function gitLine(cwd: string, args: string[]): Promise<string | null> {
  return git(cwd, args).then((s) => s.trim() || null, () => null);
}
