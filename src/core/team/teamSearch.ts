// One search against the team index, overlaid with the local index of this
// checkout's changed files: both asked at once, merged by overlay.ts. Shared
// by `sift search --server`, `sift mcp --server` and the extension; each
// brings its own local side (an engine in-process, the daemon, the worker).
import * as path from 'node:path';
import type { LanguageId, SearchHit, SearchResponse } from '../types';
import { API_LIMITS, type IndexRef, type TeamSearchResponse } from './api';
import type { TeamClient } from './client';
import { mergeTeamAndLocal, teamAskK } from './overlay';

export interface OverlayQuery {
  /** The query, or the snippet when `similar`. */
  query: string;
  k: number;
  /** Code like the query (POST /v1/similar) rather than a search. */
  similar?: boolean;
  showWeak?: boolean;
  fixedK?: boolean;
  /** A probability cut applied to both sides alike (both are then asked for their ranked top k); default: each side's calibrated answer. */
  threshold?: number;
  languages?: LanguageId[];
  pathPrefix?: string;
  pathFilter?: string;
}

/** What the local side is asked: the engine's search options. */
export interface LocalQuery {
  query: string;
  k: number;
  showWeak?: boolean;
  fixedK?: boolean;
  languages?: LanguageId[];
  pathPrefix?: string;
  pathFilter?: string;
}

export interface OverlaySides {
  client: TeamClient;
  ref: IndexRef;
  /** The checkout's top-level folder; null outside a checkout (team hits only, root ''). */
  repoRoot: string | null;
  /** Repository-relative paths that differ here from the team index. */
  changed: ReadonlySet<string>;
  /** Searches the local index of the changed files (null: none). */
  local: ((q: LocalQuery) => Promise<SearchResponse>) | null;
  /** A local failure is not fatal (the team's answer minus the changed files is given, marked partial): said here. */
  warn?: (message: string) => void;
  signal?: AbortSignal;
}

/** A hit's path relative to the repository root, or null when it lies outside it. */
export function repoRelative(hit: Pick<SearchHit, 'root' | 'file'>, repoRoot: string): string | null {
  const rel = path.relative(repoRoot, path.join(hit.root, ...hit.file.split('/')));
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return rel.split(path.sep).join('/');
}

/**
 * The merged answer. Hits come back with `root` = repoRoot (the checkout; ''
 * without one) and `file` relative to it, each with its `origin`. Errors of the
 * team server (TeamServerError) are thrown: there is no pretending that the
 * local index of a few changed files is the whole repository.
 */
export async function overlaySearch(sides: OverlaySides, q: OverlayQuery): Promise<TeamSearchResponse> {
  const cut = q.threshold !== undefined;
  // with a threshold both sides give their ranked top k and the cut is made here, alike for both
  const fixedK = cut || !!q.fixedK;
  const filters = {
    ...(q.languages?.length ? { languages: q.languages } : {}),
    ...(q.pathPrefix ? { pathPrefix: q.pathPrefix } : {}),
    ...(q.pathFilter ? { pathFilter: q.pathFilter } : {}),
  };
  const teamK = teamAskK(q.k, sides.changed.size, API_LIMITS.maxK);
  const team = q.similar
    ? sides.client.similar({ ...sides.ref, code: q.query, k: teamK, ...filters }, sides.signal)
    : sides.client.search({ ...sides.ref, query: q.query, k: teamK, ...(q.showWeak ? { showWeak: true } : {}), ...(fixedK ? { fixedK: true } : {}), ...filters }, sides.signal);
  const wantLocal = !!sides.local && !!sides.repoRoot && sides.changed.size > 0;
  const local = wantLocal
    ? sides.local!({ query: q.query, k: q.k, showWeak: q.showWeak, fixedK, ...filters }).then(
      (r) => ({ ok: true as const, r }),
      (e: Error) => ({ ok: false as const, e }),
    )
    : Promise.resolve(null);
  const [t, l] = await Promise.all([team, local]);
  let localRes: SearchResponse | null = null;
  let localFailed = false;
  if (l?.ok) {
    const root = sides.repoRoot!;
    const hits: SearchHit[] = [];
    for (const h of l.r.hits) {
      const rel = repoRelative(h, root);
      if (rel !== null) hits.push({ ...h, root, file: rel });
    }
    localRes = { ...l.r, hits };
  } else if (l && !l.ok) {
    localFailed = true;
    sides.warn?.(`the local index of changed files could not be searched (${l.e.message}); those files are left out`);
  }
  const merged = mergeTeamAndLocal(t, localRes, sides.changed, q.k, {
    ...(cut ? { threshold: q.threshold } : {}), showWeak: q.showWeak, fixedK: !!q.fixedK,
  });
  // team hits name files relative to the repository: place them in the checkout
  const root = sides.repoRoot ?? '';
  for (const h of merged.hits) if (h.origin === 'team') h.root = root;
  if (localFailed) merged.partial = true;
  return merged;
}
