// Locations used by the training-source scripts: the repository, the shared
// folder next to it, and the download cache that lives outside the repository.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Repository root: the nearest ancestor of this module holding package.json. */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(__dirname, '..', '..');
    dir = up;
  }
}

/** The shared folder beside the repository (../shared), overridable with SIFT_SHARED_DIR. */
export function sharedDir(): string {
  return process.env.SIFT_SHARED_DIR ?? path.resolve(repoRoot(), '..', 'shared');
}

/** Package lists a prototype used (read at run time, never copied). */
export function sharedTrainingSourcesDir(): string {
  return path.join(sharedDir(), 'training-sources');
}

/** The benchmark's corpus list, whose packages must never be trained on. */
export function benchCorporaJson(): string {
  return path.join(sharedDir(), 'bench', 'corpora.json');
}

/** Root of the training cache (~/.cache/sift-training), parent of the sources folder. */
export function trainingCacheHome(): string {
  return path.join(os.homedir(), '.cache', 'sift-training');
}

/** Where fetched sources go; SIFT_TRAINING_CACHE overrides it. */
export function sourcesCacheDir(): string {
  const override = process.env.SIFT_TRAINING_CACHE;
  return override && override.trim() !== '' ? path.resolve(override) : path.join(trainingCacheHome(), 'sources');
}

/** The lock file written by fetch.ts, kept in the repository. */
export function lockFilePath(): string {
  return path.join(repoRoot(), 'training', 'sources.lock.json');
}
