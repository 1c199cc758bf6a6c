// Fetches the training-data source code into a cache outside the repository
// and records what was fetched in training/sources.lock.json.
//
//   npx tsx training/sources/fetch.ts [--locked] [--only deb|npm] [--jobs N] [--dry-run]
//
// Idempotent and resumable: a package with a stamp is not fetched again.
// Failures are logged and skipped. See training/README.md, section "Sources".
import * as fs from 'node:fs';
import * as path from 'node:path';
import { aptListsAgeMs, aptUpdate, debCandidates, debDependencyClosure } from './aptResolve';
import { listStamps, readStamp, removePackage, sweepExcludedPaths, type SourceKind } from './cacheLayout';
import { fetchDebBatch, type DebJob, type FetchOutcome } from './debFetch';
import { exclusionRule, isExcludedPackage } from './exclusions';
import { emptyLock, readLock, writeLock, type SourcesLock } from './lockFile';
import { fetchNpmPackages, type NpmRequest } from './npmFetch';
import { DEBS_WITH_INNER_ARCHIVES, SOURCE_BEARING_DEB, UNWANTED_DEB, debLanguage, loadSourceLists, type SourceLang } from './packages';
import { lockFilePath, sourcesCacheDir } from './paths';
import { chunk, mapPool, writeFileAtomic } from './proc';
import { collectSourceStats, formatSourceStats } from './stats';

export interface FetchArgs {
  locked: boolean;
  only: SourceKind | null;
  jobs: number;
  dryRun: boolean;
  followDebDependencies: boolean;
  maxNpmPackages: number;
  maxUnpackedMb: number;
  minFreeGb: number;
  maxGb: number;
  keepNpmCache: boolean;
  cache: string;
  lockFile: string;
}

const USAGE = `usage: npx tsx training/sources/fetch.ts [options]
  --locked              fetch exactly the versions in the lock file (no dependency walk, lock not rewritten)
  --only deb|npm        fetch one source only
  --jobs N              parallel batches, 1-4 (default 3)
  --dry-run             resolve and print what would be fetched, fetch nothing
  --no-deb-deps         do not follow Debian dependencies (python3-*, golang-*-dev, librust-*-dev, ruby-*, php-*)
  --max-npm N           stop the npm dependency walk after N packages (default 5000)
  --max-unpacked-mb N   skip npm tarballs larger than N MB unpacked (default 80)
  --min-free-gb N       stop when the disk has less than N GB free (default 10)
  --max-gb N            stop when the cache holds more than N GB (default 30)
  --keep-npm-cache      keep npm's download cache (default: deleted at the end)
  --cache DIR           cache folder (default $SIFT_TRAINING_CACHE or ~/.cache/sift-training/sources)
  --lock FILE           lock file (default training/sources.lock.json)`;

/** Parses the command line; throws an Error whose message is meant for the user. */
export function parseFetchArgs(argv: readonly string[]): FetchArgs {
  const args: FetchArgs = {
    locked: false, only: null, jobs: 3, dryRun: false, followDebDependencies: true, maxNpmPackages: 5000,
    maxUnpackedMb: 80, minFreeGb: 10, maxGb: 30, keepNpmCache: false, cache: sourcesCacheDir(), lockFile: lockFilePath(),
  };
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a non-negative number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--locked': args.locked = true; break;
      case '--dry-run': args.dryRun = true; break;
      case '--no-deb-deps': args.followDebDependencies = false; break;
      case '--keep-npm-cache': args.keepNpmCache = true; break;
      case '--only': {
        const v = argv[++i];
        if (v !== 'deb' && v !== 'npm') throw new Error('--only needs deb or npm');
        args.only = v;
        break;
      }
      case '--jobs': args.jobs = Math.min(4, Math.max(1, Math.round(num(a, argv[++i])))); break;
      case '--max-npm': args.maxNpmPackages = num(a, argv[++i]); break;
      case '--max-unpacked-mb': args.maxUnpackedMb = num(a, argv[++i]); break;
      case '--min-free-gb': args.minFreeGb = num(a, argv[++i]); break;
      case '--max-gb': args.maxGb = num(a, argv[++i]); break;
      case '--cache': args.cache = path.resolve(argv[++i] ?? ''); break;
      case '--lock': args.lockFile = path.resolve(argv[++i] ?? ''); break;
      case '--help': case '-h': throw new Error(USAGE);
      default: throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  return args;
}

function log(msg: string): void {
  console.log(`${new Date().toISOString().slice(11, 19)} ${msg}`);
}

function freeBytes(dir: string): number {
  try {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return Infinity;
  }
}

interface RunState {
  args: FetchArgs;
  cacheBytes: number;
  stopReason: string | null;
  outcomes: FetchOutcome[];
  debLang: Map<string, SourceLang>;
  lastLockWrite: number;
}

function canContinue(st: RunState): boolean {
  if (st.stopReason) return false;
  const free = freeBytes(st.args.cache);
  if (free < st.args.minFreeGb * 1e9) st.stopReason = `disk has only ${(free / 1e9).toFixed(1)} GB free (--min-free-gb ${st.args.minFreeGb})`;
  else if (st.cacheBytes > st.args.maxGb * 1e9) st.stopReason = `cache holds ${(st.cacheBytes / 1e9).toFixed(1)} GB (--max-gb ${st.args.maxGb})`;
  if (st.stopReason) log(`STOP: ${st.stopReason}`);
  return st.stopReason === null;
}

/** The lock as the cache now stands: one entry per stamped package. */
function lockFromStamps(cache: string, debLang: Map<string, SourceLang>): SourcesLock {
  const lock = emptyLock();
  for (const s of listStamps(cache, 'deb')) lock.deb[s.name] = { version: s.version, sha256: s.sha256, lang: debLang.get(s.name) ?? debLanguage(s.name) };
  for (const s of listStamps(cache, 'npm')) lock.npm[s.name] = { version: s.version, sha256: s.sha256 };
  return lock;
}

function maybeWriteLock(st: RunState, force = false): void {
  if (st.args.locked || st.args.dryRun) return;
  if (!force && Date.now() - st.lastLockWrite < 30_000) return;
  st.lastLockWrite = Date.now();
  writeLock(st.args.lockFile, lockFromStamps(st.args.cache, st.debLang));
}

function record(st: RunState, o: FetchOutcome, progress: string): void {
  st.outcomes.push(o);
  if (o.status === 'fetched') {
    st.cacheBytes += o.bytes ?? 0;
    log(`${progress} fetched ${o.name} ${o.version ?? ''} (${((o.bytes ?? 0) / 1e6).toFixed(1)} MB)`);
  } else if (o.status === 'failed') {
    log(`${progress} FAILED ${o.name}${o.version ? ` ${o.version}` : ''}: ${o.error}`);
  } else if (o.error) {
    log(`${progress} skipped ${o.name}: ${o.error}`);
  }
  maybeWriteLock(st);
}

async function debJobs(st: RunState, lock: SourcesLock | null): Promise<DebJob[]> {
  const { args } = st;
  if (lock) {
    const names = Object.keys(lock.deb).filter((n) => {
      if (!isExcludedPackage(n, 'deb')) return true;
      log(`excluded (benchmark corpus): deb ${n}`);
      return false;
    });
    const cands = await debCandidates(names.map((n) => `${n}=${lock.deb[n].version}`));
    return names.map((n) => {
      st.debLang.set(n, lock.deb[n].lang);
      return {
        name: n, version: lock.deb[n].version, lang: lock.deb[n].lang,
        expectedSha256: lock.deb[n].sha256 ?? cands.get(n)?.sha256, unpackInnerArchives: DEBS_WITH_INNER_ARCHIVES.has(n),
      };
    });
  }
  if (aptListsAgeMs() > 24 * 3600_000) {
    log('apt package lists are older than a day: apt-get update');
    const err = await aptUpdate();
    if (err) log(`warning: ${err} (continuing with the lists there are)`);
  }
  const lists = loadSourceLists();
  for (const w of lists.warnings) log(`warning: ${w}`);
  const seeds = lists.deb.filter((d) => {
    if (!isExcludedPackage(d.name, 'deb')) return true;
    log(`excluded (benchmark corpus): deb ${d.name}`);
    return false;
  });
  for (const d of seeds) st.debLang.set(d.name, d.lang);
  let names = seeds.map((d) => d.name);
  if (args.followDebDependencies) {
    const extra = await debDependencyClosure(names, (n) => SOURCE_BEARING_DEB.test(n) && !UNWANTED_DEB.test(n) && !isExcludedPackage(n, 'deb'));
    log(`Debian: ${names.length} listed packages + ${extra.length} source-bearing dependencies`);
    names = [...names, ...extra];
  }
  const cands = await debCandidates(names);
  const jobs: DebJob[] = [];
  for (const n of names) {
    const c = cands.get(n);
    if (!c) {
      record(st, { kind: 'deb', name: n, status: 'failed', error: 'unknown to apt (no candidate version)' }, '[deb]');
      continue;
    }
    jobs.push({ name: n, version: c.version, lang: st.debLang.get(n) ?? debLanguage(n), expectedSha256: c.sha256, unpackInnerArchives: DEBS_WITH_INNER_ARCHIVES.has(n) });
  }
  const mb = [...cands.values()].reduce((s, c) => s + c.installedSize, 0) / 1e6;
  log(`Debian: ${jobs.length} packages resolved, about ${mb.toFixed(0)} MB unpacked before inner archives`);
  return jobs;
}

async function fetchDebs(st: RunState, lock: SourcesLock | null): Promise<void> {
  const jobs = await debJobs(st, lock);
  const todo: DebJob[] = [];
  let present = 0;
  for (const j of jobs) {
    const stamp = readStamp(st.args.cache, 'deb', j.name);
    if (stamp && (!st.args.locked || stamp.version === j.version)) {
      present++;
      st.outcomes.push({ kind: 'deb', name: j.name, version: stamp.version, sha256: stamp.sha256, bytes: stamp.bytes, status: 'skipped' });
    } else {
      if (stamp) removePackage(st.args.cache, 'deb', j.name);
      todo.push(j);
    }
  }
  log(`Debian: ${present} already present, ${todo.length} to fetch`);
  if (st.args.dryRun) return;
  let done = 0;
  await mapPool(chunk(todo, 12), st.args.jobs, async (batch) => {
    if (!canContinue(st)) return;
    for (const o of await fetchDebBatch(st.args.cache, batch)) record(st, o, `[deb ${++done}/${todo.length}]`);
  });
}

async function fetchNpm(st: RunState, lock: SourcesLock | null): Promise<void> {
  let roots: NpmRequest[];
  if (lock) {
    roots = Object.entries(lock.npm).map(([name, e]) => ({ name, range: e.version, requiredBy: null }));
  } else {
    const lists = loadSourceLists();
    roots = lists.npm.map((name) => ({ name, range: 'latest', requiredBy: null }));
  }
  log(`npm: ${roots.length} ${lock ? 'locked packages' : 'top-level packages (dependencies follow)'}`);
  if (st.args.dryRun) return;
  let done = 0;
  await fetchNpmPackages({
    cache: st.args.cache,
    npmCache: path.join(path.dirname(st.args.cache), 'npm-cache'),
    roots,
    followDependencies: !lock,
    exactVersions: lock !== null,
    expectedSha256: (name, version) => (lock?.npm[name]?.version === version ? lock.npm[name].sha256 : undefined),
    jobs: st.args.jobs,
    batchSize: 20,
    maxPackages: st.args.maxNpmPackages,
    maxUnpackedBytes: st.args.maxUnpackedMb * 1e6,
    canContinue: () => canContinue(st),
    onOutcome: (o, queued) => record(st, o, `[npm ${++done} done, ${queued} queued]`),
  });
}

/** Deletes benchmark code anywhere in the cache, and the stamps of excluded packages. */
function sweepCache(cache: string): string[] {
  const removed = sweepExcludedPaths(cache);
  for (const kind of ['deb', 'npm'] as const) {
    for (const s of listStamps(cache, kind)) {
      if (isExcludedPackage(s.name, kind)) {
        removePackage(cache, kind, s.name);
        removed.push(`${kind}:${s.name}`);
      }
    }
  }
  return removed;
}

function summarise(st: RunState): Record<string, unknown> {
  const byKey: Record<string, Record<string, number>> = {};
  for (const o of st.outcomes) {
    const key = o.kind === 'deb' ? `deb:${st.debLang.get(o.name) ?? debLanguage(o.name)}` : 'npm';
    byKey[key] ??= { fetched: 0, skipped: 0, failed: 0 };
    byKey[key][o.status]++;
  }
  return byKey;
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: FetchArgs;
  try {
    args = parseFetchArgs(argv);
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const started = Date.now();
  fs.mkdirSync(args.cache, { recursive: true });
  let lock: SourcesLock | null = null;
  if (args.locked) {
    try {
      lock = readLock(args.lockFile);
    } catch (err) {
      console.error((err as Error).message);
      return 2;
    }
  }
  const rule = exclusionRule();
  for (const w of rule.warnings) log(`warning: ${w}`);
  log(`cache ${args.cache}; lock ${args.lockFile}${args.locked ? ' (locked)' : ''}; excluded corpora: ${rule.corpora.map((c) => c.name).join(', ')}`);
  const st: RunState = { args, cacheBytes: 0, stopReason: null, outcomes: [], debLang: new Map(), lastLockWrite: 0 };
  for (const kind of ['deb', 'npm'] as const) for (const s of listStamps(args.cache, kind)) st.cacheBytes += s.bytes ?? 0;

  if (args.only !== 'npm') await fetchDebs(st, lock);
  if (args.only !== 'deb' && canContinue(st)) await fetchNpm(st, lock);
  if (args.dryRun) return 0;

  const removed = sweepCache(args.cache);
  log(`exclusion sweep: removed ${removed.length} benchmark path(s)${removed.length ? ': ' + removed.slice(0, 20).join(', ') : ''}`);
  maybeWriteLock(st, true);
  if (!args.keepNpmCache) fs.rmSync(path.join(path.dirname(args.cache), 'npm-cache'), { recursive: true, force: true });

  const failures = st.outcomes.filter((o) => o.status === 'failed').map((o) => ({ kind: o.kind, name: o.name, version: o.version, error: o.error }));
  const stats = collectSourceStats(args.cache);
  const seconds = Math.round((Date.now() - started) / 1000);
  const report = {
    startedAt: new Date(started).toISOString(), seconds, args: argv, stopReason: st.stopReason,
    packages: summarise(st), failures, excludedRemoved: removed, sourceFiles: stats.files, bytes: stats.bytes,
  };
  writeFileAtomic(path.join(path.dirname(args.cache), 'fetch-report.json'), JSON.stringify(report, null, 1) + '\n');
  log(`done in ${seconds} s; packages: ${JSON.stringify(report.packages)}; ${failures.length} failure(s)`);
  console.log(formatSourceStats(stats));
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`fetch failed: ${(err as Error).stack ?? String(err)}`);
      process.exit(1);
    },
  );
}
