import * as assert from 'node:assert/strict';
import { Bm25Index } from '../../src/core/keyword/bm25Index';
import { KeywordIndex, queryTerms } from '../../src/core/keyword/keywordIndex';
import { stem, textTerms } from '../../src/core/keyword/terms';
import { CorruptIndexError } from '../../src/core/errors';

const doc = (name: string, text: string) => ({ name, signature: '', text });

describe('keyword terms', () => {
  it('splits identifiers and keeps the raw compound', () => {
    const t = textTerms('function parseDuration(input_string) {}');
    assert.ok(t.includes('parseduration'));
    assert.ok(t.includes(stem('parse')) && t.includes(stem('duration')));
    assert.ok(t.includes('input_string') && t.includes(stem('input')));
  });
  it('makes "parse duration", parse_duration and parseDuration share terms', () => {
    const a = new Set(queryTerms('parse duration'));
    for (const q of ['parseDuration', 'parse_duration']) {
      const b = queryTerms(q);
      assert.ok([...a].every((t) => b.includes(t)), `${q} → ${b}`);
    }
  });
  it('stems plural and -ing forms to one term', () => {
    assert.equal(stem('retries'), stem('retry'));
    assert.equal(stem('caching'), stem('cache'));
    assert.equal(stem('handlers'), stem('handler'));
  });
  it('drops stop words but keeps something for an all-stop-word query', () => {
    assert.deepEqual(queryTerms('where is the'), queryTerms('where is the'));
    assert.ok(!queryTerms('where is the retry').includes('the'));
    assert.ok(queryTerms('how does it do').length > 0);
  });
});

describe('Bm25Index', () => {
  function build(): KeywordIndex {
    const k = new KeywordIndex();
    k.add(0, doc('parseDuration', 'function parseDuration(s) { return ms(s) } // parse a duration string'));
    k.add(1, doc('formatDate', 'function formatDate(d) { return d.toISOString() }'));
    k.add(2, doc('retryRequest', 'async function retryRequest(req) { for (let attempt = 0; attempt < 3; attempt++) backoff(attempt) }'));
    k.add(3, doc('', 'const x = 1; // the parse step happens elsewhere'));
    return k;
  }
  it('ranks the chunk whose name is the query first', () => {
    const k = build();
    const hits = k.search(queryTerms('parse duration'), 10);
    assert.equal(hits[0].key, 0);
    assert.ok(hits.some((h) => h.key === 3), 'partial match still retrieved');
    assert.ok(hits[0].score > hits[1].score);
  });
  it('finds a chunk by an identifier query', () => {
    assert.equal(build().search(queryTerms('retryRequest'), 10)[0].key, 2);
  });
  it('forgets removed chunks and rejects reused keys until compaction', () => {
    const k = build();
    k.remove(0);
    assert.ok(!k.search(queryTerms('parseDuration'), 10).some((h) => h.key === 0));
    assert.throws(() => k.add(0, doc('a', 'a')));
    assert.throws(() => k.add(2, doc('a', 'zzz')), /keys must increase|already used/);
    k.compact();
    assert.equal(k.size, 3);
  });
  it('computes idf-weighted coverage', () => {
    const k = build();
    const terms = queryTerms('retry attempt backoff');
    assert.equal(k.coverage(terms, 2), 1);
    assert.equal(k.coverage(terms, 1), 0);
    const half = k.coverage(queryTerms('retry banana'), 2);
    assert.ok(half > 0 && half < 1);
  });
  it('finds names by prefix as the user types', () => {
    const k = build();
    assert.deepEqual(k.searchNames('parseDur', 5), [0]);
    assert.ok(k.searchNames('retry', 5).includes(2));
  });
  it('round-trips through serialize and detects corruption', () => {
    const k = build();
    k.remove(1);
    const buf = k.serialize();
    const back = KeywordIndex.deserialize(buf, [[0, 'parseDuration'], [2, 'retryRequest'], [3, '']]);
    assert.deepEqual(back.search(queryTerms('parse duration'), 10), k.search(queryTerms('parse duration'), 10));
    assert.deepEqual(back.searchNames('retryReq', 5), [2]);
    assert.throws(() => Bm25Index.deserialize(buf.subarray(0, buf.length - 7)), CorruptIndexError);
    const bad = buf.slice(); bad[0] = 0x58;
    assert.throws(() => Bm25Index.deserialize(bad), CorruptIndexError);
  });
  it('returns nothing for an empty index or empty terms', () => {
    assert.deepEqual(new KeywordIndex().search(['x'], 5), []);
    assert.deepEqual(build().search([], 5), []);
  });
});

describe('index files read through a Node Buffer', () => {
  it('deserializes from a Buffer that shares a larger pool (as readFileSync returns)', () => {
    const k = new KeywordIndex();
    k.add(0, { name: 'retryWithBackoff', signature: '', text: 'retry with backoff' });
    k.add(1, { name: 'other', signature: '', text: 'other words' });
    const bytes = k.serialize();
    const pool = Buffer.alloc(bytes.length + 100);
    pool.set(bytes, 37);
    const view = pool.subarray(37, 37 + bytes.length);
    const back = KeywordIndex.deserialize(view, [[0, 'retryWithBackoff'], [1, 'other']]);
    assert.deepEqual(back.search(queryTerms('retry backoff'), 5).map((h) => h.key), [0]);
  });
});
