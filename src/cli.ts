#!/usr/bin/env node
// `sift` — the command-line front end over the engine: index, search, status, eval.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { parseArgs, UsageError, type ParsedArgs } from './cli/args';
import { openEngine } from './cli/engineOpen';
import { cmdFeedbackEval } from './cli/feedbackEval';
import { formatSearch, formatStats, formatStatus } from './cli/format';
import { cmdLog } from './cli/logCommand';
import { cmdServe } from './cli/serve/command';
import { parseSearchArgs } from './cli/searchArgs';
import { exitFor } from './cli/exitCodes';
import { refreshOrWarn } from './cli/refreshOrWarn';
import { cmdAdapt, cmdSimulateClicks } from './cli/adaptCommand';
import { ProgressBar } from './cli/progress';
import type { SearchResponse } from './core/types';
import { packageRoot } from './core/assets';
import { commandHelp, usage, version } from './cli/help';

async function cmdIndex(a: ParsedArgs): Promise<number> {
  const roots = a.positional.length ? a.positional : ['.'];
  const warn = (m: string) => process.stderr.write(m + '\n');
  const engine = await openEngine(a, roots, warn);
  const bar = !a.flags.has('quiet') && !a.flags.has('json') && process.stderr.isTTY ? new ProgressBar(process.stderr) : null;
  const stats = await engine.index({ onProgress: (p) => bar?.update(p) });
  bar?.done();
  const status = engine.status();
  if (a.flags.has('json')) process.stdout.write(JSON.stringify({ ...stats, mode: status.mode, modeReason: status.modeReason, indexDir: engine.indexDir }) + '\n');
  else process.stdout.write(formatStats(stats, status, a.flags.has('all-skipped')) + '\n');
  await engine.close();
  return 0;
}

async function cmdSearch(a: ParsedArgs): Promise<number> {
  const s = parseSearchArgs(a);
  const warn = (m: string) => process.stderr.write(m + '\n');
  const engine = await openEngine(a, s.roots, warn);
  if (!s.noRefresh || engine.chunkCount === 0) {
    // a first index of a large folder takes a while: say so instead of staying silent
    const bar = !s.quiet && process.stderr.isTTY ? new ProgressBar(process.stderr) : null;
    if (!bar && !s.quiet && !s.json && engine.chunkCount === 0) warn(`indexing ${engine.roots.join(', ')} first (only changed files are re-read after this)…`);
    try {
      await refreshOrWarn(() => engine.index({ onProgress: bar ? (p) => bar.update(p) : undefined }), () => engine.chunkCount, warn);
    } finally {
      bar?.done();
    }
  }
  const res: SearchResponse = await engine.search(s.query, {
    k: s.k, showWeak: s.all, threshold: s.threshold, fixedK: s.fixedK,
  });
  process.stdout.write(formatSearch(res, engine.roots, s.query, s.json) + '\n');
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
    process.stderr.write(`sift: ${(e as Error).message}\n\n${usage()}`);
    return 2;
  }
  if (a.flags.has('version') || a.command === 'version') { process.stdout.write(version() + '\n'); return 0; }
  if (a.command === 'help') {
    const topic = a.positional[0];
    const text = topic ? commandHelp(topic) : usage();
    if (text === null) { process.stderr.write(`sift: no command "${topic}"\n\n${usage()}`); return 2; }
    process.stdout.write(text);
    return 0;
  }
  if (a.flags.has('help')) { process.stdout.write((a.command && commandHelp(a.command)) || usage()); return 0; }
  if (!a.command) { process.stderr.write(usage()); return 2; }
  try {
    switch (a.command) {
      case 'index': return a.values.store ? await (await import('./cli/team/storeCommands')).cmdStoreIndex(a) : await cmdIndex(a);
      case 'search':
        if (a.values.server) return await (await import('./cli/serverSearch')).cmdServerSearch(a);
        return a.values.store ? await (await import('./cli/team/storeCommands')).cmdStoreSearch(a) : await cmdSearch(a);
      case 'status': return await cmdStatus(a);
      case 'log': return await cmdLog(a);
      // its own bundle (dist/cliMcp.js: the MCP SDK and zod are over half the CLI's code), loaded only for this command
      case 'mcp': return await (await import('./cli/mcp')).cmdMcp(a);
      case 'serve': return await cmdServe(a);
      case 'token': return await (await import('./cli/team/tokenCommand')).cmdToken(a);
      case 'adapt': return await cmdAdapt(a);
      case 'simulate-clicks': return await cmdSimulateClicks(a);
      case 'eval': return a.flags.has('feedback') ? await cmdFeedbackEval(a) : cmdEval(a);
      default: throw new UsageError(`unknown command "${a.command}"`);
    }
  } catch (e) {
    const { exitCode, message } = exitFor(e);
    process.stderr.write(`sift: ${message}\n`);
    return exitCode;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => { process.stderr.write(`sift: ${e?.stack ?? e}\n`); process.exitCode = 1; });
}
