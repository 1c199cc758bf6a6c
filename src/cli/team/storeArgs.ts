// The options every command on the team index shares: --store URL, --repo,
// --branch; and --git-diff FROM..TO for `sift index`.
import * as path from 'node:path';
import { UsageError, type ParsedArgs } from '../args';
import { DEFAULT_BRANCH } from '../../core/store/postgres/teamStore';
import { defaultRepoFor } from '../../core/team/teamRef';

export interface StoreArgs { url: string; repo: string; branch: string }

/** --store/--repo/--branch checked; the repository name defaults to the folder's (defaultRepoFor: the origin's name for a checkout's top). */
export async function parseStoreArgs(a: ParsedArgs, root?: string): Promise<StoreArgs> {
  const url = a.values.store?.[0];
  if (!url) throw new UsageError('--store needs a PostgreSQL URL, e.g. --store postgres://user:password@host:5432/sift');
  if (!/^postgres(ql)?:\/\//.test(url)) throw new UsageError('--store takes a PostgreSQL URL (postgres://user:password@host:port/database)');
  const repo = a.values.repo?.[0] ?? (root ? await defaultRepoFor(path.resolve(root)) : '');
  if (!repo) throw new UsageError('--repo needs the repository\'s name in the team index');
  const branch = a.values.branch?.[0] ?? DEFAULT_BRANCH;
  for (const [what, v] of [['--repo', repo], ['--branch', branch]] as const) {
    if (v.length > 200 || /[\u0000-\u001f]/.test(v)) throw new UsageError(`${what} must be at most 200 printable characters`);
  }
  return { url, repo, branch };
}

/** --git-diff FROM..TO (two commits, as git names them). */
export function parseGitDiff(a: ParsedArgs): { from: string; to: string } | undefined {
  const v = a.values['git-diff']?.[0];
  if (v === undefined) return undefined;
  const m = /^([^.\s][^\s]*?)\.\.([^.\s][^\s]*)$/.exec(v);
  if (!m || m[1].startsWith('-') || m[2].startsWith('-')) throw new UsageError(`--git-diff takes a commit range FROM..TO, e.g. --git-diff HEAD~1..HEAD (got ${v})`);
  return { from: m[1], to: m[2] };
}
