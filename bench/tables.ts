// Load time and memory of the index's chunk table and file table.
//
//   npx tsx bench/tables.ts make INDEX_DIR OUT_DIR [COPIES]
//     chunks.bin (and files.bin, or files.json as the engine wrote it before
//     the file table) of an index, written again COPIES times over with paths
//     prefixed copy-N/ and keys shifted: OUT_DIR/chunks-COPIESx.bin, files-COPIESx.bin
//   node --expose-gc --import tsx bench/tables.ts measure FILE
//     loads FILE (chunks-*.bin or files-*.bin) in this fresh process and prints
//     one JSON line: load ms (no checksum), retained heap + external bytes per
//     row, then what a long-lived owner does with it (chunks: 500 records,
//     per-file lists, one file re-chunked and saved; files: a crawl's sweep).
// Memory is read after forced collections; the file's buffer is read inside a
// function (an async function's registers can keep a dead buffer alive).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChunkTable } from '../src/core/persist/chunkTable';
import { type FileRecord, FileTable, keyRange } from '../src/core/persist/fileTable';

declare const gc: (() => void) | undefined;

const ms = (t0: bigint): number => Math.round(Number(process.hrtime.bigint() - t0) / 1e5) / 10;
const mb = (x: number): number => Math.round(x / 1e5) / 10;

async function retained(): Promise<number> {
  if (typeof gc !== 'function') throw new Error('run with node --expose-gc');
  for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setTimeout(r, 50)); }
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

function readWhole(file: string): Buffer {
  const buf = Buffer.allocUnsafeSlow(fs.statSync(file).size);
  const fd = fs.openSync(file, 'r');
  try { fs.readSync(fd, buf, 0, buf.length, 0); } finally { fs.closeSync(fd); }
  return buf;
}

function readFiles(dir: string): FileRecord[] {
  const bin = path.join(dir, 'files.bin');
  if (fs.existsSync(bin)) return [...FileTable.deserialize(readWhole(bin)).values()];
  const list = JSON.parse(fs.readFileSync(path.join(dir, 'files.json'), 'utf8')) as Array<Omit<FileRecord, 'firstKey' | 'keyCount'> & { keys: number[] }>;
  return list.map(({ keys, ...f }) => ({ ...f, ...keyRange([...keys].sort((a, b) => a - b)) }));
}

function make(indexDir: string, outDir: string, copies: number): void {
  const chunks = [...ChunkTable.deserialize(readWhole(path.join(indexDir, 'chunks.bin'))).values()];
  const files = readFiles(indexDir);
  const span = chunks.reduce((m, c) => Math.max(m, c.key + 1), 0);
  const ct = new ChunkTable();
  const ft = new FileTable();
  for (let n = 0; n < copies; n++) {
    const prefix = n ? `copy-${n}/` : '';
    for (const c of chunks) ct.add({ ...c, key: c.key + n * span, file: prefix + c.file });
    for (const f of files) ft.set({ ...f, rel: prefix + f.rel, firstKey: f.keyCount ? f.firstKey + n * span : 0 });
  }
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, `chunks-${copies}x.bin`), Buffer.concat(ct.serializePieces()));
  fs.writeFileSync(path.join(outDir, `files-${copies}x.bin`), Buffer.concat(ft.serializePieces()));
  console.log(JSON.stringify({ chunks: ct.size, files: ft.size, out: outDir }));
}

async function measureChunks(file: string): Promise<void> {
  const m0 = await retained();
  let loadMs = 0;
  const load = (): ChunkTable => { const b = readWhole(file); const t0 = process.hrtime.bigint(); const t = ChunkTable.deserialize(b); loadMs = ms(t0); return t; };
  const t = load();
  const mLoaded = await retained();
  const keys = t.keys();
  let t0 = process.hrtime.bigint();
  let chars = 0;
  for (let i = 0; i < 500; i++) { const c = t.get(keys[(i * 7919) % keys.length])!; chars += c.name.length + c.file.length; }
  const get500Ms = ms(t0);
  const mBeforeLists = await retained();
  t0 = process.hrtime.bigint();
  t.buildFileLists();
  const fileListsMs = ms(t0);
  const mLists = await retained();
  // one file re-chunked: its chunks deleted and added again under new keys, then a save
  const one = t.get(keys[Math.floor(keys.length / 2)])!;
  const again = t.keysOfFile(one.root, one.file).map((k) => t.get(k)!);
  let next = keys.reduce((a, b) => Math.max(a, b), 0) + 1;
  for (const c of again) t.delete(c.key);
  for (const c of again) t.add({ ...c, key: next++ });
  t0 = process.hrtime.bigint();
  const bytes = t.serializePieces().reduce((a, p) => a + p.length, 0);
  const saveMs = ms(t0);
  const mSaved = await retained();
  console.log(JSON.stringify({
    file, bytes: fs.statSync(file).size, rows: t.size, loadMs, loadedMB: mb(mLoaded - m0), bytesPerChunk: Math.round((mLoaded - m0) / t.size),
    get500Ms, fileListsMs, fileListsMB: mb(mLists - mBeforeLists), saveAfterEditMs: saveMs, savedBytes: bytes, afterSaveMB: mb(mSaved - m0), chars: chars > 0,
  }));
}

async function measureFiles(file: string): Promise<void> {
  const m0 = await retained();
  let loadMs = 0;
  const load = (): FileTable => { const b = readWhole(file); const t0 = process.hrtime.bigint(); const t = FileTable.deserialize(b); loadMs = ms(t0); return t; };
  const t = load();
  const mLoaded = await retained();
  const crawl = [...t.values()].map((f) => ({ root: f.root, rel: f.rel, size: f.size, mtimeMs: f.mtimeMs }));
  let t0 = process.hrtime.bigint();
  const sweep = t.sweep();
  let unchanged = 0;
  for (const f of crawl) if (sweep.visit(f.root, f.rel, f.size, f.mtimeMs)) unchanged++;
  const vanished = sweep.unvisited().length;
  const sweepMs = ms(t0);
  t0 = process.hrtime.bigint();
  for (const f of crawl) if (!t.get(f.root, f.rel)) throw new Error(`lost ${f.rel}`);
  const getAllMs = ms(t0);
  console.log(JSON.stringify({
    file, bytes: fs.statSync(file).size, files: t.size, loadMs, loadedMB: mb(mLoaded - m0), bytesPerFile: Math.round((mLoaded - m0) / t.size),
    sweepMs, unchanged, vanished, getAllMs,
  }));
}

async function main(): Promise<void> {
  const [cmd, a, b, c] = process.argv.slice(2);
  if (cmd === 'make' && a && b) make(a, b, Number(c ?? 1));
  else if (cmd === 'measure' && a) await (path.basename(a).startsWith('files') ? measureFiles(a) : measureChunks(a));
  else { console.error('usage: bench/tables.ts make INDEX_DIR OUT_DIR [COPIES] | measure FILE'); process.exitCode = 2; }
}

void main();
