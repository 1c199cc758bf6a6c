// Static distillation (training/distill) on a tiny teacher the test builds itself: words of a
// few "concepts" get the concept's vector plus noise, as a sentence encoder gives synonyms and
// inflections nearby vectors. The distilled table must reproduce the teacher through the
// shipped tokenizer and model format, generalise to unseen inflections through its n-gram rows,
// and down-weight frequent words.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadEmbedder } from '../../src/core/embed/embedder';
import { Tokenizer, type TokenizerConfig } from '../../src/core/embed/tokenizer';
import { distill, sifWeights, DEFAULT_DISTILL_OPTIONS } from '../../training/distill/distill';
import { extraWords } from '../../training/distill/vocab';
import { fitPca, projectPca, symmetricEigen } from '../../training/distill/pca';
import { int8RoundTrip } from '../../training/eval/evalRun';
import { writeModelDir } from '../../training/onnx/embeddingBagModel';
import { Rng } from '../../training/train/random';
import { TableEmbedder } from '../../training/train/tableEmbedder';
import { DEFAULT_TRAIN_OPTIONS, train } from '../../training/train/trainer';
import { DEFAULT_CORPUS_OPTIONS, loadCorpus } from '../../training/train/data';

const CONCEPTS: Record<string, string[]> = {
  remove: ['remove', 'removes', 'removed', 'removing', 'delete', 'deletes', 'deleted', 'deleting', 'unlink', 'unlinks', 'erase', 'erased', 'erasing'],
  verify: ['verify', 'verifies', 'verified', 'verifying', 'validate', 'validates', 'validated', 'validating', 'check', 'checks', 'checked', 'checking'],
  parse: ['parse', 'parses', 'parsed', 'parsing', 'parser', 'decode', 'decodes', 'decoded', 'decoding', 'decoder'],
  network: ['socket', 'sockets', 'connect', 'connects', 'connected', 'connecting', 'connection', 'network', 'networks', 'http', 'request', 'requests'],
  time: ['date', 'dates', 'dated', 'time', 'times', 'timer', 'timers', 'clock', 'clocks', 'timeout', 'timeouts'],
  crash: ['panic', 'panics', 'panicked', 'crash', 'crashes', 'crashed', 'crashing', 'abort', 'aborts', 'aborted', 'explode', 'explodes'],
};
const FILLER = ['the', 'a', 'of', 'to', 'and', 'is', 'in', 'it', 'self', 'return'];
const TEACHER_DIM = 48;

function tinyTeacher(seed = 7): { tok: TokenizerConfig; vectors: Float32Array; concept: Map<string, string> } {
  const rng = new Rng(seed);
  const gauss = (): number => rng.normal();
  const conceptVec = new Map<string, number[]>();
  for (const c of [...Object.keys(CONCEPTS), 'filler']) conceptVec.set(c, Array.from({ length: TEACHER_DIM }, gauss));
  const concept = new Map<string, string>();
  // Frequency order: filler words first (the most frequent), then the concepts interleaved.
  const vocab: string[] = [...FILLER];
  for (const w of FILLER) concept.set(w, 'filler');
  const lists = Object.entries(CONCEPTS);
  for (let i = 0; lists.some(([, ws]) => i < ws.length); i++) {
    for (const [c, ws] of lists) if (i < ws.length) { vocab.push(ws[i]); concept.set(ws[i], c); }
  }
  const vectors = new Float32Array(vocab.length * TEACHER_DIM);
  vocab.forEach((w, r) => {
    const base = conceptVec.get(concept.get(w) as string) as number[];
    let n = 0;
    const v = base.map((x) => x + 0.35 * gauss());
    for (const x of v) n += x * x;
    v.forEach((x, d) => { vectors[r * TEACHER_DIM + d] = x / Math.sqrt(n); });
  });
  return { tok: { vocab, ngramBuckets: 2048, ngramSizes: [3, 4, 5], maxTokens: 64, lowercase: true }, vectors, concept };
}

function cos(a: Float32Array, b: Float32Array): number {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { d += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return na > 0 && nb > 0 ? d / Math.sqrt(na * nb) : 0;
}

function embedder(tok: TokenizerConfig, table: Float32Array, dim: number): (text: string) => Float32Array {
  const t = new Tokenizer(tok);
  const e = new TableEmbedder(table, t.rowCount, dim);
  return (text) => {
    const out = new Float32Array(dim);
    e.embedText(t, text, out, 0);
    return out;
  };
}

const OPTS = { ...DEFAULT_DISTILL_OPTIONS, dim: 16, iterations: 60, holdoutEvery: 0 };

describe('distillation: PCA', () => {
  it('finds the eigenvalues and eigenvectors of a symmetric matrix', () => {
    // [[2,1],[1,2]]: eigenvalues 3 and 1 along (1,1) and (1,-1)
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    const order = values[0] > values[1] ? [0, 1] : [1, 0];
    assert.ok(Math.abs(values[order[0]] - 3) < 1e-9 && Math.abs(values[order[1]] - 1) < 1e-9);
    const v = [vectors[0 * 2 + order[0]], vectors[1 * 2 + order[0]]];
    assert.ok(Math.abs(Math.abs(v[0]) - Math.SQRT1_2) < 1e-9 && Math.abs(v[0] - v[1]) < 1e-9);
  });

  it('keeps the direction of largest variance first and centres the data', () => {
    const rng = new Rng(3);
    const n = 500, d = 6;
    const x = new Float32Array(n * d);
    for (let r = 0; r < n; r++) {
      const a = (rng.next() - 0.5) * 10, b = (rng.next() - 0.5) * 2;
      x[r * d + 0] = 5 + a; x[r * d + 1] = 5 + a; // a big shared axis (1,1,0,…), offset from the origin
      x[r * d + 2] = b;
      for (let k = 3; k < d; k++) x[r * d + k] = (rng.next() - 0.5) * 0.1;
    }
    const p = fitPca(x, n, d, 2);
    assert.ok(Math.abs(Math.abs(p.components[0]) - Math.SQRT1_2) < 0.01, `first component ${Array.from(p.components.subarray(0, d))}`);
    assert.ok(Math.abs(Math.abs(p.components[d + 2]) - 1) < 0.01, 'second component is the third axis');
    assert.ok(p.explained > 0.99);
    const y = projectPca(p, x, n);
    let mean = 0;
    for (let r = 0; r < n; r++) mean += y[r * 2];
    assert.ok(Math.abs(mean / n) < 1e-3, 'projections are centred');
  });
});

describe('distillation: a tiny teacher into the embedding-bag table', () => {
  const teacher = tinyTeacher();
  const { table, report } = distill(teacher.tok, teacher.vectors, TEACHER_DIM, OPTS);
  const embed = embedder(teacher.tok, table, OPTS.dim);

  it('gives every vocabulary word exactly its weighted teacher target, n-gram rows included', () => {
    const pca = fitPca(teacher.vectors, teacher.tok.vocab.length, TEACHER_DIM, OPTS.dim);
    const target = projectPca(pca, teacher.vectors, teacher.tok.vocab.length);
    for (const w of ['removing', 'validate', 'timeout', 'the']) {
      const r = teacher.tok.vocab.indexOf(w);
      assert.ok(cos(embed(w), target.subarray(r * OPTS.dim, (r + 1) * OPTS.dim)) > 0.9999, w);
    }
    assert.equal(table.length, (teacher.tok.vocab.length + teacher.tok.ngramBuckets) * OPTS.dim);
  });

  it('puts synonyms together and other concepts apart, as the teacher does', () => {
    assert.ok(cos(embed('erase'), embed('unlink')) > cos(embed('erase'), embed('socket')) + 0.3);
    assert.ok(cos(embed('panic'), embed('crashed')) > cos(embed('panic'), embed('parser')) + 0.3);
  });

  it('ranks code by a query that shares no word with it', () => {
    const query = embed('erase the file');
    const right = embed('function unlinkPath(p) { return fs.unlink(p) }');
    const wrong = embed('function parseDate(s) { return decoder.decode(s) }');
    assert.ok(cos(query, right) > cos(query, wrong) + 0.2, `${cos(query, right)} vs ${cos(query, wrong)}`);
  });

  it('places inflections it never saw near their concept through the fitted n-gram rows', () => {
    // Not in the vocabulary: only n-gram rows carry them.
    const tok = new Tokenizer(teacher.tok);
    for (const w of ['validation', 'panicking', 'decodings', 'unlinking']) assert.equal(tok.vocabRow(w), -1, w);
    assert.ok(cos(embed('validation'), embed('verify')) > cos(embed('validation'), embed('socket')) + 0.2);
    assert.ok(cos(embed('unlinking'), embed('delete')) > cos(embed('unlinking'), embed('clock')) + 0.2);
    assert.ok(report.ngram.fitCosine > 0.8, `n-gram fit cosine ${report.ngram.fitCosine}`);
  });

  it('measures the n-gram rows on words left out of their fit', () => {
    const r = distill(teacher.tok, teacher.vectors, TEACHER_DIM, { ...OPTS, holdoutEvery: 5 }).report;
    assert.ok(r.ngram.heldOutWords > 5);
    assert.ok(r.ngram.heldOutCosine > 0.4 && r.ngram.heldOutCosine < r.ngram.fitCosine, JSON.stringify(r.ngram));
  });

  it('weighs frequent words little (SIF), so they barely move a pooled text', () => {
    const w = sifWeights(1000, 1e-3);
    assert.ok(w[0] < 0.05 && w[999] > 0.8 && w[0] < w[10] && w[10] < w[100], String([w[0], w[10], w[100], w[999]]));
    assert.deepEqual(Array.from(sifWeights(3, 0)), [1, 1, 1]);
    assert.ok(cos(embed('the of and removed'), embed('removed')) > 0.9, String(cos(embed('the of and removed'), embed('removed'))));
    const flat = distill(teacher.tok, teacher.vectors, TEACHER_DIM, { ...OPTS, sif: 0 });
    const embedFlat = embedder(teacher.tok, flat.table, OPTS.dim);
    assert.ok(cos(embedFlat('the of and removed'), embedFlat('removed')) < cos(embed('the of and removed'), embed('removed')));
  });

  it('refuses teacher vectors that do not match the vocabulary', () => {
    assert.throws(() => distill(teacher.tok, teacher.vectors.subarray(TEACHER_DIM), TEACHER_DIM, OPTS), /teacher vectors for/);
  });

  it('ships through the model format: both runtimes embed like the int8 table', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-distill-'));
    writeModelDir(dir, { name: 'tiny-distilled', version: '0.0.1', tokenizer: teacher.tok, table, dim: OPTS.dim });
    const q8 = embedder(teacher.tok, int8RoundTrip(table, teacher.tok.vocab.length + teacher.tok.ngramBuckets, OPTS.dim), OPTS.dim);
    const texts = ['erase the file', 'function unlinkPath(p) { return fs.unlink(p) }', 'validation'];
    for (const runtime of ['native', 'onnxruntime'] as const) {
      const e = await loadEmbedder(dir, { runtime });
      const got = await e.embed(texts);
      texts.forEach((t, i) => {
        const want = q8(t);
        const g = got.subarray(i * OPTS.dim, (i + 1) * OPTS.dim);
        for (let d = 0; d < OPTS.dim; d++) assert.ok(Math.abs(g[d] - want[d]) < 1e-5, `${runtime} ${t}`);
      });
      await e.dispose();
    }
  });

  it('is the starting point of contrastive training (train --init), not a random table', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-distill-pairs-'));
    const file = path.join(dir, 'pairs-0.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < 64; i++) lines.push(JSON.stringify({ q: `erase item ${i}`, code: `function unlinkItem${i}() { fs.unlink(p) }`, lang: 'javascript', pkg: `npm:p${i % 8}`, file: `f${i}.js`, name: `unlinkItem${i}` }));
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const corpus = await loadCorpus([file], { ...DEFAULT_CORPUS_OPTIONS, tokenizer: teacher.tok, split: { testFraction: 0, salt: '' } });
    const opts = { ...DEFAULT_TRAIN_OPTIONS, dim: OPTS.dim, epochs: 1, batch: 16, lr: 0, threads: 1, validationPairs: 0, checkpointMinutes: 0, progressSeconds: 0, learnTemperature: false };
    const res = await train(corpus, opts, { initTable: table, log: () => undefined });
    assert.deepEqual(Array.from(res.table.subarray(0, 64)), Array.from(table.subarray(0, 64)), 'lr 0 leaves the distilled table as it started');
    await assert.rejects(train(corpus, opts, { initTable: table.subarray(OPTS.dim), log: () => undefined }), /starting table holds/);
  });
});

describe('distillation: teacher vocabulary', () => {
  it('adds whole lower-case words the code vocabulary lacks, in the teacher order, capped', () => {
    const got = extraWords(['[CLS]', 'the', 'graceful', '##ly', 'Shutdown', 'blows', 'x', 'crash', 'shutdown'], ['the', 'crash'], 2);
    assert.deepEqual(got, ['graceful', 'blows']);
  });
});
