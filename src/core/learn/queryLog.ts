// The local query and feedback log: one per workspace (the extension) or per
// root set (the CLI), append-only, bounded, rotated and checksummed. Nothing
// in it ever leaves the machine unless someone exports it on purpose.
//
// Files, in one folder:
//   queries.jsonl      the current file, appended to
//   queries.1.jsonl    the previous one (newest rotated) … queries.N.jsonl (oldest)
// Each line is `<crc32 of the JSON's UTF-8 bytes, 8 lowercase hex digits>\t<one LogEvent as JSON>\n`.
// A reader checks every line and skips (and reports) a line that is torn, fails
// its checksum or is not an event; the rest of the file is kept.
//
// Bounds: no file ever grows past maxFileBytes (a batch that would push the
// current file past it rotates first), and at most floor(maxTotalBytes /
// maxFileBytes) files exist, so the log never holds more than maxTotalBytes.
//
// Cost to the caller: append() serializes one event and queues the line
// (microseconds); a timer (or a full buffer) writes the queue with one
// appendFile. Writes, rotations and clears run one after another.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from '../crc32';
import { writeFileAtomic } from '../persist/atomicWrite';
import { ensureDir } from '../persist/ensureDir';
import type { LogEvent } from './types';

export const CURRENT_LOG = 'queries.jsonl';
const ROTATED = /^queries\.(\d+)\.jsonl$/;

export const DEFAULT_MAX_FILE_BYTES = 10_000_000;
export const DEFAULT_MAX_TOTAL_BYTES = 20_000_000;
const DEFAULT_FLUSH_DELAY_MS = 1000;
const DEFAULT_FLUSH_AT_BYTES = 64 * 1024;

export interface QueryLogOptions {
  /** A file is rotated before it would pass this size (default 10 MB). */
  maxFileBytes?: number;
  /** The log's files together never pass this size (default 20 MB): older files are deleted. */
  maxTotalBytes?: number;
  /** How long appends wait to be written together (default 1 s). */
  flushDelayMs?: number;
  /** Queued bytes that trigger a write at once (default 64 KiB). */
  flushAtBytes?: number;
  /** Write failures of background flushes (default: ignored; flush() rejects with them). */
  onError?: (e: Error) => void;
}

/** A line that was skipped when reading. */
export interface CorruptLine {
  /** Absolute path of the file. */
  file: string;
  /** 1-based line number in that file. */
  line: number;
  reason: 'checksum' | 'torn' | 'format';
}

export interface LogRead {
  /** Every readable event, oldest file first, in file order. */
  events: LogEvent[];
  corrupt: CorruptLine[];
}

/** A fresh search id: time-ordered (base-36 milliseconds) plus 48 random bits. */
export function newSearchId(): string {
  return `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** One event as a log line, newline included. */
export function encodeLogLine(ev: LogEvent): string {
  const json = JSON.stringify(ev);
  return `${hex8(crc32(Buffer.from(json, 'utf8')))}\t${json}\n`;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function isRef(v: unknown): boolean {
  return isObj(v) && typeof v.root === 'string' && typeof v.file === 'string' && typeof v.line === 'number' && typeof v.name === 'string';
}

/** True when v has the fields readers rely on (a light shape check, not a full schema). */
export function isLogEvent(v: unknown): v is LogEvent {
  if (!isObj(v) || typeof v.ts !== 'string') return false;
  switch (v.t) {
    case 'search':
      return typeof v.id === 'string' && typeof v.query === 'string' && typeof v.source === 'string'
        && Array.isArray(v.results) && v.results.every((r) => isRef(r) && typeof (r as { rank?: unknown }).rank === 'number');
    case 'open':
      return typeof v.searchId === 'string' && typeof v.rank === 'number' && isRef(v.ref);
    case 'dwell':
      return typeof v.searchId === 'string' && typeof v.rank === 'number' && typeof v.ms === 'number';
    default:
      return false;
  }
}

const TAB = 0x09;
const NL = 0x0a;

/** The events of one file's bytes, and the lines that could not be read (1-based). */
export function decodeLog(buf: Buffer, file: string): LogRead {
  const events: LogEvent[] = [];
  const corrupt: CorruptLine[] = [];
  let start = 0;
  for (let lineNo = 1; start < buf.length; lineNo++) {
    let end = buf.indexOf(NL, start);
    const torn = end < 0;
    if (torn) end = buf.length;
    const line = buf.subarray(start, end);
    start = end + 1;
    if (line.length === 0) continue; // the fresh-line newline written after a torn line
    const bad = (reason: CorruptLine['reason']) => corrupt.push({ file, line: lineNo, reason: torn ? 'torn' : reason });
    if (line.length < 10 || line[8] !== TAB || !/^[0-9a-f]{8}$/.test(line.toString('latin1', 0, 8))) { bad('format'); continue; }
    const json = line.subarray(9);
    if (crc32(json) !== parseInt(line.toString('latin1', 0, 8), 16)) { bad('checksum'); continue; }
    let v: unknown;
    try { v = JSON.parse(json.toString('utf8')); } catch { bad('format'); continue; }
    // a complete record whose newline alone was lost is still a good record
    if (isLogEvent(v)) events.push(v); else bad('format');
  }
  return { events, corrupt };
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await fs.promises.stat(file)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
}

/** True when the file is not empty and its last byte is not a newline. */
async function endsMidLine(file: string, size: number): Promise<boolean> {
  if (size === 0) return false;
  const fh = await fs.promises.open(file, 'r');
  try {
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, size - 1);
    return b[0] !== NL;
  } finally {
    await fh.close();
  }
}

async function ignoreMissing(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

export class QueryLog {
  readonly maxFileBytes: number;
  readonly maxTotalBytes: number;
  /** Rotated files kept beside the current one. */
  readonly keepRotated: number;
  private readonly flushDelayMs: number;
  private readonly flushAtBytes: number;
  private readonly onError: (e: Error) => void;
  private pending: string[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  /** The tail of the write queue; never rejects. */
  private chain: Promise<void> = Promise.resolve();
  /** This instance has looked at the current file's last byte and removed leftover rotations. */
  private checked = false;
  private closed = false;

  constructor(readonly dir: string, opts: QueryLogOptions = {}) {
    const total = opts.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES;
    const file = Math.min(opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, total);
    if (!(file > 0) || !Number.isFinite(total)) throw new RangeError(`query log bounds must be positive sizes, got ${file} / ${total}`);
    this.maxFileBytes = file;
    this.maxTotalBytes = total;
    this.keepRotated = Math.max(0, Math.floor(total / file) - 1);
    this.flushDelayMs = opts.flushDelayMs ?? DEFAULT_FLUSH_DELAY_MS;
    this.flushAtBytes = opts.flushAtBytes ?? DEFAULT_FLUSH_AT_BYTES;
    this.onError = opts.onError ?? (() => undefined);
  }

  /** The file appends go to. */
  get file(): string { return path.join(this.dir, CURRENT_LOG); }

  private rotated(i: number): string { return path.join(this.dir, `queries.${i}.jsonl`); }

  /** Queues one event; written within flushDelayMs (or at once when the queue is full). Never throws for I/O. */
  append(ev: LogEvent): void {
    if (this.closed) return;
    const line = encodeLogLine(ev);
    this.pending.push(line);
    this.pendingBytes += Buffer.byteLength(line, 'utf8');
    if (this.pendingBytes >= this.flushAtBytes) {
      this.flush().catch((e: Error) => this.onError(e));
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush().catch((e: Error) => this.onError(e));
      }, this.flushDelayMs);
      this.timer.unref?.();
    }
  }

  /** Events queued and not yet written. */
  get queued(): number { return this.pending.length; }

  /** Writes everything queued so far; resolves once it (and every earlier write) is on disk. Rejects with this batch's write error. */
  flush(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    if (this.pending.length === 0) return this.chain;
    const lines = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    return this.enqueue(() => this.write(lines).catch((e: Error) => {
      this.checked = false; // a failed append may have left a torn line
      throw e;
    }));
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    const run = this.chain.then(job);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async write(lines: string[]): Promise<void> {
    ensureDir(this.dir);
    const file = this.file;
    let size = await sizeOf(file);
    let chunk = '';
    let chunkBytes = 0;
    let chunkLines = 0;
    if (!this.checked) {
      this.checked = true;
      await this.removeExtraRotations();
      // a crash mid-append left a torn line: start on a fresh one so it swallows nothing
      if (await endsMidLine(file, size)) { chunk = '\n'; chunkBytes = 1; }
    }
    let dropped = 0;
    for (const line of lines) {
      const bytes = Buffer.byteLength(line, 'utf8');
      if (bytes > this.maxFileBytes) { dropped++; continue; }
      if (size + chunkBytes + bytes > this.maxFileBytes) {
        if (chunkLines > 0) await fs.promises.appendFile(file, chunk, 'utf8');
        await this.rotate();
        size = 0;
        chunk = '';
        chunkBytes = 0;
        chunkLines = 0;
      }
      chunk += line;
      chunkBytes += bytes;
      chunkLines++;
    }
    if (chunkLines > 0) await fs.promises.appendFile(file, chunk, 'utf8');
    if (dropped) throw new Error(`${dropped} log event${dropped === 1 ? '' : 's'} larger than the ${this.maxFileBytes}-byte file bound dropped`);
  }

  /** queries.jsonl → queries.1.jsonl → … ; the oldest beyond keepRotated is deleted. */
  private async rotate(): Promise<void> {
    if (this.keepRotated === 0) { await ignoreMissing(fs.promises.rm(this.file, { force: true })); return; }
    await fs.promises.rm(this.rotated(this.keepRotated), { force: true });
    for (let i = this.keepRotated - 1; i >= 1; i--) await ignoreMissing(fs.promises.rename(this.rotated(i), this.rotated(i + 1)));
    await ignoreMissing(fs.promises.rename(this.file, this.rotated(1)));
  }

  /** Rotations a larger bound left behind. */
  private async removeExtraRotations(): Promise<void> {
    for (const { file, index } of await this.rotatedFiles()) {
      if (index > this.keepRotated) await fs.promises.rm(file, { force: true });
    }
  }

  private async rotatedFiles(): Promise<{ file: string; index: number }[]> {
    let names: string[];
    try { names = await fs.promises.readdir(this.dir); } catch { return []; }
    const out: { file: string; index: number }[] = [];
    for (const n of names) {
      const m = ROTATED.exec(n);
      if (m) out.push({ file: path.join(this.dir, n), index: Number(m[1]) });
    }
    return out.sort((a, b) => b.index - a.index);
  }

  /** The log's files that exist, oldest first. */
  async files(): Promise<string[]> {
    const out = (await this.rotatedFiles()).map((r) => r.file);
    if (fs.existsSync(this.file)) out.push(this.file);
    return out;
  }

  /** Every readable event (queued ones written first), oldest first; torn and corrupt lines are reported and skipped. */
  async read(): Promise<LogRead> {
    await this.flush().catch((e: Error) => this.onError(e));
    const events: LogEvent[] = [];
    const corrupt: CorruptLine[] = [];
    for (const file of await this.files()) {
      let buf: Buffer;
      try {
        buf = await fs.promises.readFile(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // rotated away meanwhile
        throw e;
      }
      const r = decodeLog(buf, file);
      events.push(...r.events);
      corrupt.push(...r.corrupt);
    }
    return { events, corrupt };
  }

  /** Writes the readable events to dest as plain JSON Lines (one event per line, no checksums), atomically. */
  async exportTo(dest: string): Promise<{ exported: number; skipped: number; corrupt: CorruptLine[] }> {
    const { events, corrupt } = await this.read();
    const out = path.resolve(dest);
    await fs.promises.mkdir(path.dirname(out), { recursive: true });
    writeFileAtomic(out, events.map((e) => JSON.stringify(e) + '\n').join(''));
    return { exported: events.length, skipped: corrupt.length, corrupt };
  }

  /** Deletes every file of the log and what is queued. Resolves to the bytes removed. */
  clear(): Promise<number> {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    this.pending = [];
    this.pendingBytes = 0;
    let removed = 0;
    return this.enqueue(async () => {
      for (const f of await this.files()) {
        removed += await sizeOf(f);
        await fs.promises.rm(f, { force: true });
      }
    }).then(() => removed);
  }

  /** Bytes on disk plus bytes queued. */
  async sizeBytes(): Promise<number> {
    let n = this.pendingBytes;
    for (const f of await this.files()) n += await sizeOf(f);
    return n;
  }

  /** Writes what is queued; later appends are ignored. */
  async close(): Promise<void> {
    const done = this.flush();
    this.closed = true;
    await done;
  }
}
