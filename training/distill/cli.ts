// Static distillation, the TypeScript half (the teacher's forward pass is training/teacher/teacher.py):
//
//   npx tsx training/distill/cli.ts words --vocab training/distill/code-vocab.txt [--extra <teacher vocab.txt>] --out <run-dir>
//       → <run-dir>/tokenizer.json and <run-dir>/words.txt (the words the teacher must embed)
//   python training/teacher/teacher.py --teacher minilm words --in <run-dir>/words.txt --out <run-dir>/words.f32
//   npx tsx training/distill/cli.ts table --run <run-dir> [--dim 256 --sif 1e-4 --ridge 0.1 --iterations 40]
//       → <run-dir>/table.f32, run.json, distill.json: a run folder that `train --init`, `eval` and `export` take
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { TokenizerConfig } from '../../src/core/embed/tokenizer';
import { loadTokenizer, saveTokenizer, writeJson } from '../train/checkpoint';
import { DEFAULT_CORPUS_OPTIONS, docPairFiles } from '../train/data';
import { writeTableRun } from '../train/tableRun';
import { trainingCacheHome } from '../sources/paths';
import { readF32, readVectors, writeVectors } from '../vectorFile';
import { DEFAULT_DISTILL_OPTIONS, distill } from './distill';
import { projectPca, type Pca } from './pca';
import { extraWords, readVocab } from './vocab';

export const WORDS_FILE = 'words.txt';
export const TEACHER_VECTORS_FILE = 'words.f32';
export const DISTILL_FILE = 'distill.json';
/** The PCA as float32: inDim, outDim, then the mean (inDim) and the components (outDim × inDim). */
export const PCA_FILE = 'pca.f32';

function savePca(file: string, p: Pca): void {
  const out = new Float32Array(2 + p.inDim + p.outDim * p.inDim);
  out[0] = p.inDim;
  out[1] = p.outDim;
  out.set(p.mean, 2);
  out.set(p.components, 2 + p.inDim);
  fs.writeFileSync(file, new Uint8Array(out.buffer));
}

function loadPca(file: string): Pca {
  const f = readF32(file);
  const inDim = f[0], outDim = f[1];
  return {
    inDim, outDim, mean: Float64Array.from(f.subarray(2, 2 + inDim)),
    components: Float64Array.from(f.subarray(2 + inDim, 2 + inDim + outDim * inDim)), variances: new Float64Array(outDim), explained: NaN,
  };
}

/** Teacher vectors (e.g. of queries, from the full transformer) mapped into the table's space: centred, projected, L2-normalised. */
function cmdProject(argv: string[]): void {
  const { values: a } = parseArgs({ args: argv, options: { run: { type: 'string' }, in: { type: 'string' }, out: { type: 'string' } } });
  if (!a.run || !a.in || !a.out) fail('project needs --run <run-dir> --in <vectors.f32> --out <vectors.f32>');
  const pca = loadPca(path.join(path.resolve(a.run), PCA_FILE));
  const { meta, data } = readVectors(a.in);
  if (meta.dim !== pca.inDim) fail(`${a.in} is ${meta.dim}-dimensional, the PCA takes ${pca.inDim}`);
  const y = projectPca(pca, data, meta.rows);
  for (let r = 0; r < meta.rows; r++) {
    let n = 0;
    for (let d = 0; d < pca.outDim; d++) n += y[r * pca.outDim + d] ** 2;
    const s = n > 0 ? 1 / Math.sqrt(n) : 0;
    for (let d = 0; d < pca.outDim; d++) y[r * pca.outDim + d] *= s;
  }
  writeVectors(a.out, y, { ...meta, dim: pca.outDim, projectedBy: path.resolve(a.run) });
}

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

function num(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) fail(`--${name} must be a non-negative number, got ${JSON.stringify(v)}`);
  return n;
}

function cmdWords(argv: string[]): void {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      vocab: { type: 'string' }, extra: { type: 'string' }, 'max-extra': { type: 'string' }, out: { type: 'string' },
      'ngram-buckets': { type: 'string' }, 'max-tokens': { type: 'string' },
    },
  });
  if (!a.vocab || !a.out) fail('words needs --vocab <vocab.txt|tokenizer.json> and --out <run-dir>');
  const vocab = readVocab(a.vocab);
  const extra = a.extra ? extraWords(readVocab(a.extra), vocab, num(a['max-extra'], 'max-extra', 8000)) : [];
  const tok: TokenizerConfig = {
    vocab: [...vocab, ...extra],
    ngramBuckets: num(a['ngram-buckets'], 'ngram-buckets', DEFAULT_CORPUS_OPTIONS.ngramBuckets),
    ngramSizes: DEFAULT_CORPUS_OPTIONS.ngramSizes.slice(),
    maxTokens: num(a['max-tokens'], 'max-tokens', DEFAULT_CORPUS_OPTIONS.maxCodeTokens),
    lowercase: true,
  };
  const runDir = path.resolve(a.out);
  saveTokenizer(runDir, tok);
  fs.writeFileSync(path.join(runDir, WORDS_FILE), tok.vocab.join('\n') + '\n');
  process.stderr.write(`[distill] ${runDir}: ${vocab.length} vocabulary words + ${extra.length} from the teacher's vocabulary; `
    + `next: embed ${WORDS_FILE} with training/teacher/teacher.py into ${TEACHER_VECTORS_FILE}\n`);
}

function cmdTable(argv: string[]): void {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      run: { type: 'string' }, vectors: { type: 'string' }, dim: { type: 'string' }, sif: { type: 'string' },
      ridge: { type: 'string' }, iterations: { type: 'string' }, pairs: { type: 'string', multiple: true },
    },
  });
  if (!a.run) fail('table needs --run <run-dir>');
  const runDir = path.resolve(a.run);
  const tok = loadTokenizer(runDir);
  const vecFile = path.resolve(a.vectors ?? path.join(runDir, TEACHER_VECTORS_FILE));
  const { meta, data: vectors } = readVectors(vecFile);
  if (meta.rows !== tok.vocab.length) fail(`${vecFile} holds ${meta.rows} vectors for ${tok.vocab.length} vocabulary words`);
  const opts = {
    dim: num(a.dim, 'dim', DEFAULT_DISTILL_OPTIONS.dim),
    sif: num(a.sif, 'sif', DEFAULT_DISTILL_OPTIONS.sif),
    ridge: num(a.ridge, 'ridge', DEFAULT_DISTILL_OPTIONS.ridge),
    iterations: num(a.iterations, 'iterations', DEFAULT_DISTILL_OPTIONS.iterations),
    holdoutEvery: DEFAULT_DISTILL_OPTIONS.holdoutEvery,
    log: (line: string) => process.stderr.write(line + '\n'),
  };
  if (opts.dim % 16 !== 0) fail(`--dim must be a multiple of 16, got ${opts.dim}`);
  const { table, report, pca } = distill(tok, vectors, meta.dim, opts);
  savePca(path.join(runDir, PCA_FILE), pca);
  const pairsDefault = path.join(trainingCacheHome(), 'pairs');
  const pairs = a.pairs ?? (fs.existsSync(pairsDefault) ? [pairsDefault] : []);
  writeJson(path.join(runDir, DISTILL_FILE), { teacher: meta, options: { ...opts, log: undefined }, report });
  writeTableRun(runDir, { tokenizer: tok, table, dim: opts.dim, pairs: pairs.length > 0 ? docPairFiles(pairs) : [] });
  process.stderr.write(`[distill] wrote ${runDir}/table.f32 (${tok.vocab.length + tok.ngramBuckets} rows × ${opts.dim}) in ${report.seconds.toFixed(1)}s\n`);
}

function main(): void {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === 'words') return cmdWords(rest);
  if (cmd === 'table') return cmdTable(rest);
  if (cmd === 'project') return cmdProject(rest);
  process.stdout.write('usage: distill/cli.ts words --vocab FILE [--extra FILE] --out RUN | table --run RUN [--dim --sif --ridge --iterations] | project --run RUN --in F --out F\n');
  if (cmd && cmd !== '--help' && cmd !== '-h') process.exit(2);
}

try {
  main();
} catch (e) {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
