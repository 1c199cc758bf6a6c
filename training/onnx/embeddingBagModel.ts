// Writes the embedding-bag model as an ONNX file, and a complete model folder
// (model.onnx + vocab.txt + manifest.json) that loadEmbedder() reads.
//
// Graph, opset 13 (ir_version 8):
//   rows    int32 [batch, len]   table rows to pool (padding: any valid row)
//   weights float [batch, len]   per-row weight (padding: 0)
//   q      = Gather(table_q8, rows)                 int8  [B, L, D]
//   x      = Cast(q, float)                         float [B, L, D]
//   coef   = Gather(scales, rows) * weights         float [B, L]
//   pooled = Squeeze(MatMul(Unsqueeze(coef, 1), x), 1)  float [B, D]
//   embedding = pooled / max(ReduceL2(pooled, axis 1), 1e-9)
// The per-row scale is folded into the weight before the big multiply, and the
// weighted sum over L is one batched MatMul ([B,1,L]×[B,L,D]): the same maths
// as Mul→Mul→ReduceSum(axis 1) without two extra [B, L, D] float tensors.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ProtoWriter } from './protobuf';
import { Tokenizer, type TokenizerConfig } from '../../src/core/embed/tokenizer';
import { type BagNode, EMBEDDING_BAG_NODES } from '../../src/core/embed/embeddingBag';
import { MANIFEST_FILE, manifestProblems, type ModelManifest } from '../../src/core/embed/manifest';
import { DataType } from '../../src/core/embed/onnxGraph';

export const OPSET = 13;
export const IR_VERSION = 8;
export const MODEL_FILE = 'model.onnx';
export const VOCAB_FILE = 'vocab.txt';

const { FLOAT, INT8, INT32, INT64 } = DataType;
// onnx.AttributeProto.AttributeType
const ATTR_INT = 2;
const ATTR_INTS = 7;

type Dim = number | string;

function tensor(name: string, dataType: number, dims: number[], raw: Uint8Array): ProtoWriter {
  const t = new ProtoWriter();
  t.packedInts(1, dims);
  t.int(2, dataType);
  t.string(8, name);
  t.bytes(9, raw);
  return t;
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  // ONNX raw_data is little-endian, as are all the platforms Node runs on.
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function valueInfo(name: string, elemType: number, dims: Dim[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().int(1, elemType).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, name).message(2, type);
}

function node({ op, inputs, outputs, attrs }: BagNode): ProtoWriter {
  const n = new ProtoWriter();
  for (const i of inputs) n.string(1, i);
  for (const o of outputs) n.string(2, o);
  n.string(3, `${op}_${outputs[0]}`);
  n.string(4, op);
  for (const [name, v] of Object.entries(attrs ?? {})) {
    const at = new ProtoWriter().string(1, name);
    if (Array.isArray(v)) at.packedInts(8, v).int(20, ATTR_INTS);
    else at.int(3, v).int(20, ATTR_INT);
    n.message(5, at);
  }
  return n;
}

/** Serialised ONNX ModelProto of the embedding bag over an int8 table with per-row scales. */
export function buildEmbeddingBagOnnx(p: {
  table: Int8Array;
  scales: Float32Array;
  rows: number;
  dim: number;
  producer?: string;
}): Uint8Array {
  const { table, scales, rows, dim } = p;
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(dim) || dim < 1) {
    throw new Error(`buildEmbeddingBagOnnx: rows and dim must be positive integers (got ${rows}, ${dim})`);
  }
  if (table.length !== rows * dim) throw new Error(`buildEmbeddingBagOnnx: table has ${table.length} values, expected ${rows}×${dim}`);
  if (scales.length !== rows) throw new Error(`buildEmbeddingBagOnnx: ${scales.length} scales for ${rows} rows`);

  const g = new ProtoWriter();
  // the node list is the engine's own description of the graph (src/core/embed/embeddingBag.ts)
  for (const n of EMBEDDING_BAG_NODES) g.message(1, node(n));
  g.string(2, 'sift_embedding_bag');
  g.message(5, tensor('table_q8', INT8, [rows, dim], bytesOf(table)));
  g.message(5, tensor('scales', FLOAT, [rows], bytesOf(scales)));
  g.message(5, tensor('axis1', INT64, [1], bytesOf(BigInt64Array.of(1n))));
  g.message(5, tensor('epsilon', FLOAT, [], bytesOf(Float32Array.of(1e-9))));
  g.message(11, valueInfo('rows', INT32, ['batch', 'len']));
  g.message(11, valueInfo('weights', FLOAT, ['batch', 'len']));
  g.message(12, valueInfo('embedding', FLOAT, ['batch', dim]));

  const m = new ProtoWriter();
  m.int(1, IR_VERSION);
  m.string(2, p.producer ?? 'sift-training');
  m.string(3, '1');
  m.message(7, g);
  m.message(8, new ProtoWriter().string(1, '').int(2, OPSET));
  return m.finish();
}

/** Per-row symmetric int8 quantisation: row ≈ q × scale with q in [-127, 127]. */
export function quantizeRows(table: Float32Array, rows: number, dim: number): { table: Int8Array; scales: Float32Array } {
  if (table.length !== rows * dim) throw new Error(`quantizeRows: table has ${table.length} values, expected ${rows}×${dim}`);
  const q = new Int8Array(rows * dim);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const off = r * dim;
    let maxAbs = 0;
    for (let d = 0; d < dim; d++) {
      const a = Math.abs(table[off + d]);
      if (!(a <= Number.MAX_VALUE)) throw new Error(`quantizeRows: row ${r} holds a non-finite value (${table[off + d]})`);
      if (a > maxAbs) maxAbs = a;
    }
    if (maxAbs === 0) continue; // all-zero row: scale 0, q 0
    const scale = maxAbs / 127;
    scales[r] = scale;
    for (let d = 0; d < dim; d++) q[off + d] = Math.max(-127, Math.min(127, Math.round(table[off + d] / scale)));
  }
  return { table: q, scales };
}

/** The float table an int8 table with per-row scales stands for (row value = q × scale). */
export function dequantizeRows(table: Int8Array, scales: Float32Array, rows: number, dim: number): Float32Array {
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const s = scales[r];
    for (let d = 0; d < dim; d++) out[r * dim + d] = table[r * dim + d] * s;
  }
  return out;
}

/** Write model.onnx, vocab.txt and manifest.json into `dir` (created if needed); returns the manifest. */
export function writeModelDir(
  dir: string,
  p: { name: string; version: string; tokenizer: TokenizerConfig; table: Float32Array; dim: number },
): ModelManifest {
  const tok = new Tokenizer(p.tokenizer); // validates the config
  const bad = p.tokenizer.vocab.find((w) => w.length === 0 || /[\r\n]/.test(w));
  if (bad !== undefined) throw new Error(`writeModelDir: vocabulary entry ${JSON.stringify(bad)} cannot be stored one per line`);
  const rows = tok.rowCount;
  const { table, scales } = quantizeRows(p.table, rows, p.dim);
  const onnx = buildEmbeddingBagOnnx({ table, scales, rows, dim: p.dim });
  const manifest: ModelManifest = {
    name: p.name,
    version: p.version,
    dim: p.dim,
    hash: crypto.createHash('sha256').update(onnx).digest('hex'),
    files: { onnx: MODEL_FILE, vocab: VOCAB_FILE },
    tokenizer: {
      ngramBuckets: p.tokenizer.ngramBuckets,
      ngramSizes: [...p.tokenizer.ngramSizes],
      maxTokens: p.tokenizer.maxTokens,
    },
    createdAt: new Date().toISOString(),
  };
  const problems = manifestProblems(manifest);
  if (problems.length > 0) throw new Error(`writeModelDir: ${problems.join('; ')}`);

  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, MODEL_FILE), onnx);
  fs.writeFileSync(path.join(dir, VOCAB_FILE), p.tokenizer.vocab.join('\n') + '\n', 'utf8');
  fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n', 'utf8');
  return manifest;
}
