// Seeded vector data for the vector store's tests.
import { mulberry32 } from '../../training/train/random';

export function gaussian(rand: () => number): () => number {
  return () => {
    const u = Math.max(rand(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
}

export function randomVector(dim: number, normal: () => number): Float32Array {
  const v = new Float32Array(dim);
  for (let j = 0; j < dim; j++) v[j] = normal();
  return v;
}

/** Points around `clusters` random centres: a set with a clear neighbourhood structure. */
export function clusteredSet(count: number, dim: number, clusters: number, spread: number, seed: number): Float32Array[] {
  const normal = gaussian(mulberry32(seed));
  const centres = Array.from({ length: clusters }, () => randomVector(dim, normal));
  return Array.from({ length: count }, (_, i) => {
    const c = centres[i % clusters];
    const v = new Float32Array(dim);
    for (let j = 0; j < dim; j++) v[j] = c[j] + spread * normal();
    return v;
  });
}
