// `sift token create|list|revoke --store URL`: the team server's bearer
// tokens (core/store/postgres/tokens.ts). `create` prints the token once, as
// the last line of stdout (the database keeps only its hash).
import { UsageError, type ParsedArgs } from '../args';
import { requireSchema } from '../../core/store/postgres/migrate';
import { TeamStore } from '../../core/store/postgres/teamStore';
import { DEFAULT_TOKEN_TTL_MS } from './tokenCache';
import { createToken, listTokens, revokeToken, TokenError, type TokenRecord } from '../../core/store/postgres/tokens';

export interface TokenIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const stdio: TokenIo = {
  out: (t) => { process.stdout.write(t); },
  err: (t) => { process.stderr.write(t); },
};

export async function cmdToken(a: ParsedArgs, io: TokenIo = stdio): Promise<number> {
  const action = a.positional[0];
  if (action !== 'create' && action !== 'list' && action !== 'revoke') throw new UsageError('sift token takes create, list or revoke (sift help token)');
  const url = a.values.store?.[0];
  if (!url || !/^postgres(ql)?:\/\//.test(url)) throw new UsageError('--store takes a PostgreSQL URL (postgres://user:password@host:port/database)');
  if (action === 'create' && !a.values.name) throw new UsageError('sift token create needs --name NAME (who or what the token is for)');
  if (action === 'revoke' && a.positional.length !== 2) throw new UsageError('sift token revoke takes one token id or name');
  if (action !== 'revoke' && a.positional.length > 1) throw new UsageError(`sift token ${action} takes no ${a.positional[1]}`);
  const store = TeamStore.connect(url, { max: 1 });
  try {
    await requireSchema(store.pool);
    switch (action) {
      case 'create': {
        const name = a.values.name![0];
        const repo = a.values.repo?.[0] ?? null;
        const token = await createToken(store.pool, name, repo);
        io.err(`created token "${name}" for ${repo === null ? 'every repository' : `repository ${repo}`}; it is shown once, below: keep it somewhere safe\n`);
        io.out(token + '\n');
        return 0;
      }
      case 'list': {
        const tokens = await listTokens(store.pool);
        io.out(a.flags.has('json') ? JSON.stringify(tokens) + '\n' : formatTokens(tokens));
        return 0;
      }
      case 'revoke': {
        const gone = await revokeToken(store.pool, a.positional[1]);
        if (!gone) { io.err(`sift: no token ${JSON.stringify(a.positional[1])} that is not revoked already (sift token list shows them)\n`); return 1; }
        io.out(`revoked token ${gone.id} "${gone.name}"; a running server refuses it within ${DEFAULT_TOKEN_TTL_MS / 1000} s\n`);
        return 0;
      }
    }
  } catch (e) {
    if (e instanceof TokenError) throw new UsageError(e.message);
    throw e;
  } finally {
    await store.close().catch(() => undefined);
  }
}

function formatTokens(tokens: TokenRecord[]): string {
  if (!tokens.length) return 'no tokens (sift token create --store URL --name NAME makes one)\n';
  const lines = tokens.map((t) => `${String(t.id).padStart(4)}  ${t.name}  ${t.repo === null ? '(every repository)' : `repo ${t.repo}`}  created ${t.createdAt}${t.revokedAt ? `  REVOKED ${t.revokedAt}` : ''}`);
  return lines.join('\n') + '\n';
}
