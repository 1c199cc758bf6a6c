// The contextual query encoder's real cost in the product's runtime: the exported MiniLM graph
// (training/contextual/export_minilm.py) in onnxruntime-web (WASM, one thread, as the engine
// runs it), per query, with a parity check against the teacher's own vectors.
//   npx tsx training/contextual/measure.ts --dir ~/.cache/sift-training/contextual-minilm [--runs 200]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type * as Ort from 'onnxruntime-web';
import { ortWasmDir } from '../../src/core/assets';

async function main(): Promise<void> {
  const { values: a } = parseArgs({ options: { dir: { type: 'string' }, runs: { type: 'string' } } });
  if (!a.dir) throw new Error('measure needs --dir <exported model folder>');
  const dir = path.resolve(a.dir);
  const runs = Number(a.runs ?? 200);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ort = require('onnxruntime-web') as typeof Ort;
  ort.env.wasm.wasmPaths = ortWasmDir();
  ort.env.wasm.numThreads = 1;
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(fs.readFileSync(path.join(dir, 'model.onnx')));
  const loadMs = performance.now() - t0;
  const samples = JSON.parse(fs.readFileSync(path.join(dir, 'samples.json'), 'utf8')) as { query: string; ids: number[]; vector: number[] }[];
  const run = async (ids: number[]): Promise<Float32Array> => {
    const n = ids.length;
    const feeds = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, n]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
    };
    const out = await session.run(feeds);
    return out.embedding.data as Float32Array;
  };
  let maxDiff = 0;
  for (const s of samples) {
    const v = await run(s.ids);
    for (let d = 0; d < v.length; d++) maxDiff = Math.max(maxDiff, Math.abs(v[d] - s.vector[d]));
  }
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = samples[i % samples.length];
    const t = performance.now();
    await run(s.ids);
    times.push(performance.now() - t);
  }
  times.sort((x, y) => x - y);
  const q = (p: number): number => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  const tokens = samples.map((s) => s.ids.length);
  console.log(JSON.stringify({
    model: path.join(dir, 'model.onnx'), bytes: fs.statSync(path.join(dir, 'model.onnx')).size,
    loadMs: +loadMs.toFixed(0), queryTokens: { min: Math.min(...tokens), max: Math.max(...tokens) },
    perQueryMs: { p50: +q(0.5).toFixed(2), p95: +q(0.95).toFixed(2), max: +times[times.length - 1].toFixed(2) },
    rssDeltaMb: +((process.memoryUsage().rss - rss0) / 2 ** 20).toFixed(0),
    parityMaxAbsDiff: maxDiff,
  }, null, 1));
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
