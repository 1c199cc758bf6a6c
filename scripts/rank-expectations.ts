// What the shipped ranking model predicts about a search log, measured on the
// same report packages as models/sift-rank/report.json (the 51 held-out
// packages neither the ranker nor the calibration saw): the distribution of the
// first result's calibrated relevance, the "nothing relevant" rate (answerable,
// no-answer and all queries), MRR@10 and where the first right hit lands. The
// drift monitor (src/core/learn/drift.ts) compares a workspace's own log with
// these. report.json lacks them; this reads the dataset the fit read.
//
//   npx tsx scripts/rank-expectations.ts [--data DIR,DIR] [--out models/sift-rank/expectations.json]
//
// Needs the rank dataset (npm run train:rank writes it under ~/.cache/sift-training).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FEATURE_COUNT } from '../src/core/rank/features';
import { shippedRankModel } from '../src/core/rank/model';
import { rankScores } from '../src/core/rank/ranker';
import { answerSize, relevance, relevanceInputs } from '../src/core/rank/relevance';
import { collapseOverlapping } from '../src/core/search/collapse';
import { EXPECTATIONS_FORMAT, type ModeExpectations, type ScoreSummary } from '../src/core/learn/drift';
import { summarizeScores } from '../src/core/learn/health';
import type { QueryRecord } from '../training/rank/dataset';
import { splitOf } from '../training/rank/fit';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const cache = path.join(os.homedir(), '.cache', 'sift-training');
const dataDirs = arg('data', `${cache}/rank-data-a,${cache}/rank-data-b`).split(',');
const out = arg('out', path.join(__dirname, '..', 'models', 'sift-rank', 'expectations.json'));
const model = shippedRankModel();

interface Query { rec: QueryRecord; probs: number[]; labels: number[] }

/** The report packages' queries, ranked, folded and calibrated as fit.ts does for the report. */
function load(dir: string): Query[] {
  const buf = fs.readFileSync(path.join(dir, 'features.f32'));
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const outq: Query[] = [];
  for (const line of fs.readFileSync(path.join(dir, 'queries.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const rec = JSON.parse(line) as QueryRecord;
    if (splitOf(rec.pkg) !== 'test') continue;
    const x = all.subarray(rec.row * FEATURE_COUNT, (rec.row + rec.n) * FEATURE_COUNT);
    const scores = rankScores(model.ranker, x, rec.n);
    const items = rec.spans.map((s, i) => ({ i, score: scores[i], span: s }));
    items.sort((a, b) => b.score - a.score || a.i - b.i);
    const kept = collapseOverlapping(items, (it) => ({ root: '0', file: rec.files[it.span[0]], startLine: it.span[1], endLine: it.span[2] }), 40);
    const probs = relevance(model.relevance[rec.mode], relevanceInputs(kept.map((k) => k.score), x, kept.map((k) => k.i)));
    outq.push({ rec, probs, labels: kept.map((k) => rec.labels[k.i]) });
  }
  return outq;
}

const r3 = (v: number) => Math.round(v * 1000) / 1000;
const rate = (xs: boolean[]) => (xs.length ? r3(xs.filter(Boolean).length / xs.length) : 0);

function forMode(qs: Query[]): ModeExpectations {
  const answerable = qs.filter((q) => q.rec.kind !== 'none');
  const none = qs.filter((q) => q.rec.kind === 'none');
  const top = (q: Query) => q.probs[0] ?? 0;
  const empty = (q: Query) => answerSize(q.probs, 10, model.threshold).noRelevant;
  const firstRight = answerable.map((q) => q.labels.findIndex((y) => y >= 1));
  const rankHistogram = new Array(11).fill(0);
  let rr = 0, inTop10 = 0;
  for (const i of firstRight) {
    if (i >= 0 && i < 10) { rankHistogram[i]++; rr += 1 / (i + 1); inTop10++; } else rankHistogram[10]++;
  }
  const scores = (xs: Query[]): ScoreSummary => summarizeScores(xs.map(top));
  return {
    queries: qs.length,
    answerable: answerable.length,
    noAnswer: none.length,
    topScore: scores(qs),
    topScoreAnswerable: scores(answerable),
    topScoreNoAnswer: scores(none),
    noRelevant: { all: rate(qs.map(empty)), answerable: rate(answerable.map(empty)), noAnswer: rate(none.map(empty)) },
    mrr10: r3(rr / answerable.length),
    mrr10GivenTop10: r3(rr / inTop10),
    firstRightInTop10: r3(inTop10 / answerable.length),
    firstRightRank: rankHistogram,
  };
}

const t0 = Date.now();
const queries = dataDirs.flatMap(load);
const pkgs = new Set(queries.map((q) => q.rec.pkg)).size;
const result = {
  format: EXPECTATIONS_FORMAT,
  ranker: model.version,
  threshold: model.threshold,
  data: `${pkgs} report packages of the rank dataset (the packages report.json scores); every query kind, in the dataset's mix`,
  modes: {
    hybrid: forMode(queries.filter((q) => q.rec.mode === 'hybrid')),
    keyword: forMode(queries.filter((q) => q.rec.mode === 'keyword')),
  },
};
fs.writeFileSync(out, JSON.stringify(result, null, 1) + '\n');
process.stderr.write(`wrote ${out} from ${queries.length} queries of ${pkgs} packages in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
console.log(JSON.stringify({ hybrid: { ...result.modes.hybrid, topScore: result.modes.hybrid.topScore }, keyword: { mrr10: result.modes.keyword.mrr10 } }, null, 1));
