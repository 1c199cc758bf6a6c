// The one protocol between the extension host and the index worker. Requests
// carry an id; the worker answers each exactly once (a value, or an error as
// data), may send progress for it before that, and sends log lines at any
// time. Everything here is plain data (structured clone) and type-only
// imports, so the extension bundle pulls in none of the engine.
import type { EngineStatus, OpenReport } from '../core/engine';
import type { IndexProgress, IndexStats, LanguageId, SearchResponse } from '../core/types';
import type { BucketSize } from '../core/learn/health';
import type { ReplayReport } from '../core/learn/replay';
import type { AdaptationRecord, LogEvent } from '../core/learn/types';

/** What the crawler is told; built from the settings by the extension. */
export interface CrawlConfig {
  include: string[];
  exclude: string[];
  respectGitignore: boolean;
  maxFileBytes: number;
}

export interface WorkerConfig {
  /** Absolute folders, one index over all of them. */
  roots: string[];
  indexDir: string;
  /** Model folder; 'auto' uses $SIFT_MODEL or the shipped model; null searches by keywords only. */
  model: string | 'auto' | null;
  crawl: CrawlConfig;
}

export interface SearchParams {
  query: string;
  k?: number;
  showWeak?: boolean;
  /** Probability a hit needs to be shown (default: the ranking model's). */
  threshold?: number;
  languages?: LanguageId[];
  /** '/'-separated, relative to a root. */
  pathPrefix?: string;
  /** A glob or substring of the path relative to a root (SearchOptions.pathFilter). */
  pathFilter?: string;
}

/** What the worker knows after opening the index. */
export interface OpenInfo extends OpenReport {
  mode: 'hybrid' | 'keyword';
  model: string | null;
  /** Why the model could not be loaded, when one was asked for. */
  modelError?: string;
}

export interface WorkerStatus extends EngineStatus {
  open: OpenReport;
  modelError?: string;
}

export interface UpdateResult {
  stats: IndexStats;
  /** Paths passed to the engine after the exclude/ignore filter. */
  updated: number;
  /** Paths left out by the filter. */
  ignored: number;
  /** True when the change could not be applied file by file (a folder moved) and a crawl ran instead. */
  crawled: boolean;
}

/** Each request type: what is sent with it and what it answers. */
export interface Calls {
  /** Open (or re-open) the engine with these folders and settings; aborts running jobs. */
  configure: { params: { config: WorkerConfig }; result: OpenInfo };
  /** Bring the index up to date; `rebuild` clears it first. Sends progress. */
  index: { params: { rebuild?: boolean }; result: IndexStats };
  /** Re-read these absolute paths (changed, created or deleted). Sends progress. */
  update: { params: { paths: string[] }; result: UpdateResult };
  /**
   * Make the index hold exactly these files (absolute paths; deleted ones are dropped), never crawling the
   * folders: the local overlay of a team index, the files changed in this checkout (core/team/overlayIndex.ts).
   * Excluded and ignored paths are left out as for update. Sends progress.
   */
  overlay: { params: { paths: string[] }; result: UpdateResult };
  /** A newer search in the same lane cancels an older one that has not answered yet. */
  search: { params: { search: SearchParams; lane?: string }; result: SearchResponse };
  status: { params: Record<string, never>; result: WorkerStatus };
  /** Delete the index files and start empty. */
  clear: { params: Record<string, never>; result: WorkerStatus };
  /**
   * Adapt the model to the workspace, in the background (guarded; see core/learn/adapt.ts):
   * 'zero-click' from its doc comments, 'clicks' from the query log in logDir. Queued with the index jobs.
   */
  adapt: { params: { adaptKind: 'zero-click' | 'clicks'; logDir?: string }; result: AdaptationRecord };
  /** Back to the shipped model (recorded). */
  resetAdaptation: { params: Record<string, never>; result: AdaptationRecord };
  /** Every adaptation attempt recorded with the index, oldest first, and whether one is in use. */
  adaptations: { params: Record<string, never>; result: { history: AdaptationRecord[]; active: boolean } };
  /**
   * The search log's events replayed against today's index (core/learn/replay.ts): each logged search
   * runs again, ranked top k (default 10), and its opened result is looked up. Runs beside the index
   * jobs, like a search; cancel stops it between searches.
   */
  replayLog: {
    params: { events: LogEvent[]; k?: number; threshold?: number; bucket?: BucketSize | 'auto'; utcOffsetMinutes?: number };
    result: ReplayReport;
  };
  /** Cancel another request by id: a search is answered 'cancelled' at once, a job stops at its next step. */
  cancel: { params: { target: number }; result: { found: boolean } };
  /** Test hooks, refused unless the worker was started with testHooks: block the thread, or crash it. */
  debugBlock: { params: { ms: number }; result: null };
  debugCrash: { params: Record<string, never>; result: null };
}

export type RequestType = keyof Calls;
export type ParamsOf<T extends RequestType> = Calls[T]['params'];
export type ResultOf<T extends RequestType> = Calls[T]['result'];

export type Request = { [T in RequestType]: { kind: 'request'; id: number; type: T } & ParamsOf<T> }[RequestType];
export type RequestOf<T extends RequestType> = Extract<Request, { type: T }>;

export type ErrorCode =
  | 'cancelled'      // superseded or cancelled; not a failure
  | 'badQuery'       // e.g. an empty query
  | 'notConfigured'  // no configure yet
  | 'badConfig'      // a root is missing, a glob is invalid, ...
  | 'writeFailed'    // the index could not be saved (it stays usable in memory)
  | 'badRequest'     // a malformed message
  | 'internal';

export interface WorkerError { code: ErrorCode; message: string }

export type Response =
  | { [T in RequestType]: { kind: 'response'; id: number; type: T; ok: true; value: ResultOf<T> } }[RequestType]
  | { kind: 'response'; id: number; type: RequestType | null; ok: false; error: WorkerError };

export type WorkerMessage =
  | Response
  | { kind: 'progress'; id: number; progress: IndexProgress }
  | { kind: 'log'; level: 'info' | 'warn' | 'error'; message: string };

/** Data handed to the worker at start (workerData). */
export interface WorkerData {
  testHooks?: boolean;
}

const REQUEST_TYPES: ReadonlySet<string> = new Set<RequestType>([
  'configure', 'index', 'update', 'overlay', 'search', 'status', 'clear', 'cancel', 'debugBlock', 'debugCrash', 'adapt', 'resetAdaptation', 'adaptations',
  'replayLog',
]);

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

function checkConfig(c: unknown): string | null {
  if (!c || typeof c !== 'object') return 'config must be an object';
  const cfg = c as Partial<WorkerConfig>;
  if (!isStringArray(cfg.roots) || cfg.roots.length === 0) return 'config.roots must be a non-empty list of folders';
  if (typeof cfg.indexDir !== 'string' || !cfg.indexDir) return 'config.indexDir must be a folder path';
  if (cfg.model !== null && typeof cfg.model !== 'string') return "config.model must be a folder, 'auto' or null";
  const cr = cfg.crawl as Partial<CrawlConfig> | undefined;
  if (!cr || !isStringArray(cr.include) || !isStringArray(cr.exclude) || typeof cr.respectGitignore !== 'boolean'
    || typeof cr.maxFileBytes !== 'number' || !(cr.maxFileBytes > 0)) return 'config.crawl is incomplete';
  return null;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The fields a replay reads of a log event (a shape check; queryLog.ts's isLogEvent is the full one). */
function isReplayableEvent(v: unknown): boolean {
  if (!isObject(v) || typeof v.ts !== 'string') return false;
  switch (v.t) {
    case 'search': return typeof v.id === 'string' && typeof v.query === 'string' && Array.isArray(v.results);
    case 'open': return typeof v.searchId === 'string' && typeof v.rank === 'number' && isObject(v.ref);
    case 'dwell': return typeof v.searchId === 'string';
    default: return false;
  }
}

/**
 * Checks a message received by the worker. Returns the request, or why it is
 * not one (with its id when it has one, so the sender can be answered).
 */
export function parseRequest(msg: unknown): { ok: true; request: Request } | { ok: false; id: number | null; reason: string } {
  if (!msg || typeof msg !== 'object') return { ok: false, id: null, reason: 'message is not an object' };
  const m = msg as Record<string, unknown>;
  const id = typeof m.id === 'number' && Number.isInteger(m.id) ? m.id : null;
  if (m.kind !== 'request' || id === null) return { ok: false, id, reason: 'not a request (kind and integer id required)' };
  if (typeof m.type !== 'string' || !REQUEST_TYPES.has(m.type)) return { ok: false, id, reason: `unknown request type ${String(m.type)}` };
  const bad = (reason: string) => ({ ok: false as const, id, reason });
  switch (m.type) {
    case 'configure': {
      const why = checkConfig(m.config);
      if (why) return bad(why);
      break;
    }
    case 'index':
      if (m.rebuild !== undefined && typeof m.rebuild !== 'boolean') return bad('rebuild must be a boolean');
      break;
    case 'update':
    case 'overlay':
      if (!isStringArray(m.paths)) return bad('paths must be a list of strings');
      break;
    case 'search': {
      const s = m.search as Partial<SearchParams> | undefined;
      if (!s || typeof s.query !== 'string') return bad('search.query must be a string');
      if (s.k !== undefined && (typeof s.k !== 'number' || !Number.isFinite(s.k))) return bad('search.k must be a number');
      if (s.threshold !== undefined && (typeof s.threshold !== 'number' || !(s.threshold >= 0 && s.threshold <= 1))) return bad('search.threshold must be a probability from 0 to 1');
      if (s.languages !== undefined && !isStringArray(s.languages)) return bad('search.languages must be a list of strings');
      if (s.pathPrefix !== undefined && typeof s.pathPrefix !== 'string') return bad('search.pathPrefix must be a string');
      if (s.pathFilter !== undefined && typeof s.pathFilter !== 'string') return bad('search.pathFilter must be a string');
      if (m.lane !== undefined && typeof m.lane !== 'string') return bad('lane must be a string');
      break;
    }
    case 'adapt':
      if (m.adaptKind !== 'zero-click' && m.adaptKind !== 'clicks') return bad("adaptKind must be 'zero-click' or 'clicks'");
      if (m.logDir !== undefined && typeof m.logDir !== 'string') return bad('logDir must be a folder path');
      if (m.adaptKind === 'clicks' && !m.logDir) return bad('clicks adaptation needs logDir');
      break;
    case 'replayLog':
      if (!Array.isArray(m.events) || !m.events.every(isReplayableEvent)) return bad('events must be a list of search log events');
      if (m.k !== undefined && (typeof m.k !== 'number' || !Number.isInteger(m.k) || m.k < 1 || m.k > 100)) return bad('k must be an integer from 1 to 100');
      if (m.threshold !== undefined && (typeof m.threshold !== 'number' || !(m.threshold >= 0 && m.threshold <= 1))) return bad('threshold must be a probability from 0 to 1');
      if (m.bucket !== undefined && m.bucket !== 'day' && m.bucket !== 'week' && m.bucket !== 'auto') return bad("bucket must be 'day', 'week' or 'auto'");
      if (m.utcOffsetMinutes !== undefined && (typeof m.utcOffsetMinutes !== 'number' || !(Math.abs(m.utcOffsetMinutes) <= 14 * 60))) return bad('utcOffsetMinutes must be minutes east of UTC');
      break;
    case 'cancel':
      if (typeof m.target !== 'number') return bad('target must be a request id');
      break;
    case 'debugBlock':
      if (typeof m.ms !== 'number' || !(m.ms >= 0)) return bad('ms must be a non-negative number');
      break;
    default:
      break;
  }
  return { ok: true, request: msg as Request };
}
