import * as assert from 'node:assert/strict';
import { type CandidateChunk, type CandidateScores, FEATURE_COUNT, FEATURES, featurize } from '../../src/core/rank/features';
import { shippedRankModel } from '../../src/core/rank/model';
import { pathSignals } from '../../src/core/rank/pathSignals';
import { queryShape } from '../../src/core/rank/queryShape';
import { checkRanker, rankScores } from '../../src/core/rank/ranker';
import { answerSize, checkRelevance, relevance, RELEVANCE_INPUTS, relevanceInputs } from '../../src/core/rank/relevance';
import { fitLogistic, reliability } from '../../training/rank/calibration';
import { forward, fromWeights, initParams, softTargets, toWeights, train } from '../../training/rank/mlp';
import { mulberry32 } from '../../training/train/random';

const col = (name: typeof FEATURES[number]) => FEATURES.indexOf(name);
const none = { exact: 0, words: 0, prefix: 0, fuzzy: 0 };
const chunk = (o: Partial<CandidateChunk> = {}): CandidateChunk => ({
  file: 'src/a.ts', root: 0, startLine: 10, endLine: 19, declLine: 10, kind: 'function', name: 'f', language: 'typescript', ...o,
});
const row = (x: Float32Array, i: number) => (name: typeof FEATURES[number]) => x[i * FEATURE_COUNT + col(name)];

describe('rank: query shape and path signals', () => {
  it('tells identifiers, prose, questions and symptoms apart', () => {
    assert.equal(queryShape('parseDuration').kind, 'identifier');
    assert.equal(queryShape('Query isStaleByTime').kind, 'identifier');
    assert.equal(queryShape('retry a request with exponential backoff').kind, 'prose');
    assert.equal(queryShape('where is the session token verified?').kind, 'question');
    assert.equal(queryShape('how do I add a header').kind, 'question');
    assert.equal(queryShape('upload fails with a timeout').kind, 'symptom');
    assert.equal(queryShape('parse duration').words, 2);
    assert.ok(queryShape('test for the retry logic').asksTests);
    assert.ok(!queryShape('retry logic').asksTests);
    assert.ok(queryShape('usage example of the router').asksDocs);
  });
  it('marks test, docs, example, generated and vendored paths', () => {
    for (const f of ['tests/test_api.py', 'pkg/server_test.go', 'src/a.test.ts', 'src/__tests__/x.js', 'spec/models/user_spec.rb', 'src/FooTest.java', 'conftest.py']) assert.ok(pathSignals(f).test, f);
    assert.ok(pathSignals('src/lib.rs', 'tests.it_parses').test, 'Rust in-file test module');
    assert.ok(pathSignals('app/models.py', 'test_login').test);
    for (const f of ['src/api.py', 'lib/contest.js', 'src/latest.ts', 'attestation/verify.go']) assert.ok(!pathSignals(f).test, f);
    assert.ok(pathSignals('docs/guide.md').docs && pathSignals('README.md').docs && !pathSignals('src/docker.ts').docs);
    assert.ok(pathSignals('_examples/hello/main.go').example && pathSignals('examples/basic.rs').example && !pathSignals('src/example_parser.ts').example);
    assert.ok(pathSignals('api/v1/service.pb.go').generated && pathSignals('proto/a_pb2.py').generated && !pathSignals('src/gen_id.ts').generated);
    assert.ok(pathSignals('vendor/github.com/x/y.go').vendored && pathSignals('third_party/z.c').vendored && !pathSignals('src/vendors.ts').vendored);
  });
});

describe('rank: features', () => {
  const scores: CandidateScores[] = [
    { cosine: 0.8, semanticRank: 1, keyword: 10, keywordRank: 1, name: { exact: 1, words: 1, prefix: 0, fuzzy: 0 }, coverage: 1 },
    { cosine: 0.4, semanticRank: 2, name: none, coverage: 0.5 },
    { cosine: 0.2, keyword: 5, keywordRank: 2, name: { exact: 0, words: 0.5, prefix: 0.7, fuzzy: 0 }, coverage: 0.25 },
    { cosine: 0.1, name: { exact: 0, words: 0, prefix: 0, fuzzy: 0.6 }, coverage: 0 },
  ];
  const chunks = [
    chunk({ declLine: 12 }),
    chunk({ file: 'test/a.test.ts', kind: 'class', startLine: 1, endLine: 99, declLine: 1 }),
    chunk({ file: 'docs/x.md', kind: 'section', language: 'markdown' }),
    chunk({ kind: 'window', part: { index: 2, count: 3 }, startLine: 100, endLine: 100, declLine: 100 }),
  ];
  it('puts each signal in its column', () => {
    const x = featurize('retry with backoff', scores, chunks, true);
    assert.equal(x.length, 4 * FEATURE_COUNT);
    const [a, b, c, d] = [0, 1, 2, 3].map((i) => row(x, i));
    // semantic side: cosine, z over the retrieved list, rank discount, retrieved flag
    assert.ok(Math.abs(a('cos') - 0.8) < 1e-6);
    assert.ok(a('z_cos') > 0 && b('z_cos') < a('z_cos') && d('z_cos') < c('z_cos'));
    assert.equal(a('sem_rank'), 1);
    assert.ok(b('sem_rank') < 1 && b('sem_rank') > 0);
    assert.equal(c('sem_rank'), 0);
    assert.equal(c('sem_hit'), 0);
    // keyword side: a candidate the keyword side did not retrieve gets the floor, not zero
    assert.ok(Math.abs(a('bm25') - Math.log1p(10)) < 1e-6);
    assert.ok(a('z_bm25') > c('z_bm25') && b('z_bm25') === c('z_bm25'));
    assert.equal(a('bm25_rel'), 1);
    assert.equal(c('bm25_rel'), 0.5);
    assert.equal(b('kw_hit'), 0);
    // names, coverage
    assert.deepEqual([a('name_exact'), c('name_words'), c('name_prefix'), d('name_fuzzy')].map((v) => +v.toFixed(2)), [1, 0.5, 0.7, 0.6]);
    assert.equal(b('coverage'), 0.5);
    // query shape, the same on every row
    assert.equal(a('q_prose'), 1);
    assert.equal(d('q_identifier'), 0);
    // chunk kind, doc, path and length
    assert.deepEqual([a('k_definition'), b('k_class'), c('k_section'), d('k_window')], [1, 1, 1, 1]);
    assert.equal(a('has_doc'), 1);
    assert.equal(b('has_doc'), 0);
    assert.equal(b('p_test'), 1);
    assert.equal(b('test_unasked'), 1);
    assert.equal(b('test_asked'), 0);
    assert.equal(c('p_docs'), 1);
    assert.equal(c('docs_unasked'), 1);
    assert.equal(c('not_code'), 1);
    assert.ok(b('lines') > a('lines'));
    assert.equal(d('later_part'), 1);
    assert.equal(a('later_part'), 0);
    // file support: a and d share src/a.ts; a is a strong candidate (top 20 on a side), d is not
    assert.ok(Math.abs(d('file_support') - Math.log1p(1)) < 1e-6);
    assert.equal(a('file_support'), 0);
    assert.equal(a('semantic_mode'), 1);
  });
  it('follows the query: tests asked for, keyword mode', () => {
    const x = featurize('test for retry', scores, chunks, false);
    assert.equal(row(x, 1)('test_asked'), 1);
    assert.equal(row(x, 1)('test_unasked'), 0);
    assert.equal(row(x, 0)('semantic_mode'), 0);
    const k = featurize('retry', [{ keyword: 3, keywordRank: 1, name: none, coverage: 1 }], [chunk()], false);
    assert.equal(row(k, 0)('cos'), 0);
    assert.equal(row(k, 0)('z_cos'), 0);
  });
});

describe('rank: the ranker', () => {
  const rand = mulberry32(7);
  const rows = (n: number) => Float32Array.from({ length: n * FEATURE_COUNT }, () => rand() * 4 - 2);
  it('scores exactly as the training-side reference does', () => {
    const p = initParams(FEATURE_COUNT, 8, 3);
    p.lin.forEach((_, j) => { p.lin[j] = rand() - 0.5; });
    p.bias = 0.3;
    const mean = Float64Array.from({ length: FEATURE_COUNT }, () => rand());
    const std = Float64Array.from({ length: FEATURE_COUNT }, () => 0.5 + rand());
    const w = toWeights(p, mean, std);
    const x = rows(50);
    const got = rankScores(w, x, 50);
    const ref = fromWeights(w);
    for (let i = 0; i < 50; i++) {
      const xn = Float64Array.from({ length: FEATURE_COUNT }, (_, j) => (x[i * FEATURE_COUNT + j] - ref.mean[j]) / ref.std[j]);
      assert.ok(Math.abs(got[i] - forward(ref.params, xn, 0)) < 1e-9);
    }
  });
  it('ships weights that fit this build and score like the reference', () => {
    const m = shippedRankModel();
    const x = rows(20);
    const got = rankScores(m.ranker, x, 20);
    const ref = fromWeights(m.ranker);
    for (let i = 0; i < 20; i++) {
      const xn = Float64Array.from({ length: FEATURE_COUNT }, (_, j) => (x[i * FEATURE_COUNT + j] - ref.mean[j]) / ref.std[j]);
      assert.ok(Math.abs(got[i] - forward(ref.params, xn, 0)) < 1e-9);
    }
    assert.ok(m.threshold > 0 && m.threshold < 1);
  });
  it('refuses weights made for other features', () => {
    const w = toWeights(initParams(FEATURE_COUNT, 2, 1), new Float64Array(FEATURE_COUNT), new Float64Array(FEATURE_COUNT).fill(1));
    assert.doesNotThrow(() => checkRanker(w));
    assert.throws(() => checkRanker({ ...w, features: w.features.slice(1) }), /feature list/);
    assert.throws(() => checkRanker({ ...w, w1: w.w1.slice(1) }), /w1/);
    assert.throws(() => checkRanker({ ...w, mean: w.mean.map(() => NaN) }), /mean/);
  });
  it('learns to put the answer first from graded lists', () => {
    // the answer is the candidate whose feature 3 minus feature 5 is largest: a rule the model must find
    const make = (n: number) => {
      const x = new Float64Array(n * FEATURE_COUNT).map(() => rand() * 2 - 1);
      let best = 0;
      for (let i = 1; i < n; i++) if (x[i * FEATURE_COUNT + 3] - x[i * FEATURE_COUNT + 5] > x[best * FEATURE_COUNT + 3] - x[best * FEATURE_COUNT + 5]) best = i;
      return { x, n, target: softTargets(Array.from({ length: n }, (_, i) => (i === best ? 2 : 0)))!, best };
    };
    const data = Array.from({ length: 300 }, () => make(20));
    const test = Array.from({ length: 100 }, () => make(20));
    const top1 = (p: ReturnType<typeof initParams>) => test.filter((t) => {
      let arg = 0, max = -Infinity;
      for (let i = 0; i < t.n; i++) { const s = forward(p, t.x, i * FEATURE_COUNT); if (s > max) { max = s; arg = i; } }
      return arg === t.best;
    }).length / test.length;
    const p = initParams(FEATURE_COUNT, 4, 1);
    const before = top1(p);
    train(p, data, { epochs: 15, lr: 0.02, batch: 16, l2: 0, seed: 2 });
    assert.ok(before < 0.3, `untrained top-1 ${before}`);
    assert.ok(top1(p) > 0.85, `trained top-1 ${top1(p)}`);
  });
});

describe('rank: calibrated relevance', () => {
  it('reads the ranking and the absolute evidence, never rises down the list, and cuts at the threshold', () => {
    const n = 5;
    const feats = new Float32Array(n * FEATURE_COUNT);
    [0.7, 0.6, 0.65, 0.2, 0.1].forEach((cos, i) => { feats[i * FEATURE_COUNT + col('cos')] = cos; feats[i * FEATURE_COUNT + col('coverage')] = cos; });
    const inputs = relevanceInputs([3, 2.5, 2.6, 0, -1], feats, [0, 1, 2, 3, 4]);
    assert.equal(inputs.length, 5);
    assert.equal(inputs[0].length, RELEVANCE_INPUTS.length);
    const at = (i: number, name: typeof RELEVANCE_INPUTS[number]) => inputs[i][RELEVANCE_INPUTS.indexOf(name)];
    assert.equal(at(0, 'gap'), 0);
    assert.equal(at(3, 'gap'), -3);
    assert.equal(at(0, 'first'), 1);
    assert.equal(at(1, 'first'), 0);
    // the lead over the next hit, saturating (none after the last)
    assert.ok(Math.abs(at(0, 'margin') - Math.tanh(0.25)) < 1e-9 && Math.abs(at(1, 'margin') - Math.tanh(-0.05)) < 1e-9 && at(4, 'margin') === 0);
    assert.ok(relevanceInputs([20, 0], feats, [0, 1])[0][0] < 1);
    assert.ok(Math.abs(at(2, 'cos') - 0.65) < 1e-6);
    const w = { inputs: [...RELEVANCE_INPUTS], weights: RELEVANCE_INPUTS.map((x) => (x === 'cos' ? 8 : x === 'gap' ? 0.5 : 0)), bias: -3 };
    assert.doesNotThrow(() => checkRelevance(w));
    assert.throws(() => checkRelevance({ ...w, inputs: w.inputs.slice(1) }), /input list/);
    const p = relevance(w, inputs);
    for (let i = 1; i < p.length; i++) assert.ok(p[i] <= p[i - 1]);
    assert.ok(p[0] > 0.8 && p[4] < 0.2);
    assert.deepEqual(answerSize(p, 10, 0.5), { size: p.filter((v) => v >= 0.5).length, noRelevant: false });
    assert.deepEqual(answerSize(p, 1, 0.01), { size: 1, noRelevant: false });
    // the same ranking with weak evidence everywhere: nothing relevant
    const weak = new Float32Array(n * FEATURE_COUNT);
    assert.deepEqual(answerSize(relevance(w, relevanceInputs([3, 2.5, 2.6, 0, -1], weak, [0, 1, 2, 3, 4])), 10, 0.5), { size: 0, noRelevant: true });
    assert.deepEqual(answerSize([], 10, 0.5), { size: 0, noRelevant: true });
  });
  it('recovers known probabilities on a synthetic set, and ECE tells calibrated from not', () => {
    const rand = mulberry32(11);
    const truth = (x: number, g: number) => 1 / (1 + Math.exp(-(-1 + 2 * x + 1.5 * g)));
    const data = Array.from({ length: 20000 }, () => {
      const x = rand() * 4 - 2, g = -rand() * 2;
      return { x: [x, g], y: rand() < truth(x, g) ? 1 : 0 };
    });
    const w = fitLogistic(data);
    assert.ok(Math.abs(w[0] - 2) < 0.2 && Math.abs(w[1] - 1.5) < 0.25 && Math.abs(w[2] + 1) < 0.2, `fit ${w.map((v) => v.toFixed(2))}`);
    const fitted = data.map((e) => ({ p: 1 / (1 + Math.exp(-(w[2] + w[0] * e.x[0] + w[1] * e.x[1]))), y: e.y }));
    const good = reliability(fitted);
    const bad = reliability(fitted.map((e) => ({ p: e.p ** 3, y: e.y })));
    assert.ok(good.ece < 0.02, `ece ${good.ece}`);
    assert.ok(bad.ece > 0.1, `miscalibrated ece ${bad.ece}`);
    for (const b of good.curve.filter((c) => c.n > 300)) assert.ok(Math.abs(b.meanP - b.observed) < 0.05);
    // the fit does not depend on the inputs' scale (ranker scores span tens of units)
    const scaled = fitLogistic(data.map((e) => ({ x: [e.x[0] * 30, e.x[1]], y: e.y })));
    assert.ok(Math.abs(scaled[0] * 30 - w[0]) < 0.01 && Math.abs(scaled[2] - w[2]) < 0.01);
  });
});
