// What the learning loop reads and writes, as plain data: the local query and
// feedback log's events, the training triplets made from them, and the record
// of every adaptation swap. Nothing here ever leaves the machine.
import type { ChunkKind, SearchMode } from '../types';

export const LOG_FORMAT = 1;

/** Where a search was typed or a result opened. */
export type EventSource = 'quickPick' | 'sidebar' | 'findSimilar' | 'cli' | 'mcp' | 'lmTool';

/** A chunk as the log names it: stable across re-indexing as long as the code stays put. */
export interface ChunkRef {
  /** Absolute root folder. */
  root: string;
  /** Path relative to the root, '/'-separated. */
  file: string;
  /** 1-based declaration line (SearchHit.declLine). */
  line: number;
  /** Qualified name ('' for anonymous blocks). */
  name: string;
}

export interface LoggedResult extends ChunkRef {
  /** 1-based rank as shown. */
  rank: number;
  kind: ChunkKind;
  /** Calibrated relevance in [0, 1]. */
  score: number;
}

/** One search whose answer was shown (a settled query, not every keystroke). */
export interface SearchEvent {
  t: 'search';
  /** Unique per search; opens and dwell times refer to it. */
  id: string;
  /** ISO 8601. */
  ts: string;
  source: EventSource;
  query: string;
  mode: SearchMode;
  /** The shown results, best first (including closest matches shown on request). */
  results: LoggedResult[];
  /** Hits at or above the threshold. */
  answerSize: number;
  noRelevant: boolean;
  /** The closest matches were asked for although none was judged relevant. */
  showWeak: boolean;
  /** The index was still being built. */
  partial: boolean;
  latencyMs: number;
  /** Converted from the extension's older feedback.jsonl: latency unknown (0), no stays. */
  migrated?: boolean;
}

/** A result opened from a search. */
export interface OpenEvent {
  t: 'open';
  ts: string;
  searchId: string;
  source: EventSource;
  /** 1-based rank of the opened result in that search. */
  rank: number;
  ref: ChunkRef;
}

/** How long the developer stayed in a file opened from a search (a bounce is a short stay). */
export interface DwellEvent {
  t: 'dwell';
  ts: string;
  searchId: string;
  rank: number;
  ms: number;
}

export type LogEvent = SearchEvent | OpenEvent | DwellEvent;

/** One query's lesson: the opened chunk beats the ones skipped above it (and, less surely, the rest shown). */
export interface Triplet {
  query: string;
  searchId: string;
  ts: string;
  positive: ChunkRef;
  /** Shown above the positive and skipped: hard negatives. */
  hard: ChunkRef[];
  /** Shown below the positive and not opened: weaker negatives. */
  shown: ChunkRef[];
  /** How much to trust it (implicit signals: dwell, re-query, later opens); > 0. */
  weight: number;
  /** Where the search was made. */
  source?: EventSource;
  /** 'open': the result was opened from this very search; 'requery': this search was given up within seconds and the positive is what the next query's open found. */
  via?: 'open' | 'requery';
}

/** One adaptation attempt, kept or not: every swap is recorded. */
export interface AdaptationRecord {
  ts: string;
  /** 'clicks': fine-tuned on feedback; 'zero-click': on the workspace's own doc pairs; 'reset': back to the shipped model. */
  kind: 'clicks' | 'zero-click' | 'reset';
  /** Held-out MRR@10 before and after (the guard's numbers); absent for a reset. */
  before?: number;
  after?: number;
  /** Held-out queries the guard scored. */
  heldOut?: number;
  /** Training examples used. */
  examples?: number;
  /** True when the adapted model was swapped in; false when the guard refused it (rolled back). */
  kept: boolean;
  reason: string;
  /** Chunks re-embedded by the swap. */
  reembedded?: number;
  /** The adaptation that was in use scored below the shipped model on these held-out queries and was dropped. */
  rolledBack?: boolean;
}
