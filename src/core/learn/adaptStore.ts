// Where an index keeps its adaptation: the adapter in use (adapter.bin) and the
// record of every attempt, kept or refused (adaptations.jsonl), beside the
// index files. A damaged history line is skipped, never fatal.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDir } from '../persist/ensureDir';
import type { AdaptationRecord } from './types';

export const ADAPTER_FILE = 'adapter.bin';
export const HISTORY_FILE = 'adaptations.jsonl';
/** Older history lines are dropped beyond this many. */
const MAX_HISTORY = 1000;

export function adapterPath(indexDir: string): string { return path.join(indexDir, ADAPTER_FILE); }

export function appendHistory(indexDir: string, rec: AdaptationRecord): void {
  ensureDir(indexDir);
  const file = path.join(indexDir, HISTORY_FILE);
  fs.appendFileSync(file, JSON.stringify(rec) + '\n', 'utf8');
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  if (lines.length > MAX_HISTORY) fs.writeFileSync(file, lines.slice(-MAX_HISTORY).join('\n') + '\n', 'utf8');
}

export function readHistory(indexDir: string): AdaptationRecord[] {
  let text: string;
  try { text = fs.readFileSync(path.join(indexDir, HISTORY_FILE), 'utf8'); } catch { return []; }
  const out: AdaptationRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as AdaptationRecord;
      if (r && typeof r.ts === 'string' && typeof r.kept === 'boolean') out.push(r);
    } catch { /* a torn line */ }
  }
  return out;
}
