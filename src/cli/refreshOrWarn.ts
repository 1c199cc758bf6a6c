// Before a search: bring the index up to date; when it cannot be written (the
// folder refuses, or another live process holds its write lock) but holds
// chunks, say why and search it as loaded.
import { IndexWriteError } from '../core/engine';
import { WriteLockHeldError } from '../core/persist/writeLock';

/** The index could not be written, but what is loaded is still good to search. */
export function isWriteRefusal(e: unknown): e is Error {
  return e instanceof IndexWriteError || e instanceof WriteLockHeldError;
}

export async function refreshOrWarn(index: () => Promise<unknown>, chunkCount: () => number, warn: (m: string) => void): Promise<void> {
  try {
    await index();
  } catch (e) {
    // a stale index is still worth searching; say why it could not be refreshed
    if (!isWriteRefusal(e) || chunkCount() === 0) throw e;
    warn(`warning: ${e.message}; searching the index as loaded`);
  }
}
