import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendFeedback, exportFeedback, FEEDBACK_FORMAT, readFeedback, type FeedbackRecord } from '../../src/core/feedback/feedbackLog';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sift-feedback-'));
}

function record(query: string, chosenRank: number): FeedbackRecord {
  const results = [
    { rank: 1, file: 'src/a.ts', line: 3, name: 'alpha', kind: 'function', score: 0.91 },
    { rank: 2, file: 'src/b.py', line: 10, name: 'Beta.run', kind: 'method', score: 0.52 },
  ];
  const chosen = results[chosenRank - 1];
  return {
    v: FEEDBACK_FORMAT, ts: new Date(Date.UTC(2024, 0, chosenRank)).toISOString(), source: 'quickPick', query, mode: 'keyword',
    showWeak: false, noRelevant: false, results, chosen: { rank: chosen.rank, file: chosen.file, line: chosen.line, name: chosen.name },
  };
}

describe('feedback log (JSON Lines)', () => {
  let dir: string;
  beforeEach(() => { dir = tmpDir(); });

  it('appends records (creating folders) and reads them back in order', async () => {
    const file = path.join(dir, 'nested', 'storage', 'feedback.jsonl');
    const a = record('where are tokens checked', 1);
    const b = record('run the beta job', 2);
    await appendFeedback(file, a);
    await appendFeedback(file, b);
    const text = fs.readFileSync(file, 'utf8');
    assert.equal(text.split('\n').filter(Boolean).length, 2);
    assert.ok(text.endsWith('\n'));
    const read = await readFeedback(file);
    assert.deepEqual(read.records, [a, b]);
    assert.deepEqual(read.badLines, []);
  });

  it('reads a missing file as empty', async () => {
    assert.deepEqual(await readFeedback(path.join(dir, 'none.jsonl')), { records: [], badLines: [] });
  });

  it('tolerates a torn last line, and the next append starts on a fresh line', async () => {
    const file = path.join(dir, 'feedback.jsonl');
    await appendFeedback(file, record('first', 1));
    // a crash mid-append leaves half a record without its newline
    fs.appendFileSync(file, JSON.stringify(record('torn', 2)).slice(0, 40));
    const torn = await readFeedback(file);
    assert.deepEqual(torn.records.map((r) => r.query), ['first']);
    assert.deepEqual(torn.badLines, [2]);

    await appendFeedback(file, record('after the crash', 2));
    const after = await readFeedback(file);
    assert.deepEqual(after.records.map((r) => r.query), ['first', 'after the crash']);
    assert.deepEqual(after.badLines, [2]);
  });

  it('skips lines that are JSON but not records', async () => {
    const file = path.join(dir, 'feedback.jsonl');
    fs.writeFileSync(file, '{"hello":1}\n[1,2]\n\n' + JSON.stringify(record('ok', 1)) + '\n');
    const read = await readFeedback(file);
    assert.deepEqual(read.records.map((r) => r.query), ['ok']);
    assert.deepEqual(read.badLines, [1, 2]);
  });

  it('keeps every record when many appends race', async () => {
    const file = path.join(dir, 'feedback.jsonl');
    await Promise.all(Array.from({ length: 25 }, (_, i) => appendFeedback(file, record(`q${i}`, 1 + (i % 2)))));
    const read = await readFeedback(file);
    assert.equal(read.records.length, 25);
    assert.deepEqual(new Set(read.records.map((r) => r.query)), new Set(Array.from({ length: 25 }, (_, i) => `q${i}`)));
    assert.deepEqual(read.badLines, []);
  });

  it('exports the readable records as JSON Lines', async () => {
    const file = path.join(dir, 'feedback.jsonl');
    await appendFeedback(file, record('one', 1));
    fs.appendFileSync(file, 'not json\n');
    await appendFeedback(file, record('two', 2));
    const dest = path.join(dir, 'out', 'export.jsonl');
    const res = await exportFeedback(file, dest);
    assert.deepEqual(res, { exported: 2, skipped: 1 });
    const lines = fs.readFileSync(dest, 'utf8').split('\n');
    assert.equal(lines.pop(), '');
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as FeedbackRecord).query), ['one', 'two']);
  });

  it('exports an empty file when nothing was recorded', async () => {
    const dest = path.join(dir, 'empty.jsonl');
    assert.deepEqual(await exportFeedback(path.join(dir, 'none.jsonl'), dest), { exported: 0, skipped: 0 });
    assert.equal(fs.readFileSync(dest, 'utf8'), '');
  });
});
