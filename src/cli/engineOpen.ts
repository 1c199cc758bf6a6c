// Opening the engine the way every command does: the model (or none), the
// index folder for the root set, the crawl options from the command line.
import * as path from 'node:path';
import { UsageError, type ParsedArgs } from './args';
import { defaultIndexDir } from './indexDir';
import { Engine } from '../core/engine';
import { findDefaultModel, loadEmbedder, type Embedder } from '../core/embed/embedder';

export async function loadModel(a: ParsedArgs, warn: (m: string) => void): Promise<Embedder | null> {
  if (a.flags.has('no-model')) return null;
  const dir = a.values.model?.[0] ?? process.env.SIFT_MODEL ?? findDefaultModel();
  if (!dir) return null;
  const runtime = a.values.runtime?.[0] ?? 'auto';
  if (runtime !== 'auto' && runtime !== 'native' && runtime !== 'onnxruntime') {
    throw new UsageError(`--runtime must be auto, native or onnxruntime, got ${runtime}`);
  }
  try {
    return await loadEmbedder(path.resolve(dir), { runtime });
  } catch (e) {
    warn(`warning: embedding model not loaded (${(e as Error).message}); searching by keywords only`);
    return null;
  }
}

export async function openEngine(a: ParsedArgs, roots: string[], warn: (m: string) => void): Promise<Engine> {
  let loadFailed = false;
  const embedder = await loadModel(a, (m) => { loadFailed = true; warn(m); });
  const abs = roots.map((r) => path.resolve(r));
  return Engine.open({
    roots: abs,
    indexDir: a.values['index-dir']?.[0] ?? defaultIndexDir(abs),
    embedder,
    crawl: {
      include: a.values.include,
      exclude: a.values.exclude,
      maxFileBytes: a.values['max-file-bytes'] ? Number(a.values['max-file-bytes'][0]) : undefined,
    },
    log: warn,
    noModelReason: a.flags.has('no-model') ? 'switched off with --no-model' : loadFailed ? 'the embedding model could not be loaded' : undefined,
  });
}
