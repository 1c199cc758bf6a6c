// The object activate() returns: for automation and end-to-end tests
// (vscode.extensions.getExtension('sift.sift').exports).
import type { EngineStatus } from '../core/engine';
import type { LogRead } from '../core/learn/queryLog';
import type { AdaptationRecord } from '../core/learn/types';
import type { SearchResponse } from '../core/types';
import type { SearchParams } from '../worker/protocol';

export type ApiSearchOptions = Omit<SearchParams, 'query'>;

export interface SiftApi {
  /** Resolves when no indexing job is running or queued (while paused: once the running job has stopped). */
  whenIdle(): Promise<void>;
  /** Searches the index as it is now (k defaults to sift.maxResults). */
  search(query: string, opts?: ApiSearchOptions): Promise<SearchResponse>;
  status(): Promise<EngineStatus & { paused: boolean }>;
  /**
   * The search log's current file (`<crc32 hex>\t<event JSON>` lines, see src/core/learn/queryLog.ts); it exists once
   * something was written ('' without a workspace). Older events may be in rotated files beside it: read them with searchLog().
   */
  feedbackFile(): string;
  /** Every readable event of the search log (queued ones written first), oldest first, and the lines skipped as corrupt. */
  searchLog(): Promise<LogRead>;
  /** Every adaptation attempt recorded with the index (oldest first; see the sift.adapt command) and whether one is in use. */
  adaptations(): Promise<{ history: AdaptationRecord[]; active: boolean }>;
  /** Time activate() took, in milliseconds. */
  activationMs: number;
}
