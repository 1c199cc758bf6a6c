#!/usr/bin/env node
// `sift` — the command-line front end over the engine: index, search, status, eval.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { parseArgs, UsageError, type ParsedArgs } from './cli/args';
import { openEngine } from './cli/engineOpen';
import { cmdFeedbackEval } from './cli/feedbackEval';
import { formatHits, formatStats, formatStatus } from './cli/format';
import { cmdLog } from './cli/logCommand';
import { cmdMcp } from './cli/mcp';
import { cmdAdapt, cmdSimulateClicks } from './cli/adaptCommand';
import { ProgressBar } from './cli/progress';
import { Engine, IndexWriteError } from './core/engine';
import { shippedRankModel } from './core/rank/model';
import { QueryError } from './core/search/search';
import type { SearchResponse } from './core/types';
import { packageRoot } from './core/assets';

const USAGE = `sift — search code by meaning

Usage:
  sift index  [PATH...]            index folders (default: .)
  sift search [--root PATH]... [-k N] [--threshold P] [--json] [--all] QUERY
  sift status [PATH...]            what the index holds
  sift log export --out FILE [--root PATH]...   the query log (beside the index) as JSON Lines
  sift log clear [--root PATH]...  delete the query log
  sift mcp    [--root PATH]... [--index-dir DIR] [--model DIR | --no-model]
                                   Model Context Protocol server on stdio for chat agents (search_code, find_similar, index_status)
  sift adapt  [--root PATH]... [--feedback | --reset] [--json]
                                   adapt the model to the workspace: from its doc comments (default),
                                   from the query log's opened results (--feedback), or back to the shipped model
  sift simulate-clicks --root PATH [--clicks N] [--seed S] [--json]
                                   measure the learning loop on a simulated developer (doc sentence → unit)
  sift eval   --corpora DIR [--bench DIR] [-- eval options]   run ../shared/bench through this CLI
  sift eval   --feedback [--root PATH]... [--log DIR] [--bucket day|week] [--json]
                                   search health from the query log: logged opens replayed, drift

Options:
  --index-dir DIR     where the index lives (default: a cache folder per root set)
  --model DIR         embedding model folder (default: the shipped model)
  --no-model          keyword search only
  --runtime R         how to run the model: auto (default), native, onnxruntime
  --include GLOB      only files matching (repeatable)
  --exclude GLOB      skip files matching (repeatable)
  --max-file-bytes N  skip larger files (default 1000000)
  --no-refresh        search: do not bring the index up to date first
  --threshold P       search: how likely (0–1) a hit must be to be shown (default ${shippedRankModel().threshold}, the ranking model's)
  --fixed-k           search: always return k results (no calibrated cut)
  --all               search: show the closest matches even when none is relevant
  --json              machine-readable output
  -q, --quiet         no progress output
`;

async function cmdIndex(a: ParsedArgs): Promise<number> {
  const roots = a.positional.length ? a.positional : ['.'];
  const warn = (m: string) => process.stderr.write(m + '\n');
  const engine = await openEngine(a, roots, warn);
  const bar = !a.flags.has('quiet') && !a.flags.has('json') && process.stderr.isTTY ? new ProgressBar(process.stderr) : null;
  const stats = await engine.index({ onProgress: (p) => bar?.update(p) });
  bar?.done();
  const status = engine.status();
  if (a.flags.has('json')) process.stdout.write(JSON.stringify({ ...stats, mode: status.mode, modeReason: status.modeReason, indexDir: engine.indexDir }) + '\n');
  else process.stdout.write(formatStats(stats, status) + '\n');
  await engine.close();
  return 0;
}

async function cmdSearch(a: ParsedArgs): Promise<number> {
  const query = a.positional.join(' ');
  if (!query.trim()) throw new UsageError('search needs a query, e.g. sift search "where are sessions verified"');
  const roots = a.values.root?.length ? a.values.root : ['.'];
  const k = a.values.k ? Number(a.values.k[0]) : 10;
  if (!Number.isInteger(k) || k < 1 || k > 200) throw new UsageError(`-k must be a whole number from 1 to 200, got ${a.values.k?.[0]}`);
  const threshold = a.values.threshold ? Number(a.values.threshold[0]) : undefined;
  if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) throw new UsageError(`--threshold must be a probability from 0 to 1, got ${a.values.threshold?.[0]}`);
  const json = a.flags.has('json');
  const warn = (m: string) => process.stderr.write(m + '\n');
  const engine = await openEngine(a, roots, warn);
  if (!a.flags.has('no-refresh') || engine.chunkCount === 0) {
    try {
      await engine.index();
    } catch (e) {
      // a stale index is still worth searching; say why it could not be refreshed
      if (!(e instanceof IndexWriteError) || engine.chunkCount === 0) throw e;
      warn(`warning: ${e.message}; searching the index as loaded`);
    }
  }
  const res: SearchResponse = await engine.search(query, {
    k, showWeak: a.flags.has('all'), threshold, fixedK: a.flags.has('fixed-k'),
  });
  if (json) {
    process.stdout.write(JSON.stringify({
      mode: res.mode,
      ...(res.modeReason ? { modeReason: res.modeReason } : {}),
      noRelevant: res.noRelevant,
      results: res.hits.map((h) => ({
        file: engine.roots.length > 1 ? path.join(h.root, h.file) : h.file,
        startLine: h.startLine, endLine: h.endLine, name: h.name, kind: h.kind, score: h.score,
      })),
    }) + '\n');
  } else {
    process.stdout.write(formatHits(res, engine.roots, query) + '\n');
  }
  await engine.close();
  return 0;
}

async function cmdStatus(a: ParsedArgs): Promise<number> {
  const roots = a.positional.length ? a.positional : ['.'];
  const warn = (m: string) => process.stderr.write(m + '\n');
  const engine = await openEngine(a, roots, warn);
  const s = engine.status();
  const report = engine.openReport;
  if (a.flags.has('json')) process.stdout.write(JSON.stringify({ ...s, index: report }) + '\n');
  else process.stdout.write(formatStatus(s, report) + '\n');
  await engine.close();
  return 0;
}

function cmdEval(a: ParsedArgs): number {
  const bench = path.resolve(a.values.bench?.[0] ?? path.join(packageRoot(), '..', 'shared', 'bench'));
  const corpora = a.values.corpora?.[0];
  if (!corpora) throw new UsageError('eval needs --corpora DIR (fetch them with: bash <bench>/fetch.sh DIR)');
  const self = `${JSON.stringify(process.execPath)} ${JSON.stringify(path.resolve(process.argv[1]))}`;
  const extra = [...(a.values.model ? ['--model', a.values.model[0]] : []), ...(a.values.runtime ? ['--runtime', a.values.runtime[0]] : []), ...(a.flags.has('no-model') ? ['--no-model'] : [])]
    .map((s) => JSON.stringify(s)).join(' ');
  const cmd = `${self} search ${extra} --root {root} -k {k} --json {query}`;
  const r = spawnSync(process.execPath, [path.join(bench, 'eval.mjs'), '--corpora', path.resolve(corpora), '--cmd', cmd, ...a.rest], { stdio: 'inherit' });
  return r.status ?? 1;
}

export async function main(argv: string[]): Promise<number> {
  let a: ParsedArgs;
  try {
    a = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`sift: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (a.flags.has('help') || !a.command) { process.stdout.write(USAGE); return a.command || a.flags.has('help') ? 0 : 2; }
  try {
    switch (a.command) {
      case 'index': return await cmdIndex(a);
      case 'search': return await cmdSearch(a);
      case 'status': return await cmdStatus(a);
      case 'log': return await cmdLog(a);
      case 'mcp': return await cmdMcp(a);
      case 'adapt': return await cmdAdapt(a);
      case 'simulate-clicks': return await cmdSimulateClicks(a);
      case 'eval': return a.flags.has('feedback') ? await cmdFeedbackEval(a) : cmdEval(a);
      default: throw new UsageError(`unknown command "${a.command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof QueryError) { process.stderr.write(`sift: ${e.message}\n`); return 2; }
    if (e instanceof IndexWriteError) { process.stderr.write(`sift: ${e.message}\n`); return 4; }
    const msg = (e as Error).message ?? String(e);
    if (/^(No such folder|Not a folder|Not a directory)/.test(msg)) { process.stderr.write(`sift: ${msg}\n`); return 3; }
    process.stderr.write(`sift: ${msg}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => { process.stderr.write(`sift: ${e?.stack ?? e}\n`); process.exitCode = 1; });
}
