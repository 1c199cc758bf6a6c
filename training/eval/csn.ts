// The CodeSearchNet ranking protocol on held-out pairs: each query's own code
// is ranked among 999 distractor codes of the same language (seeded sample),
// for the model, BM25, and their fusions; plus the cosine distribution of true
// pairs against the hardest distractor, which is what calibration must work with.
//
// Ties are broken at random in expectation: a true code tied with `e`
// distractors and beaten by `g` has rank 1+g+u, u uniform in 0..e, and every
// metric is the exact expectation over u (BM25 ties a lot at zero, and a fixed
// tie rule would flatter or punish it arbitrarily).
import type { CandidateBm25 } from './bm25';
import { deriveSeed, Rng } from '../train/random';

export interface Metrics {
  queries: number;
  mrr: number;
  mrr10: number;
  recall1: number;
  recall5: number;
  recall10: number;
}

/** Expected metrics of one query whose true item is beaten by `greater` and tied with `equal` candidates. */
export function queryMetrics(greater: number, equal: number): Omit<Metrics, 'queries'> {
  let rr = 0, rr10 = 0, r1 = 0, r5 = 0, r10 = 0;
  for (let u = 0; u <= equal; u++) {
    const rank = 1 + greater + u;
    rr += 1 / rank;
    if (rank <= 10) rr10 += 1 / rank;
    if (rank <= 1) r1++;
    if (rank <= 5) r5++;
    if (rank <= 10) r10++;
  }
  const n = equal + 1;
  return { mrr: rr / n, mrr10: rr10 / n, recall1: r1 / n, recall5: r5 / n, recall10: r10 / n };
}

/** How many candidates score above / equal to candidate 0 (the true one). */
export function rankCounts(scores: ArrayLike<number>, n: number): { greater: number; equal: number } {
  const t = scores[0];
  let greater = 0, equal = 0;
  for (let c = 1; c < n; c++) {
    if (scores[c] > t) greater++;
    else if (scores[c] === t) equal++;
  }
  return { greater, equal };
}

export class MetricsSum {
  private n = 0;
  private s = { mrr: 0, mrr10: 0, recall1: 0, recall5: 0, recall10: 0 };

  add(m: Omit<Metrics, 'queries'>): void {
    this.n++;
    this.s.mrr += m.mrr;
    this.s.mrr10 += m.mrr10;
    this.s.recall1 += m.recall1;
    this.s.recall5 += m.recall5;
    this.s.recall10 += m.recall10;
  }

  result(): Metrics {
    const d = Math.max(1, this.n);
    return {
      queries: this.n,
      mrr: this.s.mrr / d,
      mrr10: this.s.mrr10 / d,
      recall1: this.s.recall1 / d,
      recall5: this.s.recall5 / d,
      recall10: this.s.recall10 / d,
    };
  }
}

export interface Distribution {
  n: number;
  mean: number;
  p5: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
}

export function distribution(values: number[]): Distribution {
  const s = Float64Array.from(values).sort();
  const q = (p: number): number => (s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))]);
  const mean = s.length === 0 ? NaN : s.reduce((a, b) => a + b, 0) / s.length;
  return { n: s.length, mean, p5: q(0.05), p25: q(0.25), p50: q(0.5), p75: q(0.75), p95: q(0.95) };
}

export interface ScoreDistribution {
  /** Cosine of each query with its own code. */
  truePair: Distribution;
  /** Highest cosine among the query's distractors. */
  hardestNegative: Distribution;
  /** truePair − hardestNegative per query. */
  gap: Distribution;
  /** Fraction of queries whose true code beats every distractor. */
  trueAboveHardest: number;
}

export interface CsnInput {
  /** Language of each held-out pair; pair i's query and code are items i. */
  langs: string[];
  dim: number;
  /** n × dim, L2-normalised. */
  queryEmb: Float32Array;
  codeEmb: Float32Array;
  /** Items with equal keys are the same code: never distractors of each other. */
  codeKey?: Uint32Array;
  /** BM25 over the held-out codes (document i = code i) and each query's term ids. */
  bm25?: { index: CandidateBm25; queryTerms: number[][] };
  fusionWeights?: number[];
  rrfK?: number;
  /** Distractors per query (999). */
  distractors?: number;
  seed?: number;
  /** Evaluate at most this many queries per language (seeded choice); distractors still come from all. */
  maxQueriesPerLanguage?: number;
}

export interface CsnReport {
  protocol: { distractors: number; seed: number; tieRule: string; fusion: string; minCandidates: number; maxCandidates: number };
  methods: string[];
  languages: string[];
  perLanguage: Record<string, Record<string, Metrics>>;
  micro: Record<string, Metrics>;
  scores: { perLanguage: Record<string, ScoreDistribution>; all: ScoreDistribution };
}

export const DEFAULT_FUSION_WEIGHTS = [0.2, 0.3, 0.5, 0.7, 1.0];

/** Per-candidate z-scores (population std); all zero when the scores are constant. */
function zScores(s: Float64Array, n: number, out: Float64Array): void {
  let mean = 0;
  for (let c = 0; c < n; c++) mean += s[c];
  mean /= n;
  let v = 0;
  for (let c = 0; c < n; c++) v += (s[c] - mean) ** 2;
  const sd = Math.sqrt(v / n);
  for (let c = 0; c < n; c++) out[c] = sd > 0 ? (s[c] - mean) / sd : 0;
}

/** 1-based ranks by descending score, ties sharing their average rank (native sort, then binary search). */
function ranks(s: Float64Array, n: number, sorted: Float64Array, out: Float64Array): void {
  const a = sorted.subarray(0, n);
  a.set(s.subarray(0, n));
  a.sort();
  for (let c = 0; c < n; c++) {
    const x = s[c];
    let lo = 0, hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    const first = lo;
    hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    // lo = first index above x: n − lo scores are greater, lo − first are equal
    out[c] = n - lo + (lo - first + 1) / 2;
  }
}

/** Distractors for query i: a seeded sample of other same-language items with a different code. */
function sampleDistractors(i: number, pool: Int32Array, want: number, key: Uint32Array | undefined, seed: number,
  stamp: Int32Array, out: Int32Array): number {
  const rng = new Rng(deriveSeed(seed, 0xc5a, i));
  const eligible = (c: number): boolean => c !== i && (!key || key[c] !== key[i]);
  let n = 0;
  if (pool.length - 1 <= want * 2) {
    // Small pool: shuffle a copy and take the first eligible ones.
    const copy = rng.shuffle(pool.slice());
    for (const c of copy) {
      if (n >= want) break;
      if (eligible(c)) out[n++] = c;
    }
    return n;
  }
  let attempts = 0;
  while (n < want && attempts < want * 20) {
    attempts++;
    const c = pool[rng.int(pool.length)];
    if (stamp[c] === i || !eligible(c)) continue;
    stamp[c] = i;
    out[n++] = c;
  }
  return n;
}

function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let x = 0;
  for (; x + 4 <= n; x += 4) {
    s0 += a[ao + x] * b[bo + x];
    s1 += a[ao + x + 1] * b[bo + x + 1];
    s2 += a[ao + x + 2] * b[bo + x + 2];
    s3 += a[ao + x + 3] * b[bo + x + 3];
  }
  for (; x < n; x++) s0 += a[ao + x] * b[bo + x];
  return s0 + s1 + s2 + s3;
}

export function runCsn(input: CsnInput): CsnReport {
  const n = input.langs.length;
  const D = input.dim;
  if (input.queryEmb.length !== n * D || input.codeEmb.length !== n * D) {
    throw new Error(`csn: embeddings must be ${n}×${D}`);
  }
  const want = input.distractors ?? 999;
  const seed = input.seed ?? 1;
  const weights = input.fusionWeights ?? DEFAULT_FUSION_WEIGHTS;
  const rrfK = input.rrfK ?? 60;
  const methods = ['model'];
  if (input.bm25) {
    methods.push('bm25');
    for (const w of weights) methods.push(`z(model)+${w}·z(bm25)`);
    methods.push(`rrf(k=${rrfK})`);
  }

  const byLang = new Map<string, number[]>();
  input.langs.forEach((l, i) => {
    let a = byLang.get(l);
    if (!a) byLang.set(l, (a = []));
    a.push(i);
  });
  const languages = [...byLang.keys()].sort();
  const sums = new Map<string, Map<string, MetricsSum>>();
  const micro = new Map(methods.map((m) => [m, new MetricsSum()]));
  const dist = new Map<string, { t: number[]; h: number[] }>();

  const cand = new Int32Array(want + 1);
  const stamp = new Int32Array(n).fill(-1);
  const model = new Float64Array(want + 1);
  const bm = new Float64Array(want + 1);
  const zm = new Float64Array(want + 1);
  const zb = new Float64Array(want + 1);
  const fused = new Float64Array(want + 1);
  const rm = new Float64Array(want + 1);
  const rb = new Float64Array(want + 1);
  const sorted = new Float64Array(want + 1);
  let minCand = Infinity, maxCand = 0;

  for (const lang of languages) {
    const pool = Int32Array.from(byLang.get(lang) as number[]);
    let queries = pool;
    if (input.maxQueriesPerLanguage !== undefined && pool.length > input.maxQueriesPerLanguage) {
      queries = new Rng(deriveSeed(seed, 0x9e1, pool.length)).shuffle(pool.slice()).slice(0, input.maxQueriesPerLanguage);
    }
    const langSums = new Map(methods.map((m) => [m, new MetricsSum()]));
    sums.set(lang, langSums);
    const d = { t: [] as number[], h: [] as number[] };
    dist.set(lang, d);
    for (const i of queries) {
      cand[0] = i;
      const nd = sampleDistractors(i, pool, want, input.codeKey, seed, stamp, cand.subarray(1));
      if (nd === 0) continue;
      const nc = nd + 1;
      minCand = Math.min(minCand, nc);
      maxCand = Math.max(maxCand, nc);
      const qo = i * D;
      let hardest = -Infinity;
      for (let c = 0; c < nc; c++) {
        const co = cand[c] * D;
        model[c] = dot(input.queryEmb, qo, input.codeEmb, co, D);
        const s = model[c];
        if (c > 0 && s > hardest) hardest = s;
      }
      d.t.push(model[0]);
      d.h.push(hardest);
      const record = (method: string, scores: Float64Array): void => {
        const { greater, equal } = rankCounts(scores, nc);
        const m = queryMetrics(greater, equal);
        (langSums.get(method) as MetricsSum).add(m);
        (micro.get(method) as MetricsSum).add(m);
      };
      record('model', model);
      if (!input.bm25) continue;
      input.bm25.index.score(input.bm25.queryTerms[i], cand.subarray(0, nc), bm);
      record('bm25', bm);
      zScores(model, nc, zm);
      zScores(bm, nc, zb);
      for (const w of weights) {
        for (let c = 0; c < nc; c++) fused[c] = zm[c] + w * zb[c];
        record(`z(model)+${w}·z(bm25)`, fused);
      }
      ranks(model, nc, sorted, rm);
      ranks(bm, nc, sorted, rb);
      for (let c = 0; c < nc; c++) fused[c] = 1 / (rrfK + rm[c]) + 1 / (rrfK + rb[c]);
      record(`rrf(k=${rrfK})`, fused);
    }
  }

  const scoreDist = (t: number[], h: number[]): ScoreDistribution => ({
    truePair: distribution(t),
    hardestNegative: distribution(h),
    gap: distribution(t.map((x, k) => x - h[k])),
    trueAboveHardest: t.length === 0 ? NaN : t.filter((x, k) => x > h[k]).length / t.length,
  });
  const perLanguage: Record<string, Record<string, Metrics>> = {};
  const perLangDist: Record<string, ScoreDistribution> = {};
  const allT: number[] = [], allH: number[] = [];
  for (const lang of languages) {
    perLanguage[lang] = Object.fromEntries([...(sums.get(lang) as Map<string, MetricsSum>)].map(([m, s]) => [m, s.result()]));
    const d = dist.get(lang) as { t: number[]; h: number[] };
    perLangDist[lang] = scoreDist(d.t, d.h);
    allT.push(...d.t);
    allH.push(...d.h);
  }
  return {
    protocol: {
      distractors: want,
      seed,
      tieRule: 'expected value under random tie-breaking',
      fusion: 'per-query z-scores over the candidates; RRF with average ranks for ties',
      minCandidates: Number.isFinite(minCand) ? minCand : 0,
      maxCandidates: maxCand,
    },
    methods,
    languages,
    perLanguage,
    micro: Object.fromEntries([...micro].map(([m, s]) => [m, s.result()])),
    scores: { perLanguage: perLangDist, all: scoreDist(allT, allH) },
  };
}

const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '–');

/** The report as Markdown tables: MRR per language, all metrics micro-averaged, cosine distributions. */
export function csnMarkdown(r: CsnReport, title = 'CodeSearchNet-style evaluation (held-out packages)'): string {
  const lines: string[] = [`## ${title}`, ''];
  const counts = r.languages.map((l) => `${l} ${r.perLanguage[l].model?.queries ?? 0}`).join(', ');
  lines.push(`Queries: ${counts}; each ranked against up to ${r.protocol.distractors} same-language distractors `
    + `(${r.protocol.minCandidates}–${r.protocol.maxCandidates} candidates; seed ${r.protocol.seed}; ties: ${r.protocol.tieRule}).`, '');
  lines.push(`| MRR | ${r.languages.join(' | ')} | micro |`);
  lines.push(`|---|${r.languages.map(() => '---|').join('')}---|`);
  for (const m of r.methods) {
    lines.push(`| ${m} | ${r.languages.map((l) => f3(r.perLanguage[l][m]?.mrr ?? NaN)).join(' | ')} | **${f3(r.micro[m].mrr)}** |`);
  }
  lines.push('', '| micro-averaged | MRR | MRR@10 | R@1 | R@5 | R@10 |', '|---|---|---|---|---|---|');
  for (const m of r.methods) {
    const x = r.micro[m];
    lines.push(`| ${m} | ${f3(x.mrr)} | ${f3(x.mrr10)} | ${f3(x.recall1)} | ${f3(x.recall5)} | ${f3(x.recall10)} |`);
  }
  lines.push('', '| cosine (model) | mean | p5 | p25 | p50 | p75 | p95 |', '|---|---|---|---|---|---|---|');
  const row = (name: string, d: Distribution): string => `| ${name} | ${f3(d.mean)} | ${f3(d.p5)} | ${f3(d.p25)} | ${f3(d.p50)} | ${f3(d.p75)} | ${f3(d.p95)} |`;
  lines.push(row('true pair', r.scores.all.truePair), row('hardest distractor', r.scores.all.hardestNegative),
    row('gap (true − hardest)', r.scores.all.gap));
  for (const l of r.languages) {
    const d = r.scores.perLanguage[l];
    lines.push(row(`${l}: true`, d.truePair), row(`${l}: hardest`, d.hardestNegative));
  }
  lines.push('', `True pair above the hardest distractor: ${f3(r.scores.all.trueAboveHardest)} of queries.`, '');
  return lines.join('\n');
}
