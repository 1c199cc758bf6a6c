import { strict as assert } from 'node:assert';
import { CorruptIndexError } from '../../src/core/errors';
import { type FileRecord, FileTable, keyRange, keysOf } from '../../src/core/persist/fileTable';

function concat(pieces: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(pieces.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
}

const reload = (t: FileTable): FileTable => FileTable.deserialize(concat(t.serializePieces()));

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

const hashOf = (n: number): string => n.toString(16).padStart(8, '0').repeat(5);

function file(root: number, rel: string, over: Partial<FileRecord> = {}): FileRecord {
  return { root, rel, size: rel.length * 10, mtimeMs: 1.7e12 + rel.length + 0.25, hash: hashOf(rel.length), firstKey: 0, keyCount: 0, ...over };
}

// UTF-16 order and UTF-8 byte order differ here: '\uFF21' sorts after '😀' as JS strings, before it as bytes
const RELS = ['a.ts', 'src/ünï/ß.py', 'docs/日本語.md', 'lib/emoji 😀.rs', 'lib/emoji \uFF21.rs', 'b', 'b/c', 'B', ''];

const id = (root: number, rel: string) => `${root}\u0000${rel}`;

function assertSame(t: FileTable, ref: Map<string, FileRecord>): void {
  assert.equal(t.size, ref.size);
  for (const f of ref.values()) {
    assert.deepEqual(t.get(f.root, f.rel), f);
    assert.equal(t.has(f.root, f.rel), true);
  }
  const listed = [...t.values()];
  assert.equal(listed.length, ref.size);
  for (const f of listed) assert.deepEqual(f, ref.get(id(f.root, f.rel)));
}

describe('FileTable', () => {
  it('gives back what was set, replaces a file set again, and forgets a deleted one', () => {
    const t = new FileTable();
    const a = file(0, 'src/a.ts', { firstKey: 10, keyCount: 3 });
    t.set(a);
    t.set(file(1, 'src/a.ts'));
    assert.equal(t.size, 2);
    assert.deepEqual(t.get(0, 'src/a.ts'), a);
    assert.equal(t.get(2, 'src/a.ts'), undefined);
    assert.equal(t.get(0, 'src/b.ts'), undefined);
    const got = t.get(0, 'src/a.ts')!;
    got.size = 1;
    assert.equal(t.get(0, 'src/a.ts')!.size, a.size, 'a record handed out is a copy');
    t.set({ ...a, hash: hashOf(99), firstKey: 20, keyCount: 1 });
    assert.equal(t.size, 2);
    assert.deepEqual(t.get(0, 'src/a.ts'), { ...a, hash: hashOf(99), firstKey: 20, keyCount: 1 });
    assert.equal(t.touch(0, 'src/a.ts', 5, 6.5), true);
    assert.deepEqual(t.get(0, 'src/a.ts'), { ...a, hash: hashOf(99), firstKey: 20, keyCount: 1, size: 5, mtimeMs: 6.5 });
    assert.equal(t.touch(0, 'nope', 5, 6), false);
    assert.equal(t.delete(0, 'src/a.ts'), true);
    assert.equal(t.delete(0, 'src/a.ts'), false);
    assert.equal(t.touch(0, 'src/a.ts', 5, 6), false);
    assert.equal(t.size, 1);
    assert.equal(t.get(0, 'src/a.ts'), undefined);
    assert.throws(() => t.set(file(0, 'x', { hash: 'abc' })), /40 hex/);
    assert.throws(() => t.set(file(0, 'x', { hash: hashOf(0xabcdef).toUpperCase() })), /40 hex/);
    assert.throws(() => t.set(file(0, 'x', { firstKey: -1, keyCount: 2 })), RangeError);
  });

  it('finds each of thousands of files, before and after a load, and no other', () => {
    let t = new FileTable();
    const rels = Array.from({ length: 3000 }, (_, i) => `dir${i % 17}/${i % 2 ? 'é' : ''}file${i}.ts`);
    rels.forEach((rel, i) => t.set(file(i % 3, rel, { firstKey: i * 2, keyCount: 2 })));
    for (let pass = 0; pass < 2; pass++) {
      rels.forEach((rel, i) => {
        assert.deepEqual(t.get(i % 3, rel), file(i % 3, rel, { firstKey: i * 2, keyCount: 2 }));
        assert.equal(t.get((i + 1) % 3, rel), undefined);
      });
      assert.equal(t.get(0, 'dir0/file3000.ts'), undefined);
      t = reload(t);
    }
  });

  it('keys come as a range', () => {
    assert.deepEqual(keysOf({ firstKey: 7, keyCount: 3 }), [7, 8, 9]);
    assert.deepEqual(keysOf({ firstKey: 7, keyCount: 0 }), []);
    assert.deepEqual(keyRange([4, 5, 6]), { firstKey: 4, keyCount: 3 });
    assert.deepEqual(keyRange([]), { firstKey: 0, keyCount: 0 });
    assert.throws(() => keyRange([4, 6]), /not in sequence/);
  });

  it('equals a Map of the records through random sets, touches, deletes, saves and loads', () => {
    const next = rng(3);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
    let t = new FileTable();
    const ref = new Map<string, FileRecord>();
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 120; i++) {
        const root = Math.floor(next() * 3);
        const rel = `${pick(RELS)}/${pick(RELS)}`;
        const op = next();
        if (op < 0.5) {
          const f = file(root, rel, { size: Math.floor(next() * 1e6), hash: hashOf(Math.floor(next() * 1e9)), firstKey: Math.floor(next() * 1e5), keyCount: Math.floor(next() * 5) });
          if (f.keyCount === 0) f.firstKey = 0;
          t.set(f);
          ref.set(id(root, rel), f);
        } else if (op < 0.65) {
          const had = ref.get(id(root, rel));
          assert.equal(t.touch(root, rel, 42, 43.5), !!had);
          if (had) ref.set(id(root, rel), { ...had, size: 42, mtimeMs: 43.5 });
        } else {
          assert.equal(t.delete(root, rel), ref.delete(id(root, rel)));
        }
      }
      assertSame(t, ref);
      if (round % 2 === 0) t = reload(t);
      assertSame(t, ref);
    }
  });

  it('lists files in the order first set, through saves and loads; a deleted one set again keeps its place until saved', () => {
    let t = new FileTable();
    for (const rel of RELS) t.set(file(1, rel));
    t.set(file(0, 'z'));
    t = reload(t);
    t.set(file(0, 'new 2'));
    t.set(file(0, 'new 1'));
    t.delete(1, 'b');
    t.delete(1, 'a.ts');
    t.set(file(1, 'a.ts', { size: 1 }));
    const want = [...RELS.filter((r) => r !== 'b').map((r) => `1:${r}`), '0:z', '0:new 2', '0:new 1'];
    assert.deepEqual([...t.values()].map((f) => `${f.root}:${f.rel}`), want);
    t = reload(t);
    assert.deepEqual([...t.values()].map((f) => `${f.root}:${f.rel}`), want);
    for (const rel of RELS) assert.equal(t.has(1, rel), rel !== 'b', rel);
  });

  it('a path with a lone surrogate is found as UTF-8 stores it', () => {
    let t = new FileTable();
    t.set(file(0, 'bad\uD800name'));
    t = reload(t);
    assert.equal(t.get(0, 'bad\uD800name')?.rel, 'bad\uFFFDname');
    assert.equal(t.has(0, 'bad\uFFFDname'), true);
    t.set(file(0, 'bad\uD800name', { size: 3 }));
    assert.equal(t.size, 1);
  });

  it('a sweep gives the files a crawl did not visit', () => {
    let t = new FileTable();
    for (let i = 0; i < 20; i++) t.set(file(i % 2, `f${i}`));
    t = reload(t);
    t.set(file(0, 'added'));
    const sweep = t.sweep();
    for (let i = 0; i < 20; i++) {
      if (i % 3 === 0) continue;
      const { size, mtimeMs } = file(i % 2, `f${i}`);
      assert.equal(sweep.visit(i % 2, `f${i}`, size, i % 4 === 1 ? mtimeMs + 1 : mtimeMs), i % 4 !== 1, `f${i}`);
    }
    assert.equal(sweep.visit(0, 'added', file(0, 'added').size, file(0, 'added').mtimeMs), true);
    assert.equal(sweep.visit(1, 'f0', file(0, 'f0').size, file(0, 'f0').mtimeMs), false, 'another root');
    assert.equal(sweep.visit(0, 'nope', 0, 0), false);
    assert.deepEqual(sweep.unvisited().map((f) => f.rel), ['f0', 'f3', 'f6', 'f9', 'f12', 'f15', 'f18']);
  });

  it('deleting while iterating visits every file once; a deleted file set again comes back', () => {
    let t = new FileTable();
    for (let i = 0; i < 50; i++) t.set(file(0, `f${i}`));
    t = reload(t);
    for (let i = 50; i < 60; i++) t.set(file(0, `f${i}`));
    const seen: string[] = [];
    for (const f of t.values()) { seen.push(f.rel); if (f.rel.endsWith('3')) t.delete(f.root, f.rel); }
    assert.equal(seen.length, 60);
    assert.equal(new Set(seen).size, 60);
    assert.equal(t.size, 54);
    t.set(file(0, 'f13', { keyCount: 2, firstKey: 8 }));
    t.set(file(0, 'f53', { keyCount: 1, firstKey: 9 }));
    assert.equal(t.size, 56);
    assert.deepEqual(t.get(0, 'f13'), file(0, 'f13', { keyCount: 2, firstKey: 8 }));
    t = reload(t);
    assert.equal(t.size, 56);
    assert.deepEqual(t.get(0, 'f53'), file(0, 'f53', { keyCount: 1, firstKey: 9 }));
    assert.equal(t.get(0, 'f23'), undefined);
  });

  it('renumbers key ranges, and refuses a renumbering that splits a file', () => {
    const t = new FileTable();
    t.set(file(0, 'a', { firstKey: 10, keyCount: 3 }));
    t.set(file(0, 'b', { firstKey: 20, keyCount: 2 }));
    t.set(file(0, 'empty'));
    const remap = new Int32Array(30).fill(-1);
    [10, 11, 12, 20, 21].forEach((k, i) => { remap[k] = i; });
    t.renumber(remap);
    assert.deepEqual(keysOf(t.get(0, 'a')!), [0, 1, 2]);
    assert.deepEqual(keysOf(t.get(0, 'b')!), [3, 4]);
    assert.deepEqual(keysOf(t.get(0, 'empty')!), []);
    const split = new Int32Array(5).fill(-1);
    split[0] = 0; split[1] = 1; split[2] = 5; split[3] = 2; split[4] = 3;
    assert.throws(() => t.renumber(split), /sequence/);
    assert.deepEqual(keysOf(t.get(0, 'b')!), [3, 4], 'a refused renumbering changes nothing');
  });

  it('refuses a damaged file: cut short at any byte, another version, a wrong count, a file twice', () => {
    const t = new FileTable();
    for (const rel of ['a', 'b', 'c']) t.set(file(0, rel, { firstKey: 1, keyCount: 1 }));
    const bytes = concat(t.serializePieces());
    for (let len = 0; len < bytes.length; len++) {
      assert.throws(() => FileTable.deserialize(bytes.subarray(0, len)), CorruptIndexError, `cut at ${len}`);
    }
    const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
    const version = bytes.slice();
    view(version).setUint32(4, 2, true);
    assert.throws(() => FileTable.deserialize(version), /version/);
    for (const n of [2, 4]) {
      const count = bytes.slice();
      view(count).setUint32(8, n, true);
      assert.throws(() => FileTable.deserialize(count), CorruptIndexError);
    }
    // the path column's row ids (0, 1, 2): name 'b' twice
    const idsAt = Buffer.from(bytes).indexOf(Buffer.from(Int32Array.of(3, 0, 1, 2).buffer));
    assert.ok(idsAt > 0);
    const twice = bytes.slice();
    view(twice).setInt32(idsAt + 12, 1, true);
    assert.throws(() => FileTable.deserialize(twice), /row 2 repeats a file/);
    assert.equal(FileTable.deserialize(bytes).size, 3);
  });
});
