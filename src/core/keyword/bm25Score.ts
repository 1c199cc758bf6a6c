// Okapi BM25's arithmetic, shared by every keyword index shape (one block,
// segments) so their scores agree to the last bit.
export const K1 = 1.2;
export const B = 0.75;

/** Term frequencies are stored as whole numbers up to this (BM25 saturates long before). */
const MAX_TF = 255;

export function storedTf(tf: number): number {
  return tf >= MAX_TF ? MAX_TF : tf <= 1 ? 1 : Math.round(tf);
}

/** Idf of a term held by `df` of `live` documents. */
export function idf(df: number, live: number): number {
  const n = Math.max(live, df);
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/** The idf an unknown term carries in coverage(): that of a term seen once. */
export function unseenIdf(live: number): number {
  return Math.log(1 + (live + 0.5) / 1.5);
}

/** One term's contribution to a document's score. */
export function termScore(termIdf: number, tf: number, docLen: number, avgLen: number): number {
  return termIdf * (tf * (K1 + 1)) / (tf + K1 * (1 - B + B * docLen / avgLen));
}
