// Pairs of one source file: the engine's chunker cuts it into units; a unit's
// doc comment gives a "doc" pair, comments inside a function give "inline"
// pairs. Every rejected candidate is counted under a reason.
import type { Chunker } from '../../src/core/chunk/chunker';
import { docPairOf } from '../../src/core/harvest/docPairs';
import type { Chunk, ChunkKind, LanguageId } from '../../src/core/types';
import { generatedReason, isDataTable } from './fileFilters';
import { findInlineComments } from './inlineComments';
import { inlineQuery } from '../../src/core/harvest/queryText';
import { chunkCodePart, codeKey, isTrivialCode, renderWithoutDoc } from '../../src/core/harvest/unitCode';

export type PairKind = 'doc' | 'inline';

/** One training pair as written to the output (JSON Lines). */
export interface PairRecord {
  q: string;
  /** The unit's embedded text without its doc (engine form: path line, context lines, code). */
  code: string;
  lang: LanguageId;
  pkg: string;
  /** Path of the file inside its package's repository (the code's first line). */
  file: string;
  /** Qualified name of the unit. */
  name: string;
  kind: PairKind;
  /** Chunk kind of the unit (function, method, class …). */
  unit: ChunkKind;
  source: 'deb' | 'npm';
  test?: true;
  /** Inline pairs: the statements the comment precedes (dedented). */
  block?: string;
}

/** A pair before the global filters: carries its code key (hash of the code's subtokens). */
export interface CandidatePair extends PairRecord {
  h: string;
}

export interface FileInput {
  /** Repository-relative path (becomes the chunk's file and the code's path line). */
  rel: string;
  text: string;
  lang: LanguageId;
  pkg: string;
  source: 'deb' | 'npm';
  test: boolean;
}

export interface FileHarvest {
  pairs: CandidatePair[];
  /** Set when the whole file was skipped. */
  skipped?: string;
}

const INLINE_UNIT_KINDS: ReadonlySet<ChunkKind> = new Set(['function', 'method']);
/** At most this many inline pairs per unit: long functions must not dominate. */
export const MAX_INLINE_PER_UNIT = 3;
/** 'tsx' files are TypeScript for the model. */
export function pairLanguage(lang: LanguageId): LanguageId {
  return lang === 'tsx' ? 'typescript' : lang;
}

export function countDrop(drops: Record<string, number>, reason: string, n = 1): void {
  drops[reason] = (drops[reason] ?? 0) + n;
}

function docPair(chunk: Chunk, input: FileInput, lines: string[], drops: Record<string, number>): CandidatePair | null {
  const p = docPairOf(chunk, lines);
  if (p === null) return null;
  if ('reject' in p) {
    countDrop(drops, `doc: ${p.reject}`);
    return null;
  }
  return record(chunk, input, p.query, p.code, 'doc', codeKey(p.codePart));
}

function inlinePairs(chunk: Chunk, input: FileInput, drops: Record<string, number>): CandidatePair[] {
  const code = chunkCodePart(chunk);
  if (code === null) return [];
  const out: CandidatePair[] = [];
  for (const c of findInlineComments(code, chunk.language)) {
    const qr = inlineQuery(c.text, chunk.name);
    if ('reject' in qr) {
      countDrop(drops, `inline: ${qr.reject}`);
      continue;
    }
    if (out.length >= MAX_INLINE_PER_UNIT) {
      countDrop(drops, `inline: over ${MAX_INLINE_PER_UNIT} per unit`);
      continue;
    }
    if (isTrivialCode(c.codeWithout)) {
      countDrop(drops, 'inline: trivial code (< 3 lines or < 10 subtokens)');
      continue;
    }
    const rec = record(chunk, input, qr.query, renderWithoutDoc(chunk, c.codeWithout), 'inline', codeKey(c.codeWithout));
    rec.block = c.block;
    out.push(rec);
  }
  return out;
}

function record(chunk: Chunk, input: FileInput, q: string, code: string, kind: PairKind, h: string): CandidatePair {
  const rec: CandidatePair = {
    q, code, lang: pairLanguage(chunk.language), pkg: input.pkg, file: chunk.file, name: chunk.name, kind, unit: chunk.kind, source: input.source, h,
  };
  if (input.test) rec.test = true;
  return rec;
}

/** Candidate pairs of one file's text (file-level filters first, then per unit). */
export async function harvestFileText(chunker: Chunker, input: FileInput, drops: Record<string, number>): Promise<FileHarvest> {
  const generated = generatedReason(input.rel, input.text);
  if (generated) return { pairs: [], skipped: generated };
  if (isDataTable(input.text)) return { pairs: [], skipped: 'data table (mostly numbers)' };
  const result = await chunker.chunkFileAsync(input.rel, input.text, input.lang);
  if (result.fallbackReason) countDrop(drops, `file chunked without units: ${result.fallbackReason.replace(/\d+/g, 'N')}`);
  const pairs: CandidatePair[] = [];
  const lines = input.lang === 'rust' ? input.text.split('\n') : [];
  for (const chunk of result.chunks) {
    const p = docPair(chunk, input, lines, drops);
    if (p) pairs.push(p);
    if (INLINE_UNIT_KINDS.has(chunk.kind)) pairs.push(...inlinePairs(chunk, input, drops));
  }
  return { pairs };
}
