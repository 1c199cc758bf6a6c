import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { ModelLoadError, findDefaultModel, loadEmbedder, type Embedder, type EmbedRuntime } from '../../src/core/embed/embedder';
import { matchEmbeddingBag } from '../../src/core/embed/embeddingBag';
import { OnnxFormatError, readOnnxGraph } from '../../src/core/embed/onnxGraph';
import { modelsDir } from '../../src/core/assets';
import { readManifest } from '../../src/core/embed/manifest';
import { embedReference } from '../../src/core/embed/reference';
import { buildTestModel, copyModelDir, type TestModel } from '../helpers/testModel';
import { quantizeRows, writeModelDir } from '../../training/onnx/embeddingBagModel';
import { ProtoWriter } from '../../training/onnx/protobuf';

function row(all: Float32Array, i: number, dim: number): Float32Array {
  return all.subarray(i * dim, (i + 1) * dim);
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function cosine(a: Float32Array, b: Float32Array): number {
  return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function rejectsWithLoadError(p: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ModelLoadError, `expected ModelLoadError, got ${String(e)}`);
    assert.match((e as Error).message, message);
    return true;
  });
}

const TEXTS = [
  'remove a file from disk',
  'function deleteFile(path) { fs.unlink(path) }',
  'def parse_date(text): return datetime.strptime(text, "%Y-%m-%d")',
  'retry the http request with exponential backoff',
  'class LruCache { evict() { this.store.delete(this.oldest) } }',
  'sha256 digest of the buffer',
  'addressparser',
  'getUserAccountByEmailAddress(email)',
];

/** Rewrite a model folder's graph bytes and re-sign its manifest, so only the graph differs. */
function replaceGraph(dir: string, edit: (bytes: Buffer) => Buffer): void {
  const file = path.join(dir, 'model.onnx');
  const bytes = edit(fs.readFileSync(file));
  fs.writeFileSync(file, bytes);
  const mf = path.join(dir, 'manifest.json');
  const m = JSON.parse(fs.readFileSync(mf, 'utf8'));
  fs.writeFileSync(mf, JSON.stringify({ ...m, hash: crypto.createHash('sha256').update(bytes).digest('hex') }));
}

for (const runtime of ['native', 'onnxruntime'] as EmbedRuntime[]) describe(`embedder (${runtime})`, function () {
  let model: TestModel;
  let embedder: Embedder;
  const extraDirs: string[] = [];
  const load = (dir: string, opts: { batchSize?: number } = {}): Promise<Embedder> => loadEmbedder(dir, { ...opts, runtime });

  before(async () => {
    model = buildTestModel();
    embedder = await load(model.dir);
  });

  after(async () => {
    await embedder?.dispose();
    model?.cleanup();
    for (const d of extraDirs) fs.rmSync(d, { recursive: true, force: true });
  });

  function copyOfModel(): string {
    const d = copyModelDir(model.dir);
    extraDirs.push(d);
    return d;
  }

  it('writes a model folder whose manifest describes it', () => {
    const m = readManifest(model.dir);
    assert.equal(m.dim, 32);
    assert.equal(m.tokenizer.ngramBuckets, 512);
    assert.deepEqual(m.tokenizer.ngramSizes, [3, 4, 5]);
    assert.ok(fs.existsSync(path.join(model.dir, m.files.onnx)));
    const vocabLines = fs.readFileSync(path.join(model.dir, m.files.vocab), 'utf8').trimEnd().split('\n');
    assert.deepEqual(vocabLines, model.config.vocab);
  });

  it('reports id, hash and dim from the manifest', () => {
    assert.equal(embedder.id, 'test-bag@0.0.1');
    assert.equal(embedder.hash, model.manifest.hash);
    assert.equal(embedder.dim, 32);
    assert.equal(embedder.runtime, runtime);
  });

  it('returns one unit-length row per text', async () => {
    const out = await embedder.embed(TEXTS);
    assert.equal(out.length, TEXTS.length * 32);
    for (let i = 0; i < TEXTS.length; i++) {
      const n = Math.sqrt(dot(row(out, i, 32), row(out, i, 32)));
      assert.ok(Math.abs(n - 1) < 1e-4, `text ${i} has norm ${n}`);
    }
  });

  it('gives texts without tokens a zero vector, never NaN', async () => {
    const out = await embedder.embed(['', '{ } ( ) ;', 'parse']);
    for (const x of out) assert.ok(Number.isFinite(x));
    assert.equal(dot(row(out, 0, 32), row(out, 0, 32)), 0);
    assert.equal(dot(row(out, 1, 32), row(out, 1, 32)), 0);
    assert.ok(Math.abs(dot(row(out, 2, 32), row(out, 2, 32)) - 1) < 1e-4);
    assert.equal((await embedder.embed([])).length, 0);
    const odd = await embedder.embed([null, 42, 'parse'] as unknown as string[]);
    assert.equal(dot(row(odd, 0, 32), row(odd, 0, 32)), 0);
    assert.equal(dot(row(odd, 1, 32), row(odd, 1, 32)), 0);
    assert.ok(maxAbsDiff(row(odd, 2, 32), row(out, 2, 32)) < 1e-6);
  });

  it('matches the TypeScript reference (cosine ≥ 0.999)', async () => {
    const out = await embedder.embed(TEXTS);
    for (let i = 0; i < TEXTS.length; i++) {
      const ref = embedReference(model.tokenizer, model.quantized.table, model.quantized.scales, 32, TEXTS[i]);
      const c = cosine(row(out, i, 32), ref);
      assert.ok(c >= 0.999, `text ${i}: cosine ${c}`);
      // int8 quantisation barely moves the unquantised embedding either
      const refFloat = embedReference(model.tokenizer, model.table, undefined, 32, TEXTS[i]);
      assert.ok(cosine(row(out, i, 32), refFloat) >= 0.99);
    }
  });

  it('puts a query nearer to related code than to unrelated code', async () => {
    const out = await embedder.embed([
      'remove a file from disk',
      'function deleteFile(path) { fs.unlink(path) }',
      'def parse_date(text): return datetime.strptime(text, "%Y-%m-%d")',
    ]);
    const q = row(out, 0, 32);
    const related = dot(q, row(out, 1, 32));
    const unrelated = dot(q, row(out, 2, 32));
    assert.ok(related > unrelated + 0.1, `related ${related} vs unrelated ${unrelated}`);
  });

  it('gives an unknown compound identifier a vector near its known parts', async () => {
    const out = await embedder.embed(['addressparser', 'address parser', 'sort order']);
    const unknown = row(out, 0, 32);
    assert.ok(dot(unknown, unknown) > 0.99, 'unknown identifier must not embed to zero');
    assert.ok(dot(unknown, row(out, 1, 32)) > dot(unknown, row(out, 2, 32)));
  });

  it('gives identical vectors whatever the batch size and order', async () => {
    const texts = [...TEXTS, ...TEXTS.map((t) => t + ' ' + t), 'x'];
    const base = await embedder.embed(texts);
    for (const batchSize of [1, 3]) {
      const e = await load(model.dir, { batchSize });
      try {
        assert.ok(maxAbsDiff(await e.embed(texts), base) < 1e-6, `batchSize ${batchSize}`);
      } finally {
        await e.dispose();
      }
    }
    const reversed = await embedder.embed([...texts].reverse());
    for (let i = 0; i < texts.length; i++) {
      assert.ok(maxAbsDiff(row(reversed, texts.length - 1 - i, 32), row(base, i, 32)) < 1e-6);
    }
    const single = await embedder.embed([texts[4]]);
    assert.ok(maxAbsDiff(single, row(base, 4, 32)) < 1e-6);
  });

  it('splits long texts across runs without changing their vectors', async () => {
    // Pseudo-random 8-letter words touch ~500 unique rows per text: 60 texts exceed one run's row budget.
    let seed = 7;
    const letter = () => String.fromCharCode(97 + ((seed = (seed * 1103515245 + 12345) % 2147483648) % 26));
    const word = () => Array.from({ length: 8 }, letter).join('');
    const long = Array.from({ length: 60 }, () => Array.from({ length: 256 }, word).join(' '));
    assert.ok(model.tokenizer.encode(long[0]).rows.length * long.length > 20000);
    const all = await embedder.embed(long);
    for (const k of [0, 29, 59]) assert.ok(maxAbsDiff(row(all, k, 32), await embedder.embed([long[k]])) < 1e-6, `text ${k}`);
  });

  it('keeps results in place for calls larger than one encoding window and for concurrent calls', async () => {
    const many = Array.from({ length: 1100 }, (_, i) => TEXTS[i % TEXTS.length] + (i % 3 === 0 ? ' cache' : ''));
    const [a, b] = await Promise.all([embedder.embed(many), embedder.embed(TEXTS)]);
    const expectA = await embedder.embed(many.slice(1090));
    assert.ok(maxAbsDiff(a.subarray(1090 * 32), expectA) < 1e-6);
    assert.ok(maxAbsDiff(b, await embedder.embed(TEXTS)) < 1e-6);
  });

  it('rejects embed() after dispose', async () => {
    const e = await load(model.dir);
    await e.dispose();
    await assert.rejects(e.embed(['parse']), /disposed/);
  });

  it('finds the default model only as a models/<name>/ folder holding a manifest', () => {
    const found = findDefaultModel();
    if (found !== null) {
      assert.equal(path.dirname(found), modelsDir());
      assert.ok(fs.existsSync(path.join(found, 'manifest.json')));
    }
  });

  describe('loading errors', () => {
    it('fails on a corrupted model file with a hash mismatch', async () => {
      const dir = copyOfModel();
      const file = path.join(dir, 'model.onnx');
      const bytes = fs.readFileSync(file);
      bytes[bytes.length - 10] ^= 0xff;
      fs.writeFileSync(file, bytes);
      await rejectsWithLoadError(load(dir), /does not match its manifest.*sha256/);
    });

    it('fails on a missing manifest', async () => {
      const dir = copyOfModel();
      fs.rmSync(path.join(dir, 'manifest.json'));
      await rejectsWithLoadError(load(dir), /no model manifest/);
      await rejectsWithLoadError(load(path.join(dir, 'does-not-exist')), /no model manifest/);
    });

    it('fails on a manifest with bad fields, naming them', async () => {
      const dir = copyOfModel();
      const file = path.join(dir, 'manifest.json');
      const m = JSON.parse(fs.readFileSync(file, 'utf8'));
      fs.writeFileSync(file, JSON.stringify({ ...m, dim: 'big', files: { onnx: '../x.onnx', vocab: 'vocab.txt' } }));
      await rejectsWithLoadError(load(dir), /"dim".*"files\.onnx"/);
      fs.writeFileSync(file, '{ not json');
      await rejectsWithLoadError(load(dir), /not valid JSON/);
    });

    it('fails on missing model or vocabulary files', async () => {
      const dir = copyOfModel();
      fs.rmSync(path.join(dir, 'vocab.txt'));
      await rejectsWithLoadError(load(dir), /vocabulary .*vocab\.txt is missing/);
      fs.rmSync(path.join(dir, 'model.onnx'));
      await rejectsWithLoadError(load(dir), /model file .*model\.onnx is missing/);
    });

    it('fails when the vocabulary does not fit the table', async () => {
      const dir = copyOfModel();
      const vocabFile = path.join(dir, 'vocab.txt');
      const vocab = model.config.vocab;
      fs.writeFileSync(vocabFile, vocab.slice(0, -1).join('\n') + '\n');
      await rejectsWithLoadError(load(dir), runtime === 'native' ? /does not fit its vocabulary: the table has \d+ rows/ : /more table rows than its vocabulary/);
      fs.writeFileSync(vocabFile, [...vocab, 'extraword'].join('\n') + '\n');
      await rejectsWithLoadError(load(dir), /does not fit its vocabulary/);
    });

    it('fails when the manifest dim disagrees with the graph', async () => {
      const dir = copyOfModel();
      const file = path.join(dir, 'manifest.json');
      fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), dim: 64 }));
      await rejectsWithLoadError(load(dir), /manifest says dim 64/);
    });

    it('fails on a model file that is not ONNX at all, saying so', async () => {
      const dir = copyOfModel();
      replaceGraph(dir, (b) => b.subarray(0, 1000));
      await rejectsWithLoadError(load(dir), runtime === 'native' ? /not a readable ONNX model/ : /cannot start the ONNX runtime/);
    });
  });

  describe('model writer', () => {
    it('encodes protobuf varints, negative ints, strings and packed fields on the wire format', () => {
      assert.deepEqual(Array.from(new ProtoWriter().int(1, 300).finish()), [0x08, 0xac, 0x02]);
      const neg = new ProtoWriter().int(2, -1).finish();
      assert.deepEqual(Array.from(neg), [0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
      assert.deepEqual(Array.from(new ProtoWriter().string(3, 'hi').finish()), [0x1a, 2, 0x68, 0x69]);
      assert.deepEqual(Array.from(new ProtoWriter().packedInts(4, [1, 150]).finish()), [0x22, 3, 0x01, 0x96, 0x01]);
      assert.deepEqual(Array.from(new ProtoWriter().float(5, 1).finish()), [0x2d, 0, 0, 0x80, 0x3f]);
    });

    it('quantises each row to int8 within half a step, keeping zero rows zero', () => {
      const table = Float32Array.from([0.5, -1, 0.25, 0, 0, 0, 3, 2, -3]);
      const q = quantizeRows(table, 3, 3);
      assert.deepEqual(Array.from(q.table.subarray(0, 3)), [64, -127, 32]);
      assert.deepEqual(Array.from(q.table.subarray(3, 6)), [0, 0, 0]);
      assert.equal(q.scales[1], 0);
      for (let r = 0; r < 3; r++) {
        for (let d = 0; d < 3; d++) {
          const back = q.table[r * 3 + d] * q.scales[r];
          assert.ok(Math.abs(back - table[r * 3 + d]) <= q.scales[r] / 2 + 1e-7);
        }
      }
      assert.throws(() => quantizeRows(Float32Array.from([NaN, 1]), 1, 2), /non-finite/);
    });

    it('refuses to write a model folder with an invalid name, writing nothing', () => {
      const dir = path.join(model.dir, '..', `sift-bad-model-${process.pid}`);
      extraDirs.push(dir);
      assert.throws(
        () => writeModelDir(dir, { name: 'bad name', version: '1', tokenizer: model.config, table: model.table, dim: 32 }),
        /"name"/,
      );
      assert.equal(fs.existsSync(dir), false);
    });
  });
});

describe('embedder runtimes', function () {
  let model: TestModel;
  const dirs: string[] = [];
  before(() => { model = buildTestModel(); });
  after(() => {
    model?.cleanup();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('picks the native kernel for an embedding-bag graph by default, agreeing with onnxruntime', async () => {
    const auto = await loadEmbedder(model.dir);
    const ort = await loadEmbedder(model.dir, { runtime: 'onnxruntime' });
    try {
      assert.equal(auto.runtime, 'native');
      const texts = [...TEXTS, '', TEXTS.join(' ').repeat(40)];
      const a = await auto.embed(texts);
      const b = await ort.embed(texts);
      assert.ok(maxAbsDiff(a, b) < 1e-5, `max difference ${maxAbsDiff(a, b)}`);
    } finally {
      await auto.dispose();
      await ort.dispose();
    }
  });

  it('agrees with onnxruntime across subtoken-cache turnover and for subtokens too long to cache', async () => {
    const auto = await loadEmbedder(model.dir);
    const ort = await loadEmbedder(model.dir, { runtime: 'onnxruntime' });
    try {
      // 9,000 distinct words: more than the native kernel's 8,192 cache slots, so it evicts mid-run
      const words = Array.from({ length: 9000 }, (_, i) => `w${i.toString(36)}q${(i * 7919).toString(36)}`);
      const texts = Array.from({ length: 90 }, (_, t) => words.slice(t * 100, t * 100 + 100).join(' ') + ' parse http response');
      texts.push(`const blob = "${'abcdefgh'.repeat(20)}"; parse ${'Q'.repeat(70)}`, texts[0]);
      const a = await auto.embed(texts);
      const b = await ort.embed(texts);
      assert.ok(maxAbsDiff(a, b) < 1e-5, `max difference ${maxAbsDiff(a, b)}`);
      // the first text again, after the cache turned over: the same vector
      assert.ok(maxAbsDiff(row(a, 0, 32), row(a, texts.length - 1, 32)) < 1e-6);
    } finally {
      await auto.dispose();
      await ort.dispose();
    }
  });

  it('runs any other graph in onnxruntime, and refuses it natively with the reason', async () => {
    const dir = copyModelDir(model.dir);
    dirs.push(dir);
    // Same length op name, so the file stays valid ONNX: L1 instead of L2 normalisation.
    replaceGraph(dir, (b) => {
      const c = Buffer.from(b);
      let replaced = 0;
      for (let at = c.indexOf('ReduceL2'); at >= 0; at = c.indexOf('ReduceL2', at + 1)) { c.write('ReduceL1', at); replaced++; }
      assert.equal(replaced, 2); // the node's name and its op type
      return c;
    });
    const graph = readOnnxGraph(fs.readFileSync(path.join(dir, 'model.onnx')));
    const match = matchEmbeddingBag(graph);
    assert.ok('notBag' in match && /node 7 \(ReduceL1\)/.test(match.notBag));
    const e = await loadEmbedder(dir);
    try {
      assert.equal(e.runtime, 'onnxruntime');
      const out = await e.embed(['parse the date text']);
      let l1 = 0;
      for (const x of out) l1 += Math.abs(x);
      assert.ok(Math.abs(l1 - 1) < 1e-4, `L1 norm ${l1}`);
    } finally {
      await e.dispose();
    }
    await rejectsWithLoadError(loadEmbedder(dir, { runtime: 'native' }), /cannot run natively: node 7 \(ReduceL1\)/);
  });

  it('reads the graph of the model writer: nodes, initializers, inputs and outputs', () => {
    const graph = readOnnxGraph(fs.readFileSync(path.join(model.dir, 'model.onnx')));
    assert.deepEqual(graph.inputs, ['rows', 'weights']);
    assert.deepEqual(graph.outputs, ['embedding']);
    assert.deepEqual(graph.nodes.map((n) => n.opType), ['Gather', 'Cast', 'Gather', 'Mul', 'Unsqueeze', 'MatMul', 'Squeeze', 'ReduceL2', 'Max', 'Div']);
    assert.deepEqual(graph.nodes[7].attributes, [{ name: 'axes', ints: [1] }, { name: 'keepdims', int: 1 }]);
    const match = matchEmbeddingBag(graph);
    assert.ok(!('notBag' in match));
    assert.deepEqual(Array.from(match.table), Array.from(model.quantized.table));
    assert.deepEqual(Array.from(match.scales), Array.from(model.quantized.scales));
    assert.throws(() => readOnnxGraph(Uint8Array.of(0x3a, 0x80)), OnnxFormatError);
    assert.throws(() => readOnnxGraph(new Uint8Array(0)), /no graph/);
  });
});
