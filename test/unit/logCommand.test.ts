// `sift log export` and `sift log clear` as a user runs them: the built bundle in a child process.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from '../../src/cli/args';
import { defaultIndexDir } from '../../src/cli/indexDir';
import { cliLogDir } from '../../src/cli/logCommand';
import { QueryLog } from '../../src/core/learn/queryLog';
import type { SearchEvent } from '../../src/core/learn/types';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

function sift(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function search(i: number, root: string): SearchEvent {
  return {
    t: 'search', id: `s${i}`, ts: new Date(Date.UTC(2024, 2, 1, 0, 0, i)).toISOString(), source: 'cli', query: `query ${i}`, mode: 'keyword',
    results: [{ root, file: 'src/a.ts', line: 1, name: 'a', rank: 1, kind: 'function', score: 0.4 }],
    answerSize: 1, noRelevant: false, showWeak: false, partial: false, latencyMs: 3,
  };
}

describe('sift log', function () {
  this.timeout(60000);
  let root: string;
  let cache: string;
  let logDir: string;
  let savedCache: string | undefined;
  before(function () {
    if (!fs.existsSync(CLI)) this.skip(); // built by `npm test` before the unit tests
  });
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-log-ws-'));
    cache = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-log-cache-'));
    savedCache = process.env.SIFT_CACHE_DIR;
    process.env.SIFT_CACHE_DIR = cache;
    logDir = path.join(defaultIndexDir([root]), 'log');
  });
  afterEach(() => {
    if (savedCache === undefined) delete process.env.SIFT_CACHE_DIR; else process.env.SIFT_CACHE_DIR = savedCache;
  });
  const env = () => ({ SIFT_CACHE_DIR: cache });

  it('keeps the log beside the index of the root set, or where --index-dir / --log say', () => {
    assert.equal(cliLogDir(parseArgs(['log', 'clear', '--root', root])), logDir);
    assert.equal(path.dirname(logDir).startsWith(path.join(cache, 'indexes')), true);
    assert.equal(cliLogDir(parseArgs(['log', 'clear', '--root', root, '--index-dir', '/x/idx'])), path.resolve('/x/idx/log'));
  });

  it('exports the log as JSON Lines, skipping (and naming) a corrupt line', async () => {
    const log = new QueryLog(logDir);
    const sent = [1, 2, 3].map((i) => search(i, root));
    for (const e of sent) log.append(e);
    await log.flush();
    const text = fs.readFileSync(log.file, 'utf8').split('\n');
    text[1] = text[1].replace('query 2', 'query X');
    fs.writeFileSync(log.file, text.join('\n'));

    const out = path.join(root, 'export', 'log.jsonl');
    const r = sift(['log', 'export', '--root', root, '--out', out], env());
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /exported 2 events .* \(1 corrupt line skipped\)/);
    assert.match(r.err, new RegExp(`skipped checksum line 2 of ${log.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const got = fs.readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(got, [sent[0], sent[2]]);

    const j = sift(['log', 'export', '--root', root, '--out', out, '--json'], env());
    assert.equal(j.code, 0, j.err);
    const parsed = JSON.parse(j.out);
    assert.deepEqual([parsed.exported, parsed.skipped, parsed.logDir], [2, 1, logDir]);
  });

  it('clears the log (every rotated file too) and says when there is none', async () => {
    const log = new QueryLog(logDir, { maxFileBytes: 1000, maxTotalBytes: 3000 });
    for (let i = 0; i < 20; i++) log.append(search(i, root));
    await log.flush();
    assert.ok(fs.readdirSync(logDir).length >= 2);
    const r = sift(['log', 'clear', '--root', root], env());
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /cleared the search log in .* \(\d+ KB\)/);
    assert.deepEqual(fs.readdirSync(logDir), []);
    const again = sift(['log', 'clear', '--root', root], env());
    assert.equal(again.code, 0);
    assert.match(again.out, /no search log/);
  });

  it('leaves other root sets\' logs alone', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-log-other-'));
    const otherLog = new QueryLog(path.join(defaultIndexDir([other]), 'log'));
    otherLog.append(search(1, other));
    await otherLog.flush();
    const mine = new QueryLog(logDir);
    mine.append(search(1, root));
    await mine.flush();
    assert.equal(sift(['log', 'clear', '--root', root], env()).code, 0);
    assert.equal((await otherLog.read()).events.length, 1);
    assert.equal((await mine.read()).events.length, 0);
  });

  it('fails clearly on a missing --out or an unknown log command', () => {
    const noOut = sift(['log', 'export', '--root', root], env());
    assert.equal(noOut.code, 2);
    assert.match(noOut.err, /needs --out FILE/);
    const bad = sift(['log', 'frob'], env());
    assert.equal(bad.code, 2);
    assert.match(bad.err, /unknown log command "frob"/);
    assert.equal(sift(['log'], env()).code, 2);
  });
});
