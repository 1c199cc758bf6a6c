// BM25 restricted to a candidate set: the CodeSearchNet protocol ranks each
// query's code among 1,000 candidates, so document frequencies and the average
// length come from those candidates. Terms are the engine's own
// (chunkTermFreqs / queryTerms), with the engine's constants.
import { chunkTermFreqs, queryTerms } from '../../src/core/keyword/keywordIndex';

const K1 = 1.2;
const B = 0.75;

export interface Bm25Doc {
  text: string;
  name?: string;
}

export class CandidateBm25 {
  private readonly termIds = new Map<string, number>();
  private readonly docLen: Float64Array;
  /** Per term: ascending document ids and weighted frequencies. */
  private readonly postDocs: Int32Array[];
  private readonly postTfs: Float32Array[];
  /** Candidate slot of a document during one score() call (stamped by call number). */
  private readonly slotStamp: Int32Array;
  private readonly slot: Int32Array;
  private calls = 0;

  constructor(docs: Bm25Doc[]) {
    this.docLen = new Float64Array(docs.length);
    const docTerms: Int32Array[] = [];
    const docTfs: Float32Array[] = [];
    docs.forEach((doc, i) => {
      const tf = chunkTermFreqs({ name: doc.name ?? '', signature: '', text: doc.text });
      const terms = new Int32Array(tf.size);
      const tfs = new Float32Array(tf.size);
      let k = 0;
      let len = 0;
      for (const [term, f] of tf) {
        let id = this.termIds.get(term);
        if (id === undefined) this.termIds.set(term, (id = this.termIds.size));
        terms[k] = id;
        tfs[k++] = f;
        len += f;
      }
      docTerms.push(terms);
      docTfs.push(tfs);
      this.docLen[i] = len;
    });
    const df = new Int32Array(this.termIds.size);
    for (const terms of docTerms) for (const t of terms) df[t]++;
    this.postDocs = Array.from(df, (n) => new Int32Array(n));
    this.postTfs = Array.from(df, (n) => new Float32Array(n));
    const fill = new Int32Array(this.termIds.size);
    docTerms.forEach((terms, doc) => {
      terms.forEach((t, k) => {
        this.postDocs[t][fill[t]] = doc;
        this.postTfs[t][fill[t]++] = docTfs[doc][k];
      });
    });
    this.slotStamp = new Int32Array(docs.length).fill(-1);
    this.slot = new Int32Array(docs.length);
  }

  get size(): number {
    return this.docLen.length;
  }

  /** Term ids of a query's distinct terms that occur in some document (others score 0 everywhere). */
  queryIds(query: string): number[] {
    const ids: number[] = [];
    for (const t of queryTerms(query)) {
      const id = this.termIds.get(t);
      if (id !== undefined) ids.push(id);
    }
    return ids;
  }

  /** BM25 of each candidate for the query terms, statistics over the candidates only. */
  score(terms: number[], candidates: ArrayLike<number>, out: Float64Array): void {
    const n = candidates.length;
    out.fill(0, 0, n);
    if (terms.length === 0 || n === 0) return;
    const call = this.calls++;
    let total = 0;
    for (let c = 0; c < n; c++) {
      const doc = candidates[c];
      total += this.docLen[doc];
      this.slotStamp[doc] = call;
      this.slot[doc] = c;
    }
    const avg = total / n || 1;
    const tf = new Float64Array(n);
    for (const term of terms) {
      let df = 0;
      // Walking the term's postings (sequential reads) beats looking the term up in each candidate.
      const docs = this.postDocs[term];
      const tfs = this.postTfs[term];
      tf.fill(0);
      for (let x = 0; x < docs.length; x++) {
        const doc = docs[x];
        if (this.slotStamp[doc] !== call) continue;
        tf[this.slot[doc]] = tfs[x];
        df++;
      }
      if (df === 0) continue;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (let c = 0; c < n; c++) {
        const f = tf[c];
        if (f > 0) out[c] += (idf * f * (K1 + 1)) / (f + K1 * (1 - B + (B * this.docLen[candidates[c]]) / avg));
      }
    }
  }
}
