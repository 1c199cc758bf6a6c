// `sift index --store …` and `sift search --store …`: the team index in
// PostgreSQL, written from a checkout and searched straight from the
// database with the local ranking.
import type { ParsedArgs } from '../args';
import { loadModel } from '../engineOpen';
import { formatSearch, modeLine } from '../format';
import { ProgressBar } from '../progress';
import { parseSearchArgs } from '../searchArgs';
import { openPool, redactUrl } from '../../core/store/postgres/db';
import { indexIntoStore } from '../../core/store/postgres/teamIndexer';
import { TeamStore } from '../../core/store/postgres/teamStore';
import { parseGitDiff, parseStoreArgs } from './storeArgs';

const warn = (m: string): void => { process.stderr.write(m + '\n'); };

export async function cmdStoreIndex(a: ParsedArgs): Promise<number> {
  const root = a.positional[0] ?? '.';
  const s = await parseStoreArgs(a, root);
  const gitDiff = parseGitDiff(a);
  const embedder = await loadModel(a, warn);
  const pool = openPool(s.url, { max: 3, statementTimeoutMs: 0 });
  const bar = !a.flags.has('quiet') && !a.flags.has('json') && process.stderr.isTTY ? new ProgressBar(process.stderr) : null;
  try {
    const stats = await indexIntoStore(pool, {
      root, repo: s.repo, branch: s.branch, embedder, gitDiff, head: a.values.head?.[0],
      crawl: { include: a.values.include, exclude: a.values.exclude, maxFileBytes: a.values['max-file-bytes'] ? Number(a.values['max-file-bytes'][0]) : undefined },
      onProgress: bar ? (p) => bar.update({ phase: p.phase === 'chunk' ? 'chunk' : p.phase === 'commit' ? 'save' : p.phase === 'done' ? 'done' : 'crawl', filesDone: p.filesDone, filesTotal: p.filesTotal, chunks: p.chunks, embedded: 0, embedTotal: 0 }) : undefined,
    });
    bar?.done();
    if (a.flags.has('json')) {
      process.stdout.write(JSON.stringify(stats) + '\n');
    } else {
      process.stdout.write([
        `indexed ${stats.repo}@${stats.branch}${stats.head ? ` at ${stats.head.slice(0, 12)}` : ''} into ${redactUrl(s.url)} in ${(stats.tookMs / 1000).toFixed(1)}s`,
        `${stats.files} files; ${stats.changedFiles} new or changed, ${stats.removedFiles} removed; ${stats.chunksWritten} chunks written (${stats.embedded} embedded, ${stats.cachedVectors} from the embedding cache)${stats.rebuilt ? '; rebuilt for a new model or chunker' : ''}`,
        modeLine(embedder ? 'hybrid' : 'keyword', embedder ? undefined : 'no embedding model'),
        ...(stats.skipped.length ? [`skipped ${stats.skipped.length} file(s) (--json lists them)`] : []),
      ].join('\n') + '\n');
    }
    return 0;
  } finally {
    bar?.done();
    if (embedder) await embedder.dispose();
    await pool.end();
  }
}

export async function cmdStoreSearch(a: ParsedArgs): Promise<number> {
  const q = parseSearchArgs(a);
  // the repository defaults as `sift index --store` names it (defaultRepoFor the --root folder, or .)
  const s = await parseStoreArgs(a, a.values.root?.[0] ?? '.');
  const embedder = await loadModel(a, warn);
  const store = TeamStore.connect(s.url, { max: 2 });
  try {
    const res = await store.search({ repo: s.repo, branch: s.branch }, q.query, { k: q.k, showWeak: q.all, threshold: q.threshold, fixedK: q.fixedK }, embedder);
    process.stdout.write(formatSearch(res, [''], q.query, q.json) + '\n');
    return 0;
  } finally {
    if (embedder) await embedder.dispose();
    await store.close();
  }
}
