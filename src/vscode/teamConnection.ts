// The team server as the extension uses it when `sift.server` is set: the
// client (its token in VS Code's SecretStorage, never in settings or logs),
// the index it names (sift.serverRepo / sift.serverBranch, else the checkout's
// defaults: core/team/teamRef.ts), the files changed in the checkout (git,
// plus unsaved editors) and the searches, overlaid with the local index of
// those files (core/team/teamSearch.ts). What it learns goes to the IndexState
// (`team`) for the status bar and the sidebar.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { IndexRef } from '../core/team/api';
import { changedFiles, repoRootOf, type ChangedFiles } from '../core/team/changedFiles';
import { parseServerUrl, displayUrl, TeamClient, TeamServerError } from '../core/team/client';
import { localBranches, resolveTeamRef } from '../core/team/teamRef';
import { overlaySearch, type LocalQuery } from '../core/team/teamSearch';
import type { SearchResponse } from '../core/types';
import type { SearchParams } from '../worker/protocol';
import type { IndexState } from './indexState';
import type { McpTeam } from './lmTool';
import { readSettings } from './settings';
import type { TeamView } from './teamView';

const TOKEN_KEY = 'sift.teamServerToken';
const TOKEN_HINT = 'run "Sift: Set team server token"';

export interface TeamSettings { url: string; repo: string; branch: string }

/** sift.server (and repo, branch), or null when no server is set (local search only). */
export function teamSettings(): TeamSettings | null {
  const s = readSettings();
  return s.server ? { url: s.server, repo: s.serverRepo, branch: s.serverBranch } : null;
}

/** The SecretStorage key of a server's token: one token per server URL. */
export function tokenKey(url: string): string {
  try { return `${TOKEN_KEY}:${displayUrl(parseServerUrl(url))}`; } catch { return `${TOKEN_KEY}:${url.trim()}`; }
}

function errorKind(e: TeamServerError): 'unreachable' | 'token' | 'other' {
  if (e.code === 'unauthorized' || e.code === 'forbidden') return 'token';
  return e.unreachable ? 'unreachable' : 'other';
}

export class TeamConnection implements vscode.Disposable {
  private key = '';
  private client: TeamClient | null = null;
  private repoRoot: Promise<string | null> | null = null;
  private rootNow: string | null = null;
  private ref: { ref: Required<IndexRef>; how: string } | null = null;
  private head: string | null = null;
  private changed: ChangedFiles | null = null;
  private view: TeamView | null = null;
  private readonly changedEmitter = new vscode.EventEmitter<void>();
  /** The server, its index settings or its token changed (what the registered MCP server is given). */
  readonly onDidChange = this.changedEmitter.event;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly state: IndexState,
    /** The first local workspace folder (the checkout), or undefined. */
    private readonly folder: () => string | undefined,
    private readonly log: vscode.LogOutputChannel,
    /** Asked when the team's indexed commit moved: the set of changed files is to be computed again. */
    private readonly onHeadMoved: () => void,
  ) {}

  /** A server is set: searches go to it and the local index holds only the changed files. */
  get active(): boolean { return teamSettings() !== null; }

  /** Forget what was resolved (settings, token or folders changed). */
  reset(): void {
    this.changedEmitter.fire();
    this.key = '';
    this.client = null;
    this.repoRoot = null;
    this.rootNow = null;
    this.ref = null;
    this.head = null;
    this.changed = null;
    this.publish(null);
  }

  /** Resolves once the checkout's top-level folder is known (the overlay index's root). */
  async ready(): Promise<void> {
    this.current();
    const folder = this.folder();
    this.repoRoot ??= folder ? repoRootOf(folder) : Promise.resolve(null);
    this.rootNow = await this.repoRoot;
  }

  /** The local overlay index's root: the git checkout, else the workspace folder (nothing is then indexed). Valid after ready(). */
  overlayRoot(): string | null {
    return this.rootNow ?? this.folder() ?? null;
  }

  /** The client for the current settings and token (re-made when either changed). */
  private current(): { client: TeamClient; settings: TeamSettings } {
    const settings = teamSettings();
    if (!settings) throw new Error('no team server is set (sift.server)');
    const key = JSON.stringify(settings);
    if (key !== this.key) {
      this.reset();
      this.key = key;
    }
    return { client: this.client!, settings };
  }

  private async connect(): Promise<{ client: TeamClient; settings: TeamSettings }> {
    const c = this.current();
    if (this.client) return { client: this.client, settings: c.settings };
    const token = await this.secrets.get(tokenKey(c.settings.url));
    // settings may have moved on while the secret was read
    if (JSON.stringify(teamSettings()) !== this.key) return this.connect();
    try {
      this.client = new TeamClient({ url: c.settings.url, token, tokenHint: TOKEN_HINT });
    } catch (e) {
      throw new Error(`sift.server: ${(e as Error).message}`);
    }
    return { client: this.client, settings: c.settings };
  }

  /** The index to search (resolved on the server once), and its indexed commit. */
  private async resolve(): Promise<{ client: TeamClient; ref: Required<IndexRef> }> {
    const { client, settings } = await this.connect();
    if (!this.ref) {
      await this.ready();
      const r = await resolveTeamRef(client, this.rootNow, { repo: settings.repo, branch: settings.branch });
      this.ref = { ref: r.ref, how: r.how };
      this.head = r.status?.head ?? null;
      this.publish({ indexed: r.status !== null });
      if (!r.status) this.log.warn(`team server ${client.shown} has no index of ${r.ref.repo}@${r.ref.branch}`);
    }
    return { client, ref: this.ref.ref };
  }

  /**
   * The absolute paths the local overlay index should hold: the files that differ here from the team's
   * index (git). Asks the server for its indexed commit first; when it cannot be reached, the comparison
   * falls back to the branch's fork point (the error is shown, and searches say it too).
   */
  async overlayPaths(): Promise<string[]> {
    await this.ready();
    const root = this.rootNow;
    let branch: string | undefined = teamSettings()?.branch || undefined;
    try {
      const { client, ref } = await this.resolve();
      branch = ref.branch;
      const status = await client.status(ref).catch((e: unknown) => {
        if (e instanceof TeamServerError && e.code === 'not_found') return null;
        throw e;
      });
      this.head = status?.head ?? null;
      this.publish({ indexed: status !== null, error: null, head: this.head });
    } catch (e) {
      this.failed(e);
      if (!branch && root) branch = (await localBranches(root)).remoteDefault ?? undefined;
    }
    if (!root) {
      this.changed = null;
      this.publish({ changedFiles: null, note: 'The workspace folder is not a git checkout: no local changes are overlaid on the team index.' });
      return [];
    }
    try {
      this.changed = await changedFiles(root, { teamHead: this.head, branch });
    } catch (e) {
      this.log.warn(`team: cannot tell the changed files: ${(e as Error).message}`);
      this.changed = null;
      this.publish({ changedFiles: null, note: `The changed files cannot be told: ${(e as Error).message}` });
      return [];
    }
    this.publish({ changedFiles: this.changed.files.size, note: this.changed.note ?? null });
    const all = new Set([...this.changed.files, ...this.dirtyPaths()]);
    return [...all].map((rel) => path.join(root, ...rel.split('/')));
  }

  /** Repository-relative paths of unsaved editors in the checkout: their team hits may not match what is on screen. */
  private dirtyPaths(): string[] {
    const root = this.rootNow;
    if (!root) return [];
    const out: string[] = [];
    for (const d of vscode.workspace.textDocuments) {
      if (!d.isDirty || d.uri.scheme !== 'file') continue;
      const rel = path.relative(root, d.uri.fsPath);
      if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) out.push(rel.split(path.sep).join('/'));
    }
    return out;
  }

  /** One search: the team's answer overlaid with the local index of the changed files (`local`). */
  async search(params: SearchParams, local: (q: LocalQuery) => Promise<SearchResponse>): Promise<SearchResponse> {
    let client: TeamClient;
    let ref: Required<IndexRef>;
    try {
      ({ client, ref } = await this.resolve());
    } catch (e) {
      throw this.failed(e);
    }
    const changed = new Set([...(this.changed?.files ?? []), ...this.dirtyPaths()]);
    try {
      const res = await overlaySearch({
        client, ref, repoRoot: this.rootNow, changed, local: this.rootNow ? local : null,
        warn: (m) => this.log.warn(`team: ${m}`),
      }, {
        query: params.query, k: params.k ?? readSettings().maxResults, showWeak: params.showWeak,
        threshold: params.threshold ?? readSettings().relevanceThreshold,
        languages: params.languages, pathPrefix: params.pathPrefix, pathFilter: params.pathFilter,
      });
      if (this.view?.error || this.view?.indexed !== true) this.publish({ error: null, indexed: true });
      if (res.head !== this.head) {
        // CI indexed a newer commit: what differs here from it is to be computed again
        this.log.info(`team index ${ref.repo}@${ref.branch} moved to ${res.head ?? 'no commit'}`);
        this.head = res.head;
        this.publish({ head: res.head });
        this.onHeadMoved();
      }
      return res;
    } catch (e) {
      throw this.failed(e);
    }
  }

  /** Shows a server failure in the status bar; returns the error to throw. */
  private failed(e: unknown): Error {
    const err = e instanceof Error ? e : new Error(String(e));
    if (err.name === 'AbortError') return err;
    const kind = err instanceof TeamServerError ? errorKind(err) : 'other';
    if (err instanceof TeamServerError && err.code === 'not_found') this.publish({ indexed: false, error: null });
    else this.publish({ error: { kind, message: err.message } });
    return err;
  }

  private publish(change: Partial<TeamView> | null): void {
    const settings = teamSettings();
    if (change === null || !settings) {
      this.view = null;
      this.state.update({ team: settings ? this.base(settings) : null });
      return;
    }
    this.view = { ...(this.view ?? this.base(settings)), ...change };
    if (this.ref) Object.assign(this.view, { repo: this.ref.ref.repo, branch: this.ref.ref.branch, how: this.ref.how });
    this.state.update({ team: this.view });
  }

  private base(s: TeamSettings): TeamView {
    let server = s.url;
    try { server = displayUrl(parseServerUrl(s.url)); } catch { /* shown as typed; the client says what is wrong */ }
    return { server, repo: s.repo || null, branch: s.branch || null, how: null, head: null, indexed: null, changedFiles: null, note: null, error: null };
  }

  /** The server, repo, branch and token for `sift mcp --server`, or null without a server. */
  async mcpTeam(): Promise<McpTeam | null> {
    const s = teamSettings();
    return s ? { ...s, token: await this.secrets.get(tokenKey(s.url)) } : null;
  }

  dispose(): void {
    this.changedEmitter.dispose();
  }

  // ---- the token ---------------------------------------------------------------------------

  async setToken(token: string): Promise<void> {
    const s = teamSettings();
    if (!s) throw new Error('no team server is set (sift.server)');
    await this.secrets.store(tokenKey(s.url), token.trim());
    this.reset();
  }

  /** Deletes the current server's token; false when there was none. */
  async clearToken(): Promise<boolean> {
    const s = teamSettings();
    if (!s) return false;
    const had = (await this.secrets.get(tokenKey(s.url))) !== undefined;
    await this.secrets.delete(tokenKey(s.url));
    this.reset();
    return had;
  }
}
