// "Search code by meaning" and "Find similar code" in a quick pick: results
// as you type (debounced; answers to older queries dropped), each result
// previewed as you move to it with the arrow keys (never when VS Code itself
// activates the first row of new results), opened pinned on Enter with its name
// selected, or to the side with the item button. Escape puts the editors back as
// they were — preview tabs Sift opened are closed, the previous editor shown
// again with its selection — without taking the focus (a command palette opened
// right after Escape keeps it).
//
// VS Code filters and re-sorts quick-pick items by their label against the
// typed text. Every item is alwaysShow, and description/detail are not
// matched, so nothing is hidden; sortByLabel = false keeps Sift's order (a
// proposed property that VS Code 1.139's extension host applies without the
// proposal: where it is ignored, rows whose name fuzzy-matches the query float
// up). Matching letters of a name are still highlighted.
import * as vscode from 'vscode';
import type { SearchHit, SearchResponse } from '../core/types';
import { hitDetail, hitFile, hitLabel, hitLocation, kindIcon, originNote } from './display';
import { openHit } from './navigation';
import { editorSnapshot, restoreEditors } from './quickPickRestore';
import { documentKey, type SearchLog, type ShownSearch } from './searchLog';
import { isCancelled } from './workerClient';
import type { WorkspaceIndex } from './workspaceIndex';

const DEBOUNCE_MS = 150;
// Partial results (index still being built, embeddings not ready) are refreshed at most this often.
const PARTIAL_REFRESH_MS = 1000;
// The engine reads at most 2,000 characters of a query; a longer selection need not cross to the worker.
const MAX_SELECTION_CHARS = 2000;

export interface QuickPickDeps {
  index: WorkspaceIndex;
  searchLog: SearchLog;
  maxResults: () => number;
  /** True while an indexing job runs. */
  indexing: () => boolean;
  /** Called when the index's state changes (progress, a job ending). */
  onIndexChange: (listener: () => void) => { dispose(): void };
  log: vscode.LogOutputChannel;
}

/** The code to find look-alikes of, and where it is (its own location is left out of the results). */
export interface SimilarTo {
  text: string;
  file: string;
  startLine: number;  // 1-based
  endLine: number;
}

interface Item extends vscode.QuickPickItem {
  hit?: SearchHit;
  action?: 'showWeak';
}

const OPEN_BESIDE: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('split-horizontal'), tooltip: 'Open to the side' };

function overlaps(hit: SearchHit, s: SimilarTo): boolean {
  return hitFile(hit) === s.file && hit.startLine <= s.endLine && hit.endLine >= s.startLine;
}

export function showSearchQuickPick(deps: QuickPickDeps, similar?: SimilarTo, initialQuery?: string): void {
  const qp = vscode.window.createQuickPick<Item>();
  qp.matchOnDescription = false;
  qp.matchOnDetail = false;
  (qp as { sortByLabel?: boolean }).sortByLabel = false;
  qp.placeholder = similar
    ? 'Code like the selection — or type to search by meaning instead'
    : 'Describe what the code does, or type a name';
  // settled searches, opens and stays go to the search log (src/core/learn/recorder.ts)
  const logged = deps.searchLog.surface(similar ? 'findSimilar' : 'quickPick');
  // the editors as they are, to put back on Escape after previews
  const before = editorSnapshot();

  let seq = 0;
  let timer: NodeJS.Timeout | undefined;
  let shown: ShownSearch | null = null;
  // whether an indexing job ran when the shown answer was made: when that changes, the answer is stale
  let shownWhileIndexing = false;
  let accepted = false;
  let previewed = false;
  let closed = false;
  // the rows shown, and the row last active: VS Code activates the first row of new
  // items by itself (events for older lists may arrive late); only a move by the user previews
  let items: Item[] = [];
  let lastActive: Item | undefined;
  // a newer preview (or closing) supersedes one still loading its document
  let previewSeq = 0;
  // changes of the index's state seen so far, and the pending re-run of a stale answer
  let indexChanges = 0;
  let refreshTimer: NodeJS.Timeout | undefined;
  let previewing: Promise<unknown> = Promise.resolve();
  const previewedUris = new Set<string>();

  const setTitle = (r: SearchResponse | null, showWeak: boolean, usingSelection: boolean) => {
    const parts = [usingSelection ? `Similar to the selection (${similar!.endLine - similar!.startLine + 1} lines)` : 'Search code by meaning'];
    if (r?.partial || deps.indexing()) parts.push('indexing — results are partial');
    if (r?.mode === 'keyword') parts.push(`keyword search only${r.modeReason ? ` (${r.modeReason})` : ''}`);
    if (showWeak && r?.noRelevant) parts.push('closest matches, none judged relevant');
    qp.title = parts.join(' · ');
  };

  const itemsFor = (r: SearchResponse, roots: string[]): Item[] => {
    if (r.hits.length === 0) {
      if (r.noRelevant) {
        // while indexing, "nothing relevant" is only about the files indexed so far
        const partial = r.partial || deps.indexing();
        return [
          partial
            ? { label: '$(sync~spin) Indexing — results are partial', detail: 'Nothing relevant in the files indexed so far; the search runs again as indexing goes on.', alwaysShow: true }
            : { label: '$(info) Nothing relevant found', detail: 'Try describing the behaviour in other words, or a name.', alwaysShow: true },
          { label: '$(search) Show closest matches anyway', action: 'showWeak', alwaysShow: true },
        ];
      }
      return [{ label: deps.indexing() ? '$(sync~spin) No matches yet — the index is still being built' : '$(info) No matches', alwaysShow: true }];
    }
    return r.hits.map((hit) => ({
      label: hitLabel(hit),
      iconPath: new vscode.ThemeIcon(kindIcon(hit.kind)),
      // file:line first, so that cutting a long row keeps it
      description: hitLocation(hit, roots) + originNote(hit),
      detail: hitDetail(hit),
      alwaysShow: true,
      buttons: [OPEN_BESIDE],
      hit,
    }));
  };

  const run = async (query: string, showWeak: boolean) => {
    const mine = ++seq;
    const usingSelection = !!similar && query === similar.text;
    if (!query.trim()) {
      shown = null;
      logged.close();
      qp.items = items = [];
      qp.busy = false;
      setTitle(null, false, false);
      return;
    }
    qp.busy = true;
    try {
      const k = deps.maxResults();
      const t0 = performance.now();
      const changesBefore = indexChanges;
      let response = await deps.index.search({ query, k: usingSelection ? k + 1 : k, showWeak }, 'quickPick');
      if (mine !== seq) return;
      if (usingSelection) response = { ...response, hits: response.hits.filter((h) => !overlaps(h, similar!)).slice(0, k) };
      shown = { query, response, showWeak, latencyMs: performance.now() - t0 };
      shownWhileIndexing = deps.indexing();
      logged.shown(shown);
      qp.items = items = itemsFor(response, deps.index.roots);
      setTitle(response, showWeak, usingSelection);
      // also an empty partial answer while no full indexing runs: it came from an update, or from a worker
      // that had not yet marked the end of indexing; it is asked again shortly, until an answer is whole
      if (indexChanges !== changesBefore || (response.partial && response.hits.length === 0 && !deps.indexing())) refreshIfStale();
    } catch (e) {
      if (mine !== seq || isCancelled(e)) return;
      shown = null;
      logged.close();
      qp.items = items = [{ label: `$(error) ${(e as Error).message}`, alwaysShow: true }];
    } finally {
      if (mine === seq) qp.busy = false;
    }
  };

  const currentQuery = () => (qp.value.trim() === '' && similar ? similar.text : qp.value);

  const choose = (item: Item, beside: boolean) => {
    const hit = item.hit;
    if (!hit) return;
    accepted = true;
    previewSeq++;
    const ticket = shown ? logged.opened(hit) : null;
    qp.hide();
    // beside: the previewed group goes back as it was, the result opens next to it
    const ready = beside && previewed ? previewing.then(() => restoreEditors(before, previewedUris)) : previewing;
    ready.then(() => openHit(hit, { beside, pin: true })).then(
      (uri) => ticket?.arrived(documentKey(uri)),
      (e: Error) => vscode.window.showErrorMessage(`Sift: cannot open ${hit.file}: ${e.message}`),
    );
  };

  qp.onDidChangeValue(() => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(currentQuery(), false), DEBOUNCE_MS);
  });
  qp.onDidChangeActive((active) => {
    const item = active[0];
    const prev = lastActive;
    lastActive = item;
    if (!item?.hit || accepted || closed || !items.includes(item)) return;
    // the first row, activated with new items: only previewed when the user moved up to it
    if (item === items[0] && !(prev && prev !== item && items.includes(prev))) return;
    previewed = true;
    const mine = ++previewSeq;
    const hit = item.hit;
    previewedUris.add(vscode.Uri.file(hitFile(hit)).toString());
    previewing = openHit(hit, { peek: true, stillWanted: () => mine === previewSeq && !closed })
      .then(undefined, (e: Error) => deps.log.warn(`preview failed: ${e.message}`));
  });
  qp.onDidAccept(() => {
    const item = qp.activeItems[0];
    if (!item) return;
    if (item.action === 'showWeak') { void run(shown?.query ?? currentQuery(), true); return; }
    choose(item, false);
  });
  qp.onDidTriggerItemButton((e) => choose(e.item, true));
  // Results shown while the index was partial go stale as indexing moves on, and so does an empty
  // answer made before a re-index started (or while one ran, once it ends): ask again. (Rows with
  // hits are not replaced under the person moving through them just because an update started.)
  // A change that came while a search was out is looked at again once its answer is shown: the
  // answer may predate the change (the end of indexing) that would have asked again.
  function refreshIfStale(): void {
    const r = shown?.response;
    if (!shown || accepted || refreshTimer || !r) return;
    const staleEmpty = r.hits.length === 0 && deps.indexing() !== shownWhileIndexing;
    if (!(r.partial || r.modeReason === 'embeddings not ready yet' || staleEmpty)) return;
    const { query, showWeak } = shown;
    refreshTimer = setTimeout(() => {
      refreshTimer = undefined;
      if (!accepted && shown?.query === query) void run(query, showWeak);
    }, PARTIAL_REFRESH_MS);
  }
  const indexWatch = deps.onIndexChange(() => {
    indexChanges++;
    refreshIfStale();
  });
  qp.onDidHide(() => {
    clearTimeout(timer);
    clearTimeout(refreshTimer);
    indexWatch.dispose();
    logged.close();
    seq++;
    closed = true;
    // like Go to Symbol: leaving without a choice goes back to where you were
    if (!accepted && previewed) {
      previewSeq++;
      void previewing.then(() => restoreEditors(before, previewedUris)).then(undefined, (e: Error) => deps.log.warn(`restoring the editors failed: ${e.message}`));
    }
    qp.dispose();
  });

  setTitle(null, false, !!similar);
  if (initialQuery && !similar) qp.value = initialQuery;
  qp.show();
  if (similar) void run(similar.text, false);
  else if (initialQuery) void run(initialQuery, false);
}

/** The selection of the active editor as a "find similar" request, or null when nothing is selected. */
export function selectionToFind(editor: vscode.TextEditor | undefined): SimilarTo | null {
  if (!editor || editor.selection.isEmpty) return null;
  const text = editor.document.getText(editor.selection).slice(0, MAX_SELECTION_CHARS);
  if (!text.trim()) return null;
  return {
    text,
    file: editor.document.uri.fsPath,
    startLine: editor.selection.start.line + 1,
    endLine: editor.selection.end.line + 1,
  };
}
