// `sift adapt` (the workspace adaptation: zero-click from its doc comments, or
// from the query log's opens, or a reset) and `sift simulate-clicks` (the
// learning loop measured on a simulated developer). See core/learn/.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError, type ParsedArgs } from './args';
import { cliLogDir } from './logCommand';
import { loadModel, openEngine } from './engineOpen';
import { type AdaptResult, adaptGuarded, resetAdaptation } from '../core/learn/adapt';
import { lessonsFromTriplets } from '../core/learn/examples';
import { QueryLog } from '../core/learn/queryLog';
import { simulateClicks } from '../core/learn/simulate';
import { extractTriplets } from '../core/learn/triplets';
import type { AdaptationRecord } from '../core/learn/types';
import { adaptToWorkspace } from '../core/learn/zeroClick';

function describe(r: AdaptationRecord): string {
  const what = r.kind === 'zero-click' ? 'zero-click adaptation (the workspace\'s doc comments)' : r.kind === 'clicks' ? 'adaptation from opened results' : 'reset';
  return `${what}: ${r.reason}${r.examples !== undefined ? ` (${r.examples} training examples)` : ''}`;
}

export async function cmdAdapt(a: ParsedArgs, out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  if (a.positional.length) throw new UsageError(`adapt takes its folders with --root, got "${a.positional.join(' ')}"`);
  const roots = a.values.root?.length ? a.values.root : ['.'];
  const warn = (m: string) => process.stderr.write(m + '\n');
  if (a.flags.has('no-model')) throw new UsageError('adapt adapts the embedding model; it cannot run with --no-model');
  const engine = await openEngine(a, roots, warn);
  try {
    if (!engine.embedder) throw new UsageError('adapt needs the embedding model, and none is installed');
    const json = a.flags.has('json');
    if (a.flags.has('reset')) {
      const r = resetAdaptation(engine);
      out(json ? JSON.stringify({ ...r, indexDir: engine.indexDir }) + '\n' : describe(r) + '\n');
      return 0;
    }
    if (!a.flags.has('no-refresh') || engine.chunkCount === 0) await engine.index();
    let result: AdaptResult & { pairs?: number };
    if (a.flags.has('feedback')) {
      const { events, corrupt } = await new QueryLog(cliLogDir(a)).read();
      if (corrupt.length) warn(`warning: ${corrupt.length} corrupt lines of the query log skipped`);
      result = await adaptGuarded(engine, lessonsFromTriplets(engine, extractTriplets(events)), { kind: 'clicks', scorer: 'search' });
    } else {
      result = await adaptToWorkspace(engine);
    }
    const r = result.record;
    if (json) out(JSON.stringify({ ...r, pairs: result.pairs, indexDir: engine.indexDir, fit: result.fit }) + '\n');
    else out(describe(r) + '\n');
    return 0;
  } finally {
    await engine.close();
  }
}

export async function cmdSimulateClicks(a: ParsedArgs, out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const root = a.values.root?.[0];
  if (!root || (a.values.root?.length ?? 0) > 1) throw new UsageError('simulate-clicks needs one --root DIR');
  const clicks = Number(a.values.clicks?.[0] ?? 200);
  if (!Number.isInteger(clicks) || clicks < 1) throw new UsageError(`--clicks must be a whole number ≥ 1, got ${a.values.clicks?.[0]}`);
  const seed = Number(a.values.seed?.[0] ?? 1);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be a whole number, got ${a.values.seed?.[0]}`);
  const warn = (m: string) => process.stderr.write(m + '\n');
  const embedder = await loadModel(a, warn);
  if (!embedder) throw new UsageError('simulate-clicks needs the embedding model');
  const st = fs.statSync(path.resolve(root), { throwIfNoEntry: false });
  if (!st?.isDirectory()) throw new Error(`No such folder: ${root}`);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-simulate-'));
  const json = a.flags.has('json');
  const r = await simulateClicks({ root, clicks, seed, embedder, workDir, log: json || a.flags.has('quiet') ? undefined : warn });
  if (json) out(JSON.stringify({ clicks: r.clicks, clickedQueries: r.clickedQueries, heldOutQueries: r.heldOutQueries, before: r.before, after: r.after, searches: r.searches, requeries: r.requeries, kept: r.kept, reason: r.reason, seed: r.seed }) + '\n');
  else out(`${r.clicks} clicks, ${r.heldOutQueries} held-out queries: MRR@10 ${r.before.mrr10.toFixed(3)} → ${r.after.mrr10.toFixed(3)}, meaning side alone ${r.before.semanticMrr10.toFixed(3)} → ${r.after.semanticMrr10.toFixed(3)} (${r.kept ? 'adaptation kept' : 'adaptation refused'}: ${r.reason})\n`);
  return 0;
}
