import * as assert from 'node:assert/strict';
import { SymbolIndex, symbolWords } from '../../src/core/keyword/symbolIndex';
import { nameEvidence, type NameEvidence } from '../../src/core/search/nameMatch';
import { humpBound, humpQuery, humpScore, nameParts } from '../../src/core/text/symbolNames';

const ev = (query: string, name: string): NameEvidence => nameEvidence(query)(name);
const NONE: NameEvidence = { exact: 0, words: 0, prefix: 0, fuzzy: 0 };

describe('nameEvidence', () => {
  it('scores a snake_case name begun by the query as a prefix, by typed length', () => {
    assert.deepEqual(ev('make_msg', 'make_msgid'), { exact: 0, words: 0.5, prefix: 7 / 9, fuzzy: 0 });
    assert.equal(ev('get_cont', 'get_content_charset').prefix, 7 / 17);
    assert.equal(ev('get_content_chars', 'get_content_charset').prefix, 15 / 17);
    assert.equal(ev('get_con_char', 'get_content_charset').prefix, 10 / 17, 'each part begins the name part at its position');
    assert.equal(ev('get con char', 'get_content_charset').prefix, 10 / 17, 'the whole query, typed with spaces');
  });

  it('compares make_msg, make-msg and makeMsg alike, against any naming style', () => {
    for (const q of ['make_msg', 'make-msg', 'makeMsg', 'makemsg']) {
      for (const n of ['make_msgid', 'make-msgid', 'makeMsgid', 'mod::make_msgid']) assert.equal(ev(q, n).prefix, 7 / 9, `${q} → ${n}`);
    }
  });

  it('takes a sentence word beginning a name as no prefix evidence, a typed name as one', () => {
    assert.equal(ev('render a histogram of pixel colours', 'renderMaintenanceBanner').prefix, 0);
    assert.ok(ev('Query isStale', 'Query.isStaleByTime').prefix > 0);
    assert.ok(ev('render', 'renderMaintenanceBanner').prefix > 0);
  });

  it('keeps exact matches exact, not prefixes', () => {
    assert.deepEqual(ev('getContentCharset', 'get_content_charset'), { exact: 1, words: 1, prefix: 0, fuzzy: 0 });
    assert.deepEqual(ev('getContentType', 'get-content-type'), { exact: 1, words: 1, prefix: 0, fuzzy: 0 });
    assert.equal(ev('Query.isStaleByTime', 'Query.isStaleByTime').exact, 1);
    assert.equal(ev('Query isStaleByTime', 'Query.isStaleByTime').exact, 1);
    assert.deepEqual(ev('duration parse', 'parseDuration'), { exact: 0.5, words: 1, prefix: 0, fuzzy: 0 });
  });

  it('matches the last segment of a qualified name, not its qualifier', () => {
    assert.ok(ev('isStale', 'Query.isStaleByTime').prefix > 0);
    assert.ok(ev('isb', 'Query.isStaleByTime').fuzzy > 0);
    assert.deepEqual(ev('Query', 'Query.isStaleByTime'), NONE);
    assert.deepEqual(ev('qis', 'Query.isStaleByTime'), NONE);
  });

  it('matches initials and abbreviated parts by humps', () => {
    assert.deepEqual(ev('gcc', 'get_content_charset'), { exact: 0, words: 0, prefix: 0, fuzzy: 1 });
    assert.equal(ev('gct', 'get-content-type').fuzzy, 1);
    assert.equal(ev('gcc', 'getContentCharset').fuzzy, 1);
    const abbreviated = ev('getContChs', 'get_content_charset');
    assert.ok(abbreviated.fuzzy > 0.9 && abbreviated.fuzzy < 1, String(abbreviated.fuzzy));
    assert.equal(abbreviated.prefix, 0);
  });

  it('scores tighter hump matches higher', () => {
    const gcc = nameEvidence('gcc');
    const tight = gcc('get_content_charset').fuzzy;
    assert.ok(tight > gcc('get_connection').fuzzy, 'a character taken mid-part is looser than one starting a part');
    assert.ok(tight > gcc('get_content_charset_from_header').fuzzy, 'untouched parts loosen a match');
    assert.ok(gcc('get_connection').fuzzy > 0);
    const chs = nameEvidence('getContChs');
    assert.ok(chs('get_content_charset').fuzzy > chs('get_connection_channels').fuzzy);
    assert.ok(ev('get_content_chars', 'get_content_charset').prefix > ev('get_cont', 'get_content_charset').prefix);
  });

  it('finds nothing where nothing matches', () => {
    assert.deepEqual(ev('xyz', 'get_content_charset'), NONE);
    assert.equal(ev('gcc', 'parse_duration').fuzzy, 0, 'the first character must start the name');
    assert.equal(ev('gcc', 'logic_cache').fuzzy, 0);
    assert.equal(ev('gcc', 'get_acc').fuzzy, 0, 'a match may not jump into the middle of another part');
    assert.equal(ev('msgid', 'make_msgid').fuzzy, 0);
    assert.deepEqual(ev('g', 'get'), NONE, 'one letter says nothing');
    assert.deepEqual(ev('anything', ''), NONE);
  });

  it('hump-matches only a query that is one identifier', () => {
    assert.equal(ev('gcc', 'get_content_charset').fuzzy, 1);
    assert.equal(ev('gcc please', 'get_content_charset').fuzzy, 0);
    assert.equal(humpQuery('Foo.getContChs'), 'getcontchs');
    assert.equal(humpQuery('get content'), null);
    assert.equal(humpQuery('x'), null);
  });
});

describe('SymbolIndex name matching', () => {
  const names = [
    'make_msgid', 'make_message', 'make', 'msgid_make', 'parse_duration', 'logic_cache',
    'get_content_charset', 'get_connection', 'getContentType', 'get', 'get_cache', 'gc_stats', 'get_acc',
  ];
  const build = () => {
    const s = new SymbolIndex();
    names.forEach((n, k) => s.add(k, n));
    return s;
  };
  const found = (s: SymbolIndex, query: string, limit = 10) => s.search(query, limit).map((k) => names[k]);

  it('completes a snake_case name from its prefix, before names sharing only a word', () => {
    for (const q of ['make_msg', 'make-msg', 'makeMsg']) assert.equal(found(build(), q)[0], 'make_msgid', q);
    assert.equal(found(build(), 'get_content_chars')[0], 'get_content_charset');
  });

  it('finds a name by its initials, tightest match first', () => {
    const hits = found(build(), 'gcc');
    assert.equal(hits[0], 'get_content_charset');
    assert.ok(hits.indexOf('get_connection') > 0);
    for (const n of ['parse_duration', 'logic_cache', 'get_acc', 'make']) assert.ok(!hits.includes(n), n);
  });

  it('ranks a match of the whole identifier by humps above names sharing one part', () => {
    assert.equal(found(build(), 'getContChs')[0], 'get_content_charset');
    assert.ok(found(build(), 'getContChs').includes('get'), 'the partial matches still follow');
  });

  it('keeps hump matching right through adds after a search and through rebuild', () => {
    const s = build();
    s.search('gcc', 10);
    s.add(100, 'gc_c');
    assert.equal(s.search('gcc', 10)[0], 100, 'the shorter of two perfect matches first');
    s.rebuild([[7, 'gzip_compress_chunk']]);
    assert.deepEqual(s.search('gcc', 10), [7]);
  });

  it('returns the best hump matches of a large index, as a full scan ranks them', () => {
    // names that no query word begins, so every hit comes from the hump scan
    let seed = 11;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) >>> 16) % n; // high bits: the low ones cycle
    const vocab = ['get', 'set', 'content', 'charset', 'cache', 'count', 'client', 'config', 'sync', 'value', 'check', 'stream'];
    const style = [(w: string[]) => w.join('_'), (w: string[]) => w[0] + w.slice(1).map((x) => x[0].toUpperCase() + x.slice(1)).join('')];
    const big: string[] = [];
    for (let k = 0; k < 3000; k++) big.push(style[k % 2](Array.from({ length: 1 + rnd(4) }, () => vocab[rnd(vocab.length)])));
    const s = new SymbolIndex();
    big.forEach((n, k) => s.add(k, n));
    const words = new Set(big.flatMap(symbolWords));
    let boundReached = false;
    for (const q of ['gcc', 'scv', 'ccs', 'gsy', 'gconf', 'scvl', 'vlcc', 'cchk', 'stcs']) {
      assert.ok(![...words].some((w) => w.startsWith(q)), q);
      // expected: distinct names by score, then shorter, then first added; a name's keys latest first
      const spaced = big.map((n) => nameParts(n).join(' '));
      const firstId = new Map<string, number>();
      spaced.forEach((sp, k) => { if (!firstId.has(sp)) firstId.set(sp, k); });
      const ranked = [...firstId.keys()].map((sp) => ({ sp, score: humpScore(q, sp) })).filter((x) => x.score > 0)
        .sort((a, b) => b.score - a.score || a.sp.length - b.sp.length || firstId.get(a.sp)! - firstId.get(b.sp)!);
      const expected = ranked.flatMap(({ sp }) => spaced.flatMap((x, k) => (x === sp ? [k] : [])).reverse()).slice(0, 25);
      assert.ok(expected.length > 5, q);
      assert.deepEqual(s.search(q, 25), expected, q);
      // the scan skips names by this bound: it must hold
      for (const { sp, score } of ranked) {
        const bound = humpBound(q.length, sp.split(' ').length);
        assert.ok(score <= bound, `${q} ${sp}`);
        if (score === bound && score < 1) boundReached = true;
      }
    }
    assert.ok(boundReached, 'the bound is tight for some imperfect match');
  });
});
