import * as assert from 'node:assert/strict';
import { answerSize, relevanceProbability } from '../../src/core/search/calibrate';
import { collapseOverlapping } from '../../src/core/search/collapse';
import { defaultWeights, fuse, type Candidate } from '../../src/core/search/fusion';
import { nameMatchScore, shortName } from '../../src/core/search/nameMatch';
import { looksLikeIdentifier } from '../../src/core/text/identifiers';
import { bestBias } from '../../training/calibrate/fitCalibration';

describe('nameMatch', () => {
  it('matches identifiers across case styles and qualified names', () => {
    assert.equal(shortName('Query.isStaleByTime'), 'isStaleByTime');
    assert.equal(nameMatchScore('isStaleByTime', 'Query.isStaleByTime'), 1);
    assert.equal(nameMatchScore('parse_duration', 'parseDuration'), 1);
    assert.equal(nameMatchScore('how to parse duration strings', 'parseDuration'), 1);
    assert.equal(nameMatchScore('duration parse', 'parseDuration'), 0.5);
    assert.equal(nameMatchScore('format a date', 'parseDuration'), 0);
    assert.equal(nameMatchScore('validate', 'validate'), 1);
    assert.equal(nameMatchScore('validate a JWT bearer token', 'validate'), 0.3);
    assert.equal(nameMatchScore('anything', ''), 0);
  });
  it('tells identifiers from prose', () => {
    assert.ok(looksLikeIdentifier('replaceEqualDeep'));
    assert.ok(looksLikeIdentifier('foldLines lineLength afterSpace'));
    assert.ok(!looksLikeIdentifier('evict data that no component has used for a few minutes'));
  });
});

describe('fusion', () => {
  const cands: Candidate[] = [
    { key: 1, semantic: 0.9, semanticRank: 1, nameMatch: 0 },
    { key: 2, semantic: 0.5, semanticRank: 2, keyword: 12, keywordRank: 1, nameMatch: 0 },
    { key: 3, semantic: 0.2, semanticRank: 3, keyword: 2, keywordRank: 2, nameMatch: 0 },
    { key: 4, keyword: 1, keywordRank: 3, nameMatch: 1 },
  ];
  it('RRF rewards agreement between the two sides', () => {
    const out = fuse(cands, 'rrf', { semantic: 1, keyword: 1, name: 0 });
    assert.equal(out[0].key, 2);
  });
  it('score fusion follows the weights', () => {
    assert.equal(fuse(cands, 'score', { semantic: 1, keyword: 0, name: 0 })[0].key, 1);
    assert.equal(fuse(cands, 'score', { semantic: 0, keyword: 1, name: 0 })[0].key, 2);
    assert.equal(fuse(cands, 'score', { semantic: 0, keyword: 0.1, name: 10 })[0].key, 4);
  });
  it('weights lean on keywords for identifiers and on meaning for prose', () => {
    const id = defaultWeights(true, true), prose = defaultWeights(false, true);
    assert.ok(id.keyword / id.semantic > prose.keyword / prose.semantic);
    assert.equal(defaultWeights(false, false).semantic, 0);
  });
});

describe('collapse', () => {
  it('keeps the best of overlapping hits in one file', () => {
    const items = [
      { id: 'method', file: 'a.ts', root: 'r', startLine: 10, endLine: 20 },
      { id: 'class', file: 'a.ts', root: 'r', startLine: 1, endLine: 50 },
      { id: 'other-file', file: 'b.ts', root: 'r', startLine: 1, endLine: 50 },
      { id: 'part-2', file: 'a.ts', root: 'r', startLine: 18, endLine: 30 },
      { id: 'sibling', file: 'a.ts', root: 'r', startLine: 60, endLine: 70 },
    ];
    assert.deepEqual(collapseOverlapping(items, (x) => x, 10).map((x) => x.id), ['method', 'other-file', 'sibling']);
    assert.equal(collapseOverlapping(items, (x) => x, 1).length, 1);
  });
  it('lets a nested unit take the place of the container ranked above it', () => {
    const items = [
      { id: 'file-summary', file: 'a.ts', root: 'r', startLine: 1, endLine: 100 },
      { id: 'b-file', file: 'b.ts', root: 'r', startLine: 1, endLine: 9 },
      { id: 'method', file: 'a.ts', root: 'r', startLine: 10, endLine: 20 },
      { id: 'other-method', file: 'a.ts', root: 'r', startLine: 30, endLine: 40 },
    ];
    assert.deepEqual(collapseOverlapping(items, (x) => x, 10).map((x) => x.id), ['method', 'b-file', 'other-method']);
  });
});

describe('calibration', () => {
  it('says nothing relevant when the best evidence is weak', () => {
    assert.deepEqual(answerSize([0.1, 0.05], 10), { size: 0, noRelevant: true });
    assert.deepEqual(answerSize([], 10), { size: 0, noRelevant: true });
  });
  it('returns a variable-size answer that drops the long tail', () => {
    const cut = answerSize([0.95, 0.9, 0.2, 0.1, 0.05], 10);
    assert.equal(cut.noRelevant, false);
    assert.equal(cut.size, 2);
    assert.equal(answerSize([0.95, 0.9, 0.9, 0.9], 3).size, 3);
    assert.equal(answerSize([0.95, 0.1, 0.1, 0.9, 0.9], 3).size, 1, 'never more than k, never past a gap beyond k');
  });
  it('grows with every kind of evidence', () => {
    const base = { cosine: 0.4, coverage: 0.3, nameMatch: 0 };
    const p = relevanceProbability(base);
    assert.ok(relevanceProbability({ ...base, cosine: 0.6 }) > p);
    assert.ok(relevanceProbability({ ...base, coverage: 0.9 }) > p);
    assert.ok(relevanceProbability({ ...base, nameMatch: 1 }) > p);
    assert.ok(relevanceProbability({ coverage: 1, nameMatch: 0 }) > relevanceProbability({ coverage: 0.2, nameMatch: 0 }));
  });
});

describe('calibration fit: the answer-presence level', () => {
  it('puts the bias where queries with an answer in the index part from those without', () => {
    // score = 10·cos: answered queries' best hits at cos 0.5–0.7, unanswered at 0.2–0.45
    const ex = (cos: number, y: number) => ({ x: [cos, 0, 0], y });
    const data = [...[0.5, 0.55, 0.6, 0.65, 0.7].map((c) => ex(c, 1)), ...[0.2, 0.3, 0.35, 0.4, 0.45].map((c) => ex(c, 0))];
    const fit = bestBias(data, [10, 0, 0], 0.5);
    assert.equal(fit.balancedAccuracy, 1);
    // the cut sits between 0.45 and 0.5: p(0.5) ≥ 0.5 > p(0.45)
    const p = (cos: number) => 1 / (1 + Math.exp(-(fit.bias + 10 * cos)));
    assert.ok(p(0.5) >= 0.5 && p(0.45) < 0.5, `bias ${fit.bias}`);
    // a higher threshold moves the bias up by the logit difference, keeping the same cut
    const f9 = bestBias(data, [10, 0, 0], 0.9);
    assert.ok(Math.abs(f9.bias - fit.bias - Math.log(9)) < 1e-9);
  });
  it('reports the trade-off when the two overlap, and refuses one-sided data', () => {
    const data = [{ x: [0.6], y: 1 }, { x: [0.4], y: 1 }, { x: [0.5], y: 0 }, { x: [0.3], y: 0 }];
    const fit = bestBias(data, [1], 0.5);
    assert.equal(fit.balancedAccuracy, 0.75);
    assert.throws(() => bestBias([{ x: [1], y: 1 }], [1], 0.5), /positives and negatives/);
  });
});
