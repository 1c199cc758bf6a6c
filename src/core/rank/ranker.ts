// The learned ranker: a linear model plus a small tanh layer over standardised
// features (features.ts), scoring every fused candidate of a query. Trained by
// training/rank on held-out packages' real candidate lists; the weights ship in
// models/sift-rank/ranker.json. Inference is a few thousand multiply-adds per
// candidate, well under a millisecond for a query's ~200 candidates.
import { FEATURE_COUNT, FEATURES } from './features';

export const RANKER_FORMAT = 'sift-ranker/1';

export interface RankerWeights {
  format: typeof RANKER_FORMAT;
  /** Feature names in column order; must equal features.ts FEATURES. */
  features: string[];
  /** Standardisation: x' = (x − mean) / std. */
  mean: number[];
  std: number[];
  /** Hidden units H; w1 is H × features, row-major. */
  hidden: number;
  w1: number[];
  b1: number[];
  w2: number[];
  /** The linear part, one weight per feature, and the bias. */
  linear: number[];
  bias: number;
}

/** Reject a weights file that does not fit this build's features: a silent mismatch would rank garbage. */
export function checkRanker(w: RankerWeights): RankerWeights {
  const f = FEATURE_COUNT;
  const problems: string[] = [];
  if (w.format !== RANKER_FORMAT) problems.push(`format ${String(w.format)}, expected ${RANKER_FORMAT}`);
  if (!Array.isArray(w.features) || w.features.join(',') !== FEATURES.join(',')) problems.push('feature list differs from this build');
  const len = (name: string, a: unknown, n: number) => { if (!Array.isArray(a) || a.length !== n || a.some((v) => typeof v !== 'number' || !Number.isFinite(v))) problems.push(`${name}: expected ${n} finite numbers`); };
  len('mean', w.mean, f);
  len('std', w.std, f);
  len('w1', w.w1, w.hidden * f);
  len('b1', w.b1, w.hidden);
  len('w2', w.w2, w.hidden);
  len('linear', w.linear, f);
  if (!Number.isFinite(w.bias)) problems.push('bias is not a number');
  if (problems.length) throw new Error(`ranker weights unusable: ${problems.join('; ')}`);
  return w;
}

/** The weights with the standardisation folded in, hidden weights feature-major: compiled once per weights object. */
interface Compiled { lin: Float64Array; bias: number; w1t: Float64Array; b1: Float64Array; w2: Float64Array; hidden: number }
const compiledCache = new WeakMap<RankerWeights, Compiled>();

function compile(w: RankerWeights): Compiled {
  const f = FEATURE_COUNT;
  const h = w.hidden;
  // w·((x − mean) / std) = (w / std)·x − Σ w·mean / std
  const lin = new Float64Array(f);
  let bias = w.bias;
  for (let j = 0; j < f; j++) { lin[j] = w.linear[j] / w.std[j]; bias -= lin[j] * w.mean[j]; }
  const w1t = new Float64Array(f * h);
  const b1 = Float64Array.from(w.b1);
  for (let k = 0; k < h; k++) {
    for (let j = 0; j < f; j++) { const v = w.w1[k * f + j] / w.std[j]; w1t[j * h + k] = v; b1[k] -= v * w.mean[j]; }
  }
  return { lin, bias, w1t, b1, w2: Float64Array.from(w.w2), hidden: h };
}

/** Scores for n candidates whose feature rows are in x (n × FEATURE_COUNT). */
export function rankScores(w: RankerWeights, x: Float32Array, n: number): Float64Array {
  let c = compiledCache.get(w);
  if (!c) { c = compile(w); compiledCache.set(w, c); }
  const f = FEATURE_COUNT;
  const h = c.hidden;
  const out = new Float64Array(n);
  const acc = new Float64Array(h);
  for (let i = 0; i < n; i++) {
    const base = i * f;
    let s = c.bias;
    acc.set(c.b1);
    // feature-major: most features of a candidate are zero (one-hot kinds, shapes, paths), skip them
    for (let j = 0; j < f; j++) {
      const v = x[base + j];
      if (v === 0) continue;
      s += c.lin[j] * v;
      const row = j * h;
      for (let k = 0; k < h; k++) acc[k] += c.w1t[row + k] * v;
    }
    for (let k = 0; k < h; k++) s += c.w2[k] * Math.tanh(acc[k]);
    out[i] = s;
  }
  return out;
}
