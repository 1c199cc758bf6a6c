// The CLI as a user runs it: the built bundle in a child process.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findDefaultModel } from '../../src/core/embed/embedder';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

function sift(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('sift CLI', function () {
  this.timeout(60000);
  let root: string;
  let cache: string;
  before(function () {
    if (!fs.existsSync(CLI)) this.skip(); // built by `npm test` before the unit tests
  });
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-cli-ws-'));
    cache = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-cli-cache-'));
    fs.mkdirSync(path.join(root, 'src'));
    fs.writeFileSync(path.join(root, 'src', 'retry.ts'), '/** Retry a failing call with exponential backoff. */\nexport async function retryWithBackoff(fn: () => Promise<void>, attempts = 3) {\n  for (let i = 0; i < attempts; i++) {\n    try { return await fn(); } catch { await new Promise((r) => setTimeout(r, 2 ** i * 100)); }\n  }\n}\n');
  });
  const env = () => ({ SIFT_CACHE_DIR: cache });

  it('indexes and searches with --json in the format the benchmark reads, saying the mode', () => {
    const idx = sift(['index', '--no-model', root], env());
    assert.equal(idx.code, 0, idx.err);
    assert.match(idx.out, /indexed 1 files/);
    assert.match(idx.out, /keyword only/);
    const s = sift(['search', '--no-model', '--root', root, '--json', 'retryWithBackoff'], env());
    assert.equal(s.code, 0, s.err);
    const j = JSON.parse(s.out);
    assert.equal(j.mode, 'keyword');
    assert.match(j.modeReason, /switched off with --no-model/);
    assert.deepEqual(Object.keys(j.results[0]).sort(), ['endLine', 'file', 'kind', 'name', 'score', 'startLine']);
    assert.equal(j.results[0].file, 'src/retry.ts');
    assert.equal(j.results[0].name, 'retryWithBackoff');
  });

  it('prints rank, path:line, name, kind, relevance and a snippet for people', () => {
    const s = sift(['search', '--no-model', '--root', root, 'retry with backoff'], env());
    assert.equal(s.code, 0, s.err);
    assert.match(s.out, / 1\. src\/retry\.ts:2 {2}retryWithBackoff {2}\[function\] {2}relevance \d{1,3}%/);
    assert.match(s.out, /for \(let i = 0/);
  });

  it('says so when nothing is relevant', () => {
    const s = sift(['search', '--no-model', '--root', root, 'render a pie chart of quarterly revenue'], env());
    assert.equal(s.code, 0);
    assert.match(s.out, /nothing relevant found/);
  });

  it('fails clearly on bad paths, bad arguments and empty queries', () => {
    const missing = sift(['index', path.join(root, 'nope')], env());
    assert.equal(missing.code, 3);
    assert.match(missing.err, /No such folder/);
    const file = sift(['search', '--root', path.join(root, 'src', 'retry.ts'), 'x'], env());
    assert.equal(file.code, 3);
    assert.match(file.err, /Not a folder/);
    const badOpt = sift(['search', '--frobnicate', 'x'], env());
    assert.equal(badOpt.code, 2);
    assert.match(badOpt.err, /unknown option --frobnicate/);
    const badK = sift(['search', '-k', 'zero', '--root', root, 'x'], env());
    assert.equal(badK.code, 2);
    const empty = sift(['search', '--root', root, '   '], env());
    assert.equal(empty.code, 2);
    assert.match(empty.err, /needs a query/);
    assert.equal(sift(['frob'], env()).code, 2);
  });

  it('reports and rebuilds a corrupt index, then answers', () => {
    assert.equal(sift(['index', '--no-model', root], env()).code, 0);
    const dirs = fs.readdirSync(path.join(cache, 'indexes'));
    const chunks = path.join(cache, 'indexes', dirs[0], 'chunks.bin');
    const b = fs.readFileSync(chunks); b[20] ^= 0xff; fs.writeFileSync(chunks, b);
    const st = sift(['status', '--no-model', root], env());
    assert.match(st.out, /unusable, will rebuild: chunks\.bin checksum mismatch/);
    const s = sift(['search', '--no-model', '--root', root, '--json', 'retryWithBackoff'], env());
    assert.equal(s.code, 0);
    assert.match(s.err, /rebuilt: chunks\.bin checksum mismatch/);
    assert.equal(JSON.parse(s.out).results[0].name, 'retryWithBackoff');
  });

  it('exits 4 with a message when the index folder cannot be written', () => {
    const blocker = path.join(cache, 'a-file');
    fs.writeFileSync(blocker, '');
    const r = sift(['index', '--no-model', '--index-dir', path.join(blocker, 'idx'), root], env());
    assert.equal(r.code, 4);
    assert.match(r.err, /cannot write the index/);
  });

  it('runs the shipped model in the native kernel or in onnxruntime-web, as asked, with the same answer', () => {
    const model = findDefaultModel();
    assert.ok(model, 'a model ships in models/');
    const name = JSON.parse(fs.readFileSync(path.join(model, 'manifest.json'), 'utf8')).name as string;
    const answers = ['native', 'onnxruntime'].map((runtime) => {
      const s = sift(['search', '--model', model, '--runtime', runtime, '--root', root, '--json', 'retry with backoff'], env());
      assert.equal(s.code, 0, s.err);
      const st = sift(['status', '--model', model, '--runtime', runtime, root], env());
      assert.match(st.out, new RegExp(`model: ${name}@\\S+ \\(${runtime === 'native' ? 'native kernel' : 'onnxruntime-web'}\\)`));
      return JSON.parse(s.out);
    });
    assert.equal(answers[0].mode, 'hybrid');
    assert.deepEqual(answers[1].results.map((r: { file: string }) => r.file), answers[0].results.map((r: { file: string }) => r.file));
    const bad = sift(['search', '--runtime', 'gpu', '--root', root, 'x'], env());
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--runtime must be auto, native or onnxruntime/);
  });

  it('falls back to keyword search, and says why, when the model cannot be loaded', () => {
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-cli-badmodel-'));
    const s = sift(['search', '--model', bad, '--root', root, '--json', 'retryWithBackoff'], env());
    assert.equal(s.code, 0, s.err);
    assert.match(s.err, /embedding model not loaded/);
    assert.equal(JSON.parse(s.out).mode, 'keyword');
  });
  it('an empty folder indexes, and later commands load it without "rebuilt" notes; status says when nothing was indexed yet', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-cli-empty-'));
    const before = sift(['status', empty], env());
    assert.equal(before.code, 0, before.err);
    assert.match(before.out, /mode: none yet — nothing indexed/);
    const idx = sift(['index', empty], env());
    assert.equal(idx.code, 0, idx.err);
    assert.match(idx.out, /indexed 0 files, 0 chunks/);
    for (const args of [['status', empty], ['search', '--root', empty, 'anything at all']]) {
      const r = sift(args, env());
      assert.equal(r.code, 0, r.err);
      assert.doesNotMatch(r.err, /rebuilt|missing/, `${args[0]}: ${r.err}`);
    }
    assert.match(sift(['status', empty], env()).out, /index: .*\(loaded\)/);
  });

  it('has --version, help, per-command --help with defaults and exit codes', () => {
    const v = sift(['--version']);
    assert.equal(v.code, 0);
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
    assert.equal(v.out.trim(), `sift ${pkg.version}`);
    assert.equal(sift(['version']).out.trim(), `sift ${pkg.version}`);
    const h = sift(['help']);
    assert.equal(h.code, 0);
    for (const c of ['index', 'search', 'status', 'log', 'adapt', 'simulate-clicks', 'eval']) assert.match(h.out, new RegExp(`sift ${c}`));
    assert.match(h.out, /Exit codes: 0 ok, 2 bad arguments/);
    const hs = sift(['search', '--help']);
    assert.equal(hs.code, 0);
    assert.match(hs.out, /-k N\s+most results \(default 10/);
    assert.doesNotMatch(hs.out, /sift index/);
    assert.equal(sift(['help', 'search']).out, hs.out);
    const bad = sift(['help', 'nope']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /no command "nope"/);
    assert.equal(sift([]).code, 2);
  });

  it('says the model was switched off, not missing, under --no-model', () => {
    const s = sift(['search', '--no-model', '--root', root, 'retry backoff'], env());
    assert.equal(s.code, 0, s.err);
    assert.match(s.out, /keyword only — switched off with --no-model/);
    assert.match(sift(['status', '--no-model', root], env()).out, /switched off with --no-model/);
  });

  it('lists every skipped file on request', () => {
    // binary content under a code file name: read, refused with a reason, listed
    for (let i = 0; i < 12; i++) fs.writeFileSync(path.join(root, `blob${i}.js`), Buffer.alloc(64, 0));
    const few = sift(['index', '--no-model', root], env());
    assert.equal(few.code, 0, few.err);
    assert.match(few.out, /skipped 12 file\(s\)/);
    assert.match(few.out, /… and 2 more \(--all-skipped lists them/);
    const all = sift(['index', '--no-model', '--all-skipped', root], env());
    assert.equal((all.out.match(/ {2}blob\d+\.js: /g) ?? []).length, 12, all.out);
  });

  it('refuses an index folder it cannot create, at once (/proc), with exit code 4', function () {
    if (!fs.existsSync('/proc/self')) this.skip();
    const r = spawnSync(process.execPath, [CLI, 'index', '--no-model', '--index-dir', '/proc/sift-test/index', root], { encoding: 'utf8', timeout: 20_000 });
    assert.notEqual(r.signal, 'SIGTERM', 'did not hang');
    assert.equal(r.status, 4, r.stderr);
    assert.match(r.stderr, /cannot write the index at \/proc\/sift-test\/index/);
  });

  it('says it is indexing first when a search has no index yet (not on a terminal)', () => {
    const s = sift(['search', '--no-model', '--root', root, 'retry backoff'], env());
    assert.equal(s.code, 0, s.err);
    assert.match(s.err, /indexing .* first/);
    const again = sift(['search', '--no-model', '--root', root, 'retry backoff'], env());
    assert.doesNotMatch(again.err, /indexing/);
  });

  it('adapt: zero-click from the doc comments, recorded; status says when it is in use; --reset undoes it', () => {
    const docs = ['Removes the file from disk and erases its folder entry', 'Parses the calendar date text into a timestamp value', 'Requests the user account from the http endpoint',
      'Repeats the request again with backoff after a timeout', 'Orders the items ascending with the comparator given', 'Computes the sha digest checksum of the password',
      'Sends the email message to every recipient address', 'Evicts the least recently used entries from the cache', 'Prints the debug trace line to the logger output',
      'Opens the directory path and lists every file inside', 'Checks the login credential and starts the session', 'Decodes the response header with the lexer'];
    docs.forEach((d, i) => fs.writeFileSync(path.join(root, 'src', `m${i}.ts`), `/** ${d}. */\nexport function unit${i}(input: string[], options: { limit: number }): number {\n  const started = Date.now();\n  for (const item of input) if (item.length > options.limit) return -1;\n  return Date.now() - started;\n}\n`));
    const a = sift(['adapt', '--root', root, '--json'], env());
    assert.equal(a.code, 0, a.err);
    const rec = JSON.parse(a.out);
    assert.equal(rec.kind, 'zero-click');
    assert.equal(rec.pairs, docs.length + 1);
    assert.equal(typeof rec.before, 'number');
    assert.equal(rec.kept, rec.after >= rec.before);
    const st = sift(['status', root], env());
    assert.equal(/adapted to this workspace/.test(st.out), rec.kept, st.out);
    const r = sift(['adapt', '--root', root, '--reset'], env());
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /reset/);
    assert.doesNotMatch(sift(['status', root], env()).out, /adapted/);
    const bad = sift(['adapt', '--root', root, '--no-model'], env());
    assert.equal(bad.code, 2);
    assert.match(bad.err, /cannot run with --no-model/);
    const sim = sift(['simulate-clicks'], env());
    assert.equal(sim.code, 2);
    assert.match(sim.err, /needs one --root/);
  });
});
