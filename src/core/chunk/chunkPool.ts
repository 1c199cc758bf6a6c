// Chunking threads for large indexing runs: they read, hash and parse files
// (ingestFile) while the indexer's thread builds the keyword index and embeds,
// so the two overlap on separate cores. The threads do their own file reading:
// a thread fed from the indexer's event loop would wait whenever that loop is busy. Any failure
// (no worker script, a crashed thread) rejects, and the caller chunks in its
// own thread instead: the pool only ever makes indexing faster, never different.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ChunkerOptions } from './chunker';
import type { ChunkReply, ChunkRequest } from './chunkWorker';
import type { IngestResult } from './ingestFile';

interface Pending { resolve: (r: IngestResult[]) => void; reject: (e: Error) => void }

/** Threads worth starting here: the cores beyond the indexer's own, at most 3. */
export function defaultPoolSize(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(3, cores - 1));
}

/**
 * How to start a chunking thread: the bundled dist/chunkWorker.js next to this
 * code, or (running from source, in tests) the TypeScript entry through tsx.
 */
// A thread holds one batch of files and their chunks at a time; a small heap
// makes V8 collect often instead of growing (a thread over it dies, and its work
// is redone by the indexer's thread).
const THREAD_LIMITS = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 };

function spawnChunkWorker(options: ChunkerOptions): Worker | null {
  const bundled = path.join(__dirname, 'chunkWorker.js');
  if (fs.existsSync(bundled)) return new Worker(bundled, { workerData: { options }, resourceLimits: THREAD_LIMITS });
  const source = path.join(__dirname, 'chunkWorker.ts');
  if (!fs.existsSync(source)) return null;
  let tsx: string;
  try {
    tsx = require.resolve('tsx/cjs');
  } catch {
    return null;
  }
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(source)});`, { eval: true, workerData: { options }, resourceLimits: THREAD_LIMITS });
}

class ChunkThread {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private dead: Error | null = null;

  constructor(private readonly worker: Worker) {
    worker.on('message', (m: ChunkReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      p.resolve(m.results);
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

  ingest(files: ChunkRequest['files']): Promise<IngestResult[]> {
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
  }
}

export class ChunkPool {
  private constructor(private readonly threads: ChunkThread[]) {}

  /** A pool of `size` threads, or null when threads cannot be started here. */
  static tryCreate(size: number, options: ChunkerOptions = {}): ChunkPool | null {
    const threads: ChunkThread[] = [];
    try {
      for (let i = 0; i < size; i++) {
        const w = spawnChunkWorker(options);
        if (!w) break;
        threads.push(new ChunkThread(w));
      }
    } catch {
      /* fall through: whatever started is used */
    }
    if (threads.length === 0) return null;
    return new ChunkPool(threads);
  }

  get size(): number { return this.threads.length; }

  /** ingestFile() of each file, in order, on the least busy thread. Rejects if that thread fails. */
  ingest(files: ChunkRequest['files']): Promise<IngestResult[]> {
    let best = this.threads[0];
    for (const t of this.threads) if (t.load < best.load) best = t;
    return best.ingest(files);
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.close()));
  }
}
