// What the team server accepts: each request's JSON checked field by field
// against api.ts and API_LIMITS before the store sees it. Anything else is a
// 400 whose message names the field and the limit; a field the API does not
// have is refused too (a misspelt filter must not be ignored silently).
import { API_LIMITS, type IndexRef, type SearchFilters, type SearchRequest, type SimilarRequest } from '../../core/team/api';
import { compilePathFilter } from '../../core/search/pathGlob';
import type { LanguageId } from '../../core/types';
import { badRequest } from './httpErrors';

export const LANGUAGES = [
  'python', 'javascript', 'typescript', 'tsx', 'go', 'rust', 'java', 'c', 'cpp', 'csharp', 'ruby', 'php',
  'markdown', 'config', 'text',
] as const satisfies readonly LanguageId[];
// every LanguageId is listed (a new one fails to compile here until added)
const allListed: Exclude<LanguageId, (typeof LANGUAGES)[number]> extends never ? true : never = true;
void allListed;

/** Limits of the server's own, beside API_LIMITS (kept in docs/openapi.yaml too). */
export const SERVER_LIMITS = {
  /** Characters of a repository or branch name. */
  maxNameChars: 200,
  /** Characters of pathPrefix and of pathFilter. */
  maxPathChars: 500,
  /**
   * Wildcard runs (`*`, `**`) and `{…}` groups in a pathFilter. A glob runs in
   * time linear in the path (pathGlob.ts), but each `{…}` group multiplies the
   * globs run, against every file of the branch, on every search: a few keep
   * one request's work small.
   */
  maxGlobOperators: 3,
  /** Languages in one filter. */
  maxLanguages: 15,
} as const;

const DEFAULT_BRANCH = 'main';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function chars(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** A string without control characters, 1..max characters. */
function name(field: string, v: unknown, max: number): string {
  if (typeof v !== 'string') throw badRequest(`${field} must be a string`);
  if (v.length === 0) throw badRequest(`${field} must not be empty`);
  if (chars(v) > max) throw badRequest(`${field} is longer than ${max} characters`);
  if (/\p{Cc}/u.test(v)) throw badRequest(`${field} must not hold control characters`);
  if (LONE_SURROGATE.test(v)) throw badRequest(`${field} is not well-formed Unicode`);
  return v;
}

/** A query or snippet: 1..max characters; tabs and newlines allowed, other control characters (NUL…) not. */
function text(field: string, v: unknown, max: number): string {
  if (typeof v !== 'string') throw badRequest(`${field} must be a string`);
  if (v.trim().length === 0) throw badRequest(`${field} must not be empty`);
  if (chars(v) > max) throw badRequest(`${field} is longer than the limit of ${max} characters`);
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v)) throw badRequest(`${field} must not hold control characters other than tab and newline`);
  if (LONE_SURROGATE.test(v)) throw badRequest(`${field} is not well-formed Unicode`);
  return v;
}

function bool(field: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw badRequest(`${field} must be true or false`);
  return v;
}

function k(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > API_LIMITS.maxK) throw badRequest(`k must be a whole number from 1 to ${API_LIMITS.maxK} (the limit)`);
  return v;
}

function ref(body: Json): Required<IndexRef> {
  return {
    repo: name('repo', body.repo, SERVER_LIMITS.maxNameChars),
    branch: body.branch === undefined ? DEFAULT_BRANCH : name('branch', body.branch, SERVER_LIMITS.maxNameChars),
  };
}

function filters(body: Json): SearchFilters {
  const out: SearchFilters = {};
  if (body.languages !== undefined) {
    const v = body.languages;
    if (!Array.isArray(v) || v.length === 0) throw badRequest('languages must be a non-empty list of language ids');
    if (v.length > SERVER_LIMITS.maxLanguages) throw badRequest(`languages lists at most ${SERVER_LIMITS.maxLanguages} ids`);
    for (const l of v) {
      if (!(LANGUAGES as readonly unknown[]).includes(l)) throw badRequest(`unknown language ${JSON.stringify(l).slice(0, 60)}; known: ${LANGUAGES.join(', ')}`);
    }
    out.languages = [...new Set(v as LanguageId[])];
  }
  if (body.pathPrefix !== undefined) out.pathPrefix = name('pathPrefix', body.pathPrefix, SERVER_LIMITS.maxPathChars);
  if (body.pathFilter !== undefined) {
    const f = name('pathFilter', body.pathFilter, SERVER_LIMITS.maxPathChars);
    const ops = (f.match(/\*+|\{/g) ?? []).length;
    if (ops > SERVER_LIMITS.maxGlobOperators) throw badRequest(`pathFilter has ${ops} wildcards and {…} groups; the limit is ${SERVER_LIMITS.maxGlobOperators}`);
    try {
      compilePathFilter(f);
    } catch {
      throw badRequest('pathFilter is not a valid glob (check its [...] classes)');
    }
    out.pathFilter = f;
  }
  return out;
}

function fieldsOnly(body: Json, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw badRequest(`unknown field ${JSON.stringify(key).slice(0, 80)}; this request takes ${allowed.join(', ')}`);
  }
}

const REF_FIELDS = ['repo', 'branch'] as const;
const FILTER_FIELDS = ['languages', 'pathPrefix', 'pathFilter'] as const;

export type CheckedSearch = SearchRequest & Required<IndexRef>;
export type CheckedSimilar = SimilarRequest & Required<IndexRef>;

export function checkSearchRequest(body: unknown): CheckedSearch {
  if (!isObject(body)) throw badRequest('the body must be a JSON object');
  fieldsOnly(body, [...REF_FIELDS, ...FILTER_FIELDS, 'query', 'k', 'showWeak', 'fixedK']);
  const out: CheckedSearch = { ...ref(body), ...filters(body), query: text('query', body.query, API_LIMITS.maxQueryChars) };
  if (body.k !== undefined) out.k = k(body.k);
  if (body.showWeak !== undefined) out.showWeak = bool('showWeak', body.showWeak);
  if (body.fixedK !== undefined) out.fixedK = bool('fixedK', body.fixedK);
  return out;
}

export function checkSimilarRequest(body: unknown): CheckedSimilar {
  if (!isObject(body)) throw badRequest('the body must be a JSON object');
  fieldsOnly(body, [...REF_FIELDS, ...FILTER_FIELDS, 'code', 'k']);
  const out: CheckedSimilar = { ...ref(body), ...filters(body), code: text('code', body.code, API_LIMITS.maxCodeChars) };
  if (body.k !== undefined) out.k = k(body.k);
  return out;
}

/** GET /v1/status?repo=R[&branch=B]: each parameter at most once. */
export function checkStatusQuery(params: URLSearchParams): Required<IndexRef> {
  for (const key of new Set(params.keys())) {
    if (key !== 'repo' && key !== 'branch') throw badRequest(`unknown parameter ${JSON.stringify(key).slice(0, 80)}; status takes repo and branch`);
    if (params.getAll(key).length > 1) throw badRequest(`${key} given more than once`);
  }
  if (!params.has('repo')) throw badRequest('status needs ?repo=NAME');
  return ref({ repo: params.get('repo'), ...(params.has('branch') ? { branch: params.get('branch') } : {}) });
}
