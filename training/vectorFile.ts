// Vectors exchanged between the training steps (a teacher's output, projected queries): raw
// little-endian float32, rows × dim, beside `<file>.json` with at least { dim, rows }.
import * as fs from 'node:fs';
import { readJson, writeJson } from './train/checkpoint';

export interface VectorsMeta {
  dim: number;
  rows: number;
  [key: string]: unknown;
}

/** A whole file as float32 values (a copy, aligned whatever the Buffer's offset). */
export function readF32(file: string): Float32Array {
  const buf = fs.readFileSync(file);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

/** Vectors and their metadata; the file must hold exactly rows × dim values. */
export function readVectors(file: string): { meta: VectorsMeta; data: Float32Array } {
  const meta = readJson<VectorsMeta>(`${file}.json`, 'vectors');
  const data = readF32(file);
  if (data.length !== meta.rows * meta.dim) throw new Error(`${file}: ${data.length} values, not ${meta.rows} × ${meta.dim}`);
  return { meta, data };
}

export function writeVectors(file: string, data: Float32Array, meta: VectorsMeta): void {
  fs.writeFileSync(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  writeJson(`${file}.json`, meta);
}
