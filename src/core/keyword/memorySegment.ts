// The segment being filled: new chunks' postings in memory until it is
// flushed to a segment file (when it passes the index's memory budget, or
// at save). Postings are kept in arrival (= key) order, chained per term in
// flat typed arrays (no array per term for the collector to trace).
import { detached } from '../text/detached';
import { ResizableArray } from '../resizableArray';
import { storedTf } from './bm25Score';
import { NameSection } from './nameSection';
import type { Postings } from './postings';
import type { SegmentDocs, TermPostings } from './segmentWriter';

// Rough heap bytes per posting (key, tf, next), per distinct term (string,
// map entry, chain ends) and per document (key, length, name), for the budget.
const POSTING_BYTES = 9;
const TERM_BYTES = 96;
const DOC_BYTES = 64;

export class MemorySegment {
  private readonly termIds = new Map<string, number>();
  private readonly terms: string[] = [];
  private head = new Int32Array(0);
  private tail = new Int32Array(0);
  private readonly keyStore = new ResizableArray(Int32Array);
  private readonly tfStore = new ResizableArray(Uint8Array);
  private readonly nextStore = new ResizableArray(Int32Array);
  private count = 0;
  private nameBytes = 0;
  readonly docKeys: number[] = [];
  readonly docLens: number[] = [];
  readonly docNames: string[] = [];
  readonly docNameWords: number[] = [];
  private section: NameSection | null = null;

  get docs(): number { return this.docKeys.length; }
  get firstKey(): number { return this.docKeys.length ? this.docKeys[0] : Infinity; }

  /** Estimated heap bytes held. */
  get bytes(): number {
    return this.count * POSTING_BYTES + this.terms.length * TERM_BYTES + this.docs * DOC_BYTES + this.nameBytes;
  }

  private termId(term: string): number {
    let id = this.termIds.get(term);
    if (id !== undefined) return id;
    id = this.terms.length;
    const own = detached(term);
    this.terms.push(own);
    this.termIds.set(own, id);
    if (id >= this.head.length) {
      const cap = Math.max(1024, this.head.length * 2);
      const h = new Int32Array(cap).fill(-1); h.set(this.head); this.head = h;
      const t = new Int32Array(cap).fill(-1); t.set(this.tail); this.tail = t;
    }
    return id;
  }

  /** Add a document (keys increase from call to call); returns its length (the sum of its frequencies). */
  add(key: number, termFreqs: Map<string, number>, name: string, nameWords: number): number {
    let len = 0;
    for (const [term, tf] of termFreqs) {
      const id = this.termId(term);
      const e = this.count++;
      if (e >= this.keyStore.capacity) for (const s of [this.keyStore, this.tfStore, this.nextStore]) s.reserve(e + 1, e);
      this.keyStore.data[e] = key;
      this.tfStore.data[e] = storedTf(tf);
      this.nextStore.data[e] = -1;
      if (this.tail[id] >= 0) this.nextStore.data[this.tail[id]] = e; else this.head[id] = e;
      this.tail[id] = e;
      len += tf;
    }
    this.docKeys.push(key);
    this.docLens.push(len);
    this.docNames.push(name);
    this.docNameWords.push(nameWords);
    this.nameBytes += 2 * name.length;
    this.section = null;
    return len;
  }

  /** A term's postings (removed keys included), or null. */
  postings(term: string): Postings | null {
    const id = this.termIds.get(term);
    return id === undefined ? null : this.chain(id, () => true);
  }

  private chain(id: number, keep: (key: number) => boolean): Postings {
    const keys = this.keyStore.data, tfs = this.tfStore.data, next = this.nextStore.data;
    let n = 0;
    for (let e = this.head[id]; e >= 0; e = next[e]) if (keep(keys[e])) n++;
    const out = { keys: new Int32Array(n), tfs: new Uint8Array(n) };
    n = 0;
    for (let e = this.head[id]; e >= 0; e = next[e]) if (keep(keys[e])) { out.keys[n] = keys[e]; out.tfs[n] = tfs[e]; n++; }
    return out;
  }

  /** Terms in sorted order with the postings of the kept keys (for a segment file). */
  *sortedTerms(keep: (key: number) => boolean): Generator<TermPostings> {
    // the default sort compares strings natively, as `<` does (a comparator costs seconds at 500K terms)
    for (const term of this.terms.slice().sort()) {
      const p = this.chain(this.termIds.get(term)!, keep);
      yield { term, keys: p.keys, tfs: p.tfs, count: p.keys.length };
    }
  }

  /** The kept documents, for a segment file. */
  docsKept(keep: (key: number) => boolean): SegmentDocs {
    const idx = this.docKeys.map((_, i) => i).filter((i) => keep(this.docKeys[i]));
    return {
      keys: Int32Array.from(idx, (i) => this.docKeys[i]),
      lens: Float32Array.from(idx, (i) => this.docLens[i]),
      nameWords: Uint16Array.from(idx, (i) => Math.min(0xffff, this.docNameWords[i])),
      names: idx.map((i) => this.docNames[i]),
    };
  }

  /** The name index of its documents (removed ones included: the reader skips them), built on first use after an add. */
  names(): NameSection {
    this.section ??= NameSection.build(this.docKeys, this.docNames);
    return this.section;
  }

  /** True when the document holds the term. */
  contains(term: string, key: number): boolean {
    const id = this.termIds.get(term);
    if (id === undefined) return false;
    const keys = this.keyStore.data, next = this.nextStore.data;
    for (let e = this.head[id]; e >= 0; e = next[e]) if (keys[e] === key) return true;
    return false;
  }
}
