import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { crc32 } from '../../src/core/crc32';
import { CorruptIndexError } from '../../src/core/errors';
import { asymmetricScores, byteTables } from '../../src/core/vector/asymmetricScore';
import { createCodeKernel } from '../../src/core/vector/hammingKernel';
import { KeySlots } from '../../src/core/vector/keySlots';
import { nearestCodes } from '../../src/core/vector/nearestCodes';
import { quantizeInto } from '../../src/core/vector/quantize';
import { rowMatches } from '../../src/core/vector/rowCheck';
import { signCodeInto } from '../../src/core/vector/signCode';
import { COARSE_MIN_ROWS, type VectorCommit, VectorStore, type VectorStoreOptions } from '../../src/core/vector/vectorStore';
import { mulberry32 } from '../../training/train/random';
import { clusteredSet } from '../helpers/vectorData';

const VECTORS_BIN = 'vectors.bin';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sift-vec-'));
}

function popcount8(x: number): number {
  let n = 0;
  for (; x; x &= x - 1) n++;
  return n;
}

/** Every search a coarse store makes rescores every row: it must equal the exact scan. */
const ALL_ROWS: VectorStoreOptions = { search: 'coarse', shortlist: 1e9, rescore: 1e9 };

function storeOf(vectors: Float32Array[], options: VectorStoreOptions, firstKey = 0): VectorStore {
  const store = new VectorStore(vectors[0].length, 16, options);
  vectors.forEach((v, i) => store.upsert(firstKey + i, v));
  return store;
}

function recall(got: number[], want: number[]): number {
  const w = new Set(want);
  return got.filter((k) => w.has(k)).length / want.length;
}

function sameStore(a: VectorStore, b: VectorStore, queries: Float32Array[]): void {
  assert.equal(a.size, b.size);
  assert.deepEqual([...a.keys()].sort((x, y) => x - y), [...b.keys()].sort((x, y) => x - y));
  for (const k of a.keys()) assert.deepEqual(a.vectorOf(k), b.vectorOf(k), `vector of key ${k}`);
  for (const q of queries) assert.deepEqual(a.search(q, 20), b.search(q, 20));
}

describe('Hamming kernel (sign codes)', () => {
  it('WASM SIMD and JS give the popcount of code XOR query for every row, across growth and odd dimensions', () => {
    const rand = mulberry32(3);
    for (const dim of [8, 100, 256, 384]) {
      const bytes = Math.ceil(dim / 8);
      const wasm = createCodeKernel(dim, 5), js = createCodeKernel(dim, 5, 'js');
      assert.equal(wasm.kind, 'wasm-simd');
      const codes: Uint8Array[] = [];
      for (let i = 0; i < 1001; i++) {
        if (i >= wasm.capacity) { wasm.reserve(i * 2); js.reserve(i * 2); }
        const c = Uint8Array.from({ length: bytes }, () => (rand() * 256) | 0);
        if (dim % 8) c[bytes - 1] &= (1 << (dim % 8)) - 1;
        codes.push(c);
        wasm.setCode(i, c, 0, bytes);
        js.setCode(i, c, 0, bytes);
      }
      const q = new Uint8Array(wasm.stride);
      for (let b = 0; b < bytes; b++) q[b] = (rand() * 256) | 0;
      wasm.setQuery(q); js.setQuery(q);
      const w = wasm.distances(codes.length), j = js.distances(codes.length);
      const hist = new Int32Array(wasm.stride * 8 + 1);
      codes.forEach((c, i) => {
        let d = 0;
        for (let b = 0; b < bytes; b++) d += popcount8(c[b] ^ q[b]);
        assert.equal(w.dist[i], d, `dim ${dim} row ${i} (wasm)`);
        assert.equal(j.dist[i], d, `dim ${dim} row ${i} (js)`);
        hist[d]++;
      });
      assert.deepEqual(w.hist, hist, `dim ${dim}: histogram (wasm)`);
      assert.deepEqual(j.hist, hist, `dim ${dim}: histogram (js)`);
      // moveCode, getCode and gatherCodes keep a row's code whole
      wasm.moveCode(1000, 3);
      const back = new Uint8Array(wasm.stride);
      wasm.getCode(3, back, 0);
      assert.deepEqual(back.subarray(0, bytes), codes[1000]);
      const two = new Uint8Array(2 * wasm.stride);
      wasm.gatherCodes(Int32Array.of(17, 3), 2, two);
      assert.deepEqual(two.subarray(0, bytes), codes[17]);
      assert.deepEqual(two.subarray(wasm.stride, wasm.stride + bytes), codes[1000]);
    }
  });
});

describe('coarse pass pieces', () => {
  it('nearestCodes keeps the smallest distances, lower rows first at the cut-off, and asks accept in distance order', () => {
    const dist = Uint16Array.from([5, 1, 3, 1, 9, 3, 0, 3]);
    const keys = Uint32Array.from([50, 10, 30, 11, 90, 31, 0, 32]);
    const hist = () => { const h = new Int32Array(17); for (const d of dist) h[d]++; return h; };
    assert.deepEqual([...nearestCodes(dist, hist(), 8, 4, keys, undefined, new Int32Array(8))].sort(), [1, 2, 3, 6]);
    assert.deepEqual([...nearestCodes(dist, hist(), 8, 20, keys, undefined, new Int32Array(8))], [0, 1, 2, 3, 4, 5, 6, 7]);
    const asked: number[] = [];
    const got = nearestCodes(dist, hist(), 8, 2, keys, (k) => { asked.push(k); return k % 2 === 1; }, new Int32Array(8));
    assert.deepEqual([...got], [3, 5]);
    assert.deepEqual(asked, [0, 10, 11, 30, 31]);
    // an odd count (the last distance outside the two-per-word loop) and a view not on a 4-byte boundary
    const histOf = (d: Uint16Array) => { const h = new Int32Array(17); for (const x of d) h[x]++; return h; };
    const odd = Uint16Array.from([4, 4, 4, 4, 4, 4, 0]);
    assert.deepEqual([...nearestCodes(odd, histOf(odd), 7, 2, keys, undefined, new Int32Array(8))], [0, 6]);
    const shifted = dist.subarray(1);
    assert.deepEqual([...nearestCodes(shifted, histOf(shifted), 7, 3, keys, undefined, new Int32Array(8))].sort(), [0, 2, 5]);
    // a filter that keeps only the farthest row: found past the first reach
    assert.deepEqual([...nearestCodes(dist, hist(), 8, 1, keys, (k) => k === 90, new Int32Array(8))], [4]);
  });

  it('the byte tables give Σ q over each code’s set bits', () => {
    const rand = mulberry32(5);
    const dim = 70, bytes = Math.ceil(dim / 8);
    const q = Int8Array.from({ length: dim }, () => Math.round(rand() * 254 - 127));
    const tables = new Int32Array(bytes * 256);
    byteTables(q, dim, bytes, tables);
    const rows = Array.from({ length: 20 }, () => Int8Array.from({ length: dim }, () => Math.round(rand() * 254 - 127)));
    const codes = rows.map((r) => { const c = new Uint8Array(bytes); signCodeInto(r, 0, dim, c, 0, bytes); return c; });
    const out = new Float64Array(rows.length);
    const flat = new Uint8Array(rows.length * 16);
    codes.forEach((c, i) => flat.set(c, i * 16));
    asymmetricScores(tables, bytes, flat, 16, rows.length, out);
    rows.forEach((r, i) => {
      let want = 0;
      for (let j = 0; j < dim; j++) if (r[j] > 0) want += q[j];
      assert.equal(out[i], want);
    });
  });

  it('a row check catches every change of one byte of a row', () => {
    const rand = mulberry32(9);
    const dim = 256;
    const row = Int8Array.from({ length: dim }, (_, j) => (j % 17 === 0 ? 0 : Math.round(rand() * 254 - 127)));
    const v = Float32Array.from(row);
    const q = new Int8Array(dim);
    const scale = Math.fround(quantizeInto(v, 0, dim, q, 0, dim));
    const code = new Uint8Array(dim / 8);
    signCodeInto(q, 0, dim, code, 0, code.length);
    assert.ok(rowMatches(q, 0, dim, scale, code, 0));
    for (let j = 0; j < dim; j++) {
      for (const mask of [0x01, 0x02, 0x10, 0x40, 0x80, 0xff]) {
        const bad = q.slice();
        bad[j] ^= mask;
        assert.ok(!rowMatches(bad, 0, dim, scale, code, 0), `byte ${j} ^ ${mask}`);
      }
    }
  });
});

describe('VectorStore coarse pass', () => {
  const dim = 256;
  // queries: held-out points of the same clusters
  const all = clusteredSet(30_060, dim, 300, 0.6, 21);
  const data = all.slice(0, 30_000);
  const queries = all.slice(30_000);
  let exact: VectorStore;
  let coarse: VectorStore;
  let defaults: VectorStore;
  before(() => {
    exact = storeOf(data, { search: 'exact' });
    coarse = storeOf(data, { search: 'coarse', shortlist: 1000, rescore: 150 });
    defaults = storeOf(data, { search: 'coarse' });
  });

  it('keeps recall of the exact top 10 ≥ 0.98 on a clustered set: default sizes, and 1000 → 150 of 30K (a smaller share than the defaults take of 105K)', () => {
    assert.equal(coarse.searchMode, 'coarse');
    for (const store of [defaults, coarse]) {
      let r10 = 0;
      for (const q of queries) {
        const want = exact.search(q, 10).map((h) => h.key);
        const got = store.search(q, 10);
        r10 += recall(got.map((h) => h.key), want) / queries.length;
        // the scores are the exact ones
        const scored = store.scoreKeys(q, got.map((h) => h.key));
        got.forEach((h, i) => assert.equal(h.score, Math.fround(scored[i])));
      }
      assert.ok(r10 >= 0.98, `recall@10 ${r10}`);
    }
  });

  it('a tiny shortlist loses recall (the test above can fail)', () => {
    const tiny = storeOf(data.slice(0, 10_000), { search: 'coarse', shortlist: 10, rescore: 10 });
    const ref = storeOf(data.slice(0, 10_000), { search: 'exact' });
    let r10 = 0;
    for (const q of queries) r10 += recall(tiny.search(q, 10).map((h) => h.key), ref.search(q, 10).map((h) => h.key)) / queries.length;
    assert.ok(r10 < 0.98, `recall@10 ${r10}`);
  });

  it('honours allow(): only allowed keys, and the exact filtered top 10 as a rule', () => {
    const allow = (k: number) => k % 7 === 0;
    let r10 = 0;
    for (const q of queries) {
      const got = coarse.search(q, 10, allow);
      assert.equal(got.length, 10);
      assert.ok(got.every((h) => allow(h.key)));
      r10 += recall(got.map((h) => h.key), exact.search(q, 10, allow).map((h) => h.key)) / queries.length;
    }
    assert.ok(r10 >= 0.98, `filtered recall@10 ${r10}`);
    // a filter that keeps 3 keys finds exactly those
    const few = new Set([5, 15_000, 29_999]);
    assert.deepEqual(coarse.search(queries[0], 10, (k) => few.has(k)).map((h) => h.key).sort((a, b) => a - b), [5, 15_000, 29_999]);
  });

  it('with a shortlist of every row it equals the exact scan bit for bit, through upserts and removals', () => {
    const a = storeOf(data.slice(0, 3000), ALL_ROWS);
    const b = storeOf(data.slice(0, 3000), { search: 'exact' });
    for (const s of [a, b]) { for (let k = 0; k < 3000; k += 3) s.remove(k); s.upsert(1, data[2999]); }
    sameStore(a, b, queries.slice(0, 10));
  });

  it('below the threshold an automatic store is the exact scan, bit for bit', () => {
    const auto = storeOf(data.slice(0, 5000), {});
    const forced = storeOf(data.slice(0, 5000), { search: 'exact' });
    assert.equal(auto.searchMode, 'exact');
    for (const q of queries) assert.deepEqual(auto.search(q, 100), forced.search(q, 100));
  });

  it('an automatic store turns coarse past COARSE_MIN_ROWS rows', () => {
    const store = new VectorStore(8);
    const keys = Uint32Array.from({ length: COARSE_MIN_ROWS }, (_, i) => i);
    const vecs = new Float32Array(COARSE_MIN_ROWS * 8).map((_, i) => ((i * 7919) % 13) - 6);
    store.upsertMany(keys, vecs);
    assert.equal(store.searchMode, 'exact');
    store.upsert(COARSE_MIN_ROWS, Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
    assert.equal(store.searchMode, 'coarse');
    assert.equal(store.search(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 1)[0].score, 1);
  });
});

describe('VectorStore file: append, reopen, lazy rows', () => {
  const dim = 64;
  const all = clusteredSet(4008, dim, 40, 0.5, 5);
  const data = all.slice(0, 4000);
  const queries = all.slice(4000);
  let dir: string;
  beforeEach(() => { dir = tmpDir(); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function reopen(commit: VectorCommit, options: VectorStoreOptions = ALL_ROWS): VectorStore {
    return VectorStore.open(dir, commit, options);
  }

  it('round-trips through saves that append: upserts, replacements, removals, both modes', () => {
    for (const options of [ALL_ROWS, { search: 'exact' } as VectorStoreOptions]) {
      fs.rmSync(path.join(dir, VECTORS_BIN), { force: true });
      const store = storeOf(data.slice(0, 2000), options);
      const ref = storeOf(data.slice(0, 2000), { search: 'exact' });
      let commit = store.save(dir);
      sameStore(reopen(commit), ref, queries);
      const sizeAfterFirst = fs.statSync(path.join(dir, VECTORS_BIN)).size;
      for (const s of [store, ref]) {
        for (let k = 0; k < 300; k++) s.remove(k * 5);
        for (let k = 0; k < 200; k++) s.upsert(2000 + k, data[2000 + k]);
        s.upsert(7, data[3999]); // replaced
        s.upsert(5, data[3998]); // removed, then back
      }
      commit = store.save(dir);
      const size = fs.statSync(path.join(dir, VECTORS_BIN)).size;
      assert.ok(size > sizeAfterFirst && size < sizeAfterFirst * 1.2, `appended, not rewritten (${sizeAfterFirst} → ${size})`);
      sameStore(reopen(commit), ref, queries);
      sameStore(reopen(commit, { search: 'exact' }), ref, queries);
      sameStore(store, ref, queries);
      // nothing changed: nothing written
      assert.deepEqual(store.save(dir), commit);
      store.close();
    }
  });

  it('a reopened store keeps appending, and compacts once dead rows outnumber live ones', () => {
    const ref = storeOf(data.slice(0, 1000), { search: 'exact' });
    let commit = storeOf(data.slice(0, 1000), ALL_ROWS).save(dir);
    let store = reopen(commit);
    for (let k = 0; k < 400; k++) { store.remove(k); ref.remove(k); }
    commit = store.save(dir);
    const before = fs.statSync(path.join(dir, VECTORS_BIN)).size;
    store = reopen(commit);
    for (let k = 400; k < 700; k++) { store.remove(k); ref.remove(k); }
    commit = store.save(dir); // 700 dead of 1000 rows: rewritten with the 300 live
    const after = fs.statSync(path.join(dir, VECTORS_BIN)).size;
    assert.ok(after < before / 2, `compacted ${before} → ${after}`);
    sameStore(reopen(commit), ref, queries);
    sameStore(store, ref, queries);
  });

  it('renumbered keys are written afresh', () => {
    const store = storeOf(data.slice(0, 500), ALL_ROWS, 1000);
    store.save(dir);
    const remap = new Int32Array(1500).fill(-1);
    for (let k = 1000; k < 1500; k++) remap[k] = k - 1000;
    store.renumber(remap);
    const commit = store.save(dir);
    sameStore(reopen(commit), storeOf(data.slice(0, 500), { search: 'exact' }), queries);
  });

  it('ignores an interrupted append (bytes past the committed length) and overwrites it at the next save', () => {
    const store = storeOf(data.slice(0, 800), ALL_ROWS);
    const ref = storeOf(data.slice(0, 800), { search: 'exact' });
    const commit = store.save(dir);
    fs.appendFileSync(path.join(dir, VECTORS_BIN), Buffer.from('half a segment of garbage'.repeat(40)));
    const back = reopen(commit);
    sameStore(back, ref, queries);
    back.upsert(9000, data[900]);
    ref.upsert(9000, data[900]);
    const next = back.save(dir);
    assert.equal(fs.statSync(path.join(dir, VECTORS_BIN)).size, next.bytes);
    sameStore(reopen(next), ref, queries);
  });

  it('detects a truncated file, a damaged segment table and an old manifest after a rewrite', () => {
    const store = storeOf(data.slice(0, 800), ALL_ROWS);
    const commit = store.save(dir);
    const file = path.join(dir, VECTORS_BIN);
    const good = fs.readFileSync(file);
    fs.writeFileSync(file, good.subarray(0, good.length - 1));
    assert.throws(() => reopen(commit), CorruptIndexError);
    for (const at of [0, 5, 9, good.length - 1, good.length - 20, good.length - 100]) {
      const bad = Buffer.from(good);
      bad[at] ^= 0x04;
      fs.writeFileSync(file, bad);
      assert.throws(() => reopen(commit), CorruptIndexError, `flipped byte ${at}`);
    }
    fs.writeFileSync(file, good);
    assert.throws(() => reopen({ bytes: commit.bytes, crc32: commit.crc32 ^ 1 }), CorruptIndexError);
    // a rewrite the manifest never recorded (compaction, then a crash before the manifest)
    const again = reopen(commit);
    for (let k = 0; k < 600; k++) again.remove(k);
    again.save(dir);
    assert.throws(() => reopen(commit), CorruptIndexError);
  });

  it('detects a flipped byte in a row: read lazily (coarse) or loaded whole (exact)', () => {
    const store = storeOf(data.slice(0, 800), ALL_ROWS);
    const commit = store.save(dir);
    const file = path.join(dir, VECTORS_BIN);
    const good = fs.readFileSync(file);
    // rows of the one segment start right after the 16-byte header, in key order
    for (const [row, byte, mask] of [[0, 0, 0x80], [123, 17, 0x01], [799, 63, 0x20]]) {
      const bad = Buffer.from(good);
      bad[16 + row * dim + byte] ^= mask;
      fs.writeFileSync(file, bad);
      const lazy = reopen(commit);
      assert.throws(() => lazy.vectorOf(row), CorruptIndexError);
      assert.throws(() => lazy.search(data[row], 5), CorruptIndexError);
      assert.throws(() => reopen(commit, { search: 'exact' }), CorruptIndexError);
      lazy.close();
    }
  });

  it('opens a format-1 file (VectorStore.serialize) and writes format 2 at the next save', () => {
    const ref = storeOf(data.slice(0, 300), { search: 'exact' });
    const v1 = ref.serialize();
    fs.writeFileSync(path.join(dir, VECTORS_BIN), v1);
    const store = reopen({ bytes: v1.length, crc32: crc32(v1) });
    sameStore(store, ref, queries);
    const commit = store.save(dir);
    assert.equal(fs.readFileSync(path.join(dir, VECTORS_BIN)).readUInt32LE(4), 2);
    sameStore(reopen(commit), ref, queries);
  });

  it('serving coarse holds unsaved rows only until a save', () => {
    const store = new VectorStore(dim, 16, { search: 'coarse' });
    store.upsertMany(Uint32Array.from({ length: 4000 }, (_, i) => i), Float32Array.from(data.flatMap((v) => [...v])));
    assert.equal(store.wantsFlush, false); // 4000 × 64 bytes is under the budget
    const commit = store.save(dir);
    const back = reopen(commit, { search: 'coarse' });
    assert.deepEqual(back.vectorOf(17), store.vectorOf(17));
  });
});

describe('KeySlots', () => {
  it('maps dense and far-out keys alike, through growth, deletes and clear', () => {
    const ks = new KeySlots();
    const ref = new Map<number, number>();
    const rand = mulberry32(4);
    const keys = [0, 1, 65_535, 65_536, 2 ** 32 - 1, 3_000_000_000, 123_456];
    for (let i = 0; i < 200_000; i++) keys.push(Math.floor(rand() * 300_000));
    keys.forEach((k, i) => { ks.set(k, i); ref.set(k, i); });
    for (let i = 0; i < keys.length; i += 3) { assert.equal(ks.delete(keys[i]), ref.delete(keys[i])); }
    assert.equal(ks.delete(17_000_000), false);
    assert.equal(ks.size, ref.size);
    for (const k of [...keys, 5, 299_999, 4_000_000]) assert.equal(ks.get(k), ref.get(k), `key ${k}`);
    const seen = new Map<number, number>();
    ks.forEach((slot, key) => seen.set(key, slot));
    assert.deepEqual([...seen.entries()].sort((a, b) => a[0] - b[0]), [...ref.entries()].sort((a, b) => a[0] - b[0]));
    ks.clear();
    assert.equal(ks.size, 0);
    assert.equal(ks.has(0), false);
  });
});
