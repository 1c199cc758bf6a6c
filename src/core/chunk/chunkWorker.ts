// Entry of a chunking thread (dist/chunkWorker.js): reading, hashing and
// tree-sitter parsing for a large indexing run, off the indexer's thread, so
// that thread can build the keyword index and embed while the next files are
// parsed. See chunkPool.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { Chunker, type ChunkerOptions } from './chunker';
import { ingestFile, type IngestRequest, type IngestResult } from './ingestFile';

export interface ChunkRequest { id: number; files: IngestRequest[] }
export interface ChunkReply { id: number; results: IngestResult[] }

if (!parentPort) throw new Error('chunkWorker.js must run in a worker thread');
const port = parentPort;
const ready = Chunker.create(((workerData ?? {}) as { options?: ChunkerOptions }).options ?? {});

port.on('message', (m: ChunkRequest) => {
  void (async () => {
    const results: IngestResult[] = [];
    // ingestFile never throws for bad files: unreadable ones come back with a reason, unparsable ones as windows
    for (const f of m.files) results.push(await ingestFile(() => ready, f));
    port.postMessage({ id: m.id, results } satisfies ChunkReply);
  })();
});
