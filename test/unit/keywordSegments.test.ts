import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KeywordIndex, queryTerms } from '../../src/core/keyword/keywordIndex';
import { SegmentedKeywordIndex } from '../../src/core/keyword/segmentedIndex';
import { MAX_SEGMENTS } from '../../src/core/keyword/mergePolicy';
import type { KeywordCommit } from '../../src/core/keyword/segmentFormat';
import { CorruptIndexError } from '../../src/core/errors';

interface Doc { name: string; signature: string; text: string }

let seed = 17;
const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) >>> 16) % n;
const VOCAB = ['parse', 'duration', 'retry', 'request', 'format', 'date', 'cache', 'client', 'config', 'stream', 'value', 'check',
  'render', 'buffer', 'token', 'socket', 'header', 'charset', 'content', 'sync', 'queue', 'timer', 'event', 'emit'];
const word = () => (rnd(8) === 0 ? `rare${rnd(40)}` : VOCAB[Math.floor((rnd(1000) / 1000) ** 2 * VOCAB.length)]);
const camel = (ws: string[]) => ws[0] + ws.slice(1).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
function randomDoc(): Doc {
  const nameWords = Array.from({ length: 1 + rnd(3) }, word);
  const name = rnd(10) === 0 ? '' : rnd(2) ? camel(nameWords) : nameWords.join('_');
  const text = Array.from({ length: 3 + rnd(30) }, () => (rnd(3) ? word() : camel([word(), word()]))).join(' ');
  return { name, signature: rnd(2) ? `function ${name}(${word()})` : '', text };
}

const QUERIES = ['parse duration', 'retryRequest', 'cache client config', 'rare3 rare7', 'format', 'socket header charset content', 'nothing_here'];
const NAME_QUERIES = ['parseDur', 'retry', 'format da', 'pars', 'rcc', 'getCont', 'cache_cl', 'c', 'stream value', 'sc'];

/** Today's index after a save and a load: one Bm25Index, compacted, and the live names in key order. */
function reference(live: Map<number, Doc>): KeywordIndex {
  const k = new KeywordIndex();
  for (const [key, d] of [...live].sort((a, b) => a[0] - b[0])) k.add(key, d);
  return KeywordIndex.deserialize(k.serialize(), [...live].sort((a, b) => a[0] - b[0]).map(([key, d]) => [key, d.name] as [number, string]));
}

function assertSame(got: SegmentedKeywordIndex, live: Map<number, Doc>, what: string): void {
  const ref = reference(live);
  assert.equal(got.size, live.size, `${what}: size`);
  for (const q of QUERIES) {
    const terms = queryTerms(q);
    assert.deepEqual(got.search(terms, 30), ref.search(terms, 30), `${what}: search ${q}`);
    for (const key of [...live.keys()].slice(0, 40)) assert.equal(got.coverage(terms, key), ref.coverage(terms, key), `${what}: coverage ${q} ${key}`);
  }
  for (const q of NAME_QUERIES) assert.deepEqual(got.searchNames(q, 20), ref.searchNames(q, 20), `${what}: names ${q}`);
}

function tempDir(): string { return fs.mkdtempSync(path.join(os.tmpdir(), 'sift-kwseg-')); }

describe('SegmentedKeywordIndex', () => {
  it('scores and names exactly as one compacted index over the live chunks, through flushes, merges, removals, re-adds and reopening', () => {
    const dir = tempDir();
    let idx = SegmentedKeywordIndex.create(dir, { memoryBudget: 40_000 });
    const live = new Map<number, Doc>();
    let key = 0;
    let commit: KeywordCommit | null = null;
    let flushes = 0, merges = 0;
    const reopen = () => {
      flushes += idx.stats.flushes; merges += idx.stats.merges;
      idx.close();
      idx = SegmentedKeywordIndex.open(dir, commit!, { memoryBudget: 40_000 });
    };
    for (let round = 0; round < 12; round++) {
      for (let i = 0, n = 20 + rnd(120); i < n; i++) { const d = randomDoc(); idx.add(key, d); live.set(key, d); key += 1 + rnd(2); }
      const keys = [...live.keys()];
      for (let i = 0, n = rnd(40); i < n; i++) {
        const k = keys[rnd(keys.length)];
        if (!live.has(k)) continue;
        assert.equal(idx.remove(k), true);
        live.delete(k);
      }
      assertSame(idx, live, `round ${round}`);
      if (rnd(2)) {
        commit = idx.save();
        idx.removeUnreferenced();
        if (rnd(2)) { reopen(); assertSame(idx, live, `round ${round} reopened`); }
      }
    }
    const s = idx.stats;
    flushes += s.flushes; merges += s.merges;
    assert.ok(flushes > 8 && merges > 0, `${flushes} flushes, ${merges} merges`);
    assert.ok(s.segments <= MAX_SEGMENTS, JSON.stringify(s));
    idx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('flushes the in-memory segment whenever it passes the budget', () => {
    const dir = tempDir();
    const idx = SegmentedKeywordIndex.create(dir, { memoryBudget: 20_000 });
    for (let k = 0; k < 600; k++) {
      idx.add(k, randomDoc());
      assert.ok(idx.stats.memoryBytes <= 20_000, `after ${k}: ${idx.stats.memoryBytes}`);
    }
    assert.ok(idx.stats.flushes >= 10, JSON.stringify(idx.stats));
    const big = SegmentedKeywordIndex.create(tempDir());
    for (let k = 0; k < 600; k++) big.add(k, randomDoc());
    assert.equal(big.stats.flushes, 0, 'under the default budget nothing is written before save');
    idx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('renumbers keys and keeps the answers', () => {
    const dir = tempDir();
    const idx = SegmentedKeywordIndex.create(dir, { memoryBudget: 30_000 });
    const docs = new Map<number, Doc>();
    for (let k = 0; k < 400; k += 2) { const d = randomDoc(); idx.add(k, d); docs.set(k, d); }
    for (let k = 0; k < 400; k += 6) { idx.remove(k); docs.delete(k); }
    const old = [...docs.keys()].sort((a, b) => a - b);
    const remap = new Int32Array(400).fill(-1);
    old.forEach((k, i) => { remap[k] = i; });
    idx.renumber(remap, old.length);
    const live = new Map(old.map((k, i) => [i, docs.get(k)!]));
    assertSame(idx, live, 'renumbered');
    idx.add(old.length + 5, randomDoc());
    assert.throws(() => idx.add(3, randomDoc()), /keys must increase/);
    const reopened = SegmentedKeywordIndex.open(dir, idx.save());
    assert.equal(reopened.size, old.length + 1);
    assert.ok(reopened.has(old.length + 5));
    idx.close(); reopened.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the files of the last written commit until the next is written, then removes the rest', () => {
    const dir = tempDir();
    const idx = SegmentedKeywordIndex.create(dir);
    for (let k = 0; k < 50; k++) idx.add(k, randomDoc());
    const first = idx.save();
    assert.deepEqual(idx.removeUnreferenced(), []);
    idx.remove(3);
    for (let k = 50; k < 60; k++) idx.add(k, randomDoc());
    const second = idx.save();
    const names = (c: KeywordCommit) => [...c.segments.map((s) => s.name), ...(c.deletes ? [c.deletes.name] : [])];
    for (const f of [...names(first), ...names(second)]) assert.ok(fs.existsSync(path.join(dir, f)), f);
    // the first commit still opens (its manifest is the one on disk until the second is written)
    SegmentedKeywordIndex.open(dir, first).close();
    fs.writeFileSync(path.join(dir, 'kw-999.seg'), 'left by a crash');
    idx.removeUnreferenced();
    assert.deepEqual(fs.readdirSync(dir).sort(), names(second).sort());
    const back = SegmentedKeywordIndex.open(dir, second);
    assert.equal(back.size, 59);
    assert.equal(back.has(3), false);
    idx.close(); back.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('damaged files', () => {
    function saved(): { dir: string; commit: KeywordCommit } {
      const dir = tempDir();
      const idx = SegmentedKeywordIndex.create(dir);
      for (let k = 0; k < 300; k++) idx.add(k, randomDoc());
      idx.save();
      idx.remove(7);
      const commit = idx.save();
      idx.close();
      return { dir, commit };
    }
    const seg = (c: KeywordCommit) => c.segments[0].name;

    it('opens an intact commit and answers from it', () => {
      const { dir, commit } = saved();
      const idx = SegmentedKeywordIndex.open(dir, commit);
      assert.ok(idx.search(queryTerms('parse duration'), 5).length > 0);
      idx.verify();
      idx.close();
    });

    it('detects a missing, truncated or lengthened segment at open', () => {
      for (const damage of [
        (f: string) => fs.rmSync(f),
        (f: string) => fs.truncateSync(f, fs.statSync(f).size - 9),
        (f: string) => fs.appendFileSync(f, 'x'),
      ]) {
        const { dir, commit } = saved();
        damage(path.join(dir, seg(commit)));
        assert.throws(() => SegmentedKeywordIndex.open(dir, commit), CorruptIndexError);
      }
    });

    it('detects a flipped byte in the head at open, and one in a postings list when the query reads it', () => {
      const { dir, commit } = saved();
      const file = path.join(dir, seg(commit));
      const bytes = fs.readFileSync(file);
      const tail = Buffer.from(bytes); tail[bytes.length - 200] ^= 0x40;
      fs.writeFileSync(file, tail);
      assert.throws(() => SegmentedKeywordIndex.open(dir, commit), CorruptIndexError);
      // the first postings list (the file starts with postings): opening succeeds, reading it fails
      const front = Buffer.from(bytes); front[1] ^= 0x01;
      fs.writeFileSync(file, front);
      const idx = SegmentedKeywordIndex.open(dir, commit);
      const everyTerm = new Set<string>();
      for (let k = 0; k < 40; k++) for (const t of queryTerms(randomDoc().text)) everyTerm.add(t);
      assert.throws(() => { for (const t of [...everyTerm, ...VOCAB.flatMap((w) => queryTerms(w))]) idx.search([t], 5); }, CorruptIndexError);
      assert.throws(() => idx.verify(), CorruptIndexError);
      idx.close();
    });

    it('never answers from a damaged segment: a flipped byte anywhere fails open or the query that reads it, or changes nothing', () => {
      const { dir, commit } = saved();
      const file = path.join(dir, seg(commit));
      const intact = fs.readFileSync(file);
      const ask = (idx: SegmentedKeywordIndex) => JSON.stringify([...QUERIES, ...VOCAB, 'rare1 rare2'].map((q) => [
        idx.search(queryTerms(q), 50), idx.searchNames(q, 10), idx.coverage(queryTerms(q), 5),
      ]));
      const good = SegmentedKeywordIndex.open(dir, commit);
      const want = ask(good);
      good.close();
      let caught = 0;
      for (let i = 0; i < 60; i++) {
        const at = Math.floor((i + 0.5) * intact.length / 60);
        const bad = Buffer.from(intact); bad[at] ^= 0x10;
        fs.writeFileSync(file, bad);
        try {
          const idx = SegmentedKeywordIndex.open(dir, commit);
          try { assert.equal(ask(idx), want, `byte ${at} of ${intact.length} changed the answers`); } finally { idx.close(); }
        } catch (e) {
          if (!(e instanceof CorruptIndexError)) throw e;
          caught++;
        }
      }
      assert.ok(caught > 40, `${caught} of 60 flips detected`);
    });

    it('detects a damaged or missing list of removed keys', () => {
      const { dir, commit } = saved();
      const del = path.join(dir, commit.deletes!.name);
      const bytes = fs.readFileSync(del);
      bytes[bytes.length - 1] ^= 1;
      fs.writeFileSync(del, bytes);
      assert.throws(() => SegmentedKeywordIndex.open(dir, commit), CorruptIndexError);
      fs.rmSync(del);
      assert.throws(() => SegmentedKeywordIndex.open(dir, commit), CorruptIndexError);
    });
  });
});

describe('SegmentedKeywordIndex in a folder it cannot write', () => {
  it('keeps indexing in memory past the budget, and save() reports the error without losing anything', () => {
    const parent = tempDir();
    fs.writeFileSync(path.join(parent, 'file'), 'not a folder');
    const idx = SegmentedKeywordIndex.create(path.join(parent, 'file', 'index'), { memoryBudget: 10_000 });
    const live = new Map<number, Doc>();
    for (let k = 0; k < 200; k++) { const d = randomDoc(); idx.add(k, d); live.set(k, d); }
    assert.equal(idx.stats.flushes, 0);
    assert.throws(() => idx.save(), /not a folder|ENOTDIR/);
    assertSame(idx, live, 'after the failed save');
    fs.rmSync(parent, { recursive: true, force: true });
  });
});
