// The `sift serve` protocol: newline-delimited JSON over the socket. Every
// request carries an id (a number or a string, chosen by the client) and a
// type; every request gets exactly one reply with the same id, in any order:
//   {"id":1,"ok":true,"value":…}   or   {"id":1,"ok":false,"error":{"code":…,"message":…,"exitCode":…}}
// A line that is not a request is answered with code "badRequest" (id null
// when it had none). Light: the CLI's fast entry imports it.
import type { EngineRequest } from '../engineSpec';
import type { IndexProgress } from '../../core/types';

/** Bumped when a request or a reply changes shape; a client and a daemon of different versions do not talk. */
export const PROTOCOL_VERSION = 1;

export type RequestId = number | string;

export interface SearchParams {
  query: string;
  k?: number;
  /** Show the closest matches even when none is relevant (sift search --all; MCP includeWeak). */
  all?: boolean;
  threshold?: number;
  fixedK?: boolean;
  languages?: string[];
  pathFilter?: string;
  /**
   * Bring the index up to date first: true (default, as `sift search` does: a refresh that
   * starts after the request arrived), false (--no-refresh: the index as it is), or a number
   * of milliseconds (only if the last refresh is older; sift mcp uses 2000).
   */
  refresh?: boolean | number;
  /** Send progress events while the index is brought up to date (for a progress bar). */
  progress?: boolean;
  /** Say "indexing … first" (a warning) before a first index, as `sift search` does. */
  announce?: boolean;
  /** What comes back: `sift search`'s printed text, its --json line, or the SearchResponse itself. */
  output?: 'text' | 'json' | 'response';
}

/** Every request may name the client's build (buildId.ts): a daemon of another build answers "otherBuild". */
interface Base { id: RequestId; build?: string }

export type Request =
  | (Base & { type: 'ping' })
  | (Base & { type: 'stop' })
  | (Base & { type: 'status'; engine?: EngineRequest })
  | (Base & { type: 'index'; engine: EngineRequest; progress?: boolean })
  | (Base & { type: 'search'; engine: EngineRequest } & SearchParams);

export type RequestType = Request['type'];

export interface PingValue { protocol: number; version: string; pid: number; build: string }

export type ErrorCode = 'badRequest' | 'otherBuild' | 'usage' | 'noFolder' | 'writeFailed' | 'stopping' | 'internal';

export interface ErrorReply { id: RequestId | null; ok: false; error: { code: ErrorCode; message: string; exitCode: number } }
export interface OkReply { id: RequestId; ok: true; value: unknown }
/** Sent before the reply, as it happens: a warning `sift search` would print on stderr. */
export interface WarningEvent { id: RequestId; event: 'warning'; message: string }
/** Sent before the reply when asked (progress: true), at most every ~100 ms: the index run's progress. */
export interface ProgressEvent { id: RequestId; event: 'progress'; progress: IndexProgress }
export type Reply = OkReply | ErrorReply;
export type ServerLine = Reply | WarningEvent | ProgressEvent;

/** What a search answers: its printed output (text or json), or the SearchResponse and the roots it is relative to. */
export interface SearchValue { stdout?: string; response?: unknown; roots: string[] }

type Parsed = { ok: true; request: Request } | { ok: false; id: RequestId | null; reason: string };

const TYPES: ReadonlySet<string> = new Set(['ping', 'stop', 'status', 'index', 'search']);

/** Check one line of input; the reason names what is wrong. */
export function parseRequest(line: string): Parsed {
  let raw: unknown;
  try { raw = JSON.parse(line); } catch (e) {
    return { ok: false, id: null, reason: `not JSON: ${(e as Error).message}` };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, id: null, reason: 'a request is a JSON object' };
  const r = raw as Record<string, unknown>;
  const id = typeof r.id === 'number' || typeof r.id === 'string' ? r.id : null;
  const bad = (reason: string): Parsed => ({ ok: false, id, reason });
  if (id === null) return bad('a request needs an "id" (a number or a string)');
  if (r.build !== undefined && typeof r.build !== 'string') return bad('"build" must be a string');
  if (typeof r.type !== 'string' || !TYPES.has(r.type)) return bad(`unknown request type ${JSON.stringify(r.type)} (ping, status, index, search, stop)`);
  if (r.type === 'index' || r.type === 'search' || (r.type === 'status' && r.engine !== undefined)) {
    const why = specProblem(r.engine);
    if (why) return bad(why);
  }
  if (r.type === 'search') {
    const why = searchProblem(r);
    if (why) return bad(why);
  }
  return { ok: true, request: r as unknown as Request };
}

function isStrings(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

function specProblem(e: unknown): string | null {
  if (typeof e !== 'object' || e === null) return '"engine" must be an object: {roots, indexDir or cacheHome, model?, runtime, include?, exclude?, maxFileBytes?}';
  const s = e as Record<string, unknown>;
  if (!isStrings(s.roots) || s.roots.length === 0) return '"engine.roots" must be a non-empty list of folders';
  if (!s.roots.every(isAbsolute)) return '"engine.roots" must be absolute paths';
  if ((s.indexDir === undefined) === (s.cacheHome === undefined)) return '"engine" needs one of "indexDir" (the index folder) and "cacheHome" (the folder it is derived in)';
  for (const f of ['indexDir', 'cacheHome'] as const) if (s[f] !== undefined && (typeof s[f] !== 'string' || !isAbsolute(s[f] as string))) return `"engine.${f}" must be an absolute path`;
  if (s.model !== undefined && s.model !== null && (typeof s.model !== 'string' || !isAbsolute(s.model))) return '"engine.model" must be an absolute path, null (no model) or absent (the default)';
  if (s.runtime !== 'auto' && s.runtime !== 'native' && s.runtime !== 'onnxruntime') return '"engine.runtime" must be auto, native or onnxruntime';
  if (s.include !== undefined && !isStrings(s.include)) return '"engine.include" must be a list of globs';
  if (s.exclude !== undefined && !isStrings(s.exclude)) return '"engine.exclude" must be a list of globs';
  if (s.maxFileBytes !== undefined && typeof s.maxFileBytes !== 'number') return '"engine.maxFileBytes" must be a number';
  return null;
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

function searchProblem(r: Record<string, unknown>): string | null {
  if (typeof r.query !== 'string' || !r.query.trim()) return '"query" must be a non-empty string';
  if (r.k !== undefined && (!Number.isInteger(r.k) || (r.k as number) < 1 || (r.k as number) > 200)) return '"k" must be a whole number from 1 to 200';
  if (r.threshold !== undefined && !(typeof r.threshold === 'number' && r.threshold >= 0 && r.threshold <= 1)) return '"threshold" must be a number from 0 to 1';
  for (const f of ['all', 'fixedK', 'announce', 'progress'] as const) if (r[f] !== undefined && typeof r[f] !== 'boolean') return `"${f}" must be true or false`;
  if (r.refresh !== undefined && typeof r.refresh !== 'boolean' && !(typeof r.refresh === 'number' && r.refresh >= 0)) return '"refresh" must be true, false or a number of milliseconds';
  if (r.output !== undefined && r.output !== 'text' && r.output !== 'json' && r.output !== 'response') return '"output" must be text, json or response';
  if (r.languages !== undefined && !isStrings(r.languages)) return '"languages" must be a list of language ids';
  if (r.pathFilter !== undefined && typeof r.pathFilter !== 'string') return '"pathFilter" must be a string';
  return null;
}
