// Lists a git work tree's files the way git sees them: tracked plus untracked
// files that no .gitignore excludes. Returns null when git is missing or the
// folder is not inside a work tree, so the caller can walk the tree instead.
import { execFile } from 'node:child_process';

export interface GitListing {
  /** Paths relative to the listed folder, '/'-separated, deduplicated. */
  files: string[];
  /** Tracked entries that git stores as symlinks (mode 120000). */
  symlinks: Set<string>;
  /** Submodules and untracked nested repositories: git lists the folder, not its files. */
  dirs: string[];
}

const GIT_TIMEOUT_MS = 120_000;
const MAX_OUTPUT_BYTES = 1 << 30;
// `--stage` adds "<mode> <object> <stage>\t" before tracked paths only.
const STAGED_RE = /^([0-7]{6}) [0-9a-f]{40,64} [0-3]\t/;

export async function listGitFiles(root: string, signal?: AbortSignal): Promise<GitListing | null> {
  // Variables that point git at another repository (set inside git hooks, say) would list the wrong tree.
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_OPTIONAL_LOCKS: '0' };
  for (const key of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_CEILING_DIRECTORIES']) delete env[key];
  let stdout: Buffer;
  try {
    stdout = await new Promise<Buffer>((resolve, reject) => {
      execFile(
        'git',
        // fsmonitor off: a repository's config must not make us run its hooks.
        ['-c', 'core.fsmonitor=false', 'ls-files', '-z', '--stage', '--cached', '--others', '--exclude-standard'],
        { cwd: root, env, encoding: 'buffer', maxBuffer: MAX_OUTPUT_BYTES, timeout: GIT_TIMEOUT_MS, windowsHide: true, signal },
        (err, out) => (err ? reject(err) : resolve(out)),
      );
    });
  } catch {
    signal?.throwIfAborted();
    return null;
  }
  return parseListing(stdout.toString('utf8'));
}

export function parseListing(output: string): GitListing {
  const seen = new Set<string>();
  const files: string[] = [];
  const dirs: string[] = [];
  const symlinks = new Set<string>();
  for (const entry of output.split('\0')) {
    if (entry === '') continue;
    const staged = STAGED_RE.exec(entry);
    let rel = staged ? entry.slice(staged[0].length) : entry;
    const mode = staged ? staged[1] : null;
    // Untracked nested repositories are listed as "name/".
    const isDir = mode === '160000' || rel.endsWith('/');
    if (isDir) rel = rel.replace(/\/+$/, '');
    // Unmerged paths appear once per stage.
    if (rel === '' || seen.has(rel)) continue;
    seen.add(rel);
    if (isDir) {
      dirs.push(rel);
      continue;
    }
    if (mode === '120000') symlinks.add(rel);
    files.push(rel);
  }
  return { files, symlinks, dirs };
}
