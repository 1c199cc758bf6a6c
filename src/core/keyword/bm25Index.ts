// Okapi BM25 over an inverted index of typed-array postings. Removal is a
// tombstone (postings are filtered on compact()), so an incremental update
// costs only the changed chunks.
import { BinaryReader, BinaryWriter, writeMagic } from '../persist/binary';

const K1 = 1.2;
const B = 0.75;
const MAGIC = 'SFTB';
const VERSION = 1;
// document states in `alive`
const NEVER = 0;
const DEAD = 2;

interface Postings { keys: Int32Array; tfs: Float32Array; n: number }

export interface KeywordHit { key: number; score: number }

export class Bm25Index {
  private readonly postings = new Map<string, Postings>();
  private docLen = new Float32Array(1024);
  private alive = new Uint8Array(1024);
  private liveDocs = 0;
  private deadDocs = 0;
  private totalLen = 0;
  // scratch accumulator reused across queries (sized to the key space)
  private acc = new Float32Array(0);

  get size(): number { return this.liveDocs; }
  /** Fraction of postings that belong to removed documents. */
  get deadRatio(): number { return this.deadDocs / Math.max(1, this.liveDocs + this.deadDocs); }

  has(key: number): boolean { return key < this.alive.length && this.alive[key] === 1; }

  private growDocs(key: number): void {
    if (key < this.alive.length) return;
    let cap = this.alive.length;
    while (cap <= key) cap *= 2;
    const len = new Float32Array(cap); len.set(this.docLen); this.docLen = len;
    const al = new Uint8Array(cap); al.set(this.alive); this.alive = al;
  }

  /**
   * Add a document as term → weighted frequency. Keys must be fresh: a removed
   * key can be used again only after compact(), since its old postings remain.
   */
  add(key: number, termFreqs: Map<string, number>): void {
    this.growDocs(key);
    if (this.alive[key] !== NEVER) throw new Error(`keyword index: key ${key} is already used`);
    let len = 0;
    for (const [term, tf] of termFreqs) {
      let p = this.postings.get(term);
      if (!p) { p = { keys: new Int32Array(4), tfs: new Float32Array(4), n: 0 }; this.postings.set(term, p); }
      if (p.n > 0 && p.keys[p.n - 1] >= key) throw new Error(`keyword index: keys must increase (got ${key} after ${p.keys[p.n - 1]})`);
      if (p.n === p.keys.length) {
        const k = new Int32Array(p.n * 2); k.set(p.keys); p.keys = k;
        const t = new Float32Array(p.n * 2); t.set(p.tfs); p.tfs = t;
      }
      p.keys[p.n] = key; p.tfs[p.n] = tf; p.n++;
      len += tf;
    }
    this.docLen[key] = len;
    this.alive[key] = 1;
    this.liveDocs++;
    this.totalLen += len;
  }

  remove(key: number): boolean {
    if (!this.has(key)) return false;
    this.alive[key] = DEAD;
    this.liveDocs--;
    this.deadDocs++;
    this.totalLen -= this.docLen[key];
    return true;
  }

  /** Drop removed documents from the postings. */
  compact(): void {
    if (this.deadDocs === 0) return;
    for (const [term, p] of this.postings) {
      let w = 0;
      for (let i = 0; i < p.n; i++) {
        const k = p.keys[i];
        if (this.alive[k] === 1) { p.keys[w] = k; p.tfs[w] = p.tfs[i]; w++; }
      }
      if (w === 0) this.postings.delete(term);
      else p.n = w;
    }
    for (let k = 0; k < this.alive.length; k++) if (this.alive[k] === DEAD) this.alive[k] = NEVER;
    this.deadDocs = 0;
  }

  /** Document frequency of a term (live and not-yet-compacted documents). */
  df(term: string): number { return this.postings.get(term)?.n ?? 0; }

  idf(term: string): number {
    const df = this.df(term);
    const n = Math.max(this.liveDocs, df);
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** True when the document holds the term (postings are in ascending key order: keys are issued increasing). */
  contains(term: string, key: number): boolean {
    const p = this.postings.get(term);
    if (!p || !this.has(key)) return false;
    let lo = 0, hi = p.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const k = p.keys[mid];
      if (k === key) return true;
      if (k < key) lo = mid + 1; else hi = mid - 1;
    }
    return false;
  }

  /** Idf-weighted fraction of the terms that the document holds, 0..1. */
  coverage(terms: string[], key: number): number {
    let have = 0, all = 0;
    for (const t of terms) {
      // an unknown term carries the idf of a term seen once
      const idf = this.df(t) > 0 ? this.idf(t) : Math.log(1 + (this.liveDocs + 0.5) / 1.5);
      all += idf;
      if (this.contains(t, key)) have += idf;
    }
    return all > 0 ? have / all : 0;
  }

  /** Top documents by BM25 for distinct query terms, best first. */
  search(terms: string[], limit: number, weights?: number[]): KeywordHit[] {
    if (this.liveDocs === 0 || terms.length === 0 || limit <= 0) return [];
    if (this.acc.length < this.alive.length) this.acc = new Float32Array(this.alive.length);
    const acc = this.acc;
    const touched: number[] = [];
    const avgLen = this.totalLen / Math.max(1, this.liveDocs);
    terms.forEach((term, ti) => {
      const p = this.postings.get(term);
      if (!p) return;
      const idf = this.idf(term) * (weights?.[ti] ?? 1);
      for (let i = 0; i < p.n; i++) {
        const k = p.keys[i];
        if (this.alive[k] !== 1) continue;
        const tf = p.tfs[i];
        const s = idf * (tf * (K1 + 1)) / (tf + K1 * (1 - B + B * this.docLen[k] / avgLen));
        if (acc[k] === 0) touched.push(k);
        acc[k] += s;
      }
    });
    const hits: KeywordHit[] = touched.map((key) => ({ key, score: acc[key] }));
    for (const k of touched) acc[k] = 0;
    hits.sort((a, b) => b.score - a.score || a.key - b.key);
    return hits.length > limit ? hits.slice(0, limit) : hits;
  }

  serialize(): Uint8Array {
    this.compact();
    const w = new BinaryWriter();
    writeMagic(w, MAGIC, VERSION);
    w.f64(this.totalLen).u32(this.liveDocs);
    w.array(this.docLen).array(this.alive);
    w.u32(this.postings.size);
    for (const [term, p] of this.postings) {
      w.string(term);
      w.array(p.keys.subarray(0, p.n)).array(p.tfs.subarray(0, p.n));
    }
    return w.finish();
  }

  static deserialize(buf: Uint8Array): Bm25Index {
    const r = new BinaryReader(buf, 'keyword index');
    r.expectMagic(MAGIC, VERSION);
    const idx = new Bm25Index();
    idx.totalLen = r.f64();
    idx.liveDocs = r.u32();
    idx.docLen = r.f32();
    idx.alive = r.u8();
    const nTerms = r.u32();
    for (let i = 0; i < nTerms; i++) {
      const term = r.string();
      const keys = r.i32();
      const tfs = r.f32();
      idx.postings.set(term, { keys, tfs, n: keys.length });
    }
    r.done();
    return idx;
  }
}
