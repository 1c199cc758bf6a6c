// The training side of the ranker (src/core/rank/ranker.ts is the inference
// side): the same function — linear part plus one tanh layer over standardised
// features — with its gradient, trained with a listwise softmax loss (ListNet
// with graded targets, as sentence-transformers' MultipleNegativesRankingLoss is
// a softmax over candidates) and Adam.
import { FEATURES } from '../../src/core/rank/features';
import { RANKER_FORMAT, type RankerWeights } from '../../src/core/rank/ranker';
import { mulberry32 } from '../train/random';

export interface Params { f: number; h: number; w1: Float64Array; b1: Float64Array; w2: Float64Array; lin: Float64Array; bias: number }

export function initParams(f: number, h: number, seed: number): Params {
  const r = mulberry32(seed);
  const w1 = new Float64Array(h * f).map(() => (r() - 0.5) * 2 / Math.sqrt(f));
  const w2 = new Float64Array(h).map(() => (r() - 0.5) * 0.2);
  return { f, h, w1, b1: new Float64Array(h), w2, lin: new Float64Array(f), bias: 0 };
}

/** Score of one standardised row; fills act (tanh outputs) when given, for the gradient. */
export function forward(p: Params, x: Float64Array, off: number, act?: Float64Array): number {
  let s = p.bias;
  for (let j = 0; j < p.f; j++) s += p.lin[j] * x[off + j];
  for (let k = 0; k < p.h; k++) {
    let a = p.b1[k];
    const row = k * p.f;
    for (let j = 0; j < p.f; j++) a += p.w1[row + j] * x[off + j];
    const t = Math.tanh(a);
    if (act) act[k] = t;
    s += p.w2[k] * t;
  }
  return s;
}

export interface ListExample { x: Float64Array; n: number; target: Float64Array }

/** Graded targets: gain 2^label − 1, normalised; null when the list has no positive. */
export function softTargets(labels: number[]): Float64Array | null {
  const t = new Float64Array(labels.map((l) => 2 ** l - 1));
  const sum = t.reduce((a, b) => a + b, 0);
  if (sum <= 0) return null;
  return t.map((v) => v / sum);
}

/** Adds d(loss)/d(params) of one list to g; returns the loss. */
function listGradient(p: Params, ex: ListExample, g: Params, act: Float64Array[]): number {
  const s = new Float64Array(ex.n);
  for (let i = 0; i < ex.n; i++) s[i] = forward(p, ex.x, i * p.f, act[i]);
  let max = -Infinity;
  for (const v of s) max = Math.max(max, v);
  let z = 0;
  for (let i = 0; i < ex.n; i++) z += Math.exp(s[i] - max);
  let loss = 0;
  for (let i = 0; i < ex.n; i++) {
    const prob = Math.exp(s[i] - max) / z;
    if (ex.target[i] > 0) loss -= ex.target[i] * Math.log(Math.max(prob, 1e-12));
    const d = prob - ex.target[i];
    if (d === 0) continue;
    g.bias += d;
    const off = i * p.f;
    for (let j = 0; j < p.f; j++) g.lin[j] += d * ex.x[off + j];
    for (let k = 0; k < p.h; k++) {
      const t = act[i][k];
      g.w2[k] += d * t;
      const da = d * p.w2[k] * (1 - t * t);
      g.b1[k] += da;
      const row = k * p.f;
      for (let j = 0; j < p.f; j++) g.w1[row + j] += da * ex.x[off + j];
    }
  }
  return loss;
}

const zerosLike = (p: Params): Params => ({ f: p.f, h: p.h, w1: new Float64Array(p.w1.length), b1: new Float64Array(p.h), w2: new Float64Array(p.h), lin: new Float64Array(p.f), bias: 0 });

export interface TrainOptions { epochs: number; lr: number; batch: number; l2: number; seed: number; log?: (m: string) => void }

export function train(p: Params, data: ListExample[], o: TrainOptions): Params {
  const r = mulberry32(o.seed);
  const m = zerosLike(p), v = zerosLike(p);
  const maxN = Math.max(...data.map((d) => d.n));
  const act = Array.from({ length: maxN }, () => new Float64Array(p.h));
  let step = 0;
  const b1 = 0.9, b2 = 0.999;
  const order = data.map((_, i) => i);
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
    let total = 0;
    for (let start = 0; start < order.length; start += o.batch) {
      const g = zerosLike(p);
      const idx = order.slice(start, start + o.batch);
      for (const i of idx) total += listGradient(p, data[i], g, act);
      step++;
      const lr = o.lr * Math.min(1, step / 50);
      const upd = (w: Float64Array, gw: Float64Array, mw: Float64Array, vw: Float64Array, decay: boolean) => {
        for (let j = 0; j < w.length; j++) {
          const gj = gw[j] / idx.length + (decay ? o.l2 * w[j] : 0);
          mw[j] = b1 * mw[j] + (1 - b1) * gj;
          vw[j] = b2 * vw[j] + (1 - b2) * gj * gj;
          w[j] -= lr * (mw[j] / (1 - b1 ** step)) / (Math.sqrt(vw[j] / (1 - b2 ** step)) + 1e-8);
        }
      };
      upd(p.w1, g.w1, m.w1, v.w1, true);
      upd(p.b1, g.b1, m.b1, v.b1, false);
      upd(p.w2, g.w2, m.w2, v.w2, true);
      upd(p.lin, g.lin, m.lin, v.lin, true);
      const gb = g.bias / idx.length;
      m.bias = b1 * m.bias + (1 - b1) * gb;
      v.bias = b2 * v.bias + (1 - b2) * gb * gb;
      p.bias -= lr * (m.bias / (1 - b1 ** step)) / (Math.sqrt(v.bias / (1 - b2 ** step)) + 1e-8);
    }
    o.log?.(`epoch ${epoch + 1}/${o.epochs}: loss ${(total / data.length).toFixed(4)}`);
  }
  return p;
}

const round = (a: ArrayLike<number>, d = 6) => Array.from(a, (v) => +v.toFixed(d));

/** The inference side's weights file for trained parameters and the standardisation they were trained with. */
export function toWeights(p: Params, mean: Float64Array, std: Float64Array): RankerWeights {
  return {
    format: RANKER_FORMAT, features: [...FEATURES], mean: round(mean), std: round(std),
    hidden: p.h, w1: round(p.w1), b1: round(p.b1), w2: round(p.w2), linear: round(p.lin), bias: +p.bias.toFixed(6),
  };
}

/** Parameters from a weights file (the reference scorer reads what ships). */
export function fromWeights(w: RankerWeights): { params: Params; mean: Float64Array; std: Float64Array } {
  return {
    params: { f: w.features.length, h: w.hidden, w1: Float64Array.from(w.w1), b1: Float64Array.from(w.b1), w2: Float64Array.from(w.w2), lin: Float64Array.from(w.linear), bias: w.bias },
    mean: Float64Array.from(w.mean), std: Float64Array.from(w.std),
  };
}
