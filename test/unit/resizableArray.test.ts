import { strict as assert } from 'node:assert';
import { holding, ResizableArray } from '../../src/core/resizableArray';

describe('ResizableArray', () => {
  it('grows in place keeping values, by a quarter at least, and shrinks exactly', () => {
    const a = new ResizableArray(Int32Array);
    assert.equal(a.capacity, 0);
    a.reserve(10);
    assert.ok(a.capacity >= 10);
    for (let i = 0; i < 10; i++) a.data[i] = i * 3;
    const before = a.capacity;
    a.reserve(before + 1);
    assert.ok(a.capacity >= Math.ceil(before * 1.25));
    assert.deepEqual([...a.data.subarray(0, 10)], Array.from({ length: 10 }, (_, i) => i * 3));
    a.fit(4);
    assert.equal(a.capacity, 4);
    assert.deepEqual([...a.data], [0, 3, 6, 9]);
    a.fit(6);
    assert.deepEqual([...a.data.subarray(0, 4)], [0, 3, 6, 9]);
  });

  it('keeps only the values asked for when it has to copy', () => {
    const a = new ResizableArray(Uint8Array, Uint8Array.of(1, 2, 3, 4));
    a.reserve(100, 2);
    assert.deepEqual([...a.data.subarray(0, 2)], [1, 2]);
    assert.equal(a.data[2], 0, 'values past `keep` are not carried over');
  });

  it('adopts an existing array (a view into a file just read) without copying until it grows', () => {
    const file = new Int32Array([5, 6, 7]);
    const a = new ResizableArray(Int32Array, file);
    assert.equal(a.data, file);
    a.reserve(3);
    assert.equal(a.data, file, 'no growth needed: still the same array');
    a.reserve(4);
    assert.notEqual(a.data.buffer, file.buffer);
    assert.deepEqual([...a.data.subarray(0, 3)], [5, 6, 7]);
    file[0] = 99;
    assert.equal(a.data[0], 5, 'independent of the adopted array after growing');
  });

  it('holds millions of values through repeated growth', () => {
    const a = new ResizableArray(Float32Array);
    let n = 0;
    for (let round = 0; round < 40; round++) {
      a.reserve(n + 100_000, n);
      const d = a.data;
      for (let i = 0; i < 100_000; i++) d[n + i] = n + i;
      n += 100_000;
    }
    const d = a.data;
    for (const i of [0, 1, 123_456, 2_999_999, n - 1]) assert.equal(d[i], i);
  });
});

describe('holding', () => {
  it('returns the array itself when the index fits, else a doubled copy with the same values', () => {
    const a = new Float32Array([1, 2, 3, 4]);
    assert.equal(holding(a, 3), a);
    const b = holding(a, 9);
    assert.ok(b instanceof Float32Array);
    assert.equal(b.length, 16);
    assert.deepEqual([...b.subarray(0, 4)], [1, 2, 3, 4]);
    assert.ok(b.subarray(4).every((v) => v === 0));
    assert.equal(holding(new Uint16Array(0), 2).length, 4);
  });
});
