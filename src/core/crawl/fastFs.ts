// Promise forms of the fs calls the crawler makes tens of thousands of times.
// Node 20's fs.promises adds noticeable per-call overhead over the callback
// API (measured 1.5–2.5x slower on 60K stats), so these wrap the callbacks.
import * as fs from 'node:fs';
import { promisify } from 'node:util';

export const stat = promisify(fs.stat);
export const realpath = promisify(fs.realpath);

const readdirCallback = promisify(fs.readdir);
export function readdirEntries(dir: string): Promise<fs.Dirent[]> {
  return readdirCallback(dir, { withFileTypes: true });
}
