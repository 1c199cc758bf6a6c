// Recall of the team index's HNSW search against the exact top 10, on a
// branch already indexed (e.g. the 105K-chunk speed corpus): queries are
// chunk names and doc lines sampled from the branch itself, embedded with the
// shipped model; each is searched through the HNSW index (as searches do:
// ef_search EF_SEARCH, a margin, put in the exact order) and by an exact scan.
//
//   npx tsx bench/teamRecall.ts --store URL --repo speed [--queries 200] [--out FILE]
import * as fs from 'node:fs';
import { findDefaultModel, loadEmbedder } from '../src/core/embed/embedder';
import { BRANCH_COLUMNS, branchFromRow } from '../src/core/store/postgres/branchWriter';
import { BranchCache } from '../src/core/store/postgres/branchCache';
import { inTransaction, openPool } from '../src/core/store/postgres/db';
import { EF_SEARCH, PgSearchStore, SEARCH_SETUP } from '../src/core/store/postgres/pgSearchStore';
import { queryVector } from '../src/core/store/postgres/pgVectors';
import { arg, needArg } from './speed';

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

async function main(): Promise<void> {
  const pool = openPool(needArg('store'), { max: 2, statementTimeoutMs: 0 });
  const n = Number(arg('queries') ?? '200');
  const embedder = await loadEmbedder(findDefaultModel()!);
  const result = await inTransaction(pool, async (c) => {
    const b = branchFromRow((await c.query(`select ${BRANCH_COLUMNS} from sift_branches b join sift_repos r on r.id = b.repo_id where r.name = $1 and b.name = 'main'`, [needArg('repo')])).rows[0]);
    const cache = await BranchCache.load(c, b.id, b.generation);
    const store = new PgSearchStore(c, b, cache, true);
    // a fixed sample: every (rows / n)-th chunk with a name, its name's words as the query
    const sample = (await c.query(`select name, signature from sift_chunks where branch_id = $1 and name <> '' and key % 97 = 0 order by key limit $2`, [b.id, n])).rows;
    const recalls: number[] = [], scoreRecalls: number[] = [], hnswMs: number[] = [], exactMs: number[] = [];
    for (const row of sample) {
      const text = `${row.name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_.]/g, ' ')} ${row.signature}`.toLowerCase();
      const vec = (await embedder.embed([text])).subarray(0, embedder.dim);
      let t = performance.now();
      const approx = await store.vectorTop(vec, 10, null);
      hnswMs.push(performance.now() - t);
      t = performance.now();
      const q = queryVector(vec, b.dim!);
      const exactRows = (await c.query({
        text: `select key, ((embedding <#> $2::vector) * -1) * vscale as v from sift_chunks where branch_id = $1 and embedding is not null order by v desc, key limit 10`,
        values: [b.id, q.literal], rowMode: 'array',
      })).rows as Array<[number, number]>;
      exactMs.push(performance.now() - t);
      const exact = exactRows.map((r) => Number(r[0]));
      const got = new Set(approx.map((h) => h.key));
      recalls.push(exact.filter((k) => got.has(k)).length / exact.length);
      // a hit scoring as high as the exact 10th is as good an answer (copies of one chunk tie)
      const tenth = Math.fround(exactRows[exactRows.length - 1][1] * q.scale);
      scoreRecalls.push(Math.min(1, approx.filter((h) => h.score >= tenth).length / exact.length));
    }
    return {
      branch: `${b.repo}@${b.name}`, chunks: b.liveDocs, queries: recalls.length, efSearch: EF_SEARCH,
      recallAt10: +(recalls.reduce((s, x) => s + x, 0) / recalls.length).toFixed(4),
      recallAt10ByScore: +(scoreRecalls.reduce((s, x) => s + x, 0) / scoreRecalls.length).toFixed(4),
      hnswMs: { p50: +pct(hnswMs, 0.5).toFixed(1), p95: +pct(hnswMs, 0.95).toFixed(1) },
      exactMs: { p50: +pct(exactMs, 0.5).toFixed(1), p95: +pct(exactMs, 0.95).toFixed(1) },
    };
  }, '', SEARCH_SETUP);
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  const out = arg('out') ?? '';
  if (out) fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  await embedder.dispose();
  await pool.end();
}

main().catch((e) => { process.stderr.write(`${(e as Error).stack}\n`); process.exit(1); });
