// What the health numbers read besides the query log and the adaptation
// history (adaptStore.ts): the model's tokenizer (for vocabulary coverage), a
// sample of source files' or of the index's chunk texts, and the replay of the
// log on an engine. Used by `sift eval --feedback` and the extension's "Search
// health" view; the computations themselves are pure (health.ts, drift.ts,
// replay.ts). An owner of the engine (the CLI, the extension's worker) calls
// replayOnEngine() and indexCoverage() with its own engine.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { languageForPath } from '../chunk/languages';
import { readManifest } from '../embed/manifest';
import { Tokenizer } from '../embed/tokenizer';
import type { Engine } from '../engine';
import { vocabularyCoverage, type CoverageText, type CoverageTokenizer, type VocabularyCoverage } from './drift';
import { replayLog, type ReplayOptions, type ReplayReport } from './replay';
import type { ChunkRef, LogEvent } from './types';

/** The tokenizer of a model folder (manifest.json + vocab.txt), or null when it cannot be read. */
export function loadModelTokenizer(modelDir: string): Tokenizer | null {
  try {
    const m = readManifest(modelDir);
    const lines = fs.readFileSync(path.join(modelDir, m.files.vocab), 'utf8').split('\n');
    if (lines.length && lines[lines.length - 1] === '') lines.pop();
    return new Tokenizer({ vocab: lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)), ...m.tokenizer, lowercase: true });
  } catch {
    return null;
  }
}

/** Languages whose words say something about the model's fit (prose and config left out). */
export function isCodeLanguage(lang: string | null | undefined): boolean {
  return !!lang && lang !== 'text' && lang !== 'config' && lang !== 'markdown';
}

/**
 * The heads of up to `maxFiles` source files, spread evenly over the list, with
 * their languages; files that are not code or cannot be read are skipped.
 */
export function* sampleFileTexts(absPaths: readonly string[], opts: { maxFiles?: number; maxBytes?: number } = {}): Generator<CoverageText> {
  const code = absPaths.filter((p) => isCodeLanguage(languageForPath(p)));
  const max = opts.maxFiles ?? 300;
  const step = Math.max(1, code.length / max);
  const buf = Buffer.alloc(opts.maxBytes ?? 16_384);
  for (let i = 0; i < code.length && Math.floor(i) < code.length; i += step) {
    const file = code[Math.floor(i)];
    let fd: number | null = null;
    try {
      fd = fs.openSync(file, 'r');
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      if (buf.subarray(0, n).includes(0)) continue; // binary after all
      yield { text: buf.toString('utf8', 0, n), language: languageForPath(file)! };
    } catch {
      // unreadable: skipped
    } finally {
      if (fd !== null) fs.closeSync(fd);
    }
  }
}

/** An even sample of the index's chunk texts with their languages (prose and config left out). */
export function* sampleChunkTexts(engine: Engine, max = 4000): Generator<CoverageText> {
  const ctx = engine.searchContext({ keywordOnly: true });
  const keys = ctx.chunks.keys();
  const step = Math.max(1, Math.ceil(keys.length / max));
  for (let i = 0; i < keys.length; i += step) {
    const c = ctx.chunks.get(keys[i]);
    if (!c || !isCodeLanguage(c.language)) continue;
    const text = ctx.readText(c);
    if (text !== null) yield { text, language: c.language };
  }
}

/** Whether a logged chunk is still in the index (same file; same name, or same line when anonymous). */
export function chunkExists(engine: Engine, ref: ChunkRef): boolean {
  const chunks = engine.searchContext({ keywordOnly: true }).chunks;
  const idx = engine.roots.indexOf(ref.root);
  const roots = idx >= 0 ? [idx] : engine.roots.map((_, i) => i);
  for (const r of roots) {
    for (const key of chunks.keysOfFile(r, ref.file)) {
      const c = chunks.get(key);
      if (c && (ref.name ? c.name === ref.name : c.declLine === ref.line)) return true;
    }
  }
  return false;
}

/** Vocabulary coverage over an even sample of the index's code chunks. */
export function indexCoverage(engine: Engine, tokenizer: CoverageTokenizer, maxMs = 1500): VocabularyCoverage {
  return vocabularyCoverage(sampleChunkTexts(engine), tokenizer, { maxMs });
}

/** The log replayed on an engine: every logged search re-run (ranked top k, no calibrated cut) and its opened result looked up. */
export function replayOnEngine(engine: Engine, events: readonly LogEvent[], opts: ReplayOptions & { threshold?: number } = {}): Promise<ReplayReport> {
  const { threshold, ...rest } = opts;
  return replayLog(events, async (q, k) => {
    const r = await engine.search(q, { k, fixedK: true, threshold });
    return { hits: r.hits, noRelevant: r.noRelevant, mode: r.mode };
  }, { roots: engine.roots, exists: (ref) => chunkExists(engine, ref), ...rest });
}
