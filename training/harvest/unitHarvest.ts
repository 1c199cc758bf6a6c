// Harvests one package folder: walks it (benchmark paths, nested packages
// and non-code left out), chunks its files in a seeded random order, dedups
// within the package, samples down to the per-package cap and writes the
// candidates file that the global pass reads.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Chunker } from '../../src/core/chunk/chunker';
import { languageForPath } from '../../src/core/chunk/languages';
import { readSource } from '../../src/core/crawl/readSource';
import type { LanguageId } from '../../src/core/types';
import { isExcludedPath } from '../sources/exclusions';
import { isTestPath } from './fileFilters';
import { countDrop, harvestFileText, type CandidatePair, type PairKind } from './filePairs';
import { repoPath, type HarvestUnit } from './packages';
import { normaliseQuery } from '../../src/core/harvest/queryText';
import { hash52 } from '../../src/core/harvest/unitCode';
import { mulberry32 } from '../train/random';
import { walkTree } from '../walkTree';

/** Bump when pairs change for the same input, so cached candidate files are redone. */
export const HARVESTER_VERSION = 3;

const HARVEST_LANGUAGES: ReadonlySet<LanguageId> = new Set([
  'python', 'javascript', 'typescript', 'tsx', 'go', 'rust', 'java', 'c', 'cpp', 'csharp', 'ruby', 'php',
]);
/** Folders never walked: VCS data, caches, packaging docs. */
const SKIP_DIRS = new Set(['.git', '.hg', '.svn', '__pycache__', '.mypy_cache', '.pytest_cache', '.tox', '.venv']);
/** Stop reading a package's files once this many times the cap of candidates (of each kind) is in hand. */
export const EARLY_STOP_FACTOR = 2;

export interface UnitOptions {
  /** Pairs kept per (sub-)package and kind (random seeded sample). */
  maxPerPackage: number;
  seed: number;
  /** Packages with more code files than this are capped per sub-package. Default SPLIT_MIN_FILES. */
  splitMinFiles?: number;
}

/** A package found in a node_modules folder inside the unit. */
export interface NestedPackage {
  name: string;
  version: string;
  dir: string;
}

export interface UnitReport {
  key: string;
  /** Code files found (after exclusions). */
  files: number;
  /** Files read and chunked. */
  filesRead: number;
  bytesRead: number;
  /** Files not read because their (sub-)package had enough candidates. */
  filesLeft: number;
  /** Sub-packages the cap was applied to (1 when the package was not split). */
  groups: number;
  /** Candidates after in-package dedup, before the cap. */
  candidates: Record<PairKind, number>;
  /** Pairs written (after the cap). */
  written: Record<PairKind, number>;
  drops: Record<string, number>;
  /** Per language: files read. */
  languages: Record<string, number>;
  excludedPaths: string[];
  nested: NestedPackage[];
  tookMs: number;
  error?: string;
}

/** First line of a candidates file. */
export interface CandidateHeader {
  harvester: number;
  optionsKey: string;
  unit: string;
  report: UnitReport;
}

export function optionsKey(o: UnitOptions): string {
  return `v${HARVESTER_VERSION} cap=${o.maxPerPackage} seed=${o.seed} split=${o.splitMinFiles ?? SPLIT_MIN_FILES}`;
}


export function seedFor(seed: number, text: string): number {
  return (parseInt(hash52(`${seed}:${text}`).slice(0, 8), 16) >>> 0);
}

function shuffle<T>(items: T[], rnd: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}

// Compiled copies (dist/, esm/ …) and declaration files come after the sources they were made from,
// so in-package dedup keeps the source.
const COMPILED_DIR = /(?:^|\/)(?:dist|build|out|lib-esm|esm|cjs|umd|bundles?|es|es5|es6|es2015|es2017|es2020|module|modules|commonjs|fesm\d*|_esm|_cjs|_types|types)\//;
function fileTier(rel: string): number {
  if (/\.d\.[cm]?ts$/.test(rel)) return 2;
  if (/\.[cm]?jsx?$/.test(rel) && COMPILED_DIR.test(rel)) return 1;
  return 0;
}

interface FoundFile {
  abs: string;
  rel: string;
  lang: LanguageId;
  tier: number;
}

function readPackageJson(dir: string): { name: string; version: string } | null {
  try {
    const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
    return typeof pj.name === 'string' && pj.name && typeof pj.version === 'string' ? { name: pj.name, version: pj.version } : null;
  } catch {
    return null;
  }
}

/** Code files of a unit; nested node_modules packages are reported, not walked. */
export function walkUnit(unit: HarvestUnit, report: Pick<UnitReport, 'excludedPaths' | 'nested'>): FoundFile[] {
  const files: FoundFile[] = [];
  const skip = new Set(unit.skipDirs.map((d) => path.resolve(d)));
  const docDir = path.join(unit.dir, 'usr', 'share', 'doc');
  const noteExcluded = (p: string) => {
    if (report.excludedPaths.length < 100) report.excludedPaths.push(p);
  };
  walkTree(unit.dir, (abs, e) => {
    if (e.isDirectory()) {
      if (SKIP_DIRS.has(e.name) || e.name.endsWith('.partial') || skip.has(abs) || abs === docDir) return false;
      if (isExcludedPath(abs)) {
        noteExcluded(abs);
        return false;
      }
      if (e.name === 'node_modules') {
        for (const n of nestedPackages(abs)) {
          if (isExcludedPath(n.dir)) noteExcluded(n.dir);
          else report.nested.push(n);
        }
        return false;
      }
      return true;
    }
    if (e.isFile()) {
      const lang = languageForPath(e.name);
      if (!lang || !HARVEST_LANGUAGES.has(lang)) return false;
      if (isExcludedPath(abs)) {
        noteExcluded(abs);
        return false;
      }
      const rel = repoPath(unit, abs);
      files.push({ abs, rel, lang, tier: fileTier(rel) });
    }
    return false;
  }, { sorted: true });
  return files;
}

function nestedPackages(nodeModules: string): NestedPackage[] {
  const out: NestedPackage[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(nodeModules).sort();
  } catch {
    return out;
  }
  for (const n of names) {
    if (n.startsWith('.')) continue;
    const dirs = n.startsWith('@') ? (() => {
      try {
        return fs.readdirSync(path.join(nodeModules, n)).sort().map((m) => path.join(nodeModules, n, m));
      } catch {
        return [];
      }
    })() : [path.join(nodeModules, n)];
    for (const d of dirs) {
      const pj = readPackageJson(d);
      if (pj) out.push({ ...pj, dir: d });
    }
  }
  return out;
}

function emptyReport(key: string): UnitReport {
  return {
    key, files: 0, filesRead: 0, bytesRead: 0, filesLeft: 0, groups: 1, candidates: { doc: 0, inline: 0 }, written: { doc: 0, inline: 0 },
    drops: {}, languages: {}, excludedPaths: [], nested: [], tookMs: 0,
  };
}

export interface UnitProgress {
  files: number;
  bytes: number;
}

/** Packages with more code files than this are split into sub-packages (capped one by one). */
export const SPLIT_MIN_FILES = 1000;
// Folders that only hold projects: the sub-package is the folder below them.
const CONTAINER_DIRS = new Set([
  'src', 'lib', 'libs', 'library', 'libraries', 'packages', 'modules', 'pkg', 'drivers', 'arch', 'sysdeps', 'include', 'share',
  'crates', 'components', 'plugins', 'extensions', 'ext', 'contrib', 'third_party', 'vendor', 'tools', 'apps', 'services', 'sdk',
]);

/**
 * Sub-package of a file of a large package, from its repository path: the
 * first folder ("java.base", "asyncio"), or the first two when the first
 * only holds projects ("library/core", "drivers/net"). Files at the top are "(root)".
 */
export function subPackageOf(repoRel: string): string {
  const dirs = repoRel.split('/').slice(0, -1).filter((d) => d !== '' && d !== '.');
  if (dirs.length === 0) return '(root)';
  if (CONTAINER_DIRS.has(dirs[0].toLowerCase()) && dirs.length > 1) return `${dirs[0]}/${dirs[1]}`;
  return dirs[0];
}

/** Keeps a uniform random sample of at most `size` items of a stream (reservoir sampling), with arrival order. */
class Reservoir<T> {
  readonly items: Array<{ seq: number; item: T }> = [];
  seen = 0;

  constructor(private readonly size: number, private readonly rnd: () => number) {}

  offer(item: T): void {
    const seq = this.seen++;
    if (this.items.length < this.size) {
      this.items.push({ seq, item });
      return;
    }
    const j = Math.floor(this.rnd() * this.seen);
    if (j < this.size) this.items[j] = { seq, item };
  }

  inOrder(): T[] {
    return [...this.items].sort((a, b) => a.seq - b.seq).map((x) => x.item);
  }
}

interface Group {
  pkg: string;
  kept: Record<PairKind, Reservoir<CandidatePair>>;
}

/**
 * Harvest one unit into `candidatePath` (header line, then one candidate per
 * line). Never throws for bad files: they are counted in the report's drops.
 * The cap applies per (sub-)package and kind; a sub-package's remaining files
 * are not read once it has EARLY_STOP_FACTOR × the cap of both kinds.
 */
export async function harvestUnit(
  chunker: Chunker, unit: HarvestUnit, key: string, candidatePath: string, opts: UnitOptions,
  onProgress?: (p: UnitProgress) => void,
): Promise<UnitReport> {
  const t0 = Date.now();
  const report = emptyReport(key);
  const files = walkUnit(unit, report);
  report.files = files.length;
  const rnd = mulberry32(seedFor(opts.seed, key));
  shuffle(files, rnd);
  files.sort((a, b) => a.tier - b.tier); // stable: random within a tier

  const split = files.length > (opts.splitMinFiles ?? SPLIT_MIN_FILES);
  const groups = new Map<string, Group>();
  const groupOf = (rel: string): Group => {
    const sub = split ? subPackageOf(rel) : '';
    let g = groups.get(sub);
    if (!g) {
      g = { pkg: sub ? `${unit.name}:${sub}` : unit.name, kept: { doc: new Reservoir(opts.maxPerPackage, rnd), inline: new Reservoir(opts.maxPerPackage, rnd) } };
      groups.set(sub, g);
    }
    return g;
  };
  const seenCode: Record<PairKind, Set<string>> = { doc: new Set(), inline: new Set() };
  const seenNameQuery: Record<PairKind, Set<string>> = { doc: new Set(), inline: new Set() };
  const enough = opts.maxPerPackage * EARLY_STOP_FACTOR;
  let lastProgress = Date.now();
  let pendingFiles = 0;
  let pendingBytes = 0;
  for (const f of files) {
    const group = groupOf(f.rel);
    if (group.kept.doc.seen >= enough && group.kept.inline.seen >= enough) {
      report.filesLeft++;
      continue;
    }
    const read = await readSource(f.abs);
    if (!read.ok) {
      countDrop(report.drops, `file: ${read.reason.replace(/\d[\d,.]*\s*(?:bytes|[KMG]B)?/g, 'N').trim()}`);
      continue;
    }
    report.filesRead++;
    report.bytesRead += read.text.length;
    pendingFiles++;
    pendingBytes += read.text.length;
    report.languages[f.lang] = (report.languages[f.lang] ?? 0) + 1;
    let harvest;
    try {
      harvest = await harvestFileText(chunker, {
        rel: f.rel, text: read.text, lang: f.lang, pkg: group.pkg, source: unit.source, test: isTestPath(f.rel),
      }, report.drops);
    } catch (err) {
      countDrop(report.drops, `file: harvest failed (${(err as Error).message})`);
      continue;
    }
    if (harvest.skipped) countDrop(report.drops, `file: ${harvest.skipped}`);
    for (const p of harvest.pairs) {
      const nq = `${p.name}\u0000${normaliseQuery(p.q)}`;
      if (seenCode[p.kind].has(p.h)) {
        countDrop(report.drops, `${p.kind}: duplicate code (in package)`);
        continue;
      }
      if (seenNameQuery[p.kind].has(nq)) {
        countDrop(report.drops, `${p.kind}: duplicate name+query (in package)`);
        continue;
      }
      seenCode[p.kind].add(p.h);
      seenNameQuery[p.kind].add(nq);
      group.kept[p.kind].offer(p);
    }
    if (onProgress && Date.now() - lastProgress > 2000) {
      onProgress({ files: pendingFiles, bytes: pendingBytes });
      pendingFiles = 0;
      pendingBytes = 0;
      lastProgress = Date.now();
    }
  }
  if (onProgress && pendingFiles) onProgress({ files: pendingFiles, bytes: pendingBytes });

  const lines: string[] = [];
  const ordered = [...groups.keys()].sort();
  report.groups = split ? ordered.length : 1;
  for (const kind of ['doc', 'inline'] as const) {
    for (const sub of ordered) {
      const r = (groups.get(sub) as Group).kept[kind];
      report.candidates[kind] += r.seen;
      report.written[kind] += r.items.length;
      if (r.seen > r.items.length) countDrop(report.drops, `${kind}: over the per-package cap`, r.seen - r.items.length);
      for (const p of r.inOrder()) lines.push(JSON.stringify(p));
    }
  }
  report.tookMs = Date.now() - t0;
  writeCandidates(candidatePath, { harvester: HARVESTER_VERSION, optionsKey: optionsKey(opts), unit: key, report }, lines);
  return report;
}

/** Write atomically (temp file, then rename) so an interrupted run never leaves a half file that looks complete. */
export function writeCandidates(file: string, header: CandidateHeader, lines: string[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, JSON.stringify(header) + '\n');
    let buf = '';
    for (const l of lines) {
      buf += l + '\n';
      if (buf.length > 1 << 20) {
        fs.writeSync(fd, buf);
        buf = '';
      }
    }
    if (buf) fs.writeSync(fd, buf);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** The header of a candidates file, or null when it is missing or unreadable. */
export function readCandidateHeader(file: string): CandidateHeader | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const chunks: Buffer[] = [];
    const buf = Buffer.alloc(64 * 1024);
    for (let pos = 0, total = 0; total < 8 << 20;) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      if (n <= 0) break;
      const nl = buf.subarray(0, n).indexOf(10);
      chunks.push(Buffer.from(buf.subarray(0, nl >= 0 ? nl : n)));
      if (nl >= 0) {
        const h = JSON.parse(Buffer.concat(chunks).toString('utf8')) as CandidateHeader;
        return typeof h.harvester === 'number' && h.report ? h : null;
      }
      pos += n;
      total += n;
    }
    return null;
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}
