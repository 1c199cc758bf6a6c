import * as assert from 'node:assert/strict';
import { SymbolIndex } from '../../src/core/keyword/symbolIndex';
import { NameSection } from '../../src/core/keyword/nameSection';
import { SegmentNames } from '../../src/core/keyword/segmentNames';
import { rankNames, symbolWords } from '../../src/core/keyword/nameRank';
import { BinaryReader, BinaryWriter } from '../../src/core/persist/binary';

/** A section through its bytes, as a segment file stores it. */
function stored(keys: number[], names: string[]): NameSection {
  const w = new BinaryWriter();
  NameSection.build(keys, names).write(w);
  return NameSection.read(new BinaryReader(w.finish(), 'test'));
}

/** Names split into sections at `cuts` (keys ascending), over live keys only. */
function segmented(names: string[], cuts: number[], live: (k: number) => boolean): SegmentNames {
  const bounds = [0, ...cuts, names.length];
  const sections = bounds.slice(1).map((end, i) => {
    const keys = Array.from({ length: end - bounds[i] }, (_, j) => bounds[i] + j);
    return stored(keys, keys.map((k) => names[k]));
  });
  return new SegmentNames(sections, live, (k) => symbolWords(names[k]).length);
}

/** The reference: a SymbolIndex holding the live names, added in key order. */
function reference(names: string[], live: (k: number) => boolean): SymbolIndex {
  const s = new SymbolIndex();
  names.forEach((n, k) => { if (live(k) && n) s.add(k, n); });
  return s;
}

describe('SegmentNames (the name index read from segments)', () => {
  const names = [
    'make_msgid', 'make_message', 'make', 'msgid_make', 'parse_duration', 'logic_cache',
    'get_content_charset', 'get_connection', 'getContentType', 'get', 'get_cache', 'gc_stats', 'get_acc',
    'parseDuration', 'parserDuration', 'durationParser', 'parse', '', 'Query.isStaleByTime', 'make_msgid',
  ];
  const queries = ['make_msg', 'make-msg', 'makeMsg', 'get_content_chars', 'gcc', 'getContChs', 'parse dur', 'pars', 'par duration',
    'par', 'isStale', 'isb', 'g', 'get', 'msgid', 'zzz', 'make msgid', 'duration parse', 'Query.isStaleByTime'];

  it('answers as SymbolIndex does, in one section or several, with and without removed keys', () => {
    for (const dead of [new Set<number>(), new Set([0, 6, 9, 16])]) {
      const live = (k: number) => !dead.has(k);
      const ref = reference(names, live);
      for (const cuts of [[], [5], [3, 9, 14]]) {
        const seg = segmented(names, cuts, live);
        for (const q of queries) for (const limit of [1, 3, 10, 40]) {
          assert.deepEqual(rankNames(seg, q, limit), ref.search(q, limit), `${q} limit ${limit} cuts ${cuts} dead ${[...dead]}`);
        }
      }
    }
  });

  it('answers as SymbolIndex does over many random names', () => {
    let seed = 5;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) >>> 16) % n;
    const vocab = ['get', 'set', 'content', 'charset', 'cache', 'count', 'client', 'config', 'sync', 'value', 'check', 'stream', 'g', 'ge', 'getter', 'c2', 'Ünï', 'x'];
    const style = [(w: string[]) => w.join('_'), (w: string[]) => w[0] + w.slice(1).map((x) => x[0].toUpperCase() + x.slice(1)).join(''), (w: string[]) => 'Mod.' + w.join('-')];
    const big: string[] = [];
    for (let k = 0; k < 2500; k++) big.push(style[rnd(3)](Array.from({ length: 1 + rnd(4) }, () => vocab[rnd(vocab.length)])));
    const dead = new Set<number>();
    for (let i = 0; i < 400; i++) dead.add(rnd(big.length));
    const live = (k: number) => !dead.has(k);
    const ref = reference(big, live);
    const seg = segmented(big, [100, 900, 901, 2000], live);
    const qs = ['g', 'ge', 'get', 'get c', 'getCon', 'gcc', 'scv', 'ccs', 'gsy', 'cache', 'config v', 'c', 'c2', 'ün', 'Ünï_get', 'stream check', 'vlcc', 'mod', 'x', 'xg'];
    for (const q of qs) for (const limit of [5, 20, 80]) assert.deepEqual(rankNames(seg, q, limit), ref.search(q, limit), `${q} ${limit}`);
  });

  it('picks the same 64 completions of a short prefix among many words of one length', () => {
    let seed = 9;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) >>> 16) % n;
    const word = () => 'g' + String.fromCharCode(97 + rnd(26), 97 + rnd(26));
    const many: string[] = [];
    for (let k = 0; k < 1500; k++) many.push(`${word()}_${word()}${rnd(3) === 0 ? 'Zed' : ''}`);
    const dead = new Set(Array.from({ length: 300 }, () => rnd(many.length)));
    const live = (k: number) => !dead.has(k);
    const ref = reference(many, live);
    const seg = segmented(many, [200, 700], live);
    assert.ok(new Set(many.flatMap(symbolWords).filter((w) => w.length === 3)).size > 200, 'more same-length completions than are taken');
    for (const q of ['g', 'ga', 'gq_g', 'gab z', 'zed', 'gaa_gb']) for (const limit of [10, 40]) {
      assert.deepEqual(rankNames(seg, q, limit), ref.search(q, limit), `${q} ${limit}`);
    }
  });
});
