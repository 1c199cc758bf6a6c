// Which files of this checkout differ from what the team index holds: the
// working tree's changes (`git status`: modified, staged, added, deleted,
// renamed, untracked-not-ignored) plus every file that differs between the
// commit the team indexed and HEAD (`git diff <teamHead> HEAD`: commits made
// here, and the team's newer commits when this checkout is behind). Those are
// searched locally; the team's hits in them are stale for this developer.
// git runs with argument arrays (execFile), never through a shell.
import * as path from 'node:path';
import { git, GitError, gitOk } from './git';

export { GitError };

export interface ChangedFiles {
  /** The folder the paths are relative to (absolute): the repository's top-level folder, or the folder withinFolder() gave. */
  repoRoot: string;
  /** Paths relative to repoRoot, '/'-separated: changed, added, untracked and deleted ones (both sides of a rename). */
  files: Set<string>;
  /**
   * What the committed part was compared with: 'team-head' (the team's indexed commit is known here),
   * 'merge-base' (unknown here: the fork point with the team branch's remote-tracking branch), or 'none'
   * (only the working tree's changes against HEAD are known).
   */
  base: 'team-head' | 'merge-base' | 'none';
  /** A sentence for the person when the comparison is not with the team's commit (e.g. fetch to line them up). */
  note?: string;
}

/** The git work tree's top-level folder that holds `dir`, or null when it is not in one (or git is missing). */
export async function repoRootOf(dir: string): Promise<string | null> {
  try {
    const top = (await git(dir, ['rev-parse', '--show-toplevel'])).trim();
    return top ? path.resolve(top) : null;
  } catch {
    return null;
  }
}

/** Splits NUL-separated output, dropping the empty tail. */
function nulFields(out: string): string[] {
  const parts = out.split('\0');
  if (parts.length && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/**
 * Paths `git status --porcelain -z` reports (v1: "XY path", renames and
 * copies followed by their source path as a field of its own). Ignored files
 * are not asked for; untracked ones are listed file by file.
 */
export function parseStatusZ(out: string): string[] {
  const fields = nulFields(out);
  const paths: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f.length < 4) continue;
    const xy = f.slice(0, 2);
    paths.push(f.slice(3));
    // a rename or copy: the next field is where it came from (gone from the working tree for a rename)
    if (xy[0] === 'R' || xy[0] === 'C' || xy[1] === 'R' || xy[1] === 'C') {
      if (i + 1 < fields.length) paths.push(fields[++i]);
    }
  }
  return paths;
}

async function commitKnown(root: string, rev: string): Promise<boolean> {
  // a full or abbreviated hash only (a label such as "ci-42" is not a commit to compare with)
  if (!/^[0-9a-f]{7,64}$/i.test(rev)) return false;
  return gitOk(root, ['cat-file', '-e', `${rev}^{commit}`]);
}

export interface ChangedFilesOptions {
  /** The commit the team indexed (TeamStatus.head / TeamSearchResponse.head); null or unknown here: see `branch`. */
  teamHead?: string | null;
  /** The team branch, to find its remote-tracking branch (origin/<branch>) when teamHead is not known here. */
  branch?: string;
}

/**
 * The files of the git work tree holding `dir` that differ from the team index.
 * Throws GitError when `dir` is not in a work tree or git fails.
 */
export async function changedFiles(dir: string, opts: ChangedFilesOptions = {}): Promise<ChangedFiles> {
  const repoRoot = await repoRootOf(dir);
  if (!repoRoot) throw new GitError(`${dir} is not in a git work tree: the files changed since the team's index cannot be told apart`);
  const files = new Set<string>();
  const hasHead = await gitOk(repoRoot, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  const status = await git(repoRoot, ['-c', 'core.quotePath=false', 'status', '--porcelain=v1', '-z', '--untracked-files=all', '--ignore-submodules=all']);
  for (const p of parseStatusZ(status)) files.add(p);

  let base: ChangedFiles['base'] = 'none';
  let note: string | undefined;
  let from: string | null = null;
  const head = opts.teamHead?.trim() || null;
  if (!hasHead) {
    note = 'this checkout has no commit yet: every file counts as changed';
  } else if (head && await commitKnown(repoRoot, head)) {
    from = head;
    base = 'team-head';
  } else {
    const tracking = opts.branch ? await remoteTracking(repoRoot, opts.branch) : null;
    const fork = tracking ? (await git(repoRoot, ['merge-base', 'HEAD', tracking]).catch(() => '')).trim() : '';
    if (fork) {
      from = fork;
      base = 'merge-base';
      note = head
        ? `the team index is at ${head.slice(0, 12)}, a commit this checkout does not have: compared with ${tracking} instead (git fetch lines them up)`
        : `the team index names no commit: compared with ${tracking}`;
    } else {
      note = head
        ? `the team index is at ${head.slice(0, 12)}, a commit this checkout does not have: only uncommitted changes count as changed (git fetch lines them up)`
        : 'the team index names no commit: only uncommitted changes count as changed';
    }
  }
  if (from) {
    // no rename detection: a renamed file is its old path (gone) and its new one
    const diff = await git(repoRoot, ['-c', 'core.quotePath=false', 'diff', '--name-only', '-z', '--no-renames', '--ignore-submodules=all', from, 'HEAD', '--']);
    for (const p of nulFields(diff)) files.add(p);
  }
  if (!hasHead) {
    const all = await git(repoRoot, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']);
    for (const p of nulFields(all)) files.add(p);
  }
  return { repoRoot, files, base, ...(note ? { note } : {}) };
}

/** origin/<branch> (or the first remote that has it), or null. */
async function remoteTracking(root: string, branch: string): Promise<string | null> {
  const remotes = (await git(root, ['remote']).catch(() => '')).split('\n').map((r) => r.trim()).filter(Boolean);
  remotes.sort((a, b) => (a === 'origin' ? -1 : b === 'origin' ? 1 : 0));
  for (const r of remotes) {
    const ref = `refs/remotes/${r}/${branch}`;
    if (await gitOk(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])) return `${r}/${branch}`;
  }
  return null;
}

/** Absolute paths of the changed files (for the local overlay index). */
export function absolutePaths(c: ChangedFiles): string[] {
  return [...c.files].map((rel) => path.join(c.repoRoot, ...rel.split('/')));
}

/**
 * The changed files under `folder` (a folder inside the work tree), relative to it: for a team
 * index made of that folder rather than of the whole checkout (its paths are relative to it).
 */
export function withinFolder(c: ChangedFiles, folder: string): ChangedFiles {
  if (!path.relative(c.repoRoot, folder)) return c;
  return { ...c, repoRoot: path.resolve(folder), files: pathsWithin(c.files, c.repoRoot, folder) };
}

/** Of paths relative to the work tree's top, those under `folder`, relative to it. GitError when the folder is outside the tree. */
export function pathsWithin(paths: Iterable<string>, top: string, folder: string): Set<string> {
  const prefix = path.relative(top, folder).split(path.sep).join('/');
  if (prefix.startsWith('..') || path.isAbsolute(prefix)) throw new GitError(`${folder} is not inside the work tree at ${top}`);
  if (!prefix) return new Set(paths);
  const out = new Set<string>();
  for (const f of paths) if (f.startsWith(prefix + '/')) out.add(f.slice(prefix.length + 1));
  return out;
}
