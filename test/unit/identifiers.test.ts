import * as assert from 'node:assert/strict';
import { looksLikeIdentifier, rawWords, splitIdentifier, splitWords } from '../../src/core/text/identifiers';

describe('identifier splitting', () => {
  const cases: Array<[string, string[]]> = [
    ['parseDuration', ['parse', 'duration']],
    ['parse_duration', ['parse', 'duration']],
    ['HTTPServer_v2', ['http', 'server', 'v', '2']],
    ['getXMLHttpRequest2Async', ['get', 'xml', 'http', 'request', '2', 'async']],
    ['IOError', ['io', 'error']],
    ['simpleHTTP', ['simple', 'http']],
    ['__init__', ['init']],
    ['$scope', ['scope']],
    ['kebab-case-name', ['kebab', 'case', 'name']],
    ['ÉtéBon', ['été', 'bon']],
    ['ABC', ['abc']],
  ];
  for (const [word, parts] of cases) it(`${word} → ${parts.join(' ')}`, () => assert.deepEqual(splitIdentifier(word), parts));

  it('finds words in code and keeps the raw identifier lower-cased', () => {
    assert.deepEqual(rawWords('fn parse_duration(x: u64)'), ['fn', 'parse_duration', 'x', 'u64']);
    const w = splitWords('validateJwtToken(token)');
    assert.equal(w[0].raw, 'validatejwttoken');
    assert.deepEqual(w[0].parts, ['validate', 'jwt', 'token']);
  });
  it('gives the same answer from the cache as from a fresh split', () => {
    const first = splitIdentifier('someCachedName').slice();
    assert.deepEqual(splitIdentifier('someCachedName'), first);
  });
  it('tells identifier-like queries from prose', () => {
    assert.ok(looksLikeIdentifier('parseDuration'));
    assert.ok(looksLikeIdentifier('Promise.all'));
    assert.ok(!looksLikeIdentifier('where does session verification happen'));
  });
});
