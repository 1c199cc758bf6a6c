// Fitting the query-side deltas (adapter.ts) to examples of "this query means
// this chunk": a softmax over the positive and its negatives (cosine ×
// temperature, as the model was trained), weighted per example, with the
// deltas pulled toward zero (the shipped model) by an L2 penalty. Sparse Adam:
// only the subtokens the examples' queries use have deltas. Plain loops over
// Float32Arrays; bounded by a time budget as well as by epochs.
import type { EmbeddingBagKernel } from '../embed/embeddingBag';
import { type Adapter, cloneAdapter } from './adapter';
import { yieldNow } from './yieldNow';
import { mulberry32, shuffleInPlace } from '../random';

export interface TrainExample {
  query: string;
  /** The right chunk's vector (unit length). */
  positive: Float32Array;
  /** Vectors of chunks that are not the answer (unit length), hardest first. */
  negatives: Float32Array[];
  /** Per-negative weights on the softmax's logit side are not needed; the example as a whole is weighted. */
  weight: number;
}

export interface FineTuneOptions {
  epochs?: number;
  /** Adam step size. */
  lr?: number;
  /** Pull of every delta toward zero (per step, on the gradient). */
  l2?: number;
  /** Softmax temperature on cosine (the shipped model trained at ~20). */
  temperature?: number;
  /** Stop after this much time (ms), whatever the epoch. */
  maxMs?: number;
  seed?: number;
  /** Yield to the event loop every this many examples (a worker keeps answering searches). */
  yieldEvery?: number;
  /** What is fitted: per-subtoken deltas, a linear map of the pooled query, or both (default 'deltas'). */
  mode?: 'deltas' | 'linear' | 'both';
  /** Step size of the linear map (default lr). */
  linearLr?: number;
  /**
   * Only subtokens used by at least this many distinct queries get a delta
   * (default 3): a word of a single query can only memorise that query.
   */
  minQueries?: number;
}

export interface FineTuneReport {
  epochs: number;
  steps: number;
  ms: number;
  /** Mean weighted loss of the first and last epoch. */
  firstLoss: number;
  lastLoss: number;
  subtokens: number;
  stoppedByTime: boolean;
}

const DEFAULTS: Required<Omit<FineTuneOptions, 'seed'>> & { seed: number } = {
  epochs: 20, lr: 0.01, l2: 0.01, temperature: 20, maxMs: 30_000, seed: 1, yieldEvery: 64, mode: 'deltas', linearLr: NaN, minQueries: 3,
};


interface Slot { m: Float32Array; v: Float32Array; t: number }

/** Trains a copy of `start` on the examples; the input adapter is not changed. */
export async function fineTuneQueryDeltas(
  bag: EmbeddingBagKernel, examples: TrainExample[], start: Adapter, options: FineTuneOptions = {},
): Promise<{ adapter: Adapter; report: FineTuneReport }> {
  const o = { ...DEFAULTS, ...options };
  const adapter = cloneAdapter(start);
  const dim = adapter.dim;
  const t0 = Date.now();
  const bags = examples.map((e) => [...bag.bagOf(e.query)]);
  const queriesOf = new Map<string, Set<string>>();
  examples.forEach((e, i) => { for (const [s] of bags[i]) { let q = queriesOf.get(s); if (!q) queriesOf.set(s, (q = new Set())); q.add(e.query.toLowerCase()); } });
  const trainable = (s: string) => (queriesOf.get(s)?.size ?? 0) >= o.minQueries;
  const base = new Map<string, Float32Array | null>();
  for (const b of bags) for (const [s] of b) if (!base.has(s)) base.set(s, bag.subtokenVectorCopy(s));
  const slots = new Map<string, Slot>();
  const u = new Float64Array(dim);
  const uh = new Float64Array(dim);
  const w = new Float64Array(dim);
  const gq = new Float64Array(dim);
  const gw = new Float64Array(dim);
  const gu = new Float64Array(dim);
  const fitDeltas = o.mode !== 'linear';
  if (o.mode !== 'deltas' && !adapter.linear) adapter.linear = new Float32Array(dim * dim);
  const A = o.mode !== 'deltas' ? adapter.linear! : adapter.linear ?? null;
  const Am = o.mode !== 'deltas' ? new Float32Array(dim * dim) : null;
  const Av = o.mode !== 'deltas' ? new Float32Array(dim * dim) : null;
  const linLr = o.linearLr === undefined || Number.isNaN(o.linearLr) ? o.lr : o.linearLr;
  let linT = 0;
  const order = examples.map((_, i) => i);
  const random = mulberry32(o.seed);
  const beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  let firstLoss = NaN, lastLoss = NaN, steps = 0, epoch = 0, stoppedByTime = false;
  const totalWeight = examples.reduce((s, e) => s + e.weight, 0) || 1;

  for (epoch = 0; epoch < o.epochs; epoch++) {
    shuffleInPlace(order, random);
    let lossSum = 0;
    for (let n = 0; n < order.length; n++) {
      if (o.yieldEvery > 0 && n % o.yieldEvery === o.yieldEvery - 1) await yieldNow();
      const ex = examples[order[n]];
      const b = bags[order[n]];
      // u = Σ count · (vector + delta)
      u.fill(0);
      for (const [s, c] of b) {
        const v = base.get(s);
        if (v) for (let d = 0; d < dim; d++) u[d] += c * v[d];
        const dl = adapter.deltas.get(s);
        if (dl) for (let d = 0; d < dim; d++) u[d] += c * dl[d];
      }
      let norm = 0;
      for (let d = 0; d < dim; d++) norm += u[d] * u[d];
      norm = Math.sqrt(norm);
      if (norm < 1e-9) continue;
      for (let d = 0; d < dim; d++) uh[d] = u[d] / norm;
      // w = û + A·û (or û); q = w / ‖w‖
      let wnorm = 0;
      for (let r = 0; r < dim; r++) {
        let acc = uh[r];
        if (A) { const row = r * dim; for (let c = 0; c < dim; c++) acc += A[row + c] * uh[c]; }
        w[r] = acc;
        wnorm += acc * acc;
      }
      wnorm = Math.sqrt(wnorm);
      if (wnorm < 1e-9) continue;
      const cand = [ex.positive, ...ex.negatives];
      const logits = new Float64Array(cand.length);
      let max = -Infinity;
      for (let j = 0; j < cand.length; j++) {
        const c = cand[j];
        let dot = 0;
        for (let d = 0; d < dim; d++) dot += w[d] * c[d];
        logits[j] = (o.temperature * dot) / wnorm;
        if (logits[j] > max) max = logits[j];
      }
      let z = 0;
      for (let j = 0; j < cand.length; j++) { logits[j] = Math.exp(logits[j] - max); z += logits[j]; }
      lossSum += ex.weight * -Math.log(Math.max(logits[0] / z, 1e-30));
      // ∂L/∂q = τ (Σ p_j c_j − c_pos);  ∂L/∂u = (g − (g·q) q) / ‖u‖
      gq.fill(0);
      for (let j = 0; j < cand.length; j++) {
        const p = logits[j] / z - (j === 0 ? 1 : 0);
        if (p === 0) continue;
        const c = cand[j];
        for (let d = 0; d < dim; d++) gq[d] += p * c[d];
      }
      // back through q = w/‖w‖
      let gdotq = 0;
      for (let d = 0; d < dim; d++) { gq[d] *= o.temperature * ex.weight; gdotq += (gq[d] * w[d]) / wnorm; }
      for (let d = 0; d < dim; d++) gw[d] = (gq[d] - (gdotq * w[d]) / wnorm) / wnorm;
      // back through w = û + A·û: ∂A = gw ûᵀ; ∂û = gw + Aᵀ gw
      if (A && Am && Av) {
        linT++;
        const c1 = 1 - Math.pow(beta1, linT), c2 = 1 - Math.pow(beta2, linT);
        for (let c = 0; c < dim; c++) gu[c] = gw[c];
        for (let r = 0; r < dim; r++) {
          const row = r * dim;
          const gr = gw[r];
          for (let c = 0; c < dim; c++) {
            const i = row + c;
            gu[c] += A[i] * gr;
            const g = gr * uh[c] + o.l2 * A[i];
            Am[i] = beta1 * Am[i] + (1 - beta1) * g;
            Av[i] = beta2 * Av[i] + (1 - beta2) * g * g;
            A[i] -= (linLr * (Am[i] / c1)) / (Math.sqrt(Av[i] / c2) + eps);
          }
        }
      } else {
        for (let c = 0; c < dim; c++) gu[c] = gw[c];
        if (A) for (let r = 0; r < dim; r++) { const row = r * dim, gr = gw[r]; for (let c = 0; c < dim; c++) gu[c] += A[row + c] * gr; }
      }
      if (!fitDeltas) { steps++; continue; }
      // back through û = u/‖u‖
      let gdotu = 0;
      for (let d = 0; d < dim; d++) gdotu += gu[d] * uh[d];
      for (let d = 0; d < dim; d++) gq[d] = (gu[d] - gdotu * uh[d]) / norm;
      for (const [s, c] of b) {
        if (!trainable(s)) continue;
        let dl = adapter.deltas.get(s);
        if (!dl) { dl = new Float32Array(dim); adapter.deltas.set(s, dl); }
        let slot = slots.get(s);
        if (!slot) { slot = { m: new Float32Array(dim), v: new Float32Array(dim), t: 0 }; slots.set(s, slot); }
        slot.t++;
        const c1 = 1 - Math.pow(beta1, slot.t), c2 = 1 - Math.pow(beta2, slot.t);
        for (let d = 0; d < dim; d++) {
          const g = c * gq[d] + o.l2 * dl[d];
          slot.m[d] = beta1 * slot.m[d] + (1 - beta1) * g;
          slot.v[d] = beta2 * slot.v[d] + (1 - beta2) * g * g;
          dl[d] -= (o.lr * (slot.m[d] / c1)) / (Math.sqrt(slot.v[d] / c2) + eps);
        }
      }
      steps++;
    }
    const mean = lossSum / totalWeight;
    if (epoch === 0) firstLoss = mean;
    lastLoss = mean;
    if (Date.now() - t0 > o.maxMs) { stoppedByTime = true; epoch++; break; }
  }
  return {
    adapter,
    report: { epochs: Math.min(epoch, o.epochs), steps, ms: Date.now() - t0, firstLoss, lastLoss, subtokens: slots.size, stoppedByTime },
  };
}
