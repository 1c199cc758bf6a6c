// Evaluates a training run on its held-out packages: reads the pairs again,
// keeps the test split, embeds with the run's table through the shipped
// Tokenizer.encode (optionally after the int8 round trip the export applies),
// builds BM25 over the same codes, and runs the CodeSearchNet protocol.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fnv1a32, Tokenizer } from '../../src/core/embed/tokenizer';
import { dequantizeRows, quantizeRows } from '../onnx/embeddingBagModel';
import { loadTable, loadTokenizer, readJson, RUN_FILE, writeJson } from '../train/checkpoint';
import { isTestPackage, listPairFiles, readPairs, type SkipReason } from '../train/data';
import type { RunConfig } from '../train/runConfig';
import { deriveSeed, Rng } from '../train/random';
import { TableEmbedder } from '../train/tableEmbedder';
import { CandidateBm25 } from './bm25';
import { csnMarkdown, runCsn, type CsnReport } from './csn';

export interface EvalOptions {
  /** Pairs files or folders (default: the run's). */
  pairs?: string[];
  maxQueriesPerLanguage?: number;
  /** Evaluate the int8-quantised table, as exported. */
  int8?: boolean;
  seed?: number;
  distractors?: number;
  log?: (line: string) => void;
  /** Keep at most this many held-out pairs per language (seeded sample): the teacher-ceiling protocol, cheap enough for a transformer on 2 cores. */
  maxItemsPerLanguage?: number;
  /** Write the held-out pairs ranked here (JSON lines: q, code, lang) for an external model to embed. */
  exportHeldOut?: string;
  /** Rank with these vectors (rows = held-out pairs in order, L2-normalised) instead of the run's table;
   *  with only query vectors, codes come from the table (an asymmetric model: a contextual query encoder). */
  external?: { dim: number; query: Float32Array; code?: Float32Array };
}

export interface EvalResult {
  report: CsnReport;
  markdown: string;
  heldOut: { pairs: number; duplicates: number; leakedCode: number; skipped: Partial<Record<SkipReason, number>> };
}

/** Dequantised copy of the table: what the shipped int8 model computes with. */
export function int8RoundTrip(table: Float32Array, rows: number, dim: number): Float32Array {
  const q = quantizeRows(table, rows, dim);
  return dequantizeRows(q.table, q.scales, rows, dim);
}

export async function evaluateRun(runDir: string, opts: EvalOptions = {}): Promise<EvalResult> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const run = readJson<RunConfig>(path.join(runDir, RUN_FILE), 'run configuration');
  const tokCfg = loadTokenizer(runDir);
  const tokenizer = new Tokenizer(tokCfg);
  const tableDim = run.train.dim;
  const rows = tokenizer.rowCount;
  const files = listPairFiles(opts.pairs ?? run.pairs);
  const split = run.corpus.split;

  // Held-out pairs only; exact duplicates and codes also present in the train split are left out.
  const trainCode = new Set<number>();
  const seen = new Set<string>();
  const test: { q: string; code: string; name: string; lang: string; codeHash: number }[] = [];
  const skipped = new Map<SkipReason, number>();
  let duplicates = 0;
  const t0 = Date.now();
  for await (const p of readPairs(files, skipped)) {
    const codeHash = fnv1a32(p.code);
    if (!isTestPackage(p.pkg, split)) {
      trainCode.add(codeHash);
      continue;
    }
    const key = `${fnv1a32(p.q)}:${codeHash}`;
    if (seen.has(key)) {
      duplicates++;
      continue;
    }
    seen.add(key);
    test.push({ q: p.q, code: p.code, name: p.name, lang: p.lang, codeHash });
  }
  let kept = test.filter((t) => !trainCode.has(t.codeHash));
  const leakedCode = test.length - kept.length;
  if (opts.maxItemsPerLanguage !== undefined) kept = capPerLanguage(kept, opts.maxItemsPerLanguage, opts.seed ?? 1);
  log(`[eval] ${kept.length} held-out pairs (${duplicates} duplicates, ${leakedCode} with code also in train left out) read in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  if (kept.length < 2) throw new Error(`eval: only ${kept.length} held-out pairs; nothing to rank`);

  if (opts.exportHeldOut) {
    fs.writeFileSync(opts.exportHeldOut, kept.map((t) => JSON.stringify({ q: t.q, code: t.code, lang: t.lang })).join('\n') + '\n');
    log(`[eval] wrote ${kept.length} held-out pairs to ${opts.exportHeldOut}`);
  }
  const t1 = Date.now();
  const n = kept.length;
  // The run's table, read only when something is embedded with it (not when both sides are external).
  const embedAll = (fields: ('q' | 'code')[]): Float32Array[] => {
    let table = loadTable(runDir, rows, tableDim);
    if (opts.int8) table = int8RoundTrip(table, rows, tableDim);
    const embedder = new TableEmbedder(table, rows, tableDim);
    return fields.map((field) => {
      const out = new Float32Array(n * tableDim);
      for (let i = 0; i < n; i++) embedder.embedText(tokenizer, kept[i][field], out, i * tableDim);
      return out;
    });
  };
  let queryEmb: Float32Array, codeEmb: Float32Array;
  const e = opts.external;
  const dim = e ? e.dim : tableDim;
  if (e) {
    if (!e.code && e.dim !== tableDim) throw new Error(`eval: external query vectors are ${e.dim}-dimensional, the table ${tableDim}`);
    if (e.query.length !== n * e.dim || (e.code && e.code.length !== n * e.dim)) {
      throw new Error(`eval: external vectors hold ${e.query.length / e.dim} queries and ${(e.code?.length ?? 0) / e.dim} codes for ${n} held-out pairs`);
    }
    queryEmb = e.query;
    codeEmb = e.code ?? embedAll(['code'])[0];
  } else {
    [queryEmb, codeEmb] = embedAll(['q', 'code']);
  }
  const index = new CandidateBm25(kept.map((t) => ({ text: t.code, name: t.name })));
  const queryTerms = kept.map((t) => index.queryIds(t.q));
  log(`[eval] embedded and indexed in ${((Date.now() - t1) / 1000).toFixed(1)}s`);

  const t2 = Date.now();
  const report = runCsn({
    langs: kept.map((t) => t.lang),
    dim,
    queryEmb,
    codeEmb,
    codeKey: Uint32Array.from(kept, (t) => t.codeHash),
    bm25: { index, queryTerms },
    seed: opts.seed ?? 1,
    distractors: opts.distractors ?? 999,
    maxQueriesPerLanguage: opts.maxQueriesPerLanguage,
  });
  log(`[eval] ranked in ${((Date.now() - t2) / 1000).toFixed(1)}s`);
  const title = `CodeSearchNet-style evaluation of ${path.basename(runDir)}${opts.int8 ? ' (int8 table)' : ''}, held-out packages`;
  return {
    report,
    markdown: csnMarkdown(report, title),
    heldOut: { pairs: kept.length, duplicates, leakedCode, skipped: Object.fromEntries(skipped) },
  };
}

/** At most `max` items of each language, a seeded sample in the original order. */
export function capPerLanguage<T extends { lang: string }>(items: T[], max: number, seed: number): T[] {
  const byLang = new Map<string, number[]>();
  items.forEach((t, i) => {
    let a = byLang.get(t.lang);
    if (!a) byLang.set(t.lang, (a = []));
    a.push(i);
  });
  const keep = new Uint8Array(items.length);
  for (const [lang, idx] of byLang) {
    const chosen = idx.length <= max ? idx : new Rng(deriveSeed(seed, 0xca9, fnv1a32(lang))).shuffle(idx.slice()).slice(0, max);
    for (const i of chosen) keep[i] = 1;
  }
  return items.filter((_, i) => keep[i] === 1);
}

/** Write eval.json and eval.md (or eval-int8.*) into the run folder; returns their paths. */
export function writeEvalReport(runDir: string, result: EvalResult, int8: boolean, name?: string): { json: string; md: string } {
  const base = path.join(runDir, name ?? (int8 ? 'eval-int8' : 'eval'));
  writeJson(`${base}.json`, { heldOut: result.heldOut, ...result.report });
  fs.writeFileSync(`${base}.md`, result.markdown);
  return { json: `${base}.json`, md: `${base}.md` };
}
