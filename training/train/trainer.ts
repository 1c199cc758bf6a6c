// Training loop: epoch plans (seeded shuffles + hard negatives), the threaded
// step session over the shared arena, learning-rate schedule, temperature,
// progress on stderr, per-epoch validation and checkpoints.
import * as os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { fnv1a32 } from '../../src/core/embed/tokenizer';
import { allocateArena, buildLayout, CMD_RUN, CTL, SCALAR, viewsOf, type ArenaLayout, type ArenaViews } from './arena';
import { BatchBuilder, type BatchNeeds, type BatchShape } from './batch';
import { saveCheckpoint, type Checkpoint, type EpochRecord, type TrainState } from './checkpoint';
import { HardNegatives, sampleIds, type Corpus } from './data';
import { makeContext, runStepGuarded, stepResults, type StepContext } from './model';
import { deriveSeed, Rng } from './random';
import { instantiateKernels } from './simd';
import { encodeTokenList, TableEmbedder } from './tableEmbedder';
import { makeBarrier, startWorkers, stopWorkers } from './threads';
import { runCsn } from '../eval/csn';

export interface TrainOptions {
  /** Embedding dimension (multiple of 16). */
  dim: number;
  epochs: number;
  /** Queries per batch. */
  batch: number;
  /** Peak learning rate, decayed linearly to lr × finalLrFraction over the run. */
  lr: number;
  finalLrFraction: number;
  /** Probability of dropping each subtoken occurrence, queries and code alike. */
  dropout: number;
  /** One hard negative per query (same file, else same package). */
  hardNegatives: boolean;
  /** Initial softmax temperature τ (logits = τ·cosine). */
  temperature: number;
  learnTemperature: boolean;
  maxTemperature: number;
  /** Standard deviation of the random initial table. */
  initStd: number;
  /** Run folder whose tokenizer and table the run starts from (instead of a vocabulary and a random table). */
  init?: string;
  beta1: number;
  beta2: number;
  eps: number;
  seed: number;
  /** Threads for the step (main + workers). */
  threads: number;
  /** Held-out pairs sampled for the per-epoch validation MRR (0 = none). */
  validationPairs: number;
  /** Minutes between mid-epoch checkpoints (0 = only at epoch ends). */
  checkpointMinutes: number;
  /** Seconds between progress lines. */
  progressSeconds: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  dim: 256,
  epochs: 3,
  batch: 1024,
  lr: 5e-3,
  finalLrFraction: 0,
  dropout: 0.3,
  hardNegatives: true,
  temperature: 20,
  learnTemperature: true,
  maxTemperature: 100,
  initStd: 0.1,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  seed: 1,
  threads: Math.max(1, Math.min(2, os.availableParallelism?.() ?? os.cpus().length)),
  validationPairs: 5000,
  checkpointMinutes: 10,
  progressSeconds: 5,
};

/** The order in which an epoch visits the train pairs, and each one's hard negative. */
export interface EpochPlan {
  order: Int32Array;
  negatives: Int32Array | null;
}

export function planEpoch(corpus: Corpus, negatives: HardNegatives | null, seed: number, epoch: number): EpochPlan {
  const order = new Rng(deriveSeed(seed, 1, epoch)).shuffle(corpus.trainIds.slice());
  if (!negatives) return { order, negatives: null };
  const rng = new Rng(deriveSeed(seed, 2, epoch));
  const negs = new Int32Array(order.length);
  for (let i = 0; i < order.length; i++) negs[i] = negatives.pick(order[i], rng);
  return { order, negatives: negs };
}

/** [start, end) of each batch; a trailing batch of one pair is dropped (an in-batch softmax needs two). */
export function batchRanges(pairs: number, batch: number): [number, number][] {
  const out: [number, number][] = [];
  for (let a = 0; a < pairs; a += batch) {
    const b = Math.min(pairs, a + batch);
    if (b - a >= 2) out.push([a, b]);
  }
  return out;
}

/** Seeded N(0, std²) table. */
export function initTable(rows: number, dim: number, std: number, seed: number): Float32Array {
  const t = new Float32Array(rows * dim);
  const rng = new Rng(deriveSeed(seed, 7));
  for (let i = 0; i < t.length; i++) t[i] = rng.normal() * std;
  return t;
}

export function corpusFingerprint(corpus: Corpus): string {
  const s = corpus.stats;
  const vocabHash = fnv1a32(corpus.tokenizer.vocab.join('\n')).toString(16);
  return `pairs=${s.pairs};train=${s.trainPairs};test=${s.testPairs};tokens=${s.distinctSubtokens};vocab=${corpus.tokenizer.vocab.length}:${vocabHash};`
    + `ngrams=${corpus.tokenizer.ngramBuckets}/${corpus.tokenizer.ngramSizes.join(',')}`;
}

function maxNeeds(a: BatchNeeds, b: BatchNeeds): BatchNeeds {
  return {
    entries: Math.max(a.entries, b.entries),
    tokens: Math.max(a.tokens, b.tokens),
    tokenRows: Math.max(a.tokenRows, b.tokenRows),
    rows: Math.max(a.rows, b.rows),
  };
}

/** The largest needs over every batch of the plans (dropout only shrinks batches). */
export function measurePlans(corpus: Corpus, plans: EpochPlan[], batch: number): BatchNeeds {
  const builder = new BatchBuilder(corpus);
  let needs: BatchNeeds = { entries: 1, tokens: 1, tokenRows: 1, rows: 1 };
  for (const plan of plans) {
    for (const [a, b] of batchRanges(plan.order.length, batch)) {
      needs = maxNeeds(needs, builder.measure(plan.order.subarray(a, b), plan.negatives?.subarray(a, b) ?? null));
    }
  }
  return needs;
}

export interface StepResult {
  loss: number;
  dLogTau: number;
  shape: BatchShape;
}

/** The arena, kernels and worker threads that run training steps. */
export class TrainSession {
  private closed = false;

  private constructor(
    readonly corpus: Corpus,
    readonly layout: ArenaLayout,
    readonly views: ArenaViews,
    private readonly ctx: StepContext,
    private readonly builder: BatchBuilder,
    private readonly workers: Worker[],
    private readonly barrier: () => void,
    readonly threads: number,
  ) {}

  static async open(corpus: Corpus, p: {
    dim: number; batch: number; hardNegatives: boolean; threads: number; needs: BatchNeeds;
    table: Float32Array; adam?: { m: Float32Array; v: Float32Array; steps: Int32Array }; captureGrads?: boolean;
  }): Promise<TrainSession> {
    const rows = corpus.tokenizer.vocab.length + corpus.tokenizer.ngramBuckets;
    const threads = Math.max(1, Math.floor(p.threads));
    const layout = buildLayout({
      rows,
      dim: p.dim,
      batch: p.batch,
      hardNegatives: p.hardNegatives,
      maxEntries: p.needs.entries,
      maxTokens: p.needs.tokens,
      maxTokenRows: p.needs.tokenRows,
      maxRows: p.needs.rows,
      threads,
      captureGrads: p.captureGrads ?? false,
    });
    if (p.table.length !== rows * p.dim) throw new Error(`table has ${p.table.length} values, expected ${rows}×${p.dim}`);
    const memory = allocateArena(layout);
    const views = viewsOf(memory, layout);
    views.table.set(p.table);
    if (p.adam) {
      views.adamM.set(p.adam.m);
      views.adamV.set(p.adam.v);
      views.steps.set(p.adam.steps);
    }
    const ctx = makeContext(layout, views, instantiateKernels(memory));
    const workers = await startWorkers(memory, layout, threads);
    return new TrainSession(corpus, layout, views, ctx, new BatchBuilder(corpus), workers, makeBarrier(views.ctl, threads), threads);
  }

  private run(input: { pairs: ArrayLike<number>; negatives: ArrayLike<number> | null; dropout: number; rng: Rng },
    s: { tau: number; lr: number; beta1: number; beta2: number; eps: number }, capture: boolean): StepResult {
    if (this.closed) throw new Error('training session is closed');
    const v = this.views;
    const shape = this.builder.build(v, this.layout, input);
    v.scalars[SCALAR.TAU] = s.tau;
    v.scalars[SCALAR.LR] = s.lr;
    v.scalars[SCALAR.BETA1] = s.beta1;
    v.scalars[SCALAR.BETA2] = s.beta2;
    v.scalars[SCALAR.EPS] = s.eps;
    v.ctl[CTL.CAPTURE] = capture ? 1 : 0;
    v.ctl[CTL.ERROR] = 0;
    Atomics.store(v.ctl, CTL.CMD, CMD_RUN);
    this.barrier();
    runStepGuarded(this.ctx, 0, this.threads, this.barrier);
    if (v.ctl[CTL.ERROR] !== 0) {
      throw new Error(`training step failed in thread ${v.ctl[CTL.ERROR] - 1}, phase ${v.ctl[CTL.ERROR_PHASE]} (details above)`);
    }
    return { ...stepResults(v), shape };
  }

  /** One optimisation step on a batch. */
  step(pairs: ArrayLike<number>, negatives: ArrayLike<number> | null, rng: Rng, dropout: number,
    s: { tau: number; lr: number; beta1: number; beta2: number; eps: number }): StepResult {
    return this.run({ pairs, negatives, dropout, rng }, s, false);
  }

  /** Loss and gradients of a batch without dropout and without updating (needs captureGrads). */
  gradients(pairs: ArrayLike<number>, negatives: ArrayLike<number> | null, tau: number):
    StepResult & { rows: Int32Array; grads: Float32Array } {
    if (!this.layout.dims.captureGrads) throw new Error('gradients(): open the session with captureGrads');
    const r = this.run({ pairs, negatives, dropout: 0, rng: new Rng(0) }, { tau, lr: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 }, true);
    const R = r.shape.R;
    const D = this.layout.dims.dim;
    return { ...r, rows: this.views.rowGlobal.slice(0, R), grads: this.views.rowGrad.slice(0, R * D) };
  }

  /** Copies of the parameters and optimiser state. */
  snapshot(): { table: Float32Array; adamM: Float32Array; adamV: Float32Array; adamSteps: Int32Array } {
    return {
      table: this.views.table.slice(),
      adamM: this.views.adamM.slice(),
      adamV: this.views.adamV.slice(),
      adamSteps: this.views.steps.slice(),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await stopWorkers(this.workers, this.views.ctl, this.barrier);
  }
}

/** Model-only MRR on a seeded sample of held-out pairs (distractors from the same sample). */
export function validationMrr(corpus: Corpus, table: Float32Array, dim: number, pairs: number, seed: number): { mrr: number; pool: number } | null {
  if (pairs <= 0 || corpus.testIds.length < 2) return null;
  const ids = sampleIds(corpus.testIds, pairs, seed);
  const rows = corpus.tokenizer.vocab.length + corpus.tokenizer.ngramBuckets;
  const emb = new TableEmbedder(table, rows, dim);
  const n = ids.length;
  const q = new Float32Array(n * dim);
  const c = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    emb.embed(encodeTokenList(corpus, corpus.queries, ids[i]), q, i * dim);
    emb.embed(encodeTokenList(corpus, corpus.codes, ids[i]), c, i * dim);
  }
  const langs = Array.from(ids, (id) => corpus.langNames[corpus.lang[id]]);
  const codeKey = Uint32Array.from(ids, (id) => corpus.codeHash[id]);
  const report = runCsn({ langs, dim, queryEmb: q, codeEmb: c, codeKey, seed });
  return { mrr: report.micro.model.mrr, pool: n };
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}

export interface TrainHooks {
  /** Where checkpoints go; none are written without it. */
  runDir?: string;
  /** Continue from this checkpoint. */
  resume?: Checkpoint;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /** Stop (with a checkpoint) after this many steps of this invocation: time-boxed runs, tests of resuming. */
  stopAfterSteps?: number;
  /** Start from this table (rows × dim, e.g. a distilled teacher) instead of a random one. */
  initTable?: Float32Array;
}

export interface TrainResult {
  table: Float32Array;
  state: TrainState;
  /** Query pairs per second of step time, over this invocation. */
  pairsPerSecond: number;
  /** Query pairs per CPU-second of all threads (independent of other load on the machine). */
  pairsPerCpuSecond: number;
}

export async function train(corpus: Corpus, opts: TrainOptions, hooks: TrainHooks = {}): Promise<TrainResult> {
  const log = hooks.log ?? ((line: string) => process.stderr.write(line + '\n'));
  if (corpus.trainIds.length < 2) throw new Error(`training needs at least 2 train pairs, the corpus has ${corpus.trainIds.length}`);
  if (!(opts.dropout >= 0 && opts.dropout < 1)) throw new Error(`dropout must be in [0, 1), got ${opts.dropout}`);
  if (!(opts.epochs >= 1)) throw new Error(`epochs must be ≥ 1, got ${opts.epochs}`);
  const rows = corpus.tokenizer.vocab.length + corpus.tokenizer.ngramBuckets;
  const fingerprint = corpusFingerprint(corpus);
  const negIndex = opts.hardNegatives ? new HardNegatives(corpus) : null;

  const t0 = Date.now();
  const plans: EpochPlan[] = [];
  for (let e = 0; e < opts.epochs; e++) plans.push(planEpoch(corpus, negIndex, opts.seed, e));
  const needs = measurePlans(corpus, plans, opts.batch);
  const perEpoch = plans.map((p) => batchRanges(p.order.length, opts.batch));
  const totalSteps = perEpoch.reduce((s, r) => s + r.length, 0);
  log(`[train] ${corpus.trainIds.length} train pairs, ${totalSteps} steps of ≤${opts.batch}; table ${rows}×${opts.dim}; `
    + `batch needs ≤${needs.tokens} subtokens, ≤${needs.rows} rows; planned in ${((Date.now() - t0) / 1000).toFixed(1)}s`);

  let state: TrainState;
  let table: Float32Array;
  let adam: { m: Float32Array; v: Float32Array; steps: Int32Array } | undefined;
  if (hooks.resume) {
    const r = hooks.resume;
    if (r.state.corpusFingerprint !== fingerprint) {
      throw new Error(`resume: the run was trained on another corpus (${r.state.corpusFingerprint}) than this one (${fingerprint})`);
    }
    state = { ...r.state, totalSteps, done: false };
    table = r.table;
    adam = { m: r.adamM, v: r.adamV, steps: r.adamSteps };
    log(`[train] resuming at epoch ${state.epoch + 1}, batch ${state.batchInEpoch + 1} (step ${state.step}/${totalSteps})`);
  } else {
    if (hooks.initTable && hooks.initTable.length !== rows * opts.dim) {
      throw new Error(`init: the starting table holds ${hooks.initTable.length / opts.dim} rows of ${opts.dim}, the tokenizer needs ${rows}`);
    }
    table = hooks.initTable ? Float32Array.from(hooks.initTable) : initTable(rows, opts.dim, opts.initStd, opts.seed);
    state = {
      epoch: 0, batchInEpoch: 0, step: 0, totalSteps,
      logTemperature: Math.log(opts.temperature),
      temperatureAdam: { m: 0, v: 0, t: 0 },
      history: [], done: false, seconds: 0, corpusFingerprint: fingerprint,
    };
  }

  const session = await TrainSession.open(corpus, {
    dim: opts.dim, batch: opts.batch, hardNegatives: opts.hardNegatives, threads: opts.threads, needs, table, adam,
  });
  const maxLogTau = Math.log(opts.maxTemperature);
  const save = (): void => {
    if (!hooks.runDir) return;
    const snap = session.snapshot();
    saveCheckpoint(hooks.runDir, { ...snap, state });
  };

  let pairsDone = 0;
  let stepSeconds = 0;
  // CPU seconds of all threads: a speed measure that survives a machine shared with other work.
  let stepCpuSeconds = 0;
  let stepsThisRun = 0;
  const stopAfter = hooks.stopAfterSteps ?? Infinity;
  try {
    let lastLog = Date.now();
    let lastSave = Date.now();
    while (state.epoch < opts.epochs && stepsThisRun < stopAfter) {
      const e = state.epoch;
      const plan = plans[e];
      const ranges = perEpoch[e];
      const epochStart = Date.now();
      let epochLoss = 0, epochBatches = 0, epochPairs = 0, epochCpu = 0;
      for (let b = state.batchInEpoch; b < ranges.length; b++) {
        const [lo, hi] = ranges[b];
        const tau = Math.exp(state.logTemperature);
        const lr = opts.lr * (1 - (1 - opts.finalLrFraction) * (state.step / Math.max(1, totalSteps)));
        const ts = process.hrtime.bigint();
        const cpu0 = process.cpuUsage();
        const r = session.step(plan.order.subarray(lo, hi), plan.negatives?.subarray(lo, hi) ?? null,
          new Rng(deriveSeed(opts.seed, 3, e, b)), opts.dropout,
          { tau, lr, beta1: opts.beta1, beta2: opts.beta2, eps: opts.eps });
        if (!Number.isFinite(r.loss)) throw new Error(`loss is not finite at epoch ${e + 1}, batch ${b + 1}: lower --lr or check the data`);
        if (opts.learnTemperature) {
          // Adam on log τ, bias-corrected by its own step count.
          const a = state.temperatureAdam;
          a.t++;
          a.m = opts.beta1 * a.m + (1 - opts.beta1) * r.dLogTau;
          a.v = opts.beta2 * a.v + (1 - opts.beta2) * r.dLogTau * r.dLogTau;
          const mHat = a.m / (1 - opts.beta1 ** a.t);
          const vHat = a.v / (1 - opts.beta2 ** a.t);
          state.logTemperature = Math.min(maxLogTau, Math.max(0, state.logTemperature - (lr * mHat) / (Math.sqrt(vHat) + opts.eps)));
        }
        const secs = Number(process.hrtime.bigint() - ts) / 1e9;
        const cpu = process.cpuUsage(cpu0);
        stepCpuSeconds += (cpu.user + cpu.system) / 1e6;
        epochCpu += (cpu.user + cpu.system) / 1e6;
        stepSeconds += secs;
        state.seconds += secs;
        pairsDone += hi - lo;
        epochPairs += hi - lo;
        epochLoss += r.loss;
        epochBatches++;
        state.step++;
        stepsThisRun++;
        state.batchInEpoch = b + 1;
        const now = Date.now();
        if (now - lastLog >= opts.progressSeconds * 1000 || b === ranges.length - 1) {
          lastLog = now;
          const rate = pairsDone / Math.max(1e-9, stepSeconds);
          const left = (totalSteps - state.step) * (stepSeconds / Math.max(1, pairsDone)) * opts.batch;
          log(`[train] epoch ${e + 1}/${opts.epochs} batch ${b + 1}/${ranges.length} loss ${r.loss.toFixed(4)} `
            + `(avg ${(epochLoss / epochBatches).toFixed(4)}) τ ${Math.exp(state.logTemperature).toFixed(2)} lr ${lr.toExponential(2)} `
            + `${Math.round(rate)} pairs/s (${Math.round(pairsDone / Math.max(1e-9, stepCpuSeconds))}/CPU-s) ETA ${formatDuration(left)}`);
        }
        if (hooks.runDir && opts.checkpointMinutes > 0 && now - lastSave >= opts.checkpointMinutes * 60_000 && b < ranges.length - 1) {
          lastSave = now;
          save();
          log(`[train] checkpoint saved (epoch ${e + 1}, batch ${b + 1})`);
        }
        if (stepsThisRun >= stopAfter && b < ranges.length - 1) break;
      }
      if (state.batchInEpoch < ranges.length) {
        save();
        log(`[train] stopped after ${stepsThisRun} steps (epoch ${e + 1}, batch ${state.batchInEpoch}); resume to continue`);
        break;
      }
      const record: EpochRecord = {
        epoch: e + 1,
        meanLoss: epochBatches > 0 ? epochLoss / epochBatches : NaN,
        temperature: Math.exp(state.logTemperature),
        seconds: (Date.now() - epochStart) / 1000,
        pairsPerSecond: epochPairs / Math.max(1e-9, (Date.now() - epochStart) / 1000),
        cpuSeconds: epochCpu,
      };
      const val = validationMrr(corpus, session.views.table, opts.dim, opts.validationPairs, opts.seed);
      if (val) {
        record.validationMrr = val.mrr;
        record.validationPool = val.pool;
      }
      state.history.push(record);
      state.epoch = e + 1;
      state.batchInEpoch = 0;
      log(`[train] epoch ${e + 1} done in ${formatDuration(record.seconds)} (${epochCpu.toFixed(0)} CPU-s of steps): mean loss ${record.meanLoss.toFixed(4)}, τ ${record.temperature.toFixed(2)}`
        + (val ? `, held-out MRR ${val.mrr.toFixed(4)} (pool of ${val.pool})` : ''));
      if (state.epoch >= opts.epochs) state.done = true;
      save();
      lastSave = Date.now();
    }
    return {
      table: session.views.table.slice(),
      state,
      pairsPerSecond: pairsDone / Math.max(1e-9, stepSeconds),
      pairsPerCpuSecond: pairsDone / Math.max(1e-9, stepCpuSeconds),
    };
  } finally {
    await session.close();
  }
}
