// A local log of which search results people open: one JSON object per line
// (JSON Lines), appended, never sent anywhere. Readers skip lines that do not
// parse — a crash mid-append leaves at most a torn last line — and appends
// start on a fresh line so one torn line never swallows the next record.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../persist/atomicWrite';
import type { SearchMode } from '../types';

export const FEEDBACK_FORMAT = 1;

export interface FeedbackResult {
  /** 1-based rank as shown. */
  rank: number;
  /** Path as shown: relative to its folder, prefixed by the folder's name in a multi-root workspace. */
  file: string;
  line: number;
  name: string;
  kind: string;
  score: number;
}

export interface FeedbackRecord {
  v: typeof FEEDBACK_FORMAT;
  /** ISO 8601 time of the pick. */
  ts: string;
  /** Where the pick happened. */
  source: 'quickPick' | 'sidebar' | 'findSimilar' | string;
  query: string;
  mode: SearchMode;
  /** The closest matches were asked for although none was judged relevant. */
  showWeak: boolean;
  noRelevant: boolean;
  results: FeedbackResult[];
  chosen: { rank: number; file: string; line: number; name: string };
}

export interface FeedbackRead {
  records: FeedbackRecord[];
  /** Lines that could not be read as a record (1-based line numbers). */
  badLines: number[];
}

function isRecord(v: unknown): v is FeedbackRecord {
  if (!v || typeof v !== 'object') return false;
  const r = v as Partial<FeedbackRecord>;
  return typeof r.ts === 'string' && typeof r.query === 'string' && Array.isArray(r.results)
    && !!r.chosen && typeof r.chosen === 'object' && typeof r.chosen.rank === 'number';
}

// Appends within this process go one after another, so the "starts on a fresh line" check is not raced.
let appendChain: Promise<void> = Promise.resolve();

/** Appends one record; creates the folder and file as needed. */
export function appendFeedback(file: string, record: FeedbackRecord): Promise<void> {
  const line = JSON.stringify(record);
  const job = appendChain.then(async () => {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const prefix = (await endsMidLine(file)) ? '\n' : '';
    await fs.promises.appendFile(file, `${prefix}${line}\n`, 'utf8');
  });
  appendChain = job.catch(() => undefined);
  return job;
}

/** True when the file exists, is not empty and its last byte is not a newline. */
async function endsMidLine(file: string): Promise<boolean> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, 'r');
  } catch {
    return false;
  }
  try {
    const { size } = await fh.stat();
    if (size === 0) return false;
    const buf = Buffer.alloc(1);
    await fh.read(buf, 0, 1, size - 1);
    return buf[0] !== 0x0a;
  } finally {
    await fh.close();
  }
}

/** All readable records, in order; a missing file reads as empty. */
export async function readFeedback(file: string): Promise<FeedbackRead> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], badLines: [] };
    throw new Error(`cannot read the feedback log ${file}: ${(e as Error).message}`);
  }
  const records: FeedbackRecord[] = [];
  const badLines: number[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    try {
      const v: unknown = JSON.parse(line);
      if (isRecord(v)) records.push(v);
      else badLines.push(i + 1);
    } catch {
      badLines.push(i + 1);
    }
  });
  return { records, badLines };
}

/** Writes the readable records to dest as JSON Lines (atomically); returns how many. */
export async function exportFeedback(file: string, dest: string): Promise<{ exported: number; skipped: number }> {
  const { records, badLines } = await readFeedback(file);
  const body = records.map((r) => JSON.stringify(r) + '\n').join('');
  await fs.promises.mkdir(path.dirname(path.resolve(dest)), { recursive: true });
  writeFileAtomic(path.resolve(dest), body);
  return { exported: records.length, skipped: badLines.length };
}
