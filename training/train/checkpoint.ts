// A run folder: the configuration a run was started with, its tokenizer, and
// checkpoints (raw little-endian float32 table + optimiser state + progress).
//
//   run.json         how the run was started (pairs, corpus and training options)
//   tokenizer.json   the TokenizerConfig, vocabulary included
//   table.f32        rows × dim float32
//   adam-m.f32, adam-v.f32, adam-steps.i32   sparse-Adam state (for resuming)
//   state.json       progress: epoch, step, temperature, history
// Files are written to *.tmp and renamed, state.json last, so a crash while
// saving leaves the previous checkpoint readable.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TokenizerConfig } from '../../src/core/embed/tokenizer';
import { writeFileAtomic } from '../../src/core/persist/atomicWrite';

export const RUN_FILE = 'run.json';
export const TOKENIZER_FILE = 'tokenizer.json';
export const TABLE_FILE = 'table.f32';
export const STATE_FILE = 'state.json';
const ADAM_M_FILE = 'adam-m.f32';
const ADAM_V_FILE = 'adam-v.f32';
const ADAM_STEPS_FILE = 'adam-steps.i32';

/** Default parent of run folders: ~/.cache/sift-training/runs (outside the repository). */
export function defaultRunsDir(): string {
  return path.join(os.homedir(), '.cache', 'sift-training', 'runs');
}

export interface EpochRecord {
  epoch: number;
  meanLoss: number;
  temperature: number;
  seconds: number;
  pairsPerSecond: number;
  /** CPU seconds of all training threads during the epoch's steps. */
  cpuSeconds?: number;
  /** Model-only MRR on a sample of held-out pairs (see validationPool). */
  validationMrr?: number;
  validationPool?: number;
}

export interface TrainState {
  /** Epoch and batch the next step will run (0-based). */
  epoch: number;
  batchInEpoch: number;
  step: number;
  totalSteps: number;
  logTemperature: number;
  temperatureAdam: { m: number; v: number; t: number };
  history: EpochRecord[];
  done: boolean;
  /** Training seconds so far, across resumes. */
  seconds: number;
  /** Identifies the corpus the run trains on; resuming on another corpus is refused. */
  corpusFingerprint: string;
}

export interface Checkpoint {
  table: Float32Array;
  adamM: Float32Array;
  adamV: Float32Array;
  adamSteps: Int32Array;
  state: TrainState;
}

/** Checkpoint files go through the engine's crash-safe writer (temp, fsync, rename). */
function writeAtomic(file: string, data: string | ArrayBufferView): void {
  writeFileAtomic(file, typeof data === 'string' ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

export function writeJson(file: string, value: unknown): void {
  writeAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

export function readJson<T>(file: string, what: string): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${what}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`${what}: ${file} is not valid JSON (${(e as Error).message})`);
  }
}

export function saveTokenizer(runDir: string, tok: TokenizerConfig): void {
  fs.mkdirSync(runDir, { recursive: true });
  writeJson(path.join(runDir, TOKENIZER_FILE), tok);
}

export function loadTokenizer(runDir: string): TokenizerConfig {
  const t = readJson<TokenizerConfig>(path.join(runDir, TOKENIZER_FILE), 'run tokenizer');
  if (!Array.isArray(t.vocab) || typeof t.ngramBuckets !== 'number' || !Array.isArray(t.ngramSizes) || typeof t.maxTokens !== 'number') {
    throw new Error(`run tokenizer: ${path.join(runDir, TOKENIZER_FILE)} is not a tokenizer configuration`);
  }
  return t;
}

/** The table alone (a run made outside the trainer: training/train/tableRun.ts). */
export function saveTable(runDir: string, table: Float32Array): void {
  fs.mkdirSync(runDir, { recursive: true });
  writeAtomic(path.join(runDir, TABLE_FILE), table);
}

export function saveCheckpoint(runDir: string, c: Checkpoint, withOptimizer = true): void {
  saveTable(runDir, c.table);
  if (withOptimizer) {
    writeAtomic(path.join(runDir, ADAM_M_FILE), c.adamM);
    writeAtomic(path.join(runDir, ADAM_V_FILE), c.adamV);
    writeAtomic(path.join(runDir, ADAM_STEPS_FILE), c.adamSteps);
  }
  writeJson(path.join(runDir, STATE_FILE), c.state);
}

function readTyped<T extends Float32Array | Int32Array>(file: string, ctor: new (b: ArrayBuffer) => T, expected: number): T {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw new Error(`checkpoint: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (buf.byteLength !== expected * 4) throw new Error(`checkpoint: ${file} holds ${buf.byteLength / 4} values, expected ${expected}`);
  const copy = new ArrayBuffer(buf.byteLength);
  new Uint8Array(copy).set(buf);
  return new ctor(copy);
}

/** The table alone (eval, export). */
export function loadTable(runDir: string, rows: number, dim: number): Float32Array {
  return readTyped(path.join(runDir, TABLE_FILE), Float32Array, rows * dim);
}

export function loadState(runDir: string): TrainState | null {
  if (!fs.existsSync(path.join(runDir, STATE_FILE))) return null;
  return readJson<TrainState>(path.join(runDir, STATE_FILE), 'run state');
}

/** A full checkpoint for resuming, or null when the run has none yet. */
export function loadCheckpoint(runDir: string, rows: number, dim: number): Checkpoint | null {
  const state = loadState(runDir);
  if (!state) return null;
  return {
    table: loadTable(runDir, rows, dim),
    adamM: readTyped(path.join(runDir, ADAM_M_FILE), Float32Array, rows * dim),
    adamV: readTyped(path.join(runDir, ADAM_V_FILE), Float32Array, rows * dim),
    adamSteps: readTyped(path.join(runDir, ADAM_STEPS_FILE), Int32Array, rows),
    state,
  };
}
