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
    assert.deepEqual(k.searchNames('format da', 5), [1]);
  });
  it('completes only the word being typed; earlier words must match whole', () => {
    const k = new KeywordIndex();
    k.add(0, doc('parseDuration', 'x'));
    k.add(1, doc('parserDuration', 'x'));
    k.add(2, doc('durationParser', 'x'));
    k.add(3, doc('parse', 'x'));
    // "parse" is complete: parserDuration is no match for it, only for "dur"
    const hits = k.searchNames('parse dur', 5);
    assert.equal(hits[0], 0);
    assert.ok(hits.indexOf(0) < hits.indexOf(1));
    // the last word completes ("pars" → parse, parser); exact beats prefix, shorter names first
    assert.deepEqual(k.searchNames('pars', 5).slice(0, 1), [3]);
    assert.deepEqual(k.searchNames('par duration', 5), k.searchNames('duration', 5), 'a non-final word is never completed');
    assert.deepEqual(k.searchNames('par', 5).slice(0, 2), [3, 0], 'while it is the last word, it is');
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

describe('Bm25Index against a naive BM25', () => {
  // seeded random documents over a small vocabulary
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const vocab = Array.from({ length: 40 }, (_, i) => `w${i}`);
  const docs = new Map<number, Map<string, number>>();
  for (let k = 0; k < 300; k++) {
    const tf = new Map<string, number>();
    const n = 3 + Math.floor(rnd() * 12);
    for (let i = 0; i < n; i++) { const t = vocab[Math.floor(rnd() ** 2 * vocab.length)]; tf.set(t, (tf.get(t) ?? 0) + 1); }
    docs.set(k, tf);
  }
  function naive(live: Map<number, Map<string, number>>, terms: string[]): Array<[number, number]> {
    const N = live.size;
    let total = 0;
    for (const tf of live.values()) for (const v of tf.values()) total += v;
    const avg = total / N;
    const out: Array<[number, number]> = [];
    for (const [k, tf] of live) {
      let len = 0; for (const v of tf.values()) len += v;
      let s = 0;
      for (const t of terms) {
        const f = tf.get(t); if (!f) continue;
        let df = 0; for (const d of live.values()) if (d.has(t)) df++;
        s += Math.log(1 + (N - df + 0.5) / (df + 0.5)) * (f * 2.2) / (f + 1.2 * (0.25 + 0.75 * len / avg));
      }
      if (s > 0) out.push([k, s]);
    }
    return out.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  }
  it('scores like the textbook formula through adds, compaction, removals and a round trip', () => {
    const idx = new Bm25Index();
    for (const [k, tf] of docs) { idx.add(k, tf); if (k === 150) idx.compact(); }
    const terms = ['w1', 'w5', 'w30'];
    const check = (ix: Bm25Index, live: Map<number, Map<string, number>>) => {
      const got = ix.search(terms, 20);
      const want = naive(live, terms).slice(0, 20);
      assert.deepEqual(got.map((h) => h.key), want.map((w) => w[0]));
      got.forEach((h, i) => assert.ok(Math.abs(h.score - want[i][1]) < 1e-3));
    };
    check(idx, docs);
    const live = new Map(docs);
    for (let k = 0; k < 300; k += 3) { idx.remove(k); live.delete(k); }
    idx.compact();
    check(idx, live);
    check(Bm25Index.deserialize(idx.serialize()), live);
    for (const k of [0, 3, 299]) assert.equal(idx.contains('w1', k), false);
  });

  it('stays exact through random adds, removals, merges (in place and growing), term drops and reloads', () => {
    let idx = new Bm25Index();
    const live = new Map<number, Map<string, number>>();
    let key = 0;
    let tombstones = false;
    // exact scores once merged; with tombstones pending, document frequencies still count the removed
    const check = (ix: Bm25Index, merged: boolean) => {
      for (const terms of [['w1', 'w5', 'w30'], ['w0'], ['w39', 'w2'], ['rare0', 'rare1', 'rare2']]) {
        const got = ix.search(terms, 25);
        if (!merged) {
          for (const h of got) assert.ok(live.has(h.key) && terms.some((t) => live.get(h.key)!.has(t)), `hit ${h.key} for ${terms.join(' ')}`);
          continue;
        }
        const want = naive(live, terms).slice(0, 25);
        assert.deepEqual(got.map((h) => h.key), want.map((w) => w[0]), terms.join(' '));
        got.forEach((h, i) => assert.ok(Math.abs(h.score - want[i][1]) < 1e-3));
      }
      for (const [k, tf] of [...live].slice(0, 30)) for (const t of ['w1', 'w7', 'rare1']) assert.equal(ix.contains(t, k), tf.has(t), `${t} in ${k}`);
    };
    for (let round = 0; round < 40; round++) {
      const adds = Math.floor(rnd() * 60);
      for (let i = 0; i < adds; i++) {
        const tf = new Map<string, number>();
        const n = 1 + Math.floor(rnd() * 10);
        for (let j = 0; j < n; j++) { const t = vocab[Math.floor(rnd() ** 2 * vocab.length)]; tf.set(t, (tf.get(t) ?? 0) + 1 + Math.floor(rnd() * 3)); }
        // terms that come and go: dropped when their last document dies, re-added later
        if (rnd() < 0.1) tf.set(`rare${Math.floor(rnd() * 3)}`, 2);
        idx.add(key, tf);
        live.set(key, tf);
        key++;
      }
      const removals = Math.floor(rnd() * 25);
      const keys = [...live.keys()];
      for (let i = 0; i < removals && keys.length > 0; i++) {
        const k = keys.splice(Math.floor(rnd() * keys.length), 1)[0];
        assert.equal(idx.remove(k), true);
        live.delete(k);
        tombstones = true;
      }
      if (live.size === 0) continue;
      check(idx, !tombstones); // a delta and maybe tombstones pending
      if (rnd() < 0.5) { idx.compact(); tombstones = false; check(idx, true); }
      if (rnd() < 0.2) { idx = Bm25Index.deserialize(idx.serialize()); tombstones = false; check(idx, true); }
    }
  });
});
