// Opening the engine the way every command does: the model (or none), the
// index folder for the root set, the crawl options from the command line
// (gathered as an EngineSpec by engineSpec.ts).
import * as path from 'node:path';
import type { ParsedArgs } from './args';
import { engineSpec, type EngineSpec } from './engineSpec';
import { Engine } from '../core/engine';
import { findDefaultModel, loadEmbedder, type Embedder } from '../core/embed/embedder';

/** The spec's model: none when switched off or none is installed; a load failure is warned about and gives none. */
export async function loadSpecModel(spec: Pick<EngineSpec, 'model' | 'runtime'>, warn: (m: string) => void): Promise<Embedder | null> {
  if (spec.model === null) return null;
  const dir = spec.model ?? findDefaultModel();
  if (!dir) return null;
  try {
    return await loadEmbedder(path.resolve(dir), { runtime: spec.runtime });
  } catch (e) {
    warn(`warning: embedding model not loaded (${(e as Error).message}); searching by keywords only`);
    return null;
  }
}

/** The model the command line asks for (the roots play no part in it). */
export async function loadModel(a: ParsedArgs, warn: (m: string) => void): Promise<Embedder | null> {
  return loadSpecModel(engineSpec(a, ['.']), warn);
}

/** Open the spec's engine; `load` gives its model (default: load it now; the daemon shares loaded models). */
export async function openEngineFromSpec(
  spec: EngineSpec, warn: (m: string) => void,
  load: (spec: EngineSpec, warn: (m: string) => void) => Promise<Embedder | null> = loadSpecModel,
): Promise<Engine> {
  let loadFailed = false;
  const embedder = await load(spec, (m) => { loadFailed = true; warn(m); });
  return Engine.open({
    roots: spec.roots,
    indexDir: spec.indexDir,
    embedder,
    crawl: { include: spec.include, exclude: spec.exclude, maxFileBytes: spec.maxFileBytes },
    log: warn,
    noModelReason: spec.model === null ? 'switched off with --no-model' : loadFailed ? 'the embedding model could not be loaded' : undefined,
  });
}

export async function openEngine(a: ParsedArgs, roots: string[], warn: (m: string) => void): Promise<Engine> {
  return openEngineFromSpec(engineSpec(a, roots), warn);
}
