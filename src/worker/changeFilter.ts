// Decides which changed paths (from file watchers) the index should re-read.
// Engine.updateFiles takes any path under a root; the crawler's rules — the
// default excludes, the include/exclude globs, .gitignore/.ignore/.siftignore —
// must still hold, or a save under node_modules would get indexed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { languageForPath } from '../core/chunk/languages';
import { IgnoreRules } from '../core/crawl/ignoreRules';
import { PathFilter } from '../core/crawl/pathFilter';
import type { CrawlConfig } from './protocol';

export interface ChangeVerdicts {
  /** Existing files to re-read, and vanished paths to drop. */
  update: string[];
  /** Paths left out by the globs or ignore files. */
  ignored: string[];
  /** Folders (created, or deleted ones that were no indexable file): only a crawl can apply them. */
  folders: string[];
}

const GIT_RULE_FILES = ['.gitignore', '.ignore'];
const SIFTIGNORE = '.siftignore';

export class ChangeFilter {
  private readonly roots: string[];
  private readonly filter: PathFilter;
  private readonly ruleFiles: string[];

  constructor(roots: string[], crawl: CrawlConfig) {
    this.roots = roots.map((r) => path.resolve(r));
    this.filter = new PathFilter({ include: crawl.include, exclude: crawl.exclude, isIndexable: (rel) => languageForPath(rel) !== null });
    this.ruleFiles = crawl.respectGitignore ? [...GIT_RULE_FILES, SIFTIGNORE] : [SIFTIGNORE];
  }

  private rootOf(abs: string): number {
    return this.roots.findIndex((r) => abs === r || abs.startsWith(r + path.sep));
  }

  async classify(absPaths: string[]): Promise<ChangeVerdicts> {
    const out: ChangeVerdicts = { update: [], ignored: [], folders: [] };
    // Ignore files are re-read on every batch: one of them may be what changed.
    const rulesByRoot = new Map<number, IgnoreRules>();
    const candidates: Array<{ abs: string; root: number; rel: string }> = [];
    for (const given of new Set(absPaths)) {
      const abs = path.resolve(given);
      const root = this.rootOf(abs);
      if (root < 0 || abs === this.roots[root]) { out.ignored.push(abs); continue; }
      const rel = path.relative(this.roots[root], abs).split(path.sep).join('/');
      let st: fs.Stats | null = null;
      try { st = await fs.promises.stat(abs); } catch { st = null; }
      // A folder that appeared or vanished: watchers do not report its files one by one.
      // A vanished path can no longer be told apart; one without an extension is taken for a folder.
      const folderLike = st ? st.isDirectory() : languageForPath(rel) === null && path.posix.extname(rel) === '';
      if (folderLike) {
        (this.filter.excludesDir(rel) ? out.ignored : out.folders).push(abs);
        continue;
      }
      if (!st) {
        // deleted: the engine drops it if it knew it
        (languageForPath(rel) === null ? out.ignored : out.update).push(abs);
        continue;
      }
      if (!this.filter.wantsFile(rel)) { out.ignored.push(abs); continue; }
      candidates.push({ abs, root, rel });
    }
    for (const c of candidates) {
      let rules = rulesByRoot.get(c.root);
      if (!rules) { rules = new IgnoreRules(); rulesByRoot.set(c.root, rules); }
      await this.loadRulesAlong(rules, this.roots[c.root], c.rel);
    }
    for (const c of candidates) {
      const rules = rulesByRoot.get(c.root)!;
      (rules.ignoresFile(c.rel) ? out.ignored : out.update).push(c.abs);
    }
    return out;
  }

  private readonly loaded = new WeakMap<IgnoreRules, Set<string>>();

  /** Adds the rule files of every folder from the root down to rel's folder, shallow first. */
  private async loadRulesAlong(rules: IgnoreRules, root: string, rel: string): Promise<void> {
    let done = this.loaded.get(rules);
    if (!done) { done = new Set(); this.loaded.set(rules, done); }
    const parts = rel.split('/').slice(0, -1);
    for (let depth = 0; depth <= parts.length; depth++) {
      const base = parts.slice(0, depth).join('/');
      if (done.has(base)) continue;
      done.add(base);
      for (const name of this.ruleFiles) {
        const file = path.join(root, base, name);
        const text = await fs.promises.readFile(file, 'utf8').catch(() => null);
        if (text !== null) rules.add(base, text);
      }
    }
  }
}
