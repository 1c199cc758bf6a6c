// Verified tokens kept for a short while, so a search does not cost a
// database round trip for its token. Only tokens that verified are kept
// (keyed by their SHA-256, never the token), each for `ttlMs` from when it was
// checked: a token revoked in the database is refused at the latest `ttlMs`
// later. Unknown tokens are looked up each time (a malformed one never is).
import type { Pool } from 'pg';
import { looksLikeToken, tokenHash, verifyToken, type TokenInfo } from '../../core/store/postgres/tokens';

export const DEFAULT_TOKEN_TTL_MS = 30_000;
/** Entries kept at most; the oldest go first. */
const MAX_ENTRIES = 10_000;

export class TokenCache {
  private readonly entries = new Map<string, { info: TokenInfo; until: number }>();

  constructor(private readonly pool: Pool, private readonly ttlMs: number = DEFAULT_TOKEN_TTL_MS, private readonly now: () => number = Date.now) {}

  /** The token's holder, or null (malformed, unknown, revoked). Database errors are thrown, classified (never taken as "unknown"). */
  async verify(token: string): Promise<TokenInfo | null> {
    if (!looksLikeToken(token)) return null;
    const key = tokenHash(token).toString('hex');
    const hit = this.entries.get(key);
    const t = this.now();
    if (hit && hit.until > t) return hit.info;
    if (hit) this.entries.delete(key);
    const info = await verifyToken(this.pool, token);
    if (info && this.ttlMs > 0) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(key, { info, until: t + this.ttlMs });
    }
    return info;
  }
}
