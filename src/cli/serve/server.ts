// The `sift serve` daemon: listens on the per-user socket, answers the
// protocol's requests (protocol.ts) concurrently, keeps one warm engine per
// index folder (engineSlot.ts), and stops after its idle time, on a stop
// request or on SIGINT/SIGTERM, removing its socket. One daemon per socket
// folder: it holds `serve.lock` there (the write-lock protocol), so a second
// one refuses to start and a crashed one's socket and lock are taken over.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Embedder } from '../../core/embed/embedder';
import { acquireLockFile, readHolder, WriteLockHeldError, type WriteLock } from '../../core/persist/writeLock';
import type { IndexProgress, LanguageId } from '../../core/types';
import { resolveSpec, specKey, type EngineRequest, type EngineSpec } from '../engineSpec';
import { exitFor } from '../exitCodes';
import { formatSearch } from '../format';
import { packageVersion } from '../help';
import { loadSpecModel } from '../engineOpen';
import { refreshOrWarn } from '../refreshOrWarn';
import { buildId } from './buildId';
import { EngineSlot } from './engineSlot';
import { parseRequest, PROTOCOL_VERSION, type ErrorCode, type Request, type RequestId, type ServerLine } from './protocol';
import { ensureServeDir, SERVE_LOCK_FILE, socketPath } from './socketPath';

export interface ServeOptions {
  /** The socket folder (socketPath.ts serveDir). */
  dir: string;
  /** Stop after this long with no connection and no request. */
  idleMs: number;
  /** Close an engine after this long without a request. */
  engineIdleMs: number;
  log: (m: string) => void;
}

/** Lines longer than this (no newline yet) end the connection: no request is that big. */
const MAX_LINE_BYTES = 8 << 20;
/** Progress events to a client at most this often. */
const PROGRESS_MS = 100;
/** How long requests in flight may take to finish when the daemon stops. */
const STOP_GRACE_MS = 5000;

export class ServeRunningError extends Error {
  constructor(message: string) { super(message); this.name = 'ServeRunningError'; }
}

export class SiftServer {
  readonly socket: string;
  readonly build = buildId();
  private readonly slots = new Map<string, EngineSlot>();
  private readonly models = new Map<string, Promise<{ embedder: Embedder | null; warning?: string }>>();
  private readonly connections = new Set<net.Socket>();
  private inFlight = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private server: net.Server | null = null;
  private lock: WriteLock | null = null;
  private stopping: Promise<void> | null = null;
  private readonly startedAt = new Date().toISOString();
  private resolveStopped!: () => void;
  /** Resolves once the daemon has stopped (socket removed, engines closed). */
  readonly stopped = new Promise<void>((r) => { this.resolveStopped = r; });

  constructor(private readonly opts: ServeOptions) {
    this.socket = socketPath(opts.dir);
  }

  /** Check the folder, become the one daemon, listen. Throws ServeDirError / ServeRunningError. */
  async start(): Promise<void> {
    ensureServeDir(this.opts.dir);
    const lockFile = path.join(this.opts.dir, SERVE_LOCK_FILE);
    try {
      this.lock = acquireLockFile(lockFile);
    } catch (e) {
      if (!(e instanceof WriteLockHeldError)) throw e;
      const h = readHolder(lockFile);
      throw new ServeRunningError(`sift serve is already running${h ? ` (process ${h.pid}, since ${h.startedAt})` : ''} on ${this.socket}`);
    }
    try {
      this.removeStaleSocket();
      this.server = net.createServer((c) => this.onConnection(c));
      await this.listen();
    } catch (e) {
      this.lock.release();
      throw e;
    }
    this.armIdle();
    this.opts.log(`sift serve ${packageVersion()} (pid ${process.pid}) listening on ${this.socket}; stops after ${Math.round(this.opts.idleMs / 1000)} s idle`);
  }

  private removeStaleSocket(): void {
    if (process.platform === 'win32') return;
    let st: fs.Stats;
    try { st = fs.lstatSync(this.socket); } catch { return; }
    if (!st.isSocket()) throw new Error(`${this.socket} exists and is not a socket: remove it`);
    // we hold serve.lock, so no live daemon listens on it: a crashed one left it
    fs.rmSync(this.socket, { force: true });
    this.opts.log(`removed a stale socket left by a daemon that did not stop cleanly`);
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = this.server!;
      server.once('error', reject);
      // the folder is 0700 already; the socket is created 0600 too (umask), then chmod'ed to be sure
      const old = process.platform === 'win32' ? null : process.umask(0o177);
      try {
        server.listen(this.socket, () => {
          server.off('error', reject);
          server.on('error', (e) => this.opts.log(`socket error: ${e.message}`));
          if (process.platform !== 'win32') fs.chmodSync(this.socket, 0o600);
          resolve();
        });
      } finally {
        if (old !== null) process.umask(old);
      }
    });
  }

  // ---- connections -----------------------------------------------------------

  private onConnection(c: net.Socket): void {
    this.connections.add(c);
    this.disarmIdle();
    let buf = '';
    c.setEncoding('utf8');
    c.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) this.onLine(c, line);
      }
      if (buf.length > MAX_LINE_BYTES) {
        this.send(c, { id: null, ok: false, error: { code: 'badRequest', message: `a request line over ${MAX_LINE_BYTES} bytes`, exitCode: 1 } });
        c.end();
        buf = '';
      }
    });
    c.on('error', () => undefined); // a client that went away mid-request: its replies are dropped
    c.on('close', () => {
      this.connections.delete(c);
      this.armIdle();
    });
  }

  private send(c: net.Socket, line: ServerLine): void {
    if (!c.destroyed && c.writable) c.write(JSON.stringify(line) + '\n');
  }

  private onLine(c: net.Socket, line: string): void {
    const parsed = parseRequest(line);
    if (!parsed.ok) {
      this.send(c, { id: parsed.id, ok: false, error: { code: 'badRequest', message: parsed.reason, exitCode: 1 } });
      return;
    }
    const req = parsed.request;
    this.inFlight++;
    this.disarmIdle();
    const warn = (message: string) => this.send(c, { id: req.id, event: 'warning', message });
    const progress = 'progress' in req && req.progress ? throttled((p) => this.send(c, { id: req.id, event: 'progress', progress: p })) : undefined;
    this.answer(req, warn, progress).then(
      (value) => this.send(c, { id: req.id, ok: true, value }),
      (e) => this.send(c, errorReply(req.id, e)),
    ).finally(() => {
      this.inFlight--;
      this.armIdle();
      if (req.type === 'stop') void this.stop('asked to stop');
    });
  }

  private async answer(req: Request, warn: (m: string) => void, progress?: (p: IndexProgress) => void): Promise<unknown> {
    if (this.stopping && req.type !== 'stop') throw new ReplyError('stopping', 'sift serve is stopping');
    if (req.build !== undefined && req.build !== this.build) {
      throw new ReplyError('otherBuild', `this sift serve (process ${process.pid}) runs another build of sift (sift serve stop, then start it again)`);
    }
    switch (req.type) {
      case 'ping': return { protocol: PROTOCOL_VERSION, version: packageVersion(), pid: process.pid, build: this.build };
      case 'stop': return { stopping: true };
      case 'status':
        if (!req.engine) return this.daemonStatus();
        return this.slotFor(req.engine).use(warn, async (e) => ({ ...e.status(), index: e.openReport }));
      case 'index': {
        const slot = this.slotFor(req.engine);
        return slot.use(warn, async (e) => {
          const stats = await slot.refresh(undefined, progress);
          return { stats, status: e.status() };
        });
      }
      case 'search': return this.search(req, warn, progress);
    }
  }

  private async search(req: Extract<Request, { type: 'search' }>, warn: (m: string) => void, progress?: (p: IndexProgress) => void): Promise<unknown> {
    const slot = this.slotFor(req.engine);
    return slot.use(warn, async (engine) => {
      const refresh = req.refresh ?? true;
      if (refresh !== false || engine.chunkCount === 0) {
        if (engine.chunkCount === 0 && req.announce) warn(`indexing ${engine.roots.join(', ')} first (only changed files are re-read after this)…`);
        const maxAgeMs = typeof refresh === 'number' && engine.chunkCount > 0 ? refresh : undefined;
        await refreshOrWarn(() => slot.refresh(maxAgeMs, progress), () => engine.chunkCount, warn);
      }
      const res = await engine.search(req.query, {
        k: req.k ?? 10, showWeak: !!req.all, threshold: req.threshold, fixedK: !!req.fixedK,
        languages: req.languages?.length ? req.languages as LanguageId[] : undefined,
        pathFilter: req.pathFilter?.trim() || undefined,
      });
      if (req.output === 'response') return { response: res, roots: engine.roots };
      return { stdout: formatSearch(res, engine.roots, req.query, req.output === 'json') + '\n', roots: engine.roots };
    });
  }

  private daemonStatus(): unknown {
    return {
      pid: process.pid, version: packageVersion(), build: this.build, socket: this.socket, startedAt: this.startedAt,
      idleTimeoutMs: this.opts.idleMs, engineIdleMs: this.opts.engineIdleMs, connections: this.connections.size,
      engines: [...this.slots.values()].map((s) => ({ roots: s.spec.roots, indexDir: s.indexDir, busy: s.busy, holdsWriteLock: s.holdsLock })),
    };
  }

  // ---- engines ---------------------------------------------------------------

  /** The warm engine for this spec; another spec of the same index folder replaces it once idle. */
  private slotFor(req: EngineRequest): EngineSlot {
    const spec: EngineSpec = resolveSpec(req);
    const key = specKey(spec);
    const old = this.slots.get(spec.indexDir);
    if (old && old.key === key && !old.openFailed) return old;
    const slot = new EngineSlot(spec, {
      idleMs: this.opts.engineIdleMs,
      log: this.opts.log,
      loadModel: (s, warn) => this.model(s, warn),
      onClosed: (s) => { if (this.slots.get(s.indexDir) === s) this.slots.delete(s.indexDir); },
    }, old ? old.retire() : undefined);
    this.slots.set(spec.indexDir, slot);
    void slot.open().catch((e) => this.opts.log(`could not open ${spec.roots.join(', ')}: ${(e as Error).message}`));
    return slot;
  }

  /** Models are shared by the engines using them; a load failure is remembered and warned about again. */
  private async model(spec: EngineSpec, warn: (m: string) => void): Promise<Embedder | null> {
    const key = JSON.stringify([spec.model ?? null, spec.runtime]);
    let p = this.models.get(key);
    if (!p) {
      p = (async () => {
        let warning: string | undefined;
        const embedder = await loadSpecModel(spec, (m) => { warning = m; });
        return { embedder, warning };
      })();
      this.models.set(key, p);
    }
    const { embedder, warning } = await p;
    if (warning) warn(warning);
    return embedder;
  }

  // ---- lifetime --------------------------------------------------------------

  private disarmIdle(): void {
    if (this.idleTimer) { clearTimeout(this.idleTimer); this.idleTimer = null; }
  }

  private armIdle(): void {
    this.disarmIdle();
    if (this.stopping || this.inFlight > 0 || this.connections.size > 0) return;
    this.idleTimer = setTimeout(() => void this.stop(`idle for ${Math.round(this.opts.idleMs / 1000)} s`), this.opts.idleMs);
  }

  /** Resolves when no request is in flight, or after ms. */
  private drained(ms: number): Promise<void> {
    const until = Date.now() + ms;
    return new Promise((resolve) => {
      const check = () => (this.inFlight === 0 || Date.now() > until ? resolve() : setTimeout(check, 20));
      check();
    });
  }

  /** Stop listening, let requests in flight end (refreshes are stopped), close engines, remove the socket. */
  stop(reason: string): Promise<void> {
    this.stopping ??= (async () => {
      this.opts.log(`stopping: ${reason}`);
      this.disarmIdle();
      const closed = new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
      for (const s of this.slots.values()) s.abortRefresh();
      await this.drained(STOP_GRACE_MS);
      await Promise.allSettled([...this.slots.values()].map((s) => s.close()));
      this.slots.clear();
      for (const c of this.connections) c.end();
      setTimeout(() => { for (const c of this.connections) c.destroy(); }, 1000).unref();
      await closed;
      if (process.platform !== 'win32') fs.rmSync(this.socket, { force: true });
      for (const m of this.models.values()) void m.then((x) => x.embedder?.dispose()).catch(() => undefined);
      this.lock?.release();
      this.lock = null;
      this.opts.log('stopped');
      this.resolveStopped();
    })();
    return this.stopping;
  }
}

/** At most one progress event per PROGRESS_MS, but every phase change (and 'done'). */
function throttled(send: (p: IndexProgress) => void): (p: IndexProgress) => void {
  let last = 0;
  let phase = '';
  return (p) => {
    const now = Date.now();
    if (now - last < PROGRESS_MS && p.phase === phase) return;
    last = now;
    phase = p.phase;
    send(p);
  };
}

class ReplyError extends Error {
  constructor(readonly code: ErrorCode, message: string) { super(message); }
}

function errorReply(id: RequestId, e: unknown): ServerLine {
  if (e instanceof ReplyError) return { id, ok: false, error: { code: e.code, message: e.message, exitCode: 1 } };
  const { exitCode, message } = exitFor(e);
  const code: ErrorCode = exitCode === 2 ? 'usage' : exitCode === 3 ? 'noFolder' : exitCode === 4 ? 'writeFailed' : 'internal';
  return { id, ok: false, error: { code, message, exitCode } };
}
