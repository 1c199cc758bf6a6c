import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine, IndexWriteError } from '../../src/core/engine';
import { loadEmbedder, type Embedder } from '../../src/core/embed/embedder';
import { FILES } from '../../src/core/persist/indexStore';
import { WRITE_LOCK_FILE, WriteLockHeldError } from '../../src/core/persist/writeLock';
import { QueryError } from '../../src/core/search/search';
import { CorruptIndexError } from '../../src/core/errors';
import { buildTestModel } from '../helpers/testModel';

function tmpDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `sift-engine-${tag}-`));
}

function write(root: string, rel: string, text: string | Buffer): string {
  const abs = path.join(root, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, text);
  return abs;
}

/** A small workspace in several languages with distinct, findable units. */
function makeWorkspace(): string {
  const root = tmpDir('ws');
  write(root, 'src/auth/session.ts', `import { verify } from './jwt';

/** Checks that the bearer token of a request is valid and not expired. */
export function validateJwtToken(token: string, secret: string): boolean {
  const claims = verify(token, secret);
  return claims.exp > Date.now() / 1000;
}

export class SessionStore {
  private sessions = new Map<string, string>();
  /** Forget a user's session. */
  revoke(id: string): void {
    this.sessions.delete(id);
  }
}
`);
  write(root, 'src/util/duration.py', `"""Helpers for durations."""

def parse_duration(text):
    """Turn strings such as '5m' or '2h' into seconds."""
    unit = text[-1]
    return int(text[:-1]) * {'s': 1, 'm': 60, 'h': 3600}[unit]
`);
  write(root, 'net/retry.go', `package net

// RetryWithBackoff calls fn until it succeeds, sleeping longer after each failure.
func RetryWithBackoff(fn func() error, attempts int) error {
	var err error
	for i := 0; i < attempts; i++ {
		if err = fn(); err == nil {
			return nil
		}
	}
	return err
}
`);
  write(root, 'README.md', '# Demo\n\nA demo workspace.\n\n## Usage\n\nRun it.\n');
  return root;
}

/** The first keyword segment file of an index folder. */
function keywordSegment(dir: string): string {
  const seg = fs.readdirSync(dir).filter((f) => /^kw-\d+\.seg$/.test(f)).sort()[0];
  assert.ok(seg, 'a keyword segment');
  return path.join(dir, seg);
}

async function open(root: string, indexDir: string, embedder: Embedder | null = null): Promise<Engine> {
  return Engine.open({ roots: [root], indexDir, embedder });
}

describe('Engine (keyword mode)', function () {
  this.timeout(60000);
  let root: string;
  let indexDir: string;
  beforeEach(() => { root = makeWorkspace(); indexDir = path.join(tmpDir('idx'), 'index'); });

  it('indexes a folder and finds units by name and by words, saying it is keyword-only', async () => {
    const e = await open(root, indexDir);
    const stats = await e.index();
    assert.equal(stats.files, 4);
    assert.ok(stats.chunks >= 6, `chunks ${stats.chunks}`);
    const byName = await e.search('validateJwtToken');
    assert.equal(byName.mode, 'keyword');
    assert.match(byName.modeReason ?? '', /no embedding model/);
    assert.equal(byName.hits[0].file, 'src/auth/session.ts');
    assert.equal(byName.hits[0].name, 'validateJwtToken');
    assert.equal(byName.hits[0].declLine, 4);
    const byWords = await e.search('parse duration');
    assert.equal(byWords.hits[0].file, 'src/util/duration.py');
    assert.ok(byWords.hits[0].matchedTerms.length > 0);
  });

  it('re-opened and warmed up, answers as before and takes an edited file at once', async () => {
    const first = await open(root, indexDir);
    await first.index();
    const before = await first.search('validateJwt');
    await first.close();
    const e = await open(root, indexDir);
    await e.warmUp();
    assert.deepEqual((await e.search('validateJwt')).hits, before.hits);
    const file = write(root, 'src/auth/refresh.ts', 'export function refreshSessionCookie(c: string): string {\n  return c;\n}\n');
    await e.updateFiles([file]);
    assert.equal((await e.search('refreshSessionCookie')).hits[0].file, 'src/auth/refresh.ts');
  });

  it('says nothing relevant rather than listing junk, and shows closest matches when asked', async () => {
    const e = await open(root, indexDir);
    await e.index();
    const none = await e.search('render a histogram of pixel colours');
    assert.equal(none.noRelevant, true);
    assert.equal(none.hits.length, 0);
    const weak = await e.search('render a histogram of pixel colours', { showWeak: true });
    assert.equal(weak.noRelevant, true);
    assert.ok(weak.hits.length >= 0);
  });

  it('re-indexing an unchanged tree touches nothing; a changed file is the only one re-chunked', async () => {
    const e = await open(root, indexDir);
    await e.index();
    const again = await e.index();
    assert.equal(again.changedFiles, 0);
    assert.equal(again.removedFiles, 0);
    // same content, new mtime: hashed, found unchanged
    const py = path.join(root, 'src/util/duration.py');
    fs.utimesSync(py, new Date(), new Date(Date.now() + 5000));
    assert.equal((await e.index()).changedFiles, 0);
    fs.appendFileSync(py, '\ndef format_duration(seconds):\n    """Render seconds as text."""\n    return f"{seconds}s"\n');
    const third = await e.index();
    assert.equal(third.changedFiles, 1);
    assert.equal((await e.search('format_duration')).hits[0].name, 'format_duration');
  });

  it('updates single files: a new file becomes searchable, a deleted one disappears', async () => {
    const e = await open(root, indexDir);
    await e.index();
    const added = write(root, 'src/billing/invoice.ts', 'export function computeInvoiceTotal(lines: number[]): number {\n  return lines.reduce((a, b) => a + b, 0);\n}\n');
    await e.updateFiles([added]);
    assert.equal((await e.search('computeInvoiceTotal')).hits[0].file, 'src/billing/invoice.ts');
    fs.rmSync(added);
    const st = await e.updateFiles([added]);
    assert.equal(st.removedFiles, 1);
    const after = await e.search('computeInvoiceTotal', { showWeak: true });
    assert.ok(!after.hits.some((h) => h.file === 'src/billing/invoice.ts'));
  });

  it('shows snippets from the source file, and marks a hit whose file changed since indexing instead of showing other lines', async () => {
    const e = await open(root, indexDir);
    await e.index();
    // the size status reports is the whole folder's: the keyword segments counted too
    const folderBytes = fs.readdirSync(indexDir).reduce((n, f) => n + fs.statSync(path.join(indexDir, f)).size, 0);
    assert.ok(fs.readdirSync(indexDir).some((f) => /^kw-\d+\.seg$/.test(f)));
    assert.equal(e.status().diskBytes, folderBytes);
    const hit = (await e.search('validateJwtToken')).hits[0];
    assert.equal(hit.name, 'validateJwtToken');
    assert.equal(hit.stale, undefined);
    assert.match(hit.snippet, /^export function validateJwtToken\(token: string, secret: string\): boolean \{/);
    assert.ok(!fs.readdirSync(indexDir).some((f) => f.startsWith('texts')), 'no copy of the texts in the index');
    // edited on disk, not yet re-indexed: the old lines are gone, and the hit says so
    const file = path.join(root, 'src/auth/session.ts');
    fs.writeFileSync(file, '\n\n' + fs.readFileSync(file, 'utf8'));
    const stale = (await e.search('validateJwtToken')).hits[0];
    assert.equal(stale.name, 'validateJwtToken');
    assert.equal(stale.stale, true);
    assert.equal(stale.snippet, '');
    await e.updateFiles([file]);
    const fresh = (await e.search('validateJwtToken')).hits[0];
    assert.equal(fresh.stale, undefined);
    assert.equal(fresh.declLine, hit.declLine + 2);
    assert.equal(fresh.snippet, hit.snippet);
  });

  it('writes only while it holds the index folder\'s write lock: a live holder is named, a dead one\'s lock is taken over', async () => {
    const e = await open(root, indexDir);
    fs.mkdirSync(indexDir, { recursive: true });
    const lockFile = path.join(indexDir, WRITE_LOCK_FILE);
    // pid 1 is alive on any host; the lock names this host, so it is not taken for stale
    fs.writeFileSync(lockFile, JSON.stringify({ pid: 1, hostname: os.hostname(), startedAt: new Date().toISOString() }));
    await assert.rejects(e.index(), (err: Error) => err instanceof WriteLockHeldError && /held by process 1/.test(err.message));
    assert.ok(!fs.existsSync(path.join(indexDir, FILES.manifest)), 'nothing written');
    // a holder that died: its lock is stale and taken over
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    fs.writeFileSync(lockFile, JSON.stringify({ pid: Number(dead.stdout), hostname: os.hostname(), startedAt: new Date().toISOString() }));
    const st = await e.index();
    assert.ok(st.chunks > 0);
    assert.ok(!fs.existsSync(lockFile), 'released after the run');
  });

  it('a damaged postings block found by a query fails that query clearly, and the next run rebuilds the index', async () => {
    const e = await open(root, indexDir);
    await e.index();
    await e.close();
    // the postings come first in a segment and are read only when a query asks for their term
    const f = keywordSegment(indexDir);
    const b = fs.readFileSync(f);
    for (let i = 0; i < 64; i++) b[i] ^= 0x5a;
    fs.writeFileSync(f, b);
    const notes: string[] = [];
    const e2 = await Engine.open({ roots: [root], indexDir, embedder: null, log: (m) => notes.push(m) });
    assert.equal(e2.openReport.state, 'loaded', 'open reads only the heads');
    let failed = 0;
    for (const q of ['validateJwtToken', 'retry with backoff', 'parse duration', 'session store revoke', 'usage demo']) {
      try { await e2.search(q); } catch (err) { assert.ok(err instanceof CorruptIndexError, String(err)); assert.match((err as Error).message, /rebuil/); failed++; }
    }
    assert.ok(failed > 0, 'some query read the damaged block');
    assert.ok(notes.some((n) => /damaged/.test(n)));
    const st = await e2.index();
    assert.equal(st.changedFiles, st.files, 'every file indexed again');
    assert.equal((await e2.search('validateJwtToken')).hits[0].name, 'validateJwtToken');
  });

  it('persists and reloads the index with identical results', async () => {
    const e = await open(root, indexDir);
    await e.index();
    const before = await e.search('retry with backoff');
    await e.close();
    const e2 = await open(root, indexDir);
    assert.equal(e2.openReport.state, 'loaded');
    assert.equal(e2.chunkCount, e.chunkCount);
    const after = await e2.search('retry with backoff');
    assert.deepEqual(after.hits.map((h) => [h.file, h.startLine, h.score]), before.hits.map((h) => [h.file, h.startLine, h.score]));
    assert.equal((await e2.index()).changedFiles, 0);
  });

  for (const [what, damage] of [
    ['a flipped byte in a keyword segment\'s head', (d: string) => { const f = keywordSegment(d); const b = fs.readFileSync(f); b[b.length - 24] ^= 0xff; fs.writeFileSync(f, b); }],
    ['a keyword segment cut short', (d: string) => { const f = keywordSegment(d); fs.truncateSync(f, fs.statSync(f).size - 1); }],
    ['a missing keyword segment', (d: string) => { fs.rmSync(keywordSegment(d)); }],
    ['a truncated chunk list', (d: string) => { const f = path.join(d, FILES.chunks); fs.truncateSync(f, fs.statSync(f).size >> 1); }],
    ['a manifest of another format version', (d: string) => { const f = path.join(d, FILES.manifest); const m = JSON.parse(fs.readFileSync(f, 'utf8')); m.format = 999; fs.writeFileSync(f, JSON.stringify(m)); }],
    ['a manifest that is not JSON', (d: string) => { fs.writeFileSync(path.join(d, FILES.manifest), '{not json'); }],
    ['a missing data file', (d: string) => { fs.rmSync(path.join(d, FILES.files)); }],
  ] as Array<[string, (d: string) => void]>) {
    it(`detects ${what}, reports it and rebuilds`, async () => {
      const e = await open(root, indexDir);
      await e.index();
      await e.close();
      damage(indexDir);
      const notes: string[] = [];
      const e2 = await Engine.open({ roots: [root], indexDir, embedder: null, log: (m) => notes.push(m) });
      assert.equal(e2.openReport.state, 'rebuild');
      assert.ok(e2.openReport.reason && e2.openReport.reason.length > 5);
      assert.equal(notes.length, 1);
      assert.equal(e2.chunkCount, 0, 'nothing half-loaded');
      await e2.index();
      assert.equal((await e2.search('validateJwtToken')).hits[0].name, 'validateJwtToken');
      const e3 = await open(root, indexDir);
      assert.equal(e3.openReport.state, 'loaded');
    });
  }

  it('rejects an empty query clearly and survives a 10,000-character one', async () => {
    const e = await open(root, indexDir);
    await e.index();
    await assert.rejects(e.search('   '), QueryError);
    const long = 'session token '.repeat(800).slice(0, 10000);
    const res = await e.search(long);
    assert.ok(Array.isArray(res.hits));
  });

  it('indexes an empty folder without error', async () => {
    const empty = tmpDir('empty');
    const e = await open(empty, indexDir);
    const st = await e.index();
    assert.equal(st.files, 0);
    assert.equal((await e.search('anything')).hits.length, 0);
    // and it loads again as it was saved, not as a damaged index to rebuild
    await e.close();
    const again = await open(empty, indexDir);
    assert.equal(again.openReport.state, 'loaded', again.openReport.reason);
  });

  it('clear() leaves no "last updated" behind', async () => {
    const e = await open(root, indexDir);
    await e.index();
    assert.notEqual(e.status().lastUpdated, null);
    e.clear();
    assert.equal(e.status().lastUpdated, null);
    assert.equal(e.status().chunks, 0);
  });

  it('refuses a missing root with a clear message', async () => {
    await assert.rejects(open(path.join(root, 'nope'), indexDir), /No such folder/);
  });

  it('skips bad files with reasons and keeps everything else', async () => {
    write(root, 'bin/blob.dat.js', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3]));
    write(root, 'dist2/bundle.js', 'var a=1;'.repeat(20000));
    write(root, 'latin1.py', Buffer.concat([Buffer.from('def caf'), Buffer.from([0xe9]), Buffer.from('_menu():\n    return 1\n')]));
    write(root, 'broken.ts', 'export function ((( {{{ class >>> ;;; \n'.repeat(50));
    write(root, 'deep.js', 'function deepNest() {\n' + '  [\n'.repeat(3000) + '  ]\n'.repeat(3000) + '}\n');
    const big = path.join(root, 'huge.ts');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 50 * 1024 * 1024);
    fs.symlinkSync(root, path.join(root, 'src', 'loop'));
    const e = await open(root, indexDir);
    const st = await e.index();
    const reasons = new Map(st.skipped.map((s) => [s.rel, s.reason]));
    assert.match(reasons.get('bin/blob.dat.js') ?? '', /binary/i);
    assert.match(reasons.get('dist2/bundle.js') ?? '', /minified/i);
    assert.match(reasons.get('huge.ts') ?? '', /MB|bytes|large/i);
    assert.ok([...reasons.keys()].some((k) => k.startsWith('src/loop')), `symlink loop reported: ${JSON.stringify([...reasons])}`);
    assert.equal((await e.search('validateJwtToken')).hits[0].name, 'validateJwtToken');
    assert.ok((await e.search('caf menu', { showWeak: true })).hits.some((h) => h.file === 'latin1.py'));
    assert.ok((await e.search('deepNest', { showWeak: true })).hits.some((h) => h.file === 'deep.js'));
  });

  it('keeps a file\'s chunks searchable when it vanishes between listing and reading, then drops it', async () => {
    const e = await open(root, indexDir);
    await e.index();
    const go = path.join(root, 'net/retry.go');
    fs.rmSync(go);
    const st = await e.updateFiles([go]);
    assert.equal(st.removedFiles, 1);
    assert.ok(!(await e.search('RetryWithBackoff', { showWeak: true })).hits.some((h) => h.file === 'net/retry.go'));
    assert.equal((await e.search('validateJwtToken')).hits[0].name, 'validateJwtToken');
  });

  it('reports an index folder it cannot write, keeps serving from memory and loses nothing on disk', async () => {
    const e = await open(root, indexDir);
    await e.index();
    const goodManifest = fs.readFileSync(path.join(indexDir, FILES.manifest));
    // make the folder unwritable in a way that also holds for root: replace it by a read-only bind… simulated by a file
    const blocked = path.join(tmpDir('ro'), 'file-not-folder');
    fs.writeFileSync(blocked, 'x');
    const e2 = await Engine.open({ roots: [root], indexDir: path.join(blocked, 'index'), embedder: null });
    await assert.rejects(e2.index(), IndexWriteError);
    assert.equal((await e2.search('validateJwtToken')).hits[0].name, 'validateJwtToken');
    assert.deepEqual(fs.readFileSync(path.join(indexDir, FILES.manifest)), goodManifest);
  });
});

describe('Engine (hybrid mode, real ONNX model)', function () {
  this.timeout(120000);
  let root: string;
  let indexDir: string;
  let modelA: Embedder;
  let modelB: Embedder;
  before(async () => {
    modelA = await loadEmbedder(buildTestModel({ seed: 1, parentDir: tmpDir('modelA') }).dir);
    modelB = await loadEmbedder(buildTestModel({ seed: 2, parentDir: tmpDir('modelB') }).dir);
  });
  after(async () => { await modelA?.dispose(); await modelB?.dispose(); });
  beforeEach(() => { root = makeWorkspace(); indexDir = path.join(tmpDir('idx'), 'index'); });

  it('embeds every chunk and searches in hybrid mode', async () => {
    const e = await open(root, indexDir, modelA);
    const st = await e.index();
    assert.equal(st.embeddedChunks, st.chunks);
    const res = await e.search('validateJwtToken');
    assert.equal(res.mode, 'hybrid');
    assert.equal(res.modeReason, undefined);
    assert.equal(res.hits[0].name, 'validateJwtToken');
    assert.equal(e.status().embedded, st.chunks);
    const prose = await e.search('remove a session', { showWeak: true });
    for (let i = 1; i < prose.hits.length; i++) assert.ok(prose.hits[i].score <= prose.hits[i - 1].score, 'scores follow the ranking');
  });

  it('re-embeds from the source files when the model changes, and only then; a file edited meanwhile is indexed as it is now', async () => {
    const e = await open(root, indexDir, modelA);
    const first = await e.index();
    await e.close();
    const same = await open(root, indexDir, modelA);
    assert.equal(same.openReport.reembed, 0);
    assert.equal((await same.index()).embeddedChunks, 0);
    const other = await open(root, indexDir, modelB);
    assert.equal(other.openReport.state, 'loaded');
    assert.equal(other.openReport.reembed, first.chunks);
    const st = await other.index();
    assert.equal(st.changedFiles, 0, 'no file changed');
    assert.equal(st.embeddedChunks, first.chunks);
    assert.equal(other.status().embedded, first.chunks);
    await other.close();

    // the texts to embed are read from the files: one edited before the re-embedding is indexed as it is now
    const back = await open(root, indexDir, modelA);
    assert.equal(back.openReport.reembed, first.chunks);
    write(root, 'net/retry.go', 'package net\n\n// DialWithTimeout opens a connection or gives up.\nfunc DialWithTimeout(addr string) error {\n\treturn nil\n}\n');
    const again = await back.index();
    assert.equal(again.changedFiles, 1);
    assert.equal(back.status().embedded, back.chunkCount);
    const res = await back.search('DialWithTimeout');
    assert.equal(res.hits[0].name, 'DialWithTimeout');
    assert.equal((await back.search('RetryWithBackoff', { showWeak: true })).hits.some((h) => h.name === 'RetryWithBackoff'), false);
  });

  for (const [what, damage] of [
    ['a flipped byte in the vector rows', (f: string) => { const b = fs.readFileSync(f); b[b.length - 40] ^= 0x5a; fs.writeFileSync(f, b); }],
    ['a vector file cut short', (f: string) => { fs.truncateSync(f, fs.statSync(f).size - 100); }],
    ['a vector header whose dimension disagrees with the rows', (f: string) => { const b = fs.readFileSync(f); b.writeUInt32LE(b.readUInt32LE(8) + 1, 8); fs.writeFileSync(f, b); }],
  ] as Array<[string, (file: string) => void]>) {
    it(`detects ${what}, reports it and rebuilds, hybrid again`, async () => {
      const e = await open(root, indexDir, modelA);
      await e.index();
      await e.close();
      damage(path.join(indexDir, FILES.vectors));
      const e2 = await open(root, indexDir, modelA);
      assert.equal(e2.openReport.state, 'rebuild');
      assert.match(e2.openReport.reason ?? '', /vector/);
      assert.equal(e2.chunkCount, 0, 'nothing half-loaded');
      const st = await e2.index();
      assert.equal(st.embeddedChunks, st.chunks);
      const res = await e2.search('validateJwtToken');
      assert.equal(res.mode, 'hybrid');
      assert.equal(res.hits[0].name, 'validateJwtToken');
    });
  }

  it('gives live chunks compact keys again after many re-chunkings, with the same answers', async () => {
    const e = await open(root, indexDir, modelA);
    await e.index();
    const gen = path.join(root, 'src', 'generated.ts');
    const notes: string[] = [];
    (e as unknown as { log: (m: string) => void }).log = (m) => notes.push(m);
    // 60 versions of a 90-function file: ~5,400 keys issued for ~100 live chunks
    for (let v = 0; v < 60; v++) {
      const fns = Array.from({ length: 90 }, (_, i) => `export function step${i}Version${v}(x: number): number {\n  return x * ${i} + ${v};\n}\n`);
      fs.writeFileSync(gen, fns.join('\n'));
      await e.updateFiles([gen]);
    }
    const before = await e.search('validateJwtToken');
    const prose = await e.search('remove expired sessions', { showWeak: true });
    e.save();
    assert.ok(notes.some((n) => /renumbered/.test(n)), 'keys were renumbered');
    const st = e.status();
    const after = await e.search('validateJwtToken');
    assert.deepEqual(after.hits, before.hits);
    assert.deepEqual((await e.search('remove expired sessions', { showWeak: true })).hits, prose.hits);
    assert.equal((await e.search('step17Version59')).hits[0].name, 'step17Version59');
    // new chunks after renumbering, and a reload
    fs.writeFileSync(gen, 'export function freshAfterRenumbering(): void {}\n');
    await e.updateFiles([gen]);
    assert.equal((await e.search('freshAfterRenumbering')).hits[0].name, 'freshAfterRenumbering');
    const final = await e.search('validateJwtToken');
    e.save();
    await e.close();
    const again = await open(root, indexDir, modelA);
    assert.equal(again.openReport.state, 'loaded');
    assert.equal(again.chunkCount, st.chunks - 90 + 1);
    assert.equal((await again.search('freshAfterRenumbering')).hits[0].name, 'freshAfterRenumbering');
    assert.deepEqual((await again.search('validateJwtToken')).hits, final.hits);
    assert.equal((await again.index()).changedFiles, 0);
  });

  it('falls back to keyword search from a hybrid index when opened without a model', async () => {
    const e = await open(root, indexDir, modelA);
    await e.index();
    const kw = await open(root, indexDir, null);
    assert.equal(kw.openReport.state, 'loaded');
    const res = await kw.search('validateJwtToken');
    assert.equal(res.mode, 'keyword');
    assert.equal(res.hits[0].name, 'validateJwtToken');
  });
});
