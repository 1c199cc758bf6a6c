// Before a search: bring the index up to date; when it cannot be written
// (IndexWriteError) but holds chunks, say why and search it as loaded.
import { IndexWriteError } from '../core/engine';

export async function refreshOrWarn(index: () => Promise<unknown>, chunkCount: () => number, warn: (m: string) => void): Promise<void> {
  try {
    await index();
  } catch (e) {
    // a stale index is still worth searching; say why it could not be refreshed
    if (!(e instanceof IndexWriteError) || chunkCount() === 0) throw e;
    warn(`warning: ${e.message}; searching the index as loaded`);
  }
}
