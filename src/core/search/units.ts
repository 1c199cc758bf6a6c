// A unit too large for the model window is indexed as parts (part 1 holds the
// declaration, later parts repeat its signature above a stretch of the body).
// To a person it is still one function: its parts are one answer, shown at the
// function's declaration and spanning the whole function.
import type { ChunkLookup } from '../store/searchStore';
import type { StoredChunk } from '../persist/indexStore';

/** The whole unit a split part belongs to. */
export interface UnitSpan {
  /** The same for every part of one unit. */
  unitId: string;
  /** Part 1's start (doc comment included) and declaration line. */
  startLine: number;
  declLine: number;
  /** The last part's end: the unit's end when every part is in the table. */
  endLine: number;
  /** Key of part 1, or null when part 1 is not in the table. */
  firstKey: number | null;
  /** Keys of the unit's parts found in the table, in part order. */
  keys: number[];
  /** True when parts 1..count were all found. */
  complete: boolean;
}

type Part = StoredChunk & { part: { index: number; count: number } };

function isPart(c: StoredChunk | undefined): c is Part {
  return !!c && !!c.part && c.part.count > 1;
}

/** True when o is a part of the same split as me (same file, kind, name, signature and part count). */
function sameSplit(me: Part, o: StoredChunk): o is Part {
  return isPart(o) && o.part.count === me.part.count && o.kind === me.kind && o.name === me.name
    && o.root === me.root && o.file === me.file
    // a block part's signature is its own first line; a unit's parts all repeat the unit's
    && (me.kind === 'block' || o.signature === me.signature);
}

/** The part before cur in its chain: one index lower, starting above it and reaching it (parts abut or overlap). */
function previousPart(parts: Part[], cur: Part): Part | undefined {
  let best: Part | undefined;
  for (const p of parts) {
    if (p.part.index !== cur.part.index - 1 || p.startLine >= cur.startLine || p.endLine < cur.startLine - 1) continue;
    if (!best || p.startLine > best.startLine) best = p;
  }
  return best;
}

function nextPart(parts: Part[], cur: Part): Part | undefined {
  let best: Part | undefined;
  for (const p of parts) {
    if (p.part.index !== cur.part.index + 1 || p.startLine <= cur.startLine || p.startLine > cur.endLine + 1) continue;
    if (!best || p.startLine < best.startLine) best = p;
  }
  return best;
}

/**
 * The unit a split part belongs to: its parts found in the same file, part 1's
 * start and declaration line, the last part's end. Null when the key is not in
 * the table or its chunk is whole (not split).
 */
export function unitOf(chunks: ChunkLookup, key: number): UnitSpan | null {
  // numbers first: most candidates are whole units, and most of a file's chunks are not parts of this split
  if (chunks.partCount(key) <= 1) return null;
  const me = chunks.get(key);
  if (!isPart(me)) return null;
  const parts: Part[] = [];
  for (const k of chunks.keysOfFile(me.root, me.file)) {
    if (k === key) { parts.push(me); continue; }
    if (chunks.partCount(k) !== me.part.count || chunks.name(k) !== me.name) continue;
    const o = chunks.get(k);
    if (o && sameSplit(me, o)) parts.push(o);
  }
  const chain: Part[] = [me];
  for (let p = previousPart(parts, me); p; p = previousPart(parts, p)) chain.unshift(p);
  for (let p = nextPart(parts, me); p; p = nextPart(parts, p)) chain.push(p);
  const first = chain[0];
  const last = chain[chain.length - 1];
  return {
    unitId: `${first.root}:${first.key}`,
    startLine: first.startLine,
    declLine: first.declLine,
    endLine: last.endLine,
    firstKey: first.part.index === 1 ? first.key : null,
    keys: chain.map((c) => c.key),
    complete: first.part.index === 1 && last.part.index === last.part.count && chain.length === last.part.count,
  };
}

/**
 * Items in rank order, one per unit: the first-ranked item of a unit keeps its
 * slot and the unit's later-ranked items are dropped. Items whose unitIdOf is
 * null are never merged.
 */
export function mergeSplitParts<T>(ranked: T[], unitIdOf: (t: T) => string | null): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const item of ranked) {
    const id = unitIdOf(item);
    if (id !== null) {
      if (seen.has(id)) continue;
      seen.add(id);
    }
    out.push(item);
  }
  return out;
}

/** One slot of a merged ranking. */
export interface MergedHit<T> {
  /** The first-ranked item of the slot (for a split unit: its best-ranked part). */
  item: T;
  /** item.key: the chunk whose text (snippet) and evidence the slot shows. */
  key: number;
  /** The whole unit when item is a split part (show its startLine/endLine/declLine); null: use the chunk's own. */
  unit: UnitSpan | null;
  /** Keys of every ranked item merged into this slot, best first (item.key first). */
  mergedKeys: number[];
}

/**
 * A ranking of chunks with the parts of one split unit merged into the slot of
 * its best-ranked part, which then stands for the whole unit (see UnitSpan).
 * Keys not in the table pass through with unit null.
 */
export function mergeRankedParts<T extends { key: number }>(chunks: ChunkLookup, ranked: T[]): Array<MergedHit<T>> {
  const unitOfKey = new Map<number, UnitSpan | null>();
  const lookup = (key: number): UnitSpan | null => {
    let u = unitOfKey.get(key);
    if (u === undefined) {
      u = unitOf(chunks, key);
      unitOfKey.set(key, u);
      // every part of the unit answers from this one look-up
      if (u) for (const k of u.keys) unitOfKey.set(k, u);
    }
    return u;
  };
  const slots = new Map<string, MergedHit<T>>();
  const out: Array<MergedHit<T>> = [];
  for (const item of ranked) {
    const unit = lookup(item.key);
    const had = unit ? slots.get(unit.unitId) : undefined;
    if (had) {
      had.mergedKeys.push(item.key);
      continue;
    }
    const hit: MergedHit<T> = { item, key: item.key, unit, mergedKeys: [item.key] };
    if (unit) slots.set(unit.unitId, hit);
    out.push(hit);
  }
  return out;
}

/** Where a slot's hit lies: the unit's span for a merged split, else the chunk's own. */
export function hitSpan(c: Pick<StoredChunk, 'startLine' | 'endLine' | 'declLine'>, unit: UnitSpan | null): { startLine: number; endLine: number; declLine: number } {
  return unit
    ? { startLine: unit.startLine, endLine: unit.endLine, declLine: unit.declLine }
    : { startLine: c.startLine, endLine: c.endLine, declLine: c.declLine };
}
