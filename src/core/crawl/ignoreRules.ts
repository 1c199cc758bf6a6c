// Layered gitignore-syntax rules (.gitignore, .ignore, .siftignore), each file
// applying to the folder it sits in and below; a deeper file overrides a
// shallower one, as in git. Rules of a folder must be added before any path
// below it is tested (results are cached).
import ignore, { type Ignore } from 'ignore';

const IGNORE_CASE = process.platform === 'win32' || process.platform === 'darwin';

export class IgnoreRules {
  private readonly byBase = new Map<string, Ignore>();
  private readonly ignoredDirs = new Map<string, boolean>();

  /** Adds the rules of one file found in folder `base` ('' for the root); later files at the same folder win. */
  add(base: string, content: string): void {
    let rules = this.byBase.get(base);
    if (!rules) {
      rules = ignore({ ignorecase: IGNORE_CASE });
      this.byBase.set(base, rules);
    }
    rules.add(content);
  }

  get isEmpty(): boolean {
    return this.byBase.size === 0;
  }

  ignoresDir(rel: string): boolean {
    if (rel === '' || this.byBase.size === 0) return false;
    let hit = this.ignoredDirs.get(rel);
    if (hit === undefined) {
      hit = this.ignoresDir(parentOf(rel)) || this.matches(rel, true);
      this.ignoredDirs.set(rel, hit);
    }
    return hit;
  }

  ignoresFile(rel: string): boolean {
    if (this.byBase.size === 0) return false;
    return this.ignoresDir(parentOf(rel)) || this.matches(rel, false);
  }

  /** Verdict on the path itself, its parent folders being known not ignored. */
  private matches(rel: string, isDir: boolean): boolean {
    let ignored = false;
    // Each folder above rel (the root first) whose rules apply, by the index of the '/' ending it.
    for (let baseEnd = -1; ; ) {
      const rules = this.byBase.get(baseEnd < 0 ? '' : rel.slice(0, baseEnd));
      if (rules) {
        const sub = rel.slice(baseEnd + 1);
        try {
          const verdict = rules.test(isDir ? `${sub}/` : sub);
          if (verdict.ignored) {
            // `ignore` also reports a path as ignored when these rules exclude a
            // parent folder; a deeper file re-included that folder, so skip.
            const slash = sub.lastIndexOf('/');
            if (!(slash > 0 && rules.ignores(sub.slice(0, slash + 1)))) ignored = true;
          } else if (verdict.unignored) {
            ignored = false;
          }
        } catch {
          // A name `ignore` refuses as a path: no rule can apply to it.
        }
      }
      const next = rel.indexOf('/', baseEnd + 1);
      if (next < 0) break;
      baseEnd = next;
    }
    return ignored;
  }
}

function parentOf(rel: string): string {
  const slash = rel.lastIndexOf('/');
  return slash < 0 ? '' : rel.slice(0, slash);
}
