import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { crc32 } from '../../src/core/crc32';
import { BinaryReader, BinaryWriter } from '../../src/core/persist/binary';
import { FILES, writeChecked } from '../../src/core/persist/indexStore';
import { encodeVectorFile, encodeVectorFilePieces } from '../../src/core/vector/vectorFile';
import { mulberry32 } from '../../training/train/random';

function concat(pieces: Uint8Array[]): Buffer {
  return Buffer.concat(pieces.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
}

describe('writing index files in pieces', () => {
  const dirs: string[] = [];
  after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

  it('BinaryWriter: pieces hold the same bytes as finish(), large arrays by reference, still aligned', () => {
    const big = new Int32Array(40_000).map((_, i) => i * 7 - 3);
    const small = Float32Array.of(1.5, -2);
    const w = new BinaryWriter();
    w.u32(1).bytes(Uint8Array.of(9, 9, 9)).array(big).string('héllo').array(small).f64(Math.PI);
    const pieces = w.finishPieces();
    assert.ok(pieces.some((p) => p.buffer === big.buffer), 'the large array is a view, not a copy');
    const whole = w.finish();
    assert.deepEqual(concat(pieces), Buffer.from(whole));
    const r = new BinaryReader(whole, 'test');
    assert.equal(r.u32(), 1);
    r.bytes(3);
    assert.deepEqual(Array.from(r.i32()), Array.from(big));
    assert.equal(r.string(), 'héllo');
    assert.deepEqual(Array.from(r.f32()), Array.from(small));
    assert.equal(r.f64(), Math.PI);
  });

  it('the vector file in pieces is the same file, viewing the rows', () => {
    const dim = 16, count = 50;
    const rand = mulberry32(5);
    const keys = Uint32Array.from({ length: count + 10 }, (_, i) => i * 3);
    const scales = Float32Array.from({ length: count + 10 }, () => rand());
    const rows = Int8Array.from({ length: (count + 10) * dim }, () => Math.floor(rand() * 255) - 127);
    const pieces = encodeVectorFilePieces(dim, count, keys, scales, rows, dim);
    assert.ok(pieces.some((p) => p.buffer === rows.buffer));
    assert.deepEqual(concat(pieces), Buffer.from(encodeVectorFile(dim, count, keys, scales, rows, dim)));
    // padded rows cannot be viewed: one encoded buffer
    const padded = encodeVectorFilePieces(dim - 4, count, keys, scales, rows, dim);
    assert.equal(padded.length, 1);
    assert.deepEqual(Buffer.from(padded[0]), Buffer.from(encodeVectorFile(dim - 4, count, keys, scales, rows, dim)));
  });

  it('writeChecked sums pieces as they are written, the same as for the whole file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-persist-'));
    dirs.push(dir);
    const pieces = [Buffer.from('[1,'), new Uint8Array(100_000).fill(7), Buffer.from('2]')];
    const sum = writeChecked(dir, 'chunks', pieces);
    const onDisk = fs.readFileSync(path.join(dir, FILES.chunks));
    assert.deepEqual(onDisk, concat(pieces));
    assert.deepEqual(sum, { bytes: onDisk.length, crc32: crc32(onDisk) });
    assert.deepEqual(writeChecked(dir, 'files', concat(pieces)), sum);
    assert.deepEqual(fs.readdirSync(dir).sort(), [FILES.chunks, FILES.files].sort(), 'no temp file left behind');
  });
});
