// A workspace adaptation of the shipped model: query-side deltas on the
// embedding bag's subtoken vectors. A query's vector is the bag of its
// subtokens' vectors, each moved by its learned delta, so the words this team
// uses in queries move toward the code they mean here. The chunk vectors stay
// the shipped model's: nothing is re-embedded, a swap is instant, and a reset
// is dropping the deltas. Stored with the index as one checksummed file.
import * as fs from 'node:fs';
import { crc32 } from '../crc32';
import type { Embedder } from '../embed/embedder';
import { writeFileAtomic } from '../persist/atomicWrite';
import { FEATURE_COUNT } from '../rank/features';

export const ADAPTER_FORMAT = 1;
const MAGIC = 'SIFTADP1';

export interface Adapter {
  /** The model the deltas were learned for (by hash): another model ignores them. */
  modelHash: string;
  dim: number;
  /** Subtoken → delta added to its vector on the query side. */
  deltas: Map<string, Float32Array>;
  /** Optional dim×dim matrix A (row-major): the pooled query u becomes u + A·u before normalising. */
  linear?: Float32Array;
  /** Optional correction to the ranker's linear weights (rankAdapt.ts), one per feature. */
  rankDelta?: Float64Array;
}

export function emptyAdapter(embedder: Pick<Embedder, 'hash' | 'dim'>): Adapter {
  return { modelHash: embedder.hash, dim: embedder.dim, deltas: new Map() };
}

export function cloneAdapter(a: Adapter): Adapter {
  return { modelHash: a.modelHash, dim: a.dim, deltas: new Map([...a.deltas].map(([k, v]) => [k, v.slice()])), ...(a.linear ? { linear: a.linear.slice() } : {}), ...(a.rankDelta ? { rankDelta: a.rankDelta.slice() } : {}) };
}

/** Why the adapter cannot be used with this embedder, or null when it can. */
export function adapterMismatch(a: Adapter, embedder: Embedder): string | null {
  if (!embedder.bag) return `the model runs in ${embedder.runtime}; adaptation needs the engine's own embedding-bag kernel`;
  if (a.modelHash !== embedder.hash) return 'the adaptation was learned for another model';
  if (a.dim !== embedder.dim) return `the adaptation has ${a.dim} dimensions, the model ${embedder.dim}`;
  if (a.rankDelta && a.rankDelta.length !== FEATURE_COUNT) return `the ranker correction has ${a.rankDelta.length} weights, this build's ranker ${FEATURE_COUNT}`;
  return null;
}

/**
 * The embedder a search uses for its query: the base model with the deltas
 * added. Only queries go through it; chunk vectors come from the base model.
 */
export function queryEmbedder(base: Embedder, a: Adapter): Embedder {
  const why = adapterMismatch(a, base);
  if (why) throw new Error(why);
  const bag = base.bag!;
  return {
    id: base.id,
    hash: base.hash,
    dim: base.dim,
    runtime: base.runtime,
    bag,
    async embed(texts: string[]): Promise<Float32Array> {
      const out = new Float32Array(texts.length * base.dim);
      for (let i = 0; i < texts.length; i++) {
        bag.embedInto(texts[i], out, i * base.dim, a.deltas);
        if (a.linear) applyLinear(a.linear, out, i * base.dim, base.dim);
      }
      return out;
    },
    dispose: () => base.dispose(),
  };
}

/** v ← normalise(v + A·v) in place (v is out[off, off+dim)). */
export function applyLinear(A: Float32Array, out: Float32Array, off: number, dim: number): void {
  const v = out.slice(off, off + dim);
  let ss = 0;
  for (let r = 0; r < dim; r++) {
    let acc = v[r];
    const row = r * dim;
    for (let c = 0; c < dim; c++) acc += A[row + c] * v[c];
    out[off + r] = acc;
    ss += acc * acc;
  }
  const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
  for (let r = 0; r < dim; r++) out[off + r] *= inv;
}

/** The L2 size of all deltas together (how far the adaptation moved the model). */
export function adapterNorm(a: Adapter): number {
  let ss = 0;
  for (const v of a.deltas.values()) for (let d = 0; d < v.length; d++) ss += v[d] * v[d];
  return Math.sqrt(ss);
}

// File: MAGIC, u32 format, u32 dim, u32 count, u32 hash length, hash bytes;
// per delta: u16 word length, word bytes, dim float32; u32 flags (1: a linear
// map follows, dim² float32; 2: a ranker correction follows, u32 n + n float64);
// then u32 CRC-32 of all before it.
export function serializeAdapter(a: Adapter): Buffer {
  const hash = Buffer.from(a.modelHash, 'utf8');
  const words = [...a.deltas.keys()].map((w) => Buffer.from(w, 'utf8'));
  let size = 8 + 16 + hash.length + 4 + 4;
  for (const w of words) size += 2 + w.length + 4 * a.dim;
  if (a.linear) size += 4 * a.linear.length;
  if (a.rankDelta) size += 4 + 8 * a.rankDelta.length;
  const buf = Buffer.alloc(size);
  let o = buf.write(MAGIC, 0, 'latin1');
  o = buf.writeUInt32LE(ADAPTER_FORMAT, o);
  o = buf.writeUInt32LE(a.dim, o);
  o = buf.writeUInt32LE(words.length, o);
  o = buf.writeUInt32LE(hash.length, o);
  o += hash.copy(buf, o);
  let i = 0;
  for (const v of a.deltas.values()) {
    const w = words[i++];
    o = buf.writeUInt16LE(w.length, o);
    o += w.copy(buf, o);
    for (let d = 0; d < a.dim; d++) o = buf.writeFloatLE(v[d], o);
  }
  o = buf.writeUInt32LE((a.linear ? 1 : 0) | (a.rankDelta ? 2 : 0), o);
  if (a.linear) for (let j = 0; j < a.linear.length; j++) o = buf.writeFloatLE(a.linear[j], o);
  if (a.rankDelta) {
    o = buf.writeUInt32LE(a.rankDelta.length, o);
    for (let j = 0; j < a.rankDelta.length; j++) o = buf.writeDoubleLE(a.rankDelta[j], o);
  }
  buf.writeUInt32LE(crc32(buf.subarray(0, o)) >>> 0, o);
  return buf;
}

export class AdapterFileError extends Error {
  constructor(message: string) { super(message); this.name = 'AdapterFileError'; }
}

export function deserializeAdapter(buf: Buffer): Adapter {
  const fail = (why: string): never => { throw new AdapterFileError(why); };
  if (buf.length < 32 || buf.toString('latin1', 0, 8) !== MAGIC) fail('not a Sift adaptation file');
  const body = buf.length - 4;
  if ((crc32(buf.subarray(0, body)) >>> 0) !== buf.readUInt32LE(body)) fail('checksum mismatch');
  let o = 8;
  const format = buf.readUInt32LE(o); o += 4;
  if (format !== ADAPTER_FORMAT) fail(`format ${format}, this version reads ${ADAPTER_FORMAT}`);
  const dim = buf.readUInt32LE(o); o += 4;
  const count = buf.readUInt32LE(o); o += 4;
  const hashLen = buf.readUInt32LE(o); o += 4;
  if (o + hashLen > body) fail('truncated');
  const modelHash = buf.toString('utf8', o, o + hashLen); o += hashLen;
  const deltas = new Map<string, Float32Array>();
  for (let i = 0; i < count; i++) {
    if (o + 2 > body) fail('truncated');
    const len = buf.readUInt16LE(o); o += 2;
    if (o + len + 4 * dim > body) fail('truncated');
    const word = buf.toString('utf8', o, o + len); o += len;
    const v = new Float32Array(dim);
    for (let d = 0; d < dim; d++) { v[d] = buf.readFloatLE(o); o += 4; }
    deltas.set(word, v);
  }
  if (o + 4 > body) fail('truncated');
  const flags = buf.readUInt32LE(o); o += 4;
  const a: Adapter = { modelHash, dim, deltas };
  if (flags & 1) {
    if (o + 4 * dim * dim > body) fail('truncated');
    a.linear = new Float32Array(dim * dim);
    for (let j = 0; j < dim * dim; j++) { a.linear[j] = buf.readFloatLE(o); o += 4; }
  }
  if (flags & 2) {
    if (o + 4 > body) fail('truncated');
    const n = buf.readUInt32LE(o); o += 4;
    if (o + 8 * n > body) fail('truncated');
    a.rankDelta = new Float64Array(n);
    for (let j = 0; j < n; j++) { a.rankDelta[j] = buf.readDoubleLE(o); o += 8; }
  }
  if (o !== body) fail('trailing bytes');
  return a;
}

export function writeAdapter(file: string, a: Adapter): void {
  writeFileAtomic(file, serializeAdapter(a));
}

/** The stored adapter, or null when there is none; a damaged file throws AdapterFileError. */
export function readAdapter(file: string): Adapter | null {
  let buf: Buffer;
  try { buf = fs.readFileSync(file); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new AdapterFileError(`cannot read ${file}: ${(e as Error).message}`);
  }
  return deserializeAdapter(buf);
}
