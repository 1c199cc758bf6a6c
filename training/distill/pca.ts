// Principal components of a row matrix: the mean, and the top-k eigenvectors of
// the covariance (cyclic Jacobi on the d×d matrix; d is a teacher's width, ≤ ~1k).

export interface Pca {
  /** Input width. */
  inDim: number;
  /** Output width (components kept). */
  outDim: number;
  mean: Float64Array;
  /** outDim × inDim, row c = component c (unit length), by decreasing variance. */
  components: Float64Array;
  /** Variance along each kept component. */
  variances: Float64Array;
  /** Share of the total variance the kept components hold. */
  explained: number;
}

/** Eigen-decomposition of a symmetric n×n matrix (row-major, destroyed): values and column eigenvectors. */
export function symmetricEigen(a: Float64Array, n: number, maxSweeps = 60): { values: Float64Array; vectors: Float64Array } {
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0, diag = 0;
    for (let i = 0; i < n; i++) {
      diag += a[i * n + i] ** 2;
      for (let j = i + 1; j < n; j++) off += a[i * n + j] ** 2;
    }
    if (off <= 1e-22 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const app = a[p * n + p], aqq = a[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i];
  return { values, vectors: v };
}

/** PCA of `rows` × `inDim` data (row-major), keeping `outDim` components. */
export function fitPca(x: Float32Array, rows: number, inDim: number, outDim: number): Pca {
  if (outDim > inDim) throw new Error(`pca: cannot keep ${outDim} components of ${inDim}-dimensional data`);
  if (rows < 2) throw new Error('pca: needs at least 2 rows');
  const mean = new Float64Array(inDim);
  for (let r = 0; r < rows; r++) for (let d = 0; d < inDim; d++) mean[d] += x[r * inDim + d];
  for (let d = 0; d < inDim; d++) mean[d] /= rows;
  const cov = new Float64Array(inDim * inDim);
  const c = new Float64Array(inDim);
  for (let r = 0; r < rows; r++) {
    for (let d = 0; d < inDim; d++) c[d] = x[r * inDim + d] - mean[d];
    for (let i = 0; i < inDim; i++) {
      const ci = c[i];
      if (ci === 0) continue;
      const o = i * inDim;
      for (let j = i; j < inDim; j++) cov[o + j] += ci * c[j];
    }
  }
  for (let i = 0; i < inDim; i++) {
    for (let j = i; j < inDim; j++) {
      cov[i * inDim + j] /= rows - 1;
      cov[j * inDim + i] = cov[i * inDim + j];
    }
  }
  const { values, vectors } = symmetricEigen(cov, inDim);
  const order = [...values.keys()].sort((a, b) => values[b] - values[a]);
  const components = new Float64Array(outDim * inDim);
  const variances = new Float64Array(outDim);
  let total = 0, kept = 0;
  for (const v of values) total += Math.max(0, v);
  for (let k = 0; k < outDim; k++) {
    const col = order[k];
    variances[k] = values[col];
    kept += Math.max(0, values[col]);
    // Sign convention: the largest-magnitude coordinate is positive (a deterministic basis).
    let big = 0;
    for (let d = 0; d < inDim; d++) if (Math.abs(vectors[d * inDim + col]) > Math.abs(big)) big = vectors[d * inDim + col];
    const sign = big < 0 ? -1 : 1;
    for (let d = 0; d < inDim; d++) components[k * inDim + d] = sign * vectors[d * inDim + col];
  }
  return { inDim, outDim, mean, components, variances, explained: total > 0 ? kept / total : 0 };
}

/** Centre and project rows onto the kept components. */
export function projectPca(p: Pca, x: Float32Array, rows: number): Float32Array {
  const out = new Float32Array(rows * p.outDim);
  const c = new Float64Array(p.inDim);
  for (let r = 0; r < rows; r++) {
    for (let d = 0; d < p.inDim; d++) c[d] = x[r * p.inDim + d] - p.mean[d];
    for (let k = 0; k < p.outDim; k++) {
      let s = 0;
      const o = k * p.inDim;
      for (let d = 0; d < p.inDim; d++) s += p.components[o + d] * c[d];
      out[r * p.outDim + k] = s;
    }
  }
  return out;
}
