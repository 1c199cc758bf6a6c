// What the health numbers read from disk besides the query log and the
// adaptation history (adaptStore.ts): the model's tokenizer (for vocabulary
// coverage) and a sample of source files' texts. Used by `sift eval --feedback` and
// the extension's "Search health" view; the computations themselves are pure
// (health.ts, drift.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { languageForPath } from '../chunk/languages';
import { readManifest } from '../embed/manifest';
import { Tokenizer } from '../embed/tokenizer';
import type { CoverageText } from './drift';

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
