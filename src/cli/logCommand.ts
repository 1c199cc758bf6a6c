// `sift log export --out FILE` and `sift log clear`: the command line's query
// log, kept beside the index of a root set (<index dir>/log/, see
// core/learn/queryLog.ts). Local only: export writes where it is told, and
// nothing is ever sent anywhere.
import * as path from 'node:path';
import { UsageError, type ParsedArgs } from './args';
import { defaultIndexDir } from './indexDir';
import { QueryLog } from '../core/learn/queryLog';

/** The log's folder inside an index folder. */
export const LOG_SUBDIR = 'log';

/** The log folder for a command's roots (--root, default .): <index dir>/log, or --log DIR when given. */
export function cliLogDir(a: ParsedArgs): string {
  const explicit = a.values.log?.[0];
  if (explicit) return path.resolve(explicit);
  const roots = (a.values.root?.length ? a.values.root : ['.']).map((r) => path.resolve(r));
  return path.join(path.resolve(a.values['index-dir']?.[0] ?? defaultIndexDir(roots)), LOG_SUBDIR);
}

const MAX_LISTED = 20;

function kb(bytes: number): string {
  return `${Math.ceil(bytes / 1024).toLocaleString('en-US')} KB`;
}

export async function cmdLog(a: ParsedArgs, out: (s: string) => void = (s) => process.stdout.write(s), warn: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  const sub = a.positional[0];
  if (a.positional.length > 1) throw new UsageError(`log ${sub ?? ''} takes no arguments besides options, got "${a.positional.slice(1).join(' ')}"`);
  const dir = cliLogDir(a);
  const log = new QueryLog(dir);
  const json = a.flags.has('json');
  switch (sub) {
    case 'export': {
      const dest = a.values.out?.[0];
      if (!dest) throw new UsageError('log export needs --out FILE');
      const r = await log.exportTo(dest);
      for (const c of r.corrupt.slice(0, MAX_LISTED)) warn(`warning: skipped ${c.reason} line ${c.line} of ${c.file}\n`);
      if (r.corrupt.length > MAX_LISTED) warn(`warning: … and ${r.corrupt.length - MAX_LISTED} more corrupt lines\n`);
      if (json) out(JSON.stringify({ logDir: dir, out: path.resolve(dest), exported: r.exported, skipped: r.skipped, corrupt: r.corrupt }) + '\n');
      else out(`exported ${r.exported} event${r.exported === 1 ? '' : 's'} from ${dir} to ${path.resolve(dest)}${r.skipped ? ` (${r.skipped} corrupt line${r.skipped === 1 ? '' : 's'} skipped)` : ''}\n`);
      return 0;
    }
    case 'clear': {
      const removed = await log.clear();
      if (json) out(JSON.stringify({ logDir: dir, removedBytes: removed }) + '\n');
      else out(removed > 0 ? `cleared the search log in ${dir} (${kb(removed)})\n` : `no search log in ${dir}\n`);
      return 0;
    }
    default:
      throw new UsageError(sub ? `unknown log command "${sub}" (export or clear)` : 'log needs a command: export --out FILE, or clear');
  }
}
