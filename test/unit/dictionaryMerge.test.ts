import { strict as assert } from 'node:assert';
import { compareBytes, encodeSorted, mergeDictionaries } from '../../src/core/persist/dictionaryMerge';

const entry = (bytes: Uint8Array, offsets: ArrayLike<number>, i: number) => Buffer.from(bytes.subarray(offsets[i], offsets[i + 1])).toString('utf8');
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('dictionaryMerge', () => {
  it('compareBytes orders by bytes, a prefix first', () => {
    const b = Buffer.from('abcabd');
    assert.ok(compareBytes(b, 0, 3, b, 3, 6) < 0);
    assert.ok(compareBytes(b, 3, 6, b, 0, 3) > 0);
    assert.equal(compareBytes(b, 0, 2, b, 3, 5), 0);
    assert.ok(compareBytes(b, 0, 2, b, 0, 3) < 0);
  });

  it('encodeSorted lists strings in UTF-8 byte order, not UTF-16 order', () => {
    const strings = ['😀', '\uFF21', 'b', '', 'a'];
    const e = encodeSorted(strings);
    assert.deepEqual(Array.from(e.take, (k) => entry(e.bytes, e.offsets, k)), ['', 'a', 'b', '\uFF21', '😀']);
    assert.deepEqual(Array.from(e.take, (k) => strings[k]), [...strings].sort(byBytes));
  });

  it('merges two sorted lists into one with each string once, mapping every entry taken', () => {
    const a = encodeSorted(['', 'apple', 'kiwi', 'pear', 'zebra', 'ünï']);
    const skipped = a.take.filter((k) => entry(a.bytes, a.offsets, k) === 'pear'); // an entry no row uses
    const aTake = a.take.filter((k) => entry(a.bytes, a.offsets, k) !== 'pear');
    const b = encodeSorted(['kiwi', 'banana', 'kiwi', '', 'zz', '日本']);
    const m = mergeDictionaries({ ...a, take: aTake }, b);
    const result = Array.from({ length: m.offsets.length - 1 }, (_, i) => entry(m.bytes, m.offsets, i));
    assert.deepEqual(result, ['', 'apple', 'banana', 'kiwi', 'zebra', 'zz', 'ünï', '日本']);
    assert.equal(m.offsets[m.offsets.length - 1], m.bytes.length);
    for (const k of aTake) assert.equal(result[m.fromA[k]], entry(a.bytes, a.offsets, k));
    for (const k of b.take) assert.equal(result[m.fromB[k]], entry(b.bytes, b.offsets, k));
    assert.equal(m.fromA[skipped[0]], -1);
  });

  it('merging with nothing gives the entries taken, unchanged', () => {
    const a = encodeSorted(['x', 'y', 'z']);
    const m = mergeDictionaries(a, encodeSorted([]));
    assert.deepEqual(Buffer.from(m.bytes).toString(), 'xyz');
    assert.deepEqual(Array.from(m.offsets), [0, 1, 2, 3]);
  });
});
