// Bringing a database's schema to the version this build writes, and checking
// that a database is one it can read.
import type { Client, Pool } from './db';
import { inTransaction, withClient } from './db';
import { SchemaError } from './errors';
import { MIGRATIONS, SCHEMA_VERSION } from './schema';

// pg_advisory_xact_lock's key for migrations (any constant; 'sift' in ASCII)
const MIGRATE_LOCK = 0x73696674;

async function versionOn(c: Client): Promise<number> {
  const t = await c.query(`select to_regclass('sift_meta') is not null as ok`);
  if (!t.rows[0].ok) return 0;
  const r = await c.query(`select value from sift_meta where key = 'schema_version'`);
  return r.rows.length ? Number(r.rows[0].value) : 0;
}

/** The database's schema version (0: none yet). */
export async function schemaVersion(pool: Pool): Promise<number> {
  return withClient(pool, versionOn);
}

/** Apply the migrations the database lacks; returns the version it was at. Refuses a newer database. */
export async function migrate(pool: Pool): Promise<number> {
  return inTransaction(pool, async (c) => {
    await c.query('select pg_advisory_xact_lock($1)', [MIGRATE_LOCK]);
    const from = await versionOn(c);
    if (from > SCHEMA_VERSION) throw new SchemaError(`the team database is at schema version ${from}, newer than this sift reads (${SCHEMA_VERSION}): update sift`);
    for (let v = from; v < SCHEMA_VERSION; v++) for (const sql of MIGRATIONS[v]) await c.query(sql);
    if (from < SCHEMA_VERSION) {
      await c.query(`insert into sift_meta (key, value) values ('schema_version', $1) on conflict (key) do update set value = excluded.value`, [String(SCHEMA_VERSION)]);
    }
    return from;
  });
}

/** Throw SchemaError unless the database is at the version this build reads. */
export async function requireSchema(pool: Pool): Promise<void> {
  const v = await schemaVersion(pool);
  if (v === SCHEMA_VERSION) return;
  if (v === 0) throw new SchemaError('the team database has no sift schema yet: index a repository into it first (sift index --store URL …)');
  if (v < SCHEMA_VERSION) throw new SchemaError(`the team database is at schema version ${v}; this sift reads ${SCHEMA_VERSION}: run sift index --store URL once to migrate it`);
  throw new SchemaError(`the team database is at schema version ${v}, newer than this sift reads (${SCHEMA_VERSION}): update sift`);
}
