import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { crc32, crc32Js } from '../../src/core/crc32';
import { CorruptIndexError } from '../../src/core/errors';
import { createScanKernel, paddedStride, simdAvailable } from '../../src/core/vector/simdKernel';
import { VectorHit, VectorStore } from '../../src/core/vector/vectorStore';
import { mulberry32 } from '../../training/train/random';
import { clusteredSet, gaussian, randomVector } from '../helpers/vectorData';

// ---- seeded data -----------------------------------------------------------


function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0, na = 0, nb = 0;
  for (let j = 0; j < a.length; j++) {
    dot += a[j] * b[j];
    na += a[j] * a[j];
    nb += b[j] * b[j];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

function exactTopK(vectors: Map<number, Float32Array>, query: Float32Array, k: number): number[] {
  return [...vectors.entries()]
    .map(([key, v]) => ({ key, s: cosine(query, v) }))
    .sort((a, b) => b.s - a.s || a.key - b.key)
    .slice(0, k)
    .map((x) => x.key);
}

function unit(dim: number, axis: number, scale = 1): Float32Array {
  const v = new Float32Array(dim);
  v[axis] = scale;
  return v;
}

function fill(store: VectorStore, vectors: Float32Array[], firstKey = 0): Map<number, Float32Array> {
  const map = new Map<number, Float32Array>();
  vectors.forEach((v, i) => {
    store.upsert(firstKey + i, v);
    map.set(firstKey + i, v);
  });
  return map;
}

// ---- crc32 -----------------------------------------------------------------

describe('crc32', () => {
  it('matches the standard check value and the empty input (native and portable)', () => {
    for (const f of [crc32, crc32Js]) {
      assert.equal(f(new TextEncoder().encode('123456789')), 0xcbf43926);
      assert.equal(f(new Uint8Array(0)), 0);
    }
  });

  it('chains through an empty piece, even one viewing a zero-length buffer (zlib returns 0 there)', () => {
    const seed = crc32(new TextEncoder().encode('header'));
    for (const empty of [new Uint8Array(0), new Uint8Array(new Uint32Array(0).buffer, 0, 0), new Uint8Array(new ArrayBuffer(8), 8, 0)]) {
      assert.equal(crc32(empty, seed), seed);
      assert.equal(crc32Js(empty, seed), seed);
    }
  });

  it('agrees with zlib on lengths around the 8-byte blocks, and chains through seed', () => {
    const rand = mulberry32(7);
    const zlibCrc = (zlib as unknown as { crc32?: (d: Uint8Array) => number }).crc32;
    for (const len of [1, 7, 8, 9, 15, 16, 17, 1000, 4099]) {
      const data = new Uint8Array(len).map(() => Math.floor(rand() * 256));
      const whole = crc32(data);
      assert.equal(crc32Js(data), whole, `portable, length ${len}`);
      if (zlibCrc) assert.equal(whole, zlibCrc(data), `length ${len}`);
      const cut = Math.floor(len / 3);
      assert.equal(crc32(data.subarray(cut), crc32(data.subarray(0, cut))), whole, `chained at ${cut} of ${len}`);
      assert.equal(crc32Js(data.subarray(cut), crc32Js(data.subarray(0, cut))), whole, `portable chained at ${cut} of ${len}`);
      const flipped = data.slice();
      flipped[len - 1] ^= 1;
      assert.notEqual(crc32(flipped), whole);
    }
  });
});

// ---- scan kernel -------------------------------------------------------------

describe('scan kernel', () => {
  it('has WebAssembly SIMD on this Node, so the WASM path is the one under test', () => {
    assert.equal(simdAvailable(), true);
    assert.equal(createScanKernel(8, 1).kind, 'wasm-simd');
    assert.equal(createScanKernel(8, 1, 'js').kind, 'js');
  });

  it('WASM and JS give identical int32 dot products, including extremes and across growth', () => {
    const rand = mulberry32(11);
    for (const dim of [1, 5, 16, 17, 100, 384]) {
      const wasm = createScanKernel(dim, 3);
      const js = createScanKernel(dim, 3, 'js');
      assert.equal(wasm.stride, paddedStride(dim));
      assert.equal(wasm.stride % 16, 0);
      const count = 203;
      const rows: number[][] = [];
      for (let r = 0; r < count; r++) {
        // the first row is all -127 and the query all 127: the largest magnitude a row can reach
        rows.push(Array.from({ length: dim }, () => (r === 0 ? -127 : Math.floor(rand() * 255) - 127)));
      }
      // write the first 3 rows, then grow and write the rest: the first rows must survive growth
      const write = (from: number, to: number) => {
        for (const k of [wasm, js]) for (let r = from; r < to; r++) k.rows.set(rows[r], r * k.stride);
      };
      write(0, 3);
      wasm.reserve(count);
      js.reserve(count);
      write(3, count);
      for (const k of [wasm, js]) for (let j = 0; j < dim; j++) k.query[j] = 127;
      const a = Array.from(wasm.scan(count));
      const b = Array.from(js.scan(count));
      assert.deepEqual(a, b, `dim ${dim}`);
      assert.equal(a[0], -127 * 127 * dim);
      const expected = rows[5].reduce((s, x) => s + x * 127, 0);
      assert.equal(a[5], expected);
      assert.equal(wasm.scan(0).length, 0);
    }
  });
});

// ---- store semantics -----------------------------------------------------------

describe('VectorStore', () => {
  it('starts empty', () => {
    const store = new VectorStore(8);
    assert.equal(store.size, 0);
    assert.equal(store.has(0), false);
    assert.equal(store.remove(0), false);
    assert.deepEqual(store.search(unit(8, 0), 10), []);
    assert.deepEqual(Array.from(store.scoreKeys(unit(8, 0), [1])), [NaN]);
    const copy = VectorStore.deserialize(store.serialize());
    assert.equal(copy.size, 0);
    assert.equal(copy.dim, 8);
  });

  it('upserts, replaces an existing key and reports has/size', () => {
    const store = new VectorStore(4, 2);
    store.upsert(10, unit(4, 0));
    store.upsert(20, unit(4, 1));
    assert.equal(store.size, 2);
    assert.ok(store.has(10) && store.has(20) && !store.has(30));
    store.upsert(10, unit(4, 2)); // replace
    assert.equal(store.size, 2);
    const hits = store.search(unit(4, 2), 1);
    assert.equal(hits[0].key, 10);
    assert.ok(hits[0].score > 0.99);
    assert.ok(Math.abs(store.search(unit(4, 0), 2)[0].score) < 0.01, 'old direction of key 10 is gone');
  });

  it('keeps rows with their keys when removal swaps the last row into the hole', () => {
    const dim = 20;
    const store = new VectorStore(dim, 1);
    for (let k = 0; k < 6; k++) store.upsert(100 + k, unit(dim, k));
    assert.equal(store.remove(102), true); // middle
    assert.equal(store.remove(102), false);
    assert.equal(store.remove(105), true); // now the last slot
    assert.equal(store.remove(100), true); // first
    assert.equal(store.size, 3);
    assert.deepEqual([...store.keys()].sort(), [101, 103, 104]);
    for (const k of [101, 103, 104]) {
      const [best] = store.search(unit(dim, k - 100), 1);
      assert.equal(best.key, k);
      assert.ok(best.score > 0.99, `key ${k} still owns its own vector`);
    }
    store.upsert(102, unit(dim, 2)); // re-add after removal
    assert.equal(store.search(unit(dim, 2), 1)[0].key, 102);
    assert.equal(store.size, 4);
  });

  it('applies the filter, honours k and handles k larger than size', () => {
    const dim = 32;
    const normal = gaussian(mulberry32(3));
    const store = new VectorStore(dim);
    const vectors = fill(store, Array.from({ length: 50 }, () => randomVector(dim, normal)));
    const query = randomVector(dim, normal);

    const even = store.search(query, 10, (key) => key % 2 === 0);
    assert.equal(even.length, 10);
    assert.ok(even.every((h) => h.key % 2 === 0));
    const evenOnly = new Map([...vectors].filter(([key]) => key % 2 === 0));
    assert.deepEqual(even.map((h) => h.key), exactTopK(evenOnly, query, 10));

    assert.deepEqual(store.search(query, 10, () => false), []);
    assert.equal(store.search(query, 1000).length, 50);
    assert.deepEqual(store.search(query, 0), []);
    assert.deepEqual(store.search(query, -3), []);
    assert.equal(store.search(query, 2.7).length, 2);

    const all = store.search(query, 1000);
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].score >= all[i].score, 'best first');
  });

  it('breaks score ties by the smaller key, whatever the slot order', () => {
    const store = new VectorStore(16);
    for (const key of [9, 3, 7, 5]) store.upsert(key, unit(16, 1));
    store.remove(3);
    store.upsert(1, unit(16, 1));
    assert.deepEqual(store.search(unit(16, 1), 3).map((h) => h.key), [1, 5, 7]);
  });

  it('handles zero vectors without NaN and does not assume unit-length input', () => {
    const dim = 24;
    const store = new VectorStore(dim);
    store.upsert(1, new Float32Array(dim)); // zero
    store.upsert(2, unit(dim, 3, 1000));
    store.upsert(3, unit(dim, 3, 0.001));
    const hits = store.search(unit(dim, 3), 3);
    for (const h of hits) assert.ok(Number.isFinite(h.score), `key ${h.key} score ${h.score}`);
    const score = new Map(hits.map((h) => [h.key, h.score]));
    assert.equal(score.get(1), 0);
    assert.equal(score.get(2), score.get(3), 'length does not change the score');
    assert.ok(score.get(2)! > 0.999);

    const zeroQuery = store.search(new Float32Array(dim), 3);
    assert.equal(zeroQuery.length, 3);
    assert.ok(zeroQuery.every((h) => h.score === 0));
    assert.ok(Array.from(store.scoreKeys(new Float32Array(dim), [1, 2])).every((s) => s === 0));

    const tiny = new Float32Array(dim);
    tiny[0] = 1e-42; // subnormal
    store.upsert(4, tiny);
    assert.ok(store.search(unit(dim, 0), 1)[0].score > 0.99);
  });

  it('rejects bad input with clear errors and leaves the store unchanged', () => {
    const store = new VectorStore(4);
    store.upsert(1, unit(4, 0));
    assert.throws(() => store.upsert(2, new Float32Array(3)), /3 values.*dimension is 4/);
    assert.throws(() => store.upsert(2, new Float32Array([1, NaN, 0, 0])), /non-finite value \(NaN\) at index 1/);
    assert.throws(() => store.upsert(-1, unit(4, 0)), RangeError);
    assert.throws(() => store.upsert(1.5, unit(4, 0)), RangeError);
    assert.throws(() => store.upsert(2 ** 32, unit(4, 0)), RangeError);
    assert.throws(() => store.search(new Float32Array(5), 1), RangeError);
    assert.throws(() => store.search(new Float32Array([Infinity, 0, 0, 0]), 1), /non-finite/);
    assert.throws(() => store.upsertMany([2, 3], new Float32Array(7)), /2 keys need 8 values/);
    const batch = new Float32Array(8);
    batch[0] = 1;
    batch[5] = NaN;
    assert.throws(() => store.upsertMany([2, 3], batch), /key 3/);
    assert.equal(store.size, 1);
    assert.equal(store.has(2), false, 'a failing batch writes nothing');
    assert.throws(() => new VectorStore(0), RangeError);
    assert.throws(() => new VectorStore(1.5), RangeError);
    assert.throws(() => new VectorStore(8, -1), RangeError);
  });

  it('upsertMany equals one upsert per vector, and grows from a tiny capacity', () => {
    const dim = 48;
    const normal = gaussian(mulberry32(5));
    const n = 700;
    const flat = new Float32Array(n * dim);
    for (let i = 0; i < flat.length; i++) flat[i] = normal();
    const keys = Array.from({ length: n }, (_, i) => i * 3 + 1);

    const batched = new VectorStore(dim, 1);
    batched.upsertMany(keys, flat);
    const single = new VectorStore(dim, 1);
    keys.forEach((key, i) => single.upsert(key, flat.subarray(i * dim, (i + 1) * dim)));

    assert.equal(batched.size, n);
    const query = randomVector(dim, normal);
    assert.deepEqual(batched.search(query, 25), single.search(query, 25));
    for (let i = 0; i < n; i += 97) {
      assert.equal(batched.search(flat.subarray(i * dim, (i + 1) * dim), 1)[0].key, keys[i], 'each vector finds itself');
    }
  });

  it('scoreKeys returns the same scores as search, NaN for absent keys', () => {
    const dim = 64;
    const normal = gaussian(mulberry32(9));
    const store = new VectorStore(dim);
    fill(store, Array.from({ length: 40 }, () => randomVector(dim, normal)));
    const query = randomVector(dim, normal);
    const hits = store.search(query, 5);
    const scores = store.scoreKeys(query, [...hits.map((h) => h.key), 999]);
    hits.forEach((h, i) => assert.equal(scores[i], h.score));
    assert.ok(Number.isNaN(scores[5]));
  });

  for (const dim of [384, 100]) {
    it(`agrees with exact float cosine (dim ${dim}): recall@10 ≥ 0.9, scores within 0.02`, () => {
      const vectors = clusteredSet(2000, dim, 40, 0.6, 21 + dim);
      const store = new VectorStore(dim);
      const exact = fill(store, vectors);
      const normal = gaussian(mulberry32(99));
      let found = 0, total = 0, worstError = 0;
      for (let q = 0; q < 40; q++) {
        const base = vectors[(q * 37) % vectors.length];
        const query = new Float32Array(dim);
        for (let j = 0; j < dim; j++) query[j] = base[j] + 0.5 * normal();
        const hits = store.search(query, 10);
        const truth = new Set(exactTopK(exact, query, 10));
        found += hits.filter((h) => truth.has(h.key)).length;
        total += 10;
        for (const h of hits) worstError = Math.max(worstError, Math.abs(h.score - cosine(query, exact.get(h.key)!)));
      }
      assert.ok(found / total >= 0.9, `recall@10 ${found / total}`);
      assert.ok(worstError <= 0.02, `worst score error ${worstError}`);
    });
  }

  it('WASM SIMD and plain-JS stores return identical hits', () => {
    for (const dim of [100, 384, 7]) {
      const normal = gaussian(mulberry32(dim));
      const simd = new VectorStore(dim, 4);
      const js = new VectorStore(dim, 4, { kernel: 'js' });
      assert.equal(simd.kernelKind, 'wasm-simd');
      assert.equal(js.kernelKind, 'js');
      const vectors = Array.from({ length: 300 }, () => randomVector(dim, normal));
      fill(simd, vectors);
      fill(js, vectors);
      for (const key of [0, 17, 299, 150]) {
        simd.remove(key);
        js.remove(key);
      }
      for (let q = 0; q < 10; q++) {
        const query = randomVector(dim, normal);
        const filter = (key: number) => key % 3 !== 0;
        assert.deepEqual(simd.search(query, 15), js.search(query, 15), `dim ${dim}`);
        assert.deepEqual(simd.search(query, 15, filter), js.search(query, 15, filter));
      }
    }
  });
});

// ---- serialisation -------------------------------------------------------------

describe('VectorStore serialisation', () => {
  const dim = 40; // not a multiple of 16: padding must not reach the file
  function sample(): VectorStore {
    const normal = gaussian(mulberry32(13));
    const store = new VectorStore(dim);
    fill(store, Array.from({ length: 30 }, () => randomVector(dim, normal)), 1000);
    store.remove(1003);
    store.remove(1029);
    store.upsert(1003 + 1e6, randomVector(dim, normal));
    return store;
  }

  it('round-trips: same keys, same hits and scores, same bytes, compact', () => {
    const store = sample();
    const bytes = store.serialize();
    assert.equal(bytes.length, 16 + store.size * (4 + 4 + dim) + 4, 'removed rows and padding are not stored');
    const copy = VectorStore.deserialize(bytes);
    assert.equal(copy.size, store.size);
    assert.equal(copy.dim, dim);
    assert.deepEqual([...copy.keys()], [...store.keys()]);
    assert.equal(copy.has(1003), false);
    const normal = gaussian(mulberry32(77));
    for (let q = 0; q < 5; q++) {
      const query = randomVector(dim, normal);
      assert.deepEqual(copy.search(query, 30), store.search(query, 30));
    }
    assert.deepEqual(copy.serialize(), bytes);
    const js = VectorStore.deserialize(bytes, { kernel: 'js' });
    assert.equal(js.kernelKind, 'js');
    assert.deepEqual(js.serialize(), bytes);
  });

  it('stays usable after loading: upsert, remove and growth', () => {
    const copy = VectorStore.deserialize(sample().serialize());
    for (let k = 0; k < 50; k++) copy.upsert(5000 + k, unit(dim, k % dim));
    copy.remove(1000);
    assert.equal(copy.size, 29 + 50 - 1);
    const hits: VectorHit[] = copy.search(unit(dim, 7), 2);
    assert.deepEqual(hits.map((h) => h.key), [5007, 5047]);
  });

  it('reads from a view into a larger buffer', () => {
    const bytes = sample().serialize();
    const big = new Uint8Array(bytes.length + 13);
    big.set(bytes, 5);
    const copy = VectorStore.deserialize(big.subarray(5, 5 + bytes.length));
    assert.equal(copy.size, 29);
  });

  it('rejects every single flipped byte', () => {
    const bytes = sample().serialize();
    for (let i = 0; i < bytes.length; i++) {
      const bad = bytes.slice();
      bad[i] ^= 0x5a;
      assert.throws(() => VectorStore.deserialize(bad), CorruptIndexError, `byte ${i}`);
    }
  });

  it('rejects truncated, extended, wrong-magic and wrong-version buffers', () => {
    const bytes = sample().serialize();
    for (const len of [0, 3, 19, 20, bytes.length - 1]) {
      assert.throws(() => VectorStore.deserialize(bytes.subarray(0, len)), CorruptIndexError, `length ${len}`);
    }
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    assert.throws(() => VectorStore.deserialize(longer), /length/);

    const magic = bytes.slice();
    magic.set(new TextEncoder().encode('PK\u0003\u0004'), 0);
    assert.throws(() => VectorStore.deserialize(magic), (e: unknown) => e instanceof CorruptIndexError && /magic/.test(e.message));

    const version = bytes.slice();
    new DataView(version.buffer).setUint32(4, 2, true);
    assert.throws(() => VectorStore.deserialize(version), (e: unknown) => e instanceof CorruptIndexError && /version 2/.test(e.message));

    assert.throws(() => VectorStore.deserialize('SIFV' as unknown as Uint8Array), CorruptIndexError);
  });

  it('rejects a well-checksummed file that repeats a key', () => {
    const store = new VectorStore(4);
    store.upsert(1, unit(4, 0));
    store.upsert(2, unit(4, 1));
    const bytes = store.serialize();
    const view = new DataView(bytes.buffer);
    view.setUint32(20, 1, true); // second key := first key
    view.setUint32(bytes.length - 4, crc32(bytes.subarray(0, bytes.length - 4)), true);
    assert.throws(() => VectorStore.deserialize(bytes), /key 1 twice/);
  });
});
