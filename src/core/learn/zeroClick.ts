// Zero-click adaptation: before anyone clicks, the workspace's own documented
// units teach the model its vocabulary — each doc sentence is a query whose
// answer is the unit's code without the doc (the pair the model was trained
// on, made by the same harvester). Guarded like click adaptation, on pairs of
// files the fit never saw, by where the doc-less code ranks among the index's
// vectors for its sentence.
import type { Engine } from '../engine';
import { adaptGuarded, type AdaptOptions, type AdaptResult } from './adapt';
import { type KeyedLesson, resolveRef, unitKeys } from './examples';
import { workspacePairs } from './workspacePairs';
import { yieldNow } from './yieldNow';

export interface ZeroClickOptions extends Partial<Omit<AdaptOptions, 'kind' | 'scorer'>> {
  /** At most this many pairs are used (default 5000). */
  maxPairs?: number;
  signal?: AbortSignal;
}

/** The workspace's doc pairs as lessons against this engine's index. */
export async function workspaceLessons(engine: Engine, maxPairs: number, signal?: AbortSignal): Promise<KeyedLesson[]> {
  const base = engine.embedder;
  if (!base) return [];
  const pairs = await workspacePairs(engine.roots, { maxPairs, signal });
  const lessons: KeyedLesson[] = [];
  for (const [i, p] of pairs.entries()) {
    if (i % 32 === 31) await yieldNow();
    const key = resolveRef(engine, { root: p.root, file: p.file, line: p.declLine, name: p.name });
    if (key === null) continue;
    const positive = (await base.embed([p.code])).slice(0, base.dim);
    lessons.push({ query: p.query, positive, answerKeys: unitKeys(engine, key), hard: [], shown: [], weight: 1 });
  }
  return lessons;
}

export async function adaptToWorkspace(engine: Engine, o: ZeroClickOptions = {}): Promise<AdaptResult & { pairs: number }> {
  const lessons = await workspaceLessons(engine, o.maxPairs ?? 5000, o.signal);
  const r = await adaptGuarded(engine, lessons, { parts: 'embedding', ...o, kind: 'zero-click', scorer: 'vector' });
  return { ...r, pairs: lessons.length };
}
