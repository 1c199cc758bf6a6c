// Glob filters on root-relative, '/'-separated paths. A glob without a '/'
// matches a name at any depth (like .gitignore); one with a '/' is anchored at
// the root. An exclude glob that matches a folder excludes everything in it,
// so `generated`, `src/gen` and `src/gen/**` all drop the files under src/gen.
import picomatch from 'picomatch';

/** Always excluded: dependency, build-output, VCS/IDE and cache folders, lock files, minified bundles, and Sift's own index folder. */
export const DEFAULT_EXCLUDES: string[] = [
  // dependencies and build output
  'node_modules', 'bower_components', 'vendor', 'dist', 'build', 'out', 'target',
  // version control and editors
  '.git', '.hg', '.svn', '.bzr', '_darcs', '.idea', '.vscode-test',
  // Python environments and caches
  '__pycache__', '.venv', 'venv', '.tox', '.mypy_cache', '.pytest_cache', '.ruff_cache',
  // coverage reports
  'coverage', '.nyc_output',
  // Sift's index folder
  '.sift',
  // lock files
  'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb', 'Cargo.lock',
  'poetry.lock', 'Pipfile.lock', 'go.sum', 'composer.lock', 'Gemfile.lock',
  // minified bundles and source maps
  '*.min.js', '*.min.mjs', '*.min.cjs', '*.min.css', '*.bundle.js', '*.map',
];

// Case-insensitive where the usual file systems are.
const NOCASE = process.platform === 'win32' || process.platform === 'darwin';

function normaliseGlob(glob: string): string {
  let g = glob.trim().replace(/\\/g, '/');
  if (g.startsWith('./')) g = g.slice(2);
  else if (g.startsWith('/')) g = g.slice(1);
  // Folders are matched without a trailing slash.
  while (g.length > 1 && g.endsWith('/')) g = g.slice(0, -1);
  return g;
}

// Characters that make a glob more than a literal name.
const GLOB_SYNTAX_RE = /[*?[\]{}()!+@\\]/;

/**
 * One predicate for many globs, called once per path, so it avoids
 * picomatch's per-call overhead: literal names go in a Set, the other globs
 * become one alternation regex for names and one for paths.
 */
function compile(globs: string[]): (rel: string) => boolean {
  const names = new Set<string>();
  const nameSources: string[] = [];
  const pathSources: string[] = [];
  for (const glob of globs.map(normaliseGlob)) {
    if (glob === '') continue;
    // In a list that is OR-ed together, "!x" would match nearly every path.
    if (/^!(?!\()/.test(glob)) throw new Error(`Invalid glob "${glob}": negated globs are not supported here; put "${glob}" in a .siftignore file instead`);
    const isNameGlob = !glob.includes('/');
    if (isNameGlob && !GLOB_SYNTAX_RE.test(glob)) {
      names.add(NOCASE ? glob.toLowerCase() : glob);
      continue;
    }
    let source: string;
    try {
      source = picomatch.makeRe(glob, { dot: true, nocase: NOCASE }).source;
    } catch (err) {
      throw new Error(`Invalid glob "${glob}": ${err instanceof Error ? err.message : String(err)}`);
    }
    (isNameGlob ? nameSources : pathSources).push(`(?:${source})`);
  }
  const flags = NOCASE ? 'i' : '';
  const nameRe = nameSources.length > 0 ? new RegExp(nameSources.join('|'), flags) : null;
  const pathRe = pathSources.length > 0 ? new RegExp(pathSources.join('|'), flags) : null;
  return (rel) => {
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    return names.has(NOCASE ? name.toLowerCase() : name)
      || (nameRe !== null && nameRe.test(name))
      || (pathRe !== null && pathRe.test(rel));
  };
}

function parentOf(rel: string): string {
  const slash = rel.lastIndexOf('/');
  return slash < 0 ? '' : rel.slice(0, slash);
}

export interface PathFilterOptions {
  include?: string[];
  exclude?: string[];
  isIndexable?: (rel: string) => boolean;
}

export class PathFilter {
  private readonly excludeMatch: (rel: string) => boolean;
  private readonly includeMatch: ((rel: string) => boolean) | null;
  private readonly isIndexable: ((rel: string) => boolean) | undefined;
  private readonly excludedDirs = new Map<string, boolean>();
  private readonly includedDirs = new Map<string, boolean>();

  constructor(opts: PathFilterOptions) {
    this.excludeMatch = compile([...DEFAULT_EXCLUDES, ...(opts.exclude ?? [])]);
    const include = (opts.include ?? []).filter((g) => normaliseGlob(g) !== '');
    this.includeMatch = include.length > 0 ? compile(include) : null;
    this.isIndexable = opts.isIndexable;
  }

  /** True when the folder, or a folder above it, matches an exclude glob. */
  excludesDir(rel: string): boolean {
    if (rel === '') return false;
    let hit = this.excludedDirs.get(rel);
    if (hit === undefined) {
      hit = this.excludesDir(parentOf(rel)) || this.excludeMatch(rel);
      this.excludedDirs.set(rel, hit);
    }
    return hit;
  }

  /** True when a file passes the excludes, the include globs (if any) and isIndexable. */
  wantsFile(rel: string): boolean {
    if (this.excludesDir(parentOf(rel)) || this.excludeMatch(rel)) return false;
    if (this.includeMatch && !this.includeMatch(rel) && !this.includesDir(parentOf(rel))) return false;
    return this.isIndexable ? this.isIndexable(rel) : true;
  }

  /** An include glob naming a folder takes in everything below it. */
  private includesDir(rel: string): boolean {
    if (rel === '' || !this.includeMatch) return false;
    let hit = this.includedDirs.get(rel);
    if (hit === undefined) {
      hit = this.includeMatch(rel) || this.includesDir(parentOf(rel));
      this.includedDirs.set(rel, hit);
    }
    return hit;
  }
}
