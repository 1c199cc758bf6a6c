// Measures a shipped-size embedder: session creation and embedding throughput
// for code chunks of `tokens` subtokens cut from real source (TypeScript's own
// compiler, node_modules/typescript/lib/typescript.js), with a vocabulary built
// from that source and padded with synthetic words to `vocab`. Random weights:
// speed only, not quality. Not a test; run by hand:
//   npx tsx training/onnx/measureEmbedder.ts [vocab=50000] [buckets=32768] [dim=256] [texts=2048] [tokens=256]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadEmbedder } from '../../src/core/embed/embedder';
import { Tokenizer, buildVocab } from '../../src/core/embed/tokenizer';
import { writeModelDir } from './embeddingBagModel';
import { mulberry32 } from '../train/random';


function syntheticWord(next: () => number): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const len = 2 + Math.floor(next() * 8);
  let w = '';
  for (let i = 0; i < len; i++) w += letters[Math.floor(next() * 26)];
  return w;
}

async function main(): Promise<void> {
  const [vocabSize = 50000, buckets = 32768, dim = 256, nTexts = 2048, tokens = 256] = process.argv.slice(2).map(Number);
  const next = mulberry32(7);
  const source = fs.readFileSync(require.resolve('typescript/lib/typescript.js'), 'utf8').split('\n');
  const counter = new Tokenizer({ vocab: [], ngramBuckets: 0, ngramSizes: [], maxTokens: 1e9 });
  const counts = new Map<string, number>();
  const texts: string[] = [];
  let chunk: string[] = [];
  let chunkTokens = 0;
  for (const line of source) {
    if (texts.length >= nTexts) break;
    const toks = counter.subtokens(line);
    for (const t of toks) counts.set(t, (counts.get(t) ?? 0) + 1);
    chunk.push(line);
    chunkTokens += toks.length;
    if (chunkTokens >= tokens) {
      texts.push(chunk.join('\n'));
      chunk = [];
      chunkTokens = 0;
    }
  }
  const vocabSet = new Set(buildVocab(counts, 1, vocabSize));
  const corpusVocab = vocabSet.size;
  while (vocabSet.size < vocabSize) vocabSet.add(syntheticWord(next));
  const vocab = [...vocabSet];
  const config = { vocab, ngramBuckets: buckets, ngramSizes: [3, 4, 5], maxTokens: tokens, lowercase: true as const };
  const rows = vocab.length + buckets;
  const table = new Float32Array(rows * dim);
  for (let i = 0; i < table.length; i++) table[i] = next() - 0.5;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-measure-'));
  try {
    let t = performance.now();
    writeModelDir(dir, { name: 'measure', version: '0', tokenizer: config, table, dim });
    const writeMs = performance.now() - t;
    const onnxMb = fs.statSync(path.join(dir, 'model.onnx')).size / 1e6;

    t = performance.now();
    const embedder = await loadEmbedder(dir);
    const createMs = performance.now() - t;

    const tok = new Tokenizer(config);
    t = performance.now();
    let rowsTotal = 0;
    for (const s of texts) rowsTotal += tok.encode(s).rows.length;
    const encodeMs = performance.now() - t;

    await embedder.embed(texts.slice(0, 64)); // warm-up
    t = performance.now();
    for (let i = 0; i < texts.length; i += 256) await embedder.embed(texts.slice(i, i + 256));
    const embedMs = performance.now() - t;

    t = performance.now();
    const queries = 200;
    for (let i = 0; i < queries; i++) await embedder.embed([`${vocab[i]} ${vocab[i + 1]} ${vocab[i + 2]}`]);
    const queryMs = (performance.now() - t) / queries;
    await embedder.dispose();

    const mem = process.memoryUsage();
    console.log(JSON.stringify({
      vocab: vocabSize, vocabFromCorpus: corpusVocab, buckets, dim, texts: texts.length, tokensPerText: tokens,
      onnxMB: +onnxMb.toFixed(1), writeModelDirMs: Math.round(writeMs),
      sessionCreateMs: Math.round(createMs),
      avgUniqueRowsPerText: Math.round(rowsTotal / texts.length),
      encodeOnlyTextsPerS: Math.round(texts.length / (encodeMs / 1000)),
      embedTextsPerS: Math.round(texts.length / (embedMs / 1000)),
      queryMs: +queryMs.toFixed(2),
      rssMB: Math.round(mem.rss / 1e6),
    }, null, 1));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
