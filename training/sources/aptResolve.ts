// Questions answered from the local apt cache (no download): is a package
// known, what is its candidate version and archive checksum, and which
// source-bearing packages does it depend on.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chunk, runProgram, errorSummary } from './proc';

export interface DebCandidate {
  name: string;
  version: string;
  architecture: string;
  /** sha256 of the .deb, from the Packages index. */
  sha256?: string;
  /** Archive size in bytes. */
  size: number;
  /** Unpacked size in bytes (Installed-Size). */
  installedSize: number;
}

const APT_LISTS = '/var/lib/apt/lists';

/** Age in ms of the newest Packages index, or Infinity when there is none. */
export function aptListsAgeMs(listsDir: string = APT_LISTS): number {
  let newest = 0;
  try {
    for (const f of fs.readdirSync(listsDir)) {
      if (!/_Packages(\.|$)/.test(f)) continue;
      newest = Math.max(newest, fs.statSync(path.join(listsDir, f)).mtimeMs);
    }
  } catch {
    return Infinity;
  }
  return newest === 0 ? Infinity : Date.now() - newest;
}

/** Runs apt-get update; returns an error message or null. A partial failure leaves the old lists usable. */
export async function aptUpdate(): Promise<string | null> {
  const r = await runProgram('apt-get', ['update'], { timeoutMs: 10 * 60_000 });
  return r.code === 0 ? null : `apt-get update failed (${r.code}): ${errorSummary(r.stderr || r.stdout)}`;
}

/** Parses `apt-cache show` output into one candidate per stanza. */
export function parseAptShow(text: string): DebCandidate[] {
  const out: DebCandidate[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (key: string): string | undefined => {
      const m = new RegExp(`^${key}: *(.*)$`, 'm').exec(stanza);
      return m ? m[1].trim() : undefined;
    };
    const name = field('Package');
    const version = field('Version');
    if (!name || !version) continue;
    out.push({
      name,
      version,
      architecture: field('Architecture') ?? 'all',
      sha256: field('SHA256'),
      size: Number(field('Size') ?? 0),
      installedSize: Number(field('Installed-Size') ?? 0) * 1024,
    });
  }
  return out;
}

/**
 * Candidate (or, for `name=version` specs, that exact) version of each package. Unknown names are
 * simply absent from the result.
 */
export async function debCandidates(specs: readonly string[]): Promise<Map<string, DebCandidate>> {
  const found = new Map<string, DebCandidate>();
  for (const part of chunk(specs, 200)) {
    const r = await runProgram('apt-cache', ['show', '--no-all-versions', ...part]);
    for (const c of parseAptShow(r.stdout)) if (!found.has(c.name)) found.set(c.name, c);
  }
  return found;
}

/**
 * Parses `apt-cache depends` output: for each package, the real packages it depends on (a virtual
 * dependency is replaced by its first provider).
 */
export function parseAptDepends(text: string): Map<string, string[]> {
  const deps = new Map<string, string[]>();
  let current: string[] | null = null;
  let awaitingProvider = false;
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) {
      current = [];
      deps.set(line.trim(), current);
      awaitingProvider = false;
      continue;
    }
    if (!current) continue;
    const dep = /^ {2}\|?(?:Pre)?Depends: (<)?([^>\s]+)>?/.exec(line);
    if (dep) {
      awaitingProvider = dep[1] === '<';
      if (!awaitingProvider) current.push(dep[2].replace(/:[a-z0-9]+$/, ''));
      continue;
    }
    const provider = /^ {4}(\S+)/.exec(line);
    if (provider && awaitingProvider) {
      current.push(provider[1].replace(/:[a-z0-9]+$/, ''));
      awaitingProvider = false;
    } else if (/^ {2}\S/.test(line)) {
      awaitingProvider = false;
    }
  }
  return deps;
}

/**
 * Follows Depends/Pre-Depends from the seeds, keeping only packages that `follow` accepts, until
 * nothing new turns up or `maxDepth` levels were expanded. Returns the new names in discovery order.
 */
export async function debDependencyClosure(
  seeds: readonly string[],
  follow: (name: string) => boolean,
  maxDepth = 8,
): Promise<string[]> {
  const known = new Set(seeds);
  const added: string[] = [];
  let frontier = [...seeds];
  for (let depth = 0; depth < maxDepth && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const part of chunk(frontier, 200)) {
      const r = await runProgram('apt-cache', [
        'depends', '--no-recommends', '--no-suggests', '--no-conflicts', '--no-breaks', '--no-replaces', '--no-enhances', ...part,
      ]);
      for (const deps of parseAptDepends(r.stdout).values()) {
        for (const d of deps) {
          if (known.has(d) || !follow(d)) continue;
          known.add(d);
          added.push(d);
          next.push(d);
        }
      }
    }
    frontier = next;
  }
  return added;
}
