// The CLI keeps its index in a cache folder outside the indexed tree, one per
// set of roots, so indexing never writes into a user's repository.
import * as os from 'node:os';
import * as path from 'node:path';

export function cacheHome(): string {
  return process.env.SIFT_CACHE_DIR
    ?? path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'sift');
}

/** The index folder of a root set: `<cache home>/indexes/<first root's name>-<hash of the roots>`. */
export function defaultIndexDir(absRoots: string[], home = cacheHome()): string {
  // node:crypto takes ~4 ms to load: only here, so the CLI's fast entry (which never calls this) does not pay for it
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const key = createHash('sha1').update(absRoots.join('\n')).digest('hex').slice(0, 12);
  const base = path.basename(absRoots[0]) || 'root';
  return path.join(home, 'indexes', `${base.replace(/[^\w.-]/g, '_')}-${key}`);
}
