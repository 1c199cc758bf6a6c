// The workspace's own (doc sentence → code) pairs, made by the same harvester
// as the model's training data (harvest/docPairs.ts): every documented unit of
// the indexed files whose doc's first sentence reads as a query.
import { Chunker } from '../chunk/chunker';
import { languageForPath } from '../chunk/languages';
import { crawl, type CrawlOptions } from '../crawl/crawler';
import { readSource } from '../crawl/readSource';
import { docPairOf, lowerWords } from '../harvest/docPairs';
import { yieldNow } from './yieldNow';

export interface WorkspacePair {
  root: string;
  /** Path relative to the root, '/'-separated. */
  file: string;
  name: string;
  startLine: number;
  endLine: number;
  declLine: number;
  query: string;
  /** The unit's embedded text without its doc. */
  code: string;
}

export interface PairOptions {
  crawl?: Omit<CrawlOptions, 'signal' | 'isIndexable'>;
  /** Stop after this many pairs (files are read in path order). */
  maxPairs?: number;
  signal?: AbortSignal;
}

/**
 * Doc pairs of the roots' files. A sentence that documents several units says
 * nothing about which one it means: those pairs are left out.
 */
export async function workspacePairs(roots: string[], o: PairOptions = {}): Promise<WorkspacePair[]> {
  const { files } = await crawl(roots, { ...o.crawl, isIndexable: (rel) => languageForPath(rel) !== null, signal: o.signal });
  const chunker = await Chunker.create();
  const pairs: WorkspacePair[] = [];
  const max = o.maxPairs ?? Infinity;
  for (const f of files) {
    if (o.signal?.aborted || pairs.length >= max) break;
    await yieldNow();
    const lang = languageForPath(f.rel);
    if (!lang || lang === 'markdown' || lang === 'text' || lang === 'config') continue;
    const src = await readSource(f.abs, o.crawl?.maxFileBytes);
    if (!('text' in src) || typeof src.text !== 'string') continue;
    const { chunks } = await chunker.chunkFileAsync(f.rel, src.text, lang);
    const lines = lang === 'rust' ? src.text.split('\n') : [];
    for (const c of chunks) {
      const p = docPairOf(c, lines);
      if (!p || 'reject' in p) continue;
      pairs.push({ root: f.root, file: f.rel, name: c.name, startLine: c.startLine, endLine: c.endLine, declLine: c.declLine, query: p.query, code: p.code });
    }
  }
  const bySentence = new Map<string, number>();
  for (const p of pairs) { const k = lowerWords(p.query).join(' '); bySentence.set(k, (bySentence.get(k) ?? 0) + 1); }
  return pairs.filter((p) => bySentence.get(lowerWords(p.query).join(' ')) === 1);
}
