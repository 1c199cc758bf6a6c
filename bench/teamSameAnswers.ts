// Same answers: the team index (PostgreSQL + pgvector) against the local
// engine, on every query of ../shared/bench, with the same model. Each corpus
// is indexed both ways; each query is searched both ways (fixed k = 10), and
// the top 10s are compared: the share of the local top 10 that the team top
// 10 holds, and whether the order is the same. MRR@10 comes from eval.mjs run
// over both (see bench/README.md, "Team index: same answers").
//
//   npx tsx bench/teamSameAnswers.ts --store URL [--corpora bench/corpora] [--out bench/results/team-same.json]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findDefaultModel, loadEmbedder } from '../src/core/embed/embedder';
import { Engine } from '../src/core/engine';
import { openPool } from '../src/core/store/postgres/db';
import { indexIntoStore } from '../src/core/store/postgres/teamIndexer';
import { TeamStore } from '../src/core/store/postgres/teamStore';
import { arg, needArg } from './speed';

async function main(): Promise<void> {
  const url = needArg('store');
  const corpora = path.resolve(arg('corpora') ?? 'bench/corpora');
  const out = arg('out') ?? '';
  const queries = fs.readFileSync(path.join(__dirname, '..', '..', 'shared', 'bench', 'queries.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; corpus: string; query: string });
  const embedder = await loadEmbedder(findDefaultModel()!);
  const pool = openPool(url, { max: 3, statementTimeoutMs: 0 });
  const store = TeamStore.connect(url, { max: 2 });
  const rows: Array<{ id: string; overlap: number; sameOrder: boolean; maxScoreDiff: number }> = [];
  for (const corpus of [...new Set(queries.map((q) => q.corpus))]) {
    const root = path.join(corpora, corpus);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-same-'));
    const engine = await Engine.open({ roots: [root], indexDir: tmp, embedder, chunkThreads: 0 });
    await engine.index();
    const repo = `same-${corpus}`;
    const t = await indexIntoStore(pool, { root, repo, branch: 'main', embedder });
    process.stderr.write(`${corpus}: local ${engine.chunkCount} chunks, team ${t.chunksWritten} chunks\n`);
    for (const q of queries.filter((x) => x.corpus === corpus)) {
      const local = await engine.search(q.query, { k: 10, fixedK: true });
      const team = await store.search({ repo, branch: 'main' }, q.query, { k: 10, fixedK: true }, embedder);
      const id = (h: { file: string; startLine: number }) => `${h.file}:${h.startLine}`;
      const a = local.hits.map(id), b = team.hits.map(id);
      const inter = a.filter((x) => b.includes(x)).length;
      const scoreDiff = Math.max(0, ...local.hits.map((h, i) => (team.hits[i] && id(team.hits[i]) === id(h) ? Math.abs(team.hits[i].score - h.score) : 0)));
      rows.push({ id: q.id, overlap: a.length ? inter / a.length : 1, sameOrder: a.join('|') === b.join('|'), maxScoreDiff: scoreDiff });
    }
    await engine.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const mean = rows.reduce((s, r) => s + r.overlap, 0) / rows.length;
  const same = rows.filter((r) => r.sameOrder).length;
  const summary = { queries: rows.length, meanOverlapAt10: +mean.toFixed(4), sameOrder: same, minOverlap: Math.min(...rows.map((r) => r.overlap)), maxScoreDiff: Math.max(...rows.map((r) => r.maxScoreDiff)) };
  process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  for (const r of rows.filter((x) => x.overlap < 1)) process.stdout.write(`  ${r.id}: overlap ${r.overlap.toFixed(2)}\n`);
  if (out) fs.writeFileSync(out, JSON.stringify({ summary, rows }, null, 2) + '\n');
  await store.close();
  await pool.end();
  await embedder.dispose();
}

main().catch((e) => { process.stderr.write(`${(e as Error).stack}\n`); process.exit(1); });
