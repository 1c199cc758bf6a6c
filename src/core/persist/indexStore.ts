// The index folder: a manifest (written last, the commit point) and the data
// files it vouches for by length and CRC-32. Anything that does not match —
// missing file, wrong checksum, other format, chunker or model — is reported
// as a reason to rebuild, never loaded half-way.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from '../crc32';
import { CorruptIndexError } from '../errors';
import type { Chunk } from '../types';
import type { ByteSource } from '../vector/vectorFile';
import { type FileData, filePieces, writeFileAtomic } from './atomicWrite';
import { writeCounted } from './writeCounted';
import { type KeywordCommit, removeKeywordFiles } from '../keyword/segmentFormat';

export const INDEX_FORMAT = 5; // 2: chunk records as a binary table (chunks.bin); 3: no copy of the chunk texts (read from the sources); 4: files as a binary table (files.bin), chunk table v2; 5: keyword segments (kw-N.seg) and their deleted keys (kw-N.del), named by the manifest

export const FILES = {
  manifest: 'manifest.json',
  files: 'files.bin',
  chunks: 'chunks.bin',
  vectors: 'vectors.bin',
} as const;

export interface FileChecksum { bytes: number; crc32: number }

export interface ModelRef { id: string; hash: string; dim: number }

export interface Manifest {
  format: number;
  chunker: number;
  model: ModelRef | null;
  roots: string[];
  nextKey: number;
  createdAt: string;
  updatedAt: string;
  files: Partial<Record<keyof typeof FILES, FileChecksum>>;
  /** The keyword index's segment files and deleted keys (keyword/segmentedIndex). */
  keyword?: KeywordCommit;
}

/** A chunk's metadata; its text is read from its source file (the doc is part of that text). */
export type StoredChunk = Omit<Chunk, 'text' | 'doc'> & {
  key: number;
  /** Index into the engine's roots. */
  root: number;
};

export function readManifest(dir: string): Manifest {
  const file = path.join(dir, FILES.manifest);
  let raw: string;
  try { raw = fs.readFileSync(file, 'utf8'); } catch (e) {
    throw new CorruptIndexError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let m: Manifest;
  try { m = JSON.parse(raw) as Manifest; } catch { throw new CorruptIndexError(`${file} is not valid JSON`); }
  if (typeof m !== 'object' || m === null || typeof m.format !== 'number' || !Array.isArray(m.roots) || typeof m.files !== 'object') {
    throw new CorruptIndexError(`${file} is not a Sift manifest`);
  }
  return m;
}

/** Read a data file whole and check it against the manifest's length and checksum. */
export function readChecked(dir: string, m: Manifest, name: keyof typeof FILES): Buffer {
  const src = openChecked(dir, m, name);
  try {
    // not from Buffer's pool: a buffer of its own starts at offset 0, so BinaryReader can view its arrays
    const buf = Buffer.allocUnsafeSlow(src.length);
    src.readInto(buf);
    src.finish();
    return buf;
  } finally {
    src.close();
  }
}

/**
 * A data file read front to back in pieces, for readers that put its bytes
 * straight where they belong (VectorStore.read, readChecked). finish() checks
 * that all of it was read and that it matches the manifest's length and CRC;
 * close() in any case.
 */
export interface CheckedFileSource extends ByteSource { finish(): void; close(): void }

export function openChecked(dir: string, m: Manifest, name: keyof typeof FILES): CheckedFileSource {
  const sum = m.files[name];
  if (!sum) throw new CorruptIndexError(`manifest lists no ${FILES[name]}`);
  const file = path.join(dir, FILES[name]);
  let fd: number | null;
  try { fd = fs.openSync(file, 'r'); } catch (e) {
    throw new CorruptIndexError(`cannot read ${FILES[name]}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const size = fs.fstatSync(fd).size;
  if (size !== sum.bytes) { fs.closeSync(fd); throw new CorruptIndexError(`${FILES[name]} has ${size} bytes, expected ${sum.bytes}`); }
  let pos = 0;
  let crc = 0;
  const close = (): void => { if (fd !== null) { fs.closeSync(fd); fd = null; } };
  return {
    length: size,
    get crc() { return crc; },
    readInto(into: Uint8Array): void {
      if (fd === null) throw new Error(`${FILES[name]} is closed`);
      for (let at = 0; at < into.length;) {
        let n: number;
        try { n = fs.readSync(fd, into, at, into.length - at, pos + at); } catch (e) {
          throw new CorruptIndexError(`cannot read ${FILES[name]}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
        if (n <= 0) throw new CorruptIndexError(`${FILES[name]} truncated at byte ${pos + at}`);
        at += n;
      }
      crc = crc32(into, crc);
      pos += into.length;
    },
    finish(): void {
      close();
      if (pos !== sum.bytes) throw new CorruptIndexError(`${FILES[name]}: ${sum.bytes - pos} bytes left unread`);
      if (crc !== sum.crc32) throw new CorruptIndexError(`${FILES[name]} checksum mismatch`);
    },
    close,
  };
}

/**
 * Write a data file atomically and return its checksum for the manifest. The
 * data may come as pieces (BinaryWriter.finishPieces()), checksummed as they
 * are written, so no whole copy of the file is ever built.
 */
export function writeChecked(dir: string, name: keyof typeof FILES, data: FileData): FileChecksum {
  return writeCounted(path.join(dir, FILES[name]), filePieces(data));
}

export function writeManifest(dir: string, m: Manifest): void {
  writeFileAtomic(path.join(dir, FILES.manifest), JSON.stringify(m, null, 1));
}

/** Files earlier formats kept that this one does not (removed once a new index is committed). */
const LEGACY_FILES = ['texts.bin', 'texts.bin.compact', 'files.json', 'keyword.bin'];

export function removeLegacyFiles(dir: string): void {
  for (const f of LEGACY_FILES) fs.rmSync(path.join(dir, f), { force: true });
}

/** Remove every index file (a clean slate before a rebuild). */
export function clearIndexDir(dir: string): void {
  for (const f of Object.values(FILES)) fs.rmSync(path.join(dir, f), { force: true });
  removeLegacyFiles(dir);
  removeKeywordFiles(dir);
}
