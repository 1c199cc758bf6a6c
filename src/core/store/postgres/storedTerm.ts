// A keyword term as the postings table keys it. A B-tree entry holds at most
// ~2.7 KB and a chunk can hold a longer "word" (a base64 blob, say), which a
// query can still type (queries run to 2,000 characters): a term past
// LONG_TERM_BYTES is stored as its SHA-256 ('#' never occurs in a term), on
// both the writing and the reading side, so every term keeps its postings and
// its scores.
import { createHash } from 'node:crypto';

export const LONG_TERM_BYTES = 512;

export function storedTerm(term: string): string {
  return Buffer.byteLength(term, 'utf8') <= LONG_TERM_BYTES ? term : `#sha256:${createHash('sha256').update(term, 'utf8').digest('hex')}`;
}
