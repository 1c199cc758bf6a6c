// A small argument parser: a command, positionals, repeatable --key value
// options and boolean flags. Unknown options are errors, not silently ignored.

export class UsageError extends Error {
  constructor(message: string) { super(message); this.name = 'UsageError'; }
}

export interface ParsedArgs {
  command: string | null;
  positional: string[];
  values: Record<string, string[]>;
  flags: Set<string>;
  /** Everything after `--`, passed through (sift eval). */
  rest: string[];
}

const VALUE_OPTIONS = new Set(['index-dir', 'model', 'include', 'exclude', 'max-file-bytes', 'root', 'k', 'threshold', 'runtime', 'corpora', 'bench', 'out', 'log', 'bucket', 'clicks', 'seed', 'idle-timeout', 'engine-idle-timeout', 'store', 'repo', 'branch', 'git-diff', 'head', 'listen', 'max-concurrent', 'max-queue', 'name', 'server', 'token']);
const FLAG_OPTIONS = new Set(['no-model', 'no-refresh', 'fixed-k', 'all', 'json', 'quiet', 'help', 'feedback', 'reset', 'version', 'all-skipped', 'daemon', 'no-daemon', 'log-queries']);
const SHORT: Record<string, string> = { k: 'k', q: 'quiet', h: 'help' };

export function parseArgs(argv: string[]): ParsedArgs {
  const out: ParsedArgs = { command: null, positional: [], values: {}, flags: new Set(), rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { out.rest = argv.slice(i + 1); break; }
    let name: string | null = null;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      inline = eq > 0 ? a.slice(eq + 1) : undefined;
    } else if (/^-[a-zA-Z]$/.test(a)) {
      name = SHORT[a[1]] ?? null;
      if (!name) throw new UsageError(`unknown option ${a}`);
    }
    if (name === null) {
      if (out.command === null) out.command = a; else out.positional.push(a);
      continue;
    }
    if (FLAG_OPTIONS.has(name)) { out.flags.add(name); continue; }
    if (!VALUE_OPTIONS.has(name)) throw new UsageError(`unknown option --${name}`);
    const v = inline ?? argv[++i];
    if (v === undefined) throw new UsageError(`--${name} needs a value`);
    (out.values[name] ??= []).push(v);
  }
  return out;
}
