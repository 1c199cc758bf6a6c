// The worker's side of the protocol: owns the Engine, runs the jobs that change
// the index one at a time, serves searches alongside them (an index being
// built answers with partial results), and answers every request exactly
// once — failures included, as data.
import { WriteLockHeldError } from '../core/persist/writeLock';
import { adaptGuarded, resetAdaptation } from '../core/learn/adapt';
import { readHistory } from '../core/learn/adaptStore';
import { chunkExists } from '../core/learn/healthInputs';
import { replayLog } from '../core/learn/replay';
import { yieldNow } from '../core/learn/yieldNow';
import { lessonsFromTriplets } from '../core/learn/examples';
import { QueryLog } from '../core/learn/queryLog';
import { extractTriplets } from '../core/learn/triplets';
import { adaptToWorkspace } from '../core/learn/zeroClick';
import * as path from 'node:path';
import { Engine, IndexWriteError } from '../core/engine';
import { findDefaultModel, loadEmbedder, type Embedder } from '../core/embed/embedder';
import { QueryError } from '../core/search/search';
import { syncOverlay } from '../core/team/overlayIndex';
import type { IndexProgress } from '../core/types';
import { ChangeFilter } from './changeFilter';
import {
  parseRequest, type ErrorCode, type OpenInfo, type RequestOf, type RequestType, type ResultOf,
  type WorkerConfig, type WorkerMessage, type WorkerStatus,
} from './protocol';

/** Adaptation's fine-tuning stops after this long (one core, in the background). */
const ADAPT_MAX_MS = 20_000;
/** Zero-click adaptation uses at most this many of the workspace's doc pairs. */
const ZERO_CLICK_MAX_PAIRS = 3000;

const PROGRESS_INTERVAL_MS = 100;

class Cancelled extends Error {
  constructor(message = 'cancelled') { super(message); this.name = 'Cancelled'; }
}

class NotConfigured extends Error {
  constructor() { super('no folders configured yet'); this.name = 'NotConfigured'; }
}

function errorCode(e: unknown, aborted: boolean): ErrorCode {
  if (aborted || e instanceof Cancelled || (e as Error)?.name === 'AbortError') return 'cancelled';
  if (e instanceof NotConfigured) return 'notConfigured';
  if (e instanceof QueryError) return 'badQuery';
  // another process (sift serve, a second window) writing this index is, for this one, an index it cannot write
  if (e instanceof IndexWriteError || e instanceof WriteLockHeldError) return 'writeFailed';
  const msg = (e as Error)?.message ?? '';
  if (/^(No such folder|Not a folder|Not a directory|Invalid glob|No folder to index)/.test(msg)) return 'badConfig';
  return 'internal';
}

interface LoadedModel { dir: string | null; embedder: Embedder | null; error?: string }

export interface ServiceOptions {
  testHooks?: boolean;
}

export class IndexService {
  private engine: Engine | null = null;
  private filter: ChangeFilter | null = null;
  private model: LoadedModel | null = null;
  /** Jobs that change the index run one after another on this chain. */
  private chain: Promise<void> = Promise.resolve();
  /** The latest configure, awaited by searches and status. */
  private opening: Promise<void> | null = null;
  /** Queued or running jobs, by request id. */
  private readonly jobs = new Map<number, AbortController>();
  private readonly searches = new Set<number>();
  /** Replays in progress, by request id: cancel stops one between its searches. */
  private readonly replays = new Map<number, AbortController>();
  private readonly lanes = new Map<string, number>();
  /** Requests not answered yet: each is answered once, whatever happens. */
  private readonly unanswered = new Map<number, RequestType>();

  constructor(private readonly send: (m: WorkerMessage) => void, private readonly opts: ServiceOptions = {}) {}

  handle(raw: unknown): void {
    const parsed = parseRequest(raw);
    if (!parsed.ok) {
      if (parsed.id !== null) this.send({ kind: 'response', id: parsed.id, type: null, ok: false, error: { code: 'badRequest', message: parsed.reason } });
      else this.log('warn', `ignored a message: ${parsed.reason}`);
      return;
    }
    const req = parsed.request;
    if (this.unanswered.has(req.id)) {
      this.log('warn', `request id ${req.id} reused while still pending; ignored`);
      return;
    }
    this.unanswered.set(req.id, req.type);
    switch (req.type) {
      case 'configure': return this.configure(req);
      case 'index': return this.job(req, (signal) => this.runIndex(req.id, !!req.rebuild, signal));
      case 'update': return this.job(req, (signal) => this.runUpdate(req.id, req.paths, signal));
      case 'overlay': return this.job(req, (signal) => this.runOverlay(req.id, req.paths, signal));
      case 'clear': return this.clear(req);
      case 'search': return void this.search(req);
      case 'status': return void this.status(req);
      case 'cancel': return this.ok(req, { found: this.cancel(req.target) });
      case 'adapt': return this.job(req, (signal) => this.runAdapt(req.adaptKind, req.logDir, signal));
      case 'resetAdaptation': return this.job(req, async () => resetAdaptation(this.requireEngine()));
      case 'adaptations': return void this.adaptations(req);
      case 'replayLog': return void this.replayLog(req);
      case 'debugBlock':
      case 'debugCrash':
        return this.debug(req);
    }
  }

  // ---- answers -------------------------------------------------------------

  private ok<T extends RequestType>(req: { id: number; type: T }, value: ResultOf<T>): void {
    if (!this.unanswered.delete(req.id)) return;
    this.send({ kind: 'response', id: req.id, type: req.type, ok: true, value } as WorkerMessage);
  }

  private fail(id: number, code: ErrorCode, message: string): void {
    const type = this.unanswered.get(id);
    if (type === undefined) return;
    this.unanswered.delete(id);
    this.send({ kind: 'response', id, type, ok: false, error: { code, message } });
  }

  private failWith(id: number, e: unknown, aborted = false): void {
    const code = errorCode(e, aborted);
    this.fail(id, code, code === 'cancelled' ? 'cancelled' : (e as Error)?.message ?? String(e));
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.send({ kind: 'log', level, message });
  }

  private progressSender(id: number): (p: IndexProgress) => void {
    let last = 0;
    let lastPhase = '';
    return (p) => {
      const now = Date.now();
      if (p.phase === lastPhase && p.phase !== 'done' && now - last < PROGRESS_INTERVAL_MS) return;
      last = now;
      lastPhase = p.phase;
      this.send({ kind: 'progress', id, progress: p });
    };
  }

  // ---- engine lifecycle ----------------------------------------------------

  private requireEngine(): Engine {
    if (!this.engine) throw new NotConfigured();
    return this.engine;
  }

  private abortAllJobs(): void {
    for (const ac of this.jobs.values()) ac.abort();
  }

  private configure(req: RequestOf<'configure'>): void {
    this.abortAllJobs();
    const opening = this.chain.then(async () => {
      try {
        this.ok(req, await this.open(req.config));
      } catch (e) {
        this.failWith(req.id, e);
      }
    });
    this.chain = opening;
    this.opening = opening;
  }

  private async open(config: WorkerConfig): Promise<OpenInfo> {
    const old = this.engine;
    this.engine = null;
    this.filter = null;
    if (old) await old.close();
    const model = await this.loadModel(config.model);
    const engine = await Engine.open({
      roots: config.roots,
      indexDir: config.indexDir,
      embedder: model.embedder,
      crawl: { ...config.crawl },
      log: (m) => this.log('info', m),
    });
    this.engine = engine;
    this.filter = new ChangeFilter(engine.roots, config.crawl);
    const s = engine.status();
    const info: OpenInfo = { ...engine.openReport, mode: s.mode, model: s.model };
    if (model.error) info.modelError = model.error;
    this.log('info', `index ${engine.openReport.state} at ${engine.indexDir}: ${s.files} files, ${s.chunks} chunks, ${s.mode} mode${model.error ? ` (model not loaded: ${model.error})` : ''}`);
    return info;
  }

  private async loadModel(asked: WorkerConfig['model']): Promise<LoadedModel> {
    const dir = asked === 'auto' ? (process.env.SIFT_MODEL || findDefaultModel()) : asked;
    const resolved = dir ? path.resolve(dir) : null;
    if (this.model && this.model.dir === resolved) return this.model;
    if (this.model?.embedder) await this.model.embedder.dispose().catch(() => undefined);
    if (!resolved) {
      this.model = { dir: null, embedder: null };
    } else {
      try {
        this.model = { dir: resolved, embedder: await loadEmbedder(resolved) };
      } catch (e) {
        this.model = { dir: resolved, embedder: null, error: (e as Error).message };
        this.log('warn', `embedding model not loaded (${(e as Error).message}); searching by keywords only`);
      }
    }
    return this.model;
  }

  // ---- jobs ----------------------------------------------------------------

  private job<T extends 'index' | 'update' | 'overlay' | 'adapt' | 'resetAdaptation'>(req: { id: number; type: T }, work: (signal: AbortSignal) => Promise<ResultOf<T>>): void {
    const ac = new AbortController();
    this.jobs.set(req.id, ac);
    this.chain = this.chain.then(async () => {
      try {
        if (ac.signal.aborted) throw new Cancelled();
        const value = await work(ac.signal);
        // work done before the abort is kept (and saved); the caller still learns it stopped early
        if (ac.signal.aborted) this.fail(req.id, 'cancelled', 'cancelled');
        else this.ok(req, value);
      } catch (e) {
        this.failWith(req.id, e, ac.signal.aborted);
      } finally {
        this.jobs.delete(req.id);
      }
    });
  }

  private async runIndex(id: number, rebuild: boolean, signal: AbortSignal): Promise<ResultOf<'index'>> {
    const engine = this.requireEngine();
    if (rebuild) engine.clear();
    const stats = await engine.index({ signal, onProgress: this.progressSender(id) });
    // the worker lives on: build what the first query or saved file would otherwise wait for
    await engine.warmUp();
    return stats;
  }

  private async runUpdate(id: number, paths: string[], signal: AbortSignal): Promise<ResultOf<'update'>> {
    const engine = this.requireEngine();
    const verdicts = await this.filter!.classify(paths);
    const onProgress = this.progressSender(id);
    if (verdicts.folders.length > 0) {
      // a folder appeared or vanished: only a crawl sees what it held (unchanged files are not re-read)
      const stats = await engine.index({ signal, onProgress });
      return { stats, updated: verdicts.update.length, ignored: verdicts.ignored.length, crawled: true };
    }
    const stats = await engine.updateFiles(verdicts.update, { signal, onProgress });
    engine.save();
    return { stats, updated: verdicts.update.length, ignored: verdicts.ignored.length, crawled: false };
  }

  // The overlay of a team index: only the given files, through the same filter as an update; a folder is never crawled.
  private async runOverlay(id: number, paths: string[], signal: AbortSignal): Promise<ResultOf<'overlay'>> {
    const engine = this.requireEngine();
    const verdicts = await this.filter!.classify(paths);
    const { stats } = await syncOverlay(engine, verdicts.update, { signal, onProgress: this.progressSender(id) });
    return { stats, updated: verdicts.update.length, ignored: verdicts.ignored.length + verdicts.folders.length, crawled: false };
  }

  // Adaptation runs in the job queue (an index update waits for it), bounded in
  // time by the fine-tuner and yielding between steps, so searches keep answering.
  private async runAdapt(kind: 'zero-click' | 'clicks', logDir: string | undefined, signal: AbortSignal): Promise<ResultOf<'adapt'>> {
    const engine = this.requireEngine();
    const fineTune = { maxMs: ADAPT_MAX_MS };
    if (kind === 'zero-click') return (await adaptToWorkspace(engine, { signal, maxPairs: ZERO_CLICK_MAX_PAIRS, fineTune })).record;
    const { events } = await new QueryLog(logDir!).read();
    return (await adaptGuarded(engine, lessonsFromTriplets(engine, extractTriplets(events)), { kind: 'clicks', scorer: 'search', fineTune, signal })).record;
  }

  private async adaptations(req: RequestOf<'adaptations'>): Promise<void> {
    try {
      const engine = await this.ready();
      this.ok(req, { history: readHistory(engine.indexDir), active: engine.adaptation !== null });
    } catch (e) {
      this.failWith(req.id, e);
    }
  }

  // A replay only reads the index: it runs beside the jobs, like a search (against
  // whatever the index holds now). It is healthInputs.ts's replayOnEngine() with
  // the thread handed back before every search (engine.search does not yield), so
  // searches and a cancel are answered while a long log replays.
  private async replayLog(req: RequestOf<'replayLog'>): Promise<void> {
    const ac = new AbortController();
    this.replays.set(req.id, ac);
    try {
      const engine = await this.ready();
      const report = await replayLog(req.events, async (query, k) => {
        await yieldNow();
        if (ac.signal.aborted || this.engine !== engine) throw new Cancelled();
        const r = await engine.search(query, { k, fixedK: true, threshold: req.threshold });
        return { hits: r.hits, noRelevant: r.noRelevant, mode: r.mode };
      }, {
        roots: engine.roots, exists: (ref) => chunkExists(engine, ref),
        k: req.k, bucket: req.bucket, utcOffsetMinutes: req.utcOffsetMinutes,
      });
      this.ok(req, report);
    } catch (e) {
      this.failWith(req.id, e, ac.signal.aborted);
    } finally {
      this.replays.delete(req.id);
    }
  }

  private clear(req: RequestOf<'clear'>): void {
    this.abortAllJobs();
    this.chain = this.chain.then(async () => {
      try {
        const engine = this.requireEngine();
        engine.clear();
        this.ok(req, this.statusOf(engine));
      } catch (e) {
        this.failWith(req.id, e);
      }
    });
  }

  private cancel(target: number): boolean {
    const ac = this.jobs.get(target);
    if (ac) { ac.abort(); return true; }
    const replay = this.replays.get(target);
    if (replay) { replay.abort(); return true; }
    if (this.searches.has(target)) { this.fail(target, 'cancelled', 'cancelled'); return true; }
    return false;
  }

  // ---- queries -------------------------------------------------------------

  private async ready(): Promise<Engine> {
    if (this.opening) await this.opening;
    return this.requireEngine();
  }

  private async search(req: RequestOf<'search'>): Promise<void> {
    if (req.lane !== undefined) {
      const older = this.lanes.get(req.lane);
      if (older !== undefined) this.fail(older, 'cancelled', 'superseded by a newer search');
      this.lanes.set(req.lane, req.id);
    }
    this.searches.add(req.id);
    try {
      // let cancels already queued behind this request arrive before the work starts
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (!this.unanswered.has(req.id)) return;
      const engine = await this.ready();
      if (!this.unanswered.has(req.id)) return;
      const s = req.search;
      const res = await engine.search(s.query, {
        k: s.k, showWeak: s.showWeak, threshold: s.threshold, languages: s.languages?.length ? s.languages : undefined, pathPrefix: s.pathPrefix || undefined,
        pathFilter: s.pathFilter || undefined,
      });
      if (this.model?.error && res.mode === 'keyword') res.modeReason = `embedding model not loaded: ${this.model.error}`;
      this.ok(req, res);
    } catch (e) {
      this.failWith(req.id, e);
    } finally {
      this.searches.delete(req.id);
      if (req.lane !== undefined && this.lanes.get(req.lane) === req.id) this.lanes.delete(req.lane);
    }
  }

  private statusOf(engine: Engine): WorkerStatus {
    const s: WorkerStatus = { ...engine.status(), open: engine.openReport };
    if (this.model?.error) {
      s.modelError = this.model.error;
      s.modeReason = `embedding model not loaded: ${this.model.error}`;
    }
    return s;
  }

  private async status(req: RequestOf<'status'>): Promise<void> {
    try {
      this.ok(req, this.statusOf(await this.ready()));
    } catch (e) {
      this.failWith(req.id, e);
    }
  }

  // ---- test hooks ----------------------------------------------------------

  private debug(req: RequestOf<'debugBlock'> | RequestOf<'debugCrash'>): void {
    if (!this.opts.testHooks) { this.fail(req.id, 'badRequest', `${req.type} is a test hook; this worker was started without testHooks`); return; }
    if (req.type === 'debugBlock') {
      // blocks the whole thread, so messages sent meanwhile queue up behind it
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, req.ms);
      this.ok(req, null);
      return;
    }
    setImmediate(() => { throw new Error('crash requested by debugCrash'); });
  }
}

