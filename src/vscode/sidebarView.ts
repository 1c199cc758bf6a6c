// The sidebar (a webview view): search box with filters, results with
// snippets, and the index status with its actions. The page (media/) only
// renders; searches go through the worker like everywhere else.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageId, SearchHit } from '../core/types';
import { displayPath, hitFile, hitLabel } from './display';
import { type IndexState, viewStatus } from './indexState';
import { openHit } from './navigation';
import { documentKey, type SearchLog, type SearchSurface, type ShownSearch } from './searchLog';
import { fileHead, renderSidebarHtml } from './sidebarHtml';
import { isCancelled } from './workerClient';
import type { WorkspaceIndex } from './workspaceIndex';

export const SIDEBAR_VIEW_ID = 'sift.sidebar';

/** The status text for a snapshot: see indexState.ts (also used by the status command). */
export { viewStatus, type ViewStatus } from './indexState';

export interface ViewHit {
  label: string;
  name: string;
  kind: string;
  path: string;
  line: number;
  language: string;
  score: number;
  snippet: string;
  matchedTerms: string[];
  /** With a team server: 'local' for a hit from the local index of the files changed here. */
  origin: 'team' | 'local' | null;
}

export interface SidebarDeps {
  extensionUri: vscode.Uri;
  index: WorkspaceIndex;
  state: IndexState;
  searchLog: SearchLog;
  maxResults: () => number;
  log: vscode.LogOutputChannel;
}

type PageMessage =
  | { type: 'ready' }
  | { type: 'search'; seq: number; query: string; showWeak: boolean; languages: string[]; pathFilter: string }
  | { type: 'open' | 'preview'; seq: number; index: number }
  | { type: 'action'; action: 'reindex' | 'clear' | 'togglePause' };

function parsePageMessage(m: unknown): PageMessage | null {
  if (!m || typeof m !== 'object') return null;
  const o = m as Record<string, unknown>;
  switch (o.type) {
    case 'ready': return { type: 'ready' };
    case 'search':
      if (typeof o.seq !== 'number' || typeof o.query !== 'string') return null;
      return {
        type: 'search', seq: o.seq, query: o.query, showWeak: o.showWeak === true,
        languages: Array.isArray(o.languages) ? o.languages.filter((l): l is string => typeof l === 'string') : [],
        pathFilter: typeof o.pathFilter === 'string' ? o.pathFilter : typeof o.pathPrefix === 'string' ? o.pathPrefix : '',
      };
    case 'open':
    case 'preview':
      return typeof o.seq === 'number' && typeof o.index === 'number' ? { type: o.type, seq: o.seq, index: o.index } : null;
    case 'action':
      return o.action === 'reindex' || o.action === 'clear' || o.action === 'togglePause' ? { type: 'action', action: o.action } : null;
    default:
      return null;
  }
}

/**
 * A file hit's snippet is the index's summary of the file (its doc, imports
 * and the names it defines), not its code: show the file's first lines
 * instead, and the summary only when the file cannot be read.
 */
async function fileSnippet(hit: SearchHit): Promise<string> {
  try {
    const bytes = await vscode.workspace.fs.readFile(vscode.Uri.file(hitFile(hit)));
    return fileHead(new TextDecoder().decode(bytes.subarray(0, 16_384))) || hit.snippet;
  } catch {
    return hit.snippet;
  }
}

const ACTION_COMMANDS = { reindex: 'sift.reindex', clear: 'sift.clearIndex', togglePause: 'sift.togglePause' } as const;

export class SidebarView implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | null = null;
  /** The results on the page, to resolve "open result i of search seq". */
  private shown: { seq: number; results: ShownSearch } | null = null;
  /** Settled searches, opens and stays go to the search log (src/core/learn/recorder.ts). */
  private readonly logged: SearchSurface;
  private latestSeq = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly deps: SidebarDeps) {
    this.logged = deps.searchLog.surface('sidebar');
    this.disposables.push(deps.state.onChange((s) => this.post({ type: 'status', status: viewStatus(s) })));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const media = vscode.Uri.joinPath(this.deps.extensionUri, 'media');
    const webview = view.webview;
    webview.options = { enableScripts: true, localResourceRoots: [media] };
    webview.html = renderSidebarHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(18).toString('base64').replace(/[+/=]/g, 'x'),
      highlightScript: webview.asWebviewUri(vscode.Uri.joinPath(media, 'highlight.js')).toString(),
      mainScript: webview.asWebviewUri(vscode.Uri.joinPath(media, 'sidebar.js')).toString(),
      styleSheet: webview.asWebviewUri(vscode.Uri.joinPath(media, 'sidebar.css')).toString(),
    });
    webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m), null, this.disposables);
    view.onDidDispose(() => {
      if (this.view !== view) return;
      this.view = null;
      this.shown = null;
      this.logged.close();
    }, null, this.disposables);
  }

  /** Shows the view and puts the cursor in its search box. */
  async focus(): Promise<void> {
    await vscode.commands.executeCommand(`${SIDEBAR_VIEW_ID}.focus`);
    this.post({ type: 'focus' });
  }

  private post(message: unknown): void {
    void this.view?.webview.postMessage(message);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const m = parsePageMessage(raw);
    if (!m) { this.deps.log.warn('sidebar sent an unexpected message; ignored'); return; }
    switch (m.type) {
      case 'ready':
        this.post({ type: 'status', status: viewStatus(this.deps.state.get()) });
        return;
      case 'search':
        return this.search(m);
      case 'open':
      case 'preview': {
        const shown = this.shown;
        if (!shown || shown.seq !== m.seq) return;
        const hit = shown.results.response.hits[m.index];
        if (!hit) return;
        if (m.type === 'preview') {
          // moving through the list with the arrows: a preview tab, the focus stays in the sidebar; not an open
          await openHit(hit, { peek: true }).catch((e: Error) => this.deps.log.warn(`sidebar preview of ${hit.file}: ${e.message}`));
          return;
        }
        const ticket = this.logged.opened(hit);
        await openHit(hit).then(
          (uri) => ticket?.arrived(documentKey(uri)),
          (e: Error) => vscode.window.showErrorMessage(`Sift: cannot open ${hit.file}: ${e.message}`),
        );
        return;
      }
      case 'action':
        await vscode.commands.executeCommand(ACTION_COMMANDS[m.action]);
        return;
    }
  }

  private async search(m: Extract<PageMessage, { type: 'search' }>): Promise<void> {
    this.latestSeq = m.seq;
    try {
      const t0 = performance.now();
      const response = await this.deps.index.search(
        { query: m.query, k: this.deps.maxResults(), showWeak: m.showWeak, languages: m.languages as LanguageId[], pathFilter: m.pathFilter },
        'sidebar',
      );
      if (m.seq !== this.latestSeq) return;
      this.shown = { seq: m.seq, results: { query: m.query, response, showWeak: m.showWeak, latencyMs: performance.now() - t0 } };
      this.logged.shown(this.shown.results);
      const roots = this.deps.index.roots;
      const hits: ViewHit[] = await Promise.all(response.hits.map(async (h: SearchHit) => ({
        label: hitLabel(h), name: h.name, kind: h.kind, path: displayPath(h, roots), line: h.declLine, origin: h.origin ?? null,
        language: h.language, score: h.score, snippet: h.kind === 'file' ? await fileSnippet(h) : h.snippet, matchedTerms: h.matchedTerms,
      })));
      if (m.seq !== this.latestSeq) return;
      this.post({
        type: 'results', seq: m.seq, query: m.query, showWeak: m.showWeak, hits,
        mode: response.mode, modeReason: response.modeReason ?? null, noRelevant: response.noRelevant, partial: response.partial,
        filterMatchedNothing: response.filterMatchedNothing === true,
      });
    } catch (e) {
      if (isCancelled(e) || m.seq !== this.latestSeq) return;
      this.shown = null;
      this.logged.close();
      this.post({ type: 'error', seq: m.seq, message: (e as Error).message });
    }
  }

  dispose(): void {
    this.logged.close();
    for (const d of this.disposables) d.dispose();
  }
}
