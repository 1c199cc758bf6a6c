// Micro benchmark of name matching (by hand, not a test):
//
//   npx tsx bench/nameMatch.bench.ts                  105,000 synthetic names
//   npx tsx bench/nameMatch.bench.ts 500000 names.txt 500,000 names spread over a file of real ones, one a line
//
// Reports the SymbolIndex build, the hump scan alone (its private humpMatches:
// the cost the fuzzy candidates add) and the whole name search, and
// nameEvidence over 300 names (what the ranker pays per query). Each query's
// time is its median single call over rounds that run the queries in turn, so
// caches are as cold as between real searches; then p50 and max over queries.

import { readFileSync } from 'node:fs';
import { SymbolIndex } from '../src/core/keyword/symbolIndex';
import { nameEvidence } from '../src/core/search/nameMatch';
import { humpQuery } from '../src/core/text/symbolNames';
import { mulberry32 } from '../training/train/random';

const QUERIES = ['gcc', 'getContChs', 'make_msg', 'gc', 'se', 'pr', 'hrq', 'createUsrSess', 'validateTok', 'fileReadr', 'pcs', 'toStr', 'isArr', 'parseDur', 'rdFl', 'hasOwnProp'];
const LIMIT = 40; // what KeywordIndex.searchNames asks for 20 candidates
const ROUNDS = 50;
const WARMUP_ROUNDS = 10;

function syntheticNames(count: number): string[] {
  const rand = mulberry32(42);
  const pick = <T>(a: T[]): T => a[Math.floor(rand() * a.length)];
  const common = 'get set is has make parse format read write load save init create update delete handle process build render find check validate convert to from add remove open close start stop send content charset type name value key index list map item node user request response error message file path data config option state event cache buffer stream token query result context session connection header body id count size time string array handler manager service client server factory'.split(' ');
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'po', 've', 'da', 'xo', 'bi', 'fu', 'ga', 'he', 'ju'];
  const rare = Array.from({ length: 4000 }, () => Array.from({ length: 2 + Math.floor(rand() * 3) }, () => pick(syllables)).join(''));
  const cap = (w: string) => w[0].toUpperCase() + w.slice(1);
  return Array.from({ length: count }, () => {
    const words = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => (rand() < 0.6 ? pick(common) : pick(rare)));
    const style = rand();
    const name = style < 0.4 ? words.join('_') : style < 0.8 ? words[0] + words.slice(1).map(cap).join('') : style < 0.9 ? words.map(cap).join('') : words.join('-');
    return rand() < 0.2 ? `${cap(pick(common))}.${name}` : name;
  });
}

/** Median ms of one call of f(query), per query. */
function timePerQuery(f: (q: string) => unknown): number[] {
  const times: number[][] = QUERIES.map(() => []);
  for (let r = 0; r < WARMUP_ROUNDS + ROUNDS; r++) {
    QUERIES.forEach((q, i) => {
      const t = performance.now();
      f(q);
      if (r >= WARMUP_ROUNDS) times[i].push(performance.now() - t);
    });
  }
  return times.map((ts) => ts.sort((a, b) => a - b)[Math.floor(ts.length / 2)]);
}

const summary = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return `p50 ${sorted[Math.floor(sorted.length / 2)].toFixed(3)} ms, max ${sorted[sorted.length - 1].toFixed(3)} ms`;
};

const count = Number(process.argv[2] ?? 105_000);
const file = process.argv[3];
const real = file ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : null;
const names = real ? Array.from({ length: count }, (_, i) => real[Math.floor((i * real.length) / count)]) : syntheticNames(count);

let t = performance.now();
const index = new SymbolIndex();
index.rebuild(names.map((n, k): [number, string] => [k, n]));
console.log(`${count} names${file ? ` from ${file}` : ' (synthetic)'}: build ${(performance.now() - t).toFixed(0)} ms`);

// humpMatches is private: the scan alone is what this benchmark is for
const scan = (index as unknown as { humpMatches(q: string, limit: number): number[] }).humpMatches.bind(index);
console.log(`hump scan:   ${summary(timePerQuery((q) => scan(humpQuery(q)!, LIMIT)))}`);
console.log(`name search: ${summary(timePerQuery((q) => index.search(q, LIMIT)))}`);

const sample = names.slice(0, 300);
const evidence = timePerQuery((q) => sample.forEach(nameEvidence(q)));
console.log(`nameEvidence, 300 names: ${summary(evidence)}`);
