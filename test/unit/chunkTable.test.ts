import { strict as assert } from 'node:assert';
import { CorruptIndexError } from '../../src/core/errors';
import { ChunkTable } from '../../src/core/persist/chunkTable';
import type { StoredChunk } from '../../src/core/persist/indexStore';

function chunk(key: number, over: Partial<StoredChunk> = {}): StoredChunk {
  return {
    key, root: key % 3, file: `src/mod${key % 5}.ts`, startLine: key + 1, endLine: key + 4, declLine: key + 2,
    kind: key % 2 ? 'method' : 'function', name: `name${key}`, language: key % 4 ? 'typescript' : 'python',
    signature: `function name${key}(a: number): string — ünïcode ✓`, context: key % 2 ? [`class Outer${key % 3} {`, 'namespace N'] : [],
    text: { offset: key * 1000, length: 17 + key }, ...over,
  };
}

function concat(pieces: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(pieces.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
}

describe('ChunkTable', () => {
  it('gives back every field of what was added, parts and multi-entry contexts included', () => {
    const t = new ChunkTable();
    const all = [chunk(0), chunk(1), chunk(7, { part: { index: 2, count: 3 } }), chunk(2 ** 20, { text: { offset: 5e9, length: 3 } })];
    for (const c of all) t.add(c);
    assert.equal(t.size, 4);
    for (const c of all) assert.deepEqual(t.get(c.key), c);
    assert.equal(t.get(3), undefined);
    assert.equal(t.has(3), false);
    assert.equal(t.name(7), 'name7');
    assert.equal(t.file(7), 'src/mod2.ts');
    assert.equal(t.language(0), 'python');
    assert.equal(t.language(99), undefined);
    assert.deepEqual([...t.languages()].sort(), ['python', 'typescript']);
    assert.throws(() => t.add(chunk(1)), /already present/);
    assert.throws(() => t.add(chunk(8, { kind: 'nonsense' as StoredChunk['kind'] })), /unknown kind/);
  });

  it('a record handed out is a copy: changing it changes nothing', () => {
    const t = new ChunkTable();
    t.add(chunk(1));
    const c = t.get(1)!;
    c.name = 'changed';
    c.context.push('x');
    assert.deepEqual(t.get(1), chunk(1));
  });

  it('removes chunks in any order, keeping the rest intact; keys may return', () => {
    const t = new ChunkTable();
    const live = new Map<number, StoredChunk>();
    for (let k = 0; k < 200; k++) { t.add(chunk(k)); live.set(k, chunk(k)); }
    for (const k of [0, 199, 57, 58, 100, 1]) { assert.equal(t.delete(k), true); live.delete(k); }
    assert.equal(t.delete(57), false);
    t.add(chunk(57, { name: 'back' }));
    live.set(57, chunk(57, { name: 'back' }));
    assert.equal(t.size, live.size);
    for (const [k, c] of live) assert.deepEqual(t.get(k), c);
    assert.deepEqual(new Set(t.keys()), new Set(live.keys()));
    assert.deepEqual([...t.values()].map((c) => c.key).sort((a, b) => a - b), [...live.keys()].sort((a, b) => a - b));
    t.setText(58 + 1, { offset: 12, length: 34 });
    assert.deepEqual(t.text(59), { offset: 12, length: 34 });
  });

  it('round-trips through its file, and refuses damaged ones', () => {
    const t = new ChunkTable();
    for (let k = 0; k < 300; k++) t.add(chunk(k * 2, k % 10 === 0 ? { part: { index: 1, count: 2 } } : {}));
    t.delete(10);
    const bytes = concat(t.serializePieces());
    const back = ChunkTable.deserialize(bytes);
    assert.equal(back.size, t.size);
    for (const c of t.values()) assert.deepEqual(back.get(c.key), c);
    assert.deepEqual(concat(back.serializePieces()), bytes, 'stable bytes');

    assert.throws(() => ChunkTable.deserialize(bytes.subarray(0, bytes.length - 9)), CorruptIndexError);
    assert.throws(() => ChunkTable.deserialize(new Uint8Array(3)), CorruptIndexError);
    const wrongMagic = bytes.slice(); wrongMagic[0] ^= 0xff;
    assert.throws(() => ChunkTable.deserialize(wrongMagic), CorruptIndexError);
    // a key listed twice
    const dupTable = new ChunkTable();
    dupTable.add(chunk(1001)); dupTable.add(chunk(1002));
    const dup = concat(dupTable.serializePieces());
    const keysAt = Buffer.from(dup).indexOf(Buffer.from(Int32Array.of(1001, 1002).buffer));
    assert.ok(keysAt > 0);
    new DataView(dup.buffer).setInt32(keysAt + 4, 1001, true);
    assert.throws(() => ChunkTable.deserialize(dup), /twice/);
  });
});
