// A pretrained teacher (a full transformer, run in Python) inside the real engine on
// ../shared/bench: the same chunks, keyword side, fusion and calibrated answer as the
// CLI, with the teacher's vectors in place of the shipped model's. Check only: nothing
// here is fitted to the bench.
//
//   npx tsx training/eval/teacherBench.ts dump --corpora bench/corpora --out DIR
//       → DIR/passages.jsonl (every chunk text the engine embeds) and DIR/queries.jsonl
//   python training/teacher/teacher.py --teacher minilm texts --in DIR/passages.jsonl --field text --role passage --out DIR/minilm.passages.f32
//   python training/teacher/teacher.py --teacher minilm texts --in DIR/queries.jsonl  --field text --role query   --out DIR/minilm.queries.f32
//   npx tsx training/eval/teacherBench.ts run --corpora bench/corpora --dir DIR --teacher minilm [--fixed-k]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { Embedder } from '../../src/core/embed/embedder';
import { Engine } from '../../src/core/engine';
import { readVectors } from '../vectorFile';

interface BenchQuery {
  id: string;
  corpus: string;
  level: string;
  query: string;
  targets: { file: string; start_line: number; end_line: number }[];
}

function benchDir(): string {
  return path.resolve(__dirname, '..', '..', '..', 'shared', 'bench');
}

/** The benchmark's queries, grouped by corpus. */
function queriesByCorpus(): Map<string, BenchQuery[]> {
  const byCorpus = new Map<string, BenchQuery[]>();
  for (const line of fs.readFileSync(path.join(benchDir(), 'queries.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const q = JSON.parse(line) as BenchQuery;
    byCorpus.set(q.corpus, [...(byCorpus.get(q.corpus) ?? []), q]);
  }
  return byCorpus;
}

/** Records what the engine asks to embed; answers with zero vectors. */
class RecordingEmbedder implements Embedder {
  readonly id = 'recording@0';
  readonly hash = 'recording';
  readonly runtime = 'native' as const;
  readonly texts = new Set<string>();
  constructor(readonly dim: number) {}
  async embed(texts: string[]): Promise<Float32Array> {
    for (const t of texts) this.texts.add(t);
    return new Float32Array(texts.length * this.dim);
  }
  async dispose(): Promise<void> {}
}

/** Vectors looked up by exact text; a text nobody embedded is an error, never a silent zero. */
class LookupEmbedder implements Embedder {
  readonly runtime = 'native' as const;
  constructor(readonly id: string, readonly hash: string, readonly dim: number, private readonly table: Map<string, Float32Array>) {}
  async embed(texts: string[]): Promise<Float32Array> {
    const out = new Float32Array(texts.length * this.dim);
    texts.forEach((t, i) => {
      const v = this.table.get(t);
      if (!v) throw new Error(`teacherBench: no teacher vector for a text of ${t.length} characters (run dump again)`);
      out.set(v, i * this.dim);
    });
    return out;
  }
  async dispose(): Promise<void> {}
}

function readLookup(jsonl: string, vectors: string): { dim: number; map: Map<string, Float32Array> } {
  const texts = fs.readFileSync(jsonl, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => (JSON.parse(l) as { text: string }).text);
  const { meta, data: all } = readVectors(vectors);
  if (meta.rows !== texts.length) throw new Error(`${vectors}: ${meta.rows} vectors for ${texts.length} texts`);
  const map = new Map<string, Float32Array>();
  texts.forEach((t, i) => map.set(t, all.subarray(i * meta.dim, (i + 1) * meta.dim)));
  return { dim: meta.dim, map };
}

function isHit(r: { file: string; startLine: number; endLine: number }, q: BenchQuery): boolean {
  return q.targets.some((t) => t.file === r.file && r.startLine <= t.end_line && r.endLine >= t.start_line);
}

async function dump(corpora: string, out: string): Promise<void> {
  fs.mkdirSync(out, { recursive: true });
  const passages = new Set<string>();
  const queries = new Set<string>();
  for (const [corpus, qs] of queriesByCorpus()) {
    const rec = new RecordingEmbedder(8);
    const engine = await Engine.open({ roots: [path.join(corpora, corpus)], indexDir: fs.mkdtempSync(path.join(os.tmpdir(), 'sift-tb-')), embedder: rec, chunkThreads: 0 });
    await engine.index();
    for (const t of rec.texts) passages.add(t);
    rec.texts.clear();
    for (const q of qs) await engine.search(q.query, { k: 10 });
    for (const t of rec.texts) queries.add(t);
    await engine.close();
  }
  const write = (file: string, set: Set<string>): void => fs.writeFileSync(path.join(out, file), [...set].map((text) => JSON.stringify({ text })).join('\n') + '\n');
  write('passages.jsonl', passages);
  write('queries.jsonl', queries);
  process.stderr.write(`[teacherBench] ${passages.size} chunk texts and ${queries.size} query texts in ${out}\n`);
}

async function run(corpora: string, dir: string, teacher: string, fixedK: boolean): Promise<void> {
  const p = readLookup(path.join(dir, 'passages.jsonl'), path.join(dir, `${teacher}.passages.f32`));
  const q = readLookup(path.join(dir, 'queries.jsonl'), path.join(dir, `${teacher}.queries.f32`));
  if (p.dim !== q.dim) throw new Error('teacherBench: query and passage vectors differ in width');
  // One lookup for both roles: the engine embeds a text either as a chunk (index) or as a query (search).
  const passages = new LookupEmbedder(`${teacher}@teacher`, teacher, p.dim, p.map);
  const queriesEmb = new LookupEmbedder(`${teacher}@teacher`, teacher, q.dim, q.map);
  const rows: { level: string; rank: number; returned: number; hits: number }[] = [];
  for (const [corpus, qs] of queriesByCorpus()) {
    let phase: Embedder = passages;
    const switching: Embedder = {
      id: passages.id, hash: passages.hash, dim: passages.dim, runtime: 'native',
      embed: (texts) => phase.embed(texts), dispose: async () => undefined,
    };
    const engine = await Engine.open({ roots: [path.join(corpora, corpus)], indexDir: fs.mkdtempSync(path.join(os.tmpdir(), 'sift-tb-')), embedder: switching, chunkThreads: 0 });
    await engine.index();
    phase = queriesEmb;
    for (const x of qs) {
      const res = await engine.search(x.query, { k: 10, fixedK });
      const hits = res.hits.map((h) => ({ file: h.file, startLine: h.startLine, endLine: h.endLine }));
      const rank = hits.findIndex((h) => isHit(h, x)) + 1;
      rows.push({ level: x.level, rank, returned: hits.length, hits: hits.filter((h) => isHit(h, x)).length });
    }
    await engine.close();
  }
  const summary = (sel: typeof rows) => {
    const ans = sel.filter((r) => r.level !== 'none');
    const mrr = ans.reduce((s, r) => s + (r.rank > 0 && r.rank <= 10 ? 1 / r.rank : 0), 0) / Math.max(1, ans.length);
    const r10 = ans.filter((r) => r.rank > 0 && r.rank <= 10).length / Math.max(1, ans.length);
    const none = sel.filter((r) => r.level === 'none');
    return { n: ans.length, mrr10: mrr, r10, noAnswerReturned: none.length ? none.reduce((s, r) => s + r.returned, 0) / none.length : null };
  };
  const out: Record<string, ReturnType<typeof summary>> = { all: summary(rows) };
  for (const l of ['L0', 'L1', 'L2']) out[l] = summary(rows.filter((r) => r.level === l));
  out.none = summary(rows.filter((r) => r.level === 'none'));
  const file = path.join(dir, `${teacher}${fixedK ? '.fixedk' : ''}.bench.json`);
  fs.writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  process.stdout.write(`${teacher}${fixedK ? ' (fixed k)' : ''}: MRR@10 all ${out.all.mrr10.toFixed(3)} · L0 ${out.L0.mrr10.toFixed(3)} · L1 ${out.L1.mrr10.toFixed(3)} · L2 ${out.L2.mrr10.toFixed(3)} · R@10 ${out.all.r10.toFixed(3)} · no-answer returned ${out.none.noAnswerReturned?.toFixed(1)}\n`);
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  const { values: a } = parseArgs({
    args: rest,
    options: { corpora: { type: 'string' }, out: { type: 'string' }, dir: { type: 'string' }, teacher: { type: 'string' }, 'fixed-k': { type: 'boolean' } },
  });
  const corpora = path.resolve(a.corpora ?? 'bench/corpora');
  if (cmd === 'dump' && a.out) return dump(corpora, path.resolve(a.out));
  if (cmd === 'run' && a.dir && a.teacher) return run(corpora, path.resolve(a.dir), a.teacher, a['fixed-k'] ?? false);
  process.stderr.write('usage: teacherBench.ts dump --corpora DIR --out DIR | run --corpora DIR --dir DIR --teacher NAME [--fixed-k]\n');
  process.exit(2);
}

main().catch((e: unknown) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
