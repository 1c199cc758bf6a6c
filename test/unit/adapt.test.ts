// The workspace adaptation: the adapter file (round trip, damage, another
// model's), query-side deltas and what they change, fine-tuning that learns a
// word's meaning, the guard refusing an adaptation that hurts, reset, zero-click
// on a workspace's doc comments, and simulate-clicks' determinism for a seed.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadEmbedder, type Embedder } from '../../src/core/embed/embedder';
import { Engine } from '../../src/core/engine';
import { adaptGuarded, guardAndSwap, resetAdaptation, splitLessons } from '../../src/core/learn/adapt';
import { type Adapter, AdapterFileError, deserializeAdapter, emptyAdapter, queryEmbedder, readAdapter, serializeAdapter } from '../../src/core/learn/adapter';
import { adapterPath, readHistory } from '../../src/core/learn/adaptStore';
import { type KeyedLesson, lessonsFromTriplets, resolveRef } from '../../src/core/learn/examples';
import { fineTuneQueryDeltas, type TrainExample } from '../../src/core/learn/fineTune';
import { simulateClicks } from '../../src/core/learn/simulate';
import { workspacePairs } from '../../src/core/learn/workspacePairs';
import { adaptToWorkspace } from '../../src/core/learn/zeroClick';
import { blankDocLines } from '../../src/core/harvest/docPairs';
import { FEATURE_COUNT } from '../../src/core/rank/features';
import { buildTestModel } from '../helpers/testModel';

const tmp = (tag: string) => fs.mkdtempSync(path.join(os.tmpdir(), `sift-adapt-${tag}-`));

function write(root: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}

// Documented functions over the test model's concept words, several per file.
const UNITS: Array<[string, string, string]> = [
  ['deleteFile', 'Removes the file from disk and erases its folder entry', 'fs.unlinkSync(path); folder.drop(path); return true;'],
  ['parseDate', 'Parses the calendar date text into a timestamp value', 'const parts = text.split("-"); return new Date(parts[0], parts[1]).getTime();'],
  ['fetchUser', 'Requests the user account from the http endpoint', 'const response = await client.fetch(url + "/user/" + id); return response.json();'],
  ['retryRequest', 'Repeats the request again with backoff after a transient timeout', 'for (let attempt = 0; attempt < 5; attempt++) { try { return await send(); } catch (e) { await sleep(backoff(attempt)); } }'],
  ['sortItems', 'Orders the items ascending with the comparator given', 'return items.slice().sort((a, b) => comparator(a, b));'],
  ['hashPassword', 'Computes the sha digest checksum of the password', 'const digest = sha(password + salt); return checksum(digest);'],
  ['sendMail', 'Sends the email message to every recipient address', 'for (const recipient of message.to) { smtp.send(recipient, message.body); }'],
  ['evictCache', 'Evicts the least recently used entries from the memo cache', 'while (store.size > max) { store.delete(lru.oldest()); } return store.size;'],
  ['logDebug', 'Prints the debug trace line to the logger output', 'if (verbose) { logger.debug(trace(line)); } return line;'],
  ['openFolder', 'Opens the directory path and lists every file inside', 'const dir = fs.opendirSync(path); const files = []; for (const f of dir) files.push(f); return files;'],
  ['loginUser', 'Checks the login credential and starts the session token', 'if (!auth.check(credential)) throw new Error("login"); return session.start(token);'],
  ['decodeHeader', 'Decodes the response header syntax with the lexer', 'const tokens = lexer.tokenize(header); return grammar.parse(tokens);'],
];

function makeWorkspace(units = UNITS, perFile = 2): string {
  const root = tmp('ws');
  for (let i = 0; i < units.length; i += perFile) {
    const body = units.slice(i, i + perFile).map(([name, doc, code]) => `/**\n * ${doc}.\n */\nexport function ${name}(path, text, items, options) {\n  const started = Date.now();\n  ${code}\n  return started;\n}\n`).join('\n');
    write(root, `src/mod${i / perFile}.js`, body);
  }
  return root;
}

describe('workspace adaptation', function () {
  this.timeout(120_000);
  let embedder: Embedder;
  let other: Embedder;
  before(async () => {
    embedder = await loadEmbedder(buildTestModel({ seed: 1, parentDir: tmp('model') }).dir);
    other = await loadEmbedder(buildTestModel({ seed: 2, parentDir: tmp('model2') }).dir);
  });
  after(async () => { await embedder?.dispose(); await other?.dispose(); });

  function sampleAdapter(): Adapter {
    const a = emptyAdapter(embedder);
    a.deltas.set('remove', Float32Array.from({ length: embedder.dim }, (_, i) => (i % 3) * 0.01 - 0.005));
    a.deltas.set('zorblat', Float32Array.from({ length: embedder.dim }, (_, i) => Math.sin(i)));
    a.linear = Float32Array.from({ length: embedder.dim * embedder.dim }, (_, i) => (i % 7) * 1e-3);
    a.rankDelta = Float64Array.from({ length: FEATURE_COUNT }, (_, i) => i / 100);
    return a;
  }

  describe('the adapter file', () => {
    it('round-trips deltas, the linear map and the ranker correction', () => {
      const a = sampleAdapter();
      const b = deserializeAdapter(serializeAdapter(a));
      assert.equal(b.modelHash, a.modelHash);
      assert.deepEqual([...b.deltas.keys()], ['remove', 'zorblat']);
      assert.deepEqual([...b.deltas.get('zorblat')!], [...a.deltas.get('zorblat')!]);
      assert.deepEqual([...b.linear!], [...a.linear!]);
      assert.deepEqual([...b.rankDelta!], [...a.rankDelta!]);
    });

    it('rejects a damaged file with a reason, and the engine then searches with the shipped model', async () => {
      const buf = serializeAdapter(sampleAdapter());
      buf[40] ^= 0xff;
      assert.throws(() => deserializeAdapter(buf), (e: Error) => e instanceof AdapterFileError && /checksum/.test(e.message));
      assert.throws(() => deserializeAdapter(buf.subarray(0, 20)), AdapterFileError);
      const root = makeWorkspace();
      const indexDir = path.join(tmp('idx'), 'index');
      fs.mkdirSync(indexDir, { recursive: true });
      fs.writeFileSync(adapterPath(indexDir), buf);
      const notes: string[] = [];
      const engine = await Engine.open({ roots: [root], indexDir, embedder, chunkThreads: 0, log: (m) => notes.push(m) });
      assert.equal(engine.adaptation, null);
      assert.ok(notes.some((n) => /adaptation not used: checksum/.test(n)), notes.join('\n'));
      await engine.index();
      assert.ok((await engine.search('remove the file', { k: 3, fixedK: true })).hits.length > 0);
      await engine.close();
    });

    it('ignores an adaptation learned for another model', async () => {
      const root = makeWorkspace();
      const indexDir = path.join(tmp('idx'), 'index');
      fs.mkdirSync(indexDir, { recursive: true });
      fs.writeFileSync(adapterPath(indexDir), serializeAdapter(emptyAdapter(other)));
      const notes: string[] = [];
      const engine = await Engine.open({ roots: [root], indexDir, embedder, chunkThreads: 0, log: (m) => notes.push(m) });
      assert.equal(engine.adaptation, null);
      assert.ok(notes.some((n) => /another model/.test(n)), notes.join('\n'));
      await engine.close();
    });
  });

  describe('query-side deltas', () => {
    it('change the vectors of queries that use the word, and only those', async () => {
      const a = emptyAdapter(embedder);
      a.deltas.set('zorblat', Float32Array.from({ length: embedder.dim }, (_, i) => (i === 0 ? 5 : 0)));
      const q = queryEmbedder(embedder, a);
      const same = async (text: string) => { const x = await embedder.embed([text]); const y = await q.embed([text]); return x.every((v, i) => Math.abs(v - y[i]) < 1e-7); };
      assert.equal(await same('remove the file'), true);
      assert.equal(await same('zorblat the file'), false);
      assert.equal(await same('zorblat'), false);
      // an empty adaptation is the shipped model
      const e = queryEmbedder(embedder, emptyAdapter(embedder));
      assert.deepEqual([...(await e.embed(['parse the date']))], [...(await embedder.embed(['parse the date']))]);
    });

    it('fine-tuning teaches a new word its meaning from a few queries, and leaves a once-seen word alone', async () => {
      const [target, ...rest] = await Promise.all(['parse date calendar timestamp', 'delete remove file unlink', 'http request fetch url', 'sort order compare rank', 'hash digest sha checksum', 'email mail smtp message']
        .map(async (t) => (await embedder.embed([t])).slice()));
      const examples: TrainExample[] = ['zorblat the input', 'zorblat a value', 'please zorblat it', 'glorp the thing'].map((query) => ({ query, positive: target, negatives: rest, weight: 1 }));
      const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);
      const start = emptyAdapter(embedder);
      const { adapter, report } = await fineTuneQueryDeltas(embedder.bag!, examples, start, { epochs: 40, lr: 0.01, l2: 0, minQueries: 3 });
      assert.ok(report.lastLoss < report.firstLoss, `loss ${report.firstLoss} → ${report.lastLoss}`);
      assert.ok(adapter.deltas.has('zorblat'));
      assert.ok(!adapter.deltas.has('glorp'), 'a word of one query gets no delta');
      assert.equal(start.deltas.size, 0, 'the starting adapter is not changed');
      const before = await embedder.embed(['zorblat']);
      const after = await queryEmbedder(embedder, adapter).embed(['zorblat']);
      assert.ok(cos(after, target) > cos(before, target) + 0.2, `cosine to the target ${cos(before, target)} → ${cos(after, target)}`);
      const beats = (q: Float32Array) => rest.every((n) => cos(q, target) > cos(q, n));
      assert.equal(beats(after), true);
    });
  });

  describe('the guard, reset and history', () => {
    let root: string;
    let indexDir: string;
    let engine: Engine;
    beforeEach(async () => {
      root = makeWorkspace();
      indexDir = path.join(tmp('idx'), 'index');
      engine = await Engine.open({ roots: [root], indexDir, embedder, chunkThreads: 0 });
      await engine.index();
    });
    afterEach(async () => { await engine.close(); });

    function lesson(query: string, name: string): KeyedLesson {
      const pairFile = fs.readdirSync(path.join(root, 'src')).find((f) => fs.readFileSync(path.join(root, 'src', f), 'utf8').includes(`function ${name}(`))!;
      const line = fs.readFileSync(path.join(root, 'src', pairFile), 'utf8').split('\n').findIndex((l) => l.includes(`function ${name}(`)) + 1;
      const key = resolveRef(engine, { root: engine.roots[0], file: `src/${pairFile}`, line, name });
      assert.notEqual(key, null, `${name} resolves`);
      return { query, positive: key!, answerKeys: [key!], hard: [], shown: [], weight: 1 };
    }

    it('refuses an adaptation that hurts the held-out queries and keeps the shipped model', async () => {
      const guard = [lesson('remove the file from disk', 'deleteFile'), lesson('erase a folder entry', 'deleteFile')];
      // a harmful adapter: "remove"/"erase"/"file" pushed toward the date parser
      const bad = emptyAdapter(embedder);
      const dateVec = (await embedder.embed(['parse date calendar timestamp'])).slice();
      for (const w of ['remove', 'erase', 'file', 'folder', 'disk', 'entry']) bad.deltas.set(w, dateVec.map((v) => v * 20));
      const rec = await guardAndSwap(engine, bad, guard, { kind: 'clicks', scorer: 'search' });
      assert.equal(rec.kept, false, rec.reason);
      assert.ok(rec.after! < rec.before!, `${rec.before} → ${rec.after}`);
      assert.equal(engine.adaptation, null);
      assert.equal(fs.existsSync(adapterPath(indexDir)), false);
      // the same guard accepts one that does not hurt
      const fine = emptyAdapter(embedder);
      const ok = await guardAndSwap(engine, fine, guard, { kind: 'clicks', scorer: 'search' });
      assert.equal(ok.kept, true, ok.reason);
      assert.equal(engine.adaptation, fine);
    });

    it('stores a kept adaptation with the index; reset goes back to the shipped model and is recorded', async () => {
      const a = sampleAdapter();
      engine.setAdaptation(a);
      await engine.close();
      engine = await Engine.open({ roots: [root], indexDir, embedder, chunkThreads: 0 });
      assert.ok(engine.adaptation);
      assert.deepEqual([...engine.adaptation!.deltas.keys()], ['remove', 'zorblat']);
      const adapted = await engine.search('zorblat remove the file', { k: 5, fixedK: true });
      const shipped = await engine.search('zorblat remove the file', { k: 5, fixedK: true }, null);
      assert.notDeepEqual(adapted.hits.map((h) => h.score), shipped.hits.map((h) => h.score), 'the adaptation is used by search');
      const rec = resetAdaptation(engine);
      assert.equal(rec.kind, 'reset');
      assert.equal(engine.adaptation, null);
      assert.equal(readAdapter(adapterPath(indexDir)), null);
      await engine.close();
      engine = await Engine.open({ roots: [root], indexDir, embedder, chunkThreads: 0 });
      assert.equal(engine.adaptation, null);
      assert.equal(readHistory(indexDir).at(-1)?.kind, 'reset');
    });

    it('rolls back an adaptation in use that has come to score below the shipped model', async () => {
      await engine.close();
      root = makeWorkspace(UNITS, 1);
      indexDir = path.join(tmp('idx'), 'index');
      engine = await Engine.open({ roots: [root], indexDir, embedder, chunkThreads: 0 });
      await engine.index();
      const lessons = UNITS.map(([name, doc]) => lesson(doc, name));
      const bad = emptyAdapter(embedder);
      const dateVec = (await embedder.embed(['parse date calendar timestamp'])).slice();
      for (const w of ['the', 'and', 'from', 'with', 'to', 'every', 'file', 'user', 'message', 'request']) bad.deltas.set(w, dateVec.map((v) => v * 30));
      engine.setAdaptation(bad);
      const r = await adaptGuarded(engine, lessons, { kind: 'clicks', scorer: 'search', minLessons: 5, fineTune: { epochs: 1 } });
      assert.equal(r.record.kept, false, r.record.reason);
      assert.equal(r.record.rolledBack, true, r.record.reason);
      assert.match(r.record.reason, /rolled back to the shipped model/);
      assert.equal(engine.adaptation, null);
      assert.equal(fs.existsSync(adapterPath(indexDir)), false);
      assert.equal(readHistory(indexDir).at(-1)?.rolledBack, true);
    });

    it('splits lessons for the guard by file: no file is on both sides', () => {
      const lessons = UNITS.map(([name, doc]) => lesson(doc, name));
      const chunks = engine.searchContext({ keywordOnly: true }).chunks;
      const fileOf = (l: KeyedLesson) => chunks.get(l.answerKeys[0])!.file;
      const { train, guard } = splitLessons(lessons, 0.3, 2, 1, fileOf);
      assert.ok(guard.length >= 2 && train.length >= 1);
      assert.equal(train.length + guard.length, lessons.length);
      const guardFiles = new Set(guard.map(fileOf));
      assert.ok(train.every((l) => !guardFiles.has(fileOf(l))));
    });

    it('turns log triplets into lessons against the index (a chunk that is gone is dropped)', () => {
      const r = engine.roots[0];
      const lessons = lessonsFromTriplets(engine, [
        { query: 'remove it', searchId: 's1', ts: '2026-01-01T00:00:00Z', positive: { root: r, file: 'src/mod0.js', line: 4, name: 'deleteFile' }, hard: [{ root: r, file: 'src/mod0.js', line: 12, name: 'parseDate' }], shown: [], weight: 0.8 },
        { query: 'gone', searchId: 's2', ts: '2026-01-01T00:00:00Z', positive: { root: r, file: 'src/nope.js', line: 1, name: 'x' }, hard: [], shown: [], weight: 1 },
      ]);
      assert.equal(lessons.length, 1);
      assert.equal(lessons[0].weight, 0.8);
      assert.equal(lessons[0].hard.length, 1);
      assert.notEqual(lessons[0].positive, lessons[0].hard[0]);
    });
  });

  describe('blanking a query\'s doc lines (the simulated developer\'s staged copy)', () => {
    it('blanks the doc comment but never the declaration, even when its words are the query\'s', () => {
      const js = ['/**', ' * Checks if a cookie object is valid for a specified URL', ' *', ' * @param {String} url URL to check for', ' */', 'match(cookie, url) {', '  return cookie.url === url;', '}'];
      assert.equal(blankDocLines(js, 1, 8, 'Checks if a cookie object is valid for a specified URL', 6), 1);
      assert.deepEqual(js, ['/**', '', ' *', ' * @param {String} url URL to check for', ' */', 'match(cookie, url) {', '  return cookie.url === url;', '}']);
      // without the declaration line, the old rule also took the declaration
      const old = ['/**', ' * Checks if a cookie object is valid for a specified URL', ' */', 'match(cookie, url) {', '}'];
      blankDocLines(old, 1, 5, 'Checks if a cookie object is valid for a specified URL');
      assert.equal(old[3], '');
    });

    it('blanks a Python docstring and keeps its quotes, so the file still parses', () => {
      const py = ['def is_valid(cookie, url):', '    """Checks if a cookie is valid for the url', '', '    More text.', '    """', '    return cookie.url == url  # is valid for the url'];
      assert.equal(blankDocLines(py, 1, 6, 'Checks if a cookie is valid for the url', 1), 1);
      assert.deepEqual(py, ['def is_valid(cookie, url):', '    """', '', '    More text.', '    """', '    return cookie.url == url  # is valid for the url']);
      const one = ['def f(x):', "    '''Checks if a cookie is valid for the url'''", '    return x'];
      blankDocLines(one, 1, 3, 'Checks if a cookie is valid for the url', 1);
      assert.equal(one[1], "    ''' '''");
    });
  });

  describe('zero-click and the simulated developer', () => {
    it('harvests the workspace\'s doc pairs with their units', async () => {
      const root = makeWorkspace();
      const pairs = await workspacePairs([root]);
      assert.equal(pairs.length, UNITS.length);
      const p = pairs.find((x) => x.name === 'sendMail')!;
      assert.match(p.query, /^Sends the email message to every recipient address/);
      assert.ok(!p.code.includes('every recipient address'), 'the code side has no doc');
      assert.ok(p.code.includes('smtp.send'));
    });

    it('zero-click adaptation runs guarded and records what it did', async () => {
      const root = makeWorkspace(UNITS, 1);
      const indexDir = path.join(tmp('idx'), 'index');
      const engine = await Engine.open({ roots: [root], indexDir, embedder, chunkThreads: 0 });
      await engine.index();
      const r = await adaptToWorkspace(engine, { minLessons: 5, minGuard: 3 });
      assert.equal(r.pairs, UNITS.length);
      assert.equal(r.record.kind, 'zero-click');
      assert.equal(typeof r.record.before, 'number');
      assert.equal(r.record.kept, r.record.after! >= r.record.before!);
      assert.equal(engine.adaptation !== null, r.record.kept);
      assert.deepEqual(readHistory(indexDir).map((h) => h.kind), ['zero-click']);
      await engine.close();
    });

    it('simulate-clicks is deterministic for a seed and never trains on held-out queries', async () => {
      const root = makeWorkspace(UNITS, 1);
      const run = (seed: number) => simulateClicks({ root, clicks: 50, seed, embedder, workDir: tmp('sim'), heldOutShare: 0.4, adapt: { minLessons: 3, minGuard: 1 } });
      const a = await run(3);
      const b = await run(3);
      const strip = (r: Awaited<ReturnType<typeof run>>) => ({ ...r, fit: r.fit ? { ...r.fit, ms: 0 } : undefined });
      assert.deepEqual(strip(a), strip(b));
      assert.ok(a.heldOutQueries > 0 && a.clicks > 0, JSON.stringify(a));
      assert.ok(a.clickedQueries + a.heldOutQueries <= UNITS.length, 'held-out and click queries are disjoint');
      assert.ok(a.clickedQueries <= a.clicks);
      assert.ok(a.searches >= a.clicks);
    });
  });
});
