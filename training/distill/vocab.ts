// The words a distilled table has rows for: the code vocabulary plus English it lacks.
import * as fs from 'node:fs';
import type { TokenizerConfig } from '../../src/core/embed/tokenizer';

/** Vocabulary lines of a vocab.txt, or the vocab of a tokenizer.json. */
export function readVocab(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  if (file.endsWith('.json')) return (JSON.parse(text) as TokenizerConfig).vocab;
  return text.split('\n').filter((w) => w.length > 0);
}

/**
 * Whole lower-case words of a teacher's WordPiece vocabulary that `vocab` lacks, in the
 * teacher's order (roughly by frequency), at most `max`: English the code vocabulary never saw.
 */
export function extraWords(teacherVocab: readonly string[], vocab: readonly string[], max: number): string[] {
  const have = new Set(vocab);
  const out: string[] = [];
  for (const w of teacherVocab) {
    if (out.length >= max) break;
    if (/^[a-z]{2,}$/.test(w) && !have.has(w)) {
      have.add(w);
      out.push(w);
    }
  }
  return out;
}
