// Training pairs: streaming JSONL reader, the package-level train/test split,
// vocabulary building, and the compact pre-encoded corpus the trainer samples.
//
// A text is stored as its distinct subtoken ids with occurrence counts (CSR:
// offsets + ids + counts), and each distinct subtoken once as its table rows
// (vocabulary row + hashed n-gram rows, from the shipped Tokenizer). Keeping the
// token level (rather than only summed rows) is what lets the trainer apply
// token dropout, and lets a batch compute each subtoken's vector once however
// many texts in the batch share it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import * as zlib from 'node:zlib';
import { buildVocab, fnv1a32, Tokenizer, type TokenizerConfig } from '../../src/core/embed/tokenizer';
import { deriveSeed, mix32, Rng } from './random';
import { GrowableArray, int32List, uint16List } from '../growableArray';

/** One line of a pairs file. */
export interface Pair {
  q: string;
  code: string;
  lang: string;
  pkg: string;
  file: string;
  name: string;
}

export type SkipReason = 'bad-json' | 'no-query' | 'no-code' | 'duplicate' | 'no-tokens' | 'root-cap';

export interface SplitOptions {
  /** Fraction of packages held out for testing (default 0.1). */
  testFraction: number;
  /** Changes which packages are held out without changing the fraction. */
  salt: string;
}

export const DEFAULT_SPLIT: SplitOptions = { testFraction: 0.1, salt: '' };

/** True when a package belongs to the held-out test split: a pure function of its name. */
export function isTestPackage(pkg: string, split: SplitOptions = DEFAULT_SPLIT): boolean {
  const h = mix32(fnv1a32(`${split.salt}\u0000${pkg}`));
  return h % 1_000_000 < Math.round(split.testFraction * 1_000_000);
}

/**
 * Pairs files named by the arguments: files as given, folders searched for
 * *.jsonl / *.jsonl.gz; sorted. Hidden folders are skipped: the harvester keeps
 * its unfiltered per-package candidates in <out>/.candidates.
 */
export function listPairFiles(inputs: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) { if (!entry.name.startsWith('.')) walk(p); }
      else if (entry.isFile() && /\.jsonl(\.gz)?$/.test(entry.name)) out.push(p);
    }
  };
  for (const input of inputs) {
    let st: fs.Stats;
    try {
      st = fs.statSync(input);
    } catch {
      throw new Error(`pairs: ${input} does not exist`);
    }
    if (st.isDirectory()) walk(input);
    else out.push(input);
  }
  if (out.length === 0) throw new Error(`pairs: no *.jsonl files under ${inputs.join(', ')}`);
  return [...new Set(out.map((f) => path.resolve(f)))].sort();
}

/** listPairFiles without the inline-comment pairs (the harvester's inline-*.jsonl): doc pairs only. */
export function docPairFiles(inputs: string[]): string[] {
  return listPairFiles(inputs).filter((f) => !path.basename(f).startsWith('inline-'));
}

/** Parse one JSONL line into a Pair, or say why it is unusable. */
export function parsePairLine(line: string): Pair | SkipReason {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return 'bad-json';
  }
  if (typeof o !== 'object' || o === null) return 'bad-json';
  const r = o as Record<string, unknown>;
  if (typeof r.q !== 'string' || r.q.trim() === '') return 'no-query';
  if (typeof r.code !== 'string' || r.code.trim() === '') return 'no-code';
  const s = (v: unknown): string => (typeof v === 'string' ? v : '');
  return { q: r.q, code: r.code, lang: s(r.lang) || 'unknown', pkg: s(r.pkg), file: s(r.file), name: s(r.name) };
}

/** Stream every line of the files (gzip by extension), one at a time; never holds a whole file. */
export async function* readLines(files: string[]): AsyncGenerator<{ file: string; line: string }> {
  for (const file of files) {
    const raw = fs.createReadStream(file);
    const input = file.endsWith('.gz') ? raw.pipe(zlib.createGunzip()) : raw;
    const rl = readline.createInterface({ input, crlfDelay: Infinity });
    for await (const line of rl) if (line.trim() !== '') yield { file, line };
  }
}

/** Stream the usable pairs of the files; bad lines are counted in `skipped`, never thrown. */
export async function* readPairs(files: string[], skipped?: Map<SkipReason, number>): AsyncGenerator<Pair> {
  for await (const { line } of readLines(files)) {
    const p = parsePairLine(line);
    if (typeof p === 'string') {
      skipped?.set(p, (skipped.get(p) ?? 0) + 1);
      continue;
    }
    yield p;
  }
}

/** Texts as CSR over distinct token ids: text i owns ids[off[i]..off[i+1]) with counts. */
export interface TokenLists {
  off: Int32Array;
  ids: Int32Array;
  counts: Uint16Array;
}

export interface CorpusOptions {
  split: SplitOptions;
  /** Subtokens kept per code text (the shipped tokenizer's maxTokens). */
  maxCodeTokens: number;
  /** Subtokens kept per query at training time. */
  maxQueryTokens: number;
  ngramBuckets: number;
  ngramSizes: number[];
  minCount: number;
  vocabSize: number;
  /**
   * Keep at most this many pairs per source root (a package name before any ':'
   * group suffix, e.g. the whole Linux kernel), sampled by pair hash; 0 keeps all.
   * One huge source otherwise dominates its language.
   */
  maxPerRoot?: number;
  /** Use this tokenizer instead of building a vocabulary (eval, resume). */
  tokenizer?: TokenizerConfig;
  /** Called every `progressEvery` lines read. */
  onProgress?: (pairsRead: number) => void;
}

export const DEFAULT_CORPUS_OPTIONS: Omit<CorpusOptions, 'tokenizer' | 'onProgress'> = {
  split: DEFAULT_SPLIT,
  maxCodeTokens: 256,
  maxQueryTokens: 64,
  ngramBuckets: 32768,
  ngramSizes: [3, 4, 5],
  minCount: 3,
  vocabSize: 50_000,
  maxPerRoot: 0,
};

export interface CorpusStats {
  files: number;
  linesRead: number;
  skipped: Partial<Record<SkipReason, number>>;
  pairs: number;
  trainPairs: number;
  testPairs: number;
  packages: number;
  testPackages: number;
  distinctSubtokens: number;
  vocabSize: number;
  perLanguage: Record<string, { train: number; test: number }>;
}

/** The whole pre-encoded corpus: every usable pair of both splits. */
export interface Corpus {
  tokenizer: TokenizerConfig;
  /** Token id → subtoken. */
  tokens: string[];
  /** Token id → its table rows (duplicates kept: each row counts 1/n of the token). */
  tokenRowOff: Int32Array;
  tokenRows: Int32Array;
  queries: TokenLists;
  codes: TokenLists;
  /** 0 = train, 1 = test, per pair. */
  split: Uint8Array;
  pkg: Int32Array;
  lang: Uint8Array;
  /** File group per pair (package + file). */
  fileGroup: Int32Array;
  /** Hash of the code text: hard negatives must not be copies of the positive. */
  codeHash: Uint32Array;
  pkgNames: string[];
  langNames: string[];
  trainIds: Int32Array;
  testIds: Int32Array;
  stats: CorpusStats;
}

/** Distinct ids of a subtoken list with occurrence counts, first-appearance order. */
class TokenAggregator {
  private stamp = new Int32Array(1 << 16).fill(-1);
  private slot = new Int32Array(1 << 16);
  private serial = 0;

  add(ids: number[], lists: { ids: GrowableArray<Int32Array>; counts: GrowableArray<Uint16Array> }): number {
    const serial = this.serial++;
    const start = lists.ids.length;
    for (const id of ids) {
      if (id >= this.stamp.length) this.grow(id);
      if (this.stamp[id] === serial) {
        const at = this.slot[id];
        lists.counts.data[at] = Math.min(65535, lists.counts.data[at] + 1);
      } else {
        this.stamp[id] = serial;
        this.slot[id] = lists.ids.length;
        lists.ids.push(id);
        lists.counts.push(1);
      }
    }
    return lists.ids.length - start;
  }

  private grow(id: number): void {
    let n = this.stamp.length;
    while (n <= id) n *= 2;
    const s = new Int32Array(n).fill(-1);
    s.set(this.stamp);
    this.stamp = s;
    const t = new Int32Array(n);
    t.set(this.slot);
    this.slot = t;
  }
}

/** 53-bit key of a (query, code) pair for exact-duplicate removal, from the two texts' hashes. */
function pairKey(qHash: number, codeHash: number): number {
  return codeHash * 2097152 + (mix32(qHash ^ mix32(codeHash)) & 0x1fffff);
}

/**
 * Read, split and encode every pair of the files. The vocabulary is counted on
 * the train split only (so the test split stays unseen), unless a tokenizer is given.
 */
export async function loadCorpus(files: string[], opts: CorpusOptions): Promise<Corpus> {
  const keepFraction = opts.maxPerRoot ? await rootKeepFractions(files, opts.maxPerRoot) : null;
  const splitter = new Tokenizer({ vocab: [], ngramBuckets: 0, ngramSizes: [3], maxTokens: opts.maxCodeTokens });
  const tokenIds = new Map<string, number>();
  const tokens: string[] = [];
  const trainCounts = int32List();
  const idsOf = (subtokens: string[], train: boolean): number[] => {
    const out: number[] = new Array<number>(subtokens.length);
    for (let i = 0; i < subtokens.length; i++) {
      const s = subtokens[i];
      let id = tokenIds.get(s);
      if (id === undefined) {
        id = tokens.length;
        tokenIds.set(s, id);
        tokens.push(s);
        trainCounts.push(0);
      }
      if (train) trainCounts.data[id]++;
      out[i] = id;
    }
    return out;
  };

  const q = { off: int32List(), ids: int32List(), counts: uint16List() };
  const c = { off: int32List(), ids: int32List(), counts: uint16List() };
  q.off.push(0);
  c.off.push(0);
  const split = int32List();
  const pkg = int32List();
  const lang = int32List();
  const fileGroup = int32List();
  const codeHash = int32List();
  const pkgIds = new Map<string, number>();
  const langIds = new Map<string, number>();
  const fileIds = new Map<string, number>();
  const seen = new Set<number>();
  const skipped = new Map<SkipReason, number>();
  const agg = new TokenAggregator();
  const testPkgCache = new Map<string, boolean>();
  let linesRead = 0;

  for await (const { line } of readLines(files)) {
    linesRead++;
    if (opts.onProgress && linesRead % 20_000 === 0) opts.onProgress(linesRead);
    const p = parsePairLine(line);
    if (typeof p === 'string') {
      skipped.set(p, (skipped.get(p) ?? 0) + 1);
      continue;
    }
    const hash = fnv1a32(p.code);
    const key = pairKey(fnv1a32(p.q), hash);
    if (seen.has(key)) {
      skipped.set('duplicate', (skipped.get('duplicate') ?? 0) + 1);
      continue;
    }
    const qSub = splitter.subtokens(p.q).slice(0, opts.maxQueryTokens);
    const cSub = splitter.subtokens(p.code);
    if (qSub.length === 0 || cSub.length === 0) {
      skipped.set('no-tokens', (skipped.get('no-tokens') ?? 0) + 1);
      continue;
    }
    seen.add(key);
    if (keepFraction) {
      const f = keepFraction.get(sourceRoot(p.pkg));
      if (f !== undefined && (mix32(key % 4294967296) >>> 0) / 4294967296 >= f) {
        skipped.set('root-cap', (skipped.get('root-cap') ?? 0) + 1);
        continue;
      }
    }
    let isTest = testPkgCache.get(p.pkg);
    if (isTest === undefined) {
      isTest = isTestPackage(p.pkg, opts.split);
      testPkgCache.set(p.pkg, isTest);
    }
    agg.add(idsOf(qSub, !isTest), q);
    q.off.push(q.ids.length);
    agg.add(idsOf(cSub, !isTest), c);
    c.off.push(c.ids.length);
    split.push(isTest ? 1 : 0);
    pkg.push(intern(pkgIds, p.pkg));
    if (langIds.size >= 255 && !langIds.has(p.lang)) p.lang = 'other';
    lang.push(intern(langIds, p.lang));
    fileGroup.push(intern(fileIds, `${p.pkg}\u0000${p.file}`));
    codeHash.push(hash | 0);
  }
  seen.clear();

  let tokenizer = opts.tokenizer;
  if (!tokenizer) {
    const counts = new Map<string, number>();
    for (let id = 0; id < tokens.length; id++) if (trainCounts.data[id] >= opts.minCount) counts.set(tokens[id], trainCounts.data[id]);
    tokenizer = {
      vocab: buildVocab(counts, opts.minCount, opts.vocabSize),
      ngramBuckets: opts.ngramBuckets,
      ngramSizes: [...opts.ngramSizes],
      maxTokens: opts.maxCodeTokens,
      lowercase: true,
    };
  }
  const tok = new Tokenizer(tokenizer);
  const rowOff = new Int32Array(tokens.length + 1);
  const rows = int32List();
  for (let id = 0; id < tokens.length; id++) {
    for (const r of tok.tokenRows(tokens[id])) rows.push(r);
    rowOff[id + 1] = rows.length;
  }

  const splitArr = Uint8Array.from(split.toArray());
  const nPairs = splitArr.length;
  const trainIds = int32List();
  const testIds = int32List();
  for (let i = 0; i < nPairs; i++) (splitArr[i] ? testIds : trainIds).push(i);
  const langArr = Uint8Array.from(lang.toArray());
  const langNames = [...langIds.keys()];
  const perLanguage: Record<string, { train: number; test: number }> = {};
  for (const name of langNames) perLanguage[name] = { train: 0, test: 0 };
  for (let i = 0; i < nPairs; i++) perLanguage[langNames[langArr[i]]][splitArr[i] ? 'test' : 'train']++;
  const pkgNames = [...pkgIds.keys()];

  return {
    tokenizer,
    tokens,
    tokenRowOff: rowOff,
    tokenRows: rows.toArray(),
    queries: { off: q.off.toArray(), ids: q.ids.toArray(), counts: q.counts.toArray() },
    codes: { off: c.off.toArray(), ids: c.ids.toArray(), counts: c.counts.toArray() },
    split: splitArr,
    pkg: pkg.toArray(),
    lang: langArr,
    fileGroup: fileGroup.toArray(),
    codeHash: new Uint32Array(codeHash.toArray().buffer),
    pkgNames,
    langNames,
    trainIds: trainIds.toArray(),
    testIds: testIds.toArray(),
    stats: {
      files: files.length,
      linesRead,
      skipped: Object.fromEntries(skipped),
      pairs: nPairs,
      trainPairs: trainIds.length,
      testPairs: testIds.length,
      packages: pkgNames.length,
      testPackages: [...testPkgCache.values()].filter(Boolean).length,
      distinctSubtokens: tokens.length,
      vocabSize: tokenizer.vocab.length,
      perLanguage,
    },
  };
}

/** The source a pair comes from: its package name without a ':group' suffix. */
export function sourceRoot(pkg: string): string {
  const i = pkg.indexOf(':');
  return i < 0 ? pkg : pkg.slice(0, i);
}

const PKG_FIELD = /"pkg":"((?:[^"\\]|\\.)*)"/;

/** For each source root with more than `cap` pairs, the fraction of its pairs to keep. */
async function rootKeepFractions(files: string[], cap: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for await (const { line } of readLines(files)) {
    const m = PKG_FIELD.exec(line);
    const root = sourceRoot(m ? m[1] : '');
    counts.set(root, (counts.get(root) ?? 0) + 1);
  }
  const out = new Map<string, number>();
  for (const [root, n] of counts) if (n > cap) out.set(root, cap / n);
  return out;
}

function intern(map: Map<string, number>, key: string): number {
  let id = map.get(key);
  if (id === undefined) {
    id = map.size;
    map.set(key, id);
  }
  return id;
}

/**
 * Hard negatives: for a train pair, another train pair's code from the same file,
 * else from the same package, else any train pair. Groups are CSR over train ids.
 */
export class HardNegatives {
  private readonly fileOf: Int32Array;
  private readonly pkgOf: Int32Array;
  private readonly fileOff: Int32Array;
  private readonly fileMembers: Int32Array;
  private readonly pkgOff: Int32Array;
  private readonly pkgMembers: Int32Array;

  constructor(private readonly corpus: Corpus) {
    const n = corpus.split.length;
    const groups = (keyOf: Int32Array): { of: Int32Array; off: Int32Array; members: Int32Array } => {
      // Renumber keys densely over train pairs, then counting-sort the members.
      const dense = new Map<number, number>();
      const of = new Int32Array(n).fill(-1);
      for (const id of corpus.trainIds) {
        let g = dense.get(keyOf[id]);
        if (g === undefined) dense.set(keyOf[id], (g = dense.size));
        of[id] = g;
      }
      const off = new Int32Array(dense.size + 1);
      for (const id of corpus.trainIds) off[of[id] + 1]++;
      for (let g = 0; g < dense.size; g++) off[g + 1] += off[g];
      const fill = off.slice(0, dense.size);
      const members = new Int32Array(corpus.trainIds.length);
      for (const id of corpus.trainIds) members[fill[of[id]]++] = id;
      return { of, off, members };
    };
    const f = groups(corpus.fileGroup);
    const p = groups(corpus.pkg);
    this.fileOf = f.of;
    this.fileOff = f.off;
    this.fileMembers = f.members;
    this.pkgOf = p.of;
    this.pkgOff = p.off;
    this.pkgMembers = p.members;
  }

  /** A train pair whose code is a hard negative for `pair`'s query. */
  pick(pair: number, rng: Rng): number {
    const tryGroup = (g: number, off: Int32Array, members: Int32Array): number => {
      const start = off[g];
      const size = off[g + 1] - start;
      if (size < 2) return -1;
      // From a random member onwards, the first that is not the pair nor a copy of its code.
      const first = rng.int(size);
      for (let k = 0; k < size; k++) {
        const cand = members[start + ((first + k) % size)];
        if (cand !== pair && this.corpus.codeHash[cand] !== this.corpus.codeHash[pair]) return cand;
      }
      return -1;
    };
    if (this.fileOf[pair] >= 0) {
      const sameFile = tryGroup(this.fileOf[pair], this.fileOff, this.fileMembers);
      if (sameFile >= 0) return sameFile;
      const samePkg = tryGroup(this.pkgOf[pair], this.pkgOff, this.pkgMembers);
      if (samePkg >= 0) return samePkg;
    }
    const train = this.corpus.trainIds;
    for (let attempt = 0; attempt < 8; attempt++) {
      const cand = train[rng.int(train.length)];
      if (cand !== pair) return cand;
    }
    return train[0] === pair && train.length > 1 ? train[1] : train[0];
  }
}

/** A seeded sample of at most `n` ids (order randomised), for quick validation. */
export function sampleIds(ids: Int32Array, n: number, seed: number): Int32Array {
  const copy = ids.slice();
  new Rng(deriveSeed(seed, 0x5a17)).shuffle(copy);
  return copy.length > n ? copy.slice(0, n) : copy;
}
