// Finds the files to index under one or more root folders.
//
// Inside a git work tree, git lists the files (tracked plus untracked that no
// .gitignore excludes); elsewhere, or when git is missing or fails, the tree
// is walked honouring nested .gitignore and .ignore files. In both modes
// .siftignore files (gitignore syntax), the default excludes and the
// include/exclude globs apply on top. Reading and decoding is readSource's
// job: binaries, minified bundles and unreadable files are reported by the
// indexer when it reads them, not here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SkippedFile, SourceFile } from '../types';
import * as fastFs from './fastFs';
import { listGitFiles, type GitListing } from './gitList';
import { IgnoreRules } from './ignoreRules';
import { PathFilter } from './pathFilter';
import { mapLimit } from './pool';
import { DEFAULT_MAX_FILE_BYTES } from './readSource';
import { describeFsError, tooLargeReason } from './skipReasons';
import { BROKEN_SYMLINK, followSymlink, walk, type DirStart, type FileCandidate, type WalkContext } from './walk';

export { DEFAULT_EXCLUDES } from './pathFilter';

export interface CrawlOptions {
  /** Globs (picomatch, relative to the root); when set, only matching files. A glob without '/' matches at any depth. */
  include?: string[];
  /** Globs excluded on top of DEFAULT_EXCLUDES; a glob matching a folder excludes all of it. */
  exclude?: string[];
  /** Files larger than this are skipped with a reason. Default 1,000,000. */
  maxFileBytes?: number;
  /**
   * Honour .gitignore and .ignore files (and list with git in a work tree).
   * Default true. .siftignore files are honoured either way.
   */
  respectGitignore?: boolean;
  /** Files failing it are left out silently, e.g. `rel => languageForPath(rel) !== null`. */
  isIndexable?: (rel: string) => boolean;
  signal?: AbortSignal;
}

export interface CrawlResult {
  /** Roots in the order given, each root's files sorted by rel. */
  files: SourceFile[];
  skipped: Array<SkippedFile & { root: string }>;
}

const STAT_SLICE = 1024;
const SIFTIGNORE = '.siftignore';

export async function crawl(roots: string[], opts: CrawlOptions = {}): Promise<CrawlResult> {
  const files: SourceFile[] = [];
  const skipped: Array<SkippedFile & { root: string }> = [];
  for (const root of await resolveRoots(roots)) {
    const found = await crawlRoot(root, opts);
    for (const f of found.files) files.push(f);
    for (const s of found.skipped) skipped.push(s);
  }
  return { files, skipped };
}

/** Absolute, de-duplicated roots; throws `Not a directory: <path>` for anything else. */
async function resolveRoots(roots: string[]): Promise<string[]> {
  if (roots.length === 0) throw new Error('No folder to index: give at least one root folder');
  const resolved: string[] = [];
  for (const given of roots) {
    const abs = path.resolve(given);
    let st: fs.Stats;
    try {
      st = await fastFs.stat(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(`Not a directory: ${abs} (${code === 'ENOENT' ? 'it does not exist' : describeFsError(err)})`);
    }
    if (!st.isDirectory()) throw new Error(`Not a directory: ${abs}`);
    if (!resolved.includes(abs)) resolved.push(abs);
  }
  return resolved;
}

async function crawlRoot(root: string, opts: CrawlOptions): Promise<CrawlResult> {
  const respectGitignore = opts.respectGitignore ?? true;
  const maxBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const candidates: FileCandidate[] = [];
  const skipped: Array<SkippedFile & { root: string }> = [];
  const ctx: WalkContext = {
    root,
    rootReal: await fs.promises.realpath(root),
    filter: new PathFilter(opts),
    rules: new IgnoreRules(),
    ruleFiles: respectGitignore ? ['.gitignore', '.ignore', SIFTIGNORE] : [SIFTIGNORE],
    signal: opts.signal,
    addFile: (file) => candidates.push(file),
    skip: (rel, reason) => skipped.push({ root, rel, reason }),
  };

  const listing = respectGitignore ? await listGitFiles(root, opts.signal) : null;
  // Git lists nothing for a root that is itself git-ignored (say a folder
  // under node_modules); indexing it was asked for explicitly, so walk it.
  if (listing && (listing.files.length > 0 || listing.dirs.length > 0)) await collectListed(ctx, listing);
  else await walk(ctx, [{ rel: '', abs: root, chain: null }]);

  const files = await statCandidates(ctx, candidates, maxBytes);
  files.sort(byRel);
  skipped.sort(byRel);
  return { files, skipped };
}

/** Git mode: filters git's listing, then walks what git lists as folders (submodules, nested repositories) or links to folders. */
async function collectListed(ctx: WalkContext, listing: GitListing): Promise<void> {
  // Git applied the .gitignore files; .ignore and .siftignore come on top. A
  // root .siftignore may itself be git-ignored, so it is looked for anyway.
  const ruleFiles = listing.files.filter((rel) => isRuleFile(path.posix.basename(rel)));
  if (!ruleFiles.includes(SIFTIGNORE)) ruleFiles.push(SIFTIGNORE);
  // Code-unit order puts a folder's .ignore before its .siftignore, which therefore wins.
  ruleFiles.sort();
  const contents = await mapLimit(ruleFiles, 16, (rel) => fs.promises.readFile(path.join(ctx.root, rel), 'utf8').catch(() => null));
  ruleFiles.forEach((rel, i) => {
    const text = contents[i];
    if (text !== null) ctx.rules.add(path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel), text);
  });

  const starts: DirStart[] = [];
  for (const rel of listing.dirs) {
    if (!ctx.filter.excludesDir(rel) && !ctx.rules.ignoresDir(rel)) starts.push({ rel, abs: path.join(ctx.root, rel), chain: null });
  }
  const links: string[] = [];
  for (const rel of listing.files) {
    if (listing.symlinks.has(rel)) links.push(rel);
    else if (ctx.filter.wantsFile(rel) && !ctx.rules.ignoresFile(rel)) ctx.addFile({ rel, abs: path.join(ctx.root, rel) });
  }
  const linkedDirs = await mapLimit(links, 16, (rel) => {
    const abs = path.join(ctx.root, rel);
    return followSymlink(ctx, rel, abs, path.dirname(abs), null);
  }, ctx.signal);
  for (const dir of linkedDirs) if (dir) starts.push(dir);
  if (starts.length > 0) await walk(ctx, starts);
}

function isRuleFile(name: string): boolean {
  return name === '.ignore' || name === SIFTIGNORE;
}

/**
 * Stats candidates; drops vanished files, reports oversized and unreachable ones.
 * Synchronous stats in slices: on a local disk a stat is a few microseconds,
 * and measured on 16K files the async form spent ~0.3–0.8 s queueing on
 * libuv's thread pool against ~60 ms for sync calls. Between slices the event
 * loop runs, so a cancel (signal) is seen within one slice.
 */
async function statCandidates(ctx: WalkContext, candidates: FileCandidate[], maxBytes: number): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  for (let i = 0; i < candidates.length; i += STAT_SLICE) {
    ctx.signal?.throwIfAborted();
    if (i > 0) await new Promise((r) => setImmediate(r));
    for (const { rel, abs } of candidates.slice(i, i + STAT_SLICE)) {
      let st: fs.Stats;
      try {
        st = fs.statSync(abs);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') {
          // Deleted since it was listed (or a git-tracked file deleted in the work tree) — unless it is a dangling link.
          if (isSymlink(abs)) ctx.skip(rel, BROKEN_SYMLINK);
        } else {
          ctx.skip(rel, code === 'ELOOP' ? 'symlink loop: the link resolves to itself' : describeFsError(err));
        }
        continue;
      }
      // An untracked link to a folder is not followed, as git does not follow it either.
      if (!st.isFile()) continue;
      if (st.size > maxBytes) {
        ctx.skip(rel, tooLargeReason(st.size, maxBytes));
        continue;
      }
      files.push({ root: ctx.root, rel, abs, size: st.size, mtimeMs: st.mtimeMs });
    }
  }
  return files;
}

function isSymlink(abs: string): boolean {
  try {
    return fs.lstatSync(abs).isSymbolicLink();
  } catch {
    return false;
  }
}
function byRel(a: { rel: string }, b: { rel: string }): number {
  return a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0;
}
