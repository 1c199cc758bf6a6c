// The ranker's training set: queries run through the engine's real candidate
// lists on held-out training packages (never ../shared/bench). For each package:
//   1. stage its files under their repository paths and index them with the Engine
//      (the real chunker, keyword index, model and candidate retrieval);
//   2. doc queries: a unit's doc sentence (from the harvested pairs), and inline
//      queries: a comment inside a unit, its lines blanked in the staged source
//      before the final index, so the answer does not contain the query's own words;
//   3. identifier queries like people type them: a name, its prefix, its words
//      spelled out, Class + method, a name with two words of its body, an
//      abbreviation (initials or part heads); and queries asking for a unit's
//      tests ("test for parse duration" → test_parse_duration);
//   4. no-answer queries: other packages' doc sentences whose unit has no
//      counterpart here (no chunk of the same name, code-to-code cosine and
//      keyword coverage below set levels);
// each searched in hybrid and keyword-only mode. Every candidate gets a graded
// label: 2 the asked unit (any of its parts) or an exact copy of it, 1 a chunk
// overlapping it that is not a file summary (its class, a nested member), else 0.
// The asked unit's equivalents count as it: exact copies of its code, and for a
// doc query the units of the package documented with the same sentence.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadEmbedder } from '../../src/core/embed/embedder';
import { Engine } from '../../src/core/engine';
import type { StoredChunk } from '../../src/core/persist/indexStore';
import { FEATURE_COUNT, FEATURES } from '../../src/core/rank/features';
import { featurizeQuery, type SearchContext } from '../../src/core/search/search';
import { pathSignals } from '../../src/core/rank/pathSignals';
import { shortName } from '../../src/core/search/nameMatch';
import { rawWords } from '../../src/core/text/identifiers';
import { blankDocLines, lowerWords } from '../../src/core/harvest/docPairs';
import { nameParts } from '../../src/core/text/symbolNames';
import { debRepoPath, listUnits } from '../harvest/packages';
import { docPairFiles, isTestPackage, listPairFiles, readPairs, type Pair } from '../train/data';
import { mulberry32 } from '../train/random';
import { walkTree } from '../walkTree';

export interface QueryRecord {
  pkg: string;
  kind: 'doc' | 'inline' | 'name' | 'prefix' | 'words' | 'qualified' | 'name+body' | 'abbrev' | 'tests' | 'none';
  mode: 'hybrid' | 'keyword';
  query: string;
  /** First feature row of this query in features.f32, and the row count. */
  row: number;
  n: number;
  labels: number[];
  /** Per candidate: file index into files, start line, end line, kind ('file' chunks never count as hits by overlap). */
  spans: [number, number, number, string][];
  files: string[];
}

export interface BuildOptions {
  sources: string;
  pairs: string[];
  model: string;
  out: string;
  packages: number;
  seed: number;
  docQueries: number;
  /** Queries from comments inside a unit (what a block does, often why it fails). */
  inlineQueries: number;
  nameQueries: number;
  noAnswerQueries: number;
  maxFiles: number;
  stage: string;
  /** This process builds packages i, i + n, … of the shuffled list ("i/n"). */
  shard: { index: number; count: number };
  /** Packages already built elsewhere (another dataset folder): left out. */
  skip: Set<string>;
}

const MAX_FILE_BYTES = 1_000_000;
const DEFINITION = new Set(['function', 'method', 'class', 'struct', 'interface', 'enum', 'trait', 'type', 'constant']);
/** A foreign unit counts as absent when no chunk here is this close to its code. */
const ABSENT_MAX_CODE_COSINE = 0.8;
const ABSENT_MAX_COVERAGE = 0.75;
const COS = FEATURES.indexOf('cos');
const COVERAGE = FEATURES.indexOf('coverage');

function log(m: string): void { process.stderr.write(`[rank-data] ${m}\n`); }

/** Copy a package's files under their repository paths; returns how many. */
function stagePackage(dir: string, ecosystem: 'deb' | 'npm', skipDirs: string[], dest: string, maxFiles: number): number {
  let n = 0;
  const skip = new Set(skipDirs);
  walkTree(dir, (abs, e) => {
    if (n > maxFiles) return false;
    if (e.isDirectory()) return !skip.has(abs) && e.name !== 'node_modules' && !e.name.startsWith('.');
    if (!e.isFile()) return false;
    const rel = path.relative(dir, abs).split(path.sep).join('/');
    const repo = ecosystem === 'deb' ? debRepoPath(rel) : rel;
    if (repo.startsWith('share/doc/') || repo.startsWith('doc/') && /changelog|copyright/i.test(repo)) return false;
    let size = 0;
    try { size = fs.statSync(abs).size; } catch { return false; }
    if (size > MAX_FILE_BYTES) return false;
    const to = path.join(dest, repo);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(abs, to);
    n++;
    return false;
  }, { sorted: true });
  return n;
}

/** A doc sentence's words, for finding units documented alike. */
function sentenceKey(q: string): string {
  return lowerWords(q).join(' ');
}

function normalizedCode(text: string): string {
  return crypto.createHash('sha1').update(text.split('\n').slice(1).join('\n').replace(/\s+/g, ' ').trim()).digest('hex');
}

interface Target { keys: Set<number>; unit: StoredChunk }

/** Graded labels for a candidate list: see the file header. */
function labelsFor(chunks: StoredChunk[], target: Set<number> | null): number[] {
  if (!target) return chunks.map(() => 0);
  const targets = chunks.filter((c) => target.has(c.key));
  return chunks.map((c) => {
    if (target.has(c.key)) return 2;
    if (c.kind === 'file') return 0;
    return targets.some((t) => t.root === c.root && t.file === c.file && t.startLine <= c.endLine && c.startLine <= t.endLine) ? 1 : 0;
  });
}

/** Abbreviations people type for a name: initials (gcc) or part heads (getContChs). */
function abbreviation(parts: string[], random: () => number): string | null {
  if (parts.length < 2) return null;
  if (parts.length >= 3 && random() < 0.5) return parts.map((p) => p[0]).join('');
  return parts.map((p, i) => {
    const head = p.slice(0, Math.max(2, Math.min(p.length, 3 + Math.floor(random() * 2))));
    return i === 0 ? head : head[0].toUpperCase() + head.slice(1);
  }).join('');
}

interface Sampled { kind: QueryRecord['kind']; query: string; target: Set<number> | null }

function nameQueries(ctx: SearchContext, random: () => number, count: number): Sampled[] {
  const all = [...ctx.chunks.values()];
  const byShort = new Map<string, number[]>();
  for (const c of all) {
    if (!c.name) continue;
    const s = shortName(c.name).toLowerCase();
    byShort.set(s, [...(byShort.get(s) ?? []), c.key]);
  }
  const units = all.filter((c) => DEFINITION.has(c.kind) && c.name && shortName(c.name).length >= 4 && (c.part?.index ?? 1) === 1);
  const out: Sampled[] = [];
  // units with tests named after them: "test for <name>" asks for those
  const tests = all.filter((c) => c.name && pathSignals(c.file, c.name).test && c.kind !== 'file');
  for (const u of units) {
    if (out.length >= 2) break;
    const joined = nameParts(u.name).join('');
    if (joined.length < 6 || pathSignals(u.file, u.name).test) continue;
    const testsOf = tests.filter((t) => nameParts(t.name).join('').includes(joined));
    if (!testsOf.length || random() < 0.5) continue;
    const phrase = ['test for', 'tests of', 'unit test', 'spec for'][Math.floor(random() * 4)];
    out.push({ kind: 'tests', query: `${phrase} ${nameParts(u.name).join(' ')}`, target: new Set(testsOf.map((t) => t.key)) });
  }
  const kinds: QueryRecord['kind'][] = ['name', 'prefix', 'words', 'qualified', 'name+body', 'abbrev'];
  for (let tries = 0; out.length < count && tries < count * 10 && units.length; tries++) {
    const u = units[Math.floor(random() * units.length)];
    const short = shortName(u.name);
    const parts = nameParts(u.name);
    const sameName = new Set(byShort.get(short.toLowerCase()) ?? [u.key]);
    // a split unit's parts share its name: all of them are the unit
    const kind = kinds[out.length % kinds.length];
    let query: string | null = null;
    let target = sameName;
    if (kind === 'name') query = short;
    else if (kind === 'prefix') {
      if (short.length < 7) continue;
      query = short.slice(0, Math.max(4, Math.round(short.length * (0.5 + random() * 0.3))));
      const lower = query.toLowerCase();
      const completing = all.filter((c) => c.name && shortName(c.name).toLowerCase().startsWith(lower)).map((c) => c.key);
      if (completing.length > 6) continue;
      target = new Set(completing);
    } else if (kind === 'words') {
      if (parts.length < 2) continue;
      query = parts.join(' ');
    } else if (kind === 'qualified') {
      if (!u.name.includes('.') && !u.name.includes('::')) continue;
      query = u.name.replace(/::|\./g, random() < 0.5 ? ' ' : '.');
      target = new Set(all.filter((c) => c.name === u.name).map((c) => c.key));
    } else if (kind === 'name+body') {
      const body = [...new Set(rawWords(ctx.readText(u) ?? '').filter((w) => w.length >= 5 && w !== short))];
      if (body.length < 4) continue;
      const pick = () => body[Math.floor(random() * body.length)];
      query = [short, pick(), pick()].filter((w, i, a) => a.indexOf(w) === i).join(' ');
      target = new Set([u.key, ...all.filter((c) => c.file === u.file && c.name === u.name).map((c) => c.key)]);
    } else {
      query = abbreviation(parts, random);
      if (!query || query.length < 2) continue;
    }
    out.push({ kind, query, target });
  }
  return out;
}

export async function buildDataset(o: BuildOptions): Promise<void> {
  const random = mulberry32(o.seed);
  const embedder = await loadEmbedder(path.resolve(o.model));
  const units = new Map(listUnits(o.sources).units.filter((u) => !u.parent).map((u) => [u.name, u]));
  const byPkg = new Map<string, Pair[]>();
  const inlineByPkg = new Map<string, Pair[]>();
  const docFiles = new Set(docPairFiles(o.pairs));
  for (const file of listPairFiles(o.pairs)) {
    const into = docFiles.has(file) ? byPkg : inlineByPkg;
    for await (const p of readPairs([file])) {
      if (!isTestPackage(p.pkg) || !units.has(p.pkg)) continue;
      const list = into.get(p.pkg) ?? [];
      if (list.length < 400) list.push(p);
      into.set(p.pkg, list);
    }
  }
  const pkgs = [...byPkg.keys()].filter((k) => byPkg.get(k)!.length >= 20).sort();
  for (let i = pkgs.length - 1; i > 0; i--) { const j = Math.floor(random() * (i + 1)); [pkgs[i], pkgs[j]] = [pkgs[j], pkgs[i]]; }
  log(`${pkgs.length} held-out packages with ≥ 20 doc pairs; using up to ${o.packages}`);
  fs.mkdirSync(o.out, { recursive: true });
  const featOut = fs.openSync(path.join(o.out, 'features.f32'), 'w');
  const meta = fs.createWriteStream(path.join(o.out, 'queries.jsonl'));
  let row = 0;
  let done = 0;
  const pairsOfOthers = pkgs.flatMap((p) => byPkg.get(p)!.slice(0, 40));

  for (const [pi, pkg] of pkgs.entries()) {
    if (done >= o.packages) break;
    if (pi % o.shard.count !== o.shard.index || o.skip.has(pkg)) continue;
    const unit = units.get(pkg)!;
    const stage = path.join(o.stage, pkg.replace(/[^\w.-]+/g, '_'));
    fs.rmSync(stage, { recursive: true, force: true });
    const nFiles = stagePackage(unit.dir, unit.ecosystem as 'deb' | 'npm', unit.skipDirs, stage, o.maxFiles);
    if (nFiles === 0 || nFiles > o.maxFiles) { fs.rmSync(stage, { recursive: true, force: true }); continue; }
    const indexDir = stage + '.index';
    fs.rmSync(indexDir, { recursive: true, force: true });
    const engine = await Engine.open({ roots: [stage], indexDir, embedder, chunkThreads: 0 });
    await engine.index();
    let ctx = engine.searchContext();
    const chunkList = [...ctx.chunks.values()];

    // doc queries whose unit is in the index; blank their doc lines, then re-index
    const pairs = byPkg.get(pkg)!.filter((p) => chunkList.some((c) => c.file === p.file && c.name === p.name));
    for (let i = pairs.length - 1; i > 0; i--) { const j = Math.floor(random() * (i + 1)); [pairs[i], pairs[j]] = [pairs[j], pairs[i]]; }
    const inline = (inlineByPkg.get(pkg) ?? []).filter((p) => chunkList.some((c) => c.file === p.file && c.name === p.name));
    for (let i = inline.length - 1; i > 0; i--) { const j = Math.floor(random() * (i + 1)); [inline[i], inline[j]] = [inline[j], inline[i]]; }
    const chosen = [...pairs.slice(0, o.docQueries).map((p) => ({ p, kind: 'doc' as const })), ...inline.slice(0, o.inlineQueries).map((p) => ({ p, kind: 'inline' as const }))];
    if (chosen.length < 5) { await engine.close(); fs.rmSync(stage, { recursive: true, force: true }); fs.rmSync(indexDir, { recursive: true, force: true }); continue; }
    const edits = new Map<string, string[]>();
    // units documented with the same sentence are equivalent answers (a method each panel overrides)
    const sameDoc = new Map<string, Pair[]>();
    for (const p of byPkg.get(pkg)!) { const k = sentenceKey(p.q); sameDoc.set(k, [...(sameDoc.get(k) ?? []), p]); }
    const unitsOf = (p: Pair, kind: 'doc' | 'inline') => (kind === 'doc' ? sameDoc.get(sentenceKey(p.q)) ?? [p] : [p]);
    for (const { p, kind } of chosen) {
      for (const u of unitsOf(p, kind)) {
        const unitChunks = chunkList.filter((c) => c.file === u.file && c.name === u.name);
        if (!unitChunks.length) continue;
        const start = Math.min(...unitChunks.map((c) => c.startLine));
        const end = Math.max(...unitChunks.map((c) => c.endLine));
        const lines = edits.get(u.file) ?? fs.readFileSync(path.join(stage, u.file), 'utf8').split('\n');
        blankDocLines(lines, start, end, p.q);
        edits.set(u.file, lines);
      }
    }
    for (const [file, lines] of edits) fs.writeFileSync(path.join(stage, file), lines.join('\n'));
    await engine.index();
    ctx = engine.searchContext();
    const chunksNow = [...ctx.chunks.values()];
    const byHash = new Map<string, number[]>();
    for (const c of chunksNow) {
      if (c.kind === 'file') continue;
      const h = normalizedCode(ctx.readText(c) ?? '');
      byHash.set(h, [...(byHash.get(h) ?? []), c.key]);
    }
    const sampled: Sampled[] = [];
    for (const { p, kind } of chosen) {
      const documented = unitsOf(p, kind);
      const keys = chunksNow.filter((c) => documented.some((u) => c.file === u.file && c.name === u.name));
      if (!keys.length) continue;
      const target = new Set(keys.map((c) => c.key));
      for (const c of keys) for (const k of byHash.get(normalizedCode(ctx.readText(c) ?? '')) ?? []) target.add(k);
      sampled.push({ kind, query: p.q, target });
    }
    sampled.push(...nameQueries(ctx, random, o.nameQueries));
    // no-answer: foreign doc sentences whose unit has no counterpart here
    const names = new Set(chunksNow.map((c) => shortName(c.name).toLowerCase()));
    let none = 0;
    for (let tries = 0; none < o.noAnswerQueries && tries < o.noAnswerQueries * 8; tries++) {
      const f = pairsOfOthers[Math.floor(random() * pairsOfOthers.length)];
      if (f.pkg === pkg || names.has(shortName(f.name).toLowerCase())) continue;
      const code = await featurizeQuery(ctx, f.code.slice(0, 4000));
      const maxCos = Math.max(0, ...code.chunks.map((_, i) => code.features[i * FEATURE_COUNT + COS]));
      if (maxCos >= ABSENT_MAX_CODE_COSINE) continue;
      const q = await featurizeQuery(ctx, f.q);
      const maxCov = Math.max(0, ...q.chunks.map((_, i) => q.features[i * FEATURE_COUNT + COVERAGE]));
      if (maxCov >= ABSENT_MAX_COVERAGE) continue;
      sampled.push({ kind: 'none', query: f.q, target: null });
      none++;
    }

    for (const mode of ['hybrid', 'keyword'] as const) {
      const mctx = mode === 'hybrid' ? ctx : engine.searchContext({ keywordOnly: true });
      for (const s of sampled) {
        const { features, chunks } = await featurizeQuery(mctx, s.query);
        if (chunks.length === 0) continue;
        const files: string[] = [];
        const fileIdx = new Map<string, number>();
        const spans = chunks.map((c): [number, number, number, string] => {
          let fi = fileIdx.get(c.file);
          if (fi === undefined) { fi = files.length; files.push(c.file); fileIdx.set(c.file, fi); }
          return [fi, c.startLine, c.endLine, c.kind];
        });
        fs.writeSync(featOut, Buffer.from(features.buffer, features.byteOffset, features.byteLength));
        const rec: QueryRecord = { pkg, kind: s.kind, mode, query: s.query, row, n: chunks.length, labels: labelsFor(chunks, s.target), spans, files };
        meta.write(JSON.stringify(rec) + '\n');
        row += chunks.length;
      }
    }
    await engine.close();
    fs.rmSync(stage, { recursive: true, force: true });
    fs.rmSync(indexDir, { recursive: true, force: true });
    done++;
    log(`${done}/${o.packages} ${pkg}: ${nFiles} files, ${chunksNow.length} chunks, ${sampled.length} queries (${none} no-answer), ${row} rows`);
  }
  fs.closeSync(featOut);
  await new Promise<void>((r) => meta.end(r));
  fs.writeFileSync(path.join(o.out, 'manifest.json'), JSON.stringify({ features: FEATURE_COUNT, rows: row, packages: done, options: { ...o, sources: undefined, stage: undefined } }, null, 2));
  await embedder.dispose();
}
