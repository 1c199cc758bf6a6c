// Fetches Debian packages without installing them: `apt-get download` into a
// scratch folder, checksum, `dpkg -x` into the package's own cache folder,
// unpack source archives shipped inside (src.zip, kernel tarball), drop any
// benchmark code, stamp.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { debDir, folderBytes, sweepExcludedPaths, writeStamp } from './cacheLayout';
import type { SourceLang } from './packages';
import { runProgram, sha256File, errorSummary } from './proc';

export interface DebJob {
  name: string;
  version: string;
  lang: SourceLang;
  /** Checksum the archive must have (from the lock file or the Packages index). */
  expectedSha256?: string;
  unpackInnerArchives: boolean;
}

export interface FetchOutcome {
  kind: 'deb' | 'npm';
  name: string;
  version?: string;
  sha256?: string;
  bytes?: number;
  status: 'fetched' | 'failed' | 'skipped';
  error?: string;
}

const INNER_ARCHIVE = /\.(zip|tar|tgz|tar\.(gz|xz|bz2|zst))$/;

/** apt-get's file name for a package: name_version_arch.deb, with ':' written as %3a. */
export function parseDebFileName(file: string): { name: string; version: string; arch: string } | null {
  const m = /^([^_]+)_([^_]+)_([^_]+)\.deb$/.exec(path.basename(file));
  return m ? { name: m[1], version: decodeURIComponent(m[2]), arch: m[3] } : null;
}

function aptDownloadArgs(specs: readonly string[]): string[] {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return ['download', ...(asRoot ? ['-o', 'APT::Sandbox::User=root'] : []), ...specs];
}

function findArchives(root: string): string[] {
  const found: string[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!p.endsWith(path.join('usr', 'share', 'doc'))) stack.push(p);
      } else if (e.isFile() && INNER_ARCHIVE.test(e.name)) found.push(p);
    }
  }
  return found;
}

/** Unpacks every source archive found in an extracted package next to itself, then deletes the archive. */
async function unpackInnerArchives(root: string): Promise<string | null> {
  for (const archive of findArchives(root)) {
    const base = archive.replace(INNER_ARCHIVE, '');
    const dest = fs.existsSync(base) ? `${base}.unpacked` : base;
    fs.mkdirSync(dest, { recursive: true });
    const r = archive.endsWith('.zip')
      ? await runProgram('unzip', ['-q', '-o', archive, '-d', dest])
      : await runProgram('tar', ['-xf', archive, '-C', dest, '--no-same-owner', '--no-same-permissions']);
    if (r.code !== 0) return `cannot unpack ${path.basename(archive)}: ${errorSummary(r.stderr)}`;
    fs.rmSync(archive, { force: true });
  }
  return null;
}

async function installArchive(cache: string, job: DebJob, file: string): Promise<FetchOutcome> {
  const fail = (error: string): FetchOutcome => ({ kind: 'deb', name: job.name, version: job.version, status: 'failed', error });
  const sha256 = await sha256File(file);
  if (job.expectedSha256 && job.expectedSha256 !== sha256) {
    return fail(`sha256 mismatch: expected ${job.expectedSha256}, got ${sha256}`);
  }
  const finalDir = debDir(cache, job.name);
  const partial = `${finalDir}.partial`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial, { recursive: true });
  const x = await runProgram('dpkg', ['-x', file, partial]);
  if (x.code !== 0) {
    fs.rmSync(partial, { recursive: true, force: true });
    return fail(`dpkg -x failed: ${errorSummary(x.stderr)}`);
  }
  if (job.unpackInnerArchives) {
    const err = await unpackInnerArchives(partial);
    if (err) {
      fs.rmSync(partial, { recursive: true, force: true });
      return fail(err);
    }
  }
  // A package may vendor a benchmark corpus; it must not reach the cache.
  sweepExcludedPaths(partial);
  fs.rmSync(finalDir, { recursive: true, force: true });
  fs.renameSync(partial, finalDir);
  const bytes = folderBytes(finalDir);
  writeStamp(cache, 'deb', { name: job.name, version: job.version, sha256, bytes, fetchedAt: new Date().toISOString() });
  return { kind: 'deb', name: job.name, version: job.version, sha256, bytes, status: 'fetched' };
}

/**
 * Downloads and unpacks a batch of packages. One apt-get call for the batch; when it fails (a
 * package vanished from the mirror) each package is retried alone so one bad name costs only itself.
 */
export async function fetchDebBatch(cache: string, jobs: readonly DebJob[]): Promise<FetchOutcome[]> {
  const scratch = fs.mkdtempSync(path.join(cache, '.tmp-deb-'));
  try {
    const specs = jobs.map((j) => `${j.name}=${j.version}`);
    const all = await runProgram('apt-get', aptDownloadArgs(specs), { cwd: scratch, timeoutMs: 20 * 60_000 });
    const errors = new Map<string, string>();
    if (all.code !== 0) {
      for (const [i, spec] of specs.entries()) {
        const one = await runProgram('apt-get', aptDownloadArgs([spec]), { cwd: scratch, timeoutMs: 20 * 60_000 });
        if (one.code !== 0) errors.set(jobs[i].name, `apt-get download failed: ${errorSummary(one.stderr || one.stdout)}`);
      }
    }
    const byName = new Map<string, string>();
    for (const f of fs.readdirSync(scratch)) {
      const parsed = parseDebFileName(f);
      if (parsed) byName.set(parsed.name, path.join(scratch, f));
    }
    const outcomes: FetchOutcome[] = [];
    for (const job of jobs) {
      const file = byName.get(job.name);
      if (!file) {
        outcomes.push({ kind: 'deb', name: job.name, version: job.version, status: 'failed', error: errors.get(job.name) ?? 'not downloaded' });
        continue;
      }
      try {
        outcomes.push(await installArchive(cache, job, file));
      } catch (err) {
        outcomes.push({ kind: 'deb', name: job.name, version: job.version, status: 'failed', error: (err as Error).message });
      } finally {
        fs.rmSync(file, { force: true });
      }
    }
    return outcomes;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
