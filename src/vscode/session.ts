// Wires the pieces together for one window: the worker client, the index,
// the scheduler, the views and the commands. Building it only creates and
// registers things; the worker starts when the first job or search needs it.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { OpenInfo, WorkerData } from '../worker/protocol';
import { WorkspaceAdaptation } from './adaptation';
import type { SiftApi } from './api';
import { registerCommands } from './commands';
import { Indexer, type IndexerEvent } from './indexer';
import { IndexState } from './indexState';
import { ProgressNotification } from './progressNotification';
import { SearchLog } from './searchLog';
import type { QuickPickDeps } from './searchQuickPick';
import { affectsCrawl, affectsTeam, readSettings } from './settings';
import { SIDEBAR_VIEW_ID, SidebarView } from './sidebarView';
import { StatusBar } from './statusBar';
import { TeamConnection } from './teamConnection';
import { watchWorkspace } from './watcher';
import { WorkerClient } from './workerClient';
import { NoFolderError, WorkspaceIndex } from './workspaceIndex';

// A worker that runs out of memory is stopped on its own (and restarted) instead of taking the extension host down.
const WORKER_HEAP_MB = 4096;
const CONFIG_SETTLE_MS = 400;

export class SiftSession implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  readonly client: WorkerClient;
  readonly index: WorkspaceIndex;
  readonly indexer: Indexer;
  readonly state = new IndexState();
  readonly searchLog: SearchLog;
  readonly adaptation: WorkspaceAdaptation;
  /** The team server when sift.server is set (searches go to it; the local index holds the changed files only). */
  readonly team: TeamConnection;
  private readonly notification: ProgressNotification;
  /** Show the progress notification for the next full index (first index, or a rebuild asked for). */
  private notifyFullIndex = false;
  private configTimer: NodeJS.Timeout | undefined;
  private lastFailure = '';
  /** The running full index was asked to rebuild. */
  private fullRebuild = false;
  /** The opened index whose creation already counted as fresh for zero-click adaptation. */
  private freshSeen: OpenInfo | null = null;

  constructor(private readonly context: vscode.ExtensionContext) {
    const log = vscode.window.createOutputChannel('Sift', { log: true });
    this.log = log;
    context.subscriptions.push(log, this);
    const workerFile = context.asAbsolutePath(path.join('dist', 'worker.js'));
    this.client = new WorkerClient({
      spawn: () => new Worker(workerFile, { workerData: {} satisfies WorkerData, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } }),
      log: (level, message) => log[level](message),
    });
    const storageDir = context.storageUri?.fsPath;
    this.index = new WorkspaceIndex(this.client, storageDir, log);
    this.indexer = new Indexer({ backend: this.index, onEvent: (e) => this.onIndexerEvent(e) });
    this.team = new TeamConnection(context.secrets, this.state, () => this.index.roots[0], log, () => {
      if (readSettings().autoIndex) this.indexer.requestFullIndex();
    });
    this.index.useTeam(this.team);
    context.subscriptions.push(this.team);
    this.searchLog = new SearchLog(storageDir, () => readSettings().feedbackEnabled, () => this.index.roots, log);
    context.subscriptions.push(this.searchLog);
    this.adaptation = new WorkspaceAdaptation({ index: this.index, searchLog: this.searchLog, log, workspaceState: context.workspaceState });
    context.subscriptions.push(this.adaptation);
    this.notification = new ProgressNotification(() => {
      this.indexer.pause();
      void vscode.window.showInformationMessage('Sift: indexing paused. What was indexed so far is searchable.', 'Resume').then((a) => {
        if (a === 'Resume') this.indexer.resume();
      });
    });
    this.state.update({ hasFolder: this.index.hasFolder });
    this.team.reset();
    this.client.onStateChange((worker) => {
      this.state.update({ worker });
      if (worker.kind === 'running' && worker.restarts > 0) void this.refreshSummary().catch(() => undefined);
    });

    const quickPick: QuickPickDeps = {
      index: this.index,
      searchLog: this.searchLog,
      maxResults: () => readSettings().maxResults,
      indexing: () => this.workspaceIndexing,
      onIndexChange: (listener) => this.state.onChange(listener),
      log,
    };
    const sidebar = new SidebarView({
      extensionUri: context.extensionUri, index: this.index, state: this.state, searchLog: this.searchLog,
      maxResults: () => readSettings().maxResults, log,
    });
    context.subscriptions.push(
      sidebar,
      vscode.window.registerWebviewViewProvider(SIDEBAR_VIEW_ID, sidebar),
      new StatusBar(this.state),
      this.notification,
      ...watchWorkspace({
        changed: (p) => { if (readSettings().autoIndex) this.indexer.notifyChanged(p); },
        foldersChanged: () => this.onFoldersChanged(),
        configChanged: (e) => this.onConfigChanged(e),
      }),
      // with a team server, an editor with unsaved changes joins the changed files (its file as saved is searched locally)
      vscode.workspace.onDidChangeTextDocument((e) => this.onDocumentEdited(e.document)),
    );
    registerCommands(context, {
      index: this.index, indexer: this.indexer, state: this.state, searchLog: this.searchLog, adaptation: this.adaptation, log, quickPick,
      rebuild: () => { this.notifyFullIndex = true; this.indexer.requestFullIndex({ rebuild: true }); },
      refreshSummary: () => this.refreshSummary(),
      team: this.team,
      teamChanged: () => this.onTeamChanged(),
    });

    // deferred: activation only schedules the first index; the worker starts after activate() returns
    if (this.index.hasFolder && readSettings().autoIndex) this.indexer.requestFullIndex({ defer: true });
  }

  /** The whole workspace is being indexed (searches answer from part of it); never with a team server, whose index is whole. */
  get workspaceIndexing(): boolean {
    return !this.team.active && this.indexer.runningJob === 'full';
  }

  api(activationMs: number): SiftApi {
    return {
      whenIdle: () => this.indexer.whenIdle(),
      search: (query, opts = {}) => this.index.search({ ...opts, query, k: opts.k ?? readSettings().maxResults }),
      status: async () => ({ ...(await this.index.status()), paused: this.indexer.paused }),
      feedbackFile: () => this.searchLog.file ?? '',
      searchLog: () => this.searchLog.read(),
      adaptations: () => this.index.adaptations(),
      activationMs,
    };
  }

  async refreshSummary(): Promise<void> {
    if (!this.index.hasFolder) return;
    this.state.update({ summary: await this.index.status() });
  }

  private onIndexerEvent(e: IndexerEvent): void {
    switch (e.type) {
      case 'start':
        if (e.job === 'full') this.fullRebuild = e.rebuild;
        this.state.update({ job: { kind: e.job, progress: null } });
        return;
      case 'progress': {
        this.state.update({ job: { kind: e.job, progress: e.progress } });
        if (e.job !== 'full') return;
        // the first progress comes after the index was opened, so we know whether it is new
        const open = this.index.openInfo;
        if (this.team.active) return; // a few changed files: no notification
        if (!this.notification.showing && (this.notifyFullIndex || (open && open.state !== 'loaded'))) {
          this.notifyFullIndex = true;
          this.notification.begin('Sift: indexing the workspace');
        }
        this.notification.report(e.progress);
        return;
      }
      case 'done': {
        const s = e.stats;
        if (this.team.active) {
          // the overlay of the team index: no adaptation to learn from a handful of changed files
          this.notifyFullIndex = false;
          if (e.job === 'full' || s.changedFiles || s.removedFiles) this.log.info(`local index of the files changed here: ${s.files} files, ${s.chunks} chunks (${s.changedFiles} re-read, ${s.removedFiles} removed) in ${s.tookMs} ms`);
        } else if (e.job === 'full') {
          this.notifyFullIndex = false;
          this.log.info(`indexed ${s.files} files, ${s.chunks} chunks (${s.changedFiles} changed, ${s.removedFiles} removed, ${s.embeddedChunks} embedded, ${s.skipped.length} skipped) in ${s.tookMs} ms`);
          this.adaptation.scheduler.fullIndexDone(this.indexWasFresh());
        } else if (s.changedFiles || s.removedFiles) {
          this.log.info(`updated ${s.changedFiles} changed and ${s.removedFiles} removed files in ${s.tookMs} ms`);
        }
        this.lastFailure = '';
        this.notification.end();
        this.state.update({ job: null, error: null });
        void this.refreshSummary().catch((err: Error) => this.log.warn(`status: ${err.message}`));
        return;
      }
      case 'stopped':
        this.notification.end();
        this.state.update({ job: null });
        if (e.reason === 'cancelled') this.log.info(`${e.job === 'full' ? 'indexing' : 'update'} stopped; it will continue later`);
        return;
      case 'failed': {
        this.notification.end();
        this.state.update({ job: null, error: e.error instanceof NoFolderError ? null : e.error.message });
        if (e.error instanceof NoFolderError) return;
        this.log.error(`${e.job === 'full' ? 'indexing' : 'update'} failed: ${e.error.message}`);
        // one message per distinct failure, not one per file event
        if (e.error.message !== this.lastFailure) {
          this.lastFailure = e.error.message;
          void vscode.window.showErrorMessage(`Sift: indexing failed: ${e.error.message}`, 'Show Log').then((a) => {
            if (a) this.log.show(true);
          });
        }
        return;
      }
      case 'paused':
      case 'resumed':
        this.state.update({ paused: this.indexer.paused });
        return;
    }
  }

  /** The full index that just finished was a rebuild, or the first over an index created when it was opened. */
  private indexWasFresh(): boolean {
    const open = this.index.openInfo;
    const created = !!open && open.state !== 'loaded' && open !== this.freshSeen;
    if (created) this.freshSeen = open;
    return this.fullRebuild || created;
  }

  private onFoldersChanged(): void {
    this.state.update({ hasFolder: this.index.hasFolder, summary: null });
    this.team.reset();
    this.log.info(`workspace folders changed: ${this.index.roots.join(', ') || 'none'}`);
    this.indexer.interrupt();
    if (this.index.hasFolder && readSettings().autoIndex) this.indexer.requestFullIndex();
  }

  private onConfigChanged(e: vscode.ConfigurationChangeEvent): void {
    const crawl = affectsCrawl(e);
    const auto = e.affectsConfiguration('sift.autoIndex');
    const team = affectsTeam(e);
    if (!crawl && !auto && !team) return;
    // settings UIs fire on every keystroke: act once they settle
    clearTimeout(this.configTimer);
    this.configTimer = setTimeout(() => {
      if (team) {
        this.onTeamChanged();
        return;
      }
      if (!this.index.hasFolder || !readSettings().autoIndex) return;
      if (this.index.configChanged) {
        this.log.info('index settings changed: re-applying includes and excludes');
        this.indexer.interrupt();
        this.indexer.requestFullIndex();
      } else if (auto) {
        this.indexer.requestFullIndex();
      }
    }, CONFIG_SETTLE_MS);
  }

  /** The team server, its index or its token changed: ask it again and bring the local index to what it needs. */
  private onTeamChanged(): void {
    this.team.reset();
    this.dirtySeen.clear();
    this.log.info(this.team.active ? `team server: ${readSettings().server}` : 'no team server: searching the local index of the workspace');
    this.indexer.interrupt();
    if (this.index.hasFolder && readSettings().autoIndex) this.indexer.requestFullIndex();
    void this.refreshSummary().catch(() => undefined);
  }

  /** Files whose editors had unsaved changes when last seen (team mode). */
  private readonly dirtySeen = new Set<string>();

  private onDocumentEdited(doc: vscode.TextDocument): void {
    if (!this.team.active || doc.uri.scheme !== 'file') return;
    const p = doc.uri.fsPath;
    // only when an editor turns dirty or clean (a save is a file event already), not on every keystroke
    if (doc.isDirty === this.dirtySeen.has(p)) return;
    if (doc.isDirty) this.dirtySeen.add(p); else this.dirtySeen.delete(p);
    if (readSettings().autoIndex) this.indexer.notifyChanged(p);
  }

  dispose(): void {
    clearTimeout(this.configTimer);
    this.indexer.dispose();
    void this.client.dispose();
  }
}
