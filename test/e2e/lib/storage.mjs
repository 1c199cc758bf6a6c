// What the extension keeps in VS Code's workspace storage, read and written the
// way src/ writes it: the search log (<storage>/log/queries*.jsonl, lines
// `<crc32 hex>\t<event JSON>`, src/core/learn/queryLog.ts) and the adaptation
// history beside the index (<index>/adaptations.jsonl, src/core/learn/adaptStore.ts).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { sleep } from './workbench.mjs';

/** One log line as src/core/learn/queryLog.ts writes it: crc32 of the JSON, a tab, the JSON. */
export function logLine(event) {
  const json = JSON.stringify(event);
  return `${zlib.crc32(Buffer.from(json, 'utf8')).toString(16).padStart(8, '0')}\t${json}\n`;
}

/**
 * The extension's storage folder for `workspace`, once its index folder exists there: the one
 * holding index-<sha1 of the root>, as src/vscode/workspaceIndex.ts names it (the same VS Code
 * may hold other workspaces' storage, e.g. the extension-host suite's).
 */
export async function extensionStorage(userDataDir, workspace, timeout = 60_000) {
  const root = path.join(userDataDir, 'User', 'workspaceStorage');
  const index = `index-${createHash('sha1').update(workspace).digest('hex').slice(0, 12)}`;
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    for (const hash of fs.existsSync(root) ? fs.readdirSync(root) : []) {
      const dir = path.join(root, hash, 'sift.sift');
      if (fs.existsSync(path.join(dir, index))) return { storage: dir, indexDir: path.join(dir, index) };
    }
    await sleep(500);
  }
  throw new Error(`no ${index} folder for ${workspace} under ${root} after ${timeout / 1000} s`);
}

/**
 * Every event of the search log in `storage`, oldest first (rotated files first). A line whose
 * checksum does not match its JSON throws: the extension writes none.
 */
export function readSearchLog(storage) {
  const dir = path.join(storage, 'log');
  if (!fs.existsSync(dir)) return [];
  const files = fs.readdirSync(dir)
    .map(name => ({ name, n: name === 'queries.jsonl' ? 0 : Number(/^queries\.(\d+)\.jsonl$/.exec(name)?.[1] ?? NaN) }))
    .filter(f => Number.isFinite(f.n))
    .sort((a, b) => b.n - a.n);
  const events = [];
  for (const { name } of files) {
    for (const line of fs.readFileSync(path.join(dir, name), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const tab = line.indexOf('\t');
      const json = line.slice(tab + 1);
      const crc = zlib.crc32(Buffer.from(json, 'utf8')).toString(16).padStart(8, '0');
      if (tab !== 8 || line.slice(0, 8) !== crc) throw new Error(`${name}: a line without a matching checksum: ${line.slice(0, 120)}`);
      events.push(JSON.parse(json));
    }
  }
  return events;
}

/** The opens of a log with the searches they came from: [{ query, name, rank, source }]. */
export function opensWithQueries(events) {
  const searches = new Map(events.filter(e => e.t === 'search').map(e => [e.id, e]));
  return events.filter(e => e.t === 'open').map(e => ({
    query: searches.get(e.searchId)?.query ?? null, name: e.ref?.name ?? '', rank: e.rank, source: e.source,
  }));
}

/** The adaptation attempts recorded with the index, oldest first. */
export function readAdaptations(indexDir) {
  const file = path.join(indexDir, 'adaptations.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(l => l.trim()).map(l => JSON.parse(l));
}
