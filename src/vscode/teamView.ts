// What the status bar, the sidebar and the status command say about the team
// server when `sift.server` is set: which index (repo@branch at its commit),
// how many files changed here are searched locally, or why the server cannot
// be used. No vscode import (unit-tested).

export interface TeamView {
  /** The server's URL as shown (no credentials). */
  server: string;
  repo: string | null;
  branch: string | null;
  /** How the branch was chosen ('configured', 'current branch', …). */
  how: string | null;
  /** The commit the team indexed; null when unknown or never given. */
  head: string | null;
  /** The team has an index of repo@branch (null: not known yet). */
  indexed: boolean | null;
  /** Files changed in this checkout, searched in the local overlay (null: not counted yet, or not a git checkout). */
  changedFiles: number | null;
  /** A note about the comparison (e.g. the team's commit is not fetched here), or "not a git checkout". */
  note: string | null;
  /** Why searches fail now; null when the last request went through. */
  error: { kind: 'unreachable' | 'token' | 'other'; message: string } | null;
}

export function shortHead(head: string | null): string {
  if (!head) return '';
  return /^[0-9a-f]{12,}$/i.test(head) ? head.slice(0, 7) : head;
}

/** "app@main (1a2b3c4)", or what is known of it. */
export function teamIndexName(t: TeamView): string {
  if (!t.repo) return 'team index';
  const at = t.head ? ` (${shortHead(t.head)})` : '';
  return `${t.repo}@${t.branch ?? 'main'}${at}`;
}

/** The status bar item's text and tooltip in team mode; `warn` colours it. */
export function teamStatusBar(t: TeamView): { text: string; tooltip: string; warn: boolean } {
  if (t.error) {
    const text = t.error.kind === 'token' ? '$(warning) Sift team: token refused' : t.error.kind === 'unreachable' ? '$(warning) Sift team: unreachable' : '$(warning) Sift team: error';
    return {
      text,
      tooltip: `${t.error.message}\nSearches need the team server: the local index holds only the files changed here, not the whole repository.${t.error.kind === 'token' ? '\nRun "Sift: Set team server token".' : ''}`,
      warn: true,
    };
  }
  if (t.indexed === false) {
    return { text: '$(warning) Sift team: not indexed', tooltip: `The team server at ${t.server} has no index of ${t.repo}@${t.branch}. Check sift.serverRepo and sift.serverBranch, or index it in CI (sift index --store …).`, warn: true };
  }
  const branch = t.branch ? ` ${t.branch}${t.head ? `@${shortHead(t.head)}` : ''}` : '';
  return { text: `$(cloud) Sift: team${branch}`, tooltip: teamDetails(t).join('\n'), warn: false };
}

/** The lines the sidebar and the status command show. */
export function teamDetails(t: TeamView): string[] {
  const lines = [`Team index ${teamIndexName(t)}`];
  if (t.changedFiles !== null) lines.push(t.changedFiles === 0 ? 'No files changed here: every result is the team\'s.' : `${t.changedFiles} file${t.changedFiles === 1 ? '' : 's'} changed here, searched locally.`);
  lines.push(`Server: ${t.server}${t.how && t.how !== 'configured' ? ` (branch: the ${t.how})` : ''}`);
  if (t.note) lines.push(t.note);
  return lines;
}
