// Fits the shipped ranking model from a dataset made by dataset.ts: the ranker
// on one part of the held-out packages, the relevance calibration and the
// answer threshold on a second, and reports everything on a third that neither
// saw (MRR@10 against the previous hand-set fusion, the reliability curve, ECE).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FEATURE_COUNT, FEATURES } from '../../src/core/rank/features';
import type { RankModel } from '../../src/core/rank/model';
import { answerSize, relevance, relevanceInputs } from '../../src/core/rank/relevance';
import { collapseOverlapping } from '../../src/core/search/collapse';
import { fnv1a32 } from '../../src/core/embed/tokenizer';
import { mix32 } from '../train/random';
import { fitLogistic, reliability, toRelevance } from './calibration';
import type { QueryRecord } from './dataset';
import { forward, fromWeights, initParams, type ListExample, softTargets, toWeights, train } from './mlp';

export interface FitOptions {
  data: string; out: string; report: string; hidden: number; epochs: number; lr: number; seed: number; version: string;
  /** Reuse the ranker of this model file (refit only calibration and threshold). */
  rankerFrom?: string;
}

type Split = 'train' | 'calib' | 'test';
/** A package's part: a pure function of its name (60 / 20 / 20). */
export function splitOf(pkg: string): Split {
  const h = mix32(fnv1a32(`rank\u0000${pkg}`)) % 100;
  return h < 60 ? 'train' : h < 80 ? 'calib' : 'test';
}

interface Loaded { rec: QueryRecord; x: Float32Array }

function load(dir: string): Loaded[] {
  const buf = fs.readFileSync(path.join(dir, 'features.f32'));
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  return fs.readFileSync(path.join(dir, 'queries.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => {
    const rec = JSON.parse(l) as QueryRecord;
    return { rec, x: all.subarray(rec.row * FEATURE_COUNT, (rec.row + rec.n) * FEATURE_COUNT) };
  });
}

const F = (name: typeof FEATURES[number]) => FEATURES.indexOf(name);

/** The hand-set score fusion this ranker replaces (search/fusion.ts before it), from the same features. */
function fusionScore(x: Float32Array, off: number): number {
  const semantic = x[off + F('semantic_mode')] === 1;
  const ident = x[off + F('q_identifier')] === 1;
  const w = !semantic ? { s: 0, k: 1, n: 1.5 } : ident ? { s: 0.5, k: 1, n: 1.5 } : { s: 1, k: 0.5, n: 1 };
  return w.s * x[off + F('z_cos')] + w.k * x[off + F('z_bm25')] + w.n * x[off + F('name_exact')];
}

interface Ranked { scores: number[]; labels: number[]; rows: number[] }

/** A query's candidates ranked by a scorer and folded like the engine folds them (top 40). */
function rankList(l: Loaded, score: (x: Float32Array, off: number) => number): Ranked {
  const items = l.rec.spans.map((s, i) => ({ i, score: score(l.x, i * FEATURE_COUNT), span: s }));
  items.sort((a, b) => b.score - a.score || a.i - b.i);
  const kept = collapseOverlapping(items, (it) => ({ root: '0', file: l.rec.files[it.span[0]], startLine: it.span[1], endLine: it.span[2] }), 40);
  return { scores: kept.map((k) => k.score), labels: kept.map((k) => l.rec.labels[k.i]), rows: kept.map((k) => k.i) };
}

const mrr10 = (r: Ranked) => { const i = r.labels.findIndex((y) => y >= 1); return i >= 0 && i < 10 ? 1 / (i + 1) : 0; };
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const r3 = (v: number) => +v.toFixed(3);

export function fit(o: FitOptions): void {
  const log = (m: string) => process.stderr.write(`[rank-fit] ${m}\n`);
  const data = o.data.split(',').flatMap(load);
  const parts = { train: [] as Loaded[], calib: [] as Loaded[], test: [] as Loaded[] };
  for (const l of data) parts[splitOf(l.rec.pkg)].push(l);
  const pkgCount = (ls: Loaded[]) => new Set(ls.map((l) => l.rec.pkg)).size;
  log(`${data.length} lists; packages train ${pkgCount(parts.train)}, calib ${pkgCount(parts.calib)}, test ${pkgCount(parts.test)}`);

  // standardisation over the training rows
  const mean64 = new Float64Array(FEATURE_COUNT), std64 = new Float64Array(FEATURE_COUNT);
  let rows = 0;
  for (const l of parts.train) for (let i = 0; i < l.rec.n; i++) { rows++; for (let j = 0; j < FEATURE_COUNT; j++) mean64[j] += l.x[i * FEATURE_COUNT + j]; }
  mean64.forEach((v, j) => { mean64[j] = v / rows; });
  for (const l of parts.train) for (let i = 0; i < l.rec.n; i++) for (let j = 0; j < FEATURE_COUNT; j++) std64[j] += (l.x[i * FEATURE_COUNT + j] - mean64[j]) ** 2;
  std64.forEach((v, j) => { const s = Math.sqrt(v / rows); std64[j] = s > 1e-3 ? s : 1; });

  const examples: ListExample[] = [];
  for (const l of parts.train) {
    const target = softTargets(l.rec.labels);
    if (!target) continue;
    const x = new Float64Array(l.rec.n * FEATURE_COUNT);
    for (let i = 0; i < x.length; i++) x[i] = (l.x[i] - mean64[i % FEATURE_COUNT]) / std64[i % FEATURE_COUNT];
    examples.push({ x, n: l.rec.n, target });
  }
  log(`training on ${examples.length} lists with an answer among the candidates`);
  const weights = o.rankerFrom
    ? (JSON.parse(fs.readFileSync(o.rankerFrom, 'utf8')) as RankModel).ranker
    : toWeights(train(initParams(FEATURE_COUNT, o.hidden, o.seed), examples, { epochs: o.epochs, lr: o.lr, batch: 32, l2: 1e-4, seed: o.seed, log }), mean64, std64);
  const ref = fromWeights(weights);
  const xn = new Float64Array(FEATURE_COUNT);
  const rankerScore = (x: Float32Array, off: number) => {
    for (let j = 0; j < FEATURE_COUNT; j++) xn[j] = (x[off + j] - ref.mean[j]) / ref.std[j];
    return forward(ref.params, xn, 0);
  };

  // relevance on the calibration packages: each mode its own fit
  const rel = {} as RankModel['relevance'];
  for (const mode of ['hybrid', 'keyword'] as const) {
    const ex = parts.calib.filter((l) => l.rec.mode === mode).flatMap((l) => {
      const r = rankList(l, rankerScore);
      return relevanceInputs(r.scores, l.x, r.rows).slice(0, 10).map((x, i) => ({ x, y: r.labels[i] >= 1 ? 1 : 0 }));
    });
    rel[mode] = toRelevance(fitLogistic(ex));
    log(`relevance ${mode}: ${JSON.stringify(rel[mode])} from ${ex.length} hits`);
  }

  // the threshold: on the calibration packages, the best F1 of answer recall (an answerable query's
  // answer holds a right hit in its first 5) and answer precision (right hits among all hits shown,
  // a no-answer query's hits all wrong): the standard balance for a returned set.
  const answerStats = (ls: Loaded[], threshold: number) => {
    let recall = 0, answerable = 0, returned = 0, right = 0, none = 0, noneEmpty = 0, noneShown = 0, mrr = 0;
    for (const l of ls) {
      const r = rankList(l, rankerScore);
      const probs = relevance(rel[l.rec.mode], relevanceInputs(r.scores, l.x, r.rows));
      const size = answerSize(probs, 10, threshold).size;
      if (l.rec.kind === 'none') { none++; if (size === 0) noneEmpty++; noneShown += size; continue; }
      answerable++;
      const shown = r.labels.slice(0, size);
      returned += shown.length;
      right += shown.filter((y) => y >= 1).length;
      const first = shown.findIndex((y) => y >= 1);
      if (first >= 0 && first < 5) recall++;
      if (first >= 0) mrr += 1 / (first + 1);
    }
    const precision = returned ? right / returned : 0;
    const answerPrecision = returned + noneShown ? right / (returned + noneShown) : 0;
    const recallAt5 = recall / answerable;
    const noAnswerEmpty = none ? noneEmpty / none : 0;
    const f1 = answerPrecision + recallAt5 > 0 ? 2 * answerPrecision * recallAt5 / (answerPrecision + recallAt5) : 0;
    return { threshold, f1, answerPrecision, recallAt5, precision, noAnswerEmpty, mrr10: mrr / answerable, returnedPerQuery: returned / answerable };
  };
  const hybridCalib = parts.calib.filter((l) => l.rec.mode === 'hybrid');
  const sweep = Array.from({ length: 19 }, (_, i) => answerStats(hybridCalib, (i + 1) / 20));
  const best = sweep.reduce((a, b) => (b.f1 > a.f1 ? b : a));
  log(`threshold ${best.threshold}: ${JSON.stringify(best)}`);

  // the report, on the test packages only
  const report: Record<string, unknown> = { packages: { train: pkgCount(parts.train), calib: pkgCount(parts.calib), test: pkgCount(parts.test) }, lists: data.length };
  const mrrTable: Record<string, { n: number; ranker: number; fusion: number }> = {};
  for (const mode of ['hybrid', 'keyword'] as const) {
    for (const kind of ['all', 'doc', 'inline', 'name', 'prefix', 'words', 'qualified', 'name+body', 'abbrev', 'tests']) {
      const ls = parts.test.filter((l) => l.rec.mode === mode && l.rec.kind !== 'none' && (kind === 'all' || l.rec.kind === kind));
      if (!ls.length) continue;
      mrrTable[`${mode} ${kind}`] = { n: ls.length, ranker: r3(mean(ls.map((l) => mrr10(rankList(l, rankerScore))))), fusion: r3(mean(ls.map((l) => mrr10(rankList(l, fusionScore))))) };
    }
  }
  report.mrr10 = mrrTable;
  const relTest: Record<string, unknown> = {};
  for (const mode of ['hybrid', 'keyword'] as const) {
    const all: { p: number; y: number }[] = [];
    const top: { p: number; y: number }[] = [];
    for (const l of parts.test.filter((x) => x.rec.mode === mode)) {
      const r = rankList(l, rankerScore);
      const probs = relevance(rel[mode], relevanceInputs(r.scores, l.x, r.rows)).slice(0, 10);
      probs.forEach((p, i) => { all.push({ p, y: r.labels[i] >= 1 ? 1 : 0 }); if (i === 0) top.push({ p, y: r.labels[i] >= 1 ? 1 : 0 }); });
    }
    const a = reliability(all), t = reliability(top);
    relTest[mode] = {
      shownHits: { n: a.n, ece: r3(a.ece), curve: a.curve.map((b) => ({ bin: `${b.from.toFixed(1)}–${b.to.toFixed(1)}`, n: b.n, meanP: r3(b.meanP), observed: r3(b.observed) })) },
      topHit: { n: t.n, ece: r3(t.ece) },
    };
  }
  report.reliability = relTest;
  report.threshold = { chosen: best.threshold, calibSweep: sweep.map((s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, r3(v as number)]))) };
  const testAnswer: Record<string, unknown> = {};
  for (const mode of ['hybrid', 'keyword'] as const) {
    const s = answerStats(parts.test.filter((l) => l.rec.mode === mode), best.threshold);
    testAnswer[mode] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, r3(v as number)]));
  }
  report.testAnswer = testAnswer;

  const model: RankModel = { version: o.version, ranker: weights, relevance: rel, threshold: best.threshold };
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  fs.writeFileSync(o.out, JSON.stringify(model) + '\n');
  fs.writeFileSync(o.report, JSON.stringify(report, null, 1) + '\n');
  log(`wrote ${o.out} and ${o.report}`);
  console.log(JSON.stringify({ mrr10: mrrTable, testAnswer, ece: Object.fromEntries(Object.entries(relTest).map(([k, v]) => [k, (v as { shownHits: { ece: number } }).shownHits.ece])) }, null, 1));
}
