// A model folder's manifest.json: what the model is and how to tokenize for it.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ModelManifest {
  name: string;
  version: string;
  dim: number;
  /** sha256 (hex) of the model.onnx file. */
  hash: string;
  /** File names inside the model folder. */
  files: { onnx: string; vocab: string };
  tokenizer: { ngramBuckets: number; ngramSizes: number[]; maxTokens: number };
  createdAt?: string;
}

/** A model folder that is missing, corrupt or inconsistent; the message says which and why. */
export class ModelLoadError extends Error {
  constructor(message: string, readonly modelDir?: string) {
    super(message);
    this.name = 'ModelLoadError';
  }
}

export const MANIFEST_FILE = 'manifest.json';

function isPlainFileName(s: unknown): s is string {
  // Files must live in the model folder itself: no separators, no '..'.
  return typeof s === 'string' && s.length > 0 && !/[\\/]/.test(s) && s !== '.' && s !== '..';
}

function isPositiveInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n > 0;
}

/** Problems with a parsed manifest, empty when valid. */
export function manifestProblems(m: unknown): string[] {
  const p: string[] = [];
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return ['manifest is not a JSON object'];
  const o = m as Record<string, unknown>;
  if (typeof o.name !== 'string' || !/^[\w.-]+$/.test(o.name)) p.push('"name" must be a non-empty string of letters, digits, "_", "-", "."');
  if (typeof o.version !== 'string' || o.version.length === 0) p.push('"version" must be a non-empty string');
  if (!isPositiveInt(o.dim)) p.push('"dim" must be a positive integer');
  if (typeof o.hash !== 'string' || !/^[0-9a-f]{64}$/.test(o.hash)) p.push('"hash" must be a lower-case hex sha256');
  const files = o.files as Record<string, unknown> | undefined;
  if (typeof files !== 'object' || files === null) p.push('"files" must be an object');
  else {
    if (!isPlainFileName(files.onnx)) p.push('"files.onnx" must be a file name inside the model folder');
    if (!isPlainFileName(files.vocab)) p.push('"files.vocab" must be a file name inside the model folder');
  }
  const tok = o.tokenizer as Record<string, unknown> | undefined;
  if (typeof tok !== 'object' || tok === null) p.push('"tokenizer" must be an object');
  else {
    if (typeof tok.ngramBuckets !== 'number' || !Number.isInteger(tok.ngramBuckets) || tok.ngramBuckets < 0) {
      p.push('"tokenizer.ngramBuckets" must be a non-negative integer');
    }
    if (!Array.isArray(tok.ngramSizes) || !tok.ngramSizes.every(isPositiveInt)) {
      p.push('"tokenizer.ngramSizes" must be an array of positive integers');
    }
    if (!isPositiveInt(tok.maxTokens)) p.push('"tokenizer.maxTokens" must be a positive integer');
  }
  if (o.createdAt !== undefined && typeof o.createdAt !== 'string') p.push('"createdAt" must be a string when present');
  return p;
}

/** Read and validate `<dir>/manifest.json`. */
export function readManifest(dir: string): ModelManifest {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ModelLoadError(
      code === 'ENOENT' ? `no model manifest at ${file}` : `cannot read model manifest ${file}: ${(e as Error).message}`,
      dir,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ModelLoadError(`model manifest ${file} is not valid JSON: ${(e as Error).message}`, dir);
  }
  const problems = manifestProblems(parsed);
  if (problems.length > 0) throw new ModelLoadError(`invalid model manifest ${file}: ${problems.join('; ')}`, dir);
  const o = parsed as ModelManifest;
  // Copy only known fields so stray keys never leak into callers.
  return {
    name: o.name,
    version: o.version,
    dim: o.dim,
    hash: o.hash,
    files: { onnx: o.files.onnx, vocab: o.files.vocab },
    tokenizer: {
      ngramBuckets: o.tokenizer.ngramBuckets,
      ngramSizes: o.tokenizer.ngramSizes.slice(),
      maxTokens: o.tokenizer.maxTokens,
    },
    ...(o.createdAt !== undefined ? { createdAt: o.createdAt } : {}),
  };
}
