// Which index of the team server a checkout searches when the person did not
// say (sift.serverRepo / --repo, sift.serverBranch / --branch):
//
// - repository: the name of the `origin` remote's repository, the last part of
//   its URL without ".git" (git@github.com:acme/payments.git → "payments"),
//   else the work tree's folder name. It is what `sift index --store … --repo`
//   should be given in CI for the default to find it.
// - branch: the branch checked out here when the team index has it, else the
//   remote's default branch (origin/HEAD, e.g. "main"), else the server's
//   default ("main"). A feature branch CI does not index thus searches the
//   branch it will merge into, overlaid with what differs here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IndexRef, TeamStatus } from './api';
import { repoRootOf } from './changedFiles';
import { gitLine } from './git';
import { TeamServerError, type TeamClient } from './client';

/** The repository name in a remote URL (scp-like, ssh://, https://, a local path), or null. */
export function repoNameFromRemote(url: string): string | null {
  const trimmed = url.trim().replace(/[/\\]+$/, '');
  const last = trimmed.split(/[/:\\]/).pop() ?? '';
  const name = last.replace(/\.git$/i, '');
  return name && name !== '.' && name !== '..' ? name : null;
}

/** The default repository name for the work tree at repoRoot (see the file's comment). */
export async function defaultRepoName(repoRoot: string): Promise<string> {
  const origin = await gitLine(repoRoot, ['config', '--get', 'remote.origin.url']);
  return (origin && repoNameFromRemote(origin)) || path.basename(repoRoot);
}

/**
 * The repository name a folder is indexed and searched as by default: defaultRepoName() when the
 * folder is its checkout's top, else the folder's own name (a team index made of a subfolder).
 * `sift index --store` and the clients both default to it.
 */
export async function defaultRepoFor(folder: string): Promise<string> {
  const real = (p: string): string => { try { return fs.realpathSync(p); } catch { return path.resolve(p); } };
  const top = await repoRootOf(folder);
  return top && real(top) === real(folder) ? defaultRepoName(top) : path.basename(real(folder));
}

/** The branch checked out (null when detached), and the remote's default branch (origin/HEAD), if known. */
export async function localBranches(repoRoot: string): Promise<{ current: string | null; remoteDefault: string | null }> {
  const [current, originHead] = await Promise.all([
    gitLine(repoRoot, ['symbolic-ref', '--quiet', '--short', 'HEAD']),
    gitLine(repoRoot, ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD']),
  ]);
  return { current, remoteDefault: originHead ? originHead.replace(/^origin\//, '') : null };
}

export interface ResolvedRef {
  ref: Required<IndexRef>;
  /** The team's status of that index (null when none of the candidates is indexed: searches will say not found). */
  status: TeamStatus | null;
  /** How the branch was chosen, in words for a status line. */
  how: 'configured' | 'current branch' | 'default branch' | 'server default';
}

/**
 * The index to search: repo and branch as configured, else the defaults above,
 * the branch probed on the server (GET /v1/status) in order. Errors other than
 * "not found" (unreachable, refused token) are thrown.
 */
export async function resolveTeamRef(client: TeamClient, repoRoot: string | null, given: { repo?: string; branch?: string }): Promise<ResolvedRef> {
  const repo = given.repo?.trim() || (repoRoot ? await defaultRepoFor(repoRoot) : '');
  if (!repo) throw new Error('no team repository: set sift.serverRepo (or --repo), or open a git checkout whose origin names it');
  const branch = given.branch?.trim();
  if (branch) return { ref: { repo, branch }, status: await probe(client, repo, branch), how: 'configured' };
  const local = repoRoot ? await localBranches(repoRoot) : { current: null, remoteDefault: null };
  const candidates: Array<[string, ResolvedRef['how']]> = [];
  if (local.current) candidates.push([local.current, 'current branch']);
  if (local.remoteDefault && local.remoteDefault !== local.current) candidates.push([local.remoteDefault, 'default branch']);
  if (!candidates.some(([b]) => b === 'main')) candidates.push(['main', 'server default']);
  for (const [b, how] of candidates) {
    const status = await probe(client, repo, b);
    if (status) return { ref: { repo, branch: b }, status, how };
  }
  const [b, how] = candidates.find(([, h]) => h !== 'current branch') ?? candidates[0];
  return { ref: { repo, branch: b }, status: null, how };
}

async function probe(client: TeamClient, repo: string, branch: string): Promise<TeamStatus | null> {
  try {
    return await client.status({ repo, branch });
  } catch (e) {
    if (e instanceof TeamServerError && e.code === 'not_found') return null;
    throw e;
  }
}
