// The benchmark exclusion rule: the six devbench corpora must never reach
// training data, under any version, whether listed directly or pulled in as a
// dependency (a vendored copy, a node_modules folder, a cargo registry entry).
// Used at fetch time and by the harvester.
import * as fs from 'node:fs';
import { benchCorporaJson } from './paths';

/** Naming schemes a package name can come in. */
export type Ecosystem = 'npm' | 'deb' | 'pypi' | 'go' | 'crate';

/** The fields of a devbench corpora.json entry that the rule needs. */
export interface BenchCorpus {
  id: string;
  lang: string;
  source: 'npm' | 'deb';
  name: string;
  /** Folder inside the package (locates the Go import path). */
  subdir?: string;
}

/** Hard-coded copy of /work/shared/bench/corpora.json, used when that file is missing or unreadable. */
export const FALLBACK_CORPORA: readonly BenchCorpus[] = [
  { id: 'query-core', lang: 'typescript', source: 'npm', name: '@tanstack/query-core', subdir: 'package/src' },
  { id: 'mobx', lang: 'typescript', source: 'npm', name: 'mobx', subdir: 'package/src' },
  { id: 'nodemailer', lang: 'javascript', source: 'npm', name: 'nodemailer', subdir: 'package/lib' },
  { id: 'click', lang: 'python', source: 'deb', name: 'python3-click', subdir: 'usr/lib/python3/dist-packages/click' },
  { id: 'chi', lang: 'go', source: 'deb', name: 'golang-github-go-chi-chi-dev', subdir: 'usr/share/gocode/src/github.com/go-chi/chi' },
  { id: 'ignore', lang: 'rust', source: 'deb', name: 'librust-ignore-dev', subdir: 'usr/share/cargo/registry/ignore-0.4.18' },
];

export interface ExclusionRule {
  /** Excluded names per naming scheme, normalised. */
  names: Record<Ecosystem, Set<string>>;
  /** Go module paths (github.com/go-chi/chi) and their host-less form (go-chi/chi). */
  goModules: string[];
  /** Matched against '/' + the path with forward slashes. */
  pathPatterns: RegExp[];
  corpora: BenchCorpus[];
  /** Problems met while reading corpora.json (the fallback still applies). */
  warnings: string[];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** PEP 503 name normalisation. */
function normalisePypi(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** crates.io treats '-' and '_' as the same character. */
function normaliseCrate(name: string): string {
  return name.toLowerCase().replace(/_/g, '-');
}

/** 'mobx@7.1.3' → 'mobx', '@tanstack/query-core@5' → '@tanstack/query-core', 'npm:x@1' → 'x'. */
function normaliseNpm(name: string): string {
  let n = name.trim().toLowerCase();
  if (n.startsWith('npm:')) n = n.slice(4);
  const at = n.indexOf('@', n.startsWith('@') ? 1 : 0);
  return at > 0 ? n.slice(0, at) : n;
}

/** A Debian librust name, virtual ones included (librust-ignore-0.4+default-dev), → crate name. */
function crateOfDebName(deb: string): string | null {
  const m = /^librust-(.+)-dev$/.exec(deb);
  if (!m) return null;
  const beforeFeature = m[1].split('+')[0];
  return normaliseCrate(beforeFeature.replace(/-\d[\d.]*$/, ''));
}

function goModuleOf(corpus: BenchCorpus): string | null {
  const m = corpus.subdir ? /gocode\/src\/(.+?)\/*$/.exec(corpus.subdir) : null;
  if (m) return m[1].toLowerCase();
  // golang-github-OWNER-REPO-dev, when the owner and repo hold no dashes.
  const d = /^golang-github-([^-]+)-([^-]+)-dev$/.exec(corpus.name);
  return d ? `github.com/${d[1]}/${d[2]}` : null;
}

/** Builds the rule from corpus entries (union with nothing else: callers merge the fallback). */
export function buildExclusionRule(corpora: readonly BenchCorpus[], warnings: string[] = []): ExclusionRule {
  const names: Record<Ecosystem, Set<string>> = { npm: new Set(), deb: new Set(), pypi: new Set(), go: new Set(), crate: new Set() };
  const goModules: string[] = [];
  const patterns: string[] = [];
  for (const c of corpora) {
    const name = c.name.trim().toLowerCase();
    if (name === '') continue;
    if (c.id) patterns.push(`/bench/corpora/${escapeRegExp(c.id)}(/|$)`);
    if (c.source === 'npm') {
      const npmName = normaliseNpm(name);
      // DefinitelyTyped declarations describe the corpus's API with its own doc comments.
      const typesName = `@types/${npmName.startsWith('@') ? npmName.slice(1).replace('/', '__') : npmName}`;
      for (const n of [npmName, typesName]) {
        names.npm.add(n);
        patterns.push(`/node_modules/${escapeRegExp(n)}(/|$)`);
      }
      continue;
    }
    names.deb.add(name);
    // The per-package folder a fetch makes, and any other folder named after the package.
    patterns.push(`/${escapeRegExp(name)}(/|$)`);
    const py = /^python3-(.+)$/.exec(name);
    if (py) {
      names.pypi.add(normalisePypi(py[1]));
      const mod = escapeRegExp(py[1].replace(/[-.]/g, '_'));
      patterns.push(
        `/(dist|site)-packages/${mod}(/|\\.py$|$)`,
        `/_?vendor(ed)?/${mod}(/|\\.py$|$)`,
        // Type stubs of the corpus's API (typeshed copies inside jedi, mypy, pyright).
        `/typeshed/(.+/)?${mod}(/|\\.pyi$|$)`,
      );
      continue;
    }
    const crate = crateOfDebName(name);
    if (crate) {
      names.crate.add(crate);
      const alt = crate.includes('-') ? `(${escapeRegExp(crate)}|${escapeRegExp(crate.replace(/-/g, '_'))})` : escapeRegExp(crate);
      patterns.push(`/cargo/registry/${alt}-\\d[^/]*(/|$)`, `/registry/src/[^/]+/${alt}-\\d[^/]*(/|$)`, `/vendor/${alt}(-\\d[^/]*)?(/|$)`);
      continue;
    }
    const mod = name.startsWith('golang-') ? goModuleOf(c) : null;
    if (mod) {
      const hostless = mod.split('/').slice(1).join('/');
      goModules.push(mod);
      names.go.add(mod);
      if (hostless) {
        goModules.push(hostless);
        names.go.add(hostless);
        patterns.push(`/${escapeRegExp(hostless)}(/|$)`);
      } else {
        patterns.push(`/${escapeRegExp(mod)}(/|$)`);
      }
    }
  }
  return { names, goModules, pathPatterns: [...new Set(patterns)].map((p) => new RegExp(p)), corpora: [...corpora], warnings };
}

function parseCorporaJson(text: string): BenchCorpus[] {
  const data: unknown = JSON.parse(text);
  if (!Array.isArray(data)) throw new Error('not a JSON array');
  const out: BenchCorpus[] = [];
  for (const e of data) {
    if (typeof e !== 'object' || e === null) continue;
    const r = e as Record<string, unknown>;
    if (typeof r.name !== 'string' || (r.source !== 'npm' && r.source !== 'deb')) continue;
    out.push({
      id: typeof r.id === 'string' ? r.id : r.name,
      lang: typeof r.lang === 'string' ? r.lang : '',
      source: r.source,
      name: r.name,
      subdir: typeof r.subdir === 'string' ? r.subdir : undefined,
    });
  }
  return out;
}

/** Reads the benchmark's corpora.json and merges it with the hard-coded copy (a missing file is not an error). */
export function loadExclusionRule(corporaJsonPath: string = benchCorporaJson()): ExclusionRule {
  const warnings: string[] = [];
  let fromFile: BenchCorpus[] = [];
  try {
    fromFile = parseCorporaJson(fs.readFileSync(corporaJsonPath, 'utf8'));
    if (fromFile.length === 0) warnings.push(`${corporaJsonPath}: no corpus entries; using the built-in list`);
  } catch (err) {
    warnings.push(`${corporaJsonPath}: ${(err as Error).message}; using the built-in list`);
  }
  const byKey = new Map<string, BenchCorpus>();
  for (const c of [...FALLBACK_CORPORA, ...fromFile]) byKey.set(`${c.source}:${c.name.toLowerCase()}`, c);
  return buildExclusionRule([...byKey.values()], warnings);
}

function goNameMatches(rule: ExclusionRule, name: string): boolean {
  const n = name.toLowerCase().replace(/^https?:\/\//, '').replace(/@.*$/, '');
  return rule.goModules.some((m) => n === m || n.startsWith(m + '/'));
}

/** Whether a package name, in the given scheme or (without one) in any scheme, is a benchmark corpus. */
export function matchesExcludedPackage(rule: ExclusionRule, name: string, ecosystem?: Ecosystem): boolean {
  if (typeof name !== 'string' || name.trim() === '') return false;
  const raw = name.trim();
  const checks: Record<Ecosystem, () => boolean> = {
    npm: () => rule.names.npm.has(normaliseNpm(raw)),
    deb: () => {
      const d = raw.toLowerCase().replace(/[:=].*$/, '');
      if (rule.names.deb.has(d)) return true;
      const crate = crateOfDebName(d);
      return crate !== null && rule.names.crate.has(crate);
    },
    pypi: () => rule.names.pypi.has(normalisePypi(raw.replace(/[=<>!~;\s].*$/, ''))),
    go: () => goNameMatches(rule, raw),
    crate: () => rule.names.crate.has(normaliseCrate(raw.replace(/[@\s].*$/, ''))),
  };
  if (ecosystem) return checks[ecosystem]();
  return (Object.keys(checks) as Ecosystem[]).some((e) => checks[e]());
}

/** Whether a file or folder path lies inside a benchmark corpus's code. */
export function matchesExcludedPath(rule: ExclusionRule, p: string): boolean {
  if (typeof p !== 'string' || p === '') return false;
  const norm = '/' + p.replace(/\\/g, '/').replace(/^\/+/, '').toLowerCase();
  return rule.pathPatterns.some((re) => re.test(norm));
}

let defaultRule: ExclusionRule | null = null;

/** The rule from /work/shared/bench/corpora.json plus the built-in copy, loaded once. */
export function exclusionRule(): ExclusionRule {
  if (!defaultRule) defaultRule = loadExclusionRule();
  return defaultRule;
}

/** True when absPath is (inside) a benchmark corpus, including copies pulled in as dependencies. */
export function isExcludedPath(absPath: string): boolean {
  return matchesExcludedPath(exclusionRule(), absPath);
}

/**
 * True when name is a benchmark corpus package (any version). Without an ecosystem every scheme is
 * tried, so 'ignore' (the Rust crate) is excluded; pass 'npm' to ask about the unrelated npm package.
 */
export function isExcludedPackage(name: string, ecosystem?: Ecosystem): boolean {
  return matchesExcludedPackage(exclusionRule(), name, ecosystem);
}
