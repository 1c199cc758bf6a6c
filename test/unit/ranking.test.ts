import * as assert from 'node:assert/strict';
import { collapseOverlapping } from '../../src/core/search/collapse';
import { nameMatchScore, shortName } from '../../src/core/search/nameMatch';
import { looksLikeIdentifier } from '../../src/core/text/identifiers';

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
