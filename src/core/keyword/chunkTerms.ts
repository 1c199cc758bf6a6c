// What a chunk gives the keyword index: its terms with weighted frequencies.
import type { Chunk } from '../types';
import { textTerms } from './terms';

// A word in a chunk's name says more about it than one in its body.
const NAME_WEIGHT = 3;
const SIGNATURE_WEIGHT = 1;

/** Weighted term frequencies of a chunk. */
export function chunkTermFreqs(chunk: Pick<Chunk, 'name' | 'signature' | 'text'>): Map<string, number> {
  const tf = new Map<string, number>();
  const addAll = (terms: string[], w: number) => { for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + w); };
  addAll(textTerms(chunk.text), 1);
  if (chunk.name) addAll(textTerms(chunk.name), NAME_WEIGHT);
  if (chunk.signature) addAll(textTerms(chunk.signature), SIGNATURE_WEIGHT);
  return tf;
}
