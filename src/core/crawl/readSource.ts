// Reads one source file as text: refuses binaries, oversized and minified
// files with a reason, and decodes non-UTF-8 text instead of throwing.
//
// Decoding policy: a BOM decides (UTF-8, UTF-16 LE/BE; the BOM is stripped).
// Without one, NUL bytes in the first 8 KB mean binary unless the NULs sit in
// every other byte (BOM-less UTF-16 of mostly-ASCII text). Bytes that are not
// valid UTF-8 are decoded as latin1 — every byte maps to exactly one
// character, so nothing throws, no U+FFFD appears, and line structure is kept.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { describeFsError, tooLargeReason } from './skipReasons';

export const DEFAULT_MAX_FILE_BYTES = 1_000_000;

export type ReadResult =
  | { ok: true; text: string; encoding: 'utf8' | 'utf16le' | 'utf16be' | 'latin1' }
  | { ok: false; reason: string };

const SNIFF_BYTES = 8192;
// Non-blocking open so a FIFO (which would block until a writer appears) is
// opened, recognised as not a regular file and closed. Not defined on Windows.
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

export async function readSource(abs: string, maxBytes: number = DEFAULT_MAX_FILE_BYTES): Promise<ReadResult> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(abs, OPEN_FLAGS);
  } catch (err) {
    return { ok: false, reason: describeFsError(err) };
  }
  try {
    const st = await handle.stat();
    if (st.isDirectory()) return { ok: false, reason: 'is a folder, not a file' };
    if (!st.isFile()) return { ok: false, reason: 'not a regular file' };
    if (st.size > maxBytes) return { ok: false, reason: tooLargeReason(st.size, maxBytes) };
    const buf = await readCapped(handle, st.size, maxBytes);
    // The file grew between stat and read.
    if (buf === null) return { ok: false, reason: tooLargeReason(Math.max(st.size, maxBytes + 1), maxBytes) };
    const decoded = decodeSource(buf);
    if (!decoded.ok) return decoded;
    if (isProbablyMinified(decoded.text, abs)) return { ok: false, reason: 'minified or generated bundle (very long lines)' };
    return decoded;
  } catch (err) {
    return { ok: false, reason: describeFsError(err) };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Reads the whole file, or returns null as soon as it passes maxBytes. */
async function readCapped(handle: fs.promises.FileHandle, sizeHint: number, maxBytes: number): Promise<Buffer | null> {
  const limit = maxBytes + 1;
  // size can be 0 for files whose length is unknown up front (procfs and the like).
  let buf = Buffer.allocUnsafe(Math.min(limit, sizeHint > 0 ? sizeHint + 1 : 64 * 1024));
  let total = 0;
  for (;;) {
    if (total === buf.length) {
      if (buf.length >= limit) return null;
      const grown = Buffer.allocUnsafe(Math.min(limit, buf.length * 2));
      buf.copy(grown, 0, 0, total);
      buf = grown;
    }
    const { bytesRead } = await handle.read(buf, total, buf.length - total, null);
    if (bytesRead === 0) break;
    total += bytesRead;
  }
  return total > maxBytes ? null : buf.subarray(0, total);
}

/** Decodes file bytes to text per the policy above; binaries give ok: false. */
export function decodeSource(buf: Buffer): ReadResult {
  if (buf.length >= 4 && buf[0] === 0xff && buf[1] === 0xfe && buf[2] === 0 && buf[3] === 0) {
    return { ok: false, reason: 'unsupported encoding (UTF-32)' };
  }
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
    return decodeUnmarked(buf.subarray(3));
  }
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return decodeUtf16(buf.subarray(2), 'utf16le');
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return decodeUtf16(buf.subarray(2), 'utf16be');
  const sample = buf.subarray(0, SNIFF_BYTES);
  if (sample.includes(0)) {
    const utf16 = sniffUtf16(sample);
    return utf16 ? decodeUtf16(buf, utf16) : binary();
  }
  return decodeUnmarked(buf);
}

function decodeUnmarked(buf: Buffer): ReadResult {
  if (isUtf8(buf)) return { ok: true, text: buf.toString('utf8'), encoding: 'utf8' };
  const text = buf.toString('latin1');
  return looksBinary(text) ? binary() : { ok: true, text, encoding: 'latin1' };
}

function decodeUtf16(body: Buffer, encoding: 'utf16le' | 'utf16be'): ReadResult {
  const even = body.subarray(0, body.length & ~1);
  // swap16 works in place, so big-endian text is copied first.
  const le = encoding === 'utf16be' ? Buffer.from(even).swap16() : even;
  const text = le.toString('utf16le');
  return looksBinary(text) ? binary() : { ok: true, text, encoding };
}

/** BOM-less UTF-16 of mostly-ASCII text: one byte of nearly every pair is zero, the other almost never. */
function sniffUtf16(sample: Buffer): 'utf16le' | 'utf16be' | null {
  const pairs = sample.length >> 1;
  if (pairs < 4) return null;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i + 1 < sample.length; i += 2) {
    if (sample[i] === 0) evenZeros++;
    if (sample[i + 1] === 0) oddZeros++;
  }
  if (oddZeros >= pairs * 0.4 && evenZeros <= pairs * 0.02) return 'utf16le';
  if (evenZeros >= pairs * 0.4 && oddZeros <= pairs * 0.02) return 'utf16be';
  return null;
}

/** A decoding that produced NULs or many control characters was a binary after all. */
function looksBinary(text: string): boolean {
  const n = Math.min(text.length, SNIFF_BYTES);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return true;
    // Tab, newlines, form feed and escape occur in real text; other C0 controls do not.
    if (c < 0x20 && !(c >= 0x09 && c <= 0x0d) && c !== 0x1b) control++;
  }
  return control > n * 0.05;
}

function binary(): ReadResult {
  return { ok: false, reason: 'binary file (NUL bytes)' };
}

const MINIFIED_NAME_RE = /\.(min|bundle)\.[cm]?js$|\.min\.css$/i;
const MIN_MINIFIED_CHARS = 2000;
const LONG_LINE = 5000;
const WIDE_LINE = 300;

/**
 * True for one-line bundles and similar generated code: the average line is
 * over 300 characters, or lines over 5,000 characters hold most of the text.
 * One long line that is not code (a data URI, a base64 blob, an unwrapped
 * paragraph) does not count: minified code is dense with `;{}()[],=:`.
 */
export function isProbablyMinified(text: string, rel: string): boolean {
  if (MINIFIED_NAME_RE.test(rel)) return true;
  if (text.length < MIN_MINIFIED_CHARS) return false;
  let nonEmptyLines = 0;
  let longChars = 0;
  let wideChars = 0;
  let widePunctuation = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const len = end - start;
    if (len > 0) nonEmptyLines++;
    if (len > LONG_LINE) longChars += len;
    if (len > WIDE_LINE) {
      wideChars += len;
      widePunctuation += countCodePunctuation(text, start, end);
    }
    start = end + 1;
  }
  if (nonEmptyLines === 0) return false;
  const averageLine = text.length / nonEmptyLines;
  if (!(averageLine > WIDE_LINE || longChars > text.length * 0.5)) return false;
  return wideChars > 0 && widePunctuation / wideChars >= 0.04;
}

function countCodePunctuation(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    switch (text.charCodeAt(i)) {
      case 0x3b: case 0x7b: case 0x7d: case 0x28: case 0x29: // ; { } ( )
      case 0x5b: case 0x5d: case 0x2c: case 0x3d: case 0x3a: // [ ] , = :
        n++;
    }
  }
  return n;
}

/** Stable content hash of decoded text (SHA-1 hex), for incremental re-indexing. */
export function contentHash(text: string): string {
  return crypto.createHash('sha1').update(text, 'utf8').digest('hex');
}
