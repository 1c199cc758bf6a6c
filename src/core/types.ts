// Shared data shapes of the engine. Everything here is plain data so it can
// cross a worker boundary (structured clone) and be written to disk as JSON.

/** Languages the chunker knows. 'text' and 'markdown' use window chunking. */
export type LanguageId =
  | 'python' | 'javascript' | 'typescript' | 'tsx' | 'go' | 'rust' | 'java'
  | 'c' | 'cpp' | 'csharp' | 'ruby' | 'php'
  | 'markdown' | 'config' | 'text';

/** What a chunk stands for. Semantic kinds come from tree-sitter; the rest from fallbacks. */
export type ChunkKind =
  | 'function' | 'method' | 'class' | 'struct' | 'interface' | 'enum' | 'trait' | 'impl'
  | 'module' | 'type' | 'constant'
  | 'block'    // top-level code between units
  | 'file'     // one summary chunk per file
  | 'section'  // a Markdown heading section
  | 'window';  // a line window (fallback)

export interface Chunk {
  /** Path relative to its root, '/'-separated. */
  file: string;
  /** 1-based, inclusive span of the unit, doc comment and decorators included. */
  startLine: number;
  endLine: number;
  /** 1-based line of the declaration itself (where an editor should land). */
  declLine: number;
  kind: ChunkKind;
  /** Qualified name, e.g. "Query.isStaleByTime"; '' for anonymous blocks and windows. */
  name: string;
  language: LanguageId;
  /** The declaration's first line(s), up to the body. */
  signature: string;
  /** Enclosing containers, outermost first, e.g. ["class Query<T>"]. */
  context: string[];
  /** Doc comment / docstring text without comment markers ('' when none). */
  doc: string;
  /** Part index and count when a large unit was split (1-based); absent when whole. */
  part?: { index: number; count: number };
  /** The exact text that is embedded (header lines + code). */
  text: string;
}

/** A file found by the crawler. */
export interface SourceFile {
  /** Absolute root folder this file was found under. */
  root: string;
  /** Path relative to root, '/'-separated. */
  rel: string;
  abs: string;
  size: number;
  mtimeMs: number;
}

/** Why a file was not indexed; reported, never fatal. */
export interface SkippedFile {
  rel: string;
  reason: string;
}

/** One ranked answer. */
export interface SearchHit {
  file: string;        // relative to root
  root: string;        // absolute root
  startLine: number;
  endLine: number;
  declLine: number;
  /**
   * Columns on declLine (0-based, UTF-16, end exclusive) an editor selects on
   * arrival: the name, or the line's text when the name is not on it. Absent when
   * the search did not have that line at hand (a stale file, or a unit declared in
   * another chunk): the editor then looks in the document itself.
   */
  declColumns?: [number, number];
  name: string;
  kind: ChunkKind;
  language: LanguageId;
  signature: string;
  /** Calibrated relevance in [0, 1]. */
  score: number;
  /** Words of the query found in the chunk, for highlighting. */
  matchedTerms: string[];
  snippet: string;
  /** The file changed (or went away) since it was indexed: its lines here may be off, and there is no snippet. */
  stale?: boolean;
  /** With a team server: the team index, or the local index of the files changed in this checkout (core/team/overlay.ts). Absent: local search. */
  origin?: 'team' | 'local';
}

export type SearchMode = 'hybrid' | 'keyword';

export interface SearchResponse {
  mode: SearchMode;
  /** Why the mode is what it is, e.g. "no embedding model installed". Always set for keyword mode. */
  modeReason?: string;
  /** True when the calibrator judged that nothing relevant exists; hits then holds the closest matches only if asked. */
  noRelevant: boolean;
  hits: SearchHit[];
  /** Indexing still running: results cover part of the workspace. */
  partial: boolean;
  /** A path filter was given and no indexed file matches it (set only when there are no hits). */
  filterMatchedNothing?: boolean;
  tookMs: number;
}

export interface IndexProgress {
  phase: 'crawl' | 'chunk' | 'embed' | 'save' | 'done';
  filesDone: number;
  filesTotal: number;
  chunks: number;
  /** Chunks embedded so far in this run. */
  embedded: number;
  embedTotal: number;
}

export interface IndexStats {
  roots: string[];
  files: number;
  chunks: number;
  skipped: SkippedFile[];
  /** Files whose content changed (or were new) in this run. */
  changedFiles: number;
  removedFiles: number;
  embeddedChunks: number;
  model: string | null;
  /** Chunking threads this run parsed in (0: all in the calling thread). */
  chunkThreads: number;
  tookMs: number;
}
