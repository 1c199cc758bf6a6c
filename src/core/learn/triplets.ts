// From the query log to training triplets, and the per-search facts (implicit
// signals) both the triplets and the health view are built from. Pure
// functions of the events: no I/O, no clock.
//
// A triplet says: for this query, the opened chunk beats the ones skipped
// above it (hard negatives) and, less surely, the ones shown below it.
// Its weight is how far the implicit signals let us trust it:
//   - dwell: an open followed by a stay shorter than bounceMs is dropped (a
//     bounce: the developer looked and went back); a stay of longDwellMs or
//     more counts fully; in between the weight rises from 0.5 to 1; an open
//     whose stay was never measured (window closed, logging off) gets
//     unknownDwellWeight.
//   - a later open: when another result of the same search was opened after
//     this one, this one was probably not it: × laterOpenFactor.
//   - a re-query: a search nobody kept an open from, followed within
//     requeryWindowMs by a different query on the same surface, failed. Its
//     results become weak negatives and it has no positive of its own; the
//     later query that got an open keeps its full weight. When that later
//     query's positive is known, the failed query also gets a triplet with it
//     (via 'requery'), weighted reformulationWeight × the later triplet's
//     weight, the failed query's results as its negatives (hard only for those
//     ranked above the positive when the failed search showed it at all).
// Noise guards: bounces (above), empty queries, opens of searches that are not
// in the log, and at most maxRepeats triplets per (query, positive) pair —
// the most recent ones.
import type { ChunkRef, DwellEvent, EventSource, LogEvent, OpenEvent, SearchEvent, Triplet } from './types';

export interface SignalOptions {
  /** A next query this soon after a search's last activity is a re-query (default 10 s). */
  requeryWindowMs?: number;
  /** A stay shorter than this is a bounce (default 5 s). */
  bounceMs?: number;
}

export interface TripletOptions extends SignalOptions {
  /** A stay this long or longer is trusted fully (default 30 s). */
  longDwellMs?: number;
  /** Weight factor of an open whose stay was not logged (default 0.7). */
  unknownDwellWeight?: number;
  /** Weight factor of an open followed by the opening of another result of the same search (default 0.5). */
  laterOpenFactor?: number;
  /** Weight factor of a failed query's triplet with the next query's positive (default 0.3; 0: none). */
  reformulationWeight?: number;
  /** Triplets kept per (query, positive) pair, the most recent (default 3). */
  maxRepeats?: number;
  /** Only searches from these sources (default: all). */
  sources?: readonly EventSource[];
}

export const TRIPLET_DEFAULTS = {
  requeryWindowMs: 10_000,
  bounceMs: 5_000,
  longDwellMs: 30_000,
  unknownDwellWeight: 0.7,
  laterOpenFactor: 0.5,
  reformulationWeight: 0.3,
  maxRepeats: 3,
} as const;

/** One result opened from a search (several opens of the same rank count once). */
export interface OpenSignal {
  rank: number;
  ref: ChunkRef;
  /** Time of the first open of this rank (ISO 8601). */
  ts: string;
  /** How many open events named it. */
  count: number;
  /** Total logged stay in the opened file, or null when no stay was logged. */
  dwellMs: number | null;
  /** dwellMs < bounceMs (null when unknown). */
  bounced: boolean | null;
  /** Another result of the same search was opened after this one. */
  followedByOtherOpen: boolean;
}

/**
 * The implicit facts about one search, for training and for health views.
 *
 * Re-query rate over a set of searches: `signals.filter((s) => s.requeried).length / signals.length`;
 * "answered" (an open that was not a bounce): `s.opens.some((o) => o.bounced !== true)`.
 */
export interface SearchSignals {
  search: SearchEvent;
  /** Distinct opened results, in order of first open. */
  opens: OpenSignal[];
  /** The opened ranks, in order of first open (= opens.map(o => o.rank)). */
  openedRanks: number[];
  /** Time of this search's last event (the search itself, an open or a logged stay), ms since the epoch. */
  lastActivity: number;
  /** The next search on the same surface (the editor's quick pick, sidebar and find-similar count as one; cli, mcp, lmTool each their own), if any. */
  next: { id: string; afterMs: number; sameQuery: boolean } | null;
  /**
   * True when nothing was kept from this search (no open, or only bounces) and a different query
   * followed on the same surface within requeryWindowMs of its last activity: the answer failed.
   */
  requeried: boolean;
}

function surface(source: EventSource): string {
  return source === 'quickPick' || source === 'sidebar' || source === 'findSimilar' ? 'editor' : source;
}

/** Lower-cased, trimmed, single-spaced: the form queries are compared in. */
export function normalizeQuery(q: string): string {
  return q.trim().toLowerCase().replace(/\s+/g, ' ');
}

/** A chunk's identity across searches: the name when it has one (lines move as code is edited), else the line. */
export function chunkKey(r: ChunkRef): string {
  return `${r.root}\0${r.file}\0${r.name || `#${r.line}`}`;
}

function ms(ts: string): number {
  const t = Date.parse(ts);
  return Number.isFinite(t) ? t : 0;
}

/**
 * Per-search implicit signals, in time order of the searches. Opens and stays that name a search
 * not in `events` are ignored; a search logged twice counts once.
 */
export function implicitSignals(events: readonly LogEvent[], opts: SignalOptions = {}): SearchSignals[] {
  const requeryWindowMs = opts.requeryWindowMs ?? TRIPLET_DEFAULTS.requeryWindowMs;
  const bounceMs = opts.bounceMs ?? TRIPLET_DEFAULTS.bounceMs;
  const searches = new Map<string, SearchEvent>();
  const opens = new Map<string, OpenEvent[]>();
  const dwells = new Map<string, DwellEvent[]>();
  for (const e of events) {
    if (e.t === 'search') { if (!searches.has(e.id)) searches.set(e.id, e); }
    else if (e.t === 'open') { const l = opens.get(e.searchId); if (l) l.push(e); else opens.set(e.searchId, [e]); }
    else { const l = dwells.get(e.searchId); if (l) l.push(e); else dwells.set(e.searchId, [e]); }
  }
  const ordered = [...searches.values()].sort((a, b) => ms(a.ts) - ms(b.ts));

  const out: SearchSignals[] = ordered.map((search) => {
    const own = [...(opens.get(search.id) ?? [])].sort((a, b) => ms(a.ts) - ms(b.ts));
    const stays = dwells.get(search.id) ?? [];
    const byRank = new Map<number, OpenSignal>();
    let last = ms(search.ts);
    for (const o of own) {
      last = Math.max(last, ms(o.ts));
      const s = byRank.get(o.rank);
      if (s) { s.count++; continue; }
      byRank.set(o.rank, { rank: o.rank, ref: o.ref, ts: o.ts, count: 1, dwellMs: null, bounced: null, followedByOtherOpen: false });
    }
    for (const d of stays) {
      last = Math.max(last, ms(d.ts));
      const s = byRank.get(d.rank);
      if (s) s.dwellMs = (s.dwellMs ?? 0) + Math.max(0, d.ms);
    }
    const list = [...byRank.values()];
    list.forEach((s, i) => {
      s.bounced = s.dwellMs === null ? null : s.dwellMs < bounceMs;
      s.followedByOtherOpen = i < list.length - 1;
    });
    return { search, opens: list, openedRanks: list.map((s) => s.rank), lastActivity: last, next: null, requeried: false };
  });

  const lastOnSurface = new Map<string, SearchSignals>();
  for (const s of out) {
    const key = surface(s.search.source);
    const prev = lastOnSurface.get(key);
    if (prev) {
      prev.next = {
        id: s.search.id,
        afterMs: ms(s.search.ts) - prev.lastActivity,
        sameQuery: normalizeQuery(prev.search.query) === normalizeQuery(s.search.query),
      };
    }
    lastOnSurface.set(key, s);
  }
  for (const s of out) {
    const kept = s.opens.some((o) => o.bounced !== true);
    s.requeried = !kept && !!s.next && !s.next.sameQuery && s.next.afterMs <= requeryWindowMs;
  }
  return out;
}

function dwellFactor(dwellMs: number | null, o: Required<Pick<TripletOptions, 'bounceMs' | 'longDwellMs' | 'unknownDwellWeight'>>): number {
  if (dwellMs === null) return o.unknownDwellWeight;
  if (dwellMs < o.bounceMs) return 0;
  if (dwellMs >= o.longDwellMs || o.longDwellMs <= o.bounceMs) return 1;
  return 0.5 + (0.5 * (dwellMs - o.bounceMs)) / (o.longDwellMs - o.bounceMs);
}

function ref(r: ChunkRef): ChunkRef {
  return { root: r.root, file: r.file, line: r.line, name: r.name };
}

/** Negatives of `search` around a positive: opened results (openedKeys) are never negatives. */
function negatives(search: SearchEvent, positive: ChunkRef, positiveRank: number | null, openedKeys: Set<string>): { hard: ChunkRef[]; shown: ChunkRef[] } {
  const pos = chunkKey(positive);
  const hard: ChunkRef[] = [];
  const shown: ChunkRef[] = [];
  for (const r of search.results) {
    const k = chunkKey(r);
    if (k === pos || openedKeys.has(k)) continue;
    if (positiveRank !== null && r.rank < positiveRank) hard.push(ref(r)); else shown.push(ref(r));
  }
  return { hard, shown };
}

/** Training triplets from the log's events (see the top of this file for the rules), oldest first. */
export function extractTriplets(events: readonly LogEvent[], opts: TripletOptions = {}): Triplet[] {
  const o = { ...TRIPLET_DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as Required<TripletOptions>;
  const signals = implicitSignals(events, o);
  const wanted = (s: SearchSignals) => !o.sources || o.sources.includes(s.search.source);
  const byId = new Map(signals.map((s) => [s.search.id, s]));

  // the direct triplets: one per kept open
  const direct = new Map<string, Triplet[]>();
  for (const s of signals) {
    if (!s.search.query.trim()) continue;
    const openedKeys = new Set(s.opens.map((x) => chunkKey(x.ref)));
    const list: Triplet[] = [];
    for (const open of s.opens) {
      const weight = dwellFactor(open.dwellMs, o) * (open.followedByOtherOpen ? o.laterOpenFactor : 1);
      if (!(weight > 0)) continue;
      const positive = ref(open.ref);
      list.push({
        query: s.search.query, searchId: s.search.id, ts: s.search.ts, positive,
        ...negatives(s.search, positive, open.rank, openedKeys), weight, source: s.search.source, via: 'open',
      });
    }
    if (list.length) direct.set(s.search.id, list);
  }

  const out: Triplet[] = [];
  for (const s of signals) {
    if (!wanted(s)) continue;
    out.push(...(direct.get(s.search.id) ?? []));
    if (!s.requeried || !(o.reformulationWeight > 0) || !s.search.query.trim()) continue;
    // follow the chain of failed queries to the first one that got a kept open
    let cur: SearchSignals | undefined = s;
    let found: Triplet[] | undefined;
    for (let hops = 0; cur?.requeried && cur.next && hops < 10; hops++) {
      cur = byId.get(cur.next.id);
      found = cur ? direct.get(cur.search.id) : undefined;
      if (found) break;
    }
    if (!found) continue;
    const best = found.reduce((a, b) => (b.weight > a.weight ? b : a));
    const at = s.search.results.find((r) => chunkKey(r) === chunkKey(best.positive));
    out.push({
      query: s.search.query, searchId: s.search.id, ts: s.search.ts, positive: best.positive,
      ...negatives(s.search, best.positive, at ? at.rank : null, new Set()),
      weight: o.reformulationWeight * best.weight, source: s.search.source, via: 'requery',
    });
  }

  // cap repeats of one (query, positive) pair: keep the most recent
  const groups = new Map<string, Triplet[]>();
  for (const t of out) {
    const k = `${normalizeQuery(t.query)}\0${chunkKey(t.positive)}`;
    const g = groups.get(k);
    if (g) g.push(t); else groups.set(k, [t]);
  }
  const keep = new Set<Triplet>();
  for (const g of groups.values()) {
    g.sort((a, b) => ms(b.ts) - ms(a.ts));
    for (const t of g.slice(0, Math.max(0, o.maxRepeats))) keep.add(t);
  }
  return out.filter((t) => keep.has(t));
}
