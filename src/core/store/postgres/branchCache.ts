// What a reader keeps of a branch between searches, tied to the branch's
// generation (a commit of a new one makes the next search load it again):
// every chunk's record (the name index is built from the names in key order,
// as the local engine builds its own; filters and the ranking read the rest),
// and the posting lists searches have asked for, up to a memory budget. All
// of it is read from the database; none of it outlives the generation.
import { Bm25Sums } from '../../keyword/bm25Accumulate';
import { NameSection } from '../../keyword/nameSection';
import { rankNames, symbolWords } from '../../keyword/nameRank';
import { SegmentNames } from '../../keyword/segmentNames';
import type { StoredChunk } from '../../persist/indexStore';
import type { ChunkKind, LanguageId } from '../../types';
import type { Client } from './db';

/** One term's postings in key order. */
export interface PostingList { keys: Int32Array; tfs: Float32Array }

const EMPTY: PostingList = { keys: new Int32Array(0), tfs: new Float32Array(0) };
/** Bytes a kept posting list is counted as: its arrays and a little for the entry. */
const listBytes = (l: PostingList): number => l.keys.length * 8 + 64;
/** Bytes of posting lists a branch keeps (least recently used go first). */
export const POSTINGS_BUDGET = 96 << 20;

export class BranchCache {
  private readonly names: SegmentNames;
  private readonly slotOf = new Map<number, number>();
  private readonly postings = new Map<string, PostingList>();
  private postingBytes = 0;
  /** Each key's document length (BM25's), by key. */
  readonly lens: Float32Array;
  /** BM25's per-key sums, reused by every search of this cache (a search adds and takes its top without awaiting). */
  private readonly acc: Float32Array;

  private constructor(
    readonly generation: number,
    private readonly keys: Int32Array,
    private readonly rows: unknown[][],
  ) {
    keys.forEach((k, i) => this.slotOf.set(k, i));
    const size = (keys.length ? keys[keys.length - 1] : 0) + 1;
    this.lens = new Float32Array(size);
    rows.forEach((r, i) => { this.lens[keys[i]] = Number(r[DOC_LEN]); });
    this.acc = new Float32Array(size);
    const names = rows.map((r) => r[NAME] as string);
    const words = new Uint16Array(keys.length);
    names.forEach((n, i) => { words[i] = n ? Math.min(0xffff, symbolWords(n).length) : 0; });
    this.names = new SegmentNames([NameSection.build(keys, names)], (k) => this.slotOf.has(k), (k) => words[this.slotOf.get(k) ?? -1] ?? 0);
  }

  static async load(c: Client, branchId: number, generation: number): Promise<BranchCache> {
    const r = await c.query({
      text: 'select key, name, path, language, start_line, end_line, decl_line, kind, signature, context, part_index, part_count, doc_len from sift_chunks where branch_id = $1 order by key',
      values: [branchId],
      rowMode: 'array',
    });
    const rows = r.rows as unknown[][];
    return new BranchCache(generation, Int32Array.from(rows, (x) => Number(x[0])), rows);
  }

  get size(): number { return this.keys.length; }

  /** Empty BM25 sums over this branch's keys. */
  sums(): Bm25Sums { return new Bm25Sums(this.acc); }

  /** Keys whose names match the query, as the local name index ranks them. */
  searchNames(query: string, limit: number): number[] {
    return rankNames(this.names, query, limit * 2).slice(0, limit);
  }

  pathOf(key: number): string | undefined { const s = this.slotOf.get(key); return s === undefined ? undefined : this.rows[s][PATH] as string; }
  languageOf(key: number): LanguageId | undefined { const s = this.slotOf.get(key); return s === undefined ? undefined : this.rows[s][LANGUAGE] as LanguageId; }
  allKeys(): Int32Array { return this.keys; }

  /** The chunk's record, or undefined when the branch has no such key. */
  chunk(key: number): StoredChunk | undefined {
    const s = this.slotOf.get(key);
    if (s === undefined) return undefined;
    const r = this.rows[s];
    const c: StoredChunk = {
      key, root: 0, file: r[PATH] as string, startLine: r[START] as number, endLine: r[END] as number, declLine: r[DECL] as number,
      kind: r[KIND] as ChunkKind, name: r[NAME] as string, language: r[LANGUAGE] as LanguageId, signature: r[SIGNATURE] as string, context: r[CONTEXT] as string[],
    };
    if (r[PART_COUNT] !== null) c.part = { index: r[PART_INDEX] as number, count: r[PART_COUNT] as number };
    return c;
  }

  /** Keys of a file's split chunks (those with a part count above 1), in key order. */
  splitKeysOf(file: string): number[] {
    this.splitByFile ??= this.indexSplits();
    return this.splitByFile.get(file) ?? [];
  }

  private splitByFile: Map<string, number[]> | null = null;

  private indexSplits(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    this.rows.forEach((r, i) => {
      if (r[PART_COUNT] === null || (r[PART_COUNT] as number) <= 1) return;
      const f = r[PATH] as string;
      let list = out.get(f);
      if (!list) out.set(f, (list = []));
      list.push(this.keys[i]);
    });
    return out;
  }

  /** The posting lists of these (stored) terms: kept ones at once, the others read in one statement and kept. */
  async postingLists(c: Pick<Client, 'query'>, branchId: number, terms: string[]): Promise<PostingList[]> {
    const missing = [...new Set(terms.filter((t) => !this.postings.has(t)))];
    const fetched = new Map<string, PostingList>();
    if (missing.length) {
      const r = await c.query({
        text: 'select term, key, tf from sift_postings where branch_id = $1 and term = any($2::text[]) order by term, key',
        values: [branchId, missing],
        rowMode: 'array',
      });
      const byTerm = new Map<string, Array<[string, number, number]>>();
      for (const row of r.rows as Array<[string, number, number]>) {
        let list = byTerm.get(row[0]);
        if (!list) byTerm.set(row[0], (list = []));
        list.push(row);
      }
      for (const term of missing) {
        const rows = byTerm.get(term) ?? [];
        const n = rows.length;
        const list: PostingList = n === 0 ? EMPTY : { keys: new Int32Array(n), tfs: new Float32Array(n) };
        // in key order: the statement sorts each term's rows by key
        for (let i = 0; i < n; i++) {
          list.keys[i] = Number(rows[i][1]);
          list.tfs[i] = Number(rows[i][2]);
        }
        fetched.set(term, list);
        this.keep(term, list);
      }
    }
    return terms.map((t) => {
      const kept = this.postings.get(t);
      if (!kept) return fetched.get(t)!; // a batch past the budget: used once, not kept
      // the most recently used last
      this.postings.delete(t);
      this.postings.set(t, kept);
      return kept;
    });
  }

  private keep(term: string, list: PostingList): void {
    this.postings.set(term, list);
    this.postingBytes += listBytes(list);
    for (const [t, l] of this.postings) {
      if (this.postingBytes <= POSTINGS_BUDGET || t === term) break;
      this.postings.delete(t);
      this.postingBytes -= listBytes(l);
    }
  }
}

// columns of BranchCache.load's rows
const NAME = 1, PATH = 2, LANGUAGE = 3, START = 4, END = 5, DECL = 6, KIND = 7, SIGNATURE = 8, CONTEXT = 9, PART_INDEX = 10, PART_COUNT = 11, DOC_LEN = 12;

/** Branches whose caches a server keeps at once (the least recently searched go first). */
export const MAX_CACHED_BRANCHES = 8;

/** Per branch, the BranchCache of its newest generation loaded, shared by concurrent searches. */
export class BranchCaches {
  private readonly byBranch = new Map<number, Promise<BranchCache>>();

  constructor(private readonly maxBranches = MAX_CACHED_BRANCHES) {}

  async get(c: Client, branchId: number, generation: number): Promise<BranchCache> {
    const had = this.byBranch.get(branchId);
    if (had) {
      // the most recently searched last
      this.byBranch.delete(branchId);
      this.byBranch.set(branchId, had);
      const cache = await had.catch(() => null);
      if (cache && cache.generation === generation) return cache;
      // a search still reading an older snapshot gets its own copy: the newer one stays
      if (cache && cache.generation > generation) return BranchCache.load(c, branchId, generation);
    }
    const loading = BranchCache.load(c, branchId, generation);
    this.byBranch.delete(branchId);
    this.byBranch.set(branchId, loading);
    while (this.byBranch.size > this.maxBranches) this.byBranch.delete(this.byBranch.keys().next().value!);
    loading.catch(() => { if (this.byBranch.get(branchId) === loading) this.byBranch.delete(branchId); });
    return loading;
  }

  /** Branches with a cache now. */
  get size(): number { return this.byBranch.size; }

  clear(): void { this.byBranch.clear(); }
}
