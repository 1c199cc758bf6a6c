// npm run train:rank — build the ranker's dataset from held-out training packages,
// then fit the ranker, the relevance calibration and the threshold, writing
// models/sift-rank/ranker.json and its report (models/sift-rank/report.json).
//   npx tsx training/rank/cli.ts data [--sources DIR] [--pairs DIR] [--model DIR] [--out DIR] [--packages N] [--shard I/N] [--skip-built DIR,…]
//   npx tsx training/rank/cli.ts fit  [--data DIR[,DIR…]] [--out FILE] [--report FILE] [--hidden H] [--epochs E] [--ranker-from FILE]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { buildDataset } from './dataset';
import { fit } from './fit';

/** Packages a dataset folder already holds. */
function builtPackages(dir: string): string[] {
  const lines = fs.readFileSync(path.join(dir, 'queries.jsonl'), 'utf8').split('\n').filter(Boolean);
  return [...new Set(lines.map((l) => (JSON.parse(l) as { pkg: string }).pkg))];
}

const cache = path.join(os.homedir(), '.cache', 'sift-training');
const repo = path.resolve(__dirname, '..', '..');

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      sources: { type: 'string', default: path.join(cache, 'sources') },
      pairs: { type: 'string', default: path.join(cache, 'pairs') },
      model: { type: 'string', default: path.join(repo, 'models', 'sift-distill-256') },
      data: { type: 'string', default: path.join(cache, 'rank-data') },
      out: { type: 'string' },
      report: { type: 'string', default: path.join(repo, 'models', 'sift-rank', 'report.json') },
      packages: { type: 'string', default: '150' },
      seed: { type: 'string', default: '1' },
      hidden: { type: 'string', default: '16' },
      epochs: { type: 'string', default: '25' },
      lr: { type: 'string', default: '0.005' },
      version: { type: 'string', default: '1.0.0' },
      shard: { type: 'string', default: '0/1' },
      'ranker-from': { type: 'string' },
      'skip-built': { type: 'string' },
    },
  });
  if (cmd === 'data') {
    await buildDataset({
      sources: values.sources!, pairs: [values.pairs!], model: values.model!, out: values.out ?? values.data!,
      packages: Number(values.packages), seed: Number(values.seed), docQueries: 20, inlineQueries: 8, nameQueries: 12, noAnswerQueries: 8,
      maxFiles: 3000, stage: path.join(cache, `rank-stage-${values.shard!.replace('/', 'of')}`),
      shard: { index: Number(values.shard!.split('/')[0]), count: Number(values.shard!.split('/')[1]) },
      skip: new Set((values['skip-built'] ?? '').split(',').filter(Boolean).flatMap((d) => builtPackages(d))),
    });
  } else if (cmd === 'fit') {
    fit({
      data: values.data!, out: values.out ?? path.join(repo, 'models', 'sift-rank', 'ranker.json'), report: values.report!,
      hidden: Number(values.hidden), epochs: Number(values.epochs), lr: Number(values.lr), seed: Number(values.seed), version: values.version!,
      rankerFrom: values['ranker-from'],
    });
  } else {
    throw new Error('usage: training/rank/cli.ts data|fit [options] (see the file header)');
  }
}

main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
