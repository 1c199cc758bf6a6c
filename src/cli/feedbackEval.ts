// `sift eval --feedback`: evaluates search on the user's own repository from
// its query log. Reads the log (<index dir>/log/, or --log DIR), re-runs every
// logged search against today's index and model, finds where the result that
// was opened ranks now, and prints per period (day, or week for a long log):
// MRR@10 of the opened results as logged and now, their ranks now, the
// "nothing relevant" rate then and now, the re-query rate and the first
// result's relevance; then the drift checks (learn/drift.ts) with remedies.
import * as path from 'node:path';
import { UsageError, type ParsedArgs } from './args';
import { openEngine } from './engineOpen';
import { IndexWriteError, type Engine } from '../core/engine';
import { findDefaultModel } from '../core/embed/embedder';
import type { Tokenizer } from '../core/embed/tokenizer';
import { detectDrift, shippedExpectations, type DriftReport, type VocabularyCoverage } from '../core/learn/drift';
import { computeHealth, type BucketSize, type HealthReport, type PeriodHealth } from '../core/learn/health';
import { readHistory } from '../core/learn/adaptStore';
import { indexCoverage, loadModelTokenizer, replayOnEngine } from '../core/learn/healthInputs';
import { QueryLog } from '../core/learn/queryLog';
import type { ReplayPeriod, ReplayReport } from '../core/learn/replay';
import type { AdaptationRecord, LogEvent } from '../core/learn/types';

/** The log folder inside an index folder. */
export const LOG_SUBDIR = 'log';

export interface LogContents { events: LogEvent[]; corrupt: number }

export interface FeedbackEvalDeps {
  /** Reads the log in a folder (default: QueryLog.read()). Tests feed events here. */
  readLog?: (dir: string) => Promise<LogContents>;
  /** The adaptation history of an index folder (default: its adaptations.jsonl). */
  readAdaptations?: (indexDir: string) => AdaptationRecord[];
  /** Opens the engine (default: the CLI's openEngine). */
  open?: (a: ParsedArgs, roots: string[], warn: (m: string) => void) => Promise<Engine>;
  out?: (s: string) => void;
  warn?: (s: string) => void;
}

export interface FeedbackEvalResult {
  roots: string[];
  logDir: string;
  mode: string;
  corruptLines: number;
  health: HealthReport;
  replay: ReplayReport;
  coverage: VocabularyCoverage | null;
  drift: DriftReport;
}

async function readQueryLog(dir: string): Promise<LogContents> {
  const r = await new QueryLog(dir).read();
  return { events: r.events, corrupt: r.corrupt.length };
}

/** The model's tokenizer, for vocabulary coverage; null without a model. */
function loadTokenizer(a: ParsedArgs): Tokenizer | null {
  if (a.flags.has('no-model')) return null;
  const dir = a.values.model?.[0] ?? process.env.SIFT_MODEL ?? findDefaultModel();
  return dir ? loadModelTokenizer(path.resolve(dir)) : null;
}

function parseBucket(a: ParsedArgs): BucketSize | 'auto' {
  const b = a.values.bucket?.[0] ?? 'auto';
  if (b !== 'day' && b !== 'week' && b !== 'auto') throw new UsageError(`--bucket must be day, week or auto, got ${b}`);
  return b;
}

/** Runs the evaluation; returns the numbers (the caller prints them). */
export async function feedbackEval(a: ParsedArgs, deps: FeedbackEvalDeps = {}): Promise<FeedbackEvalResult> {
  const warn = deps.warn ?? ((m: string) => process.stderr.write(m + '\n'));
  const roots = a.values.root?.length ? a.values.root : ['.'];
  const bucket = parseBucket(a);
  const threshold = a.values.threshold ? Number(a.values.threshold[0]) : undefined;
  if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) throw new UsageError(`--threshold must be a probability from 0 to 1, got ${a.values.threshold?.[0]}`);
  const engine = await (deps.open ?? openEngine)(a, roots, warn);
  try {
    if (!a.flags.has('no-refresh') || engine.chunkCount === 0) {
      try {
        await engine.index();
      } catch (e) {
        if (!(e instanceof IndexWriteError) || engine.chunkCount === 0) throw e;
        warn(`warning: ${e.message}; evaluating against the index as loaded`);
      }
    }
    const logDir = path.resolve(a.values.log?.[0] ?? path.join(engine.indexDir, LOG_SUBDIR));
    const { events, corrupt } = await (deps.readLog ?? readQueryLog)(logDir);
    if (corrupt) warn(`warning: ${corrupt} unreadable line${corrupt === 1 ? '' : 's'} in the log skipped`);
    const adaptations = (deps.readAdaptations ?? readHistory)(engine.indexDir);
    const utcOffsetMinutes = -new Date().getTimezoneOffset();
    const health = computeHealth(events, { bucket, utcOffsetMinutes }, adaptations);
    const replay = await replayOnEngine(engine, events, { bucket: health.bucket, utcOffsetMinutes, threshold });
    const tokenizer = engine.embedder ? loadTokenizer(a) : null;
    const coverage = tokenizer ? indexCoverage(engine, tokenizer) : null;
    const drift = detectDrift({ events, expectations: shippedExpectations(), coverage, replay: replay.summary, adaptations });
    return { roots: engine.roots, logDir, mode: engine.status().mode, corruptLines: corrupt, health, replay, coverage, drift };
  } finally {
    await engine.close();
  }
}

const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)} %`);
const num = (v: number | null) => (v === null ? '—' : v.toFixed(2));
const arrow = (then: string, now: string) => `${then} → ${now}`;

/** Opened ranks now as "1 / 2 / 3 / 4–10 / not in top 10". */
function ranksText(r: number[]): string {
  return `${r[0]}/${r[1]}/${r[2]}/${r.slice(3, 10).reduce((x, y) => x + y, 0)}/${r[10]}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd());
}

function periodRow(label: string, h: PeriodHealth, r: ReplayPeriod | undefined): string[] {
  return [
    label,
    String(h.searches),
    pct(h.openRate),
    arrow(num(h.mrr10), num(r?.mrr10Now ?? null)),
    r ? ranksText(r.openedRanksNow) : '—',
    arrow(pct(h.noRelevantRate), pct(r?.noRelevantRateNow ?? null)),
    pct(h.requeryRate),
    h.topScore.n + h.topScore.hidden === 0 ? '—' : h.topScore.p50 === null ? '< thr' : num(h.topScore.p50),
  ];
}

/** The report for people. */
export function formatFeedbackEval(res: FeedbackEvalResult): string {
  const h = res.health;
  const out: string[] = [];
  if (h.periods.length === 0) {
    out.push(`no searches logged in ${res.logDir}`);
    out.push('Searches made with `sift search` and in the editor are logged there; run some, then evaluate again.');
    return out.join('\n');
  }
  out.push(`search health of ${res.roots.join(', ')} — ${h.total.searches + h.total.partial + h.total.migrated} logged searches, ${h.from!.slice(0, 10)} to ${h.to!.slice(0, 10)}, by ${h.bucket} (mode now: ${res.mode})`);
  out.push(`log: ${res.logDir}${res.corruptLines ? ` (${res.corruptLines} unreadable lines skipped)` : ''}`);
  out.push('');
  const replayBy = new Map(res.replay.periods.map((p) => [p.start, p]));
  const rows = [['period', 'searches', 'opened', 'MRR@10 then → now', 'ranks now 1/2/3/4-10/miss', 'nothing relevant then → now', 're-query', 'top p50']];
  for (const p of h.periods) rows.push(periodRow(p.start, p, replayBy.get(p.start)));
  rows.push(periodRow('all', h.total, res.replay.total));
  out.push(...table(rows));
  const sk = res.replay.skipped;
  const notes: string[] = [];
  if (h.total.partial) notes.push(`${h.total.partial} searches over a half-built index left out`);
  if (h.total.migrated) notes.push(`${h.total.migrated} searches from the old feedback log count only in MRR and ranks`);
  if (sk.findSimilar) notes.push(`${sk.findSimilar} "find similar" searches not replayed`);
  if (sk.older) notes.push(`${sk.older} oldest searches not replayed`);
  if (res.replay.total.gone) notes.push(`${res.replay.total.gone} opened results no longer in the index`);
  if (notes.length) out.push('', `(${notes.join('; ')})`);
  out.push('', 'MRR@10: over searches with an opened result, 1/rank of the best-ranked one (0 beyond 10); "then" as logged, "now" re-run against today\'s index and model.');

  if (res.coverage && res.coverage.share !== null) {
    const c = res.coverage;
    const langs = Object.entries(c.byLanguage).filter(([, v]) => v.tokens >= 200).map(([l, v]) => `${l} ${pct(v.share)}`).join(', ');
    out.push('', `vocabulary: the model knows ${pct(c.share)} of this workspace's words (${c.textsSampled} chunks sampled${langs ? `; ${langs}` : ''})`);
  }
  const d = res.drift;
  out.push('', `drift: the last ${Math.round((Date.parse(d.window.to) - Date.parse(d.window.from)) / 86_400_000)} days (${d.window.health.searches} searches) against the model's held-out data${d.baseline ? ` and the ${d.baseline.health.searches} searches before` : ''}`);
  if (d.warnings.length === 0) {
    const judged = d.checks.filter((c) => c.ok !== null).length;
    out.push(judged ? `  no warnings (${judged} checks within their bands)` : '  too few searches to judge yet (20 a side)');
  }
  for (const w of d.warnings) {
    out.push(`  ! ${w.message}`);
    out.push(`    remedy: ${w.remedy.cli}${w.otherRemedies.length ? ` (or ${w.otherRemedies.map((r) => r.cli).join(', ')})` : ''}`);
  }
  return out.join('\n');
}

/** The command: prints the report (or JSON with --json); 0 on success. */
export async function cmdFeedbackEval(a: ParsedArgs, deps: FeedbackEvalDeps = {}): Promise<number> {
  const res = await feedbackEval(a, deps);
  const out = deps.out ?? ((s: string) => process.stdout.write(s));
  if (a.flags.has('json')) {
    // per-search replay details stay out of the JSON unless asked for: they repeat every query
    const { searches, ...replay } = res.replay;
    out(JSON.stringify({ ...res, replay: a.flags.has('all') ? res.replay : replay }) + '\n');
  } else {
    out(formatFeedbackEval(res) + '\n');
  }
  return 0;
}
