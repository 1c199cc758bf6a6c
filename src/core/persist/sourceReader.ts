// Chunk texts are not kept in the index (they were half its size on disk):
// what a person is shown, and what a re-embedding reads, comes from the
// source file itself — but only while its content is the one indexed. The
// file is read, decoded as indexing decoded it and hashed; a file whose hash
// differs from the indexed one has changed since, and its old lines are not
// there to show (null: the caller says so, or re-indexes it).
import * as fs from 'node:fs';
import { contentHash, decodeSource } from '../crawl/readSource';

/** Where an indexed file lives and the content hash it was indexed with. */
export interface IndexedFile { abs: string; hash: string }

interface Cached { abs: string; size: number; mtimeMs: number; hash: string; lines: string[] }

const CACHE_FILES = 32;

export class SourceReader {
  // the last files read, most recent last (a search shows ~10 hits, often a few per file)
  private cache = new Map<string, Cached>();

  constructor(private readonly capacity = CACHE_FILES) {}

  /** The file's lines (1-based line n is lines[n - 1]) when its content still hashes to f.hash, else null. */
  lines(f: IndexedFile): string[] | null {
    let st: fs.Stats;
    try { st = fs.statSync(f.abs); } catch { this.cache.delete(f.abs); return null; }
    const had = this.cache.get(f.abs);
    this.cache.delete(f.abs); // re-inserted below as the most recent
    const c = had && had.size === st.size && had.mtimeMs === st.mtimeMs ? had : read(f.abs, st);
    if (!c) return null;
    this.cache.set(f.abs, c);
    if (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value!);
    return c.hash === f.hash ? c.lines : null;
  }

  /** Lines from..to (1-based, inclusive) joined, or null when the file changed since it was indexed. */
  text(f: IndexedFile, from: number, to: number): string | null {
    const lines = this.lines(f);
    return lines ? lines.slice(from - 1, to).join('\n') : null;
  }

  clear(): void { this.cache.clear(); }
}

function read(abs: string, st: fs.Stats): Cached | null {
  let buf: Buffer;
  try { buf = fs.readFileSync(abs); } catch { return null; }
  const d = decodeSource(buf);
  if (!d.ok) return null;
  return { abs, size: st.size, mtimeMs: st.mtimeMs, hash: contentHash(d.text), lines: d.text.split(/\r?\n/) };
}
