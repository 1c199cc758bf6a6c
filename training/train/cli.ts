// Command line of the training pipeline:
//   npx tsx training/train/cli.ts train  --pairs <dir-or-files...> [--out <run-dir> | --name <name>] [options]
//   npx tsx training/train/cli.ts train  --resume --out <run-dir> [--epochs N]
//   npx tsx training/train/cli.ts eval   --run <run-dir> [--int8] [--max-queries N] [--pairs ...]
//   npx tsx training/train/cli.ts export --run <run-dir> --model-dir models/<name> [--name N --version V]
//   npx tsx training/train/cli.ts synth  --out <file.jsonl> [--pairs N --seed S]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { dequantizeRows, writeModelDir } from '../onnx/embeddingBagModel';
import { readVectors } from '../vectorFile';
import { writeTableRun } from './tableRun';
import { matchEmbeddingBag } from '../../src/core/embed/embeddingBag';
import { readManifest } from '../../src/core/embed/manifest';
import { readOnnxGraph } from '../../src/core/embed/onnxGraph';
import { evaluateRun, writeEvalReport } from '../eval/evalRun';
import {
  defaultRunsDir, loadCheckpoint, loadTable, loadTokenizer, readJson, RUN_FILE, saveTokenizer, writeJson,
} from './checkpoint';
import { DEFAULT_CORPUS_OPTIONS, docPairFiles, listPairFiles, loadCorpus, type CorpusOptions } from './data';
import type { RunConfig } from './runConfig';
import { syntheticPairs } from './synthetic';
import { trainingCacheHome } from '../sources/paths';
import { DEFAULT_TRAIN_OPTIONS, train, type TrainOptions } from './trainer';

const MAX_MODEL_BYTES = 25 * 1024 * 1024;

const USAGE = `Sift training pipeline.

  train  [--pairs <dir-or-files...>] [--out <run-dir> | --name <name>] [options]
         --pairs defaults to ${path.join(trainingCacheHome(), 'pairs')}; --inline adds its inline-*.jsonl files
         --dim 256 --epochs 3 --batch 1024 --lr 5e-3 --final-lr 0 --dropout 0.3 --seed 1 --threads 2
         --temperature 20 --fixed-temperature --no-hard-negatives --init-std 0.1
         --vocab-size 50000 --min-count 3 --ngram-buckets 32768 --ngram-sizes 3,4,5
         --max-code-tokens 256 --max-query-tokens 64 --max-per-root 0 (0: no cap)
         --test-fraction 0.1 --split-salt ''
         --validation-pairs 5000 --checkpoint-minutes 10 --progress-seconds 5
         --init <run-dir>   start from that run's tokenizer and table (a distilled teacher: training/distill)
  train  --resume --out <run-dir> [--epochs N]       continue from the last checkpoint
  eval   --run <run-dir> [--int8] [--max-queries N] [--distractors 999] [--seed 1] [--pairs ...]
         [--max-items N]  at most N held-out pairs per language (the teacher-ceiling protocol)
         [--export-heldout FILE]  write the ranked pairs for an external model (training/teacher)
         [--query-vectors F [--code-vectors F]]  rank with an external model's vectors (codes: the table's without --code-vectors)
         [--report NAME]  report files NAME.json / NAME.md in the run folder
  export --run <run-dir> --model-dir models/<name> [--name <name>] [--version <v>]
  import --model-dir models/<name> --out <run-dir>   a shipped model as a run folder (to evaluate or continue it)
  synth  --out <file.jsonl> [--pairs 100000] [--seed 1] [--topics 2000] [--packages 500]

Runs live in ${defaultRunsDir()}/<name> unless --out says otherwise.`;

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

function num(v: string | undefined, name: string, p: { int?: boolean; min?: number; max?: number } = {}): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || (p.int && !Number.isInteger(n)) || (p.min !== undefined && n < p.min) || (p.max !== undefined && n > p.max)) {
    fail(`--${name} must be ${p.int ? 'an integer' : 'a number'}${p.min !== undefined ? ` ≥ ${p.min}` : ''}${p.max !== undefined ? ` ≤ ${p.max}` : ''}, got ${JSON.stringify(v)}`);
  }
  return n;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function cmdTrain(argv: string[]): Promise<void> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      pairs: { type: 'string', multiple: true },
      out: { type: 'string' },
      name: { type: 'string' },
      resume: { type: 'boolean' },
      init: { type: 'string' },
      dim: { type: 'string' },
      epochs: { type: 'string' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      'final-lr': { type: 'string' },
      dropout: { type: 'string' },
      seed: { type: 'string' },
      threads: { type: 'string' },
      temperature: { type: 'string' },
      'fixed-temperature': { type: 'boolean' },
      'no-hard-negatives': { type: 'boolean' },
      inline: { type: 'boolean' },
      'init-std': { type: 'string' },
      'vocab-size': { type: 'string' },
      'min-count': { type: 'string' },
      'ngram-buckets': { type: 'string' },
      'ngram-sizes': { type: 'string' },
      'max-code-tokens': { type: 'string' },
      'max-query-tokens': { type: 'string' },
      'max-per-root': { type: 'string' },
      'test-fraction': { type: 'string' },
      'split-salt': { type: 'string' },
      'validation-pairs': { type: 'string' },
      'checkpoint-minutes': { type: 'string' },
      'progress-seconds': { type: 'string' },
    },
    allowPositionals: false,
  });

  const log = (line: string): void => { process.stderr.write(line + '\n'); };
  let runDir: string;
  let config: RunConfig;
  let resume = null;
  if (a.resume) {
    if (!a.out) fail('--resume needs --out <run-dir>');
    runDir = path.resolve(a.out);
    config = readJson<RunConfig>(path.join(runDir, RUN_FILE), 'run configuration');
    const epochs = num(a.epochs, 'epochs', { int: true, min: 1 });
    if (epochs !== undefined) config.train.epochs = epochs;
  } else {
    // default: the harvester's output folder
    if (!a.pairs || a.pairs.length === 0) a.pairs = [path.join(trainingCacheHome(), 'pairs')];
    const name = a.name ?? (a.out ? path.basename(path.resolve(a.out)) : `run-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    runDir = path.resolve(a.out ?? path.join(defaultRunsDir(), name));
    if (fs.existsSync(path.join(runDir, RUN_FILE))) fail(`${runDir} already holds a run: use --resume, or another --out`);
    const corpus: RunConfig['corpus'] = {
      ...DEFAULT_CORPUS_OPTIONS,
      ...stripUndefined({
        maxCodeTokens: num(a['max-code-tokens'], 'max-code-tokens', { int: true, min: 1 }),
        maxQueryTokens: num(a['max-query-tokens'], 'max-query-tokens', { int: true, min: 1 }),
        ngramBuckets: num(a['ngram-buckets'], 'ngram-buckets', { int: true, min: 0 }),
        minCount: num(a['min-count'], 'min-count', { int: true, min: 1 }),
        vocabSize: num(a['vocab-size'], 'vocab-size', { int: true, min: 0 }),
        maxPerRoot: num(a['max-per-root'], 'max-per-root', { int: true, min: 0 }),
      }),
      split: {
        testFraction: num(a['test-fraction'], 'test-fraction', { min: 0, max: 1 }) ?? DEFAULT_CORPUS_OPTIONS.split.testFraction,
        salt: a['split-salt'] ?? DEFAULT_CORPUS_OPTIONS.split.salt,
      },
    };
    if (a['ngram-sizes'] !== undefined) {
      const sizes = a['ngram-sizes'].split(',').map((s) => Number(s.trim()));
      if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1)) fail(`--ngram-sizes must be positive integers, got ${a['ngram-sizes']}`);
      corpus.ngramSizes = sizes;
    }
    const trainOpts: TrainOptions = {
      ...DEFAULT_TRAIN_OPTIONS,
      ...stripUndefined({
        dim: num(a.dim, 'dim', { int: true, min: 16 }),
        epochs: num(a.epochs, 'epochs', { int: true, min: 1 }),
        batch: num(a.batch, 'batch', { int: true, min: 2 }),
        lr: num(a.lr, 'lr', { min: 0 }),
        finalLrFraction: num(a['final-lr'], 'final-lr', { min: 0, max: 1 }),
        dropout: num(a.dropout, 'dropout', { min: 0, max: 0.95 }),
        seed: num(a.seed, 'seed', { int: true, min: 0 }),
        threads: num(a.threads, 'threads', { int: true, min: 1, max: 64 }),
        temperature: num(a.temperature, 'temperature', { min: 1 }),
        initStd: num(a['init-std'], 'init-std', { min: 0 }),
        validationPairs: num(a['validation-pairs'], 'validation-pairs', { int: true, min: 0 }),
        checkpointMinutes: num(a['checkpoint-minutes'], 'checkpoint-minutes', { min: 0 }),
        progressSeconds: num(a['progress-seconds'], 'progress-seconds', { min: 0 }),
      }),
    };
    if (a.init) {
      const initRun = readJson<RunConfig>(path.join(path.resolve(a.init), RUN_FILE), 'init run configuration');
      if (a.dim !== undefined && trainOpts.dim !== initRun.train.dim) fail(`--dim ${trainOpts.dim} differs from the --init run's ${initRun.train.dim}`);
      trainOpts.dim = initRun.train.dim;
      trainOpts.init = path.resolve(a.init);
    }
    if (trainOpts.dim % 16 !== 0) fail(`--dim must be a multiple of 16, got ${trainOpts.dim}`);
    if (a['fixed-temperature']) trainOpts.learnTemperature = false;
    if (a['no-hard-negatives']) trainOpts.hardNegatives = false;
    // inline-comment pairs (inline-*.jsonl) only when asked: the shipped model is trained on doc pairs
    const files = a.inline ? listPairFiles(a.pairs) : docPairFiles(a.pairs);
    if (files.length === 0) fail(`no doc-pair files (pairs-*.jsonl) under ${a.pairs.join(', ')}`);
    config = {
      version: 1,
      name,
      created: new Date().toISOString(),
      pairs: files,
      corpus,
      train: trainOpts,
      machine: { cpus: os.cpus().length, node: process.version },
    };
    const rows = corpus.vocabSize + corpus.ngramBuckets;
    const bytes = rows * (trainOpts.dim + 4);
    if (bytes > MAX_MODEL_BYTES) {
      log(`[train] warning: up to ${rows} rows × dim ${trainOpts.dim} ≈ ${(bytes / 2 ** 20).toFixed(1)} MiB int8, over the 25 MiB budget`);
    }
  }

  const files = config.pairs;
  log(`[train] run folder ${runDir}; reading ${files.length} pairs file(s)`);
  const t0 = Date.now();
  const cpu0 = process.cpuUsage();
  const corpusOpts: CorpusOptions = {
    ...config.corpus,
    tokenizer: a.resume ? loadTokenizer(runDir) : config.train.init ? loadTokenizer(config.train.init) : undefined,
    onProgress: (n) => { if (n % 100_000 === 0) log(`[train] read ${n} lines (${((Date.now() - t0) / 1000).toFixed(0)}s)`); },
  };
  const corpus = await loadCorpus(files, corpusOpts);
  const loadSeconds = (Date.now() - t0) / 1000;
  const loadCpu = process.cpuUsage(cpu0);
  const s = corpus.stats;
  log(`[train] ${s.pairs} pairs (${s.trainPairs} train, ${s.testPairs} test; ${s.packages} packages, ${s.testPackages} held out), `
    + `${s.distinctSubtokens} distinct subtokens, vocab ${s.vocabSize}; skipped ${JSON.stringify(s.skipped)}; loaded in ${loadSeconds.toFixed(1)}s (${((loadCpu.user + loadCpu.system) / 1e6).toFixed(1)} CPU-s)`);
  if (a.resume) {
    const rows = corpus.tokenizer.vocab.length + corpus.tokenizer.ngramBuckets;
    resume = loadCheckpoint(runDir, rows, config.train.dim);
    if (!resume) fail(`${runDir} has no checkpoint to resume from`);
  } else {
    config.stats = s;
    saveTokenizer(runDir, corpus.tokenizer);
  }
  config.timings = { ...config.timings, loadSeconds };
  writeJson(path.join(runDir, RUN_FILE), config);

  let initTable: Float32Array | undefined;
  if (!resume && config.train.init) {
    initTable = loadTable(config.train.init, corpus.tokenizer.vocab.length + corpus.tokenizer.ngramBuckets, config.train.dim);
    log(`[train] starting from the table of ${config.train.init}`);
  }
  const result = await train(corpus, config.train, { runDir, resume: resume ?? undefined, log, initTable });
  config.timings = {
    loadSeconds, trainSeconds: result.state.seconds, pairsPerSecond: result.pairsPerSecond, pairsPerCpuSecond: result.pairsPerCpuSecond,
  };
  writeJson(path.join(runDir, RUN_FILE), config);
  log(`[train] done: ${result.state.step} steps, ${Math.round(result.pairsPerSecond)} pairs/s `
    + `(${Math.round(result.pairsPerCpuSecond)} per CPU-second); run folder ${runDir}`);
  log(`[train] next: npx tsx training/train/cli.ts eval --run ${runDir}`);
}

async function cmdEval(argv: string[]): Promise<void> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      run: { type: 'string' },
      pairs: { type: 'string', multiple: true },
      'max-queries': { type: 'string' },
      int8: { type: 'boolean' },
      seed: { type: 'string' },
      distractors: { type: 'string' },
      'max-items': { type: 'string' },
      'export-heldout': { type: 'string' },
      'query-vectors': { type: 'string' },
      'code-vectors': { type: 'string' },
      report: { type: 'string' },
    },
  });
  if (!a.run) fail('eval needs --run <run-dir>');
  if (a['code-vectors'] && !a['query-vectors']) fail('--code-vectors needs --query-vectors');
  const runDir = path.resolve(a.run);
  let external;
  if (a['query-vectors']) {
    const q = readVectors(path.resolve(a['query-vectors']));
    const c = a['code-vectors'] ? readVectors(path.resolve(a['code-vectors'])) : undefined;
    if (c && q.meta.dim !== c.meta.dim) fail(`query vectors are ${q.meta.dim}-dimensional, code vectors ${c.meta.dim}`);
    external = { dim: q.meta.dim, query: q.data, code: c?.data };
  }
  const result = await evaluateRun(runDir, {
    pairs: a.pairs,
    maxQueriesPerLanguage: num(a['max-queries'], 'max-queries', { int: true, min: 1 }),
    int8: a.int8 ?? false,
    seed: num(a.seed, 'seed', { int: true, min: 0 }),
    distractors: num(a.distractors, 'distractors', { int: true, min: 1 }),
    maxItemsPerLanguage: num(a['max-items'], 'max-items', { int: true, min: 2 }),
    exportHeldOut: a['export-heldout'] ? path.resolve(a['export-heldout']) : undefined,
    external,
  });
  const files = writeEvalReport(runDir, result, a.int8 ?? false, a.report);
  process.stdout.write(result.markdown + '\n');
  process.stderr.write(`[eval] wrote ${files.json} and ${files.md}\n`);
}

async function cmdExport(argv: string[]): Promise<void> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      run: { type: 'string' },
      'model-dir': { type: 'string' },
      name: { type: 'string' },
      version: { type: 'string' },
    },
  });
  if (!a.run || !a['model-dir']) fail('export needs --run <run-dir> and --model-dir <dir>');
  const runDir = path.resolve(a.run);
  const modelDir = path.resolve(a['model-dir']);
  const config = readJson<RunConfig>(path.join(runDir, RUN_FILE), 'run configuration');
  const tokenizer = loadTokenizer(runDir);
  const dim = config.train.dim;
  const rows = tokenizer.vocab.length + tokenizer.ngramBuckets;
  const table = loadTable(runDir, rows, dim);
  const name = a.name ?? path.basename(modelDir);
  const manifest = writeModelDir(modelDir, { name, version: a.version ?? '0.1.0', tokenizer, table, dim });
  const size = fs.statSync(path.join(modelDir, manifest.files.onnx)).size;
  process.stderr.write(`[export] ${modelDir}: ${manifest.files.onnx} ${(size / 2 ** 20).toFixed(1)} MiB (${rows} rows × ${dim}), sha256 ${manifest.hash.slice(0, 12)}…\n`);
  if (size > MAX_MODEL_BYTES) process.stderr.write(`[export] warning: over the 25 MiB budget for a shipped model\n`);
}

/** A run folder from a shipped model folder (its int8 table, dequantised): eval and train --init take it. */
async function cmdImport(argv: string[]): Promise<void> {
  const { values: a } = parseArgs({ args: argv, options: { 'model-dir': { type: 'string' }, out: { type: 'string' }, pairs: { type: 'string', multiple: true } } });
  if (!a['model-dir'] || !a.out) fail('import needs --model-dir <dir> and --out <run-dir>');
  const modelDir = path.resolve(a['model-dir']);
  const manifest = readManifest(modelDir);
  const bag = matchEmbeddingBag(readOnnxGraph(fs.readFileSync(path.join(modelDir, manifest.files.onnx))));
  if ('notBag' in bag) fail(`${modelDir} is not an embedding-bag model: ${bag.notBag}`);
  const vocab = fs.readFileSync(path.join(modelDir, manifest.files.vocab), 'utf8').split('\n').filter((l) => l.length > 0);
  const tokenizer = { vocab, ...manifest.tokenizer, lowercase: true as const };
  if (vocab.length + tokenizer.ngramBuckets !== bag.rows) fail(`${modelDir}: ${vocab.length} words + ${tokenizer.ngramBuckets} buckets ≠ ${bag.rows} rows`);
  const runDir = path.resolve(a.out);
  writeTableRun(runDir, {
    tokenizer, table: dequantizeRows(bag.table, bag.scales, bag.rows, bag.dim), dim: bag.dim,
    pairs: docPairFiles(a.pairs ?? [path.join(trainingCacheHome(), 'pairs')]),
  });
  process.stderr.write(`[import] ${manifest.name}@${manifest.version} → ${runDir} (${bag.rows} rows × ${bag.dim})\n`);
}

async function cmdSynth(argv: string[]): Promise<void> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      pairs: { type: 'string' },
      seed: { type: 'string' },
      topics: { type: 'string' },
      packages: { type: 'string' },
    },
  });
  if (!a.out) fail('synth needs --out <file.jsonl>');
  const out = path.resolve(a.out);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const stream = fs.createWriteStream(out);
  let n = 0;
  for (const p of syntheticPairs(stripUndefined({
    pairs: num(a.pairs, 'pairs', { int: true, min: 1 }) ?? 100_000,
    seed: num(a.seed, 'seed', { int: true, min: 0 }),
    topics: num(a.topics, 'topics', { int: true, min: 1 }) ?? 2000,
    packages: num(a.packages, 'packages', { int: true, min: 1 }) ?? 500,
  }))) {
    if (!stream.write(JSON.stringify(p) + '\n')) await new Promise<void>((r) => stream.once('drain', () => r()));
    n++;
  }
  await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
  process.stderr.write(`[synth] wrote ${n} pairs to ${out}\n`);
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  const commands: Record<string, (argv: string[]) => Promise<void>> = { train: cmdTrain, eval: cmdEval, export: cmdExport, import: cmdImport, synth: cmdSynth };
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const run = commands[cmd];
  if (!run) fail(`unknown command ${JSON.stringify(cmd)}\n\n${USAGE}`);
  await run(rest);
}

main().catch((e: unknown) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
