// Static distillation of a pretrained sentence encoder into the engine's
// embedding-bag table (the model2vec recipe, fitted to Sift's tokenizer):
//
// 1. every vocabulary subtoken goes through the teacher alone (Python, training/teacher);
// 2. PCA of those vectors to the table's width (centred: the common direction every
//    single-token embedding shares carries no meaning);
// 3. SIF weighting by frequency rank (a / (a + p(rank)), p Zipfian), so "the",
//    "return" and "self" weigh little in a pooled text, as the teacher's attention
//    makes them weigh little in a sentence;
// 4. the hashed n-gram rows are fitted (ridge least squares, conjugate gradients) so
//    that the mean of a word's n-gram rows predicts its teacher vector: an identifier
//    the vocabulary lacks still lands near the words it is made of;
// 5. each vocabulary row is then set so that the word's rows (its own + its n-grams,
//    each weighted 1/count by the tokenizer) average to exactly its weighted target.
import { Tokenizer, type TokenizerConfig } from '../../src/core/embed/tokenizer';
import { fitPca, projectPca, type Pca } from './pca';

export interface DistillOptions {
  /** Table width (PCA components kept). */
  dim: number;
  /** SIF coefficient a in a / (a + p(rank)); 0 turns the weighting off. */
  sif: number;
  /** Ridge strength for the n-gram fit, relative to the mean diagonal of AᵀA. */
  ridge: number;
  /** Conjugate-gradient iterations for the n-gram fit. */
  iterations: number;
  /** One word in `holdoutEvery` (by position) is left out of the n-gram fit to measure it; 0: none. */
  holdoutEvery: number;
  log?: (line: string) => void;
}

export const DEFAULT_DISTILL_OPTIONS: DistillOptions = { dim: 256, sif: 1e-4, ridge: 0.1, iterations: 40, holdoutEvery: 20 };

export interface DistillReport {
  words: number;
  teacherDim: number;
  dim: number;
  pcaExplained: number;
  sif: number;
  ngram: { buckets: number; fitWords: number; heldOutWords: number; fitCosine: number; heldOutCosine: number; lambda: number; iterations: number };
  seconds: number;
}

export interface DistillResult {
  /** rows × dim, rows = vocab + n-gram buckets (the trainer's and exporter's layout). */
  table: Float32Array;
  report: DistillReport;
  /** The projection from the teacher's space to the table's (to map a contextual teacher's query vectors). */
  pca: Pca;
}

/** SIF weight of each frequency rank (0 = most frequent) among `n` words. */
export function sifWeights(n: number, a: number): Float64Array {
  const w = new Float64Array(n);
  if (a <= 0) return w.fill(1);
  let h = 0;
  for (let r = 0; r < n; r++) h += 1 / (r + 1);
  for (let r = 0; r < n; r++) {
    const p = 1 / (r + 1) / h;
    w[r] = a / (a + p);
  }
  return w;
}

/** Sparse rows of A: word i averages its n-gram buckets (duplicates kept, as the tokenizer keeps them). */
interface GramMatrix {
  off: Int32Array;
  col: Int32Array;
  /** 1 / (number of n-gram rows of the word). */
  scale: Float64Array;
}

function gramMatrix(tok: Tokenizer, words: readonly string[], base: number): GramMatrix {
  const lists = words.map((w) => tok.ngramRows(w).map((r) => r - base));
  const off = new Int32Array(words.length + 1);
  for (let i = 0; i < lists.length; i++) off[i + 1] = off[i] + lists[i].length;
  const col = new Int32Array(off[words.length]);
  const scale = new Float64Array(words.length);
  for (let i = 0; i < lists.length; i++) {
    col.set(lists[i], off[i]);
    scale[i] = lists[i].length > 0 ? 1 / lists[i].length : 0;
  }
  return { off, col, scale };
}

/** out = A · x (words × dim from buckets × dim), or with `transposed` out = Aᵀ · x (buckets × dim from words × dim). */
function multiply(a: GramMatrix, x: Float64Array, dim: number, out: Float64Array, transposed: boolean): void {
  out.fill(0);
  const n = a.scale.length;
  for (let i = 0; i < n; i++) {
    const s = a.scale[i];
    const word = i * dim;
    for (let k = a.off[i]; k < a.off[i + 1]; k++) {
      const bucket = a.col[k] * dim;
      const from = transposed ? word : bucket;
      const to = transposed ? bucket : word;
      for (let d = 0; d < dim; d++) out[to + d] += s * x[from + d];
    }
  }
}

const applyA = (a: GramMatrix, x: Float64Array, dim: number, out: Float64Array): void => multiply(a, x, dim, out, false);
const applyAt = (a: GramMatrix, y: Float64Array, dim: number, out: Float64Array): void => multiply(a, y, dim, out, true);

/**
 * Ridge least squares min ‖A·G − T‖² + λ‖G‖² by conjugate gradients on the normal
 * equations, every column at once (each with its own step sizes).
 */
export function fitBuckets(a: GramMatrix, targets: Float64Array, buckets: number, dim: number, ridge: number, iterations: number): { g: Float64Array; lambda: number } {
  const words = a.scale.length;
  const diag = new Float64Array(buckets);
  for (let i = 0; i < words; i++) for (let k = a.off[i]; k < a.off[i + 1]; k++) diag[a.col[k]] += a.scale[i] ** 2;
  let used = 0, sum = 0;
  for (const v of diag) if (v > 0) { used++; sum += v; }
  const lambda = ridge * (used > 0 ? sum / used : 1);
  const tmp = new Float64Array(words * dim);
  const op = (x: Float64Array, out: Float64Array): void => {
    applyA(a, x, dim, tmp);
    applyAt(a, tmp, dim, out);
    for (let i = 0; i < out.length; i++) out[i] += lambda * x[i];
  };
  const g = new Float64Array(buckets * dim);
  const r = new Float64Array(buckets * dim);
  applyAt(a, targets, dim, r); // r = b − M·0
  const p = Float64Array.from(r);
  const mp = new Float64Array(buckets * dim);
  const rr = new Float64Array(dim);
  for (let i = 0; i < r.length; i++) rr[i % dim] += r[i] * r[i];
  for (let it = 0; it < iterations; it++) {
    op(p, mp);
    const pmp = new Float64Array(dim);
    for (let i = 0; i < p.length; i++) pmp[i % dim] += p[i] * mp[i];
    const alpha = new Float64Array(dim);
    for (let d = 0; d < dim; d++) alpha[d] = pmp[d] > 0 ? rr[d] / pmp[d] : 0;
    const rrNew = new Float64Array(dim);
    for (let i = 0; i < g.length; i++) {
      const d = i % dim;
      g[i] += alpha[d] * p[i];
      r[i] -= alpha[d] * mp[i];
      rrNew[d] += r[i] * r[i];
    }
    for (let i = 0; i < p.length; i++) {
      const d = i % dim;
      p[i] = r[i] + (rr[d] > 0 ? rrNew[d] / rr[d] : 0) * p[i];
    }
    rr.set(rrNew);
  }
  return { g, lambda };
}

function meanCosine(pred: Float64Array, target: Float64Array, rows: number[], dim: number): number {
  if (rows.length === 0) return NaN;
  let s = 0;
  for (const i of rows) {
    let dp = 0, np = 0, nt = 0;
    for (let d = 0; d < dim; d++) {
      const x = pred[i * dim + d], y = target[i * dim + d];
      dp += x * y; np += x * x; nt += y * y;
    }
    s += np > 0 && nt > 0 ? dp / Math.sqrt(np * nt) : 0;
  }
  return s / rows.length;
}

/**
 * Distil teacher vectors of the tokenizer's vocabulary (row i = vocab[i], L2-normalised,
 * vocabulary in frequency order) into a table for that tokenizer.
 */
export function distill(tokCfg: TokenizerConfig, vectors: Float32Array, teacherDim: number, opts: DistillOptions = DEFAULT_DISTILL_OPTIONS): DistillResult {
  const t0 = Date.now();
  const log = opts.log ?? (() => undefined);
  const tok = new Tokenizer(tokCfg);
  const words = tok.vocab;
  const n = words.length;
  const dim = opts.dim;
  if (vectors.length !== n * teacherDim) throw new Error(`distill: ${vectors.length / teacherDim} teacher vectors for ${n} vocabulary words`);
  if (n < dim) throw new Error(`distill: ${n} words cannot span ${dim} dimensions`);

  const pca = fitPca(vectors, n, teacherDim, dim);
  const projected = projectPca(pca, vectors, n);
  log(`[distill] PCA ${teacherDim} → ${dim}: ${(pca.explained * 100).toFixed(1)}% of the variance`);
  const target = Float64Array.from(projected);

  const buckets = tok.ngramBuckets;
  const table = new Float32Array(tok.rowCount * dim);
  const sif = sifWeights(n, opts.sif);
  let fitCosine = NaN, heldOutCosine = NaN, lambda = 0, fitWords = 0, heldOut = 0;
  let gFull: Float64Array | null = null;
  let gram: GramMatrix | null = null;
  if (buckets > 0) {
    const fitIdx: number[] = [], holdIdx: number[] = [];
    for (let i = 0; i < n; i++) ((opts.holdoutEvery > 0 && i % opts.holdoutEvery === opts.holdoutEvery - 1) ? holdIdx : fitIdx).push(i);
    const fitTargets = new Float64Array(fitIdx.length * dim);
    fitIdx.forEach((w, k) => fitTargets.set(target.subarray(w * dim, (w + 1) * dim), k * dim));
    const fitGram = gramMatrix(tok, fitIdx.map((i) => words[i]), n);
    const fit = fitBuckets(fitGram, fitTargets, buckets, dim, opts.ridge, opts.iterations);
    gFull = fit.g;
    lambda = fit.lambda;
    gram = gramMatrix(tok, words, n);
    const pred = new Float64Array(n * dim);
    applyA(gram, gFull, dim, pred);
    fitCosine = meanCosine(pred, target, fitIdx, dim);
    heldOutCosine = meanCosine(pred, target, holdIdx, dim);
    fitWords = fitIdx.length;
    heldOut = holdIdx.length;
    log(`[distill] n-gram rows fitted on ${fitWords} words (λ ${lambda.toExponential(2)}): cosine to the teacher ${fitCosine.toFixed(3)}, on ${heldOut} unseen words ${heldOutCosine.toFixed(3)}`);
    for (let i = 0; i < buckets * dim; i++) table[n * dim + i] = gFull[i];
  }
  // Vocabulary rows: (1 + m)·sif·target − Σ n-gram rows, so the word's rows average to sif·target.
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    let m = 0;
    const acc = new Float64Array(dim);
    if (gram && gFull) {
      for (let k = gram.off[i]; k < gram.off[i + 1]; k++) {
        m++;
        const g = gram.col[k] * dim;
        for (let d = 0; d < dim; d++) acc[d] += gFull[g + d];
      }
    }
    for (let d = 0; d < dim; d++) table[o + d] = (1 + m) * sif[i] * target[o + d] - acc[d];
  }
  const seconds = (Date.now() - t0) / 1000;
  return {
    table,
    pca,
    report: {
      words: n, teacherDim, dim, pcaExplained: pca.explained, sif: opts.sif,
      ngram: { buckets, fitWords, heldOutWords: heldOut, fitCosine, heldOutCosine, lambda, iterations: opts.iterations },
      seconds,
    },
  };
}
