// Chunking threads for large indexing runs: they read, hash and parse files
// (ingestFile) while the indexer's thread builds the keyword index and embeds,
// so the two overlap on separate cores. The threads do their own file reading:
// a thread fed from the indexer's event loop would wait whenever that loop is busy. Any failure
// (no worker script, a crashed thread) rejects, and the caller chunks in its
// own thread instead: the pool only ever makes indexing faster, never different.
// Each file's result waits serialized on a port of its thread until the
// indexer takes it: deserialized on arrival, the batches read ahead would
// outlive a few young-generation collections each and fill the indexer's old
// generation with garbage (a 100K-chunk run: ~300 MB promoted).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { ChunkerOptions } from './chunker';
import type { ChunkReady, ChunkReply, ChunkRequest, ChunkWorkerData } from './chunkWorker';
import type { IngestResult } from './ingestFile';

/** A finished batch's results: each call deserializes and returns the next file's (call it when about to use it). */
export type TakeResults = () => IngestResult;

interface Pending { resolve: (take: TakeResults) => void; reject: (e: Error) => void }

/** Threads worth starting here: the cores beyond the indexer's own, at most 3. */
export function defaultPoolSize(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(3, cores - 1));
}

// A thread holds one batch of files and their chunks at a time; small limits
// make V8 collect often instead of growing (a thread over them dies, and its
// work is redone by the indexer's thread).
const THREAD_LIMITS = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 6 };

/**
 * How to start a chunking thread: the bundled dist/chunkWorker.js next to this
 * code, or (running from source, in tests) the TypeScript entry through tsx.
 */
function spawnChunkWorker(options: ChunkerOptions, results: MessagePort): Worker | null {
  const workerData: ChunkWorkerData = { options, results };
  const bundled = path.join(__dirname, 'chunkWorker.js');
  if (fs.existsSync(bundled)) return new Worker(bundled, { workerData, transferList: [results], resourceLimits: THREAD_LIMITS });
  const source = path.join(__dirname, 'chunkWorker.ts');
  if (!fs.existsSync(source)) return null;
  let tsx: string;
  try {
    tsx = require.resolve('tsx/cjs');
  } catch {
    return null;
  }
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(source)});`, { eval: true, workerData, transferList: [results], resourceLimits: THREAD_LIMITS });
}

class ChunkThread {
  private readonly pending = new Map<number, Pending>();
  // results pulled from the results port ahead of their batch's turn (batches taken out of order)
  private readonly early = new Map<number, IngestResult[]>();
  private nextId = 0;
  private dead: Error | null = null;

  constructor(private readonly worker: Worker, private readonly results: MessagePort) {
    worker.on('message', (m: ChunkReady) => {
      const p = this.pending.get(m.ready);
      if (!p) return;
      this.pending.delete(m.ready);
      p.resolve(() => this.take(m.ready));
    });
    const die = (e: Error): void => {
      this.dead ??= e;
      for (const p of this.pending.values()) p.reject(this.dead);
      this.pending.clear();
    };
    worker.on('error', die);
    worker.on('exit', (code) => die(new Error(`chunking thread exited (code ${code})`)));
  }

  get load(): number { return this.pending.size; }

  private take(id: number): IngestResult {
    const kept = this.early.get(id);
    if (kept) {
      const r = kept.shift()!;
      if (kept.length === 0) this.early.delete(id);
      return r;
    }
    for (;;) {
      const m = receiveMessageOnPort(this.results)?.message as ChunkReply | undefined;
      if (!m) throw new Error(`chunking thread: a result of batch ${id} is missing`);
      if (m.id === id) return m.result;
      const list = this.early.get(m.id);
      if (list) list.push(m.result); else this.early.set(m.id, [m.result]);
    }
  }

  ingest(files: ChunkRequest['files']): Promise<TakeResults> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, files } satisfies ChunkRequest);
    });
  }

  async close(): Promise<void> {
    this.dead ??= new Error('chunking thread closed');
    await this.worker.terminate();
    this.results.close();
  }
}

export class ChunkPool {
  private constructor(private readonly threads: ChunkThread[]) {}

  /** A pool of `size` threads, or null when threads cannot be started here. */
  static tryCreate(size: number, options: ChunkerOptions = {}): ChunkPool | null {
    const threads: ChunkThread[] = [];
    try {
      for (let i = 0; i < size; i++) {
        const { port1, port2 } = new MessageChannel();
        const w = spawnChunkWorker(options, port2);
        if (!w) { port1.close(); port2.close(); break; }
        threads.push(new ChunkThread(w, port1));
      }
    } catch {
      /* fall through: whatever started is used */
    }
    if (threads.length === 0) return null;
    return new ChunkPool(threads);
  }

  get size(): number { return this.threads.length; }

  /** ingestFile() of each file, in order, on the least busy thread; resolves when done, with the taker of the results. Rejects if that thread fails. */
  ingest(files: ChunkRequest['files']): Promise<TakeResults> {
    let best = this.threads[0];
    for (const t of this.threads) if (t.load < best.load) best = t;
    return best.ingest(files);
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.close()));
  }
}
