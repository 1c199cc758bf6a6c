// The workspace's index as the extension sees it: which folders, where the
// index lives, with which settings — turned into worker requests. All local
// workspace folders share one Engine (and one worker): a query ranks across
// them in one list with one relevance cut, and the engine already tells hits
// apart by root. The index sits in the workspace's storage, one folder per
// set of roots, so reopening the workspace reuses it without re-embedding.
// With a team server (sift.server, teamConnection.ts) searches go to it and
// the worker's index holds only the checkout's changed files (an "overlay-"
// folder beside the whole-workspace index, which is kept for local search).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ReplayReport } from '../core/learn/replay';
import type { AdaptationRecord, LogEvent } from '../core/learn/types';
import type { IndexProgress, IndexStats, SearchResponse } from '../core/types';
import type { OpenInfo, SearchParams, UpdateResult, WorkerConfig, WorkerStatus } from '../worker/protocol';
import type { IndexerBackend } from './indexer';
import { crawlConfig, readSettings } from './settings';
import type { TeamConnection } from './teamConnection';
import { WorkerRequestError, type RequestHandle, type WorkerClient } from './workerClient';

export class NoFolderError extends Error {
  constructor() {
    super('Sift searches the folders of a workspace: open a local folder first.');
    this.name = 'NoFolderError';
  }
}

const INDEX_PREFIX = 'index-';
const OVERLAY_PREFIX = 'overlay-';

/** Local folders, without ones nested in another (their files are indexed once, under the outer one). */
export function localRoots(folders: readonly vscode.WorkspaceFolder[] | undefined): { roots: string[]; folders: vscode.WorkspaceFolder[] } {
  const local = (folders ?? []).filter((f) => f.uri.scheme === 'file');
  const kept = local.filter((f) => !local.some((o) => o !== f && f.uri.fsPath.startsWith(o.uri.fsPath + path.sep)));
  return { roots: kept.map((f) => f.uri.fsPath), folders: kept };
}

export class WorkspaceIndex implements IndexerBackend {
  private opened: { key: string; info: Promise<OpenInfo>; failed: boolean } | null = null;
  private lastInfo: OpenInfo | null = null;
  private team: TeamConnection | null = null;

  constructor(
    private readonly client: WorkerClient,
    /** context.storageUri's path; undefined when no folder is open. */
    private readonly storageDir: string | undefined,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get openInfo(): OpenInfo | null { return this.lastInfo; }
  get roots(): string[] { return localRoots(vscode.workspace.workspaceFolders).roots; }
  get hasFolder(): boolean { return this.storageDir !== undefined && this.roots.length > 0; }

  /** With a team server set: searches go to it, and the index holds only the files changed in the checkout. */
  useTeam(team: TeamConnection): void { this.team = team; }
  private get teamMode(): TeamConnection | null { return this.team?.active ? this.team : null; }

  /** The configuration the worker should have now, or null without a folder. */
  config(): WorkerConfig | null {
    const { roots, folders } = localRoots(vscode.workspace.workspaceFolders);
    if (!this.storageDir || roots.length === 0) return null;
    const team = this.teamMode;
    // the overlay's root is the git checkout holding the first folder (known once team.ready() resolved)
    const indexRoots = team ? [team.overlayRoot() ?? roots[0]] : roots;
    const key = createHash('sha1').update(indexRoots.join('\n')).digest('hex').slice(0, 12);
    return { roots: indexRoots, indexDir: path.join(this.storageDir, `${team ? OVERLAY_PREFIX : INDEX_PREFIX}${key}`), model: 'auto', crawl: crawlConfig(folders) };
  }

  /** Opens the index in the worker unless it is open with this very configuration. */
  ensureOpen(): Promise<OpenInfo> {
    const team = this.teamMode;
    return team ? team.ready().then(() => this.openNow()) : this.openNow();
  }

  private openNow(): Promise<OpenInfo> {
    const config = this.config();
    if (!config) return Promise.reject(new NoFolderError());
    const key = JSON.stringify(config);
    if (this.opened && this.opened.key === key && !this.opened.failed) return this.opened.info;
    const entry = { key, info: this.client.configure(config), failed: false };
    this.opened = entry;
    entry.info.then(
      (info) => {
        this.lastInfo = info;
        void this.removeStaleIndexes(config.indexDir);
      },
      (e: Error) => {
        entry.failed = true;
        this.log.error(`cannot open the index: ${e.message}`);
      },
    );
    return entry.info;
  }

  /** True when the settings or folders changed since the index was opened. */
  get configChanged(): boolean {
    const config = this.config();
    return !!this.opened && (!config || JSON.stringify(config) !== this.opened.key);
  }

  index(opts: { rebuild: boolean; onProgress: (p: IndexProgress) => void }): RequestHandle<IndexStats> {
    const team = this.teamMode;
    if (team) {
      const h = this.afterOpen(async () => this.client.call('overlay', { paths: await team.overlayPaths() }, { onProgress: opts.onProgress }));
      return { ...h, result: h.result.then((r) => r.stats) };
    }
    return this.afterOpen(() => this.client.call('index', { rebuild: opts.rebuild }, { onProgress: opts.onProgress }));
  }

  update(paths: string[], onProgress: (p: IndexProgress) => void): RequestHandle<UpdateResult> {
    const team = this.teamMode;
    // a saved, created or deleted file may join or leave the changed files: the overlay is worked out again
    if (team) return this.afterOpen(async () => this.client.call('overlay', { paths: await team.overlayPaths() }, { onProgress }));
    return this.afterOpen(() => this.client.call('update', { paths }, { onProgress }));
  }

  /** Searches; the relevance threshold comes from the settings unless the caller sets one. */
  async search(params: SearchParams, lane?: string): Promise<SearchResponse> {
    const team = this.teamMode;
    if (team) {
      // the local side of the overlay (no lane: the team's answer decides what is shown; ranked top k for a threshold cut)
      return team.search(params, async (q) => {
        await this.ensureOpen();
        const { fixedK, ...rest } = q;
        return this.client.request('search', { search: { ...rest, threshold: fixedK ? 0 : undefined } });
      });
    }
    await this.ensureOpen();
    const search = { threshold: readSettings().relevanceThreshold, ...params };
    return this.client.request('search', lane === undefined ? { search } : { search, lane });
  }

  async status(): Promise<WorkerStatus> {
    await this.ensureOpen();
    return this.client.request('status', {});
  }

  async clear(): Promise<WorkerStatus> {
    await this.ensureOpen();
    return this.client.request('clear', {});
  }

  /** One guarded adaptation attempt, queued with the index jobs (clicks read the query log in logDir). */
  adapt(kind: 'zero-click' | 'clicks', logDir?: string): RequestHandle<AdaptationRecord> {
    return this.afterOpen(() => this.client.call('adapt', logDir === undefined ? { adaptKind: kind } : { adaptKind: kind, logDir }));
  }

  async resetAdaptation(): Promise<AdaptationRecord> {
    await this.ensureOpen();
    return this.client.request('resetAdaptation', {});
  }

  /** Every adaptation attempt recorded with the index, oldest first, and whether one is in use. */
  async adaptations(): Promise<{ history: AdaptationRecord[]; active: boolean }> {
    await this.ensureOpen();
    return this.client.request('adaptations', {});
  }

  /** The log's searches replayed against today's index (in the worker). */
  async replayLog(events: LogEvent[], opts: { utcOffsetMinutes?: number } = {}): Promise<ReplayReport> {
    await this.ensureOpen();
    return this.client.request('replayLog', { events, threshold: readSettings().relevanceThreshold, ...opts });
  }

  /** A request that waits for the index to be open (and what `send` awaits); cancellable before and after it is sent. */
  private afterOpen<T>(send: () => RequestHandle<T> | Promise<RequestHandle<T>>): RequestHandle<T> {
    let inner: RequestHandle<T> | null = null;
    let cancelled = false;
    const result = this.ensureOpen().then(async () => {
      if (cancelled) throw new WorkerRequestError('cancelled', 'cancelled');
      inner = await send();
      if (cancelled) inner.cancel();
      return inner.result;
    });
    result.catch(() => undefined);
    return {
      id: -1,
      result,
      cancel: () => { cancelled = true; inner?.cancel(); },
    };
  }

  /**
   * Indexes of earlier folder sets in this workspace's storage: only the current set's is kept, so storage does not grow
   * with every change of folders. Only indexes of the current kind go: the whole-workspace index stays while a team
   * server is used (local search is back at once when it is unset), and the overlay stays while it is not.
   */
  private async removeStaleIndexes(current: string): Promise<void> {
    if (!this.storageDir) return;
    const prefix = path.basename(current).startsWith(OVERLAY_PREFIX) ? OVERLAY_PREFIX : INDEX_PREFIX;
    let names: string[];
    try { names = await fs.promises.readdir(this.storageDir); } catch { return; }
    for (const n of names) {
      const dir = path.join(this.storageDir, n);
      if (!n.startsWith(prefix) || dir === current) continue;
      await fs.promises.rm(dir, { recursive: true, force: true }).then(
        () => this.log.info(`removed the index of an earlier folder set: ${dir}`),
        (e: Error) => this.log.warn(`could not remove ${dir}: ${e.message}`),
      );
    }
  }
}
