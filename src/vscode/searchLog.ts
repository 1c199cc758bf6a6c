// The query and feedback log in the editor (when sift.feedback.enabled): the
// searches people settle on in the quick pick and the sidebar, the results they
// open, and how long they stay in them. Kept in the workspace's storage
// (<storage>/log/queries.jsonl, bounded to 20 MB); local only: nothing is ever
// sent anywhere. What counts as a settled search and a stay:
// src/core/learn/recorder.ts.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LEGACY_FEEDBACK_FILE, migrateLegacyFeedback } from '../core/learn/legacyFeedback';
import { QueryLog, type CorruptLine, type LogRead } from '../core/learn/queryLog';
import { SearchRecorder, type SearchSurface } from '../core/learn/recorder';
import type { EventSource } from '../core/learn/types';

export type { OpenTicket, SearchSurface, ShownSearch } from '../core/learn/recorder';

/** The path a stay is measured by: the file's path, or the URI of a non-file document. */
export function documentKey(uri: vscode.Uri): string {
  return uri.scheme === 'file' ? uri.fsPath : uri.toString();
}

export class SearchLog implements vscode.Disposable {
  /** Null without a workspace (nowhere to keep it). */
  readonly queryLog: QueryLog | null;
  private readonly recorder: SearchRecorder;
  private readonly subscriptions: vscode.Disposable[] = [];
  private closing: Promise<void> | null = null;
  private readonly legacyFile: string | null;
  private readonly openLogged = new vscode.EventEmitter<void>();
  /** An opened result was logged (queued for writing: flush() before another reader needs it). */
  readonly onDidLogOpen = this.openLogged.event;

  constructor(
    /** context.storageUri's path; undefined when no folder is open. */
    storageDir: string | undefined,
    private readonly enabled: () => boolean,
    roots: () => string[],
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.queryLog = storageDir ? new QueryLog(path.join(storageDir, 'log'), { onError: (e) => log.warn(`search log: ${e.message}`) }) : null;
    this.legacyFile = storageDir ? path.join(storageDir, LEGACY_FEEDBACK_FILE) : null;
    const queryLog = this.queryLog;
    this.subscriptions.push(this.openLogged);
    this.recorder = new SearchRecorder({
      sink: {
        append: (e) => {
          if (!queryLog) return;
          queryLog.append(e);
          if (e.t === 'open') this.openLogged.fire();
        },
      },
      enabled: () => !!queryLog && !this.closing && enabled(),
    });
    this.subscriptions.push(vscode.window.onDidChangeActiveTextEditor((e) => this.recorder.activeFileChanged(e ? documentKey(e.document.uri) : null)));
    if (queryLog && this.legacyFile && enabled()) {
      migrateLegacyFeedback(this.legacyFile, queryLog, roots()).then(
        (r) => { if (r) log.info(`moved ${r.migrated} records of the old feedback log into the search log${r.skipped ? ` (${r.skipped} unreadable skipped)` : ''}`); },
        (e: Error) => log.warn(`could not move the old feedback log: ${e.message}`),
      );
    }
  }

  /** The file being appended to, or null without a workspace. */
  get file(): string | null { return this.queryLog?.file ?? null; }

  /** A place results are shown (one per quick pick, one for the sidebar). */
  surface(source: EventSource): SearchSurface {
    return this.recorder.surface(source);
  }

  async read(): Promise<LogRead> {
    return this.queryLog ? this.queryLog.read() : { events: [], corrupt: [] };
  }

  async exportTo(dest: string): Promise<{ exported: number; skipped: number; corrupt: CorruptLine[] }> {
    if (!this.queryLog) return { exported: 0, skipped: 0, corrupt: [] };
    const r = await this.queryLog.exportTo(dest);
    for (const c of r.corrupt.slice(0, 20)) this.log.warn(`search log: skipped ${c.reason} line ${c.line} of ${c.file}`);
    return r;
  }

  /** Deletes the log (and an old feedback.jsonl); returns the bytes removed. */
  async clear(): Promise<number> {
    if (!this.queryLog) return 0;
    let removed = await this.queryLog.clear();
    if (this.legacyFile) {
      const size = await vscode.workspace.fs.stat(vscode.Uri.file(this.legacyFile)).then((s) => s.size, () => -1);
      if (size >= 0) {
        await vscode.workspace.fs.delete(vscode.Uri.file(this.legacyFile));
        removed += size;
      }
    }
    this.log.info(`search log cleared (${removed} bytes)`);
    return removed;
  }

  /** Writes what is queued, so that another reader (the worker) sees every event logged so far. */
  async flush(): Promise<void> {
    await this.queryLog?.flush();
  }

  async sizeBytes(): Promise<number> {
    return this.queryLog ? this.queryLog.sizeBytes() : 0;
  }

  /** Logs the stay in progress and writes what is queued; nothing is logged afterwards. */
  close(): Promise<void> {
    if (!this.closing) {
      this.recorder.dispose();
      this.closing = this.queryLog ? this.queryLog.close().catch((e: Error) => this.log.warn(`search log: ${e.message}`)) : Promise.resolve();
    }
    return this.closing;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    void this.close();
  }
}
