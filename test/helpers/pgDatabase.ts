// A database of its own for one test file, on the shared test server
// (pgServer.ts): created empty, dropped after. Its URL is the server's with
// the database name replaced.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startPg } from './pgServer';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function freshDatabase(prefix: string): Promise<TestDatabase> {
  const server = await startPg();
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try { await admin.query(`create database ${name}`); } finally { await admin.end(); }
  const u = new URL(server.url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: server.url });
      await c.connect();
      try { await c.query(`drop database if exists ${name} with (force)`); } finally { await c.end(); }
    },
  };
}
