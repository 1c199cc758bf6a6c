// Crash-safe file writes: temp file in the same folder, fsync, rename, fsync
// of the folder. A reader sees the old file or the new one, never half of one.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Contents given whole, or as pieces written one after another (produced lazily if an iterator). */
export type FileData = Uint8Array | string | Iterable<Uint8Array>;

/** The contents as pieces, in order (a string as its UTF-8 bytes). */
export function filePieces(data: FileData): Iterable<Uint8Array> {
  return typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
}

export function writeFileAtomic(file: string, data: FileData): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    for (const piece of filePieces(data)) {
      for (let off = 0; off < piece.length;) off += fs.writeSync(fd, piece, off, piece.length - off);
    }
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  try {
    const dfd = fs.openSync(dir, 'r');
    try { fs.fsyncSync(dfd); } finally { fs.closeSync(dfd); }
  } catch {
    // directory fsync is not supported everywhere (e.g. some network file systems)
  }
}
