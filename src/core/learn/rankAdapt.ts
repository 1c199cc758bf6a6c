// The ranking side of a workspace adaptation: a correction to the shipped
// ranker's linear weights, fitted to what people opened here (a listwise
// softmax over each query's real candidates, the opened unit as the target),
// pulled toward zero. A few dozen numbers: it learns this workspace's habits —
// how much its doc words restate its names, whether tests or examples are
// wanted, how far the meaning side can be trusted — not its vocabulary.
import { FEATURE_COUNT } from '../rank/features';
import { type RankModel, shippedRankModel } from '../rank/model';
import type { Adapter } from './adapter';
import { rankScores, type RankerWeights } from '../rank/ranker';
import type { FeaturizedCandidates } from '../search/search';

export interface RankLesson {
  fc: FeaturizedCandidates;
  /** Candidate rows that are the answer. */
  positives: number[];
  weight: number;
}

export interface RankFitOptions {
  iterations?: number;
  lr?: number;
  l2?: number;
}

/** The shipped model with `delta` added to the ranker's linear weights (on standardised features). */
export function withRankDelta(model: RankModel, delta: ArrayLike<number> | undefined): RankModel {
  if (!delta) return model;
  const linear = model.ranker.linear.map((w, j) => w + (delta[j] ?? 0));
  const ranker: RankerWeights = { ...model.ranker, linear };
  return { ...model, ranker };
}

/** Fits the linear correction by full-batch Adam on the lessons; `start` continues an earlier one. */
export function fitRankDelta(model: RankModel, lessons: RankLesson[], start: ArrayLike<number> | undefined, o: RankFitOptions = {}): Float64Array {
  const f = FEATURE_COUNT;
  const iterations = o.iterations ?? 200;
  const lr = o.lr ?? 0.01;
  const l2 = o.l2 ?? 0.05;
  const { mean, std } = model.ranker;
  const delta = new Float64Array(f);
  if (start) for (let j = 0; j < f; j++) delta[j] = start[j];
  // per lesson: the shipped scores (fixed) and the standardised features
  const data = lessons.filter((l) => l.positives.length > 0).map((l) => {
    const n = l.fc.keys.length;
    const base = rankScores(model.ranker, l.fc.features, n);
    const z = new Float64Array(n * f);
    for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) z[i * f + j] = (l.fc.features[i * f + j] - mean[j]) / std[j];
    // the shipped ranker already includes the linear weights; only delta is added
    return { n, base, z, pos: l.positives, w: l.weight };
  });
  if (data.length === 0) return delta;
  const m = new Float64Array(f), v = new Float64Array(f), g = new Float64Array(f);
  const totalW = data.reduce((s, d) => s + d.w, 0);
  for (let it = 1; it <= iterations; it++) {
    g.fill(0);
    for (const d of data) {
      const s = new Float64Array(d.n);
      let max = -Infinity;
      for (let i = 0; i < d.n; i++) {
        let acc = d.base[i];
        for (let j = 0; j < f; j++) acc += delta[j] * d.z[i * f + j];
        s[i] = acc;
        if (acc > max) max = acc;
      }
      let zsum = 0;
      for (let i = 0; i < d.n; i++) { s[i] = Math.exp(s[i] - max); zsum += s[i]; }
      const share = 1 / d.pos.length;
      const target = new Float64Array(d.n);
      for (const p of d.pos) target[p] += share;
      for (let i = 0; i < d.n; i++) {
        const r = (s[i] / zsum - target[i]) * (d.w / totalW);
        if (r === 0) continue;
        for (let j = 0; j < f; j++) g[j] += r * d.z[i * f + j];
      }
    }
    for (let j = 0; j < f; j++) {
      const gj = g[j] + l2 * delta[j];
      m[j] = 0.9 * m[j] + 0.1 * gj;
      v[j] = 0.999 * v[j] + 0.001 * gj * gj;
      delta[j] -= (lr * (m[j] / (1 - Math.pow(0.9, it)))) / (Math.sqrt(v[j] / (1 - Math.pow(0.999, it))) + 1e-8);
    }
  }
  return delta;
}

const adaptedModels = new WeakMap<Adapter, RankModel>();

/** The shipped ranking model as this adaptation corrects it (the same object per adapter, so the ranker compiles once). */
export function adaptedRankModel(a: Adapter): RankModel {
  let m = adaptedModels.get(a);
  if (!m) { m = withRankDelta(shippedRankModel(), a.rankDelta); adaptedModels.set(a, m); }
  return m;
}
