// The team index overlaid with this checkout's own changes. The team index is
// as fresh as its last CI run; the files changed here (edited, added, deleted,
// or different from the commit the team indexed) are searched in a small local
// index instead. Pure functions: the caller brings both answers and the set of
// changed files (changedFiles.ts).
import type { SearchHit, SearchResponse } from '../types';
import type { TeamSearchResponse } from './api';

export interface MergeOptions {
  /**
   * A hit is relevant when its score reaches this probability (ask both sides
   * for their ranked top k, fixedK, and pass the threshold). Without it each
   * side's own verdict holds: its hits are relevant unless it said noRelevant
   * (both sides must then have cut at the same threshold, the model's).
   */
  threshold?: number;
  /** Nothing relevant: return the closest matches anyway (as SearchRequest.showWeak). */
  showWeak?: boolean;
  /** No calibrated cut: the top k whatever their scores (as SearchRequest.fixedK). */
  fixedK?: boolean;
}

interface Candidate { hit: SearchHit; relevant: boolean }

/**
 * Merges the team's answer with the local index's answer over the changed files.
 * Both sides' hit `file`s must be relative to the repository root ('/'-separated),
 * as `changed` is; `root` is passed through.
 *
 * - team hits in a changed file are dropped (their lines and text are stale here);
 * - local hits are kept only in changed files (anything else is the team's to answer);
 * - the rest is ordered by score — both sides are probabilities from the same
 *   ranking model — and cut to k, relevant hits only unless nothing is relevant
 *   and showWeak asks for the closest matches (or fixedK for the top k);
 * - every hit says where it came from (`origin`); mode and head are the team's.
 */
export function mergeTeamAndLocal(
  team: TeamSearchResponse,
  local: SearchResponse | null,
  changed: ReadonlySet<string>,
  k: number,
  opts: MergeOptions = {},
): TeamSearchResponse {
  const relevant = (side: SearchResponse, h: SearchHit) => (opts.threshold !== undefined ? h.score >= opts.threshold : !side.noRelevant);
  const all: Candidate[] = [];
  for (const h of team.hits) {
    if (!changed.has(h.file)) all.push({ hit: { ...h, origin: 'team' }, relevant: relevant(team, h) });
  }
  if (local) {
    for (const h of local.hits) {
      if (changed.has(h.file)) all.push({ hit: { ...h, origin: 'local' }, relevant: relevant(local, h) });
    }
  }
  // stable: equal scores keep the team's hits first, each side in its own order
  all.sort((a, b) => b.hit.score - a.hit.score);
  const n = Math.max(0, Math.floor(k));
  const anyRelevant = all.some((c) => c.relevant);
  let kept: Candidate[];
  if (opts.fixedK) kept = all.slice(0, n);
  else if (anyRelevant) kept = all.filter((c) => c.relevant).slice(0, n);
  else kept = opts.showWeak ? all.slice(0, n) : [];
  const out: TeamSearchResponse = {
    repo: team.repo,
    branch: team.branch,
    head: team.head,
    mode: team.mode,
    ...(team.modeReason !== undefined ? { modeReason: team.modeReason } : {}),
    noRelevant: !kept.some((c) => c.relevant),
    hits: kept.map((c) => c.hit),
    partial: team.partial || !!local?.partial,
    tookMs: Math.max(team.tookMs, local?.tookMs ?? 0),
  };
  // "no file matches the filter" only when neither side has one
  if (out.hits.length === 0 && team.filterMatchedNothing && (!local || local.filterMatchedNothing || local.hits.length === 0)) out.filterMatchedNothing = true;
  return out;
}

/** How many more team hits to ask for so that dropping those in changed files still leaves k (at most `max`). */
export function teamAskK(k: number, changedCount: number, max: number): number {
  return Math.min(max, k + Math.min(changedCount, k));
}
