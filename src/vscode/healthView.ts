// "Sift: Show search health": a webview panel with how searching went in this
// workspace, from the local search log — per day or week, drift warnings with
// their remedies (buttons running sift.reindex, and sift.adapt once it exists),
// vocabulary coverage and the adaptation history. Everything is aggregated in
// the extension host from the log file (learn/health.ts, drift.ts). The replay
// against today's index needs the engine: the worker runs it (`replay` below)
// and gives the adaptation history it keeps with the index (`adaptations`).
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { languageForPath } from '../core/chunk/languages';
import { crawl } from '../core/crawl/crawler';
import { findDefaultModel } from '../core/embed/embedder';
import { detectDrift, shippedExpectations, vocabularyCoverage, type VocabularyCoverage } from '../core/learn/drift';
import { computeHealth } from '../core/learn/health';
import { readHistory } from '../core/learn/adaptStore';
import { isCodeLanguage, loadModelTokenizer, sampleFileTexts } from '../core/learn/healthInputs';
import type { ReplayReport } from '../core/learn/replay';
import type { AdaptationRecord, LogEvent } from '../core/learn/types';
import { shippedRankModel } from '../core/rank/model';
import { parseHealthMessage, renderHealthHtml, type HealthViewModel } from './healthHtml';
import type { SearchLog } from './searchLog';
import { readSettings } from './settings';
import type { WorkspaceIndex } from './workspaceIndex';

export const HEALTH_COMMAND = 'sift.showSearchHealth';
const PANEL_TYPE = 'sift.searchHealth';
/** Commands the page may ask to run: the remedies and its own refresh. */
const PAGE_COMMANDS = new Set(['sift.reindex', 'sift.adapt', HEALTH_COMMAND]);

export interface HealthViewDeps {
  index: WorkspaceIndex;
  searchLog: SearchLog;
  log: vscode.LogOutputChannel;
  /** The log replayed against today's index, when the worker can do it (null: not shown). */
  replay?: (events: LogEvent[]) => Promise<ReplayReport | null>;
  /** The adaptation history as the worker has it (default: read from the index folder). */
  adaptations?: () => Promise<AdaptationRecord[]>;
}

/** Vocabulary coverage over a sample of the workspace's code files, or null without a model. */
async function workspaceCoverage(index: WorkspaceIndex): Promise<VocabularyCoverage | null> {
  const config = index.config();
  const modelDir = findDefaultModel();
  if (!config || !modelDir) return null;
  const tokenizer = loadModelTokenizer(modelDir);
  if (!tokenizer) return null;
  const { files } = await crawl(config.roots, { ...config.crawl, isIndexable: (rel) => isCodeLanguage(languageForPath(rel)) });
  return vocabularyCoverage(sampleFileTexts(files.map((f) => f.abs)), tokenizer, { maxMs: 1000 });
}

/** Everything the page shows, computed from the log (and the workspace's files for coverage). */
export async function buildHealthViewModel(d: HealthViewDeps): Promise<HealthViewModel> {
  const { events, corrupt } = await d.searchLog.read();
  const indexDir = d.index.config()?.indexDir;
  const fromFiles = () => (indexDir ? readHistory(indexDir) : []);
  const adaptations = d.adaptations
    ? await d.adaptations().catch((e: Error) => { d.log.warn(`search health: adaptation history: ${e.message}`); return fromFiles(); })
    : fromFiles();
  const health = computeHealth(events, { utcOffsetMinutes: -new Date().getTimezoneOffset() }, adaptations);
  const coverage = await workspaceCoverage(d.index).catch((e: Error) => { d.log.warn(`search health: vocabulary coverage: ${e.message}`); return null; });
  const replay = d.replay ? await d.replay(events).catch((e: Error) => { d.log.warn(`search health: replay: ${e.message}`); return null; }) : null;
  const expectations = shippedExpectations();
  const drift = detectDrift({ events, expectations, coverage, replay: replay?.summary ?? null, adaptations });
  let hybrid = 0, keyword = 0;
  for (const ev of events) if (ev.t === 'search') { if (ev.mode === 'keyword') keyword++; else hybrid++; }
  const commands = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('sift.'));
  return {
    title: vscode.workspace.name ?? 'Workspace',
    health,
    drift,
    coverage,
    replay,
    expected: expectations.measured?.modes[keyword > hybrid ? 'keyword' : 'hybrid'] ?? null,
    threshold: readSettings().relevanceThreshold ?? shippedRankModel().threshold,
    commands,
    corruptLines: corrupt.length,
    logDir: d.searchLog.queryLog?.dir ?? null,
  };
}

export class HealthPanel implements vscode.Disposable {
  private static current: HealthPanel | null = null;
  private readonly disposables: vscode.Disposable[] = [];
  private refreshing: Promise<void> | null = null;

  /** Opens the panel, or brings it forward and refreshes it. */
  static show(d: HealthViewDeps): HealthPanel {
    if (HealthPanel.current) {
      HealthPanel.current.panel.reveal(undefined, false);
      void HealthPanel.current.refresh();
      return HealthPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_TYPE, 'Sift: Search health', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [],
      retainContextWhenHidden: false,
    });
    HealthPanel.current = new HealthPanel(panel, d);
    return HealthPanel.current;
  }

  private constructor(private readonly panel: vscode.WebviewPanel, private readonly d: HealthViewDeps) {
    // the placeholder has a CSP too: a page without one makes VS Code log a warning
    panel.webview.html = '<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src \'none\'"></head><body><p>Reading the search log…</p></body></html>';
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m), null, this.disposables);
    void this.refresh();
  }

  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const vm = await buildHealthViewModel(this.d);
        this.panel.webview.html = renderHealthHtml(vm, { nonce: randomBytes(18).toString('base64').replace(/[+/=]/g, 'x') });
      } catch (e) {
        this.d.log.error(`search health: ${(e as Error).message}`);
        void vscode.window.showErrorMessage(`Sift: could not compute search health: ${(e as Error).message}`);
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private onMessage(m: unknown): void {
    const msg = parseHealthMessage(m);
    if (!msg || !PAGE_COMMANDS.has(msg.command)) return;
    if (msg.command === HEALTH_COMMAND) { void this.refresh(); return; }
    void vscode.commands.executeCommand(msg.command).then(undefined, (e: Error) => {
      void vscode.window.showErrorMessage(`Sift: ${msg.command} failed: ${e.message}`);
    });
  }

  dispose(): void {
    if (HealthPanel.current === this) HealthPanel.current = null;
    for (const x of this.disposables) x.dispose();
    this.disposables.length = 0;
  }
}
