// One file from disk to chunks: read and decode it, hash it, and chunk it
// unless its content is the one already indexed. The same function runs in the
// indexer's thread and in chunking threads (chunkWorker.ts), so both give the
// same index.
import { contentHash, readSource } from '../crawl/readSource';
import type { Chunk } from '../types';
import type { Chunker } from './chunker';

export interface IngestRequest {
  abs: string;
  rel: string;
  maxBytes?: number;
  /** Content hash already indexed for this file: when it matches, nothing is chunked. */
  knownHash?: string;
}

export type IngestResult =
  | { ok: false; reason: string }
  | { ok: true; hash: string; unchanged: true }
  | { ok: true; hash: string; unchanged: false; chunks: Chunk[]; fallbackReason?: string };

export async function ingestFile(chunker: () => Promise<Chunker>, req: IngestRequest): Promise<IngestResult> {
  const r = await readSource(req.abs, req.maxBytes);
  if (!r.ok) return { ok: false, reason: r.reason };
  const hash = contentHash(r.text);
  if (req.knownHash === hash) return { ok: true, hash, unchanged: true };
  const result = await (await chunker()).chunkFileAsync(req.rel, r.text);
  return { ok: true, hash, unchanged: false, chunks: result.chunks, fallbackReason: result.fallbackReason };
}
