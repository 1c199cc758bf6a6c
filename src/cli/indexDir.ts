// The CLI keeps its index in a cache folder outside the indexed tree, one per
// set of roots, so indexing never writes into a user's repository.
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';

export function cacheHome(): string {
  return process.env.SIFT_CACHE_DIR
    ?? path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'sift');
}

export function defaultIndexDir(absRoots: string[]): string {
  const key = createHash('sha1').update(absRoots.join('\n')).digest('hex').slice(0, 12);
  const base = path.basename(absRoots[0]) || 'root';
  return path.join(cacheHome(), 'indexes', `${base.replace(/[^\w.-]/g, '_')}-${key}`);
}
