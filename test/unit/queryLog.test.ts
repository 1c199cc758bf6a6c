import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { crc32 } from '../../src/core/crc32';
import { legacyFeedbackEvents, migrateLegacyFeedback } from '../../src/core/learn/legacyFeedback';
import { decodeLog, encodeLogLine, newSearchId, QueryLog } from '../../src/core/learn/queryLog';
import type { LogEvent, OpenEvent, SearchEvent } from '../../src/core/learn/types';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sift-querylog-'));
}

let n = 0;
function search(query: string, results = 3): SearchEvent {
  return {
    t: 'search', id: `s${++n}`, ts: new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString(), source: 'quickPick', query, mode: 'hybrid',
    results: Array.from({ length: results }, (_, i) => ({ root: '/ws', file: `src/f${i}.ts`, line: 10 + i, name: `fn${i}`, rank: i + 1, kind: 'function' as const, score: 0.9 - i * 0.1 })),
    answerSize: results, noRelevant: false, showWeak: false, partial: false, latencyMs: 12,
  };
}

function open(s: SearchEvent, rank: number): OpenEvent {
  const r = s.results[rank - 1];
  return { t: 'open', ts: s.ts, searchId: s.id, source: s.source, rank, ref: { root: r.root, file: r.file, line: r.line, name: r.name } };
}

function logFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort();
}

describe('query log', () => {
  let dir: string;
  beforeEach(() => { dir = path.join(tmpDir(), 'nested', 'log'); });

  it('writes one checksummed JSON line per event and reads them back in order', async () => {
    const log = new QueryLog(dir);
    const a = search('where are tokens checked');
    const events: LogEvent[] = [a, open(a, 2), { t: 'dwell', ts: a.ts, searchId: a.id, rank: 2, ms: 12000 }];
    for (const e of events) log.append(e);
    await log.flush();
    const lines = fs.readFileSync(log.file, 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'the file ends with a newline');
    assert.equal(lines.length, 3);
    for (const [i, line] of lines.entries()) {
      const [hex, json] = [line.slice(0, 8), line.slice(9)];
      assert.equal(line[8], '\t');
      assert.equal(parseInt(hex, 16), crc32(Buffer.from(json, 'utf8')));
      assert.deepEqual(JSON.parse(json), events[i]);
    }
    assert.deepEqual(await log.read(), { events, corrupt: [] });
  });

  it('reads a missing log as empty', async () => {
    assert.deepEqual(await new QueryLog(dir).read(), { events: [], corrupt: [] });
  });

  it('queues appends until flushed or the delay passes (appends do no I/O)', async () => {
    const log = new QueryLog(dir, { flushDelayMs: 20 });
    const ev = search('q');
    const realAppend = fs.promises.appendFile;
    let writes = 0;
    fs.promises.appendFile = ((...args: Parameters<typeof realAppend>) => { writes++; return realAppend(...args); }) as typeof realAppend;
    try {
      for (let i = 0; i < 100; i++) log.append({ ...ev, id: `x${i}` });
      assert.equal(fs.existsSync(log.file), false, 'nothing written synchronously by append()');
      assert.equal(log.queued, 100);
      await new Promise((r) => setTimeout(r, 80));
      assert.equal(log.queued, 0);
      assert.equal(writes, 1, 'one write for the whole batch');
    } finally {
      fs.promises.appendFile = realAppend;
    }
    assert.equal((await log.read()).events.length, 100);
  });

  it('writes a full queue without waiting for the delay, in one batch per flush', async () => {
    const log = new QueryLog(dir, { flushDelayMs: 60_000, flushAtBytes: 2000 });
    const line = encodeLogLine(search('q'));
    const count = Math.ceil(2000 / Buffer.byteLength(line));
    for (let i = 0; i < count; i++) log.append(search('q'));
    assert.equal(log.queued, 0, 'the queue was handed to a write');
    await log.flush();
    assert.equal((await log.read()).events.length, count);
  });

  it('keeps appends in order across concurrent flushes', async () => {
    const log = new QueryLog(dir, { flushDelayMs: 1 });
    const sent: string[] = [];
    const flushes: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      const e = search(`q${i}`);
      sent.push(e.id);
      log.append(e);
      if (i % 7 === 0) flushes.push(log.flush());
    }
    await Promise.all(flushes);
    await log.flush();
    assert.deepEqual((await log.read()).events.map((e) => (e as SearchEvent).id), sent);
  });

  it('rotates before a file passes maxFileBytes and never holds more than maxTotalBytes', async () => {
    const maxFileBytes = 4000;
    const maxTotalBytes = 12000; // current + 2 rotated
    const log = new QueryLog(dir, { maxFileBytes, maxTotalBytes });
    assert.equal(log.keepRotated, 2);
    const sent: string[] = [];
    for (let i = 0; i < 200; i++) {
      const e = search(`query number ${i}`);
      sent.push(e.id);
      log.append(e);
      if (i % 5 === 0) await log.flush();
      const total = await log.sizeBytes();
      // what is on disk stays under the bound at every step
      const onDisk = logFiles(dir).reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);
      assert.ok(onDisk <= maxTotalBytes, `${onDisk} bytes on disk after ${i + 1} appends`);
      assert.ok(total >= onDisk);
    }
    await log.flush();
    assert.deepEqual(logFiles(dir), ['queries.1.jsonl', 'queries.2.jsonl', 'queries.jsonl']);
    for (const f of logFiles(dir)) assert.ok(fs.statSync(path.join(dir, f)).size <= maxFileBytes, `${f} within the file bound`);
    const { events, corrupt } = await log.read();
    assert.deepEqual(corrupt, []);
    const got = events.map((e) => (e as SearchEvent).id);
    // the newest events survive, contiguous and in order; the oldest were dropped
    assert.ok(got.length > 0 && got.length < sent.length);
    assert.deepEqual(got, sent.slice(sent.length - got.length));
  });

  it('keeps only the current file when the total bound allows one file', async () => {
    const log = new QueryLog(dir, { maxFileBytes: 3000, maxTotalBytes: 5000 });
    assert.equal(log.keepRotated, 0);
    for (let i = 0; i < 60; i++) log.append(search(`q${i}`));
    await log.flush();
    assert.deepEqual(logFiles(dir), ['queries.jsonl']);
    assert.ok(fs.statSync(log.file).size <= 3000);
    const ids = (await log.read()).events.map((e) => (e as SearchEvent).id);
    assert.equal(ids[ids.length - 1], `s${n}`);
  });

  it('removes rotations a larger bound left behind', async () => {
    const big = new QueryLog(dir, { maxFileBytes: 2000, maxTotalBytes: 10000 });
    for (let i = 0; i < 60; i++) big.append(search(`q${i}`));
    await big.flush();
    assert.ok(logFiles(dir).length >= 4);
    const small = new QueryLog(dir, { maxFileBytes: 2000, maxTotalBytes: 4000 });
    small.append(search('after'));
    await small.flush();
    assert.deepEqual(logFiles(dir), ['queries.1.jsonl', 'queries.jsonl']);
  });

  it('reports a flipped byte mid-file (which file, which line) and keeps every other line', async () => {
    const log = new QueryLog(dir);
    const sent = Array.from({ length: 9 }, (_, i) => search(`query ${i}`));
    for (const e of sent) log.append(e);
    await log.flush();
    const buf = fs.readFileSync(log.file);
    // flip one byte inside the JSON of line 5 (a letter of its query)
    const lineStarts = [0];
    for (let i = 0; i < buf.length; i++) if (buf[i] === 0x0a) lineStarts.push(i + 1);
    const at = buf.indexOf('query 4', lineStarts[4]);
    assert.ok(at > lineStarts[4] && at < lineStarts[5]);
    buf[at] ^= 0x01; // 'q' → 'p': still valid JSON, only the checksum tells
    fs.writeFileSync(log.file, buf);
    const { events, corrupt } = await new QueryLog(dir).read();
    assert.deepEqual(corrupt, [{ file: log.file, line: 5, reason: 'checksum' }]);
    assert.deepEqual(events, sent.filter((_, i) => i !== 4));
  });

  it('reports a torn last line, keeps the rest, and the next append starts on a fresh line', async () => {
    const log = new QueryLog(dir);
    const first = [search('one'), search('two')];
    for (const e of first) log.append(e);
    await log.flush();
    // a crash mid-append leaves part of a line without its newline
    fs.appendFileSync(log.file, encodeLogLine(search('torn')).slice(0, 40));
    const torn = await new QueryLog(dir).read();
    assert.deepEqual(torn.events, first);
    assert.deepEqual(torn.corrupt, [{ file: log.file, line: 3, reason: 'torn' }]);

    const again = new QueryLog(dir);
    const next = search('three');
    again.append(next);
    await again.flush();
    const after = await again.read();
    assert.deepEqual(after.events, [...first, next]);
    assert.equal(after.corrupt.length, 1, 'only the torn line is lost');
    assert.equal(after.corrupt[0].line, 3);
  });

  it('reports lines that are not events (bad JSON, wrong shape, garbage) and keeps the others', () => {
    const good = search('good');
    const shape = JSON.stringify({ t: 'open', ts: 'x' }); // no searchId / rank / ref
    const badJson = '{"t":"search",';
    const crcOf = (s: string) => crc32(Buffer.from(s)).toString(16).padStart(8, '0');
    const text = [`${crcOf(shape)}\t${shape}`, `${crcOf(badJson)}\t${badJson}`, 'garbage', encodeLogLine(good).trimEnd(), ''].join('\n');
    const r = decodeLog(Buffer.from(text), 'f');
    assert.deepEqual(r.events, [good]);
    assert.deepEqual(r.corrupt.map((c) => [c.line, c.reason]), [[1, 'format'], [2, 'format'], [3, 'format']]);
  });

  it('reads rotated files oldest first and reports corruption with the rotated file\'s name', async () => {
    const log = new QueryLog(dir, { maxFileBytes: 2500, maxTotalBytes: 7500 });
    const sent: SearchEvent[] = [];
    for (let i = 0; i < 12; i++) { const e = search(`q${i}`); sent.push(e); log.append(e); }
    await log.flush();
    const rotated = path.join(dir, 'queries.1.jsonl');
    assert.ok(fs.existsSync(rotated));
    const lines = fs.readFileSync(rotated, 'utf8').split('\n');
    lines[0] = lines[0].replace('"q', '"Q');
    fs.writeFileSync(rotated, lines.join('\n'));
    const { events, corrupt } = await log.read();
    assert.equal(corrupt.length, 1);
    assert.equal(corrupt[0].file, rotated);
    assert.equal(corrupt[0].line, 1);
    const ids = events.map((e) => (e as SearchEvent).id);
    assert.deepEqual(ids, [...ids].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))), 'oldest first');
  });

  it('exports the readable events as plain JSON Lines and counts the skipped lines', async () => {
    const log = new QueryLog(dir);
    const a = search('a');
    log.append(a);
    log.append(open(a, 1));
    await log.flush();
    fs.appendFileSync(log.file, 'not a line\n');
    const dest = path.join(tmpDir(), 'out', 'export.jsonl');
    const r = await log.exportTo(dest);
    assert.equal(r.exported, 2);
    assert.equal(r.skipped, 1);
    const lines = fs.readFileSync(dest, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines, [a, open(a, 1)]);
  });

  it('clears every file and what is queued', async () => {
    const log = new QueryLog(dir, { maxFileBytes: 2000, maxTotalBytes: 6000 });
    for (let i = 0; i < 30; i++) log.append(search(`q${i}`));
    await log.flush();
    log.append(search('queued'));
    const before = await log.sizeBytes();
    assert.ok(before > 0);
    const removed = await log.clear();
    assert.ok(removed > 0 && removed <= before);
    assert.deepEqual(logFiles(dir), []);
    assert.equal(await log.sizeBytes(), 0);
    assert.deepEqual(await log.read(), { events: [], corrupt: [] });
    log.append(search('after clear'));
    assert.equal((await log.read()).events.length, 1);
  });

  it('writes what is queued on close and ignores later appends', async () => {
    const log = new QueryLog(dir, { flushDelayMs: 60_000 });
    log.append(search('last'));
    await log.close();
    log.append(search('too late'));
    await log.flush();
    const { events } = await new QueryLog(dir).read();
    assert.deepEqual(events.map((e) => (e as SearchEvent).query), ['last']);
  });

  it('reports a background write failure and keeps working once the folder is writable again', async () => {
    const errors: Error[] = [];
    const parent = tmpDir();
    const blocked = path.join(parent, 'log');
    fs.writeFileSync(blocked, 'a file where the folder should be');
    const log = new QueryLog(blocked, { flushDelayMs: 1, onError: (e) => errors.push(e) });
    log.append(search('lost'));
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(errors.length, 1);
    await assert.rejects(() => { log.append(search('lost too')); return log.flush(); });
    fs.rmSync(blocked);
    log.append(search('kept'));
    await log.flush();
    assert.deepEqual((await log.read()).events.map((e) => (e as SearchEvent).query), ['kept']);
  });

  it('makes unique, time-ordered search ids', () => {
    const ids = Array.from({ length: 1000 }, () => newSearchId());
    assert.equal(new Set(ids).size, ids.length);
    assert.match(ids[0], /^[0-9a-z]+-[0-9a-f]{12}$/);
  });
});

describe('old feedback.jsonl migration', () => {
  const record = (query: string, files: string[], chosen: number) => JSON.stringify({
    v: 1, ts: '2024-01-02T03:04:05.000Z', source: 'sidebar', query, mode: 'keyword', showWeak: false, noRelevant: false,
    results: files.map((f, i) => ({ rank: i + 1, file: f, line: 3 + i, name: `n${i}`, kind: 'function', score: 0.5 })),
    chosen: { rank: chosen, file: files[chosen - 1], line: 2 + chosen, name: `n${chosen - 1}` },
  });

  it('turns each record into a search and an open, resolving multi-root paths by folder name', () => {
    const text = [record('q1', ['api/a.ts', 'web/b.ts'], 2), 'torn {', record('q2', ['other/x.ts'], 1), ''].join('\n');
    const { events, skipped } = legacyFeedbackEvents(text, ['/w/api', '/w/web']);
    assert.equal(skipped, 2, 'the torn line and the record whose folder is unknown');
    assert.equal(events.length, 2);
    const [s, o] = events as [SearchEvent, OpenEvent];
    assert.equal(s.t, 'search');
    assert.equal(s.query, 'q1');
    assert.equal(s.source, 'sidebar');
    assert.equal(s.migrated, true);
    assert.deepEqual(s.results.map((r) => [r.root, r.file]), [['/w/api', 'a.ts'], ['/w/web', 'b.ts']]);
    assert.equal(o.searchId, s.id);
    assert.equal(o.rank, 2);
    assert.deepEqual(o.ref, { root: '/w/web', file: 'b.ts', line: 4, name: 'n1' });
  });

  it('moves the file into the query log and deletes it', async () => {
    const base = tmpDir();
    const old = path.join(base, 'feedback.jsonl');
    fs.writeFileSync(old, record('q', ['src/a.ts'], 1) + '\n');
    const log = new QueryLog(path.join(base, 'log'));
    assert.deepEqual(await migrateLegacyFeedback(old, log, ['/ws']), { migrated: 1, skipped: 0 });
    assert.equal(fs.existsSync(old), false);
    assert.deepEqual((await log.read()).events.map((e) => e.t), ['search', 'open']);
    assert.equal(await migrateLegacyFeedback(old, log, ['/ws']), null);
  });
});
