// The object activate() returns: for automation and end-to-end tests
// (vscode.extensions.getExtension('sift.sift').exports).
import type { EngineStatus } from '../core/engine';
import type { SearchResponse } from '../core/types';
import type { SearchParams } from '../worker/protocol';

export type ApiSearchOptions = Omit<SearchParams, 'query'>;

export interface SiftApi {
  /** Resolves when no indexing job is running or queued (while paused: once the running job has stopped). */
  whenIdle(): Promise<void>;
  /** Searches the index as it is now (k defaults to sift.maxResults). */
  search(query: string, opts?: ApiSearchOptions): Promise<SearchResponse>;
  status(): Promise<EngineStatus & { paused: boolean }>;
  /** Where opened results are recorded (JSON Lines); the file exists once something was recorded. */
  feedbackFile(): string;
  /** Time activate() took, in milliseconds. */
  activationMs: number;
}
