import { strict as assert } from 'node:assert';
import { CorruptIndexError } from '../../src/core/errors';
import { ChunkTable } from '../../src/core/persist/chunkTable';
import type { StoredChunk } from '../../src/core/persist/indexStore';

function chunk(key: number, over: Partial<StoredChunk> = {}): StoredChunk {
  return {
    key, root: key % 3, file: `src/mod${key % 5}.ts`, startLine: key + 1, endLine: key + 4, declLine: key + 2,
    kind: key % 2 ? 'method' : 'function', name: `name${key}`, language: key % 4 ? 'typescript' : 'python',
    signature: `function name${key}(a: number): string — ünïcode ✓`, context: key % 2 ? [`class Outer${key % 3} {`, 'namespace N'] : [],
    ...over,
  };
}

function concat(pieces: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(pieces.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
}

describe('ChunkTable', () => {
  it('gives back every field of what was added, parts and multi-entry contexts included', () => {
    const t = new ChunkTable();
    const all = [chunk(0), chunk(1), chunk(7, { part: { index: 2, count: 3 } }), chunk(2 ** 20, { file: 'dir/ünï 😀.py', name: 'naïve_😀' })];
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

/** A small deterministic generator (tests repeat exactly). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

const PATHS = ['src/a.ts', 'src/ünïcode/ß.py', 'docs/日本語.md', 'lib/emoji 😀.rs', 'x'];
const NAMES = ['', 'run', 'naïve_😀', 'Ωmega.method', 'constructor', 'a-much-longer-name-than-thirteen'];

function randomChunk(key: number, next: () => number): StoredChunk {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const c: StoredChunk = {
    key, root: Math.floor(next() * 3), file: pick(PATHS), startLine: key, endLine: key + 3, declLine: key + 1,
    kind: pick(['function', 'method', 'class', 'window'] as const), name: pick(NAMES),
    language: pick(['typescript', 'python', 'markdown'] as const),
    signature: `${pick(NAMES)}(${key % 7})`, context: next() < 0.5 ? [] : [pick(NAMES), `class ${pick(NAMES)} {`],
  };
  if (next() < 0.2) c.part = { index: 1 + (key % 3), count: 4 };
  return c;
}

/** Where the i-th array of a chunk table file starts (its element count; the data follows, 4-byte aligned). */
function arrayAt(bytes: Uint8Array, i: number): number {
  const elemSizes = [4, 4, 4, 4, 4, 1, 1, 2, 2, ...[1, 2, 3, 4].flatMap(() => [4, 4, 1])];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const align = (x: number) => (x + 3) & ~3;
  let at = 12; // magic, version, row count
  for (let a = 0; a < i; a++) at = align(at + 4 + view.getUint32(at, true) * elemSizes[a]);
  return at;
}

function reload(t: ChunkTable): ChunkTable {
  return ChunkTable.deserialize(concat(t.serializePieces()));
}

function assertSame(t: ChunkTable, live: Map<number, StoredChunk>): void {
  assert.equal(t.size, live.size);
  for (const [k, c] of live) {
    assert.deepEqual(t.get(k), c);
    assert.equal(t.name(k), c.name);
    assert.equal(t.file(k), c.file);
  }
  assert.deepEqual(t.keys().sort((a, b) => a - b), [...live.keys()].sort((a, b) => a - b));
  for (const root of [0, 1, 2]) {
    for (const file of PATHS) {
      const want = [...live.values()].filter((c) => c.root === root && c.file === file).map((c) => c.key).sort((a, b) => a - b);
      assert.deepEqual(t.keysOfFile(root, file).sort((a, b) => a - b), want, `keys of ${root}:${file}`);
    }
  }
}

describe('ChunkTable after a load (rows in the file and rows added since)', () => {
  it('equals a Map of the records through random adds, deletes, saves, loads and renumberings', () => {
    const next = rng(7);
    let t = new ChunkTable();
    let live = new Map<number, StoredChunk>();
    let nextKey = 0;
    for (let round = 0; round < 12; round++) {
      if (round % 3 === 1) t.buildFileLists(); // the per-file lists are kept up to date too, when built
      for (let i = 0; i < 150; i++) {
        if (live.size > 0 && next() < 0.4) {
          const keys = [...live.keys()];
          const k = keys[Math.floor(next() * keys.length)];
          assert.equal(t.delete(k), true);
          live.delete(k);
        } else {
          const c = randomChunk(nextKey++, next);
          t.add(c);
          live.set(c.key, c);
        }
      }
      assertSame(t, live);
      if (round % 4 === 3) {
        const old = [...live.keys()].sort((a, b) => a - b);
        const remap = new Int32Array(nextKey).fill(-1);
        old.forEach((k, i) => { remap[k] = i; });
        t.renumber(remap);
        live = new Map(old.map((k, i) => [i, { ...live.get(k)!, key: i }]));
        nextKey = old.length;
        assertSame(t, live);
      }
      // every other round saves and loads: the next round's changes land on a loaded table
      if (round % 2 === 0) {
        const before = t;
        t = reload(t);
        assertSame(before, live); // saving changes nothing that can be asked of a table
        assertSame(t, live);
      }
    }
  });

  it('stores each distinct string once: re-adding a loaded file\'s chunks does not grow the file', () => {
    const next = rng(11);
    let t = new ChunkTable();
    for (let k = 0; k < 400; k++) t.add(randomChunk(k, next));
    const firstSize = concat(t.serializePieces()).length;
    let nextKey = 400;
    for (let cycle = 0; cycle < 4; cycle++) {
      t = reload(t);
      // re-chunk every file of root 0: delete its chunks and add the same records under new keys
      const again = [...t.values()].filter((c) => c.root === 0);
      for (const c of again) t.delete(c.key);
      for (const c of again) t.add({ ...c, key: nextKey++ });
      assert.equal(concat(t.serializePieces()).length, firstSize, `cycle ${cycle}`);
    }
  });

  it('compacting between changes changes nothing that can be asked, nor the file it saves', () => {
    const next = rng(5);
    const a = new ChunkTable();
    const b = new ChunkTable();
    const live = new Map<number, StoredChunk>();
    for (let k = 0; k < 300; k++) {
      const c = randomChunk(k, next);
      a.add(c); b.add(c); live.set(k, c);
      if (k % 7 === 3) { a.delete(k - 2); b.delete(k - 2); live.delete(k - 2); }
      if (k % 50 === 49) { a.compact(); a.buildFileLists(); }
    }
    assertSame(a, live);
    assert.deepEqual(concat(a.serializePieces()), concat(b.serializePieces()));
  });

  it('reads one version only: an older or newer file is reported as damaged', () => {
    const t = new ChunkTable();
    t.add(chunk(1));
    const bytes = concat(t.serializePieces());
    for (const v of [1, 3]) {
      const other = bytes.slice();
      new DataView(other.buffer).setUint32(4, v, true);
      assert.throws(() => ChunkTable.deserialize(other), (e: Error) => e instanceof CorruptIndexError && /version/.test(e.message));
    }
  });

  it('refuses a file cut short at any byte, a wrong row count, and strings out of range', () => {
    const t = new ChunkTable();
    for (let k = 0; k < 5; k++) t.add(chunk(k, { file: PATHS[k], name: NAMES[k] }));
    const bytes = concat(t.serializePieces());
    for (let len = 0; len < bytes.length; len++) {
      assert.throws(() => ChunkTable.deserialize(bytes.subarray(0, len)), CorruptIndexError, `cut at ${len}`);
    }
    const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
    for (const n of [4, 6, 0]) {
      const wrongCount = bytes.slice();
      view(wrongCount).setUint32(8, n, true);
      assert.throws(() => ChunkTable.deserialize(wrongCount), CorruptIndexError, `${n} rows`);
    }
    // the paths column's row ids and dictionary offsets (the 10th and 11th arrays of the file)
    const ids = arrayAt(bytes, 9);
    const badId = bytes.slice();
    view(badId).setInt32(ids + 4, 99, true);
    assert.throws(() => ChunkTable.deserialize(badId), /names string 99/);
    const badOffset = bytes.slice();
    view(badOffset).setUint32(arrayAt(bytes, 10) + 8, 0xffff, true);
    assert.throws(() => ChunkTable.deserialize(badOffset), CorruptIndexError);
  });
});
