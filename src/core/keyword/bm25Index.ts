// Okapi BM25 over an inverted index kept as one compressed-sparse-row block
// (a term's postings are a slice of two big typed arrays) plus a delta of
// recent additions, merged into the block on compact(). Both live in typed
// arrays: 100K chunks cost a few arrays, not a few hundred thousand little ones
// for the garbage collector to trace and move. Removal is a tombstone.
import { selectTopK } from '../topK';
import { detached } from '../text/detached';
import { CorruptIndexError } from '../errors';
import { BinaryReader, BinaryWriter, writeMagic } from '../persist/binary';
import { holding, ResizableArray } from '../resizableArray';
import { idf, storedTf, termScore, unseenIdf } from './bm25Score';

const MAGIC = 'SFTB';
const VERSION = 3; // 3: term frequencies as bytes
// document states in `state`
const NEVER = 0;
const LIVE = 1;
const DEAD = 2;
/**
 * The delta is merged into the main block once it holds this many postings or
 * an eighth of the block, whichever is larger: merging moves the whole block
 * (in place), so the cost stays amortised linear and the delta small.
 */
const DELTA_MERGE_MIN = 262_144;

export interface KeywordHit { key: number; score: number }

export class Bm25Index {
  // term dictionary: term → id; ids index `offsets` (main block) and the delta's chains
  private termIds = new Map<string, number>();
  private terms: string[] = [];
  // main block (CSR): postings of term t are keys/tfs[offsets[t] .. offsets[t+1]),
  // sized exactly between merges (they grow and shrink in place)
  private offsets = new Uint32Array(1);
  private keyStore = new ResizableArray(Int32Array);
  private tfStore = new ResizableArray(Uint8Array);
  // delta: postings in arrival (= key) order, chained per term: head/tail by term id, next by entry
  private readonly dKeyStore = new ResizableArray(Int32Array);
  private readonly dTfStore = new ResizableArray(Uint8Array);
  private readonly dTermStore = new ResizableArray(Int32Array);
  private readonly dNextStore = new ResizableArray(Int32Array);
  private readonly deltaStores = [this.dKeyStore, this.dTfStore, this.dTermStore, this.dNextStore];
  // the stores' current views, re-read after they resize (see views())
  private keys = this.keyStore.data;
  private tfs = this.tfStore.data;
  private dKey = this.dKeyStore.data;
  private dTf = this.dTfStore.data;
  private dTerm = this.dTermStore.data;
  private dNext = this.dNextStore.data;
  private dCount = 0;
  private dHead = new Int32Array(0);
  private dTail = new Int32Array(0);
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

  private get mainPostings(): number { return this.offsets[this.offsets.length - 1]; }

  private growDocs(key: number): void {
    this.docLen = holding(this.docLen, key);
    this.state = holding(this.state, key);
  }

  /** Per-term arrays (df, delta chain ends) sized for `n` terms; new slots empty. */
  private sizeTermArrays(n: number): void {
    if (n <= this.df.length) return;
    const cap = Math.max(1024, n, this.df.length * 2);
    const df = new Uint32Array(cap); df.set(this.df); this.df = df;
    const head = new Int32Array(cap).fill(-1); head.set(this.dHead); this.dHead = head;
    const tail = new Int32Array(cap).fill(-1); tail.set(this.dTail); this.dTail = tail;
  }

  private termId(term: string): number {
    let id = this.termIds.get(term);
    if (id === undefined) {
      id = this.terms.length;
      const own = detached(term);
      this.terms.push(own);
      this.termIds.set(own, id);
      this.sizeTermArrays(id + 1);
    }
    return id;
  }

  private views(): void {
    this.keys = this.keyStore.data;
    this.tfs = this.tfStore.data;
    this.dKey = this.dKeyStore.data;
    this.dTf = this.dTfStore.data;
    this.dTerm = this.dTermStore.data;
    this.dNext = this.dNextStore.data;
  }

  private appendDelta(id: number, key: number, tf: number): void {
    const e = this.dCount++;
    if (e >= this.dKey.length) {
      for (const d of this.deltaStores) d.reserve(e + 1, e);
      this.views();
    }
    this.dKey[e] = key; this.dTf[e] = storedTf(tf); this.dTerm[e] = id; this.dNext[e] = -1;
    if (this.dTail[id] >= 0) this.dNext[this.dTail[id]] = e; else this.dHead[id] = e;
    this.dTail[id] = e;
  }

  /**
   * Add a document as term → weighted frequency (kept as a whole number, 1..255).
   * Keys must increase from one call to the next (the engine issues them so);
   * this keeps postings sorted.
   */
  add(key: number, termFreqs: Map<string, number>): void {
    if (!Number.isInteger(key) || key < 0) throw new Error(`keyword index: bad key ${key}`);
    if (key <= this.lastKey) throw new Error(`keyword index: keys must increase (got ${key} after ${this.lastKey})`);
    this.growDocs(key);
    let len = 0;
    for (const [term, tf] of termFreqs) {
      const id = this.termId(term);
      this.appendDelta(id, key, tf);
      this.df[id]++;
      len += tf;
    }
    this.lastKey = key;
    this.docLen[key] = len;
    this.state[key] = LIVE;
    this.liveDocs++;
    this.totalLen += len;
    if (this.dCount >= Math.max(DELTA_MERGE_MIN, this.mainPostings >> 3)) this.compact();
  }

  remove(key: number): boolean {
    if (!this.has(key)) return false;
    this.state[key] = DEAD;
    this.liveDocs--;
    this.deadDocs++;
    this.totalLen -= this.docLen[key];
    return true;
  }

  /**
   * Merge the delta into the main block and drop removed documents, in place:
   * a forward pass squeezes out dead postings, then a backward pass moves each
   * term's postings right to their new start and appends its delta. The block
   * is resized to exactly its postings, in place (a resizable buffer), so a
   * merge never holds a second copy of it.
   */
  compact(): void {
    if (this.dCount === 0 && this.deadDocs === 0) return;
    const nTerms = this.terms.length;
    const mainTerms = this.offsets.length - 1;
    const state = this.state;
    // live postings per term in the main block, squeezed to the front when some died
    const mainLive = new Uint32Array(nTerms);
    const mainStart = new Uint32Array(nTerms);
    let w = 0;
    for (let t = 0; t < mainTerms; t++) {
      const a = this.offsets[t], b = this.offsets[t + 1];
      mainStart[t] = w;
      if (this.deadDocs === 0) { w += b - a; mainLive[t] = b - a; continue; }
      for (let i = a; i < b; i++) {
        const k = this.keys[i];
        if (state[k] === LIVE) { this.keys[w] = k; this.tfs[w] = this.tfs[i]; w++; }
      }
      mainLive[t] = w - mainStart[t];
    }
    const counts = new Uint32Array(nTerms);
    counts.set(mainLive);
    for (let e = 0; e < this.dCount; e++) if (state[this.dKey[e]] === LIVE) counts[this.dTerm[e]]++;
    // drop terms that no live document holds, renumbering the rest
    const remap = new Int32Array(nTerms);
    let kept = 0;
    for (let t = 0; t < nTerms; t++) remap[t] = counts[t] > 0 ? kept++ : -1;
    const offsets = new Uint32Array(kept + 1);
    for (let t = 0; t < nTerms; t++) if (remap[t] >= 0) offsets[remap[t] + 1] = counts[t];
    for (let i = 0; i < kept; i++) offsets[i + 1] += offsets[i];
    const total = offsets[kept];
    if (total > this.keys.length) {
      this.keyStore.fit(total, w);
      this.tfStore.fit(total, w);
      this.views();
    }
    // a term's new start is never left of its squeezed start (earlier terms only gained), so walking
    // backwards never overwrites postings not yet moved
    for (let t = nTerms - 1; t >= 0; t--) {
      const nt = remap[t];
      if (nt < 0) continue;
      let dst = offsets[nt];
      const m = mainLive[t];
      if (m > 0 && dst !== mainStart[t]) {
        this.keys.copyWithin(dst, mainStart[t], mainStart[t] + m);
        this.tfs.copyWithin(dst, mainStart[t], mainStart[t] + m);
      }
      dst += m;
      for (let e = this.dHead[t]; e >= 0; e = this.dNext[e]) {
        if (state[this.dKey[e]] !== LIVE) continue;
        this.keys[dst] = this.dKey[e]; this.tfs[dst] = this.dTf[e]; dst++;
      }
    }
    if (total < this.keys.length) { // removals: give the room back
      this.keyStore.fit(total);
      this.tfStore.fit(total);
      this.views();
    }
    for (let k = 0; k < state.length; k++) if (state[k] === DEAD) state[k] = NEVER;
    if (kept !== nTerms) {
      const terms: string[] = [];
      for (let t = 0; t < nTerms; t++) if (remap[t] >= 0) terms.push(this.terms[t]);
      this.terms = terms;
      this.termIds = new Map(terms.map((term, i) => [term, i]));
    }
    this.offsets = offsets;
    this.df.fill(0);
    for (let t = 0; t < nTerms; t++) if (remap[t] >= 0) this.df[remap[t]] = counts[t];
    this.dHead.fill(-1);
    this.dTail.fill(-1);
    this.dCount = 0;
    this.deadDocs = 0;
  }

  /**
   * Give the documents new keys: remap[old] is the new key, increasing with
   * the old one (so postings stay sorted), for every live document; `count`
   * new keys in all. Merges first, so only the main block needs rewriting.
   */
  renumber(remap: Int32Array, count: number): void {
    this.compact();
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) {
      const k = remap[keys[i]];
      if (!(k >= 0 && k < count)) throw new Error(`keyword index: no new key for document ${keys[i]}`);
      keys[i] = k;
    }
    const docLen = new Float32Array(Math.max(1024, count));
    const state = new Uint8Array(Math.max(1024, count));
    for (let k = 0; k < this.state.length; k++) {
      if (this.state[k] !== LIVE) continue;
      const n = remap[k];
      if (!(n >= 0 && n < count)) throw new Error(`keyword index: no new key for document ${k}`);
      docLen[n] = this.docLen[k];
      state[n] = LIVE;
    }
    this.docLen = docLen;
    this.state = state;
    this.lastKey = count - 1;
    this.acc = new Float32Array(0);
  }

  /** Document frequency of a term (live and not-yet-compacted documents). */
  docFreq(term: string): number {
    const id = this.termIds.get(term);
    return id === undefined ? 0 : this.df[id];
  }

  idf(term: string): number {
    return idf(this.docFreq(term), this.liveDocs);
  }

  /** Calls fn(key, tf) for every live posting of a term. */
  private forEachPosting(id: number, fn: (key: number, tf: number) => void): void {
    if (id < this.offsets.length - 1) {
      for (let i = this.offsets[id]; i < this.offsets[id + 1]; i++) {
        const k = this.keys[i];
        if (this.state[k] === LIVE) fn(k, this.tfs[i]);
      }
    }
    for (let e = this.dHead[id]; e >= 0; e = this.dNext[e]) if (this.state[this.dKey[e]] === LIVE) fn(this.dKey[e], this.dTf[e]);
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
    for (let e = this.dHead[id]; e >= 0; e = this.dNext[e]) if (this.dKey[e] === key) return true;
    return false;
  }

  /** Idf-weighted fraction of the terms that the document holds, 0..1. */
  coverage(terms: string[], key: number): number {
    let have = 0, all = 0;
    for (const t of terms) {
      // an unknown term carries the idf of a term seen once
      const w = this.docFreq(t) > 0 ? this.idf(t) : unseenIdf(this.liveDocs);
      all += w;
      if (this.contains(t, key)) have += w;
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
      const w = this.idf(term) * (weights?.[ti] ?? 1);
      this.forEachPosting(id, (k, tf) => {
        const s = termScore(w, tf, this.docLen[k], avgLen);
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
    // the delta is empty until the next addition: its room goes back too
    for (const d of this.deltaStores) d.fit(0);
    this.views();
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
    idx.keyStore = new ResizableArray(Int32Array, r.i32());
    idx.tfStore = new ResizableArray(Uint8Array, r.u8());
    idx.views();
    r.done();
    if (idx.offsets.length !== idx.terms.length + 1 || idx.offsets[idx.terms.length] !== idx.keys.length || idx.keys.length !== idx.tfs.length) {
      throw new CorruptIndexError('keyword index: inconsistent postings');
    }
    idx.sizeTermArrays(idx.terms.length);
    for (let t = 0; t < idx.terms.length; t++) idx.df[t] = idx.offsets[t + 1] - idx.offsets[t];
    return idx;
  }
}
