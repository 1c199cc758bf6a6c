// What the editor logs, decided without the editor: which searches count as
// settled, which result was opened from which search, and how long the
// developer stayed in it. The extension feeds it (src/vscode/searchLog.ts);
// it writes LogEvents to a sink (the QueryLog).
//
// Settled searches: results on screen are logged once they have stayed
// unchanged for settleMs (1.5 s), or at once when a result is opened from them
// — so a query typed letter by letter is one search, not one per keystroke.
// Results replaced sooner, or on screen when the surface closes before they
// settle, are not logged. The same query showing the same results again (a
// refresh while indexing) is not logged twice.
//
// Stays (dwell): from the moment the opened file is shown until another editor
// (or none) becomes active, capped at dwellCapMs (60 s): a DwellEvent with the
// time. Opening another result ends the previous stay.
import type { SearchHit, SearchResponse } from '../types';
import { newSearchId } from './queryLog';
import type { ChunkRef, EventSource, LogEvent, LoggedResult, SearchEvent } from './types';

export const SETTLE_MS = 1500;
export const DWELL_CAP_MS = 60_000;

/** Results on screen. */
export interface ShownSearch {
  query: string;
  response: SearchResponse;
  showWeak: boolean;
  /** From the request to the answer, as the caller saw it (default: the engine's tookMs). */
  latencyMs?: number;
}

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface RecorderOptions {
  /** Where events go (a QueryLog). */
  sink: { append(ev: LogEvent): void };
  /** False: nothing is logged (sift.feedback.enabled). */
  enabled: () => boolean;
  settleMs?: number;
  dwellCapMs?: number;
  now?: () => number;
  timers?: Timers;
}

const realTimers: Timers = {
  set: (fn, ms) => { const t = setTimeout(fn, ms); t.unref?.(); return t; },
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

export function chunkRefOf(hit: SearchHit): ChunkRef {
  return { root: hit.root, file: hit.file, line: hit.declLine, name: hit.name };
}

export function loggedResults(hits: readonly SearchHit[]): LoggedResult[] {
  return hits.map((h, i) => ({ ...chunkRefOf(h), rank: i + 1, kind: h.kind, score: h.score }));
}

function sameResults(a: readonly LoggedResult[], b: readonly LoggedResult[]): boolean {
  return a.length === b.length && a.every((r, i) => r.root === b[i].root && r.file === b[i].file && r.line === b[i].line && r.name === b[i].name);
}

/** Hands out the file a stay is measured in; call arrived() once the opened file is shown. */
export interface OpenTicket {
  readonly searchId: string;
  readonly rank: number;
  arrived(file: string): void;
}

interface Current {
  event: SearchEvent;
  hits: readonly SearchHit[];
  logged: boolean;
}

/** One place results are shown: a quick pick (while open) or the sidebar. */
export class SearchSurface {
  private current: Current | null = null;
  private lastLogged: SearchEvent | null = null;
  private timer: unknown = null;

  constructor(private readonly rec: SearchRecorder, readonly source: EventSource) {}

  /** The id of the search on screen, if it has been logged. */
  get loggedId(): string | null { return this.current?.logged ? this.current.event.id : null; }

  /** New results are on screen (they replace the previous ones). */
  shown(s: ShownSearch): void {
    this.cancelTimer();
    this.current = null;
    if (!this.rec.enabled() || !s.query.trim()) return;
    const results = loggedResults(s.response.hits);
    const last = this.lastLogged;
    if (last && last.query === s.query && last.showWeak === s.showWeak && sameResults(last.results, results)) {
      this.current = { event: last, hits: s.response.hits, logged: true };
      return;
    }
    const r = s.response;
    this.current = {
      event: {
        t: 'search', id: newSearchId(), ts: new Date(this.rec.now()).toISOString(), source: this.source, query: s.query, mode: r.mode,
        results, answerSize: r.noRelevant ? 0 : r.hits.length, noRelevant: r.noRelevant, showWeak: s.showWeak, partial: r.partial,
        latencyMs: Math.round(s.latencyMs ?? r.tookMs),
      },
      hits: s.response.hits,
      logged: false,
    };
    this.timer = this.rec.timers.set(() => { this.timer = null; this.settle(); }, this.rec.settleMs);
  }

  /** Logs the search on screen now if it is not yet. */
  settle(): void {
    this.cancelTimer();
    const c = this.current;
    if (!c || c.logged || !this.rec.enabled()) return;
    c.logged = true;
    this.lastLogged = c.event;
    this.rec.emit(c.event);
  }

  /** `hit` (one of the results on screen) is being opened. Null when nothing is logged. */
  opened(hit: SearchHit): OpenTicket | null {
    const c = this.current;
    if (!c || !this.rec.enabled()) return null;
    let i = c.hits.indexOf(hit);
    if (i < 0) i = c.hits.findIndex((h) => h.root === hit.root && h.file === hit.file && h.declLine === hit.declLine && h.name === hit.name);
    if (i < 0) return null;
    this.settle();
    const rank = i + 1;
    const searchId = c.event.id;
    this.rec.endStay();
    this.rec.emit({ t: 'open', ts: new Date(this.rec.now()).toISOString(), searchId, source: this.source, rank, ref: chunkRefOf(hit) });
    return { searchId, rank, arrived: (file: string) => this.rec.startStay(searchId, rank, file) };
  }

  /** The surface went away: results that had not settled are not logged. */
  close(): void {
    this.cancelTimer();
    this.current = null;
  }

  private cancelTimer(): void {
    if (this.timer !== null) { this.rec.timers.clear(this.timer); this.timer = null; }
  }
}

export class SearchRecorder {
  readonly settleMs: number;
  readonly dwellCapMs: number;
  readonly now: () => number;
  readonly timers: Timers;
  readonly enabled: () => boolean;
  private readonly sink: { append(ev: LogEvent): void };
  private stay: { searchId: string; rank: number; file: string; since: number; cap: unknown } | null = null;

  constructor(opts: RecorderOptions) {
    this.sink = opts.sink;
    this.enabled = opts.enabled;
    this.settleMs = opts.settleMs ?? SETTLE_MS;
    this.dwellCapMs = opts.dwellCapMs ?? DWELL_CAP_MS;
    this.now = opts.now ?? Date.now;
    this.timers = opts.timers ?? realTimers;
  }

  surface(source: EventSource): SearchSurface {
    return new SearchSurface(this, source);
  }

  /** @internal */
  emit(ev: LogEvent): void {
    if (this.enabled()) this.sink.append(ev);
  }

  /** The active editor changed to `file` (null: none, or not a file). Leaving the opened file ends its stay. */
  activeFileChanged(file: string | null): void {
    if (this.stay && file !== this.stay.file) this.endStay();
  }

  /** The file being stayed in, if any. */
  get stayingIn(): string | null { return this.stay?.file ?? null; }

  /** @internal */
  startStay(searchId: string, rank: number, file: string): void {
    this.endStay();
    if (!this.enabled()) return;
    const cap = this.timers.set(() => this.endStay(), this.dwellCapMs);
    this.stay = { searchId, rank, file, since: this.now(), cap };
  }

  /** Logs the current stay (if any) as it stands. */
  endStay(): void {
    const s = this.stay;
    if (!s) return;
    this.stay = null;
    this.timers.clear(s.cap);
    const ms = Math.min(this.dwellCapMs, Math.max(0, this.now() - s.since));
    this.emit({ t: 'dwell', ts: new Date(this.now()).toISOString(), searchId: s.searchId, rank: s.rank, ms: Math.round(ms) });
  }

  /** Ends the stay being measured (logging it). */
  dispose(): void {
    this.endStay();
  }
}
