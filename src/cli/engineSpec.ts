// What identifies and opens an engine, from the command line, as plain data:
// absolute roots and index folder, the model (null: none), crawl options. The
// in-process CLI opens it (engineOpen.ts); a client of `sift serve` sends it.
// Light on purpose (no engine code): the CLI's fast entry imports it.
import * as path from 'node:path';
import { UsageError, type ParsedArgs } from './args';
import { cacheHome, defaultIndexDir } from './indexDir';

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

/**
 * The same as sent to `sift serve`: the index folder when --index-dir names one, else the
 * cache home it is derived from (the daemon derives it: hashing here would cost the fast entry
 * the ~4 ms node:crypto takes to load).
 */
export type EngineRequest = Omit<EngineSpec, 'indexDir'> & { indexDir?: string; cacheHome?: string };

/** The engine a command's options ask for, paths resolved against the current folder. */
export function engineRequest(a: ParsedArgs, roots: string[]): EngineRequest {
  const noModel = a.flags.has('no-model');
  const modelDir = noModel ? null : a.values.model?.[0] ?? process.env.SIFT_MODEL;
  const runtime = a.values.runtime?.[0] ?? 'auto';
  if (!noModel && runtime !== 'auto' && runtime !== 'native' && runtime !== 'onnxruntime') {
    throw new UsageError(`--runtime must be auto, native or onnxruntime, got ${runtime}`);
  }
  const indexDir = a.values['index-dir']?.[0];
  const r: EngineRequest = {
    roots: roots.map((p) => path.resolve(p)),
    ...(indexDir ? { indexDir: path.resolve(indexDir) } : { cacheHome: cacheHome() }),
    runtime: runtime as ModelRuntime,
  };
  if (modelDir !== undefined) r.model = modelDir === null ? null : path.resolve(modelDir);
  if (a.values.include) r.include = a.values.include;
  if (a.values.exclude) r.exclude = a.values.exclude;
  if (a.values['max-file-bytes']) r.maxFileBytes = Number(a.values['max-file-bytes'][0]);
  return r;
}

/** The spec of a request: its index folder derived when not given. */
export function resolveSpec(r: EngineRequest): EngineSpec {
  const { cacheHome: home, indexDir, ...rest } = r;
  return { ...rest, indexDir: indexDir ?? defaultIndexDir(r.roots, home) };
}

/** The engine a command's options ask for (in this process). */
export function engineSpec(a: ParsedArgs, roots: string[]): EngineSpec {
  return resolveSpec(engineRequest(a, roots));
}

/** Two specs open the same engine exactly when their keys are equal. */
export function specKey(s: EngineSpec): string {
  return JSON.stringify([s.roots, s.indexDir, s.model === undefined ? '<default>' : s.model, s.runtime, s.include ?? [], s.exclude ?? [], s.maxFileBytes ?? null]);
}
