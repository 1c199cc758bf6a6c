// The workspace's index as the extension sees it: which folders, where the
// index lives, with which settings — turned into worker requests. All local
// workspace folders share one Engine (and one worker): a query ranks across
// them in one list with one relevance cut, and the engine already tells hits
// apart by root. The index sits in the workspace's storage, one folder per
// set of roots, so reopening the workspace reuses it without re-embedding.
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
import { WorkerRequestError, type RequestHandle, type WorkerClient } from './workerClient';

export class NoFolderError extends Error {
  constructor() {
    super('Sift searches the folders of a workspace: open a local folder first.');
    this.name = 'NoFolderError';
  }
}

const INDEX_PREFIX = 'index-';

/** Local folders, without ones nested in another (their files are indexed once, under the outer one). */
export function localRoots(folders: readonly vscode.WorkspaceFolder[] | undefined): { roots: string[]; folders: vscode.WorkspaceFolder[] } {
  const local = (folders ?? []).filter((f) => f.uri.scheme === 'file');
  const kept = local.filter((f) => !local.some((o) => o !== f && f.uri.fsPath.startsWith(o.uri.fsPath + path.sep)));
  return { roots: kept.map((f) => f.uri.fsPath), folders: kept };
}

export class WorkspaceIndex implements IndexerBackend {
  private opened: { key: string; info: Promise<OpenInfo>; failed: boolean } | null = null;
  private lastInfo: OpenInfo | null = null;

  constructor(
    private readonly client: WorkerClient,
    /** context.storageUri's path; undefined when no folder is open. */
    private readonly storageDir: string | undefined,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get openInfo(): OpenInfo | null { return this.lastInfo; }
  get roots(): string[] { return localRoots(vscode.workspace.workspaceFolders).roots; }
  get hasFolder(): boolean { return this.storageDir !== undefined && this.roots.length > 0; }

  /** The configuration the worker should have now, or null without a folder. */
  config(): WorkerConfig | null {
    const { roots, folders } = localRoots(vscode.workspace.workspaceFolders);
    if (!this.storageDir || roots.length === 0) return null;
    const key = createHash('sha1').update(roots.join('\n')).digest('hex').slice(0, 12);
    return { roots, indexDir: path.join(this.storageDir, `${INDEX_PREFIX}${key}`), model: 'auto', crawl: crawlConfig(folders) };
  }

  /** Opens the index in the worker unless it is open with this very configuration. */
  ensureOpen(): Promise<OpenInfo> {
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
    return this.afterOpen(() => this.client.call('index', { rebuild: opts.rebuild }, { onProgress: opts.onProgress }));
  }

  update(paths: string[], onProgress: (p: IndexProgress) => void): RequestHandle<UpdateResult> {
    return this.afterOpen(() => this.client.call('update', { paths }, { onProgress }));
  }

  /** Searches; the relevance threshold comes from the settings unless the caller sets one. */
  async search(params: SearchParams, lane?: string): Promise<SearchResponse> {
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

  /** A request that waits for the index to be open; cancellable before and after it is sent. */
  private afterOpen<T>(send: () => RequestHandle<T>): RequestHandle<T> {
    let inner: RequestHandle<T> | null = null;
    let cancelled = false;
    const result = this.ensureOpen().then(() => {
      if (cancelled) throw new WorkerRequestError('cancelled', 'cancelled');
      inner = send();
      return inner.result;
    });
    result.catch(() => undefined);
    return {
      id: -1,
      result,
      cancel: () => { cancelled = true; inner?.cancel(); },
    };
  }

  /** Indexes of earlier folder sets in this workspace's storage: only the current set's is kept, so storage does not grow with every change of folders. */
  private async removeStaleIndexes(current: string): Promise<void> {
    if (!this.storageDir) return;
    let names: string[];
    try { names = await fs.promises.readdir(this.storageDir); } catch { return; }
    for (const n of names) {
      const dir = path.join(this.storageDir, n);
      if (!n.startsWith(INDEX_PREFIX) || dir === current) continue;
      await fs.promises.rm(dir, { recursive: true, force: true }).then(
        () => this.log.info(`removed the index of an earlier folder set: ${dir}`),
        (e: Error) => this.log.warn(`could not remove ${dir}: ${e.message}`),
      );
    }
  }
}
