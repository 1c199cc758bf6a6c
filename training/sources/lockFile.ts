// training/sources.lock.json: the exact versions fetched, so a later run with
// --locked fetches the same code again.
import * as fs from 'node:fs';
import { writeFileAtomic } from './proc';
import type { SourceLang } from './packages';

export interface LockedDeb {
  version: string;
  /** sha256 of the .deb archive. */
  sha256?: string;
  lang: SourceLang;
}

export interface LockedNpm {
  version: string;
  /** sha256 of the npm tarball. */
  sha256?: string;
}

export interface SourcesLock {
  lockVersion: 1;
  generatedAt: string;
  deb: Record<string, LockedDeb>;
  npm: Record<string, LockedNpm>;
}

export function emptyLock(): SourcesLock {
  return { lockVersion: 1, generatedAt: new Date().toISOString(), deb: {}, npm: {} };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a lock file; throws an Error with a readable message when it is missing or malformed. */
export function readLock(file: string): SourcesLock {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read lock file ${file}: ${(err as Error).message}`);
  }
  if (!isRecord(data) || data.lockVersion !== 1 || !isRecord(data.deb) || !isRecord(data.npm)) {
    throw new Error(`${file} is not a version-1 sources lock file`);
  }
  const lock = emptyLock();
  lock.generatedAt = typeof data.generatedAt === 'string' ? data.generatedAt : lock.generatedAt;
  for (const [name, e] of Object.entries(data.deb)) {
    if (isRecord(e) && typeof e.version === 'string') {
      lock.deb[name] = { version: e.version, sha256: typeof e.sha256 === 'string' ? e.sha256 : undefined, lang: (e.lang as SourceLang) ?? 'c' };
    }
  }
  for (const [name, e] of Object.entries(data.npm)) {
    if (isRecord(e) && typeof e.version === 'string') {
      lock.npm[name] = { version: e.version, sha256: typeof e.sha256 === 'string' ? e.sha256 : undefined };
    }
  }
  return lock;
}

function sortedRecord<T>(r: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k];
  return out;
}

/** Writes the lock with sorted keys, one package per line, so diffs stay small. */
export function writeLock(file: string, lock: SourcesLock): void {
  const section = (r: Record<string, unknown>): string => {
    const keys = Object.keys(r);
    if (keys.length === 0) return '{}';
    return '{\n' + keys.map((k) => `    ${JSON.stringify(k)}: ${JSON.stringify(r[k])}`).join(',\n') + '\n  }';
  };
  const text =
    '{\n' +
    `  "lockVersion": 1,\n  "generatedAt": ${JSON.stringify(lock.generatedAt)},\n` +
    `  "deb": ${section(sortedRecord(lock.deb))},\n` +
    `  "npm": ${section(sortedRecord(lock.npm))}\n}\n`;
  writeFileAtomic(file, text);
}
