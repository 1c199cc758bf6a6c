// The local overlay index: an ordinary Engine over the checkout that holds only
// the files changed against the team index (changedFiles.ts), never a crawl of
// the whole tree. syncOverlay makes it hold exactly a given set: new and
// edited files are (re)read, and when a file leaves the set (its change was
// reverted, or the team index caught up) the small index is emptied and the
// set read again — the engine drops a file only when it is gone from disk.
// The set last written is kept beside the index (overlay-files.json) so a new
// process knows what the index holds.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IndexRunOptions } from '../engine';
import { writeFileAtomic } from '../persist/atomicWrite';
import type { IndexStats } from '../types';

/** What syncOverlay needs of an Engine. */
export interface OverlayEngine {
  readonly indexDir: string;
  readonly chunkCount: number;
  clear(): void;
  updateFiles(absPaths: string[], run?: IndexRunOptions): Promise<IndexStats>;
  save(): void;
}

export const OVERLAY_STATE_FILE = 'overlay-files.json';

export interface OverlaySync {
  stats: IndexStats;
  /** The index was emptied first (a file left the set, or what it held was not known). */
  cleared: boolean;
  files: number;
}

function readState(file: string): Set<string> | null {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as { files?: unknown };
    return Array.isArray(v.files) && v.files.every((f) => typeof f === 'string') ? new Set(v.files as string[]) : null;
  } catch {
    return null;
  }
}

function writeState(file: string, files: Iterable<string>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, JSON.stringify({ files: [...files].sort() }));
}

/**
 * Makes the engine's index hold exactly these files (absolute paths; deleted
 * ones are simply not indexed), re-reading the ones given in `touched` or new
 * to the set; unchanged files are skipped by the engine's content check.
 */
export async function syncOverlay(engine: OverlayEngine, absPaths: string[], run: IndexRunOptions = {}): Promise<OverlaySync> {
  const stateFile = path.join(engine.indexDir, OVERLAY_STATE_FILE);
  const want = new Set(absPaths.map((p) => path.resolve(p)));
  const held = readState(stateFile);
  const unknown = held === null && engine.chunkCount > 0;
  // a file that left the set and is gone from disk is dropped by the engine; one still there needs the clean slate
  const left = held ? [...held].filter((f) => !want.has(f)) : [];
  const cleared = unknown || left.some((f) => fs.existsSync(f));
  if (cleared) engine.clear();
  // before anything is read: a superset of what the index may hold if this run is cut short
  writeState(stateFile, cleared ? want : new Set([...(held ?? []), ...want]));
  const stats = await engine.updateFiles(cleared ? [...want] : [...want, ...left], run);
  engine.save();
  if (!run.signal?.aborted) writeState(stateFile, want);
  return { stats, cleared, files: want.size };
}
