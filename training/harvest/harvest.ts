// The training-pair harvester: (query → code) pairs from the fetched sources.
//
//   npx tsx training/harvest/harvest.ts --sources ~/.cache/sift-training/sources \
//     --out ~/.cache/sift-training/pairs [--max-per-package 5000] [--workers 2]
//
// Each package is harvested once into <out>/.candidates/ (re-runs reuse what
// is there, so a run after more sources were fetched only does the new
// packages); then one global pass dedups across packages, drops over-repeated
// queries and writes pairs-<lang>-<n>.jsonl (doc pairs), inline-<lang>-<n>.jsonl
// (inline-comment pairs) and manifest.json.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Chunker, CHUNKER_VERSION } from '../../src/core/chunk/chunker';
import { exclusionRule, isExcludedPackage } from '../sources/exclusions';
import { sourcesCacheDir, trainingCacheHome } from '../sources/paths';
import type { PairKind } from './filePairs';
import { mergeCandidates, type CountTable, type MergeReport } from './merge';
import { listUnits, unitKey, type HarvestUnit } from './packages';
import {
  harvestUnit, HARVESTER_VERSION, optionsKey, SPLIT_MIN_FILES, readCandidateHeader, type UnitOptions, type UnitReport,
} from './unitHarvest';
import type { UnitJob, WorkerMessage } from './worker';

export interface HarvestOptions {
  sources: string;
  out: string;
  /** Pairs kept per (sub-)package and kind. Default 5000. */
  maxPerPackage: number;
  /** Packages with more code files than this are capped per sub-package. Default 1000. */
  splitMinFiles: number;
  /** Worker threads, each with its own Chunker; 0 runs in this thread. Default 2. */
  workers: number;
  seed: number;
  /** Drop queries occurring more often than this (after dedup). Default 5. */
  maxQueryRepeats: number;
  /** Pairs per output file. Default 50,000. */
  shardSize: number;
  /** Only packages whose name matches. */
  filter?: RegExp;
  /** Ignore cached per-package candidates. */
  fresh: boolean;
  /** Progress lines (stderr by default); null for silence. */
  log: ((line: string) => void) | null;
  /** Seconds between progress lines. Default 10. */
  progressEverySec: number;
}

export const DEFAULT_OPTIONS: Omit<HarvestOptions, 'sources' | 'out'> = {
  maxPerPackage: 5000, splitMinFiles: SPLIT_MIN_FILES, workers: 2, seed: 1, maxQueryRepeats: 5, shardSize: 50_000, fresh: false,
  log: (line) => process.stderr.write(line + '\n'), progressEverySec: 10,
};

export interface PackageCount {
  pkg: string;
  pairs: number;
}

export interface HarvestManifest {
  harvester: number;
  chunker: number;
  createdAt: string;
  tookMs: number;
  harvestMs: number;
  mergeMs: number;
  options: Record<string, unknown>;
  sources: string;
  out: string;
  units: {
    total: number;
    harvested: number;
    reused: number;
    nested: number;
    failed: Array<{ key: string; error: string }>;
    duplicates: number;
    unstamped: number;
    stoppedEarly: Array<{ key: string; filesLeft: number }>;
    /** Large packages capped per sub-package (pkg "name:sub"). */
    split: Array<{ key: string; groups: number }>;
  };
  files: { found: number; read: number; bytesRead: number; leftByEarlyStop: number; byLanguage: Record<string, number> };
  candidates: Record<PairKind, number>;
  pairs: Record<PairKind, Omit<CountTable, 'byPackage'> & { packages: number }>;
  topPackages: Record<PairKind, PackageCount[]>;
  drops: Record<string, number>;
  shards: MergeReport['shards'];
  bytes: number;
  exclusions: {
    corpora: Array<{ id: string; source: string; name: string }>;
    warnings: string[];
    excludedPackages: string[];
    excludedPathCount: number;
    excludedPathExamples: string[];
  };
}

interface UnitState {
  unit: HarvestUnit;
  key: string;
  candidatePath: string;
  /** Sort key of the global pass: [top-level order, nested folder]. */
  order: [number, string];
  report?: UnitReport;
  reused?: boolean;
  error?: string;
}

function safeFileName(key: string): string {
  return key.replace(/[^\w.+@-]+/g, '_');
}

function fmtDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

function sortedCounts(m: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(m).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
}

/** Starts a harvest worker; under tsx (sources are .ts) it registers tsx's require hook itself. */
function startWorker(): Worker {
  const script = path.join(__dirname, `worker${path.extname(__filename)}`);
  return script.endsWith('.ts')
    ? new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(script)});`, { eval: true })
    : new Worker(script);
}

/** Harvest everything under opts.sources into opts.out; resolves with the manifest (also written to out/manifest.json). */
export async function runHarvest(options: Partial<HarvestOptions> & Pick<HarvestOptions, 'sources' | 'out'>): Promise<HarvestManifest> {
  const o: HarvestOptions = { ...DEFAULT_OPTIONS, ...options };
  const log = o.log ?? (() => undefined);
  const t0 = Date.now();
  const sources = path.resolve(o.sources);
  const out = path.resolve(o.out);
  if (!fs.existsSync(sources)) throw new Error(`sources folder not found: ${sources}`);
  if (!Number.isInteger(o.maxPerPackage) || o.maxPerPackage < 1) throw new Error('--max-per-package must be a positive integer');
  fs.mkdirSync(out, { recursive: true });
  const unitOpts: UnitOptions = { maxPerPackage: o.maxPerPackage, seed: o.seed, splitMinFiles: o.splitMinFiles };
  const wantKey = optionsKey(unitOpts);
  const candidatesDir = path.join(out, '.candidates');

  const listed = listUnits(sources, o.filter);
  const excludedPackages = [...listed.excluded];
  const known = new Set<string>(listed.units.map(unitKey));
  const states: UnitState[] = [];
  const queue: UnitState[] = [];
  let duplicates = listed.duplicates.length;

  const admit = (unit: HarvestUnit, order: [number, string]): void => {
    const key = unitKey(unit);
    const folder = unit.parent ? path.join(candidatesDir, unit.source, 'nested') : path.join(candidatesDir, unit.source);
    const st: UnitState = { unit, key, order, candidatePath: path.join(folder, `${safeFileName(`${unit.name}@${unit.version}`)}.jsonl`) };
    states.push(st);
    const header = o.fresh ? null : readCandidateHeader(st.candidatePath);
    if (header && header.harvester === HARVESTER_VERSION && header.optionsKey === wantKey && header.unit === key) {
      st.report = header.report;
      st.reused = true;
      admitNested(st);
    } else {
      queue.push(st);
    }
  };
  const admitNested = (parent: UnitState): void => {
    for (const n of parent.report?.nested ?? []) {
      const unit: HarvestUnit = {
        source: parent.unit.source, ecosystem: 'npm', name: n.name, version: n.version, dir: n.dir, bytes: 0, skipDirs: [], parent: parent.key,
      };
      const key = unitKey(unit);
      if (isExcludedPackage(n.name, 'npm')) {
        excludedPackages.push(`${key} (in ${parent.key})`);
        continue;
      }
      if (known.has(key)) {
        duplicates++;
        continue;
      }
      known.add(key);
      admit(unit, [parent.order[0], n.dir]);
    }
  };
  listed.units.forEach((u, i) => admit(u, [i, '']));

  const totalBytes = listed.units.reduce((s, u) => s + u.bytes, 0);
  let doneBytes = 0;
  let filesRead = 0;
  let pairsWritten: Record<PairKind, number> = { doc: 0, inline: 0 };
  let unitsDone = states.length - queue.length;
  const reusedCount = unitsDone;
  for (const st of states) if (st.report) {
    doneBytes += st.unit.bytes;
    pairsWritten = { doc: pairsWritten.doc + st.report.written.doc, inline: pairsWritten.inline + st.report.written.inline };
  }
  log(`[harvest] ${listed.units.length} packages (${reusedCount} already harvested, ${queue.length} to do), ${listed.excluded.length} excluded, ${listed.duplicates.length} duplicate, ${listed.unstamped.length} folders without a stamp`);

  const tHarvest = Date.now();
  let lastFiles = 0;
  let lastTick = Date.now();
  const inFlight = new Set<string>();
  const tick = (): void => {
    const now = Date.now();
    const rate = (filesRead - lastFiles) / Math.max(0.001, (now - lastTick) / 1000);
    lastFiles = filesRead;
    lastTick = now;
    const elapsed = now - tHarvest;
    const toDoBytes = totalBytes - doneBytes;
    const fetchedThisRun = doneBytes - states.filter((s) => s.reused).reduce((s, x) => s + x.unit.bytes, 0);
    const eta = fetchedThisRun > 0 ? fmtDuration((elapsed / fetchedThisRun) * toDoBytes) : '?';
    const flying = [...inFlight].slice(0, 3).join(', ');
    log(`[harvest] units ${unitsDone}/${states.length}  files ${filesRead} (${rate.toFixed(0)}/s)  doc ${pairsWritten.doc}  inline ${pairsWritten.inline}  ${totalBytes ? ((100 * doneBytes) / totalBytes).toFixed(1) : '100'}% of bytes  elapsed ${fmtDuration(elapsed)}  ETA ${eta}${flying ? `  [${flying}]` : ''}`);
  };
  const timer = setInterval(tick, Math.max(1, o.progressEverySec) * 1000);
  timer.unref();

  const finish = (st: UnitState, report: UnitReport | null, error?: string): void => {
    inFlight.delete(st.key);
    unitsDone++;
    doneBytes += st.unit.bytes;
    if (report) {
      st.report = report;
      pairsWritten = { doc: pairsWritten.doc + report.written.doc, inline: pairsWritten.inline + report.written.inline };
      admitNested(st);
    } else {
      st.error = error ?? 'unknown error';
      log(`[harvest] ${st.key}: failed: ${st.error}`);
    }
  };

  // Biggest packages first: two workers finish together instead of one waiting on a giant at the end.
  queue.sort((a, b) => b.unit.bytes - a.unit.bytes);
  try {
    if (o.workers <= 0) {
      const chunker = await Chunker.create();
      try {
        while (queue.length) {
          const st = queue.shift() as UnitState;
          inFlight.add(st.key);
          try {
            const report = await harvestUnit(chunker, st.unit, st.key, st.candidatePath, unitOpts, (p) => {
              filesRead += p.files;
            });
            finish(st, report);
          } catch (err) {
            finish(st, null, (err as Error).message);
          }
        }
      } finally {
        chunker.dispose();
      }
    } else if (queue.length > 0) {
      await runPool(Math.min(o.workers, os.cpus().length * 2), queue, unitOpts, inFlight, finish, (files) => {
        filesRead += files;
      });
    }
  } finally {
    clearInterval(timer);
  }
  tick();
  const harvestMs = Date.now() - tHarvest;

  // Global pass, in a fixed package order so duplicates always resolve the same way.
  const tMerge = Date.now();
  const ordered = states.filter((s) => s.report && !s.error).sort((a, b) => a.order[0] - b.order[0] || (a.order[1] < b.order[1] ? -1 : a.order[1] > b.order[1] ? 1 : 0));
  let lastMergeLog = Date.now();
  const merge = mergeCandidates(ordered.map((s) => s.candidatePath), out, { maxQueryRepeats: o.maxQueryRepeats, shardSize: o.shardSize }, (phase, done, total) => {
    if (Date.now() - lastMergeLog > o.progressEverySec * 1000 || done === total) {
      lastMergeLog = Date.now();
      log(`[harvest] global ${phase}: ${done}/${total} packages`);
    }
  });
  const mergeMs = Date.now() - tMerge;

  const manifest = buildManifest(o, sources, out, states, listed.unstamped.length, duplicates, excludedPackages, merge, { t0, harvestMs, mergeMs });
  fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  log(`[harvest] done in ${fmtDuration(manifest.tookMs)}: ${manifest.pairs.doc.total} doc pairs, ${manifest.pairs.inline.total} inline pairs, ${(manifest.bytes / 1e6).toFixed(1)} MB in ${manifest.shards.length} files under ${out}`);
  return manifest;
}

async function runPool(
  count: number, queue: UnitState[], unitOpts: UnitOptions, inFlight: Set<string>,
  finish: (st: UnitState, report: UnitReport | null, error?: string) => void, onFiles: (n: number) => void,
): Promise<void> {
  await new Promise<void>((resolve) => {
    let live = 0;
    let startFailures = 0;
    const spawn = (): void => {
      const worker = startWorker();
      let current: UnitState | null = null;
      let ready = false;
      let stopping = false;
      live++;
      const next = (): void => {
        current = queue.shift() ?? null;
        if (!current) {
          stopping = true;
          void worker.terminate();
          return;
        }
        inFlight.add(current.key);
        const job: UnitJob = { type: 'unit', unit: current.unit, key: current.key, candidatePath: current.candidatePath, options: unitOpts };
        worker.postMessage(job);
      };
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready') {
          ready = true;
          next();
        } else if (m.type === 'progress') {
          onFiles(m.progress.files);
        } else if (m.type === 'done' && current && m.key === current.key) {
          finish(current, m.report);
          next();
        } else if (m.type === 'failed' && current && m.key === current.key) {
          finish(current, null, m.error);
          next();
        }
      });
      let gone = false;
      const onGone = (why: string): void => {
        if (gone) return;
        gone = true;
        live--;
        if (current) {
          // the unit killed its worker (out of memory, a grammar abort): record it and go on with a fresh one
          finish(current, null, why);
          current = null;
        }
        if (!ready && !stopping) startFailures++;
        if (queue.length && startFailures < 3) {
          spawn();
        } else if (live === 0) {
          for (const st of queue.splice(0)) finish(st, null, `no harvest worker could start (${why})`);
          resolve();
        }
      };
      worker.on('error', (err) => onGone(`worker error: ${err.message}`));
      worker.on('exit', (code) => onGone(`worker exited (code ${code})`));
    };
    for (let i = 0; i < Math.max(1, count); i++) spawn();
  });
}

function topPackages(byPackage: Record<string, number>, n: number): PackageCount[] {
  return Object.entries(byPackage).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([pkg, pairs]) => ({ pkg, pairs }));
}

function buildManifest(
  o: HarvestOptions, sources: string, out: string, states: UnitState[], unstamped: number, duplicates: number,
  excludedPackages: string[], merge: MergeReport, t: { t0: number; harvestMs: number; mergeMs: number },
): HarvestManifest {
  const drops: Record<string, number> = {};
  const byLanguage: Record<string, number> = {};
  const files = { found: 0, read: 0, bytesRead: 0, leftByEarlyStop: 0, byLanguage };
  const excludedPaths: string[] = [];
  let excludedPathCount = 0;
  const stoppedEarly: Array<{ key: string; filesLeft: number }> = [];
  const split: Array<{ key: string; groups: number }> = [];
  for (const s of states) {
    const r = s.report;
    if (!r || s.error) continue;
    addCounts(drops, r.drops);
    addCounts(byLanguage, r.languages);
    files.found += r.files;
    files.read += r.filesRead;
    files.bytesRead += r.bytesRead;
    files.leftByEarlyStop += r.filesLeft;
    if (r.filesLeft > 0) stoppedEarly.push({ key: s.key, filesLeft: r.filesLeft });
    if (r.groups > 1) split.push({ key: s.key, groups: r.groups });
    excludedPathCount += r.excludedPaths.length;
    for (const p of r.excludedPaths) if (excludedPaths.length < 50) excludedPaths.push(p);
  }
  addCounts(drops, merge.drops);
  const rule = exclusionRule();
  const table = (k: PairKind) => {
    const { byPackage, ...rest } = merge.pairs[k];
    return { ...rest, byLanguage: sortedCounts(rest.byLanguage), packages: Object.keys(byPackage).length };
  };
  const { log: _log, filter, ...opts } = o;
  return {
    harvester: HARVESTER_VERSION,
    chunker: CHUNKER_VERSION,
    createdAt: new Date().toISOString(),
    tookMs: Date.now() - t.t0,
    harvestMs: t.harvestMs,
    mergeMs: t.mergeMs,
    options: { ...opts, filter: filter ? String(filter) : null },
    sources,
    out,
    units: {
      total: states.length,
      harvested: states.filter((s) => s.report && !s.reused && !s.error).length,
      reused: states.filter((s) => s.reused).length,
      nested: states.filter((s) => s.unit.parent).length,
      failed: states.filter((s) => s.error).map((s) => ({ key: s.key, error: s.error as string })),
      duplicates,
      unstamped,
      stoppedEarly: stoppedEarly.sort((a, b) => b.filesLeft - a.filesLeft),
      split: split.sort((a, b) => b.groups - a.groups),
    },
    files: { ...files, byLanguage: sortedCounts(byLanguage) },
    candidates: merge.candidates,
    pairs: { doc: table('doc'), inline: table('inline') },
    topPackages: { doc: topPackages(merge.pairs.doc.byPackage, 50), inline: topPackages(merge.pairs.inline.byPackage, 50) },
    drops: sortedCounts(drops),
    shards: merge.shards,
    bytes: merge.bytes,
    exclusions: {
      corpora: rule.corpora.map((c) => ({ id: c.id, source: c.source, name: c.name })),
      warnings: rule.warnings,
      excludedPackages,
      excludedPathCount,
      excludedPathExamples: excludedPaths,
    },
  };
}

// ---- CLI -------------------------------------------------------------------

const USAGE = `usage: npx tsx training/harvest/harvest.ts [--sources DIR] [--out DIR] [--max-per-package N] [--workers N]
       [--seed N] [--split-min-files N] [--max-query-repeats N] [--shard-size N] [--filter REGEX] [--fresh] [--quiet] [--progress-every SECONDS]
defaults: --sources ${sourcesCacheDir()} --out ${path.join(trainingCacheHome(), 'pairs')} --max-per-package 5000 --workers 2`;

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}

export function parseArgs(argv: string[]): HarvestOptions {
  const o: HarvestOptions = { ...DEFAULT_OPTIONS, sources: sourcesCacheDir(), out: path.join(trainingCacheHome(), 'pairs') };
  const int = (flag: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < min) throw new Error(`${flag} needs an integer ≥ ${min} (got ${v ?? 'nothing'})`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    switch (a) {
      case '--sources': if (!v) throw new Error('--sources needs a folder'); o.sources = expandHome(v); i++; break;
      case '--out': if (!v) throw new Error('--out needs a folder'); o.out = expandHome(v); i++; break;
      case '--max-per-package': o.maxPerPackage = int(a, v, 1); i++; break;
      case '--workers': o.workers = int(a, v, 0); i++; break;
      case '--split-min-files': o.splitMinFiles = int(a, v, 1); i++; break;
      case '--seed': o.seed = int(a, v, 0); i++; break;
      case '--max-query-repeats': o.maxQueryRepeats = int(a, v, 1); i++; break;
      case '--shard-size': o.shardSize = int(a, v, 1); i++; break;
      case '--filter':
        if (!v) throw new Error('--filter needs a regular expression');
        try {
          o.filter = new RegExp(v);
        } catch (err) {
          throw new Error(`--filter: ${(err as Error).message}`);
        }
        i++;
        break;
      case '--progress-every': o.progressEverySec = int(a, v, 1); i++; break;
      case '--fresh': o.fresh = true; break;
      case '--quiet': o.log = null; break;
      case '-h': case '--help': throw new Error(USAGE);
      default: throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  return o;
}

if (require.main === module) {
  let opts: HarvestOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  runHarvest(opts).then(
    (m) => {
      process.stdout.write(JSON.stringify({ doc: m.pairs.doc, inline: m.pairs.inline, tookMs: m.tookMs, bytes: m.bytes }, null, 2) + '\n');
    },
    (err: unknown) => {
      process.stderr.write(`harvest failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
