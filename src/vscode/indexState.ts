// What the UI shows about the index, in one place: the status bar, the
// sidebar and the status command all read it and redraw when it changes, and
// viewStatus words it once for all of them. No vscode import (unit-tested).
import type { IndexProgress } from '../core/types';
import { describeProgress, formatCount, progressPercent } from './display';
import type { WorkerStatus } from '../worker/protocol';
import type { JobKind } from './indexer';
import { teamDetails, teamIndexName, type TeamView } from './teamView';
import type { WorkerState } from './workerClient';

export interface IndexSnapshot {
  /** There is a local folder to index. */
  hasFolder: boolean;
  worker: WorkerState;
  paused: boolean;
  job: { kind: JobKind; progress: IndexProgress | null } | null;
  /** The worker's last status report. */
  summary: WorkerStatus | null;
  /** The last job's failure, until a job succeeds. */
  error: string | null;
  /** The team server when sift.server is set (teamConnection.ts); null: local search only. */
  team?: TeamView | null;
}

export class IndexState {
  private snap: IndexSnapshot = { hasFolder: false, worker: { kind: 'idle' }, paused: false, job: null, summary: null, error: null, team: null };
  private readonly listeners = new Set<(s: IndexSnapshot) => void>();

  get(): IndexSnapshot { return this.snap; }

  update(change: Partial<IndexSnapshot>): void {
    this.snap = { ...this.snap, ...change };
    for (const l of [...this.listeners]) {
      try { l(this.snap); } catch { /* one broken view must not stop the others */ }
    }
  }

  onChange(listener: (s: IndexSnapshot) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
}

/** What the sidebar and the status command show about the index. */
export interface ViewStatus {
  hasFolder: boolean;
  paused: boolean;
  headline: string;
  details: string[];
  /** 0–100 while a job runs, else null. */
  progress: number | null;
  /** A full index is running: searches answer from part of the workspace. */
  indexing: boolean;
  /** The index holds nothing (never built, or cleared) and no job is filling it. */
  empty: boolean;
  /**
   * Changes when what a search would answer changes (a job starts or ends, the
   * index is cleared, the mode changes), not with each progress step: the
   * sidebar re-runs its query when it does, so no old answer outlives its index.
   */
  answerStamp: string;
}

/**
 * The status in words, from one snapshot: counts come from the running job
 * while there is one (the worker's last report predates it), an empty index
 * shows no "updated" time, and the search mode is the index's.
 */
export function viewStatus(s: IndexSnapshot): ViewStatus {
  if (!s.hasFolder) {
    return { hasFolder: false, paused: false, headline: 'Open a folder to search its code.', details: [], progress: null, indexing: false, empty: false, answerStamp: 'no-folder' };
  }
  if (s.team) return teamViewStatus(s, s.team);
  const details: string[] = [];
  const sum = s.summary;
  const running = !!s.job && !s.paused;
  const full = running && s.job!.kind === 'full';
  const empty = !!sum && sum.files === 0 && sum.chunks === 0;
  let headline: string;
  let progress: number | null = null;
  if (s.worker.kind === 'restarting') headline = 'The index worker stopped; restarting…';
  else if (s.worker.kind === 'failed') headline = 'The index worker keeps crashing; Re-index to try again.';
  else if (running) {
    const p = s.job!.progress;
    headline = p ? `Indexing: ${describeProgress(p)}` : 'Indexing…';
    progress = p ? progressPercent(p) : 0;
  } else if (s.paused) headline = empty ? 'Indexing paused; nothing is indexed. Re-index to build the index.' : 'Indexing paused.';
  else if (s.error) headline = `Indexing failed: ${s.error}`;
  else if (!sum) headline = 'Not indexed yet.';
  else headline = empty ? 'Nothing indexed yet.' : 'Index up to date.';
  if (full) {
    details.push('Searches meanwhile answer from the files indexed so far.');
  } else if (sum && !empty) {
    details.push(`${formatCount(sum.files)} files · ${formatCount(sum.chunks)} chunks · ${sum.mode === 'hybrid' ? `hybrid search (${sum.model})` : `keyword search only${sum.modeReason ? ` (${sum.modeReason})` : ''}`}`);
    if (sum.lastUpdated) details.push(`updated ${new Date(sum.lastUpdated).toLocaleString()}`);
  }
  if (s.worker.kind === 'running' && s.worker.restarts > 0) details.push(`index worker restarted ${s.worker.restarts}× after a crash (see the Sift output)`);
  // any job on an empty index builds the answer from nothing: the sidebar's "nothing is indexed" must not stand beside it
  const answerStamp = full || (running && (empty || !sum)) ? 'indexing'
    : `${s.worker.kind}|${sum ? `${sum.files}|${sum.chunks}|${sum.mode}|${sum.lastUpdated ?? ''}` : 'none'}`;
  return { hasFolder: true, paused: s.paused, headline, details, progress, indexing: full, empty: (empty || !sum) && !running, answerStamp };
}

/** With a team server: its index is the answer; the local index only holds the files changed here. */
function teamViewStatus(s: IndexSnapshot, t: TeamView): ViewStatus {
  const [first, ...rest] = teamDetails(t);
  const headline = t.error ? t.error.message
    : t.indexed === false ? `The team server has no index of ${teamIndexName(t)}.`
    : first;
  const details = t.error ? [`Searches need the team server (${teamIndexName(t)} on ${t.server}).`] : rest;
  const running = !!s.job && !s.paused;
  if (running) details.push('Updating the local index of the files changed here…');
  else if (s.error) details.push(`The local index of changed files failed: ${s.error}`);
  if (s.worker.kind === 'restarting' || s.worker.kind === 'failed') details.push('The local index worker stopped; changed files may be missing from results.');
  const sum = s.summary;
  const answerStamp = `team|${t.head ?? ''}|${t.indexed}|${t.error?.kind ?? ''}|${t.changedFiles ?? ''}|${running ? 'updating' : `${sum?.files ?? ''}|${sum?.lastUpdated ?? ''}`}`;
  return { hasFolder: true, paused: s.paused, headline, details, progress: null, indexing: false, empty: false, answerStamp };
}
