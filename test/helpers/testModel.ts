// Builds a small but real embedding model for tests: a ~200-word vocabulary,
// 512 n-gram buckets, dim 32. Words of one concept group share a direction, so
// "remove a file" lands nearer to `deleteFile` than to `parseDate`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Tokenizer, type TokenizerConfig } from '../../src/core/embed/tokenizer';
import type { ModelManifest } from '../../src/core/embed/manifest';
import { quantizeRows, writeModelDir } from '../../training/onnx/embeddingBagModel';
import { mulberry32 } from '../../training/train/random';

/** Concept groups: every word of a group gets the group's direction plus noise. */
export const CONCEPT_GROUPS: string[][] = [
  ['delete', 'remove', 'unlink', 'erase', 'del', 'drop', 'destroy', 'purge'],
  ['parse', 'parser', 'tokenize', 'lex', 'lexer', 'grammar', 'syntax', 'decode'],
  ['http', 'request', 'fetch', 'url', 'client', 'response', 'header', 'endpoint'],
  ['file', 'disk', 'path', 'fs', 'directory', 'folder', 'open', 'write'],
  ['retry', 'backoff', 'attempt', 'again', 'retries', 'timeout', 'transient', 'repeat'],
  ['sort', 'order', 'compare', 'rank', 'ascending', 'descending', 'sorted', 'comparator'],
  ['hash', 'digest', 'sha', 'checksum', 'crc', 'md5', 'fingerprint', 'hmac'],
  ['date', 'time', 'duration', 'timestamp', 'clock', 'day', 'month', 'calendar'],
  ['user', 'account', 'login', 'password', 'auth', 'session', 'credential', 'token'],
  ['email', 'address', 'mail', 'smtp', 'inbox', 'recipient', 'sender', 'message'],
  ['cache', 'memo', 'memoize', 'lru', 'evict', 'store', 'hit', 'miss'],
  ['log', 'logger', 'debug', 'trace', 'warn', 'info', 'verbose', 'print'],
];

/** Common words without a concept: random directions only. */
const FILLER = [
  'the', 'a', 'an', 'to', 'of', 'in', 'for', 'from', 'with', 'and', 'or', 'not', 'is', 'it', 'on', 'by',
  'function', 'return', 'const', 'let', 'var', 'if', 'else', 'new', 'this', 'class', 'def', 'self',
  'get', 'set', 'value', 'data', 'list', 'item', 'items', 'name', 'id', 'key', 'map', 'count', 'index',
  'result', 'error', 'err', 'null', 'true', 'false', 'string', 'number', 'int', 'bool', 'args', 'options',
  'config', 'init', 'create', 'update', 'handle', 'process', 'run', 'start', 'stop', 'check', 'is',
  'has', 'add', 'make', 'build', 'load', 'save', 'send', 'read', 'close', 'node', 'tree', 'buffer',
  'size', 'length', 'max', 'min', 'total', 'sum', 'avg', 'first', 'last', 'next', 'prev', 'all', 'any',
  'each', 'map', 'filter', 'reduce', 'await', 'async', 'promise', 'callback', 'event', 'emit', 'listen',
  'input', 'output', 'stream', 'pipe', 'chunk', 'line', 'text', 'char', 'byte', 'bytes', 'str', 'obj',
  'array', 'object', 'type', 'kind', 'mode', 'state', 'status', 'code', 'util', 'utils', 'helper', 'v',
];

export interface TestModel {
  dir: string;
  manifest: ModelManifest;
  tokenizer: Tokenizer;
  config: TokenizerConfig;
  dim: number;
  /** Float table before quantisation. */
  table: Float32Array;
  /** What model.onnx holds. */
  quantized: { table: Int8Array; scales: Float32Array };
  /** Removes the model folder. */
  cleanup(): void;
}


function gaussian(next: () => number): number {
  const u = Math.max(next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
}

export function buildTestModel(opts: { dim?: number; ngramBuckets?: number; seed?: number; parentDir?: string } = {}): TestModel {
  const dim = opts.dim ?? 32;
  const ngramBuckets = opts.ngramBuckets ?? 512;
  const next = mulberry32(opts.seed ?? 1234);

  const vocab: string[] = [];
  const groupOf = new Map<string, number>();
  CONCEPT_GROUPS.forEach((g, gi) => g.forEach((w) => {
    if (!groupOf.has(w)) { groupOf.set(w, gi); vocab.push(w); }
  }));
  for (const w of FILLER) if (!groupOf.has(w) && !vocab.includes(w)) vocab.push(w);

  const config: TokenizerConfig = { vocab, ngramBuckets, ngramSizes: [3, 4, 5], maxTokens: 256, lowercase: true };
  const tokenizer = new Tokenizer(config);
  const rows = tokenizer.rowCount;
  const concepts = CONCEPT_GROUPS.map(() => Array.from({ length: dim }, () => gaussian(next)));
  const table = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const word = r < vocab.length ? vocab[r] : undefined;
    const g = word !== undefined ? groupOf.get(word) : undefined;
    // Filler words are weak and n-gram rows start as small noise, so concept words decide the direction.
    const noise = g !== undefined ? 0.35 : word !== undefined ? 0.3 : 0.08;
    for (let d = 0; d < dim; d++) {
      table[r * dim + d] = (g !== undefined ? concepts[g][d] : 0) + noise * gaussian(next);
    }
  }

  // Mimic what training teaches n-gram rows: a concept word's n-grams lean towards its concept,
  // so an unseen compound such as `addressparser` lands near `address` and `parser`.
  for (const [word, g] of groupOf) {
    for (const r of tokenizer.ngramRows(word)) {
      for (let d = 0; d < dim; d++) table[r * dim + d] += 0.3 * concepts[g][d];
    }
  }

  const parent = opts.parentDir ?? os.tmpdir();
  fs.mkdirSync(parent, { recursive: true });
  const dir = fs.mkdtempSync(path.join(parent, 'sift-test-model-'));
  const manifest = writeModelDir(dir, { name: 'test-bag', version: '0.0.1', tokenizer: config, table, dim });
  return {
    dir,
    manifest,
    tokenizer,
    config,
    dim,
    table,
    quantized: quantizeRows(table, rows, dim),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Copy a model folder (to corrupt the copy without touching the original). */
export function copyModelDir(src: string): string {
  const dst = fs.mkdtempSync(path.join(path.dirname(src), 'sift-test-model-copy-'));
  for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(dst, f));
  return dst;
}
