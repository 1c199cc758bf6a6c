// Where each fetched package lives in the cache, its stamp (what was fetched),
// and the sweep that deletes benchmark code wherever it ended up.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileSize, walkTree } from '../walkTree';
import { isExcludedPath } from './exclusions';

export type SourceKind = 'deb' | 'npm';

export interface Stamp {
  name: string;
  version: string;
  sha256?: string;
  /** Bytes on disk after unpacking. */
  bytes?: number;
  fetchedAt: string;
}

/** Folder a Debian package is unpacked into (dpkg -x root). */
export function debDir(cache: string, name: string): string {
  return path.join(cache, 'deb', name);
}

/** Folder an npm package is unpacked into: a flat node_modules, so dependency paths look as usual. */
export function npmDir(cache: string, name: string): string {
  return path.join(cache, 'npm', 'node_modules', ...name.split('/'));
}

export function packageDir(cache: string, kind: SourceKind, name: string): string {
  return kind === 'deb' ? debDir(cache, name) : npmDir(cache, name);
}

function stampPath(cache: string, kind: SourceKind, name: string): string {
  return path.join(cache, '.stamps', kind, encodeURIComponent(name) + '.json');
}

export function readStamp(cache: string, kind: SourceKind, name: string): Stamp | null {
  try {
    const s = JSON.parse(fs.readFileSync(stampPath(cache, kind, name), 'utf8')) as Stamp;
    if (typeof s.version !== 'string' || !fs.existsSync(packageDir(cache, kind, name))) return null;
    return s;
  } catch {
    return null;
  }
}

export function writeStamp(cache: string, kind: SourceKind, stamp: Stamp): void {
  const file = stampPath(cache, kind, stamp.name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(stamp) + '\n');
}

/** Deletes a package's folder and stamp. */
export function removePackage(cache: string, kind: SourceKind, name: string): void {
  fs.rmSync(packageDir(cache, kind, name), { recursive: true, force: true });
  fs.rmSync(stampPath(cache, kind, name), { force: true });
}

/** Every stamp present for a kind (the packages the cache holds). */
export function listStamps(cache: string, kind: SourceKind): Stamp[] {
  const dir = path.join(cache, '.stamps', kind);
  let files: string[];
  try {
    files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const out: Stamp[] = [];
  for (const f of files) {
    let stamp: Stamp;
    try {
      stamp = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Stamp;
    } catch {
      continue;
    }
    if (typeof stamp.name !== 'string' || typeof stamp.version !== 'string') continue;
    // The name inside the stamp is authoritative; move a stamp written under another file name.
    const expected = stampPath(cache, kind, stamp.name);
    if (path.join(dir, f) !== expected) fs.renameSync(path.join(dir, f), expected);
    if (fs.existsSync(packageDir(cache, kind, stamp.name))) out.push(stamp);
  }
  return out;
}

/**
 * Walks `root` and deletes every file or folder that isExcludedPath matches (the benchmark corpora,
 * under any name they were pulled in as). Returns the deleted paths.
 */
export function sweepExcludedPaths(root: string, isExcluded: (p: string) => boolean = isExcludedPath): string[] {
  const removed: string[] = [];
  walkTree(root, (p, e) => {
    if (!isExcluded(p)) return e.isDirectory();
    fs.rmSync(p, { recursive: true, force: true });
    removed.push(p);
    return false;
  });
  return removed;
}

/** Total size in bytes of the files under a folder (symbolic links are not followed). */
export function folderBytes(root: string): number {
  let total = 0;
  walkTree(root, (p, e) => {
    if (e.isFile()) total += fileSize(p);
    return e.isDirectory();
  });
  return total;
}
