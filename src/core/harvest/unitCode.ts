// The code side of a training pair in exactly the form the engine embeds,
// minus the doc: the chunker renders text = path + context + doc + code, so
// the code part is what follows the re-rendered header, and the pair's code is
// that part rendered again with an empty doc.
import * as crypto from 'node:crypto';
import { capText, countTokens, renderChunkText } from '../chunk/chunkText';
import { splitWords } from '../text/identifiers';
import type { Chunk } from '../types';

type ChunkHeader = Pick<Chunk, 'file' | 'context' | 'doc' | 'text'>;

/** The code part of a chunk's embedded text, or null when the text does not start with its header. */
export function chunkCodePart(chunk: ChunkHeader): string | null {
  const header = renderChunkText({ file: chunk.file, context: chunk.context, doc: chunk.doc, code: '' });
  if (chunk.text === header) return '';
  if (!chunk.text.startsWith(header + '\n')) return null;
  return chunk.text.slice(header.length + 1);
}

/** The engine's embedded text of a chunk whose doc is left out and whose code is `code`. */
export function renderWithoutDoc(chunk: Pick<Chunk, 'file' | 'context'>, code: string): string {
  return capText(renderChunkText({ file: chunk.file, context: chunk.context, doc: '', code }));
}

/** The chunk's embedded text without its doc, or null when its code part cannot be recovered. */
export function codeWithoutDoc(chunk: ChunkHeader): string | null {
  const code = chunkCodePart(chunk);
  return code === null ? null : renderWithoutDoc(chunk, code);
}

/** Non-blank lines of a text. */
export function nonBlankLines(text: string): number {
  let n = 0;
  for (const l of text.split('\n')) if (l.trim() !== '') n++;
  return n;
}

/** Code too small to be worth a pair: under 3 non-blank lines or 10 subtokens. */
export function isTrivialCode(code: string): boolean {
  return nonBlankLines(code) < 3 || countTokens(code) < 10;
}

/** Share of numeric words among all words: tables of constants say nothing a query could ask. */
export function numericShare(code: string): number {
  const words = code.match(/[\p{L}_$][\p{L}\p{N}_$]*|\b(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d+)?)\b/gu) ?? [];
  if (words.length === 0) return 0;
  let numeric = 0;
  for (const w of words) if (/^(?:0[xX]|\d)/.test(w)) numeric++;
  return numeric / words.length;
}

/** 52-bit hash of a string as a hex string of 13 digits (safe to parse into a JS number). */
export function hash52(text: string): string {
  return crypto.createHash('md5').update(text, 'utf8').digest('hex').slice(0, 13);
}

/**
 * Hash of code by its identifier subtokens, in order: copies that differ only
 * in layout, punctuation, comments markers or case collide on purpose.
 */
export function codeKey(code: string): string {
  const parts: string[] = [];
  for (const w of splitWords(code)) for (const p of w.parts) parts.push(p);
  return hash52(parts.join(' '));
}
