// Loads a model folder (manifest.json + model.onnx + vocab.txt) and embeds
// texts, in the main thread or a worker: an embedding-bag graph (the shipped
// model) is evaluated by the engine's own kernel (embeddingBag.ts), any other
// graph by onnxruntime-web's WASM backend.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Ort from 'onnxruntime-web';
import { modelsDir, ortWasmDir } from '../assets';
import { EmbeddingBagKernel, matchEmbeddingBag } from './embeddingBag';
import { MANIFEST_FILE, ModelLoadError, readManifest, type ModelManifest } from './manifest';
import { OnnxFormatError, readOnnxGraph } from './onnxGraph';
import { Tokenizer } from './tokenizer';

export { ModelLoadError } from './manifest';

export interface Embedder {
  /** name@version */
  readonly id: string;
  /** sha256 of model.onnx */
  readonly hash: string;
  readonly dim: number;
  /** What evaluates the graph. */
  readonly runtime: EmbedRuntime;
  /** texts.length × dim values, one L2-normalised row per text (a zero row for a text without tokens). */
  embed(texts: string[]): Promise<Float32Array>;
  dispose(): Promise<void>;
  /** The embedding bag's parts, when the engine's own kernel runs the model (what adaptation trains on). */
  readonly bag?: EmbeddingBagKernel;
}

/** 'native': the engine's embedding-bag kernel; 'onnxruntime': onnxruntime-web (WASM). */
export type EmbedRuntime = 'native' | 'onnxruntime';

export interface LoadEmbedderOptions {
  /** Texts per session run (default 64; onnxruntime only). */
  batchSize?: number;
  /** 'auto' (default): native when the graph is an embedding bag, else onnxruntime. */
  runtime?: EmbedRuntime | 'auto';
}

const DEFAULT_BATCH_SIZE = 64;
// Cap on batch × padded length per run. The run materialises the gathered rows
// (int8 and float, × dim), so this bounds the WASM heap (16K × 256 dims ≈ 16 MB
// float + 4 MB int8); measured about as fast as larger runs (a chunk of 256
// subtokens touches ~800 unique rows, so ~20 chunks per run).
const MAX_ROWS_PER_RUN = 16384;
// Texts encoded ahead of running; bounds the memory one embed() call holds.
const ENCODE_WINDOW = 1024;

let ortModule: typeof Ort | null = null;

/** onnxruntime-web, loaded on first use so keyword-only runs never pay for it. */
function ort(): typeof Ort {
  if (!ortModule) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const m = require('onnxruntime-web') as typeof Ort;
    m.env.wasm.wasmPaths = ortWasmDir();
    m.env.wasm.numThreads = 1;
    ortModule = m;
  }
  return ortModule;
}

function readFileOrFail(file: string, what: string, dir: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ModelLoadError(
      code === 'ENOENT' ? `${what} ${file} is missing` : `cannot read ${what} ${file}: ${(e as Error).message}`,
      dir,
    );
  }
}

function readVocab(file: string, dir: string): string[] {
  const lines = readFileOrFail(file, 'model vocabulary', dir).toString('utf8').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  // Tolerate CRLF from a checkout that rewrote line endings.
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

class NativeBagEmbedder implements Embedder {
  readonly id: string;
  readonly hash: string;
  readonly dim: number;
  readonly runtime = 'native' as const;
  readonly bag: EmbeddingBagKernel;
  private disposed = false;

  constructor(manifest: ModelManifest, private readonly kernel: EmbeddingBagKernel) {
    this.bag = kernel;
    this.id = `${manifest.name}@${manifest.version}`;
    this.hash = manifest.hash;
    this.dim = manifest.dim;
  }

  async embed(texts: string[]): Promise<Float32Array> {
    if (this.disposed) throw new Error(`embedder ${this.id} has been disposed`);
    if (!Array.isArray(texts)) throw new TypeError('embed() expects an array of strings');
    const out = new Float32Array(texts.length * this.dim);
    for (let i = 0; i < texts.length; i++) this.kernel.embedInto(texts[i], out, i * this.dim);
    return out;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }
}

class OnnxEmbedder implements Embedder {
  readonly id: string;
  readonly hash: string;
  readonly dim: number;
  readonly runtime = 'onnxruntime' as const;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(
    manifest: ModelManifest,
    private readonly tokenizer: Tokenizer,
    private readonly session: Ort.InferenceSession,
    private readonly batchSize: number,
  ) {
    this.id = `${manifest.name}@${manifest.version}`;
    this.hash = manifest.hash;
    this.dim = manifest.dim;
  }

  embed(texts: string[]): Promise<Float32Array> {
    if (this.disposed) return Promise.reject(new Error(`embedder ${this.id} has been disposed`));
    if (!Array.isArray(texts)) return Promise.reject(new TypeError('embed() expects an array of strings'));
    // One run at a time on the session; callers may still call embed() concurrently.
    const job = this.queue.then(() => this.embedNow(texts));
    this.queue = job.catch(() => undefined);
    return job;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue;
    await this.session.release();
  }

  private async embedNow(texts: string[]): Promise<Float32Array> {
    const out = new Float32Array(texts.length * this.dim);
    for (let start = 0; start < texts.length; start += ENCODE_WINDOW) {
      const end = Math.min(texts.length, start + ENCODE_WINDOW);
      const encoded = [];
      for (let i = start; i < end; i++) encoded.push({ index: i, ...this.tokenizer.encode(texts[i]) });
      // Similar lengths together keep padding small.
      encoded.sort((a, b) => a.rows.length - b.rows.length);
      let i = 0;
      while (i < encoded.length) {
        let j = i;
        let len = 1;
        while (j < encoded.length && j - i < this.batchSize) {
          const nextLen = Math.max(len, encoded[j].rows.length);
          if (j > i && (j - i + 1) * nextLen > MAX_ROWS_PER_RUN) break;
          len = nextLen;
          j++;
        }
        const batch = encoded.slice(i, j);
        const result = await this.run(batch, len);
        for (let b = 0; b < batch.length; b++) {
          out.set(result.subarray(b * this.dim, (b + 1) * this.dim), batch[b].index * this.dim);
        }
        i = j;
      }
    }
    return out;
  }

  private async run(batch: { rows: Int32Array; weights: Float32Array }[], len: number): Promise<Float32Array> {
    const o = ort();
    // Padding points at row 0 with weight 0, so it adds exactly nothing.
    const rows = new Int32Array(batch.length * len);
    const weights = new Float32Array(batch.length * len);
    for (let b = 0; b < batch.length; b++) {
      rows.set(batch[b].rows, b * len);
      weights.set(batch[b].weights, b * len);
    }
    const res = await this.session.run({
      rows: new o.Tensor('int32', rows, [batch.length, len]),
      weights: new o.Tensor('float32', weights, [batch.length, len]),
    });
    return res.embedding.data as Float32Array;
  }
}

// Probes run with fatal-only logging: their failure is turned into a ModelLoadError, not printed.
async function runProbe(session: Ort.InferenceSession, row: number): Promise<Ort.Tensor> {
  const o = ort();
  const res = await session.run(
    { rows: new o.Tensor('int32', Int32Array.of(row), [1, 1]), weights: new o.Tensor('float32', Float32Array.of(1), [1, 1]) },
    { logSeverityLevel: 4 },
  );
  return res.embedding;
}

/** Checks that the graph has the expected interface and exactly tokenizer.rowCount table rows. */
async function checkSessionMatches(session: Ort.InferenceSession, tokenizer: Tokenizer, m: ModelManifest, dir: string): Promise<void> {
  for (const name of ['rows', 'weights']) {
    if (!session.inputNames.includes(name)) throw new ModelLoadError(`model in ${dir} has no input "${name}" (inputs: ${session.inputNames.join(', ')})`, dir);
  }
  if (!session.outputNames.includes('embedding')) throw new ModelLoadError(`model in ${dir} has no output "embedding"`, dir);
  const last = tokenizer.rowCount - 1;
  let probe: Ort.Tensor;
  try {
    probe = await runProbe(session, last);
  } catch (e) {
    throw new ModelLoadError(
      `model in ${dir} does not fit its vocabulary: the table lacks row ${last} (vocab ${tokenizer.vocab.length} + ${tokenizer.ngramBuckets} n-gram buckets): ${(e as Error).message}`,
      dir,
    );
  }
  if (probe.dims.length !== 2 || probe.dims[1] !== m.dim) {
    throw new ModelLoadError(`model in ${dir} outputs shape [${probe.dims.join(', ')}], manifest says dim ${m.dim}`, dir);
  }
  let tooLarge = true;
  try {
    await runProbe(session, last + 1);
  } catch {
    tooLarge = false;
  }
  if (tooLarge) {
    throw new ModelLoadError(
      `model in ${dir} has more table rows than its vocabulary (${tokenizer.vocab.length}) + n-gram buckets (${tokenizer.ngramBuckets}) explain: vocab.txt or the manifest does not belong to this model`,
      dir,
    );
  }
}

/** Load and verify a model folder; throws ModelLoadError for anything missing, corrupt or mismatched. */
export async function loadEmbedder(modelDir: string, opts?: LoadEmbedderOptions): Promise<Embedder> {
  const dir = path.resolve(modelDir);
  const batchSize = opts?.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);

  const manifest = readManifest(dir);
  const onnxFile = path.join(dir, manifest.files.onnx);
  const bytes = readFileOrFail(onnxFile, 'model file', dir);
  const actual = crypto.createHash('sha256').update(bytes).digest('hex');
  if (actual !== manifest.hash) {
    throw new ModelLoadError(
      `model file ${onnxFile} does not match its manifest (sha256 ${actual}, expected ${manifest.hash}): it is corrupt or was replaced; reinstall the model`,
      dir,
    );
  }
  const vocab = readVocab(path.join(dir, manifest.files.vocab), dir);
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer({ vocab, ...manifest.tokenizer, lowercase: true });
  } catch (e) {
    throw new ModelLoadError(`model in ${dir} has an unusable tokenizer: ${(e as Error).message}`, dir);
  }

  const runtime = opts?.runtime ?? 'auto';
  if (runtime !== 'onnxruntime') {
    let weights: ReturnType<typeof matchEmbeddingBag>;
    try {
      weights = matchEmbeddingBag(readOnnxGraph(bytes));
    } catch (e) {
      if (!(e instanceof OnnxFormatError)) throw e;
      throw new ModelLoadError(`model file ${onnxFile} is not a readable ONNX model: ${e.message}`, dir);
    }
    if (!('notBag' in weights)) {
      if (weights.dim !== manifest.dim) throw new ModelLoadError(`model in ${dir} has dimension ${weights.dim}, manifest says dim ${manifest.dim}`, dir);
      if (weights.rows !== tokenizer.rowCount) {
        throw new ModelLoadError(
          `model in ${dir} does not fit its vocabulary: the table has ${weights.rows} rows, vocab ${tokenizer.vocab.length} + ${tokenizer.ngramBuckets} n-gram buckets = ${tokenizer.rowCount}: vocab.txt or the manifest does not belong to this model`,
          dir,
        );
      }
      return new NativeBagEmbedder(manifest, new EmbeddingBagKernel(weights, tokenizer));
    }
    if (runtime === 'native') throw new ModelLoadError(`model in ${dir} cannot run natively: ${weights.notBag}`, dir);
  }

  let session: Ort.InferenceSession;
  try {
    // Shapes change every run, so a memory arena or pattern only holds on to WASM heap.
    session = await ort().InferenceSession.create(bytes, {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
      enableCpuMemArena: false,
      enableMemPattern: false,
    });
  } catch (e) {
    throw new ModelLoadError(
      `cannot start the ONNX runtime for ${onnxFile} (WASM files looked up in ${ortWasmDir()}): ${(e as Error).message}`,
      dir,
    );
  }
  try {
    await checkSessionMatches(session, tokenizer, manifest, dir);
  } catch (e) {
    await session.release().catch(() => undefined);
    throw e;
  }
  return new OnnxEmbedder(manifest, tokenizer, session, batchSize);
}

/** The first models/<name>/ (by name) holding a manifest.json, or null when none is installed. */
export function findDefaultModel(): string | null {
  const root = modelsDir();
  let names: string[];
  try {
    names = fs.readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  } catch {
    return null;
  }
  for (const name of names) {
    const dir = path.join(root, name);
    if (fs.existsSync(path.join(dir, MANIFEST_FILE))) return dir;
  }
  return null;
}
