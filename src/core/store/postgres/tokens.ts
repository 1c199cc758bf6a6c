// Bearer tokens for the team server (table sift_tokens, schema.ts).
//
// A token is `sift_` + 43 base64url characters (32 random bytes). It is shown
// once, when created; the database keeps only its SHA-256, so a copy of the
// database does not give working tokens. A token is for every repository
// (repo_id null) or for one. A token for one repository can only be created
// once that repository is in the team index (indexed at least once): a typo
// in --repo is refused instead of creating an empty repository that a later
// `sift index` under the right name would never fill.
//
// Names are for people (`sift token list`, `sift token revoke NAME`): 1 to 100
// characters, no control characters, not only digits (those name an id), and
// unique among the tokens not revoked. Every value goes to SQL as a parameter.
import { createHash, randomBytes } from 'node:crypto';
import { inTransaction, type Pool, withClient } from './db';

export const TOKEN_PREFIX = 'sift_';
const TOKEN_SHAPE = /^sift_[A-Za-z0-9_-]{43}$/;
export const MAX_TOKEN_NAME_CHARS = 100;

/** A token as the server sees it once verified. */
export interface TokenInfo {
  id: number;
  name: string;
  /** null: every repository. */
  repoId: number | null;
  repo: string | null;
}

/** A token as `sift token list` shows it (never the token itself: it is not kept). */
export interface TokenRecord extends TokenInfo {
  createdAt: string;
  revokedAt: string | null;
}

/** A token request that cannot be carried out, in the user's words (bad name, unknown repository…). */
export class TokenError extends Error {
  constructor(message: string) { super(message); this.name = 'TokenError'; }
}

/** The SHA-256 the table keeps of a token. */
export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** True when the string has the shape of a token (says nothing of whether it is valid). */
export function looksLikeToken(token: string): boolean {
  return TOKEN_SHAPE.test(token);
}

function checkName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) throw new TokenError('a token needs a name (--name NAME)');
  if ([...name].length > MAX_TOKEN_NAME_CHARS) throw new TokenError(`a token name has at most ${MAX_TOKEN_NAME_CHARS} characters`);
  if (/\p{Cc}/u.test(name)) throw new TokenError('a token name cannot hold control characters (NUL, newline, tab…)');
  if (/^\d+$/.test(name)) throw new TokenError(`a token name cannot be only digits ("${name}" would read as a token id)`);
}

/**
 * Create a token named `name`, for repository `repo` (null: every repository).
 * Returns the token: it is not kept, so this is the only time it can be shown.
 */
export async function createToken(pool: Pool, name: string, repo: string | null): Promise<string> {
  checkName(name);
  if (repo !== null && (typeof repo !== 'string' || repo.length === 0 || /\p{Cc}/u.test(repo))) {
    throw new TokenError('--repo needs a repository name without control characters');
  }
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  await inTransaction(pool, async (c) => {
    // one creator at a time, so two cannot both find a name free
    await c.query(`select pg_advisory_xact_lock(hashtext('sift_tokens'))`);
    let repoId: number | null = null;
    if (repo !== null) {
      const r = await c.query<{ id: number }>('select id from sift_repos where name = $1', [repo]);
      if (r.rowCount === 0) throw new TokenError(`no repository "${repo}" in the team index: index it first (sift index --store URL --repo ${JSON.stringify(repo)} …), then create its token`);
      repoId = r.rows[0].id;
    }
    const taken = await c.query('select 1 from sift_tokens where name = $1 and revoked_at is null', [name]);
    if (taken.rowCount) throw new TokenError(`a token named "${name}" exists already: revoke it first or choose another name`);
    await c.query('insert into sift_tokens (name, token_hash, repo_id) values ($1, $2, $3)', [name, tokenHash(token), repoId]);
  });
  return token;
}

/** The token's holder, or null when the token is malformed, unknown or revoked. Database errors are thrown (classified). */
export async function verifyToken(pool: Pool, token: string): Promise<TokenInfo | null> {
  if (typeof token !== 'string' || !looksLikeToken(token)) return null;
  return withClient(pool, async (c) => {
    const r = await c.query<{ id: number; name: string; repo_id: number | null; repo: string | null }>(
      `select t.id, t.name, t.repo_id, r.name as repo
         from sift_tokens t left join sift_repos r on r.id = t.repo_id
        where t.token_hash = $1 and t.revoked_at is null`,
      [tokenHash(token)],
    );
    if (r.rowCount === 0) return null;
    const row = r.rows[0];
    return { id: row.id, name: row.name, repoId: row.repo_id, repo: row.repo };
  });
}

/** Every token, revoked ones too, oldest first. */
export async function listTokens(pool: Pool): Promise<TokenRecord[]> {
  return withClient(pool, async (c) => {
    const r = await c.query<{ id: number; name: string; repo_id: number | null; repo: string | null; created_at: Date; revoked_at: Date | null }>(
      `select t.id, t.name, t.repo_id, r.name as repo, t.created_at, t.revoked_at
         from sift_tokens t left join sift_repos r on r.id = t.repo_id
        order by t.id`,
    );
    return r.rows.map((row) => ({
      id: row.id, name: row.name, repoId: row.repo_id, repo: row.repo,
      createdAt: row.created_at.toISOString(), revokedAt: row.revoked_at ? row.revoked_at.toISOString() : null,
    }));
  });
}

/**
 * Revoke the token with this id (all digits) or name (the one not yet revoked).
 * Returns it, or null when there is no such token not yet revoked. A server
 * that verified it before stops taking it within its cache time (server.ts).
 */
export async function revokeToken(pool: Pool, idOrName: string): Promise<TokenInfo | null> {
  if (typeof idOrName !== 'string' || idOrName.length === 0) throw new TokenError('revoke needs a token id or name');
  const byId = /^\d{1,9}$/.test(idOrName);
  if (!byId && /\p{Cc}/u.test(idOrName)) return null; // no name holds control characters
  return withClient(pool, async (c) => {
    const r = await c.query<{ id: number; name: string; repo_id: number | null; repo: string | null }>(
      `with u as (update sift_tokens set revoked_at = now() where ${byId ? 'id = $1::int' : 'name = $1'} and revoked_at is null
                  returning id, name, repo_id)
       select u.id, u.name, u.repo_id, r.name as repo from u left join sift_repos r on r.id = u.repo_id`,
      [idOrName],
    );
    if (r.rowCount === 0) return null;
    const row = r.rows[0];
    return { id: row.id, name: row.name, repoId: row.repo_id, repo: row.repo };
  });
}
