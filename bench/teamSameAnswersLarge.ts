// Same answers at scale: the local engine and the team index of the 105K-chunk
// speed corpus (indexed both ways beforehand), top 10 (fixed k) of a list of
// developer queries searched both ways in this process; the share of the
// local top 10 the team's holds. The team side uses the HNSW index (the
// local one scans exactly below 150K rows), so this is where its recall shows.
//
//   npx tsx bench/teamSameAnswersLarge.ts --store URL --repo speed --index-dir DIR [--root bench/corpora/speed] [--out FILE]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findDefaultModel, loadEmbedder } from '../src/core/embed/embedder';
import { Engine } from '../src/core/engine';
import { TeamStore } from '../src/core/store/postgres/teamStore';
import { EF_SEARCH } from '../src/core/store/postgres/pgSearchStore';
import { LOAD_QUERIES } from './teamQueries';
import { arg, needArg } from './speed';

async function main(): Promise<void> {
  const embedder = await loadEmbedder(findDefaultModel()!);
  const root = path.resolve(arg('root') ?? 'bench/corpora/speed');
  const engine = await Engine.open({ roots: [root], indexDir: path.resolve(needArg('index-dir')), embedder });
  if (engine.chunkCount === 0) await engine.index();
  const store = TeamStore.connect(needArg('store'));
  const where = (h: { file: string; startLine: number }) => `${h.file}:${h.startLine}`;
  let overlap = 0, same = 0;
  for (const q of LOAD_QUERIES) {
    const a = (await engine.search(q, { k: 10, fixedK: true })).hits.map(where);
    const b = (await store.search({ repo: needArg('repo') }, q, { k: 10, fixedK: true }, embedder)).hits.map(where);
    overlap += a.filter((x) => b.includes(x)).length / Math.max(1, a.length);
    if (a.join() === b.join()) same++;
  }
  const out = { chunks: engine.chunkCount, efSearch: EF_SEARCH, queries: LOAD_QUERIES.length, meanOverlapAt10: +(overlap / LOAD_QUERIES.length).toFixed(4), sameOrder: same };
  process.stdout.write(JSON.stringify(out) + '\n');
  const file = arg('out') ?? '';
  if (file) fs.writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  await store.close();
  await engine.close();
  await embedder.dispose();
}

main().catch((e) => { process.stderr.write(`${(e as Error).stack}\n`); process.exit(1); });
