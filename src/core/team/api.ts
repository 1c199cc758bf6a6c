// The team server's HTTP/JSON API, as data shapes shared by the server
// (src/cli/team/) and its clients (the CLI, `sift mcp`, the extension). The
// API is described for other clients in docs/openapi.yaml; keep the two equal.
import type { LanguageId, SearchResponse } from '../types';

/** Path prefix of every route: /v1/search, /v1/similar, /v1/status. */
export const API_PREFIX = '/v1';

/** Limits the server enforces (a request past them gets 400 or 413, never a cut answer). */
export const API_LIMITS = {
  /** Characters of a query (a similar-code snippet may be longer: maxCodeChars). */
  maxQueryChars: 2000,
  maxCodeChars: 20_000,
  maxK: 100,
  /** Bytes of a request body. */
  maxBodyBytes: 64 * 1024,
} as const;

/** Which index: a repository and a branch of it (default branch "main"). */
export interface IndexRef {
  repo: string;
  branch?: string;
}

export interface SearchFilters {
  languages?: LanguageId[];
  /** Only files under this '/'-separated folder (relative to the repository root). */
  pathPrefix?: string;
  /** A glob or substring of the path (see compilePathFilter). */
  pathFilter?: string;
}

/** POST /v1/search */
export interface SearchRequest extends IndexRef, SearchFilters {
  query: string;
  /** Most results (1..maxK, default 10). */
  k?: number;
  /** Return the closest matches even when none is judged relevant. */
  showWeak?: boolean;
  /** Skip the calibrated cut: the ranked top k (evaluation). */
  fixedK?: boolean;
}

/** POST /v1/similar: code like this snippet (the snippet is the query, as the editor's "Find similar code" does). */
export interface SimilarRequest extends IndexRef, SearchFilters {
  code: string;
  k?: number;
}

/**
 * The answer to a search or similar request: the local engine's response with
 * `root` of every hit set to '' (the client knows where its checkout lies) and
 * the indexed commit.
 */
export interface TeamSearchResponse extends SearchResponse {
  repo: string;
  branch: string;
  /** The commit (or label) the branch was last indexed at; null when never given. */
  head: string | null;
}

/** GET /v1/status?repo=R[&branch=B] */
export interface TeamStatus {
  repo: string;
  branch: string;
  head: string | null;
  files: number;
  chunks: number;
  embedded: number;
  /** Embedding model id of the branch's vectors (null: keyword only). */
  model: string | null;
  /** 'hybrid' when the server's model matches the branch's vectors, else 'keyword' with modeReason. */
  mode: 'hybrid' | 'keyword';
  modeReason?: string;
  lastUpdated: string | null;
  schemaVersion: number;
}

/** Every error answer: HTTP status and this body. */
export interface ApiError {
  error: {
    /** Machine-readable: unauthorized, forbidden, bad_request, not_found, too_large, busy, unavailable, timeout, internal. */
    code: 'unauthorized' | 'forbidden' | 'bad_request' | 'not_found' | 'too_large' | 'busy' | 'unavailable' | 'timeout' | 'internal';
    message: string;
  };
}
