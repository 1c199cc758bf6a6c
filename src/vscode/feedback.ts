// Records which result was opened for which query (when sift.feedback.enabled),
// in the workspace's storage. Local only: nothing is ever sent anywhere.
import type * as vscode from 'vscode';
import { appendFeedback, exportFeedback, FEEDBACK_FORMAT, type FeedbackRecord } from '../core/feedback/feedbackLog';
import type { SearchHit, SearchResponse } from '../core/types';
import { displayPath } from './display';

export type FeedbackSource = 'quickPick' | 'sidebar' | 'findSimilar';

export interface ShownResults {
  query: string;
  response: SearchResponse;
  showWeak: boolean;
}

export class FeedbackRecorder {
  constructor(
    /** feedback.jsonl in workspace storage; null without a workspace. */
    readonly file: string | null,
    private readonly enabled: () => boolean,
    private readonly roots: () => string[],
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Notes that `chosen` was opened from `shown`; never throws, never blocks the caller. */
  record(source: FeedbackSource, shown: ShownResults, chosen: SearchHit): void {
    if (!this.file || !this.enabled()) return;
    const roots = this.roots();
    const rank = shown.response.hits.indexOf(chosen) + 1;
    const record: FeedbackRecord = {
      v: FEEDBACK_FORMAT,
      ts: new Date().toISOString(),
      source,
      query: shown.query,
      mode: shown.response.mode,
      showWeak: shown.showWeak,
      noRelevant: shown.response.noRelevant,
      results: shown.response.hits.map((h, i) => ({
        rank: i + 1, file: displayPath(h, roots), line: h.declLine, name: h.name, kind: h.kind, score: h.score,
      })),
      chosen: { rank, file: displayPath(chosen, roots), line: chosen.declLine, name: chosen.name },
    };
    appendFeedback(this.file, record).catch((e: Error) => this.log.warn(`could not record feedback: ${e.message}`));
  }

  async exportTo(dest: string): Promise<{ exported: number; skipped: number }> {
    if (!this.file) return { exported: 0, skipped: 0 };
    return exportFeedback(this.file, dest);
  }
}
