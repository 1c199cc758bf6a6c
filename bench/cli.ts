// The command line against rg and csearch, whole processes timed from outside (run by hand,
// results in bench/README.md):
//   npm run build && npx tsx bench/cli.ts [--corpus DIR] [--runs N] [--warmup N] [--out FILE] [--from-index DIR] [--no-model]
// Per query: `node dist/cli.js search --no-refresh --root CORPUS --index-dir IDX "<query>"` against
// `rg -n PATTERN CORPUS` and `csearch -n PATTERN` (an equivalent regex per query), beside
// `node -e 0` (Node's own start), the four run in turn, round after round, so drift hits them
// alike. When `sift help serve` succeeds, that pass runs in process (--no-daemon) and a second
// pass times `sift search --daemon` against a `sift serve` this script starts on its own socket
// folder (SIFT_RUNTIME_DIR), beside `node -e 0` again. The sift index (built with `sift index`,
// or a copy of --from-index DIR), the csearch index (cindex) and the socket folder live in a temp
// folder this script owns and removes. Writes bench/results/cli.json (or --out) and prints a markdown table.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { arg, pct } from './speed';

const REPO = path.join(__dirname, '..');
const CLI = path.join(REPO, 'dist', 'cli.js');

// Natural-language query for sift; for rg and csearch the regex a developer would type instead
// ((?i) works in both: Rust's regex and Go's RE2 syntax).
const QUERIES: Array<{ query: string; pattern: string }> = [
  { query: 'parse command line arguments', pattern: '(?i)parseArgs|parse.*argv' },
  { query: 'retry a failed request with exponential backoff', pattern: '(?i)retry.*backoff|backoff.*retry' },
  { query: 'read a file line by line', pattern: '(?i)readline|createInterface' },
  { query: 'escape html special characters', pattern: '(?i)escapeHtml|escape.*html' },
  { query: 'debounce a function', pattern: '(?i)debounce' },
  { query: 'walk a directory tree recursively', pattern: '(?i)readdir.*recursive|walk.*dir' },
  { query: 'how are circular references detected', pattern: '(?i)circular.*ref|cycle.*detect' },
  { query: 'readFileSync', pattern: 'readFileSync' },
];

interface Cmd { name: string; argv: string[]; env?: NodeJS.ProcessEnv }
interface Runs { ms: number[]; exit: number | null; outBytes: number; outLines: number; stderr?: string }
interface Summary { minMs: number; medianMs: number; maxMs: number; exit: number | null; outBytes: number; outLines: number; runsMs: number[]; stderr?: string }

function timeOnce(c: Cmd): { ms: number; exit: number | null; out: string; err: string } {
  const t = process.hrtime.bigint();
  const r = spawnSync(c.argv[0], c.argv.slice(1), { env: c.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.error) throw r.error;
  return { ms, exit: r.status, out: r.stdout, err: r.stderr };
}

// warmup runs (not counted), then `runs` rounds of every command in turn
function measure(cmds: Cmd[], runs: number, warmup: number): Map<string, Runs> {
  const res = new Map<string, Runs>(cmds.map((c) => [c.name, { ms: [], exit: null, outBytes: 0, outLines: 0 }]));
  for (let i = 0; i < warmup + runs; i++) {
    for (const c of cmds) {
      const r = timeOnce(c);
      const s = res.get(c.name)!;
      if (i >= warmup) s.ms.push(r.ms);
      s.exit = r.exit;
      s.outBytes = Buffer.byteLength(r.out);
      s.outLines = r.out ? r.out.trimEnd().split('\n').length : 0;
      s.stderr = r.err.slice(-300) || undefined;
    }
  }
  return res;
}

function summary(r: Runs): Summary {
  const f = (x: number): number => +x.toFixed(1);
  return { minMs: f(Math.min(...r.ms)), medianMs: f(pct(r.ms, 50)), maxMs: f(Math.max(...r.ms)), exit: r.exit, outBytes: r.outBytes, outLines: r.outLines, runsMs: r.ms.map(f), stderr: r.stderr };
}

function run(argv: string[], env?: NodeJS.ProcessEnv): number {
  const t = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { env: env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  return +((performance.now() - t) / 1000).toFixed(1);
}

function hasServe(): boolean {
  return spawnSync(process.execPath, [CLI, 'help', 'serve'], { stdio: 'ignore' }).status === 0;
}

// The daemon, on the socket folder of env.SIFT_RUNTIME_DIR; ready once its socket exists.
async function startDaemon(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const d = spawn(process.execPath, [CLI, 'serve'], { env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let log = '';
  d.stderr!.on('data', (b: Buffer) => { log += b.toString(); });
  const sock = path.join(env.SIFT_RUNTIME_DIR!, 'sift.sock');
  for (let t = 0; !fs.existsSync(sock) && d.exitCode === null && t < 30_000; t += 50) await new Promise((r) => setTimeout(r, 50));
  if (!fs.existsSync(sock)) throw new Error(`sift serve did not start:\n${log}`);
  return d;
}

const ratio = (a: number, b: number): number => +(a / b).toFixed(2);
const geomean = (xs: number[]): number => +Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length).toFixed(2);

async function main(): Promise<void> {
  const corpus = path.resolve(arg('corpus') ?? path.join(__dirname, 'corpora', 'speed'));
  const runs = Number(arg('runs') ?? 10);
  const warmup = Number(arg('warmup') ?? 1);
  const outFile = path.resolve(arg('out') ?? path.join(__dirname, 'results', 'cli.json'));
  const noModel = process.argv.includes('--no-model');
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js is missing: npm run build first');
  if (!fs.existsSync(corpus)) throw new Error(`no corpus at ${corpus}`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-cli-bench-'));
  let daemon: ChildProcess | null = null;
  const stopDaemon = (): void => {
    if (daemon?.pid && daemon.exitCode === null) try { process.kill(-daemon.pid, 'SIGTERM'); } catch { /* gone */ }
    daemon?.stderr?.destroy();
    daemon?.unref();
  };
  const cleanup = (): void => {
    stopDaemon();
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  process.on('SIGINT', () => process.exit(130));
  process.on('SIGTERM', () => process.exit(143));

  const indexDir = path.join(tmp, 'index');
  const common = ['--root', corpus, '--index-dir', indexDir, ...(noModel ? ['--no-model'] : [])];
  // a socket folder of our own: no other sift serve on this machine answers these searches
  const siftEnv = { ...process.env, SIFT_RUNTIME_DIR: path.join(tmp, 'run') };
  fs.mkdirSync(siftEnv.SIFT_RUNTIME_DIR, { mode: 0o700 });
  const serve = hasServe();
  const inProcess = serve ? ['--no-daemon'] : [];
  const out: Record<string, unknown> = {
    date: new Date().toISOString(), commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).stdout.trim(),
    cliBuilt: fs.statSync(CLI).mtime.toISOString(), corpus, node: process.version, cpus: os.cpus().length, runs, warmup,
    loadAvgStart: os.loadavg().map((x) => +x.toFixed(2)),
  };
  if (arg('from-index')) {
    fs.cpSync(path.resolve(arg('from-index')!), indexDir, { recursive: true });
    out.siftIndex = `copy of ${arg('from-index')}`;
  } else {
    console.error('indexing with sift…');
    out.siftIndexSec = run([process.execPath, CLI, 'index', '-q', ...inProcess, '--index-dir', indexDir, ...(noModel ? ['--no-model'] : []), corpus], siftEnv);
  }
  const csEnv = { ...process.env, CSEARCHINDEX: path.join(tmp, 'csearchindex') };
  console.error('indexing with cindex…');
  out.cindexSec = run(['cindex', corpus], csEnv);

  const nodeStart: Cmd = { name: 'node -e 0', argv: [process.execPath, '-e', '0'] };
  const perQuery: Array<Record<string, unknown>> = [];
  const nodeMs: number[] = [];
  for (const { query, pattern } of QUERIES) {
    console.error(`"${query}" / ${pattern}`);
    const m = measure([
      { name: 'sift', argv: [process.execPath, CLI, 'search', '--no-refresh', ...inProcess, ...common, query], env: siftEnv },
      { name: 'rg', argv: ['rg', '-n', pattern, corpus] },
      { name: 'csearch', argv: ['csearch', '-n', pattern], env: csEnv },
      nodeStart,
    ], runs, warmup);
    nodeMs.push(...m.get('node -e 0')!.ms);
    const [sift, rg, cs] = ['sift', 'rg', 'csearch'].map((n) => summary(m.get(n)!));
    perQuery.push({ query, pattern, sift, rg, csearch: cs, siftOverRg: ratio(sift.medianMs, rg.medianMs), siftOverCsearch: ratio(sift.medianMs, cs.medianMs) });
  }
  out.queries = perQuery;
  out.nodeStart = summary({ ms: nodeMs, exit: 0, outBytes: 0, outLines: 0 });

  if (serve) {
    console.error('sift serve found: timing sift search --daemon…');
    daemon = await startDaemon(siftEnv);
    const dq: Array<Record<string, unknown>> = [];
    for (const { query } of QUERIES) {
      const m = measure([{ name: 'daemon', argv: [process.execPath, CLI, 'search', '--no-refresh', '--daemon', ...common, query], env: siftEnv }, nodeStart], runs, warmup);
      const [s, n] = [summary(m.get('daemon')!), summary(m.get('node -e 0')!)];
      dq.push({ query, siftDaemon: s, nodeStart: n, overNodeStartMs: +(s.medianMs - n.medianMs).toFixed(1), overNodeStart: ratio(s.medianMs, n.medianMs) });
    }
    out.daemon = dq;
    stopDaemon();
  } else {
    out.daemon = 'not available (sift help serve failed)';
  }
  out.loadAvgEnd = os.loadavg().map((x) => +x.toFixed(2));
  out.summary = {
    siftOverRgGeomean: geomean(perQuery.map((q) => q.siftOverRg as number)),
    siftOverCsearchGeomean: geomean(perQuery.map((q) => q.siftOverCsearch as number)),
    ...(Array.isArray(out.daemon) ? { daemonOverNodeStartMedianMs: pct(out.daemon.map((q) => q.overNodeStartMs as number), 50) } : {}),
  };
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, JSON.stringify(out, null, 1) + '\n');
  printTable(out, perQuery);
}

function printTable(out: Record<string, unknown>, perQuery: Array<Record<string, unknown>>): void {
  const ms = (s: unknown): string => `${(s as Summary).medianMs} (${(s as Summary).minMs}–${(s as Summary).maxMs})`;
  const lines = (s: unknown): number => (s as Summary).outLines;
  console.log(`median ms (min–max) of ${out.runs} runs; node -e 0: ${ms(out.nodeStart)}\n`);
  console.log('| query (sift) / pattern (rg, csearch) | sift --no-refresh | rg -n | csearch -n | sift/rg | sift/csearch | lines sift / rg / csearch |');
  console.log('|---|---|---|---|---|---|---|');
  for (const q of perQuery) {
    console.log(`| ${q.query} / \`${String(q.pattern).replace(/\|/g, '\\|')}\` | ${ms(q.sift)} | ${ms(q.rg)} | ${ms(q.csearch)} | ${q.siftOverRg} | ${q.siftOverCsearch} | ${lines(q.sift)} / ${lines(q.rg)} / ${lines(q.csearch)} |`);
  }
  const s = out.summary as Record<string, number>;
  console.log(`\ngeometric mean: sift/rg ${s.siftOverRgGeomean} (goal ≤ 1.5), sift/csearch ${s.siftOverCsearchGeomean}`);
  if (Array.isArray(out.daemon)) {
    console.log('\n| query | sift search, daemon running | node -e 0 | difference | goal |\n|---|---|---|---|---|');
    for (const d of out.daemon) console.log(`| ${d.query} | ${ms(d.siftDaemon)} | ${ms(d.nodeStart)} | ${d.overNodeStartMs} ms | ≤ 30 ms |`);
  } else {
    console.log(`\ndaemon: ${out.daemon}`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
