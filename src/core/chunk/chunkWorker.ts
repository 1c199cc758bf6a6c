// Entry of a chunking thread (dist/chunkWorker.js): reading, hashing and
// tree-sitter parsing for a large indexing run, off the indexer's thread, so
// that thread can build the keyword index and embed while the next files are
// parsed. See chunkPool.ts.
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { Chunker, type ChunkerOptions } from './chunker';
import { ingestFile, type IngestRequest, type IngestResult } from './ingestFile';

export interface ChunkRequest { id: number; files: IngestRequest[] }
/** On the results port: one file's result, left there (serialized) until the indexer takes it. */
export interface ChunkReply { id: number; result: IngestResult }
/** On the thread's own port: the batch's results are waiting on the results port. */
export interface ChunkReady { ready: number }
export interface ChunkWorkerData { options?: ChunkerOptions; results: MessagePort }

if (!parentPort) throw new Error('chunkWorker.js must run in a worker thread');
const port = parentPort;
const data = (workerData ?? {}) as ChunkWorkerData;
const ready = Chunker.create(data.options ?? {});

// one batch at a time, in order: the indexer takes results in the order it asked
let queue = Promise.resolve();
port.on('message', (m: ChunkRequest) => {
  queue = queue.then(async () => {
    // ingestFile never throws for bad files: unreadable ones come back with a reason, unparsable ones as windows
    for (const f of m.files) data.results.postMessage({ id: m.id, result: await ingestFile(() => ready, f) } satisfies ChunkReply);
    port.postMessage({ ready: m.id } satisfies ChunkReady);
  });
});
