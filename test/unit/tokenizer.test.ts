import { strict as assert } from 'node:assert';
import { Tokenizer, buildVocab, fnv1a32, fnv1a32Bytes, type TokenizerConfig } from '../../src/core/embed/tokenizer';

/** Independent FNV-1a over UTF-8 bytes, with BigInt arithmetic. */
function fnvBytes(s: string): number {
  let h = 0x811c9dc5n;
  for (const b of Buffer.from(s, 'utf8')) h = ((h ^ BigInt(b)) * 0x01000193n) & 0xffffffffn;
  return Number(h);
}

function cfg(over: Partial<TokenizerConfig> = {}): TokenizerConfig {
  return { vocab: ['parse', 'http', 'response', 'address', 'parser', 'get', 'user', 'id'], ngramBuckets: 1000, ngramSizes: [3, 4, 5], maxTokens: 64, ...over };
}

function sum(a: Float32Array): number {
  let s = 0;
  for (const x of a) s += x;
  return s;
}

describe('tokenizer', () => {
  describe('fnv1a32', () => {
    it('matches the published FNV-1a 32-bit test vectors', () => {
      assert.equal(fnv1a32(''), 0x811c9dc5);
      assert.equal(fnv1a32('a'), 0xe40c292c);
      assert.equal(fnv1a32('foobar'), 0xbf9cf968);
    });

    it('hashes the UTF-8 bytes of non-ASCII text, surrogate pairs included', () => {
      for (const s of ['é', 'naïve', '日本語', 'x😀y', '<über>']) assert.equal(fnv1a32(s), fnvBytes(s), s);
    });

    it('fnv1a32Bytes over a range of bytes equals fnv1a32 of their text', () => {
      const buf = Buffer.from('..naïve/日本語 x😀y..', 'utf8');
      const s = 'naïve/日本語 x😀y';
      assert.equal(fnv1a32Bytes(buf, 2, buf.length - 2), fnvBytes(s));
      assert.equal(fnv1a32Bytes(buf, 2, buf.length - 2), fnv1a32(s));
      assert.equal(fnv1a32Bytes(new Uint8Array(0)), 0x811c9dc5);
    });

    it('is an unsigned 32-bit value', () => {
      for (const s of ['<ab', 'ab>', 'zzzzz', 'parse']) {
        const h = fnv1a32(s);
        assert.ok(Number.isInteger(h) && h >= 0 && h <= 0xffffffff);
      }
    });
  });

  describe('subtokens', () => {
    it('splits identifiers on camelCase, acronyms, digits, _ and $, lower-cased', () => {
      const t = new Tokenizer(cfg());
      assert.deepEqual(t.subtokens('parseHTTPResponse_v2 $scope getUserID'), ['parse', 'http', 'response', 'v', '2', 'scope', 'get', 'user', 'id']);
      assert.deepEqual(t.subtokens('snake_case_name: 42 items'), ['snake', 'case', 'name', '42', 'items']);
    });

    it('truncates to maxTokens', () => {
      const t = new Tokenizer(cfg({ maxTokens: 3 }));
      assert.deepEqual(t.subtokens('alpha beta gammaDelta epsilon'), ['alpha', 'beta', 'gamma']);
      // Tokens past the cut contribute no rows.
      assert.deepEqual(t.encode('alpha beta gammaDelta epsilon'), t.encode('alpha beta gamma'));
    });

    it('gives the same tokens for very long texts as plain splitting would', () => {
      const t = new Tokenizer(cfg({ maxTokens: 2 }));
      // The 128-char prefix cut falls inside "abcdefghijXyz" (chars 123-135); the word must stay whole.
      const long = 'first' + ' '.repeat(118) + 'abcdefghijXyz tail more words' + ' pad'.repeat(100);
      assert.deepEqual(t.subtokens(long), ['first', 'abcdefghij']);
      // Not enough tokens in the head: the rest of the text is still read.
      const sparse = '.'.repeat(500) + ' lateWord';
      assert.deepEqual(t.subtokens(sparse), ['late', 'word']);
    });

    it('returns nothing for text without words', () => {
      const t = new Tokenizer(cfg());
      assert.deepEqual(t.subtokens(''), []);
      assert.deepEqual(t.subtokens('  {}();\n'), []);
      assert.deepEqual(t.subtokens(undefined as unknown as string), []);
      const e = t.encode('{}');
      assert.equal(e.rows.length, 0);
      assert.equal(e.weights.length, 0);
    });
  });

  describe('encode', () => {
    it('gives out-of-vocabulary identifiers n-gram rows only', () => {
      const t = new Tokenizer(cfg());
      const { rows, weights } = t.encode('addressparser');
      assert.ok(rows.length > 0, 'unknown identifier must not embed to nothing');
      for (const r of rows) assert.ok(r >= t.vocab.length && r < t.rowCount, `row ${r} should be an n-gram bucket`);
      assert.ok(Math.abs(sum(weights) - 1) < 1e-6, 'a token carries total weight 1');
    });

    it('gives in-vocabulary words their vocabulary row plus n-gram rows', () => {
      const t = new Tokenizer(cfg());
      const { rows, weights } = t.encode('address');
      assert.equal(rows[0], t.vocab.indexOf('address'));
      const grams = Array.from(rows).filter((r) => r >= t.vocab.length);
      assert.ok(grams.length > 0, 'in-vocabulary words also get n-grams');
      assert.ok(Math.abs(sum(weights) - 1) < 1e-6);
    });

    it('hashes the n-grams of <word> with boundary markers into buckets after the vocabulary', () => {
      const t = new Tokenizer(cfg());
      const expected = ['<ab', 'ab>', '<ab>'].map((g) => t.vocab.length + (fnvBytes(g) % 1000));
      assert.deepEqual(t.ngramRows('ab'), expected);
      const rows = Array.from(t.encode('ab').rows).sort((a, b) => a - b);
      assert.deepEqual(rows, [...new Set(expected)].sort((a, b) => a - b));
    });

    it('shares n-gram rows between an unknown compound and its known parts', () => {
      const t = new Tokenizer(cfg());
      const compound = new Set(t.encode('addressparser').rows);
      const shared = Array.from(t.encode('address').rows).filter((r) => compound.has(r));
      assert.ok(shared.length >= 3, `expected shared n-grams, got ${shared.length}`);
    });

    it('returns unique rows and counts repeated tokens', () => {
      const t = new Tokenizer(cfg());
      const once = t.encode('parse');
      const twice = t.encode('parse parse');
      assert.deepEqual(twice.rows, once.rows);
      assert.equal(new Set(twice.rows).size, twice.rows.length);
      for (let i = 0; i < once.weights.length; i++) assert.ok(Math.abs(twice.weights[i] - 2 * once.weights[i]) < 1e-6);
    });

    it('uses vocabulary rows only when there are no n-gram buckets', () => {
      const t = new Tokenizer(cfg({ ngramBuckets: 0 }));
      assert.equal(t.rowCount, t.vocab.length);
      assert.deepEqual(Array.from(t.encode('getUser unknownWord').rows), [t.vocab.indexOf('get'), t.vocab.indexOf('user')]);
    });

    it('is deterministic across instances', () => {
      const a = new Tokenizer(cfg());
      const b = new Tokenizer(cfg());
      const text = 'function parseHttpResponse(res) { return decodeURIComponent(res.body) }';
      assert.deepEqual(a.encode(text), b.encode(text));
      assert.deepEqual(a.encode(text), a.encode(text));
    });

    it('reports rowCount as vocabulary plus buckets', () => {
      assert.equal(new Tokenizer(cfg()).rowCount, 8 + 1000);
    });

    it('rejects an invalid configuration with a clear message', () => {
      assert.throws(() => new Tokenizer(cfg({ ngramBuckets: -1 })), /ngramBuckets/);
      assert.throws(() => new Tokenizer(cfg({ maxTokens: 0 })), /maxTokens/);
      assert.throws(() => new Tokenizer(cfg({ ngramSizes: [0] })), /ngramSizes/);
    });
  });

  describe('buildVocab', () => {
    const counts = new Map<string, number>([['b', 5], ['a', 5], ['c', 9], ['d', 2], ['e', 3], ['', 50]]);

    it('orders by count descending, then by string, and drops words under minCount', () => {
      assert.deepEqual(buildVocab(counts, 3, 10), ['c', 'a', 'b', 'e']);
      assert.deepEqual(buildVocab(counts, 1, 10), ['c', 'a', 'b', 'e', 'd']);
    });

    it('caps the size', () => {
      assert.deepEqual(buildVocab(counts, 3, 2), ['c', 'a']);
      assert.deepEqual(buildVocab(counts, 3, 0), []);
    });

    it('does not depend on insertion order', () => {
      const reversed = new Map([...counts].reverse());
      assert.deepEqual(buildVocab(reversed, 1, 10), buildVocab(counts, 1, 10));
    });
  });
});
