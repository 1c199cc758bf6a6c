// Which install of sift a process runs: its package folder and when its CLI
// bundle was built. A client talks only to a daemon of the same build (after a
// rebuild or an update, an older daemon is not asked).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../../core/assets';
import { PROTOCOL_VERSION } from './protocol';

export function buildId(): string {
  const root = packageRoot();
  let built = 'unbuilt';
  try { built = String(Math.floor(fs.statSync(path.join(root, 'dist', 'cliMain.js')).mtimeMs)); } catch { /* running from source */ }
  return `${PROTOCOL_VERSION}|${root}|${built}`;
}
