// run.json: how a run was started, so eval, export and resume use the same
// pairs, split, tokenizer limits and training options.
import type { CorpusOptions, CorpusStats } from './data';
import type { TrainOptions } from './trainer';

export interface RunConfig {
  version: 1;
  name: string;
  created: string;
  /** Absolute paths of the pairs files. */
  pairs: string[];
  corpus: Omit<CorpusOptions, 'tokenizer' | 'onProgress'>;
  train: TrainOptions;
  stats?: CorpusStats;
  /** Seconds spent reading + encoding the pairs, and training. */
  timings?: { loadSeconds: number; trainSeconds?: number; pairsPerSecond?: number; pairsPerCpuSecond?: number };
  machine?: { cpus: number; node: string };
}
