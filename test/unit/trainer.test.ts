import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Tokenizer } from '../../src/core/embed/tokenizer';
import { loadEmbedder } from '../../src/core/embed/embedder';
import { writeModelDir } from '../../training/onnx/embeddingBagModel';
import { CandidateBm25 } from '../../training/eval/bm25';
import { queryMetrics, runCsn } from '../../training/eval/csn';
import { int8RoundTrip } from '../../training/eval/evalRun';
import { BatchBuilder } from '../../training/train/batch';
import { loadCheckpoint } from '../../training/train/checkpoint';
import {
  DEFAULT_CORPUS_OPTIONS, HardNegatives, isTestPackage, listPairFiles, loadCorpus, parsePairLine, type Corpus, type CorpusOptions, type TokenLists,
} from '../../training/train/data';
import { referenceLoss, type ReferenceBatch } from '../../training/train/model';
import { Rng } from '../../training/train/random';
import { createSharedMemory, instantiateKernels } from '../../training/train/simd';
import { encodeTokenList, TableEmbedder } from '../../training/train/tableEmbedder';
import { syntheticPairs } from '../../training/train/synthetic';
import { DEFAULT_TRAIN_OPTIONS, initTable, train, TrainSession, type TrainOptions } from '../../training/train/trainer';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-trainer-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function writePairs(name: string, lines: string[]): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function corpusOptions(over: Partial<CorpusOptions> = {}): CorpusOptions {
  return { ...DEFAULT_CORPUS_OPTIONS, minCount: 1, ngramBuckets: 64, vocabSize: 1000, split: { testFraction: 0, salt: '' }, ...over };
}

function quietOptions(over: Partial<TrainOptions> = {}): TrainOptions {
  return { ...DEFAULT_TRAIN_OPTIONS, dim: 16, batch: 16, epochs: 2, threads: 1, validationPairs: 0, progressSeconds: 1e9, ...over };
}

/** 200 pairs whose only link is a private query word ↔ code word, amid shared filler words. */
function translationPairs(seed: number): string[] {
  const rng = new Rng(seed);
  const word = (): string => Array.from({ length: 6 }, () => 'abcdefghijklmnopqrstuvwxyz'[rng.int(26)]).join('');
  const fillers = Array.from({ length: 30 }, word);
  const f = (): string => fillers[rng.int(fillers.length)];
  const lines: string[] = [];
  for (let i = 0; i < 200; i++) {
    const qw = word();
    const cw = word();
    lines.push(JSON.stringify({
      q: `${f()} ${qw} ${f()} ${f()}`,
      code: `def ${f()}_${cw}(${f()}):\n    return ${f()}(${cw}) + ${f()}`,
      lang: 'python', pkg: `pkg${i % 20}`, file: `f${i % 3}.py`, name: `${f()}_${cw}`,
    }));
  }
  return lines;
}

/** Model-only MRR of every pair of the corpus against all the others. */
function corpusMrr(corpus: Corpus, table: Float32Array, dim: number): number {
  const rows = corpus.tokenizer.vocab.length + corpus.tokenizer.ngramBuckets;
  const emb = new TableEmbedder(table, rows, dim);
  const n = corpus.split.length;
  const q = new Float32Array(n * dim);
  const c = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    emb.embed(encodeTokenList(corpus, corpus.queries, i), q, i * dim);
    emb.embed(encodeTokenList(corpus, corpus.codes, i), c, i * dim);
  }
  return runCsn({ langs: new Array<string>(n).fill('x'), dim, queryEmb: q, codeEmb: c }).micro.model.mrr;
}

function item(lists: TokenLists, p: number): { ids: number[]; counts: number[] } {
  const ids: number[] = [];
  const counts: number[] = [];
  for (let x = lists.off[p]; x < lists.off[p + 1]; x++) {
    ids.push(lists.ids[x]);
    counts.push(lists.counts[x]);
  }
  return { ids, counts };
}

describe('training: SIMD kernels', () => {
  const mem = createSharedMemory(1 << 20);
  const k = instantiateKernels(mem);
  let offset = 0;
  const rnd = new Rng(3);
  const f32 = (n: number): Float32Array => {
    const a = new Float32Array(mem.buffer, offset, n);
    offset += Math.ceil((n * 4) / 64) * 64;
    for (let i = 0; i < n; i++) a[i] = rnd.next() - 0.5;
    return a;
  };

  it('gatherSum adds weighted rows (32-float blocks and the 4-float tail)', () => {
    const D = 48;
    const mat = f32(10 * D);
    const idx = new Int32Array(mem.buffer, offset, 6);
    offset += 64;
    idx.set([3, 1, 3, 7, 9, 0]);
    const w = f32(6);
    const out = f32(D);
    k.gatherSum(out.byteOffset, mat.byteOffset, idx.byteOffset, w.byteOffset, 1, 5, D);
    for (let d = 0; d < D; d++) {
      let s = 0;
      for (let e = 1; e < 5; e++) s += w[e] * mat[idx[e] * D + d];
      assert.ok(Math.abs(s - out[d]) < 1e-5, `dim ${d}: ${out[d]} vs ${s}`);
    }
  });

  it('gemm multiplies, with A given directly or as a transpose, for row counts that are not multiples of 4', () => {
    const m = 7, n = 16, kk = 9;
    const a = f32(m * kk);
    const at = f32(kk * m);
    for (let i = 0; i < m; i++) for (let x = 0; x < kk; x++) at[x * m + i] = a[i * kk + x];
    const b = f32(kk * n);
    for (const [ptr, rs, cs] of [[a.byteOffset, kk, 1], [at.byteOffset, 1, m]]) {
      const out = f32(m * n);
      k.gemm(ptr, rs, cs, b.byteOffset, n, out.byteOffset, n, m, n, kk);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let x = 0; x < kk; x++) s += a[i * kk + x] * b[x * n + j];
          assert.ok(Math.abs(s - out[i * n + j]) < 1e-5);
        }
      }
    }
  });

  it('adamRow applies one Adam step', () => {
    const p = f32(8), m = f32(8), v = f32(8), g = f32(8);
    for (let i = 0; i < 8; i++) v[i] = Math.abs(v[i]);
    const [p0, m0, v0] = [Array.from(p), Array.from(m), Array.from(v)];
    k.adamRow(p.byteOffset, m.byteOffset, v.byteOffset, g.byteOffset, 8, 0.9, 0.999, 0.01, 1e-8);
    for (let d = 0; d < 8; d++) {
      const mm = 0.9 * m0[d] + 0.1 * g[d];
      const vv = 0.999 * v0[d] + 0.001 * g[d] * g[d];
      assert.ok(Math.abs(m[d] - mm) < 1e-6 && Math.abs(v[d] - vv) < 1e-6);
      assert.ok(Math.abs(p[d] - (p0[d] - (0.01 * mm) / (Math.sqrt(vv) + 1e-8))) < 1e-5);
    }
  });
});

describe('training: data', () => {
  it('splits by package deterministically, near the requested fraction, and the salt reshuffles', () => {
    const names = Array.from({ length: 5000 }, (_, i) => `package-${i}`);
    const a = names.map((n) => isTestPackage(n));
    assert.deepEqual(names.map((n) => isTestPackage(n)), a);
    const frac = a.filter(Boolean).length / names.length;
    assert.ok(frac > 0.08 && frac < 0.12, `test fraction ${frac}`);
    const salted = names.map((n) => isTestPackage(n, { testFraction: 0.1, salt: 'x' }));
    assert.ok(salted.some((t, i) => t !== a[i]));
    assert.ok(names.every((n) => !isTestPackage(n, { testFraction: 0, salt: '' })));
  });

  it('keeps every package wholly in one split, and counts the vocabulary on the train split only', async () => {
    const lines = [...syntheticPairs({ pairs: 600, packages: 60, topics: 40, codeLength: 20, seed: 5 })].map((p) => JSON.stringify(p));
    const file = writePairs('split.jsonl', lines);
    const corpus = await loadCorpus([file], corpusOptions({ split: { testFraction: 0.3, salt: '' }, minCount: 1 }));
    const trainPkgs = new Set(Array.from(corpus.trainIds, (i) => corpus.pkg[i]));
    const testPkgs = new Set(Array.from(corpus.testIds, (i) => corpus.pkg[i]));
    assert.ok(trainPkgs.size > 0 && testPkgs.size > 0);
    for (const p of testPkgs) assert.ok(!trainPkgs.has(p));
    for (const id of corpus.testIds) assert.equal(isTestPackage(corpus.pkgNames[corpus.pkg[id]], { testFraction: 0.3, salt: '' }), true);
    // A subtoken that occurs only in test pairs gets no vocabulary row.
    const inTrain = new Set<number>();
    for (const id of corpus.trainIds) for (const lists of [corpus.queries, corpus.codes]) for (const t of item(lists, id).ids) inTrain.add(t);
    const vocab = new Set(corpus.tokenizer.vocab);
    const testOnly = corpus.tokens.filter((_, id) => !inTrain.has(id));
    assert.ok(testOnly.length > 0);
    for (const t of testOnly) assert.ok(!vocab.has(t), `${t} is in the vocabulary but only in test pairs`);
  });

  it('lists pairs files of a harvest folder, not its hidden candidate folder', () => {
    const dir = path.join(tmp, 'harvest-out');
    fs.mkdirSync(path.join(dir, '.candidates', 'npm'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'more'), { recursive: true });
    for (const f of ['pairs-go-0.jsonl', 'inline-go-0.jsonl', 'manifest.json', '.candidates/npm/x@1.jsonl', 'more/pairs-py-0.jsonl.gz']) fs.writeFileSync(path.join(dir, f), '');
    assert.deepEqual(listPairFiles([dir]).map((f) => path.relative(dir, f)), ['inline-go-0.jsonl', 'more/pairs-py-0.jsonl.gz', 'pairs-go-0.jsonl']);
    assert.throws(() => listPairFiles([path.join(dir, 'nope')]), /does not exist/);
  });

  it('caps the pairs of one huge source root by hash sampling, leaving small roots whole', async () => {
    const pair = (pkg: string, i: number) => JSON.stringify({ q: `open file number ${i} of ${pkg}`, code: `def open_${i}(p): return open(p, ${i})`, lang: 'python', pkg, file: `f${i % 7}.py`, name: `open_${i}` });
    const lines = [
      ...Array.from({ length: 400 }, (_, i) => pair(i % 2 ? 'kernel:fs' : 'kernel:net', i)),
      ...Array.from({ length: 30 }, (_, i) => pair('small', i)),
    ];
    const file = writePairs('roots.jsonl', lines);
    const capped = await loadCorpus([file], corpusOptions({ maxPerRoot: 100 }));
    const perRoot = (c: Corpus, root: string) => Array.from(c.pkg).filter((p) => c.pkgNames[p].split(':')[0] === root).length;
    const kept = perRoot(capped, 'kernel');
    assert.ok(kept > 70 && kept < 130, `kept ${kept} of 400`);
    assert.equal(perRoot(capped, 'small'), 30);
    assert.equal(capped.stats.skipped['root-cap'], 400 - kept);
    // deterministic, and off by default
    assert.equal(perRoot(await loadCorpus([file], corpusOptions({ maxPerRoot: 100 })), 'kernel'), kept);
    assert.equal((await loadCorpus([file], corpusOptions())).stats.pairs, 430);
  });

  it('skips bad lines with reasons instead of failing', async () => {
    const good = JSON.stringify({ q: 'open a file', code: 'def open_file(p): return open(p)', lang: 'python', pkg: 'a', file: 'x.py', name: 'open_file' });
    const file = writePairs('bad.jsonl', ['{not json', JSON.stringify({ code: 'x = 1' }), JSON.stringify({ q: 'no code' }), good, good, JSON.stringify({ q: '!!!', code: '+++' })]);
    const corpus = await loadCorpus([file], corpusOptions());
    assert.equal(corpus.stats.pairs, 1);
    assert.deepEqual(corpus.stats.skipped, { 'bad-json': 1, 'no-query': 1, 'no-code': 1, duplicate: 1, 'no-tokens': 1 });
    assert.equal(parsePairLine('[]'), 'no-query');
  });

  it('encodes a text to the same pooled vector as the shipped Tokenizer.encode (corpus lists and cached subtokens)', async () => {
    const lines = [...syntheticPairs({ pairs: 30, codeLength: 40, seed: 9 })].map((p) => JSON.stringify(p));
    const corpus = await loadCorpus([writePairs('enc.jsonl', lines)], corpusOptions({ ngramBuckets: 512 }));
    const tok = new Tokenizer(corpus.tokenizer);
    const dim = 16;
    const table = initTable(tok.rowCount, dim, 1, 4);
    const emb = new TableEmbedder(table, tok.rowCount, dim);
    const a = new Float32Array(dim);
    const b = new Float32Array(dim);
    const c = new Float32Array(dim);
    lines.forEach((line, i) => {
      const code = JSON.parse(line).code;
      emb.embed(encodeTokenList(corpus, corpus.codes, i), a, 0);
      emb.embed(tok.encode(code), b, 0);
      emb.embedText(tok, code, c, 0);
      for (let d = 0; d < dim; d++) {
        assert.ok(Math.abs(a[d] - b[d]) < 1e-5, `pair ${i} dim ${d}`);
        assert.ok(Math.abs(c[d] - b[d]) < 1e-5, `pair ${i} dim ${d} (cached subtokens)`);
      }
    });
  });

  it('picks hard negatives from the same file, else the same package, never the pair itself', async () => {
    const line = (pkg: string, file: string, i: number): string =>
      JSON.stringify({ q: `query number ${i} here`, code: `def f${i}(x):\n    return x + ${i}`, lang: 'python', pkg, file, name: `f${i}` });
    const corpus = await loadCorpus([writePairs('neg.jsonl', [
      line('a', 'one.py', 1), line('a', 'one.py', 2), line('a', 'two.py', 3), line('b', 'b.py', 4), line('c', 'c.py', 5),
    ])], corpusOptions());
    const hn = new HardNegatives(corpus);
    const rng = new Rng(1);
    for (let k = 0; k < 20; k++) {
      assert.equal(hn.pick(0, rng), 1); // same file
      assert.ok([0, 1].includes(hn.pick(2, rng))); // same package, other file
      assert.notEqual(hn.pick(3, rng), 3); // alone: any other pair
    }
  });
});

describe('training: gradients and optimiser', () => {
  let corpus: Corpus;
  let pairs: Int32Array;
  let negs: Int32Array;
  const D = 16;

  before(async () => {
    const lines = [...syntheticPairs({ pairs: 60, topics: 10, packages: 4, codeLength: 20, seed: 2 })].map((p) => JSON.stringify(p));
    corpus = await loadCorpus([writePairs('grad.jsonl', lines)], corpusOptions());
    pairs = corpus.trainIds.slice(0, 8);
    const hn = new HardNegatives(corpus);
    const rng = new Rng(5);
    negs = Int32Array.from(pairs, (p) => hn.pick(p, rng));
  });

  async function session(table: Float32Array, threads: number, captureGrads: boolean): Promise<TrainSession> {
    const needs = new BatchBuilder(corpus).measure(pairs, negs);
    return TrainSession.open(corpus, { dim: D, batch: 8, hardNegatives: true, threads, needs, table, captureGrads });
  }

  it('matches finite differences of a float64 reference loss, for table entries and the temperature', async () => {
    const rows = corpus.tokenizer.vocab.length + corpus.tokenizer.ngramBuckets;
    const table = initTable(rows, D, 0.5, 3);
    const logTau = Math.log(5);
    const s = await session(table, 1, true);
    const r = s.gradients(pairs, negs, Math.exp(logTau));
    await s.close();
    const batch: ReferenceBatch = {
      queries: Array.from(pairs, (p) => item(corpus.queries, p)),
      codes: [...Array.from(pairs, (p) => item(corpus.codes, p)), ...Array.from(negs, (p) => item(corpus.codes, p))],
      tokenRowOff: corpus.tokenRowOff,
      tokenRows: corpus.tokenRows,
    };
    const t64 = Float64Array.from(table);
    assert.ok(Math.abs(r.loss - referenceLoss(t64, D, logTau, batch)) < 1e-5);
    const h = 1e-5;
    let num2 = 0, diff2 = 0;
    for (let n = 0; n < 16; n++) {
      const rho = Math.floor((n * r.rows.length) / 16);
      const i = r.rows[rho] * D + (n % D);
      const old = t64[i];
      t64[i] = old + h;
      const lp = referenceLoss(t64, D, logTau, batch);
      t64[i] = old - h;
      const lm = referenceLoss(t64, D, logTau, batch);
      t64[i] = old;
      const numeric = (lp - lm) / (2 * h);
      num2 += numeric ** 2;
      diff2 += (numeric - r.grads[rho * D + (n % D)]) ** 2;
    }
    assert.ok(num2 > 1e-10, 'the checked entries have gradient');
    assert.ok(Math.sqrt(diff2 / num2) < 1e-3, `relative gradient error ${Math.sqrt(diff2 / num2)}`);
    const numericTau = (referenceLoss(t64, D, logTau + h, batch) - referenceLoss(t64, D, logTau - h, batch)) / (2 * h);
    assert.ok(Math.abs(numericTau - r.dLogTau) < 1e-4 * Math.max(1, Math.abs(numericTau)), `${numericTau} vs ${r.dLogTau}`);
  });

  it('gives bit-identical gradients with one thread and with two', async () => {
    const rows = corpus.tokenizer.vocab.length + corpus.tokenizer.ngramBuckets;
    const table = initTable(rows, D, 0.5, 8);
    const one = await session(table, 1, true);
    const a = one.gradients(pairs, negs, 7);
    await one.close();
    const two = await session(table, 2, true);
    const b = two.gradients(pairs, negs, 7);
    await two.close();
    assert.deepEqual(b.rows, a.rows);
    assert.deepEqual(Buffer.from(b.grads.buffer), Buffer.from(a.grads.buffer));
    assert.equal(b.loss, a.loss);
  });

  it('sparse Adam changes only the rows the batch touches, and counts steps per row', async () => {
    const rows = corpus.tokenizer.vocab.length + corpus.tokenizer.ngramBuckets;
    const table = initTable(rows, D, 0.5, 3);
    const s = await session(table, 1, false);
    const r = s.step(pairs, negs, new Rng(1), 0, { tau: 10, lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    const after = s.snapshot();
    const touched = new Set(Array.from(s.views.rowGlobal.slice(0, r.shape.R)));
    await s.close();
    assert.ok(touched.size > 0 && touched.size < rows, `${touched.size} of ${rows} rows touched`);
    let changed = 0;
    for (let row = 0; row < rows; row++) {
      const before = table.subarray(row * D, row * D + D);
      const now = after.table.subarray(row * D, row * D + D);
      const same = before.every((x, d) => x === now[d]);
      if (touched.has(row)) {
        assert.equal(after.adamSteps[row], 1);
        if (!same) changed++;
      } else {
        assert.ok(same, `row ${row} is outside the batch but changed`);
        assert.equal(after.adamSteps[row], 0);
      }
    }
    assert.ok(changed > touched.size * 0.9, `${changed} of ${touched.size} touched rows changed`);
  });
});

describe('training: runs', () => {
  it('is deterministic for a seed, with one thread or two', async () => {
    const lines = [...syntheticPairs({ pairs: 150, topics: 20, packages: 10, codeLength: 20, seed: 3 })].map((p) => JSON.stringify(p));
    const corpus = await loadCorpus([writePairs('det.jsonl', lines)], corpusOptions());
    const a = await train(corpus, quietOptions({ seed: 7 }), { log: () => {} });
    const b = await train(corpus, quietOptions({ seed: 7, threads: 2 }), { log: () => {} });
    const c = await train(corpus, quietOptions({ seed: 8 }), { log: () => {} });
    assert.ok(Buffer.from(a.table.buffer).equals(Buffer.from(b.table.buffer)));
    assert.equal(a.state.logTemperature, b.state.logTemperature);
    assert.ok(!Buffer.from(a.table.buffer).equals(Buffer.from(c.table.buffer)));
  });

  it('resuming from a mid-epoch checkpoint ends where an uninterrupted run ends', async () => {
    const lines = [...syntheticPairs({ pairs: 120, topics: 20, packages: 10, codeLength: 20, seed: 4 })].map((p) => JSON.stringify(p));
    const corpus = await loadCorpus([writePairs('resume.jsonl', lines)], corpusOptions());
    const full = await train(corpus, quietOptions({ epochs: 2 }), { log: () => {} });
    const runDir = path.join(tmp, 'resume-run');
    const partial = await train(corpus, quietOptions({ epochs: 2 }), { log: () => {}, runDir, stopAfterSteps: 3 });
    assert.equal(partial.state.step, 3);
    const rows = corpus.tokenizer.vocab.length + corpus.tokenizer.ngramBuckets;
    const ckpt = loadCheckpoint(runDir, rows, 16);
    assert.ok(ckpt && ckpt.state.epoch === 0 && ckpt.state.batchInEpoch === 3 && !ckpt.state.done);
    const resumed = await train(corpus, quietOptions({ epochs: 2 }), { log: () => {}, resume: ckpt });
    assert.ok(Buffer.from(resumed.table.buffer).equals(Buffer.from(full.table.buffer)));
  });

  it('learns a query-word → code-word translation far above chance', async () => {
    const corpus = await loadCorpus([writePairs('translate.jsonl', translationPairs(42))], corpusOptions({ ngramBuckets: 0 }));
    const opts = quietOptions({ dim: 32, batch: 32, epochs: 10, lr: 0.02 });
    const rows = corpus.tokenizer.vocab.length;
    const before = corpusMrr(corpus, initTable(rows, opts.dim, opts.initStd, opts.seed), opts.dim);
    const trained = await train(corpus, opts, { log: () => {} });
    const afterMrr = corpusMrr(corpus, trained.table, opts.dim);
    assert.ok(before < 0.15, `untrained MRR ${before}`);
    assert.ok(afterMrr > 0.6, `trained MRR ${afterMrr} (chance ≈ 0.03)`);
    assert.ok(trained.state.history[1].meanLoss < trained.state.history[0].meanLoss);
  });

  it('exports a model whose ONNX embeddings equal the int8 table the evaluation uses', async () => {
    const lines = [...syntheticPairs({ pairs: 40, codeLength: 20, seed: 6 })].map((p) => JSON.stringify(p));
    const corpus = await loadCorpus([writePairs('export.jsonl', lines)], corpusOptions());
    const trained = await train(corpus, quietOptions({ epochs: 1 }), { log: () => {} });
    const dir = path.join(tmp, 'model');
    writeModelDir(dir, { name: 'test-model', version: '0', tokenizer: corpus.tokenizer, table: trained.table, dim: 16 });
    const tok = new Tokenizer(corpus.tokenizer);
    const mine = new TableEmbedder(int8RoundTrip(trained.table, tok.rowCount, 16), tok.rowCount, 16);
    const texts = [JSON.parse(lines[0]).q, JSON.parse(lines[1]).code, 'unseenIdentifierName parses'];
    const embedder = await loadEmbedder(dir);
    try {
      const got = await embedder.embed(texts);
      const want = new Float32Array(16);
      texts.forEach((t, i) => {
        mine.embed(tok.encode(t), want, 0);
        for (let d = 0; d < 16; d++) assert.ok(Math.abs(got[i * 16 + d] - want[d]) < 1e-5);
      });
    } finally {
      await embedder.dispose();
    }
  });
});

describe('training: CodeSearchNet evaluation', () => {
  it('computes MRR and recall on a hand-made 3-query example', () => {
    // Codes at 0°, 60°, 120°; queries at 0°, 20°, −30° rank their code 1st, 2nd and 3rd.
    const at = (deg: number): number[] => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)];
    const codeEmb = Float32Array.from([...at(0), ...at(60), ...at(120)]);
    const queryEmb = Float32Array.from([...at(0), ...at(20), ...at(-30)]);
    const r = runCsn({ langs: ['go', 'go', 'go'], dim: 2, queryEmb, codeEmb });
    const m = r.micro.model;
    assert.equal(m.queries, 3);
    assert.ok(Math.abs(m.mrr - (1 + 1 / 2 + 1 / 3) / 3) < 1e-9);
    assert.ok(Math.abs(m.recall1 - 1 / 3) < 1e-9);
    assert.equal(m.recall5, 1);
    assert.ok(Math.abs(r.scores.all.trueAboveHardest - 1 / 3) < 1e-9);
  });

  it('breaks ties at random in expectation', () => {
    assert.ok(Math.abs(queryMetrics(0, 1).mrr - 0.75) < 1e-12);
    assert.equal(queryMetrics(0, 1).recall1, 0.5);
    assert.equal(queryMetrics(10, 0).mrr10, 0);
  });

  it('ranks with BM25 and fuses scores per query', () => {
    const docs = [
      { text: 'def send_mail(msg): smtp.deliver(msg)', name: 'send_mail' },
      { text: 'def parse_date(s): return datetime.strptime(s)', name: 'parse_date' },
      { text: 'def add(a, b): return a + b', name: 'add' },
    ];
    const index = new CandidateBm25(docs);
    const scores = new Float64Array(3);
    index.score(index.queryIds('parse a date string'), [1, 0, 2], scores);
    assert.ok(scores[0] > 0 && scores[1] === 0 && scores[2] === 0);
    const dim = 2;
    const flat = Float32Array.from([1, 0, 1, 0, 1, 0]); // the model cannot tell the codes apart
    const r = runCsn({
      langs: ['py', 'py', 'py'], dim, queryEmb: flat, codeEmb: flat,
      bm25: { index, queryTerms: ['send mail', 'parse a date', 'add numbers'].map((q) => index.queryIds(q)) },
    });
    assert.ok(Math.abs(r.micro.model.mrr - (1 + 1 / 2 + 1 / 3) / 3) < 1e-9); // all tied: expected rank 2
    assert.equal(r.micro.bm25.mrr, 1);
    assert.equal(r.micro['z(model)+0.3·z(bm25)'].mrr, 1);
  });
});
