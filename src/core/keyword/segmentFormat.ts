// The keyword index on disk: immutable segment files (kw-<gen>.seg) and a
// list of removed keys (kw-<gen>.del), named by a commit that the index
// manifest records. A segment file is
//   postings       per term, in term order (postings.ts)
//   dictionary     blocks of TERMS_PER_BLOCK terms (dictBlock.ts)
//   names          the chunks' names, for merging (a string blob, checksummed)
//   head           what opening reads: doc keys and lengths, the block index
//                  (first term, offsets and CRC of each dictionary block), the
//                  name index (nameSection.ts); checksummed
//   trailer        head length, head CRC, magic, version (TRAILER_BYTES)
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileChecksum } from '../persist/indexStore';

export const SEGMENT_MAGIC = 'SFTK';
export const SEGMENT_VERSION = 1;
export const DELETES_MAGIC = 'SFTD';
export const DELETES_VERSION = 1;
export const TERMS_PER_BLOCK = 64;
export const TRAILER_BYTES = 16;

export interface FileRef extends FileChecksum { name: string }

export interface SegmentRef extends FileRef {
  /** Documents in the segment (removed ones included until a merge drops them). */
  docs: number;
}

/** What the index manifest records for the keyword index: its files, each with length and CRC-32. */
export interface KeywordCommit {
  segments: SegmentRef[];
  /** Keys removed from the segments (null: none). */
  deletes: FileRef | null;
}

const FILE_RE = /^kw-(\d+)\.(seg|del)$/;

export function segmentFileName(gen: number): string { return `kw-${gen}.seg`; }
export function deletesFileName(gen: number): string { return `kw-${gen}.del`; }

/** The generation of a keyword file's name, or -1 for any other name. */
export function fileGeneration(name: string): number {
  const m = FILE_RE.exec(name);
  return m ? Number(m[1]) : -1;
}

/** The keyword files in the folder (segments and deleted-key lists of any commit), none when it cannot be read. */
export function keywordFiles(dir: string): string[] {
  try { return fs.readdirSync(dir).filter((f) => fileGeneration(f) >= 0); } catch { return []; }
}

/** Delete every keyword file in the folder (a clean slate before a rebuild). */
export function removeKeywordFiles(dir: string): void {
  for (const f of keywordFiles(dir)) fs.rmSync(path.join(dir, f), { force: true });
}
