// Fetches npm packages and their production dependencies without running any
// package code: `npm pack` (several specs per call) downloads the tarballs,
// tar unpacks each into a flat node_modules, and the unpacked package.json
// names the next dependencies. One version per package name: the first range
// met (top-level packages come first, at their latest version) decides.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { folderBytes, npmDir, readStamp, removePackage, sweepExcludedPaths, writeStamp } from './cacheLayout';
import type { FetchOutcome } from './debFetch';
import { isExcludedPackage } from './exclusions';
import { chunk, mapPool, runProgram, sha256File, errorSummary } from './proc';

export interface NpmRequest {
  name: string;
  /** A version, range or dist-tag. */
  range: string;
  requiredBy: string | null;
}

export interface NpmFetchOptions {
  cache: string;
  /** npm's own cache folder (--cache), kept outside the sources folder. */
  npmCache: string;
  roots: readonly NpmRequest[];
  /** Follow production dependencies (off in --locked mode: the lock already lists the closure). */
  followDependencies: boolean;
  /** In --locked mode a stamp with another version is refetched. */
  exactVersions: boolean;
  /** Checksum a tarball must have (from the lock file), if known. */
  expectedSha256?: (name: string, version: string) => string | undefined;
  jobs: number;
  batchSize: number;
  /** Stop queueing new packages after this many (fetched or present). */
  maxPackages: number;
  /** Tarballs that unpack to more than this are skipped. */
  maxUnpackedBytes: number;
  /** Returns false to stop the run (disk guard). */
  canContinue: () => boolean;
  onOutcome: (o: FetchOutcome, queued: number) => void;
}

const VALID_NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

/**
 * Turns a dependency entry into a registry request, or null for what the registry cannot serve
 * (git, file, link, workspace, URLs, GitHub shorthands).
 */
export function registryRequest(name: string, spec: string, requiredBy: string | null): NpmRequest | null {
  let realName = name;
  let range = (spec ?? '').trim();
  if (range.startsWith('npm:')) {
    const aliased = range.slice(4);
    const at = aliased.indexOf('@', aliased.startsWith('@') ? 1 : 0);
    realName = at > 0 ? aliased.slice(0, at) : aliased;
    range = at > 0 ? aliased.slice(at + 1) : '';
  }
  if (!VALID_NAME.test(realName)) return null;
  if (/^[a-z+]+:/i.test(range) || range.includes('/')) return null;
  return { name: realName, range: range === '' ? '*' : range, requiredBy };
}

/** Production dependencies of an unpacked package (optional ones, often platform binaries, left out). */
export function productionDependencies(pkgDir: string, requiredBy: string): NpmRequest[] {
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return [];
  }
  const deps = (pkg.dependencies ?? {}) as Record<string, unknown>;
  const optional = (pkg.optionalDependencies ?? {}) as Record<string, unknown>;
  const out: NpmRequest[] = [];
  if (typeof deps !== 'object' || deps === null) return out;
  for (const [name, spec] of Object.entries(deps)) {
    if (typeof spec !== 'string' || (typeof optional === 'object' && optional !== null && name in optional)) continue;
    const req = registryRequest(name, spec, requiredBy);
    if (req) out.push(req);
  }
  return out;
}

interface PackedTarball {
  name: string;
  version: string;
  filename: string;
  unpackedSize: number;
}

function parsePackJson(stdout: string): PackedTarball[] | null {
  const start = stdout.indexOf('[');
  if (start < 0) return null;
  try {
    const data = JSON.parse(stdout.slice(start)) as Array<Record<string, unknown>>;
    return data
      .filter((d) => typeof d.name === 'string' && typeof d.version === 'string' && typeof d.filename === 'string')
      .map((d) => ({ name: d.name as string, version: d.version as string, filename: d.filename as string, unpackedSize: Number(d.unpackedSize ?? 0) }));
  } catch {
    return null;
  }
}

function packArgs(npmCache: string, dest: string, specs: readonly string[]): string[] {
  return ['pack', '--json', '--ignore-scripts', '--pack-destination', dest, '--cache', npmCache, '--loglevel', 'error', ...specs];
}

/** npm pack for several specs at once, one at a time when the batch fails; error per name. */
async function packBatch(npmCache: string, dest: string, reqs: readonly NpmRequest[]): Promise<{ packed: PackedTarball[]; errors: Map<string, string> }> {
  const spec = (r: NpmRequest): string => `${r.name}@${r.range}`;
  const errors = new Map<string, string>();
  const all = await runProgram('npm', packArgs(npmCache, dest, reqs.map(spec)), { timeoutMs: 15 * 60_000 });
  const parsed = all.code === 0 ? parsePackJson(all.stdout) : null;
  if (parsed) return { packed: parsed, errors };
  const packed: PackedTarball[] = [];
  for (const r of reqs) {
    const one = await runProgram('npm', packArgs(npmCache, dest, [spec(r)]), { timeoutMs: 10 * 60_000 });
    const p = one.code === 0 ? parsePackJson(one.stdout) : null;
    if (p && p.length > 0) packed.push(...p);
    else errors.set(r.name, `npm pack ${spec(r)} failed: ${errorSummary(one.stderr || one.stdout)}`);
  }
  return { packed, errors };
}

async function unpackTarball(cache: string, tarball: string, t: PackedTarball, expectedSha256: string | undefined): Promise<FetchOutcome> {
  const fail = (error: string): FetchOutcome => ({ kind: 'npm', name: t.name, version: t.version, status: 'failed', error });
  const sha256 = await sha256File(tarball);
  if (expectedSha256 && expectedSha256 !== sha256) return fail(`sha256 mismatch: expected ${expectedSha256}, got ${sha256}`);
  const finalDir = npmDir(cache, t.name);
  const partial = `${finalDir}.partial`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial, { recursive: true });
  const x = await runProgram('tar', ['-xzf', tarball, '-C', partial, '--strip-components=1', '--no-same-owner', '--no-same-permissions']);
  if (x.code !== 0) {
    fs.rmSync(partial, { recursive: true, force: true });
    return fail(`tar failed: ${errorSummary(x.stderr)}`);
  }
  // Bundled node_modules can carry a benchmark corpus.
  sweepExcludedPaths(partial);
  fs.rmSync(finalDir, { recursive: true, force: true });
  fs.renameSync(partial, finalDir);
  const bytes = folderBytes(finalDir);
  writeStamp(cache, 'npm', { name: t.name, version: t.version, sha256, bytes, fetchedAt: new Date().toISOString() });
  return { kind: 'npm', name: t.name, version: t.version, sha256, bytes, status: 'fetched' };
}

/** Breadth-first fetch of the roots and (optionally) their production dependencies. */
export async function fetchNpmPackages(opts: NpmFetchOptions): Promise<FetchOutcome[]> {
  const outcomes: FetchOutcome[] = [];
  const seen = new Set<string>();
  let queue: NpmRequest[] = [];
  const emit = (o: FetchOutcome): void => {
    outcomes.push(o);
    opts.onOutcome(o, queue.length);
  };
  const enqueue = (reqs: readonly NpmRequest[]): void => {
    for (const r of reqs) {
      if (seen.has(r.name)) continue;
      seen.add(r.name);
      if (isExcludedPackage(r.name, 'npm')) {
        emit({ kind: 'npm', name: r.name, status: 'skipped', error: `benchmark corpus (excluded)${r.requiredBy ? `, required by ${r.requiredBy}` : ''}` });
        continue;
      }
      if (seen.size > opts.maxPackages) continue;
      queue.push(r);
    }
  };
  enqueue(opts.roots);
  fs.mkdirSync(path.join(opts.cache, 'npm', 'node_modules'), { recursive: true });

  while (queue.length > 0 && opts.canContinue()) {
    const wave = queue;
    queue = [];
    const toPack: NpmRequest[] = [];
    for (const r of wave) {
      const stamp = readStamp(opts.cache, 'npm', r.name);
      if (stamp && (!opts.exactVersions || stamp.version === r.range)) {
        emit({ kind: 'npm', name: r.name, version: stamp.version, sha256: stamp.sha256, bytes: stamp.bytes, status: 'skipped' });
      } else {
        if (stamp) removePackage(opts.cache, 'npm', r.name);
        toPack.push(r);
      }
    }
    await mapPool(chunk(toPack, opts.batchSize), opts.jobs, async (batch) => {
      if (!opts.canContinue()) return;
      const scratch = fs.mkdtempSync(path.join(opts.cache, '.tmp-npm-'));
      try {
        const { packed, errors } = await packBatch(opts.npmCache, scratch, batch);
        const byName = new Map(packed.map((p) => [p.name, p]));
        for (const r of batch) {
          const t = byName.get(r.name);
          if (!t) {
            emit({ kind: 'npm', name: r.name, status: 'failed', error: errors.get(r.name) ?? `npm pack ${r.name}@${r.range} returned nothing` });
            continue;
          }
          const tarball = path.join(scratch, t.filename);
          if (t.unpackedSize > opts.maxUnpackedBytes) {
            emit({ kind: 'npm', name: t.name, version: t.version, status: 'skipped', error: `too large (${(t.unpackedSize / 1e6).toFixed(0)} MB unpacked)` });
            continue;
          }
          let o: FetchOutcome;
          try {
            o = await unpackTarball(opts.cache, tarball, t, opts.expectedSha256?.(t.name, t.version));
          } catch (err) {
            o = { kind: 'npm', name: t.name, version: t.version, status: 'failed', error: (err as Error).message };
          }
          emit(o);
        }
      } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
      }
    });
    // Dependencies are queued in the wave's order, not in completion order, so a rerun walks the
    // same names (and stops at the same --max-npm boundary).
    if (opts.followDependencies) {
      for (const r of wave) {
        if (readStamp(opts.cache, 'npm', r.name)) enqueue(productionDependencies(npmDir(opts.cache, r.name), r.name));
      }
    }
  }
  return outcomes;
}
