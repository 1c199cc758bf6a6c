// The log the extension kept before the query log: feedback.jsonl in the
// workspace storage, one JSON object per opened result (the query, the results
// shown, the one chosen), no checksums. Read once into search + open events of
// the new log, then deleted.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ChunkKind, SearchMode } from '../types';
import { newSearchId, type QueryLog } from './queryLog';
import type { EventSource, LogEvent, LoggedResult } from './types';

export const LEGACY_FEEDBACK_FILE = 'feedback.jsonl';

/** One line of feedback.jsonl (format 1). Paths are as shown: prefixed by the folder's name in a multi-root workspace. */
interface FeedbackRecord {
  ts: string;
  source: string;
  query: string;
  mode: SearchMode;
  showWeak?: boolean;
  noRelevant?: boolean;
  results: { rank: number; file: string; line: number; name: string; kind: string; score: number }[];
  chosen: { rank: number; file: string; line: number; name: string };
}

function isRecord(v: unknown): v is FeedbackRecord {
  if (!v || typeof v !== 'object') return false;
  const r = v as Partial<FeedbackRecord>;
  return typeof r.ts === 'string' && typeof r.query === 'string' && Array.isArray(r.results)
    && !!r.chosen && typeof r.chosen === 'object' && typeof r.chosen.rank === 'number';
}

const SOURCES = new Set<string>(['quickPick', 'sidebar', 'findSimilar']);

/** The root and root-relative path of a shown path, or null when no root matches. */
function resolve(shownPath: string, roots: readonly string[]): { root: string; file: string } | null {
  if (roots.length === 1) return { root: roots[0], file: shownPath };
  for (const root of roots) {
    const prefix = `${path.basename(root)}/`;
    if (shownPath.startsWith(prefix)) return { root, file: shownPath.slice(prefix.length) };
  }
  return null;
}

/** Search and open events for the records of a feedback.jsonl text; unreadable or unresolvable lines are counted. */
export function legacyFeedbackEvents(text: string, roots: readonly string[]): { events: LogEvent[]; skipped: number } {
  const events: LogEvent[] = [];
  let skipped = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    let v: unknown;
    try { v = JSON.parse(line); } catch { skipped++; continue; }
    if (!isRecord(v)) { skipped++; continue; }
    const results: LoggedResult[] = [];
    let ok = true;
    for (const r of v.results) {
      const at = resolve(r.file, roots);
      if (!at) { ok = false; break; }
      results.push({ ...at, line: r.line, name: r.name, rank: r.rank, kind: r.kind as ChunkKind, score: r.score });
    }
    const chosen = resolve(v.chosen.file, roots);
    if (!ok || !chosen) { skipped++; continue; }
    const source: EventSource = SOURCES.has(v.source) ? (v.source as EventSource) : 'quickPick';
    const id = newSearchId();
    const noRelevant = v.noRelevant === true;
    events.push({
      t: 'search', id, ts: v.ts, source, query: v.query, mode: v.mode === 'keyword' ? 'keyword' : 'hybrid', results,
      answerSize: noRelevant ? 0 : results.length, noRelevant, showWeak: v.showWeak === true, partial: false, latencyMs: 0, migrated: true,
    });
    events.push({ t: 'open', ts: v.ts, searchId: id, source, rank: v.chosen.rank, ref: { ...chosen, line: v.chosen.line, name: v.chosen.name } });
  }
  return { events, skipped };
}

/**
 * Moves an old feedback.jsonl into `log` and deletes it. Returns null when there is no such file.
 * The file is deleted only after its events are written.
 */
export async function migrateLegacyFeedback(file: string, log: QueryLog, roots: readonly string[]): Promise<{ migrated: number; skipped: number } | null> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const { events, skipped } = legacyFeedbackEvents(text, roots);
  for (const e of events) log.append(e);
  await log.flush();
  await fs.promises.rm(file, { force: true });
  return { migrated: events.length / 2, skipped };
}
