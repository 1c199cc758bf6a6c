// VS Code's files.exclude and search.exclude map glob → true | false | {when}.
// Only plain `true` entries become crawler excludes: a `when` clause depends on
// sibling files, which a glob list cannot express, and negated globs are not
// supported by the crawler's exclude list.

/** The globs of an exclude setting that are switched on. */
export function globsFromExcludeSetting(value: unknown): string[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  const out: string[] = [];
  for (const [glob, on] of Object.entries(value as Record<string, unknown>)) {
    const g = glob.trim();
    if (on === true && g && !g.startsWith('!')) out.push(g);
  }
  return out;
}

/** Concatenates glob lists, keeping the first of duplicates and dropping blanks and non-strings. */
export function mergeGlobs(...lists: unknown[][]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const list of lists) {
    for (const g of list) {
      if (typeof g !== 'string') continue;
      const t = g.trim();
      if (t && !seen.has(t)) { seen.add(t); out.push(t); }
    }
  }
  return out;
}
