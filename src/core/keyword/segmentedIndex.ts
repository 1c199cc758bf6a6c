// The keyword side of hybrid search on disk, Lucene style: immutable segment
// files plus an in-memory segment for new chunks, flushed to a file when it
// passes a memory budget (so indexing holds a bounded amount) and at save;
// neighbouring segments are merged by a log merge policy (mergePolicy.ts),
// term by term, dropping removed chunks. Removal marks a key; a commit
// lists the keys removed from its segments (deletesFile.ts).
//
// Opening reads each segment's head only (doc keys and lengths, block index,
// name index): a query's postings and dictionary blocks are read on demand
// (segment.ts) and cached. Scores equal those of one Bm25Index over the same
// live chunks once compacted (as after a save): N, the average length and
// every document frequency count live chunks only.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorruptIndexError } from '../errors';
import { ensureDir } from '../persist/ensureDir';
import type { Chunk } from '../types';
import type { KeywordHit } from './bm25Index';
import { Bm25Sums, indexOfKey } from './bm25Accumulate';
import { idf, unseenIdf } from './bm25Score';
import { chunkTermFreqs } from './chunkTerms';
import { readDeletes, writeDeletes } from './deletesFile';
import { LruCache } from './lruCache';
import { MemorySegment } from './memorySegment';
import { mergedDocs, mergedTerms } from './mergeSegments';
import { pickMerge } from './mergePolicy';
import { rankNames, symbolWords } from './nameRank';
import type { Postings } from './postings';
import { Segment, type SegmentCache } from './segment';
import { deletesFileName, fileGeneration, type KeywordCommit, keywordFiles, segmentFileName } from './segmentFormat';
import { SegmentNames } from './segmentNames';
import { KeyTable, LIVE } from './keyTable';
import type { KeywordSource } from './keywordSource';
import { writeSegment } from './segmentWriter';

/** Heap bytes the in-memory segment may hold before it is written out. */
export const MEMORY_BUDGET = 48 << 20;
/** Bytes of decoded postings and dictionary blocks kept between queries. */
const CACHE_BYTES = 32 << 20;
/** Query terms whose live document counts are remembered until the next change. */
const DF_MEMO_MAX = 10_000;

export interface SegmentedOptions { memoryBudget?: number; cacheBytes?: number }

export interface SegmentedStats { segments: number; flushes: number; merges: number; memoryBytes: number; cacheBytes: number }

export class SegmentedKeywordIndex implements KeywordSource {
  private segments: Segment[] = [];
  private memory = new MemorySegment();
  private readonly cache: SegmentCache;
  private readonly budget: number;
  private keys = new KeyTable();
  private lastKey = -1;
  private acc = new Float32Array(0);
  private dfMemo = new Map<string, number>();
  private nextGen: number;
  /** Files named by the last commit known written (their deletion waits for the next one). */
  private committed = new Set<string>();
  private saved: KeywordCommit | null = null;
  private flushes = 0;
  private merges = 0;
  /** Memory at which to write the in-memory segment out next (above the budget after a failed write). */
  private flushAt: number;

  private constructor(readonly dir: string, opts: SegmentedOptions) {
    this.budget = opts.memoryBudget ?? MEMORY_BUDGET;
    this.flushAt = this.budget;
    this.cache = new LruCache(opts.cacheBytes ?? CACHE_BYTES);
    this.nextGen = highestGeneration(dir) + 1;
  }

  /** An empty index whose segment files go to `dir` (created when first needed). */
  static create(dir: string, opts: SegmentedOptions = {}): SegmentedKeywordIndex {
    return new SegmentedKeywordIndex(dir, opts);
  }

  /** Open a commit's segments (heads only); anything missing, short or damaged is a CorruptIndexError. */
  static open(dir: string, commit: KeywordCommit, opts: SegmentedOptions = {}): SegmentedKeywordIndex {
    const idx = new SegmentedKeywordIndex(dir, opts);
    try {
      if (!commit || !Array.isArray(commit.segments)) throw new CorruptIndexError('keyword commit lists no segments');
      for (const ref of commit.segments) {
        const s = Segment.open(dir, ref, idx.cache);
        idx.segments.push(s);
        if (s.keys.length === 0) continue;
        if (s.minKey <= idx.lastKey) throw new CorruptIndexError(`${ref.name}: keys overlap the previous segment's`);
        idx.keys.grow(s.maxKey);
        for (let i = 0; i < s.keys.length; i++) idx.keys.add(s.keys[i], s.lens[i], s.nameWords[i]);
        idx.lastKey = s.maxKey;
      }
      if (commit.deletes) {
        for (const k of readDeletes(dir, commit.deletes)) {
          if (!idx.has(k)) throw new CorruptIndexError(`${commit.deletes.name}: removes ${k}, which no segment holds`);
          idx.remove(k);
        }
      }
    } catch (e) {
      idx.close();
      throw e;
    }
    idx.committed = commitFiles(commit);
    idx.saved = commit;
    return idx;
  }

  get size(): number { return this.keys.live; }
  get stats(): SegmentedStats {
    return { segments: this.segments.length, flushes: this.flushes, merges: this.merges, memoryBytes: this.memory.bytes, cacheBytes: this.cache.weight };
  }

  has(key: number): boolean { return this.keys.has(key); }

  /** Add a chunk; keys must increase from call to call (the engine issues them so). */
  add(key: number, chunk: Pick<Chunk, 'name' | 'signature' | 'text'>): void {
    if (!Number.isInteger(key) || key < 0) throw new Error(`keyword index: bad key ${key}`);
    if (key <= this.lastKey) throw new Error(`keyword index: keys must increase (got ${key} after ${this.lastKey})`);
    const name = chunk.name ?? '';
    const words = name ? Math.min(0xffff, symbolWords(name).length) : 0;
    const len = this.memory.add(key, chunkTermFreqs(chunk), name, words);
    this.lastKey = key;
    this.keys.add(key, len, words);
    this.dfMemo.clear();
    if (this.memory.bytes > this.flushAt) this.flushForBudget();
  }

  // A folder that cannot be written (read-only, full) keeps the chunks in memory: indexing goes on,
  // the next try waits until memory doubles, and save() reports the error.
  private flushForBudget(): void {
    try {
      this.flush();
      this.flushAt = this.budget;
    } catch {
      this.flushAt = 2 * this.memory.bytes;
    }
  }

  remove(key: number): boolean {
    if (!this.keys.remove(key)) return false;
    this.dfMemo.clear();
    return true;
  }

  /** Nothing to do: removed chunks are dropped by merges (kept for the engine's call). */
  compact(): void { /* merges compact */ }

  /** Build the in-memory segment's name index now, so the first name search does not. */
  prepareNames(): void { this.memory.names(); }

  // --- search -------------------------------------------------------------

  private lists(term: string): Postings[] {
    const out: Postings[] = [];
    for (const s of this.segments) { const p = s.postings(term); if (p) out.push(p); }
    const m = this.memory.postings(term);
    if (m) out.push(m);
    return out;
  }

  private liveCount(lists: Postings[]): number {
    let n = 0;
    const state = this.keys.state;
    for (const p of lists) for (let i = 0; i < p.keys.length; i++) if (state[p.keys[i]] === LIVE) n++;
    return n;
  }

  /** Live documents holding the term. */
  docFreq(term: string): number {
    let df = this.dfMemo.get(term);
    if (df === undefined) { df = this.liveCount(this.lists(term)); this.memoDf(term, df); }
    return df;
  }

  private memoDf(term: string, df: number): void {
    if (this.dfMemo.size >= DF_MEMO_MAX) this.dfMemo.clear();
    this.dfMemo.set(term, df);
  }

  /** Top chunks by BM25 for distinct query terms (queryTerms()), best first. */
  search(terms: string[], limit: number): KeywordHit[] {
    const { state, len, live } = this.keys;
    if (live === 0 || terms.length === 0 || limit <= 0) return [];
    if (this.acc.length < state.length) this.acc = new Float32Array(state.length);
    const sums = new Bm25Sums(this.acc);
    const avgLen = this.keys.avgLen;
    for (const term of terms) {
      const lists = this.lists(term);
      const df = this.liveCount(lists);
      if (df === 0) continue;
      this.memoDf(term, df);
      const w = idf(df, live);
      for (const p of lists) sums.add(p.keys, p.tfs, w, len, avgLen, state, LIVE);
    }
    return sums.top(limit);
  }

  /** True when the chunk holds the term. */
  contains(term: string, key: number): boolean {
    if (!this.has(key)) return false;
    if (key >= this.memory.firstKey) return this.memory.contains(term, key);
    const s = this.segmentOf(key);
    const p = s?.postings(term);
    return !!p && indexOfKey(p.keys, key) >= 0;
  }

  private segmentOf(key: number): Segment | undefined {
    let lo = 0, hi = this.segments.length - 1, found: Segment | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.segments[mid];
      if (s.keys.length === 0 || s.minKey <= key) { found = s; lo = mid + 1; } else hi = mid - 1;
    }
    return found && found.maxKey >= key ? found : undefined;
  }

  /** Idf-weighted share of the query's terms found in the chunk, 0..1. */
  coverage(terms: string[], key: number): number {
    let have = 0, all = 0;
    for (const t of terms) {
      const df = this.docFreq(t);
      const w = df > 0 ? idf(df, this.keys.live) : unseenIdf(this.keys.live);
      all += w;
      if (this.contains(t, key)) have += w;
    }
    return all > 0 ? have / all : 0;
  }

  /** Keys whose names match the query's words by prefix, or a one-identifier query by humps (see rankNames()). */
  searchNames(query: string, limit: number): number[] {
    const sections = this.segments.map((s) => s.names);
    if (this.memory.docs > 0) sections.push(this.memory.names());
    const src = new SegmentNames(sections, (k) => this.keys.state[k] === LIVE, (k) => this.keys.nameWords[k]);
    // twice the limit, as the name index asked before: removed keys once took room in its answer
    return rankNames(src, query, limit * 2).slice(0, limit);
  }

  // --- writing ------------------------------------------------------------

  private newName(kind: 'seg' | 'del'): string {
    const gen = this.nextGen++;
    return kind === 'seg' ? segmentFileName(gen) : deletesFileName(gen);
  }

  /** Write the in-memory segment to a file (its removed chunks left out), then merge if the policy says so. A failed write loses nothing. */
  flush(): void {
    const live = (k: number) => this.keys.state[k] === LIVE;
    const mem = this.memory;
    const docs = mem.docsKept(live);
    if (docs.keys.length > 0) {
      ensureDir(this.dir);
      const name = this.newName('seg');
      const ref = writeSegment(path.join(this.dir, name), name, mem.sortedTerms(live), docs);
      this.segments.push(Segment.open(this.dir, ref, this.cache));
      this.flushes++;
    }
    this.memory = new MemorySegment();
    for (const k of mem.docKeys) this.keys.forget(k);
    this.mergeWhileAsked();
  }

  private removedIn(s: Segment): number {
    let n = 0;
    for (const k of s.keys) if (this.keys.state[k] !== LIVE) n++;
    return n;
  }

  private mergeWhileAsked(): void {
    for (;;) {
      const pick = pickMerge(this.segments.map((s) => s.keys.length), this.segments.map((s) => this.removedIn(s)));
      if (!pick) return;
      this.merge(pick[0], pick[1], (k) => k);
    }
  }

  /** Replace segments [start, end) by one holding their live chunks (keys mapped by `map`, which keeps their order). */
  private merge(start: number, end: number, map: (key: number) => number): void {
    const inputs = this.segments.slice(start, end);
    const live = (k: number) => this.keys.state[k] === LIVE;
    const docs = mergedDocs(inputs, live, map);
    const out: Segment[] = [];
    if (docs.keys.length > 0) {
      ensureDir(this.dir);
      const name = this.newName('seg');
      const ref = writeSegment(path.join(this.dir, name), name, mergedTerms(inputs, live, map), docs);
      out.push(Segment.open(this.dir, ref, this.cache));
    }
    this.segments.splice(start, end - start, ...out);
    for (const s of inputs) {
      for (const k of s.keys) this.keys.forget(k);
      s.close();
      // a file no commit names is garbage now; a committed one waits for the next commit
      if (!this.committed.has(s.name)) fs.rmSync(path.join(this.dir, s.name), { force: true });
    }
    this.merges++;
  }

  /**
   * New keys for the chunks: remap[old] is the new key, increasing with the
   * old one, for every live chunk; `count` new keys in all. Rewrites the
   * segments as one.
   */
  renumber(remap: Int32Array, count: number): void {
    const renumbered = this.keys.renumbered(remap, count); // checks the map before anything is written
    this.flush();
    if (this.segments.length > 0) this.merge(0, this.segments.length, (k) => remap[k]);
    this.keys = renumbered;
    this.lastKey = this.segments.length ? this.segments[this.segments.length - 1].maxKey : -1;
    this.acc = new Float32Array(0);
    this.dfMemo.clear();
  }

  /**
   * Write what the index holds in memory (a new segment, maybe a merge, the
   * removed keys) and return the commit the manifest must record. Files of
   * the previous commit stay until removeUnreferenced() after the manifest
   * is written.
   */
  save(): KeywordCommit {
    this.flush();
    const removed = this.keys.removedKeys();
    const deletes = removed.length ? writeDeletes(this.dir, this.newName('del'), removed) : null;
    this.saved = { segments: this.segments.map((s) => s.ref), deletes };
    return this.saved;
  }

  /**
   * Call once the manifest naming the last save()'s commit is written:
   * deletes the keyword files in the folder that it does not name (older
   * commits' segments, leftovers of an interrupted run). Returns their names.
   */
  removeUnreferenced(): string[] {
    if (!this.saved) return [];
    this.committed = commitFiles(this.saved);
    const gone = keywordFiles(this.dir).filter((f) => !this.committed.has(f));
    for (const f of gone) fs.rmSync(path.join(this.dir, f), { force: true });
    return gone;
  }

  /** Read every segment whole and check it against its commit CRC-32 (open checks only lengths and heads). */
  verify(): void {
    for (const s of this.segments) s.verify();
  }

  close(): void {
    for (const s of this.segments) s.close();
    this.segments = [];
  }
}

function commitFiles(c: KeywordCommit): Set<string> {
  const names = new Set(c.segments.map((s) => s.name));
  if (c.deletes) names.add(c.deletes.name);
  return names;
}

/** The highest generation among the keyword files in `dir` (-1: none), so new names never reuse an old one. */
function highestGeneration(dir: string): number {
  return keywordFiles(dir).reduce((max, f) => Math.max(max, fileGeneration(f)), -1);
}
