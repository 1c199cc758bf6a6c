// The engine: one index over one or more roots. Crawl → read → chunk → embed →
// two indexes, kept fresh by content hash, saved crash-safely; search fuses the
// semantic and keyword sides and returns a calibrated answer. Plain TypeScript:
// the worker, the CLI and the tests all drive this same class.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Chunker, CHUNKER_VERSION, type ChunkerOptions } from './chunk/chunker';
import { ChunkPool, defaultPoolSize } from './chunk/chunkPool';
import { ingestFile, type IngestRequest, type IngestResult } from './chunk/ingestFile';
import { languageForPath } from './chunk/languages';
import { crawl, type CrawlOptions } from './crawl/crawler';
import type { Embedder } from './embed/embedder';
import { CorruptIndexError } from './errors';
import { keywordFiles } from './keyword/segmentFormat';
import { SegmentedKeywordIndex } from './keyword/segmentedIndex';
import { ChunkTable } from './persist/chunkTable';
import { type FileRecord, FileTable, keyRange, keysOf } from './persist/fileTable';
import {
  clearIndexDir, FILES, INDEX_FORMAT, type Manifest, type ModelRef, readChecked, readManifest,
  removeLegacyFiles, type StoredChunk, writeChecked, writeManifest,
} from './persist/indexStore';
import { SourceReader } from './persist/sourceReader';
import { ensureDir } from './persist/ensureDir';
import { acquireWriteLock, type WriteLock, WriteLockHeldError } from './persist/writeLock';
import { runSearch, type SearchContext, type SearchOptions } from './search/search';
import { LocalStore } from './store/localStore';
import type { Chunk, IndexProgress, IndexStats, SearchResponse, SkippedFile, SourceFile } from './types';
import { VectorStore } from './vector/vectorStore';
import { type Adapter, AdapterFileError, adapterMismatch, queryEmbedder, readAdapter, writeAdapter } from './learn/adapter';
import { adapterPath } from './learn/adaptStore';
import { adaptedRankModel } from './learn/rankAdapt';

export interface EngineOptions {
  roots: string[];
  indexDir: string;
  /** The embedding model; null runs keyword-only. */
  embedder: Embedder | null;
  crawl?: Omit<CrawlOptions, 'signal' | 'isIndexable'>;
  chunker?: ChunkerOptions;
  /** Chunking threads for large runs (default: cores − 1, at most 3); 0 chunks in the calling thread only. */
  chunkThreads?: number;
  /** Where to report notes such as "index was corrupt, rebuilding". */
  log?: (message: string) => void;
  /** Why `embedder` is null, in the user's words (default "no embedding model installed"), e.g. "--no-model given". */
  noModelReason?: string;
}

export interface OpenReport {
  /** 'loaded': a valid index was found; 'new': none existed; 'rebuild': one existed but could not be used. */
  state: 'loaded' | 'new' | 'rebuild';
  reason?: string;
  /** Chunks that need (re-)embedding because the model changed. */
  reembed: number;
}

export interface IndexRunOptions {
  onProgress?: (p: IndexProgress) => void;
  signal?: AbortSignal;
}

export interface EngineStatus {
  roots: string[];
  indexDir: string;
  files: number;
  chunks: number;
  embedded: number;
  model: string | null;
  /** What runs the model: the engine's own kernel or onnxruntime-web. */
  modelRuntime: 'native' | 'onnxruntime' | null;
  mode: 'hybrid' | 'keyword';
  modeReason?: string;
  /** A workspace adaptation of the model is in use (learn/; `sift adapt --reset` drops it). */
  adapted: boolean;
  indexing: boolean;
  lastUpdated: string | null;
  diskBytes: number;
}

const READ_CONCURRENCY = 16;
const EMBED_BATCH = 64;
// Below this many files to (re)read, starting chunking threads costs more than it saves.
const POOL_MIN_FILES = 200;
const POOL_BATCH_FILES = 64;
// Chunks a warmed-up engine can take before its chunk table grows again (a few saved files' worth).
const WARM_ROOM = 4096;
// What warmUp() chunks and embeds (never indexed) so the first saved file's path is compiled.
const WARM_UP_SOURCE = '/** Adds two numbers. */\nexport function add(a: number, b: number): number {\n  return a + b;\n}\n';
// Keys are renumbered when fewer than half of those issued are alive (and the holes are many).
const RENUMBER_SLACK = 4096;

function fileId(root: number, rel: string): string { return `${root}\u0000${rel}`; }

export class IndexWriteError extends Error {
  constructor(message: string) { super(message); this.name = 'IndexWriteError'; }
}

export class Engine {
  readonly roots: string[];
  readonly indexDir: string;
  private files = new FileTable();
  private chunks = new ChunkTable();
  /** Keyword segments in the index folder, read lazily; new chunks in memory until a budget or a save writes them. */
  private keyword: SegmentedKeywordIndex;
  private vectors: VectorStore | null;
  /** Chunk texts come from the source files (while unchanged), not from a copy in the index. */
  private readonly sources = new SourceReader();
  private nextKey = 0;
  private createdAt = new Date().toISOString();
  private updatedAt: string | null = null;
  /** Chunk keys whose vectors are missing (new chunks, or a model change). */
  private pendingEmbed = new Set<number>();
  private dirty = false;
  /** A query found a damaged index file: the next index() starts afresh. */
  private damaged = false;
  private indexingNow = false;
  /** Searches in flight (a search awaits the query's embedding): keys must not change under them. */
  private searching = 0;
  private chunker: Chunker | null = null;
  /** The workspace adaptation searches use (learn/), or null for the shipped model. */
  private adapter: Adapter | null = null;
  private readonly log: (m: string) => void;
  openReport: OpenReport = { state: 'new', reembed: 0 };

  private constructor(private readonly opts: EngineOptions) {
    this.roots = opts.roots.map((r) => path.resolve(r));
    this.indexDir = path.resolve(opts.indexDir);
    this.keyword = SegmentedKeywordIndex.create(this.indexDir);
    this.vectors = opts.embedder ? new VectorStore(opts.embedder.dim) : null;
    this.log = opts.log ?? (() => undefined);
  }

  /** Open the index in indexDir (creating nothing yet); an unusable index is reported and started afresh. */
  static async open(opts: EngineOptions): Promise<Engine> {
    for (const r of opts.roots) {
      let st: fs.Stats;
      try { st = fs.statSync(r); } catch { throw new Error(`No such folder: ${r}`); }
      if (!st.isDirectory()) throw new Error(`Not a folder: ${r}`);
    }
    const engine = new Engine(opts);
    engine.openReport = engine.tryLoad();
    if (engine.openReport.state === 'rebuild') engine.log(`index at ${engine.indexDir} rebuilt: ${engine.openReport.reason}`);
    engine.loadAdapter();
    return engine;
  }

  get embedder(): Embedder | null { return this.opts.embedder; }
  /** The adaptation in use, or null (the shipped model). */
  get adaptation(): Adapter | null { return this.adapter; }

  private loadAdapter(): void {
    const e = this.opts.embedder;
    if (!e) return;
    try {
      const a = readAdapter(adapterPath(this.indexDir));
      if (!a) return;
      const why = adapterMismatch(a, e);
      if (why) this.log(`workspace adaptation not used: ${why}`);
      else this.adapter = a;
    } catch (err) {
      if (!(err instanceof AdapterFileError)) throw err;
      this.log(`workspace adaptation not used: ${err.message}`);
    }
  }

  /** Use this adaptation from now on (null: the shipped model), stored with the index. */
  setAdaptation(a: Adapter | null): void {
    const e = this.opts.embedder;
    if (a && e) {
      const why = adapterMismatch(a, e);
      if (why) throw new Error(why);
    }
    const lock = this.lockIndexDir();
    try {
      ensureDir(this.indexDir);
      if (a) writeAdapter(adapterPath(this.indexDir), a);
      else fs.rmSync(adapterPath(this.indexDir), { force: true });
    } finally {
      lock?.release();
    }
    this.adapter = a;
  }

  /** The stored vector of a chunk (dequantised), or null. */
  vectorOf(key: number): Float32Array | null {
    return this.vectors?.vectorOf(key) ?? null;
  }
  get chunkCount(): number { return this.chunks.size; }
  get fileCount(): number { return this.files.size; }
  get indexing(): boolean { return this.indexingNow; }

  private modelRef(): ModelRef | null {
    const e = this.opts.embedder;
    return e ? { id: e.id, hash: e.hash, dim: e.dim } : null;
  }

  private tryLoad(): OpenReport {
    if (!fs.existsSync(path.join(this.indexDir, FILES.manifest))) return { state: 'new', reembed: 0 };
    let opened: SegmentedKeywordIndex | null = null;
    try {
      const m = readManifest(this.indexDir);
      if (m.format !== INDEX_FORMAT) throw new CorruptIndexError(`index format ${m.format}, this version reads ${INDEX_FORMAT}`);
      if (m.chunker !== CHUNKER_VERSION) throw new CorruptIndexError(`chunker version ${m.chunker}, now ${CHUNKER_VERSION}`);
      if (JSON.stringify(m.roots) !== JSON.stringify(this.roots)) throw new CorruptIndexError(`index is for other folders (${m.roots.join(', ')})`);
      const files = FileTable.deserialize(readChecked(this.indexDir, m, 'files'));
      const chunks = ChunkTable.deserialize(readChecked(this.indexDir, m, 'chunks'));
      const keys = chunks.keys();
      if (!m.keyword) throw new CorruptIndexError('manifest lists no keyword segments');
      opened = SegmentedKeywordIndex.open(this.indexDir, m.keyword);
      const keyword = opened;
      const model = this.modelRef();
      let vectors: VectorStore | null = null;
      let reembed = 0;
      const pending = new Set<number>();
      if (model) {
        const sameModel = m.model && m.model.hash === model.hash && m.model.dim === model.dim && m.files.vectors;
        if (sameModel) {
          // keys, scales and codes; above the coarse pass's size the rows stay in the file, read when rescored
          vectors = VectorStore.open(this.indexDir, m.files.vectors!);
          for (const k of keys) if (!vectors.has(k)) pending.add(k);
        } else {
          // a new model re-embeds every chunk, read again from its source file
          vectors = new VectorStore(model.dim);
          for (const k of keys) pending.add(k);
          reembed = pending.size;
        }
      }
      this.files = files;
      this.chunks = chunks;
      this.keyword.close();
      this.keyword = keyword;
      this.vectors = vectors;
      this.nextKey = m.nextKey;
      this.createdAt = m.createdAt;
      this.updatedAt = m.updatedAt;
      this.pendingEmbed = pending;
      if (keyword.size !== chunks.size) throw new CorruptIndexError(`keyword index holds ${keyword.size} chunks, chunk list ${chunks.size}`);
      return { state: 'loaded', reembed };
    } catch (e) {
      if (opened !== this.keyword) opened?.close();
      if (!(e instanceof CorruptIndexError)) throw e;
      this.resetState();
      return { state: 'rebuild', reason: e.message, reembed: 0 };
    }
  }

  private resetState(): void {
    this.vectors?.close();
    this.files = new FileTable();
    this.chunks = new ChunkTable();
    this.keyword.close();
    this.keyword = SegmentedKeywordIndex.create(this.indexDir);
    this.vectors = this.opts.embedder ? new VectorStore(this.opts.embedder.dim) : null;
    this.sources.clear();
    this.nextKey = 0;
    this.pendingEmbed = new Set();
    this.dirty = true;
  }

  private async getChunker(): Promise<Chunker> {
    this.chunker ??= await Chunker.create(this.opts.chunker);
    return this.chunker;
  }

  /** Bring the index up to date with the folders: new and changed files are (re)indexed, vanished ones dropped. */
  async index(run: IndexRunOptions = {}): Promise<IndexStats> {
    return this.writing(() => this.indexNow(run));
  }

  /**
   * Hold the index folder's write lock while fn runs: one writer per index
   * (persist/writeLock; another live writer is a WriteLockHeldError naming it).
   * A folder that cannot be written takes no lock; save() reports it.
   */
  private async writing<T>(fn: () => Promise<T>): Promise<T> {
    const lock = this.lockIndexDir();
    try { return await fn(); } finally { lock?.release(); }
  }

  private lockIndexDir(): WriteLock | null {
    try {
      ensureDir(this.indexDir);
      return acquireWriteLock(this.indexDir);
    } catch (e) {
      if (e instanceof WriteLockHeldError) throw e;
      return null;
    }
  }

  private async indexNow(run: IndexRunOptions): Promise<IndexStats> {
    const t0 = Date.now();
    if (this.damaged) {
      this.resetState();
      this.damaged = false;
    }
    this.indexingNow = true;
    try {
      const progress: IndexProgress = { phase: 'crawl', filesDone: 0, filesTotal: 0, chunks: this.chunks.size, embedded: 0, embedTotal: 0 };
      run.onProgress?.({ ...progress });
      const found = await crawl(this.roots, { ...this.opts.crawl, signal: run.signal, isIndexable: (rel) => languageForPath(rel) !== null });
      const skipped: SkippedFile[] = found.skipped.map((s) => ({ rel: this.displayPath(s.root, s.rel), reason: s.reason }));
      const sweep = this.files.sweep();
      const todo: Array<{ f: SourceFile; root: number }> = [];
      for (const f of found.files) {
        const root = this.roots.indexOf(f.root);
        if (sweep.visit(root, f.rel, f.size, f.mtimeMs)) continue;
        todo.push({ f, root });
      }
      let removed = 0;
      for (const f of sweep.unvisited()) { this.dropFile(f.root, f.rel); removed++; }
      progress.phase = 'chunk';
      progress.filesTotal = todo.length;
      const changed = await this.ingest(todo, skipped, progress, run);
      removed += changed.removed;
      const embedded = changed.embedded + await this.embedPending(skipped, progress, run);
      progress.phase = 'save';
      run.onProgress?.({ ...progress });
      this.save();
      progress.phase = 'done';
      progress.chunks = this.chunks.size;
      run.onProgress?.({ ...progress });
      return {
        roots: this.roots, files: this.files.size, chunks: this.chunks.size, skipped,
        changedFiles: changed.changed, removedFiles: removed, embeddedChunks: embedded,
        model: this.opts.embedder?.id ?? null, chunkThreads: changed.threads, tookMs: Date.now() - t0,
      };
    } finally {
      this.indexingNow = false;
    }
  }

  /**
   * Re-read just these files (absolute paths): for file watchers and saves.
   * A path that no longer exists, or is no longer indexable, is removed.
   */
  async updateFiles(absPaths: string[], run: IndexRunOptions = {}): Promise<IndexStats> {
    return this.writing(() => this.updateFilesNow(absPaths, run));
  }

  private async updateFilesNow(absPaths: string[], run: IndexRunOptions): Promise<IndexStats> {
    const t0 = Date.now();
    const skipped: SkippedFile[] = [];
    const todo: Array<{ f: SourceFile; root: number }> = [];
    let removed = 0;
    for (const abs of absPaths) {
      const full = path.resolve(abs);
      const root = this.roots.findIndex((r) => full === r || full.startsWith(r + path.sep));
      if (root < 0) continue;
      const rel = path.relative(this.roots[root], full).split(path.sep).join('/');
      let st: fs.Stats | null = null;
      try { st = fs.statSync(full); } catch { st = null; }
      if (!st || !st.isFile() || languageForPath(rel) === null) {
        if (this.files.has(root, rel)) { this.dropFile(root, rel); removed++; }
        continue;
      }
      todo.push({ f: { root: this.roots[root], rel, abs: full, size: st.size, mtimeMs: st.mtimeMs }, root });
    }
    const progress: IndexProgress = { phase: 'chunk', filesDone: 0, filesTotal: todo.length, chunks: this.chunks.size, embedded: 0, embedTotal: 0 };
    this.indexingNow = true;
    try {
      const changed = await this.ingest(todo, skipped, progress, run);
      const embedded = changed.embedded + await this.embedPending(skipped, progress, run);
      return {
        roots: this.roots, files: this.files.size, chunks: this.chunks.size, skipped,
        changedFiles: changed.changed, removedFiles: removed + changed.removed, embeddedChunks: embedded,
        model: this.opts.embedder?.id ?? null, chunkThreads: changed.threads, tookMs: Date.now() - t0,
      };
    } finally {
      this.indexingNow = false;
    }
  }

  private displayPath(root: string, rel: string): string {
    return this.roots.length > 1 ? path.join(root, rel) : rel;
  }

  private dropFile(root: number, rel: string): void {
    const f = this.files.get(root, rel);
    if (!f) return;
    for (const k of keysOf(f)) this.dropChunk(k);
    this.files.delete(root, rel);
    this.dirty = true;
  }

  private dropChunk(key: number): void {
    this.chunks.delete(key);
    this.keyword.remove(key);
    this.vectors?.remove(key);
    this.pendingEmbed.delete(key);
  }

  /**
   * Read, hash and chunk files; replace the chunks of those whose content
   * changed, and embed the new chunks as they come. A large run reads and
   * parses in chunking threads, two batches ahead of this thread's indexing.
   * `rechunk` replaces the chunks of unchanged files too (to embed them anew).
   */
  private async ingest(todo: Array<{ f: SourceFile; root: number }>, skipped: SkippedFile[], progress: IndexProgress, run: IndexRunOptions, rechunk = false): Promise<{ changed: number; removed: number; embedded: number; threads: number }> {
    let pool = todo.length >= POOL_MIN_FILES && this.opts.chunkThreads !== 0
      ? ChunkPool.tryCreate(this.opts.chunkThreads ?? defaultPoolSize(), this.opts.chunker)
      : null;
    const threads = pool?.size ?? 0;
    const batchSize = pool ? POOL_BATCH_FILES : READ_CONCURRENCY;
    let changed = 0;
    let removed = 0;
    let embedded = 0;

    const requests = (batch: Array<{ f: SourceFile; root: number }>): IngestRequest[] => batch.map((t) => ({
      abs: t.f.abs, rel: t.f.rel, maxBytes: this.opts.crawl?.maxFileBytes, knownHash: rechunk ? undefined : this.files.get(t.root, t.f.rel)?.hash,
    }));
    const failPool = (e: Error): void => {
      this.log(`chunking thread failed (${e.message}); chunking in this thread`);
      const p = pool;
      pool = null;
      void p?.close();
    };
    // The results of reqs[from..], computed here, one file per call.
    const hereFrom = (reqs: IngestRequest[], from: number): NextResult => {
      const done = Promise.all(reqs.slice(from).map((r) => ingestFile(() => this.getChunker(), r)));
      let i = 0;
      return async () => (await done)[i++];
    };
    // A batch's work: on a thread when there is one. Its results are taken one
    // file at a time as this thread indexes them, so each file's chunks die
    // young; what a failed thread owed is redone here.
    type NextResult = () => Promise<IngestResult>;
    const work = (batch: Array<{ f: SourceFile; root: number }>): Promise<NextResult> => {
      const reqs = requests(batch);
      if (!pool) return Promise.resolve(hereFrom(reqs, 0));
      return pool.ingest(reqs).then(
        (take): NextResult => {
          let taken = 0;
          let fallback: NextResult | null = null;
          return async () => {
            if (!fallback) {
              try {
                const r = take();
                taken++;
                return r;
              } catch (e) {
                failPool(e as Error);
                fallback = hereFrom(reqs, taken);
              }
            }
            return fallback();
          };
        },
        (e: Error): NextResult => { failPool(e); return hereFrom(reqs, 0); },
      );
    };

    const batches: Array<Array<{ f: SourceFile; root: number }>> = [];
    for (let i = 0; i < todo.length; i += batchSize) batches.push(todo.slice(i, i + batchSize));
    const ahead = pool ? 2 : 0;
    const queued: Array<Promise<NextResult>> = batches.slice(0, ahead).map(work);
    try {
      for (let b = 0; b < batches.length; b++) {
        if (run.signal?.aborted) break;
        if (b + ahead < batches.length && ahead > 0) queued.push(work(batches[b + ahead]));
        const next = await (ahead > 0 ? queued.shift()! : work(batches[b]));
        const batch = batches[b];
        for (let j = 0; j < batch.length; j++) {
          const t = batch[j];
          const r = await next();
          const known = this.files.get(t.root, t.f.rel);
          progress.filesDone++;
          if (!r.ok) {
            skipped.push({ rel: this.displayPath(t.f.root, t.f.rel), reason: r.reason });
            // a file we can no longer read is no longer searchable as it was; drop it
            if (known) { this.dropFile(t.root, t.f.rel); removed++; }
            continue;
          }
          if (known && known.hash === r.hash && !rechunk) {
            this.files.touch(t.root, t.f.rel, t.f.size, t.f.mtimeMs);
            this.dirty = true;
            continue;
          }
          if (known) this.dropFile(t.root, t.f.rel);
          let chunks: Chunk[];
          if (r.unchanged) {
            // its indexed content was dropped meanwhile (the same file twice in one run): chunk it after all
            const again = await ingestFile(() => this.getChunker(), { abs: t.f.abs, rel: t.f.rel, maxBytes: this.opts.crawl?.maxFileBytes });
            if (!again.ok || again.unchanged) continue;
            chunks = again.chunks;
          } else {
            chunks = r.chunks;
          }
          const keys: number[] = [];
          for (const c of chunks) keys.push(this.addChunk(t.root, c));
          this.files.set({ root: t.root, rel: t.f.rel, size: t.f.size, mtimeMs: t.f.mtimeMs, hash: r.hash, ...keyRange(keys) });
          // a file chunked again only to embed it anew has not changed
          if (!known || known.hash !== r.hash) changed++;
          this.dirty = true;
          if (keys.length > 0 && this.vectors) {
            // embedded from the texts in hand: the index keeps none
            const n = await this.embedKeys(keys, chunks.map((c) => c.text));
            embedded += n;
            progress.embedTotal += keys.length;
            progress.embedded += n;
            if (this.vectors.wantsFlush) this.tryFlushVectors();
          }
        }
        progress.chunks = this.chunks.size;
        run.onProgress?.({ ...progress });
      }
    } finally {
      // work read ahead of a cancel must not surface as an unhandled rejection
      for (const q of queued) q.catch(() => undefined);
      await pool?.close();
    }
    return { changed, removed, embedded, threads };
  }

  private addChunk(root: number, c: Chunk): number {
    const key = this.nextKey++;
    const stored: StoredChunk = {
      key, root, file: c.file, startLine: c.startLine, endLine: c.endLine, declLine: c.declLine,
      kind: c.kind, name: c.name, language: c.language, signature: c.signature, context: c.context,
    };
    if (c.part) stored.part = c.part;
    this.chunks.add(stored);
    this.keyword.add(key, c);
    if (this.vectors) this.pendingEmbed.add(key);
    return key;
  }

  // rows embedded since the last save go to the vector file as the run goes (the manifest commits them at save)
  private tryFlushVectors(): void {
    try { ensureDir(this.indexDir); this.vectors!.save(this.indexDir); } catch { /* kept in memory; save() reports */ }
  }

  /**
   * Embed the chunks that have no vector yet (left by a model change or an
   * interrupted run). Their texts are not kept in the index: their files are
   * read and chunked again, and one that changed meanwhile is indexed as it
   * is now.
   */
  private async embedPending(skipped: SkippedFile[], progress: IndexProgress, run: IndexRunOptions): Promise<number> {
    if (!this.opts.embedder || !this.vectors || this.pendingEmbed.size === 0) return 0;
    const ids = new Map<string, FileRecord>();
    for (const k of this.pendingEmbed) {
      const c = this.chunks.get(k);
      const f = c && this.files.get(c.root, c.file);
      if (f) ids.set(fileId(f.root, f.rel), f);
    }
    const todo: Array<{ f: SourceFile; root: number }> = [];
    for (const known of ids.values()) {
      const root = this.roots[known.root];
      const abs = path.join(root, known.rel);
      let st: fs.Stats;
      try { st = fs.statSync(abs); } catch { this.dropFile(known.root, known.rel); continue; }
      todo.push({ f: { root, rel: known.rel, abs, size: st.size, mtimeMs: st.mtimeMs }, root: known.root });
    }
    progress.phase = 'embed';
    progress.filesDone = 0;
    progress.filesTotal = todo.length;
    progress.embedTotal = 0;
    progress.embedded = 0;
    run.onProgress?.({ ...progress });
    return (await this.ingest(todo, skipped, progress, run, true)).embedded;
  }

  /** Embed these chunks (those still present) from their texts and store their vectors; returns how many. */
  private async embedKeys(keys: number[], texts: string[]): Promise<number> {
    const embedder = this.opts.embedder;
    if (!embedder || !this.vectors) return 0;
    let done = 0;
    for (let i = 0; i < keys.length; i += EMBED_BATCH) {
      const slots = [];
      for (let j = i; j < Math.min(keys.length, i + EMBED_BATCH); j++) if (this.chunks.has(keys[j])) slots.push(j);
      if (slots.length === 0) continue;
      const batch = slots.map((j) => keys[j]);
      const vecs = await embedder.embed(slots.map((j) => texts[j]));
      this.vectors.upsertMany(batch, vecs);
      for (const k of batch) this.pendingEmbed.delete(k);
      done += batch.length;
    }
    if (done > 0) this.dirty = true;
    return done;
  }

  /** Persist the index. Throws IndexWriteError (the index stays usable in memory; the old files stay intact). */
  save(): void {
    if (!this.dirty && fs.existsSync(path.join(this.indexDir, FILES.manifest))) return;
    const lock = this.lockIndexDir();
    try {
      ensureDir(this.indexDir);
      this.renumberKeysIfSparse();
      const m: Manifest = {
        format: INDEX_FORMAT,
        chunker: CHUNKER_VERSION,
        model: this.vectors ? this.modelRef() : null,
        roots: this.roots,
        nextKey: this.nextKey,
        createdAt: this.createdAt,
        updatedAt: new Date().toISOString(),
        files: {
          // written in pieces from the arrays that hold them, never as a whole copy of each file
          files: writeChecked(this.indexDir, 'files', this.files.serializePieces()),
          chunks: writeChecked(this.indexDir, 'chunks', this.chunks.serializePieces()),
        },
      };
      if (this.vectors) m.files.vectors = this.vectors.save(this.indexDir);
      m.keyword = this.keyword.save();
      writeManifest(this.indexDir, m);
      this.keyword.removeUnreferenced();
      removeLegacyFiles(this.indexDir);
      this.updatedAt = m.updatedAt;
      this.dirty = false;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new IndexWriteError(`cannot write the index at ${this.indexDir}: ${err.code ?? ''} ${err.message}`.trim());
    } finally {
      lock?.release();
    }
  }

  // Keys are never reused, so a workspace re-chunked day after day would keep
  // per-key arrays (BM25 lengths and states, the chunk table's key map) sized
  // by every key ever issued. When most keys are holes, the live chunks get
  // keys 0..n−1 again, in their old order (postings stay sorted).
  private renumberKeysIfSparse(): void {
    const n = this.chunks.size;
    if (this.nextKey <= 2 * n + RENUMBER_SLACK || this.searching > 0) return;
    const old = this.chunks.keys().sort((a, b) => a - b);
    const remap = new Int32Array(this.nextKey).fill(-1);
    for (let i = 0; i < old.length; i++) remap[old[i]] = i;
    this.chunks.renumber(remap);
    this.keyword.renumber(remap, n);
    this.vectors?.renumber(remap);
    this.files.renumber(remap);
    this.pendingEmbed = new Set([...this.pendingEmbed].map((k) => remap[k]));
    this.nextKey = n;
    this.log(`chunk keys renumbered: ${n} live of ${remap.length} issued`);
  }

  /**
   * Do now, in idle time, what loading leaves for first use: the in-memory
   * segment's name index, the chunks' per-file lists (folding split units
   * needs them), room in the chunk table for new chunks, the chunker with the
   * grammars of the indexed languages, one chunk chunked and embedded and one
   * search, so that neither the first saved file nor the first real search
   * waits for code to be compiled. For long-lived owners of the engine: the
   * worker, sift serve.
   */
  async warmUp(): Promise<void> {
    this.keyword.prepareNames();
    this.chunks.buildFileLists();
    // the first saved file would otherwise wait for the chunk table's columns to leave the file's buffer (~15 ms at 105K chunks, 8× that at 840K)
    this.chunks.reserve(WARM_ROOM);
    const chunker = await this.getChunker();
    const languages = this.chunks.languages();
    await chunker.prepare(...languages);
    const sample = await chunker.chunkFileAsync('warm-up.ts', WARM_UP_SOURCE);
    await this.opts.embedder?.embed(sample.chunks.map((c) => c.text));
    // one search compiles the ranking path (features, ranker, folding) before a person waits on it
    if (this.chunks.size > 0) await this.search('warm up the search path', { k: 1 });
  }

  /** Search the index; see search/search.ts for the ranking. `adapter` overrides the adaptation in use (null: the shipped model). */
  async search(query: string, opts: SearchOptions = {}, adapter?: Adapter | null): Promise<SearchResponse> {
    this.searching++;
    try {
      const a = adapter === undefined ? this.adapter : adapter;
      const o = a?.rankDelta && !opts.rankModel ? { ...opts, rankModel: adaptedRankModel(a) } : opts;
      return await runSearch(this.searchContext({ adapter: a }), query, o);
    } catch (e) {
      if (!(e instanceof CorruptIndexError)) throw e;
      // files are read lazily, so damage can surface here rather than at open: never answer from it
      this.damaged = true;
      const why = `index at ${this.indexDir} is damaged (${e.message}); it is rebuilt on the next indexing run`;
      this.log(why);
      throw new CorruptIndexError(why);
    } finally {
      this.searching--;
    }
  }

  /** What a search reads (the ranker's training reads candidates through it); keyword-only on request. */
  searchContext(opts: { keywordOnly?: boolean; adapter?: Adapter | null } = {}): SearchContext {
    const adapter = opts.adapter === undefined ? this.adapter : opts.adapter;
    const base = this.opts.embedder;
    const vectors = !opts.keywordOnly && this.vectors && this.pendingEmbed.size < this.chunks.size ? this.vectors : null;
    const readText = (c: StoredChunk): string | null => {
      const f = this.files.get(c.root, c.file);
      return f ? this.sources.text({ abs: path.join(this.roots[c.root], c.file), hash: f.hash }, c.startLine, c.endLine) : null;
    };
    return {
      store: new LocalStore({ chunks: this.chunks, keyword: this.keyword, vectors, readText }),
      chunks: this.chunks,
      keyword: this.keyword,
      vectors,
      embedder: opts.keywordOnly || !base ? null : adapter ? queryEmbedder(base, adapter) : base,
      readText,
      roots: this.roots,
      noModelReason: this.opts.noModelReason,
      partial: this.indexingNow,
    };
  }

  status(): EngineStatus {
    let diskBytes = 0;
    for (const f of [...Object.values(FILES), ...keywordFiles(this.indexDir)]) {
      try { diskBytes += fs.statSync(path.join(this.indexDir, f)).size; } catch { /* not written yet */ }
    }
    const hybrid = !!this.vectors;
    return {
      roots: this.roots,
      indexDir: this.indexDir,
      files: this.files.size,
      chunks: this.chunks.size,
      embedded: this.vectors?.size ?? 0,
      model: this.opts.embedder?.id ?? null,
      modelRuntime: this.opts.embedder?.runtime ?? null,
      mode: hybrid ? 'hybrid' : 'keyword',
      modeReason: hybrid ? undefined : this.opts.noModelReason ?? 'no embedding model installed',
      adapted: this.adapter !== null,
      indexing: this.indexingNow,
      lastUpdated: this.updatedAt,
      diskBytes,
    };
  }

  /** Delete the index files and start empty (nothing indexed: no "last updated" either). */
  clear(): void {
    const lock = this.lockIndexDir();
    try { clearIndexDir(this.indexDir); } finally { lock?.release(); }
    this.resetState();
    this.updatedAt = null;
  }

  async close(): Promise<void> {
    this.sources.clear();
    this.vectors?.close();
  }
}
