// Relevance calibration (src/core/rank/relevance.ts): a logistic fit of "is this
// shown hit right" on the relevance inputs; its
// reliability curve and expected calibration error.
import { RELEVANCE_INPUTS, type RelevanceWeights } from '../../src/core/rank/relevance';

export interface Example { x: number[]; y: number }

/** Solve A·x = b for a small dense system (Gaussian elimination with partial pivoting). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
    [m[c], m[piv]] = [m[piv], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c || m[c][c] === 0) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => (row[i] === 0 ? 0 : row[n] / row[i]));
}

/**
 * Logistic regression by Newton's method (iteratively reweighted least squares) with a small
 * ridge: exact to convergence whatever the scale of the inputs (ranker scores span tens of units).
 * Returns the weights followed by the bias.
 */
export function fitLogistic(data: Example[], iters = 30, l2 = 1e-4): number[] {
  const d = data[0].x.length + 1;
  const w = new Array(d).fill(0);
  for (let it = 0; it < iters; it++) {
    const g = new Array(d).fill(0);
    const h = Array.from({ length: d }, () => new Array(d).fill(0));
    for (const { x, y } of data) {
      const xi = [...x, 1];
      let z = 0;
      for (let j = 0; j < d; j++) z += w[j] * xi[j];
      const p = 1 / (1 + Math.exp(-z));
      const s = Math.max(p * (1 - p), 1e-9);
      for (let j = 0; j < d; j++) {
        g[j] += (p - y) * xi[j];
        for (let k = 0; k < d; k++) h[j][k] += s * xi[j] * xi[k];
      }
    }
    for (let j = 0; j < d - 1; j++) { g[j] += l2 * data.length * w[j]; h[j][j] += l2 * data.length; }
    const step = solve(h, g);
    let moved = 0;
    for (let j = 0; j < d; j++) { w[j] -= step[j]; moved = Math.max(moved, Math.abs(step[j])); }
    if (moved < 1e-8) break;
  }
  return w;
}

export function toRelevance(w: number[]): RelevanceWeights {
  return { inputs: [...RELEVANCE_INPUTS], weights: w.slice(0, -1).map((v) => +v.toFixed(4)), bias: +w[w.length - 1].toFixed(4) };
}

export interface ReliabilityBin { from: number; to: number; n: number; meanP: number; observed: number }

/** Equal-width reliability curve and expected calibration error of (probability, outcome) pairs. */
export function reliability(pairs: { p: number; y: number }[], bins = 10): { curve: ReliabilityBin[]; ece: number; n: number } {
  const curve: ReliabilityBin[] = [];
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const from = b / bins, to = (b + 1) / bins;
    const inBin = pairs.filter((e) => e.p >= from && (b === bins - 1 ? e.p <= to : e.p < to));
    if (!inBin.length) { curve.push({ from, to, n: 0, meanP: NaN, observed: NaN }); continue; }
    const meanP = inBin.reduce((s, e) => s + e.p, 0) / inBin.length;
    const observed = inBin.reduce((s, e) => s + e.y, 0) / inBin.length;
    curve.push({ from, to, n: inBin.length, meanP, observed });
    ece += (inBin.length / pairs.length) * Math.abs(meanP - observed);
  }
  return { curve, ece, n: pairs.length };
}
