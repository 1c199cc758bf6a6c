// What identifies and opens an engine, from the command line, as plain data:
// absolute roots and index folder, the model (null: none), crawl options. The
// in-process CLI opens it (engineOpen.ts); a client of `sift serve` sends it.
// Light on purpose (no engine code): the CLI's fast entry imports it.
import * as path from 'node:path';
import { UsageError, type ParsedArgs } from './args';
import { defaultIndexDir } from './indexDir';

export type ModelRuntime = 'auto' | 'native' | 'onnxruntime';

export interface EngineSpec {
  roots: string[];
  indexDir: string;
  /** The embedding model folder; null: none (--no-model); absent: the shipped default. */
  model?: string | null;
  runtime: ModelRuntime;
  include?: string[];
  exclude?: string[];
  maxFileBytes?: number;
}

/** The engine a command's options ask for, roots and paths resolved against cwd (default: this process's). */
export function engineSpec(a: ParsedArgs, roots: string[], env: NodeJS.ProcessEnv = process.env): EngineSpec {
  const absRoots = roots.map((r) => path.resolve(r));
  const noModel = a.flags.has('no-model');
  const modelDir = noModel ? null : a.values.model?.[0] ?? env.SIFT_MODEL;
  const runtime = a.values.runtime?.[0] ?? 'auto';
  if (!noModel && runtime !== 'auto' && runtime !== 'native' && runtime !== 'onnxruntime') {
    throw new UsageError(`--runtime must be auto, native or onnxruntime, got ${runtime}`);
  }
  const spec: EngineSpec = {
    roots: absRoots,
    indexDir: path.resolve(a.values['index-dir']?.[0] ?? defaultIndexDir(absRoots)),
    runtime: runtime as ModelRuntime,
  };
  if (modelDir !== undefined) spec.model = modelDir === null ? null : path.resolve(modelDir);
  if (a.values.include) spec.include = a.values.include;
  if (a.values.exclude) spec.exclude = a.values.exclude;
  if (a.values['max-file-bytes']) spec.maxFileBytes = Number(a.values['max-file-bytes'][0]);
  return spec;
}

/** Two specs open the same engine exactly when their keys are equal. */
export function specKey(s: EngineSpec): string {
  return JSON.stringify([s.roots, s.indexDir, s.model === undefined ? '<default>' : s.model, s.runtime, s.include ?? [], s.exclude ?? [], s.maxFileBytes ?? null]);
}
