// The test PostgreSQL server (test/helpers/pgServer.ts) is a real PostgreSQL 16
// with pgvector: HNSW indexes work, and a kill -9 + restart recovers from WAL.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { crashPgSupported, killPg, restartPg, startPg, type PgServer } from '../helpers/pgServer';

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  client.on('error', () => {}); // a killed server ends connections; the queries report it
  await client.connect();
  return client;
}

describe('test PostgreSQL server (pgServer helper)', function () {
  this.timeout(180_000); // the first run on a machine downloads the wheel
  const schema = `pgtest_${randomBytes(4).toString('hex')}`;
  let server: PgServer;
  let db: Client;

  before(async () => {
    server = await startPg();
    db = await connect(server.url);
    await db.query(`create schema ${schema}`);
    await db.query(`set search_path = ${schema}, public`);
  });

  after(async () => {
    if (!db) return;
    await db.query(`drop schema if exists ${schema} cascade`).catch(() => {});
    await db.end().catch(() => {});
  });

  it('is PostgreSQL 16 on 127.0.0.1, shared by later startPg() calls', async () => {
    const { rows } = await db.query<{ version: string }>('select version()');
    assert.match(rows[0].version, /^PostgreSQL 16\./);
    assert.equal(await startPg(), server);
    if (!server.external) assert.match(server.url, /^postgresql:\/\/sift:[^@]+@127\.0\.0\.1:\d+\/sift$/);
  });

  it('has the vector extension, and creating it works', async () => {
    await db.query('create extension if not exists vector');
    const { rows } = await db.query<{ extversion: string }>("select extversion from pg_extension where extname = 'vector'");
    assert.equal(rows.length, 1);
    if (server.external) return;
    // A fresh database: a plain `create extension vector`.
    const name = `${schema}_db`;
    await db.query(`create database ${name}`);
    try {
      const other = await connect(server.url.replace(/\/sift$/, `/${name}`));
      try {
        await other.query('create extension vector');
        const { rows: d } = await other.query<{ d: number }>("select '[1,2,3]'::vector <-> '[1,2,5]'::vector as d");
        assert.equal(d[0].d, 2);
      } finally {
        await other.end();
      }
    } finally {
      await db.query(`drop database ${name}`);
    }
  });

  it('answers ORDER BY <-> with an HNSW index on vector(3)', async () => {
    await db.query('create table items (id int primary key, embedding vector(3))');
    await db.query(`insert into items select i, ('[' || cos(i) || ',' || sin(i) || ',' || (i % 7) || ']')::vector from generate_series(1, 500) i`);
    await db.query('create index items_hnsw on items using hnsw (embedding vector_l2_ops)');
    await db.query('set enable_seqscan = off');
    const q = "select id from items order by embedding <-> '[1,0,3]' limit 5";
    const plan = (await db.query<{ 'QUERY PLAN': string }>(`explain ${q}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
    assert.match(plan, /Index Scan using items_hnsw on items/);
    const viaIndex = (await db.query<{ id: number }>(q)).rows.map((r) => r.id);
    await db.query('reset enable_seqscan');
    await db.query('set enable_indexscan = off');
    const exact = (await db.query<{ id: number }>(q)).rows.map((r) => r.id);
    await db.query('reset enable_indexscan');
    assert.equal(viaIndex.length, 5);
    assert.equal(viaIndex[0], exact[0]);
  });

  it('keeps committed rows and loses an uncommitted transaction across kill -9 + restart', async function () {
    if (!crashPgSupported()) this.skip();
    await db.query('create table crash (id int primary key, embedding vector(3))');
    await db.query("insert into crash select i, '[1,2,3]' from generate_series(1, 100) i");
    // Mid-index: an open transaction that has inserted rows and is building an index.
    const writer = await connect(server.url);
    await writer.query(`set search_path = ${schema}, public`);
    await writer.query('begin');
    await writer.query("insert into crash select i, '[4,5,6]' from generate_series(101, 150) i");
    await writer.query('create index crash_hnsw on crash using hnsw (embedding vector_l2_ops)');

    await killPg();
    await assert.rejects(writer.query('commit'));
    await assert.rejects(db.query('select 1'));
    await writer.end().catch(() => {});
    await db.end().catch(() => {});

    await restartPg();
    db = await connect(server.url); // same port, same password
    await db.query(`set search_path = ${schema}, public`);
    const { rows } = await db.query<{ n: string; max: number }>('select count(*) as n, max(id) as max from crash');
    assert.deepEqual(rows[0], { n: '100', max: 100 });
    const idx = await db.query("select 1 from pg_indexes where indexname in ('crash_hnsw', 'items_hnsw') and indexname = 'crash_hnsw'");
    assert.equal(idx.rowCount, 0);
    const items = await db.query<{ n: string }>('select count(*) as n from items');
    assert.equal(items.rows[0].n, '500');
    await db.query("insert into crash values (101, '[0,0,0]')"); // and it takes writes again
  });
});
