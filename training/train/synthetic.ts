// Synthetic pairs for tests and speed runs before real harvested pairs exist.
// Each pair has a topic; a topic's query words differ from its code words
// ("remove" in the query, `unlink` in the code), so only a model that learns
// the translation can rank a query's code first. Filler words are drawn from
// a Zipf distribution over an invented lexicon, identifiers are camelCase or
// snake_case compounds, and pairs come grouped in packages and files so hard
// negatives and the package split behave as on real data.
import type { Pair } from './data';
import { deriveSeed, Rng } from './random';

export interface SyntheticOptions {
  pairs: number;
  seed: number;
  /** Topics: distinct query→code meanings. */
  topics: number;
  /** Invented filler words. */
  lexicon: number;
  packages: number;
  filesPerPackage: number;
  /** Approximate subtokens per code text and per query. */
  codeLength: number;
  queryLength: number;
  languages: string[];
}

export const DEFAULT_SYNTHETIC: SyntheticOptions = {
  pairs: 1000,
  seed: 1,
  topics: 200,
  lexicon: 20_000,
  packages: 50,
  filesPerPackage: 8,
  codeLength: 120,
  queryLength: 9,
  languages: ['python', 'go', 'java', 'javascript', 'rust'],
};

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

function inventWord(rng: Rng, minLen: number, maxLen: number): string {
  const len = minLen + rng.int(maxLen - minLen + 1);
  let w = '';
  for (let i = 0; i < len; i++) w += LETTERS[rng.int(26)];
  return w;
}

/** Zipf(1) sampler over n ranks by inverse CDF on precomputed cumulative weights. */
class Zipf {
  private readonly cdf: Float64Array;
  constructor(n: number) {
    this.cdf = new Float64Array(n);
    let s = 0;
    for (let i = 0; i < n; i++) this.cdf[i] = s += 1 / (i + 1);
    for (let i = 0; i < n; i++) this.cdf[i] /= s;
  }
  sample(rng: Rng): number {
    const u = rng.next();
    let lo = 0, hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function identifier(rng: Rng, parts: string[]): string {
  if (parts.length === 1) return parts[0];
  return rng.next() < 0.5
    ? parts[0] + parts.slice(1).map((p) => p[0].toUpperCase() + p.slice(1)).join('')
    : parts.join('_');
}

/** Deterministic synthetic pairs. */
export function* syntheticPairs(options: Partial<SyntheticOptions> = {}): Generator<Pair> {
  const o = { ...DEFAULT_SYNTHETIC, ...options };
  const lexRng = new Rng(deriveSeed(o.seed, 11));
  const lexicon = Array.from({ length: o.lexicon }, () => inventWord(lexRng, 3, 9));
  const topics = Array.from({ length: o.topics }, () => ({
    query: [inventWord(lexRng, 4, 8), inventWord(lexRng, 4, 8)],
    code: [inventWord(lexRng, 4, 8), inventWord(lexRng, 4, 8), inventWord(lexRng, 4, 8)],
  }));
  const zipf = new Zipf(o.lexicon);
  const rng = new Rng(deriveSeed(o.seed, 12));
  const filler = (): string => lexicon[zipf.sample(rng)];
  for (let i = 0; i < o.pairs; i++) {
    const pkgIndex = rng.int(o.packages);
    const topic = topics[rng.int(o.topics)];
    const qWords: string[] = [];
    const qLen = Math.max(2, o.queryLength - 2 + rng.int(5));
    for (let k = 0; k < qLen; k++) qWords.push(filler());
    // the topic's query words at random places
    for (const w of topic.query) qWords.splice(rng.int(qWords.length + 1), 0, w);
    const name = identifier(rng, [topic.code[rng.int(3)], filler()]);
    const body: string[] = [];
    let n = 0;
    const target = Math.max(4, Math.round(o.codeLength * (0.5 + rng.next())));
    while (n < target) {
      const parts = rng.next() < 0.15 ? [topic.code[rng.int(3)], filler()] : [filler(), ...(rng.next() < 0.4 ? [filler()] : [])];
      body.push(identifier(rng, parts));
      n += parts.length;
      if (rng.next() < 0.2) body.push(String(rng.int(100)));
    }
    const lang = o.languages[pkgIndex % o.languages.length];
    const code = `def ${name}(${body.slice(0, 2).join(', ')}):\n    ${body.slice(2).join(' = ').replace(/ = /g, (m, k: number) => (k % 7 === 0 ? '\n    ' : m))}\n`;
    yield {
      q: qWords.join(' '),
      code,
      lang,
      pkg: `synthetic-pkg-${pkgIndex}`,
      file: `src/module_${rng.int(o.filesPerPackage)}.py`,
      name,
    };
  }
}
