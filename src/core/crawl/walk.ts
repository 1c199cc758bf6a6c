// Walks folders with bounded concurrency (a shared queue, never recursion),
// reading each folder's ignore files before judging its entries. Symlinks are
// followed to files and folders; a folder link is refused when it leads back
// to an enclosing folder (by real path, or by dev+ino along the chain of
// followed links) or into the tree itself, where its files are already found.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as fastFs from './fastFs';
import type { IgnoreRules } from './ignoreRules';
import type { PathFilter } from './pathFilter';
import { describeFsError } from './skipReasons';

const WALK_CONCURRENCY = 16;

export const BROKEN_SYMLINK = 'broken symlink (its target does not exist)';

export interface FileCandidate {
  rel: string;
  abs: string;
}

export interface WalkContext {
  root: string;
  /** Real path of the root, for telling links into the tree apart from links out of it. */
  rootReal: string;
  filter: PathFilter;
  rules: IgnoreRules;
  /** Ignore files read in every folder, lowest precedence first. */
  ruleFiles: string[];
  signal?: AbortSignal;
  addFile(file: FileCandidate): void;
  skip(rel: string, reason: string): void;
}

/** Identities of the folders walked on the way to a folder. */
export interface DirChain {
  key: string;
  parent: DirChain | null;
}

export interface DirStart {
  rel: string;
  abs: string;
  chain: DirChain | null;
}

export function walk(ctx: WalkContext, starts: DirStart[]): Promise<void> {
  const queue = [...starts];
  return new Promise<void>((resolve, reject) => {
    let active = 0;
    let failed = false;
    const pump = (): void => {
      if (failed) return;
      while (active < WALK_CONCURRENCY && queue.length > 0) {
        const dir = queue.pop()!;
        active++;
        visitDir(ctx, dir, queue).then(
          () => {
            active--;
            pump();
          },
          (err: unknown) => {
            failed = true;
            reject(err);
          },
        );
      }
      if (active === 0 && queue.length === 0) resolve();
    };
    pump();
  });
}

async function visitDir(ctx: WalkContext, dir: DirStart, queue: DirStart[]): Promise<void> {
  ctx.signal?.throwIfAborted();
  let st: fs.Stats;
  let entries: fs.Dirent[];
  try {
    [st, entries] = await Promise.all([fastFs.stat(dir.abs), fastFs.readdirEntries(dir.abs)]);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Removed while we walked: nothing to report.
    if (code === 'ENOENT' || code === 'ENOTDIR') return;
    ctx.skip(dir.rel || '.', `cannot list folder: ${describeFsError(err)}`);
    return;
  }
  const chain: DirChain = { key: identity(st, dir.abs), parent: dir.chain };
  await loadRuleFiles(ctx, dir, entries);

  const links: Array<Promise<DirStart | null>> = [];
  for (const entry of entries) {
    const rel = dir.rel ? `${dir.rel}/${entry.name}` : entry.name;
    const abs = path.join(dir.abs, entry.name);
    if (entry.isDirectory()) {
      if (!ctx.filter.excludesDir(rel) && !ctx.rules.ignoresDir(rel)) queue.push({ rel, abs, chain });
    } else if (entry.isFile()) {
      if (ctx.filter.wantsFile(rel) && !ctx.rules.ignoresFile(rel)) ctx.addFile({ rel, abs });
    } else if (entry.isSymbolicLink()) {
      links.push(followSymlink(ctx, rel, abs, dir.abs, chain));
    }
    // FIFOs, sockets and devices are never source files.
  }
  for (const linked of await Promise.all(links)) if (linked) queue.push(linked);
}

async function loadRuleFiles(ctx: WalkContext, dir: DirStart, entries: fs.Dirent[]): Promise<void> {
  const present = new Set<string>();
  for (const entry of entries) if (ctx.ruleFiles.includes(entry.name) && !entry.isDirectory()) present.add(entry.name);
  for (const name of ctx.ruleFiles) {
    if (!present.has(name)) continue;
    try {
      ctx.rules.add(dir.rel, await fs.promises.readFile(path.join(dir.abs, name), 'utf8'));
    } catch {
      // An unreadable ignore file excludes nothing.
    }
  }
}

/**
 * Resolves a symlink found at `rel`: a file target is added as a candidate,
 * a folder target is returned for walking, anything else is skipped (with a
 * reason when the link would otherwise have been indexed).
 */
export async function followSymlink(
  ctx: WalkContext,
  rel: string,
  abs: string,
  parentAbs: string,
  chain: DirChain | null,
): Promise<DirStart | null> {
  const wantedAsFile = ctx.filter.wantsFile(rel) && !ctx.rules.ignoresFile(rel);
  const wantedAsDir = !ctx.filter.excludesDir(rel) && !ctx.rules.ignoresDir(rel);
  if (!wantedAsFile && !wantedAsDir) return null;
  let st: fs.Stats;
  try {
    st = await fastFs.stat(abs);
  } catch (err) {
    // Only links that look like files we would index are worth a report.
    if (wantedAsFile) ctx.skip(rel, symlinkErrorReason(err));
    return null;
  }
  if (st.isFile()) {
    if (wantedAsFile) ctx.addFile({ rel, abs });
    return null;
  }
  if (!st.isDirectory() || !wantedAsDir) return null;

  let target: string;
  let parentReal: string;
  try {
    [target, parentReal] = await Promise.all([fastFs.realpath(abs), fastFs.realpath(parentAbs)]);
  } catch (err) {
    ctx.skip(rel, symlinkErrorReason(err));
    return null;
  }
  if (isWithin(parentReal, target)) {
    ctx.skip(rel, `symlink loop: points to an enclosing folder (${target})`);
    return null;
  }
  const key = identity(st, target);
  for (let c = chain; c; c = c.parent) {
    if (c.key === key) {
      ctx.skip(rel, `symlink loop: leads back to ${target}`);
      return null;
    }
  }
  if (isWithin(target, ctx.rootReal)) {
    const inTree = path.relative(ctx.rootReal, target).split(path.sep).join('/');
    ctx.skip(rel, `symlink to a folder already in the tree (${inTree})`);
    return null;
  }
  return { rel, abs, chain };
}

function symlinkErrorReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return BROKEN_SYMLINK;
  if (code === 'ELOOP') return 'symlink loop: the link resolves to itself';
  return `cannot follow symlink: ${describeFsError(err)}`;
}

/** dev+ino where the file system provides an inode number; the real path otherwise. */
function identity(st: fs.Stats, fallback: string): string {
  return st.ino ? `${st.dev}:${st.ino}` : fallback;
}

function isWithin(inner: string, outer: string): boolean {
  if (inner === outer) return true;
  return inner.startsWith(outer.endsWith(path.sep) ? outer : outer + path.sep);
}
