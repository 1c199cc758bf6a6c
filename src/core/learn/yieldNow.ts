// Learning runs beside searches in the worker: its loops hand the thread back
// between steps, so a search message waits for one step, not the whole job.

/** Resolves after pending I/O and messages have had their turn. */
export function yieldNow(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
