// Okapi BM25 over an inverted index kept as one compressed-sparse-row block
// (a term's postings are a slice of two big typed arrays) plus a small delta of
// recent additions, merged into the block on compact(). 100K chunks cost a few
// typed arrays, not a few hundred thousand little ones. Removal is a tombstone.
import { selectTopK } from '../topK';
import { detached } from '../text/detached';
import { CorruptIndexError } from '../errors';
import { BinaryReader, BinaryWriter, writeMagic } from '../persist/binary';

const K1 = 1.2;
const B = 0.75;
const MAGIC = 'SFTB';
const VERSION = 2;
// document states in `state`
const NEVER = 0;
const LIVE = 1;
const DEAD = 2;
/**
 * Delta postings (small JS arrays, heap-hungry) are merged into the main block
 * once they reach this many entries or a quarter of the block, whichever is
 * larger: bounded memory, amortised linear cost.
 */
const DELTA_MERGE_MIN = 262_144;

export interface KeywordHit { key: number; score: number }

export class Bm25Index {
  // term dictionary: term → id; ids index `offsets` (main block) and `delta`
  private termIds = new Map<string, number>();
  private terms: string[] = [];
  // main block (CSR): postings of term t are keys/tfs[offsets[t] .. offsets[t+1])
  private offsets = new Uint32Array(1);
  private keys = new Int32Array(0);
  private tfs = new Float32Array(0);
  // recent additions, per term id: [key, tf, key, tf, …]
  private delta = new Map<number, number[]>();
  private deltaEntries = 0;
  private docLen = new Float32Array(1024);
  private state = new Uint8Array(1024);
  private df = new Uint32Array(0); // live + not-yet-compacted documents per term
  private liveDocs = 0;
  private deadDocs = 0;
  private totalLen = 0;
  private lastKey = -1;
  private acc = new Float32Array(0); // scratch accumulator reused across queries

  get size(): number { return this.liveDocs; }

  has(key: number): boolean { return key >= 0 && key < this.state.length && this.state[key] === LIVE; }

  private growDocs(key: number): void {
    if (key < this.state.length) return;
    let cap = this.state.length;
    while (cap <= key) cap *= 2;
    const len = new Float32Array(cap); len.set(this.docLen); this.docLen = len;
    const st = new Uint8Array(cap); st.set(this.state); this.state = st;
  }

  private termId(term: string): number {
    let id = this.termIds.get(term);
    if (id === undefined) {
      id = this.terms.length;
      const own = detached(term);
      this.terms.push(own);
      this.termIds.set(own, id);
      if (id >= this.df.length) {
        const d = new Uint32Array(Math.max(1024, this.df.length * 2)); d.set(this.df); this.df = d;
      }
    }
    return id;
  }

  /**
   * Add a document as term → weighted frequency. Keys must increase from one
   * call to the next (the engine issues them so); this keeps postings sorted.
   */
  add(key: number, termFreqs: Map<string, number>): void {
    if (!Number.isInteger(key) || key < 0) throw new Error(`keyword index: bad key ${key}`);
    if (key <= this.lastKey) throw new Error(`keyword index: keys must increase (got ${key} after ${this.lastKey})`);
    this.growDocs(key);
    let len = 0;
    for (const [term, tf] of termFreqs) {
      const id = this.termId(term);
      let list = this.delta.get(id);
      if (!list) { list = []; this.delta.set(id, list); }
      list.push(key, tf);
      this.df[id]++;
      this.deltaEntries++;
      len += tf;
    }
    this.lastKey = key;
    this.docLen[key] = len;
    this.state[key] = LIVE;
    this.liveDocs++;
    this.totalLen += len;
    if (this.deltaEntries >= Math.max(DELTA_MERGE_MIN, this.keys.length >> 2)) this.compact();
  }

  remove(key: number): boolean {
    if (!this.has(key)) return false;
    this.state[key] = DEAD;
    this.liveDocs--;
    this.deadDocs++;
    this.totalLen -= this.docLen[key];
    return true;
  }

  /** Merge the delta into the main block and drop removed documents. */
  compact(): void {
    if (this.deltaEntries === 0 && this.deadDocs === 0) return;
    const nTerms = this.terms.length;
    const counts = new Uint32Array(nTerms + 1);
    const oldOffsets = this.offsets;
    const oldTerms = oldOffsets.length - 1;
    for (let t = 0; t < nTerms; t++) {
      let c = 0;
      if (t < oldTerms) for (let i = oldOffsets[t]; i < oldOffsets[t + 1]; i++) if (this.state[this.keys[i]] === LIVE) c++;
      const d = this.delta.get(t);
      if (d) for (let i = 0; i < d.length; i += 2) if (this.state[d[i]] === LIVE) c++;
      counts[t] = c;
    }
    // drop terms that no live document holds, renumbering the rest
    const remap = new Int32Array(nTerms).fill(-1);
    const terms: string[] = [];
    for (let t = 0; t < nTerms; t++) if (counts[t] > 0) { remap[t] = terms.length; terms.push(this.terms[t]); }
    const offsets = new Uint32Array(terms.length + 1);
    for (let t = 0; t < nTerms; t++) if (remap[t] >= 0) offsets[remap[t] + 1] = counts[t];
    for (let i = 0; i < terms.length; i++) offsets[i + 1] += offsets[i];
    const total = offsets[terms.length];
    const keys = new Int32Array(total);
    const tfs = new Float32Array(total);
    const df = new Uint32Array(Math.max(1024, terms.length));
    for (let t = 0; t < nTerms; t++) {
      const nt = remap[t];
      if (nt < 0) continue;
      let w = offsets[nt];
      if (t < oldTerms) {
        for (let i = oldOffsets[t]; i < oldOffsets[t + 1]; i++) {
          const k = this.keys[i];
          if (this.state[k] === LIVE) { keys[w] = k; tfs[w] = this.tfs[i]; w++; }
        }
      }
      const d = this.delta.get(t);
      if (d) for (let i = 0; i < d.length; i += 2) if (this.state[d[i]] === LIVE) { keys[w] = d[i]; tfs[w] = d[i + 1]; w++; }
      df[nt] = counts[t];
    }
    for (let k = 0; k < this.state.length; k++) if (this.state[k] === DEAD) this.state[k] = NEVER;
    this.terms = terms;
    this.termIds = new Map(terms.map((t, i) => [t, i]));
    this.offsets = offsets;
    this.keys = keys;
    this.tfs = tfs;
    this.df = df;
    this.delta = new Map();
    this.deltaEntries = 0;
    this.deadDocs = 0;
  }

  /** Document frequency of a term (live and not-yet-compacted documents). */
  docFreq(term: string): number {
    const id = this.termIds.get(term);
    return id === undefined ? 0 : this.df[id];
  }

  idf(term: string): number {
    const df = this.docFreq(term);
    const n = Math.max(this.liveDocs, df);
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** Calls fn(key, tf) for every live posting of a term. */
  private forEachPosting(id: number, fn: (key: number, tf: number) => void): void {
    if (id < this.offsets.length - 1) {
      for (let i = this.offsets[id]; i < this.offsets[id + 1]; i++) {
        const k = this.keys[i];
        if (this.state[k] === LIVE) fn(k, this.tfs[i]);
      }
    }
    const d = this.delta.get(id);
    if (d) for (let i = 0; i < d.length; i += 2) if (this.state[d[i]] === LIVE) fn(d[i], d[i + 1]);
  }

  /** True when the document holds the term (postings are in ascending key order in both parts). */
  contains(term: string, key: number): boolean {
    const id = this.termIds.get(term);
    if (id === undefined || !this.has(key)) return false;
    if (id < this.offsets.length - 1) {
      let lo = this.offsets[id], hi = this.offsets[id + 1] - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const k = this.keys[mid];
        if (k === key) return true;
        if (k < key) lo = mid + 1; else hi = mid - 1;
      }
    }
    const d = this.delta.get(id);
    if (d) for (let i = 0; i < d.length; i += 2) if (d[i] === key) return true;
    return false;
  }

  /** Idf-weighted fraction of the terms that the document holds, 0..1. */
  coverage(terms: string[], key: number): number {
    let have = 0, all = 0;
    for (const t of terms) {
      // an unknown term carries the idf of a term seen once
      const idf = this.docFreq(t) > 0 ? this.idf(t) : Math.log(1 + (this.liveDocs + 0.5) / 1.5);
      all += idf;
      if (this.contains(t, key)) have += idf;
    }
    return all > 0 ? have / all : 0;
  }

  /** Top documents by BM25 for distinct query terms, best first. */
  search(terms: string[], limit: number, weights?: number[]): KeywordHit[] {
    if (this.liveDocs === 0 || terms.length === 0 || limit <= 0) return [];
    if (this.acc.length < this.state.length) this.acc = new Float32Array(this.state.length);
    const acc = this.acc;
    const touched: number[] = [];
    const avgLen = this.totalLen / Math.max(1, this.liveDocs);
    terms.forEach((term, ti) => {
      const id = this.termIds.get(term);
      if (id === undefined) return;
      const idf = this.idf(term) * (weights?.[ti] ?? 1);
      this.forEachPosting(id, (k, tf) => {
        const s = idf * (tf * (K1 + 1)) / (tf + K1 * (1 - B + B * this.docLen[k] / avgLen));
        if (acc[k] === 0) touched.push(k);
        acc[k] += s;
      });
    });
    // common words touch most documents: select the top without sorting them all
    const values = new Float64Array(touched.length);
    for (let i = 0; i < touched.length; i++) values[i] = acc[touched[i]];
    for (const k of touched) acc[k] = 0;
    return selectTopK(values, touched, touched.length, limit).map(({ slot, value }) => ({ key: touched[slot], score: value }));
  }

  serialize(): Uint8Array {
    return this.writer().finish();
  }

  /** serialize()'s bytes as pieces that view the index's arrays: write them before changing the index. */
  serializePieces(): Uint8Array[] {
    return this.writer().finishPieces();
  }

  private writer(): BinaryWriter {
    this.compact();
    const w = new BinaryWriter();
    writeMagic(w, MAGIC, VERSION);
    w.f64(this.totalLen).u32(this.liveDocs).u32(this.lastKey + 1);
    w.array(this.docLen).array(this.state);
    w.string(this.terms.join('\n'));
    w.array(this.offsets).array(this.keys).array(this.tfs);
    return w;
  }

  static deserialize(buf: Uint8Array): Bm25Index {
    const r = new BinaryReader(buf, 'keyword index');
    r.expectMagic(MAGIC, VERSION);
    const idx = new Bm25Index();
    idx.totalLen = r.f64();
    idx.liveDocs = r.u32();
    idx.lastKey = r.u32() - 1;
    idx.docLen = r.f32();
    idx.state = r.u8();
    const joined = r.string();
    idx.terms = joined ? joined.split('\n') : [];
    idx.termIds = new Map(idx.terms.map((t, i) => [t, i]));
    idx.offsets = r.u32s();
    idx.keys = r.i32();
    idx.tfs = r.f32();
    r.done();
    if (idx.offsets.length !== idx.terms.length + 1 || idx.offsets[idx.terms.length] !== idx.keys.length || idx.keys.length !== idx.tfs.length) {
      throw new CorruptIndexError('keyword index: inconsistent postings');
    }
    idx.df = new Uint32Array(Math.max(1024, idx.terms.length));
    for (let t = 0; t < idx.terms.length; t++) idx.df[t] = idx.offsets[t + 1] - idx.offsets[t];
    return idx;
  }
}
