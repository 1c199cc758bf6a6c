import { strict as assert } from 'node:assert';
import { fnv1a32 } from '../../src/core/embed/tokenizer';
import { BinaryReader, BinaryWriter } from '../../src/core/persist/binary';
import { StringColumn } from '../../src/core/persist/stringColumn';

const WORDS = ['', 'b', 'b/c', 'B', 'é', 'e', 'naïve', '😀', '\uFF21', 'a much longer string than thirteen characters'];

/** A column of these strings, saved and loaded (its rows in the dictionary), or as set (in the overlay). */
function column(strings: string[], loaded: boolean): StringColumn {
  const c = new StringColumn(strings.length, false);
  strings.forEach((s, i) => c.set(i, s));
  if (!loaded) return c;
  c.compact(Int32Array.from(strings.keys()));
  const w = new BinaryWriter();
  c.write(w, strings.length);
  return StringColumn.read(new BinaryReader(w.finish(), 'test'), strings.length, 'test', false);
}

describe('StringColumn', () => {
  for (const loaded of [false, true]) {
    it(`${loaded ? 'loaded' : 'set'} rows: each string back, equal only to itself, hashed as fnv1a32`, () => {
      const c = column(WORDS, loaded);
      WORDS.forEach((s, i) => {
        assert.equal(c.get(i), s);
        assert.equal(c.hashAt(i), fnv1a32(s), s);
        for (const other of [...WORDS, 'b/', 'naïv', 'naïvee']) assert.equal(c.equalsAt(i, other), other === s, `${s} vs ${other}`);
      });
    });
  }

  it('compacting keeps each distinct string once, sorted by UTF-8 bytes, and the rows in the order asked', () => {
    const c = column([...WORDS, ...WORDS], true);
    // one more string in the overlay, one already in the dictionary
    c.grow(WORDS.length * 2 + 2);
    c.set(WORDS.length * 2, 'zzz');
    c.set(WORDS.length * 2 + 1, 'naïve');
    const order = Int32Array.from({ length: WORDS.length * 2 + 2 }, (_, i) => WORDS.length * 2 + 1 - i);
    const before = Array.from(order, (r) => c.get(r));
    c.compact(order);
    assert.deepEqual(before.map((_, i) => c.get(i)), before);
    const w = new BinaryWriter();
    c.write(w, order.length);
    const bytes = Buffer.from(w.finish());
    const r = new BinaryReader(bytes, 'test');
    r.i32();
    const offsets = r.u32s();
    const blob = Buffer.from(r.u8());
    const dictionary = Array.from({ length: offsets.length - 1 }, (_, i) => blob.toString('utf8', offsets[i], offsets[i + 1]));
    const want = [...new Set([...WORDS, 'zzz'])].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    assert.deepEqual(dictionary, want);
  });
});
