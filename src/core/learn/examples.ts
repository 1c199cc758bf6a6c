// From "this query meant this chunk" to training examples the fine-tuner reads:
// the right chunk's vector, and negatives in the order a softmax learns most
// from — the chunks the person skipped, the ones shown below, the model's own
// nearest wrong chunks (what the query would otherwise find), a few random ones.
import type { Engine } from '../engine';
import type { StoredChunk } from '../persist/indexStore';
import type { TrainExample } from './fineTune';
import type { ChunkRef, Triplet } from './types';
import { yieldNow } from './yieldNow';
import { mulberry32 } from '../random';

/** A lesson with the chunks resolved to the index's keys. */
export interface KeyedLesson {
  query: string;
  /** The answer: a chunk key, or a vector (a documented unit embedded without its doc). */
  positive: number | Float32Array;
  /** Keys of the chunk(s) that are the answer (never used as negatives). */
  answerKeys: number[];
  hard: number[];
  shown: number[];
  weight: number;
}

export interface ExampleOptions {
  /** The model's nearest wrong chunks per query. */
  neighbours?: number;
  /** Random chunks per query. */
  random?: number;
  seed?: number;
}

/** The key of the chunk a log entry names: same file, same declaration line and name; else same name nearest; else the unit holding the line. */
export function resolveRef(engine: Engine, ref: ChunkRef): number | null {
  const ctx = engine.searchContext({ keywordOnly: true });
  const root = ctx.roots.indexOf(ref.root);
  if (root < 0) return null;
  const keys = ctx.chunks.keysOfFile(root, ref.file);
  let best: StoredChunk | null = null;
  let bestCost = Infinity;
  for (const k of keys) {
    const c = ctx.chunks.get(k);
    if (!c || c.kind === 'file') continue;
    const sameName = c.name === ref.name;
    const holds = c.startLine <= ref.line && ref.line <= c.endLine;
    // cost: exact match 0; same name elsewhere (code moved) by distance; a unit holding the line by its size
    const cost = sameName && c.declLine === ref.line ? 0
      : sameName ? 1 + Math.abs(c.declLine - ref.line) / 1e4
        : holds ? 2 + (c.endLine - c.startLine) / 1e6 : Infinity;
    if (cost < bestCost || (cost === bestCost && best && (c.part?.index ?? 1) < (best.part?.index ?? 1))) { best = c; bestCost = cost; }
  }
  return best ? best.key : null;
}

/** Keys of every part of the unit a key belongs to (split units have several). */
export function unitKeys(engine: Engine, key: number): number[] {
  const ctx = engine.searchContext({ keywordOnly: true });
  const c = ctx.chunks.get(key);
  if (!c) return [key];
  if (!c.part) return [key];
  return ctx.chunks.keysOfFile(c.root, c.file).filter((k) => ctx.chunks.get(k)?.name === c.name);
}


/**
 * Each lesson's training example, against the shipped model's vectors (a lesson without a usable
 * positive or negatives has none). Built once per adaptation: every fold of the guard picks its own.
 */
export async function buildExamples(engine: Engine, lessons: KeyedLesson[], o: ExampleOptions = {}): Promise<Map<KeyedLesson, TrainExample>> {
  const base = engine.embedder;
  const ctx = engine.searchContext({ adapter: null });
  const out = new Map<KeyedLesson, TrainExample>();
  if (!base || !ctx.vectors) return out;
  const neighbours = o.neighbours ?? 30;
  const randomCount = o.random ?? 10;
  const random = mulberry32(o.seed ?? 1);
  const allKeys = ctx.vectors.keys();
  const cache = new Map<number, Float32Array | null>();
  const vec = (k: number) => {
    if (!cache.has(k)) cache.set(k, engine.vectorOf(k));
    return cache.get(k)!;
  };
  for (const [i, l] of lessons.entries()) {
    if (i % 16 === 15) await yieldNow();
    const positive = typeof l.positive === 'number' ? vec(l.positive) : l.positive;
    if (!positive) continue;
    const exclude = new Set(l.answerKeys);
    const negKeys: number[] = [];
    const take = (k: number) => { if (!exclude.has(k)) { exclude.add(k); negKeys.push(k); } };
    for (const k of l.hard) take(k);
    for (const k of l.shown) take(k);
    const q = (await base.embed([l.query])).subarray(0, base.dim);
    for (const h of ctx.vectors.search(q, neighbours + l.answerKeys.length)) take(h.key);
    for (let i = 0; i < randomCount && allKeys.length > 0; i++) take(allKeys[Math.floor(random() * allKeys.length)]);
    const negatives = negKeys.map(vec).filter((v): v is Float32Array => v !== null);
    if (negatives.length === 0) continue;
    out.set(l, { query: l.query, positive, negatives, weight: l.weight });
  }
  return out;
}

/** The triplets whose chunks are still in the index, as lessons (a triplet whose positive is gone is dropped). */
export function lessonsFromTriplets(engine: Engine, triplets: readonly Triplet[]): KeyedLesson[] {
  const out: KeyedLesson[] = [];
  const keysOf = (refs: ChunkRef[]) => refs.map((r) => resolveRef(engine, r)).filter((k): k is number => k !== null);
  for (const t of triplets) {
    const pos = resolveRef(engine, t.positive);
    if (pos === null) continue;
    out.push({ query: t.query, positive: pos, answerKeys: unitKeys(engine, pos), hard: keysOf(t.hard), shown: keysOf(t.shown), weight: t.weight });
  }
  return out;
}
