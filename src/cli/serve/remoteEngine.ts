// The engine of a root set as `sift mcp` sees it when `sift serve` holds it:
// the same calls (index, search, status), answered by the daemon. Should the
// daemon go away, it opens the engine in this process and carries on there.
import { IndexWriteError, type Engine, type EngineStatus, type IndexRunOptions } from '../../core/engine';
import type { SearchOptions } from '../../core/search/search';
import type { IndexStats, SearchResponse } from '../../core/types';
import type { EngineSpec } from '../engineSpec';
import { openEngineFromSpec } from '../engineOpen';
import { isWriteRefusal } from '../refreshOrWarn';
import { startDaemon } from './autostart';
import { buildId } from './buildId';
import { DaemonClient, DaemonError, DaemonGone, type Outgoing } from './client';
import type { PingValue } from './protocol';
import { serveDir, serveDirProblem, socketPath } from './socketPath';
import * as fs from 'node:fs';

/** What sift mcp needs of an engine: the Engine itself, or RemoteEngine. */
export type EngineLike = Pick<Engine, 'roots' | 'indexDir' | 'chunkCount' | 'index' | 'search' | 'close'> & {
  status(): EngineStatus | Promise<EngineStatus>;
};

export class RemoteEngine implements EngineLike {
  readonly roots: string[];
  readonly indexDir: string;
  private chunks = 0;
  private local: Engine | null = null;
  private localOpening: Promise<Engine> | null = null;

  private constructor(private readonly client: DaemonClient, private readonly spec: EngineSpec, readonly pid: number, private readonly log: (m: string) => void) {
    this.roots = spec.roots;
    this.indexDir = spec.indexDir;
  }

  /** The daemon's engine for this spec, or null when no daemon of this build answers (start one when `start`). */
  static async connect(spec: EngineSpec, log: (m: string) => void, start = false): Promise<RemoteEngine | null> {
    const dir = serveDir();
    const problem = fs.existsSync(dir) ? serveDirProblem(dir) : null;
    if (problem) {
      if (fs.existsSync(socketPath(dir)) || start) log(`sift: not using sift serve: ${problem}`);
      return null;
    }
    let client = fs.existsSync(dir) ? await DaemonClient.connect(socketPath(dir)) : null;
    if (!client && start) client = await startDaemon(dir);
    if (!client) return null;
    try {
      const ping = await client.request({ type: 'ping', build: buildId() }) as PingValue;
      return new RemoteEngine(client, spec, ping.pid, log);
    } catch (e) {
      client.close();
      if (e instanceof DaemonError || e instanceof DaemonGone) return null; // another build, or it is stopping
      throw e;
    }
  }

  get chunkCount(): number { return this.local ? this.local.chunkCount : this.chunks; }

  async index(run: IndexRunOptions = {}): Promise<IndexStats> {
    let v: IndexStats | { stats: IndexStats };
    try {
      v = await this.call({ type: 'index', engine: this.spec }, (e) => e.index(run)) as IndexStats | { stats: IndexStats };
    } catch (e) {
      // the caller searches the index as loaded when it holds chunks: know how many
      if (isWriteRefusal(e)) await this.status().catch(() => undefined);
      throw e;
    }
    const stats = 'stats' in v ? v.stats : v;
    this.chunks = stats.chunks;
    return stats;
  }

  async search(query: string, opts: SearchOptions = {}): Promise<SearchResponse> {
    const v = await this.call({
      type: 'search', engine: this.spec, query, k: opts.k, all: opts.showWeak, threshold: opts.threshold, fixedK: opts.fixedK,
      languages: opts.languages, pathFilter: opts.pathFilter, refresh: false, output: 'response',
    }, (e) => e.search(query, opts)) as SearchResponse | { response: SearchResponse };
    return 'response' in v ? v.response : v;
  }

  async status(): Promise<EngineStatus> {
    const s = await this.call({ type: 'status', engine: this.spec }, async (e) => e.status()) as EngineStatus;
    this.chunks = s.chunks;
    return s;
  }

  async close(): Promise<void> {
    this.client.close();
    await this.local?.close();
  }

  /** Ask the daemon; once it has gone, answer with an engine of our own. Errors come back as the engine's would. */
  private async call(req: Outgoing, locally: (e: Engine) => Promise<unknown>): Promise<unknown> {
    if (!this.local) {
      try {
        return await this.client.request(req, this.log);
      } catch (e) {
        if (e instanceof DaemonError) throw e.code === 'writeFailed' ? new IndexWriteError(e.message) : new Error(e.message);
        if (!(e instanceof DaemonGone)) throw e;
        this.log(`sift: ${e.message}; opening the index in this process`);
      }
    }
    this.localOpening ??= openEngineFromSpec(this.spec, this.log);
    this.local = await this.localOpening;
    return locally(this.local);
  }
}
