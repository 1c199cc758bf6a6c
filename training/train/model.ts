// The model and its gradients, one training step split into phases that any
// number of threads run over disjoint ranges of the shared arena.
//
// Model: one table E shared by queries and code. A subtoken's vector is the
// mean of its rows (vocabulary row + n-gram rows); a text's vector is the sum
// of its subtoken vectors × occurrence counts, L2-normalised. This equals
// Tokenizer.encode()'s weighted rows, so training sees exactly what ships.
//
// Loss (symmetric in-batch softmax, temperature τ = exp(s) learned):
//   logits L_ij = τ · q̂_i · ĉ_j over B queries × NC codes (positives, then one
//   hard negative per query); loss = (Σ_i CE_row(i → i) + Σ_{j<B} CE_col(j → j)) / 2B.
// Gradients, analytically:
//   G = ∂loss/∂L = (softmax_row − I)/2B + (softmax_col − I)/2B  (columns j < B)
//   ∂/∂q̂_i = τ Σ_j G_ij ĉ_j,   ∂/∂ĉ_j = τ Σ_i G_ij q̂_i,   ∂/∂s = τ Σ G_ij q̂_i·ĉ_j
//   through x̂ = x/‖x‖:  ∂x = (∂x̂ − x̂ (x̂·∂x̂)) / ‖x‖
//   ∂tv_t = Σ_items count · ∂x;   ∂E_r = Σ_{t ∋ r} ∂tv_t / n_t
// Optimiser: sparse Adam, rows touched by the batch only, with a per-row step
// count for bias correction: a row's k-th update is corrected as Adam's k-th
// step. With the global step instead, the correction is ≈1 late in training and
// a rarely seen row's first update would be (1−β1)/√(1−β2) ≈ 3× the intended
// size. Untouched rows' moments are not decayed (they see no gradient).
//
// Phases (a barrier between each): 1 token vectors, 2 pool + normalise,
// 3 similarities + row softmax, 4 column softmax + transpose, 5 embedding
// gradients, 6 token gradients, 7 row gradients + Adam. Every value is computed
// by exactly one thread in a fixed order, so results do not depend on the
// number of threads.
import { CTL, SCALAR, roundUp, type ArenaLayout, type ArenaViews } from './arena';
import type { Kernels } from './simd';

export interface StepContext {
  layout: ArenaLayout;
  views: ArenaViews;
  kernels: Kernels;
  /** Byte offsets of the regions. */
  ptr: Record<keyof ArenaViews, number>;
  /** Per-thread caches of β^t. */
  pow1: number[];
  pow2: number[];
}

export function makeContext(layout: ArenaLayout, views: ArenaViews, kernels: Kernels): StepContext {
  const ptr = {} as Record<keyof ArenaViews, number>;
  for (const name of Object.keys(layout.regions) as (keyof ArenaViews)[]) ptr[name] = layout.regions[name].offset;
  return { layout, views, kernels, ptr, pow1: [1], pow2: [1] };
}

/** [start, end) of `count` units for thread t of k, even split. */
export function evenRange(count: number, t: number, k: number): [number, number] {
  return [Math.floor((count * t) / k), Math.floor((count * (t + 1)) / k)];
}

/** [start, end) of `count` CSR units for thread t of k, balanced by entry counts. */
export function balancedRange(off: Int32Array, count: number, t: number, k: number): [number, number] {
  const total = off[count];
  const find = (i: number): number => {
    if (i <= 0) return 0;
    if (i >= k) return count;
    const target = (total * i) / k;
    let lo = 0, hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (off[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return [find(t), find(t + 1)];
}

/** Phase 1: vector of every distinct batch subtoken = mean of its rows. */
function tokenVectors(c: StepContext, t: number, k: number): void {
  const { views: v, ptr, kernels } = c;
  const D = c.layout.dims.dim;
  const U = v.ctl[CTL.U];
  const [u0, u1] = balancedRange(v.tokRowOff, U, t, k);
  const off = v.tokRowOff;
  for (let u = u0; u < u1; u++) {
    kernels.gatherSum(ptr.tv + u * D * 4, ptr.table, ptr.tokRowIdx, ptr.tokRowW, off[u], off[u + 1], D);
  }
}

/** Phase 2: pool each item (query or code), L2-normalise; codes also go to the transposed matrix. */
function poolItems(c: StepContext, t: number, k: number): void {
  const { views: v, ptr, kernels } = c;
  const D = c.layout.dims.dim;
  const ld = c.layout.ld;
  const N = v.ctl[CTL.N];
  const B = v.ctl[CTL.B];
  const [i0, i1] = balancedRange(v.itemOff, N, t, k);
  const emb = v.emb;
  const ct = v.ct;
  for (let it = i0; it < i1; it++) {
    kernels.gatherSum(ptr.emb + it * D * 4, ptr.tv, ptr.itemTok, ptr.itemCnt, v.itemOff[it], v.itemOff[it + 1], D);
    const o = it * D;
    let ss = 0;
    for (let d = 0; d < D; d++) ss += emb[o + d] * emb[o + d];
    const norm = Math.sqrt(ss);
    // A text whose every row is zero has no direction: it embeds to 0 and passes no gradient.
    const inv = norm > 1e-12 ? 1 / norm : 0;
    v.norms[it] = norm > 1e-12 ? norm : 0;
    for (let d = 0; d < D; d++) emb[o + d] *= inv;
    if (it >= B) {
      const col = it - B;
      for (let d = 0; d < D; d++) ct[d * ld + col] = emb[o + d];
    }
  }
}

/** Phase 3: cosines of this thread's queries against every code; row softmax into G. */
function similarities(c: StepContext, t: number, k: number): void {
  const { views: v, ptr, kernels } = c;
  const D = c.layout.dims.dim;
  const ld = c.layout.ld;
  const B = v.ctl[CTL.B];
  const NC = v.ctl[CTL.NC];
  const tau = v.scalars[SCALAR.TAU];
  const inv2B = 1 / (2 * B);
  const [i0, i1] = evenRange(B, t, k);
  if (i1 <= i0) return;
  kernels.gemm(ptr.emb + i0 * D * 4, D, 1, ptr.ct, ld, ptr.cos + i0 * ld * 4, ld, i1 - i0, roundUp(NC, 8), D);
  const { cos, expo, g } = v;
  for (let i = i0; i < i1; i++) {
    const o = i * ld;
    let sum = 0;
    // Shift by the largest possible logit (τ·1): exact softmax, no overflow, and the
    // same shift serves the column softmax of phase 4.
    for (let j = 0; j < NC; j++) {
      const e = Math.exp(tau * (cos[o + j] - 1));
      expo[o + j] = e;
      sum += e;
    }
    v.rowLoss[i] = tau * (1 - cos[o + i]) + Math.log(sum);
    const scale = inv2B / sum;
    for (let j = 0; j < NC; j++) g[o + j] = expo[o + j] * scale;
    g[o + i] -= inv2B;
  }
}

const COL_BLOCK = 16;

/** Phase 4: column softmax (codes → queries) for positive codes; write Gᵀ. */
function columnSoftmax(c: StepContext, t: number, k: number): void {
  const { views: v } = c;
  const ld = c.layout.ld;
  const ldt = c.layout.ldt;
  const B = v.ctl[CTL.B];
  const NC = v.ctl[CTL.NC];
  const tau = v.scalars[SCALAR.TAU];
  const inv2B = 1 / (2 * B);
  const [j0, j1] = evenRange(NC, t, k);
  const { cos, expo, g, gt } = v;
  const colScale = new Float64Array(COL_BLOCK);
  for (let jb = j0; jb < j1; jb += COL_BLOCK) {
    const je = Math.min(j1, jb + COL_BLOCK);
    const softEnd = Math.min(je, B); // columns [jb, softEnd) are positives
    colScale.fill(0);
    for (let i = 0; i < B; i++) {
      const o = i * ld;
      for (let j = jb; j < softEnd; j++) colScale[j - jb] += expo[o + j];
    }
    for (let j = jb; j < softEnd; j++) {
      const sum = colScale[j - jb];
      v.rowLoss[B + j] = tau * (1 - cos[j * ld + j]) + Math.log(sum);
      colScale[j - jb] = inv2B / sum;
    }
    for (let i = 0; i < B; i++) {
      const o = i * ld;
      for (let j = jb; j < je; j++) {
        let gij = g[o + j];
        if (j < softEnd) {
          gij += expo[o + j] * colScale[j - jb];
          if (i === j) gij -= inv2B;
          g[o + j] = gij;
        }
        gt[j * ldt + i] = gij;
      }
    }
  }
}

/** ∂x = τ(∂x̂ − x̂(x̂·∂x̂))/‖x‖ in place on dx (dx holds Σ G·other, without τ). */
function backThroughNorm(v: ArenaViews, it: number, D: number, tau: number): void {
  const o = it * D;
  const norm = v.norms[it];
  const { dx, emb } = v;
  if (norm === 0) {
    for (let d = 0; d < D; d++) dx[o + d] = 0;
    return;
  }
  let dot = 0;
  for (let d = 0; d < D; d++) dot += emb[o + d] * dx[o + d];
  const s = tau / norm;
  for (let d = 0; d < D; d++) dx[o + d] = s * (dx[o + d] - emb[o + d] * dot);
}

/** Phase 5: gradients of the pooled vectors, queries and codes. */
function embeddingGradients(c: StepContext, t: number, k: number): void {
  const { views: v, ptr, kernels } = c;
  const D = c.layout.dims.dim;
  const ld = c.layout.ld;
  const ldt = c.layout.ldt;
  const B = v.ctl[CTL.B];
  const NC = v.ctl[CTL.NC];
  const tau = v.scalars[SCALAR.TAU];
  const { g, cos } = v;
  const [i0, i1] = evenRange(B, t, k);
  if (i1 > i0) {
    kernels.gemm(ptr.g + i0 * ld * 4, ld, 1, ptr.emb + B * D * 4, D, ptr.dx + i0 * D * 4, D, i1 - i0, D, NC);
    for (let i = i0; i < i1; i++) {
      const o = i * ld;
      let s = 0;
      for (let j = 0; j < NC; j++) s += g[o + j] * cos[o + j];
      v.rowDtau[i] = s;
      backThroughNorm(v, i, D, tau);
    }
  }
  const [j0, j1] = evenRange(NC, t, k);
  if (j1 > j0) {
    kernels.gemm(ptr.gt + j0 * ldt * 4, ldt, 1, ptr.emb, D, ptr.dx + (B + j0) * D * 4, D, j1 - j0, D, B);
    for (let j = j0; j < j1; j++) backThroughNorm(v, B + j, D, tau);
  }
}

/** Phase 6: gradient of each distinct subtoken vector (overwrites tv). */
function tokenGradients(c: StepContext, t: number, k: number): void {
  const { views: v, ptr, kernels } = c;
  const D = c.layout.dims.dim;
  const U = v.ctl[CTL.U];
  const off = v.tokItemOff;
  const [u0, u1] = balancedRange(off, U, t, k);
  for (let u = u0; u < u1; u++) {
    kernels.gatherSum(ptr.tv + u * D * 4, ptr.dx, ptr.tokItem, ptr.tokItemCnt, off[u], off[u + 1], D);
  }
}

function power(cache: number[], base: number, t: number): number {
  while (cache.length <= t) cache.push(cache[cache.length - 1] * base);
  return cache[t];
}

/** Phase 7: gradient of each touched table row, then its Adam step (or capture, for tests). */
function rowUpdates(c: StepContext, t: number, k: number): void {
  const { views: v, ptr, kernels } = c;
  const D = c.layout.dims.dim;
  const R = v.ctl[CTL.R];
  const off = v.rowTokOff;
  const capture = v.ctl[CTL.CAPTURE] !== 0;
  const lr = v.scalars[SCALAR.LR];
  const beta1 = v.scalars[SCALAR.BETA1];
  const beta2 = v.scalars[SCALAR.BETA2];
  const eps = v.scalars[SCALAR.EPS];
  const scratch = ptr.scratch + t * D * 4;
  const [r0, r1] = balancedRange(off, R, t, k);
  if (c.pow1.length > 1 && c.pow1[1] !== beta1) c.pow1 = [1];
  if (c.pow2.length > 1 && c.pow2[1] !== beta2) c.pow2 = [1];
  for (let rho = r0; rho < r1; rho++) {
    const r = v.rowGlobal[rho];
    if (capture) {
      kernels.gatherSum(ptr.rowGrad + rho * D * 4, ptr.tv, ptr.rowTok, ptr.rowTokW, off[rho], off[rho + 1], D);
      continue;
    }
    kernels.gatherSum(scratch, ptr.tv, ptr.rowTok, ptr.rowTokW, off[rho], off[rho + 1], D);
    const step = ++v.steps[r];
    const bc1 = 1 - power(c.pow1, beta1, step);
    const bc2 = Math.sqrt(1 - power(c.pow2, beta2, step));
    const at = r * D * 4;
    kernels.adamRow(ptr.table + at, ptr.adamM + at, ptr.adamV + at, scratch, D, beta1, beta2, (lr * bc2) / bc1, eps * bc2);
  }
}

export const PHASES: ((c: StepContext, t: number, k: number) => void)[] = [
  tokenVectors, poolItems, similarities, columnSoftmax, embeddingGradients, tokenGradients, rowUpdates,
];

/**
 * Run one batch's phases as thread t of k; `barrier` waits for all k threads.
 * A phase that throws is recorded in the control block and the thread still
 * meets every barrier, so no thread is left waiting; callers check ERROR after.
 */
export function runStepGuarded(c: StepContext, t: number, k: number, barrier: () => void): void {
  PHASES.forEach((phase, n) => {
    try {
      phase(c, t, k);
    } catch (e) {
      Atomics.store(c.views.ctl, CTL.ERROR, t + 1);
      Atomics.store(c.views.ctl, CTL.ERROR_PHASE, n + 1);
      console.error(`training thread ${t}, phase ${n + 1} (${phase.name}): ${(e as Error).stack ?? e}`);
    }
    barrier();
  });
}

/** Loss of the batch and ∂loss/∂log τ, summed in a fixed order after the step. */
export function stepResults(v: ArenaViews): { loss: number; dLogTau: number } {
  const B = v.ctl[CTL.B];
  let loss = 0;
  for (let i = 0; i < 2 * B; i++) loss += v.rowLoss[i];
  let d = 0;
  for (let i = 0; i < B; i++) d += v.rowDtau[i];
  return { loss: loss / (2 * B), dLogTau: d * v.scalars[SCALAR.TAU] };
}

// ---- float64 reference (tests): the same loss computed plainly ----

/** Items as lists of (token id, count); token rows as CSR. */
export interface ReferenceBatch {
  queries: { ids: number[]; counts: number[] }[];
  /** Positive codes (same order as queries), then hard negatives. */
  codes: { ids: number[]; counts: number[] }[];
  tokenRowOff: Int32Array;
  tokenRows: Int32Array;
}

/** The loss in float64 straight from the definition. */
export function referenceLoss(table: ArrayLike<number>, dim: number, logTau: number, batch: ReferenceBatch): number {
  const embed = (item: { ids: number[]; counts: number[] }): Float64Array => {
    const x = new Float64Array(dim);
    item.ids.forEach((id, n) => {
      const a = batch.tokenRowOff[id];
      const b = batch.tokenRowOff[id + 1];
      for (let e = a; e < b; e++) {
        const r = batch.tokenRows[e];
        for (let d = 0; d < dim; d++) x[d] += (item.counts[n] / (b - a)) * table[r * dim + d];
      }
    });
    let ss = 0;
    for (let d = 0; d < dim; d++) ss += x[d] * x[d];
    const norm = Math.sqrt(ss);
    if (norm > 0) for (let d = 0; d < dim; d++) x[d] /= norm;
    return x;
  };
  const tau = Math.exp(logTau);
  const Q = batch.queries.map(embed);
  const C = batch.codes.map(embed);
  const B = Q.length;
  const L = Q.map((q) => C.map((c) => tau * q.reduce((s, qd, d) => s + qd * c[d], 0)));
  const lse = (xs: number[]): number => {
    const m = Math.max(...xs);
    return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
  };
  let loss = 0;
  for (let i = 0; i < B; i++) loss += lse(L[i]) - L[i][i];
  for (let j = 0; j < B; j++) loss += lse(L.map((row) => row[j])) - L[j][j];
  return loss / (2 * B);
}
