// A run folder for a table made outside the trainer (a distilled teacher, an imported shipped
// model): tokenizer.json, run.json and table.f32 — what `train --init`, `eval` and `export` read.
import * as path from 'node:path';
import type { TokenizerConfig } from '../../src/core/embed/tokenizer';
import { RUN_FILE, saveTable, saveTokenizer, writeJson } from './checkpoint';
import { DEFAULT_CORPUS_OPTIONS } from './data';
import type { RunConfig } from './runConfig';
import { DEFAULT_TRAIN_OPTIONS } from './trainer';

export function writeTableRun(runDir: string, p: { tokenizer: TokenizerConfig; table: Float32Array; dim: number; pairs: string[] }): void {
  const config: RunConfig = {
    version: 1,
    name: path.basename(runDir),
    created: new Date().toISOString(),
    pairs: p.pairs,
    corpus: { ...DEFAULT_CORPUS_OPTIONS, vocabSize: p.tokenizer.vocab.length, ngramBuckets: p.tokenizer.ngramBuckets, maxCodeTokens: p.tokenizer.maxTokens },
    train: { ...DEFAULT_TRAIN_OPTIONS, dim: p.dim, epochs: 0 },
  };
  saveTokenizer(runDir, p.tokenizer);
  writeJson(path.join(runDir, RUN_FILE), config);
  saveTable(runDir, p.table);
}
