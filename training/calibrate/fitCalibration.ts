// Fits the search's relevance calibration (src/core/search/calibrate.ts) on
// held-out packages, through the engine's own ranking code:
//   npx tsx training/calibrate/fitCalibration.ts --pairs DIR --model models/NAME [--packages 60] [--seed 1]
// Each held-out package becomes a small index of its units. A query searched
// in its own package has one right answer (its unit); the same query searched
// with that unit removed has none. Every shown hit is a labelled example
// (relevant or not) with the evidence the engine computes; a logistic
// regression over that evidence gives the calibration parameters.
import * as path from 'node:path';
import { loadEmbedder, type Embedder } from '../../src/core/embed/embedder';
import { KeywordIndex } from '../../src/core/keyword/keywordIndex';
import type { StoredChunk } from '../../src/core/persist/indexStore';
import { ChunkTable } from '../../src/core/persist/chunkTable';
import { type CalibrationParams, DEFAULT_CALIBRATION } from '../../src/core/search/calibrate';
import { runSearch } from '../../src/core/search/search';
import { VectorStore } from '../../src/core/vector/vectorStore';
import { docPairFiles, isTestPackage, readPairs, type Pair } from '../train/data';
import { mulberry32 } from '../train/random';

interface Example { x: number[]; y: number }

function arg(name: string, dflt?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}


/** Plain batch gradient descent on the logistic loss (few features, thousands of rows). */
export function fitLogistic(data: Example[], iters = 3000, lr = 0.5, l2 = 1e-4): number[] {
  const d = data[0].x.length;
  const w = new Array(d + 1).fill(0);
  for (let it = 0; it < iters; it++) {
    const g = new Array(d + 1).fill(0);
    for (const { x, y } of data) {
      let z = w[d];
      for (let j = 0; j < d; j++) z += w[j] * x[j];
      const p = 1 / (1 + Math.exp(-z));
      for (let j = 0; j < d; j++) g[j] += (p - y) * x[j];
      g[d] += p - y;
    }
    for (let j = 0; j <= d; j++) w[j] -= lr * (g[j] / data.length + (j < d ? l2 * w[j] : 0));
  }
  return w;
}

/**
 * The bias b for which "sigmoid(b + slopes·x) ≥ threshold" best separates positives from
 * negatives (balanced accuracy), searched over the midpoints between sorted scores.
 */
export function bestBias(data: Example[], slopes: number[], threshold: number): { bias: number; balancedAccuracy: number; tpr: number; tnr: number } {
  const logit = Math.log(threshold / (1 - threshold));
  const scored = data.map((e) => ({ s: e.x.reduce((acc, v, j) => acc + v * slopes[j], 0), y: e.y })).sort((a, b) => a.s - b.s);
  const pos = scored.filter((e) => e.y === 1).length;
  const neg = scored.length - pos;
  if (pos === 0 || neg === 0) throw new Error('bestBias: needs positives and negatives');
  // Passing = score ≥ cut. Start with every query passing, then move the cut up past each score.
  let tp = pos, tn = 0;
  let best = { cut: scored[0].s - 1, acc: 0.5, tpr: 1, tnr: 0 };
  for (let i = 0; i < scored.length; i++) {
    if (scored[i].y === 1) tp--; else tn++;
    if (i + 1 < scored.length && scored[i + 1].s === scored[i].s) continue;
    const acc = (tp / pos + tn / neg) / 2;
    const cut = i + 1 < scored.length ? (scored[i].s + scored[i + 1].s) / 2 : scored[i].s + 1;
    if (acc > best.acc) best = { cut, acc, tpr: tp / pos, tnr: tn / neg };
  }
  return { bias: logit - best.cut, balancedAccuracy: best.acc, tpr: best.tpr, tnr: best.tnr };
}

async function buildContext(units: Pair[], embedder: Embedder) {
  const records: StoredChunk[] = [];
  const texts = new Map<number, string>();
  const keyword = new KeywordIndex();
  const vectors = new VectorStore(embedder.dim);
  units.forEach((u, key) => {
    const c: StoredChunk = {
      key, root: 0, file: `${u.file}#${key}`, startLine: 1, endLine: 1, declLine: 1, kind: 'function',
      name: u.name ?? '', language: 'text', signature: '', context: [], text: { offset: 0, length: 0 },
    };
    records.push(c);
    texts.set(key, u.code);
    keyword.add(key, { name: c.name, signature: '', text: u.code });
  });
  const vecs = await embedder.embed(units.map((u) => u.code));
  vectors.upsertMany(units.map((_, i) => i), vecs);
  /** The chunks, or all but one (a query whose answer is not in the index). */
  const chunksWithout = (skip: number | null): ChunkTable => {
    const t = new ChunkTable();
    for (const c of records) if (c.key !== skip) t.add(c);
    return t;
  };
  return { chunksWithout, texts, keyword, vectors };
}

async function main(): Promise<void> {
  const pairsDir = arg('pairs');
  const modelDir = arg('model');
  if (!pairsDir || !modelDir) throw new Error('usage: fitCalibration --pairs DIR --model DIR [--packages N] [--seed S]');
  const maxPackages = Number(arg('packages', '60'));
  const random = mulberry32(Number(arg('seed', '1')));
  const embedder = await loadEmbedder(path.resolve(modelDir));

  // held-out packages only (the same split as training), doc pairs only
  const byPkg = new Map<string, Pair[]>();
  const files = docPairFiles([pairsDir]);
  for await (const p of readPairs(files)) {
    if (!isTestPackage(p.pkg)) continue;
    let list = byPkg.get(p.pkg);
    if (!list) { list = []; byPkg.set(p.pkg, list); }
    if (list.length < 400) list.push(p);
  }
  const pkgs = [...byPkg.entries()].filter(([, l]) => l.length >= 30).sort(() => random() - 0.5).slice(0, maxPackages);
  process.stderr.write(`calibrating on ${pkgs.length} held-out packages\n`);

  const hybrid: Example[] = [];
  const keywordOnly: Example[] = [];
  // Query level: the best hit's evidence, and whether the query's answer was in the index.
  const bestHybrid: Example[] = [];
  let answered = 0, trials = 0;
  for (const [, units] of pkgs) {
    const ctx = await buildContext(units, embedder);
    const queries = units.map((u, i) => ({ u, i })).sort(() => random() - 0.5).slice(0, 15);
    for (const { u, i } of queries) {
      for (const withAnswer of [true, false]) {
        for (const semantic of [true, false]) {
          const allowed = withAnswer ? null : i;
          const res = await runSearch({
            chunks: ctx.chunksWithout(allowed),
            keyword: ctx.keyword, vectors: semantic ? ctx.vectors : null, embedder: semantic ? embedder : null,
            readText: (c) => ctx.texts.get(c.key) ?? '', roots: [''], partial: false,
          }, u.q, { k: 10, fixedK: true, debugEvidence: true });
          const ev = (res as typeof res & { evidence: Array<{ key: number; cos?: number; cov: number; name: number }> }).evidence;
          for (const e of ev.slice(0, 5)) {
            const y = withAnswer && e.key === i ? 1 : 0;
            if (semantic) hybrid.push({ x: [e.cos ?? 0, e.cov, e.name], y });
            else keywordOnly.push({ x: [e.cov, e.name], y });
          }
          if (semantic && withAnswer) { trials++; if (ev[0]?.key === i) answered++; }
          if (semantic && ev[0]) bestHybrid.push({ x: [ev[0].cos ?? 0, ev[0].cov, ev[0].name], y: withAnswer ? 1 : 0 });
        }
      }
    }
  }
  const wh = fitLogistic(hybrid);
  const wk = fitLogistic(keywordOnly);
  // The per-hit fit gives the slopes but learns "is this the one labelled unit", not "is anything
  // here relevant". The level comes from the query-level question the answer size asks: with the
  // per-hit slopes, the bias that best separates queries whose answer is in the index from the same
  // queries with it removed (balanced accuracy of "best hit at or above the threshold").
  const level = bestBias(bestHybrid, wh.slice(0, 3), DEFAULT_CALIBRATION.threshold);
  const params: CalibrationParams = {
    ...DEFAULT_CALIBRATION,
    hybrid: { cosine: +wh[0].toFixed(2), coverage: +wh[1].toFixed(2), name: +wh[2].toFixed(2), bias: +level.bias.toFixed(2) },
    keyword: { coverage: +wk[0].toFixed(2), name: +wk[1].toFixed(2), bias: +wk[2].toFixed(2) },
  };
  console.log(JSON.stringify({
    packages: pkgs.length, examples: { hybrid: hybrid.length, keyword: keywordOnly.length },
    positives: { hybrid: hybrid.filter((e) => e.y).length, keyword: keywordOnly.filter((e) => e.y).length },
    top1Accuracy: +(answered / Math.max(1, trials)).toFixed(3),
    perHitBias: +wh[3].toFixed(2),
    answerPresence: { queries: bestHybrid.length, balancedAccuracy: +level.balancedAccuracy.toFixed(3), answeredKept: +level.tpr.toFixed(3), unansweredCut: +level.tnr.toFixed(3) },
    params,
  }, null, 1));
  await embedder.dispose();
}

if (require.main === module) main().catch((e) => { console.error(e); process.exit(1); });
