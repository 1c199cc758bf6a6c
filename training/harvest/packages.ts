// Which package a path in the sources cache belongs to, the path a file would
// have inside its own repository (the form the engine shows), and the list of
// package folders ("units") the harvester walks.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listStamps, type SourceKind } from '../sources/cacheLayout';
import { isExcludedPackage, isExcludedPath } from '../sources/exclusions';

export type { SourceKind };

/** A package as found on disk. */
export interface PackageRef {
  /** Top-level area of the cache the path lies in. */
  source: SourceKind;
  /** Naming scheme of `name` (a node_modules folder inside a Debian package is an npm package). */
  ecosystem: SourceKind;
  name: string;
  /** The package's folder, absolute. */
  dir: string;
}

/** One package folder to harvest. */
export interface HarvestUnit extends PackageRef {
  version: string;
  /** Bytes on disk (from the fetch stamp; nested packages 0): progress and ETA only. */
  bytes: number;
  /** Folders inside `dir` that another unit already covers (Debian packages shipping the same crate). */
  skipDirs: string[];
  /** Set for a package found in a node_modules folder inside another unit: that unit's key. */
  parent?: string;
}

/** Identity of a unit: `npm:lodash@4.17.21`, `deb:python3-requests@2.28.1-1`. */
export function unitKey(u: { ecosystem: SourceKind; name: string; version: string }): string {
  return `${u.ecosystem}:${u.name}@${u.version}`;
}

function toSlash(p: string): string {
  return p.split(path.sep).join('/');
}

/**
 * The package a path belongs to: `deb/<name>/…` or `npm/node_modules/<name>/…`,
 * where the innermost node_modules/<name> (scoped or not) wins. Null outside the cache layout.
 */
export function packageOfPath(sourcesRoot: string, absPath: string): PackageRef | null {
  const rel = toSlash(path.relative(path.resolve(sourcesRoot), path.resolve(absPath)));
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return null;
  const segs = rel.split('/');
  const source = segs[0];
  if (source !== 'deb' && source !== 'npm') return null;
  let nm = -1;
  for (let i = segs.length - 2; i >= 1; i--) {
    if (segs[i] === 'node_modules') {
      nm = i;
      break;
    }
  }
  if (nm >= 0 && nm + 1 < segs.length) {
    const scoped = segs[nm + 1].startsWith('@');
    if (scoped && nm + 2 >= segs.length) return null;
    const nameSegs = scoped ? segs.slice(nm + 1, nm + 3) : [segs[nm + 1]];
    return {
      source,
      ecosystem: 'npm',
      name: nameSegs.join('/'),
      dir: path.join(path.resolve(sourcesRoot), ...segs.slice(0, nm + 1 + nameSegs.length)),
    };
  }
  if (source === 'deb' && segs.length >= 2 && segs[1] !== '') {
    return { source, ecosystem: 'deb', name: segs[1], dir: path.join(path.resolve(sourcesRoot), 'deb', segs[1]) };
  }
  return null;
}

// Install prefixes of Debian packages, stripped so a path reads as it does in the project's own repository.
const DEB_PREFIXES: RegExp[] = [
  /^usr\/lib\/python3(?:\.\d+)?\/(?:dist-packages|site-packages)\//,
  /^usr\/lib\/python3(?:\.\d+)?\//,
  /^usr\/lib\/pypy3?\/dist-packages\//,
  /^usr\/share\/go-[\d.]+\/src\//,
  /^usr\/lib\/go-[\d.]+\/src\//,
  /^usr\/share\/gocode\/src\/(?:github\.com|gitlab\.com|bitbucket\.org|golang\.org|go\.googlesource\.com|codeberg\.org|git\.sr\.ht|salsa\.debian\.org)\/[^/]+\/[^/]+\//,
  /^usr\/share\/gocode\/src\/[^/]+\/[^/]+\//,
  /^usr\/share\/cargo\/registry\/[^/]+\//,
  /^usr\/(?:share|lib\/[^/]+)\/rubygems-integration\/[^/]+\/gems\/[^/]+\//,
  /^usr\/lib\/ruby\/gems\/[^/]+\/gems\/[^/]+\//,
  /^usr\/lib\/(?:[^/]+\/)?ruby\/vendor_ruby\/(?:[\d.]+\/)?/,
  /^usr\/lib\/ruby\/[\d.]+\//,
  /^usr\/share\/php\//,
  /^usr\/(?:lib|share)\/(?:jvm\/)?[^/]+\/lib\/src\//,
  /^usr\/include\//,
  /^usr\/share\/java\//,
];
// Archive roots named after a package and version ("gcc-12.2.0", "linux-source-6.1", "rustc-1.63.0-src").
const VERSIONED_DIR = /^[A-Za-z][\w.+]*(?:-[A-Za-z][\w+]*)*-\d[\w.~+-]*$/;

/** A Debian package's file path as it would be inside the project's repository. */
export function debRepoPath(relInPackage: string): string {
  const rel = relInPackage.replace(/^\/+/, '');
  for (const re of DEB_PREFIXES) {
    const m = re.exec(rel);
    if (m && m[0].length < rel.length) return rel.slice(m[0].length);
  }
  const src = /^usr\/src\/([^/]+)\//.exec(rel);
  if (src) {
    // "usr/src/gdb/gdb/…", "usr/src/newlib/newlib-3.3.0/newlib-salsa/…": archive roots named after the package
    const base = src[1].toLowerCase().replace(/-source$/, '');
    const isRoot = (seg: string) => VERSIONED_DIR.test(seg) || seg.toLowerCase() === base || seg.toLowerCase().startsWith(`${base}-`);
    const segs = rel.slice(src[0].length).split('/');
    while (segs.length > 1 && isRoot(segs[0])) segs.shift();
    return segs.join('/');
  }
  const generic = /^usr\/(?:share|lib|src)\/(?:[^/]+\/)?/.exec(rel);
  if (generic && generic[0].length < rel.length) return rel.slice(generic[0].length);
  return rel;
}

/** The repository-relative path of a file of a unit. */
export function repoPath(unit: Pick<PackageRef, 'ecosystem' | 'dir'>, absFile: string): string {
  const rel = toSlash(path.relative(unit.dir, absFile));
  return unit.ecosystem === 'deb' ? debRepoPath(rel) : rel;
}

/** Units of the cache, in a fixed order (deb then npm, by name), with what was left out and why. */
export interface UnitList {
  units: HarvestUnit[];
  /** Packages that are benchmark corpora. */
  excluded: string[];
  /** Packages whose content another unit already covers. */
  duplicates: string[];
  /** Package folders without a fetch stamp (still being fetched, or not made by the fetch). */
  unstamped: string[];
}

/** Crates a Debian Rust package ships, by registry folder name (`serde-1.0.152`). */
function cargoFolders(dir: string): string[] {
  try {
    return fs.readdirSync(path.join(dir, 'usr', 'share', 'cargo', 'registry')).sort();
  } catch {
    return [];
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** The fetched packages of a sources cache (stamped ones only), deduplicated and with the benchmark rule applied. */
export function listUnits(sourcesRoot: string, filter?: RegExp): UnitList {
  const root = path.resolve(sourcesRoot);
  const out: UnitList = { units: [], excluded: [], duplicates: [], unstamped: [] };
  const seenKeys = new Set<string>();
  const seenCrates = new Set<string>();
  for (const source of ['deb', 'npm'] as const) {
    const stamps = listStamps(root, source).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const stamped = new Set(stamps.map((s) => s.name));
    const area = source === 'deb' ? path.join(root, 'deb') : path.join(root, 'npm', 'node_modules');
    for (const entry of safeReaddir(area)) {
      if (entry.startsWith('.')) continue;
      const names = source === 'npm' && entry.startsWith('@') ? safeReaddir(path.join(area, entry)).map((n) => `${entry}/${n}`) : [entry];
      for (const n of names) if (!stamped.has(n) && !n.endsWith('.partial')) out.unstamped.push(`${source}:${n}`);
    }
    for (const s of stamps) {
      if (filter && !filter.test(s.name)) continue;
      const dir = source === 'deb' ? path.join(root, 'deb', s.name) : path.join(root, 'npm', 'node_modules', ...s.name.split('/'));
      const unit: HarvestUnit = { source, ecosystem: source, name: s.name, dir, version: s.version, bytes: s.bytes ?? 0, skipDirs: [] };
      const key = unitKey(unit);
      if (isExcludedPackage(s.name, source) || isExcludedPath(dir)) {
        out.excluded.push(key);
        continue;
      }
      if (seenKeys.has(key)) {
        out.duplicates.push(key);
        continue;
      }
      if (source === 'deb') {
        const crates = cargoFolders(dir);
        const seen = crates.filter((c) => seenCrates.has(c));
        if (crates.length > 0 && seen.length === crates.length) {
          out.duplicates.push(key);
          continue;
        }
        unit.skipDirs = seen.map((c) => path.join(dir, 'usr', 'share', 'cargo', 'registry', c));
        for (const c of crates) seenCrates.add(c);
      }
      seenKeys.add(key);
      out.units.push(unit);
    }
  }
  return out;
}
