// Scaling benchmark (run by hand, results in bench/README.md):
//   npx tsx bench/scale.ts [--scales 1,2,4,8] [--corpus DIR] [--out DIR] [--keep] [--no-model] [--queries N]
// For each scale N: N copies of the speed corpus under one temp root (copy-1/ … copy-N/, hard
// links where the file system allows, so the engine sees N× distinct paths at little disk cost),
// then bench/speed.ts's phases on that root, each in its own process. The one-changed-file phase
// edits a file of the LAST copy (speed.ts breaks its hard link first). One bundle is built at the
// start and copied aside, so every scale runs the same code while the working tree moves on.
// Writes <out>/<N>x.json (default bench/results/scale/) and prints a markdown table.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { arg, buildPhaseBundle, PHASE_BUNDLE } from './speed';
import { crawl } from '../src/core/crawl/crawler';
import { languageForPath } from '../src/core/chunk/languages';

const REPO = path.join(__dirname, '..');

function git(...args: string[]): string {
  return spawnSync('git', args, { cwd: REPO, encoding: 'utf8' }).stdout.trim();
}

// The bundle and the assets it loads next to itself, copied under bench/results/tmp/ (ignored by
// git, inside the repository so the bundle still finds models/ through package.json).
function snapshotBundle(): { bundle: string; dir: string } {
  buildPhaseBundle();
  const dist = path.dirname(PHASE_BUNDLE);
  const dir = path.join(REPO, 'bench', 'results', 'tmp', `scale-bundle-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['speedBench.js', 'chunkWorker.js', 'web-tree-sitter.wasm', 'grammars', 'ort']) {
    fs.cpSync(path.join(dist, f), path.join(dir, f), { recursive: true });
  }
  return { bundle: path.join(dir, 'speedBench.js'), dir };
}

function makeCopies(corpus: string, n: number): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `sift-scale-${n}x-`));
  for (let i = 1; i <= n; i++) {
    const dst = path.join(root, `copy-${i}`);
    if (spawnSync('cp', ['-al', corpus, dst]).status !== 0) {
      fs.rmSync(dst, { recursive: true, force: true });
      if (spawnSync('cp', ['-a', corpus, dst]).status !== 0) throw new Error(`could not copy ${corpus} to ${dst}`);
    }
  }
  return root;
}

// A typical source file of the last copy: the middle one by path among indexable files of 2–20 KB.
async function pickChangedFile(root: string, n: number): Promise<string> {
  const last = path.join(root, `copy-${n}`);
  const found = await crawl([last], { isIndexable: (r) => languageForPath(r) !== null });
  const mid = found.files.filter((f) => f.size >= 2000 && f.size <= 20000).sort((a, b) => a.rel.localeCompare(b.rel));
  if (!mid.length) throw new Error(`no file of 2–20 KB to change in ${last}`);
  return `copy-${n}/${mid[Math.floor(mid.length / 2)].rel}`;
}

type Result = Record<string, unknown>;

const ROWS: Array<[string, (r: Result) => string, string]> = [
  ['files / chunks', (r) => `${r.files} / ${r.chunks}`, ''],
  ['cold index', (r) => `${r.coldIndexSec} s`, '≤ 240 s'],
  ['cold peak RSS', (r) => `${r.coldPeakRssMB} MB`, '≤ 800 MB'],
  ['serving peak RSS (open, re-index, one file, queries)', (r) => `${r.warmPeakRssMB} MB`, '≤ 600 MB'],
  ['query p50 / p95 (in process)', (r) => `${r.queryP50Ms} / ${r.queryP95Ms} ms`, '≤ 10 / ≤ 30 ms'],
  ['re-index, nothing changed (open + crawl)', (r) => `${r.reindexUnchangedSec} s`, '≤ 3 s'],
  ['one changed file searchable', (r) => `${r.oneFileSearchableMs} ms${r.oneFileFound ? '' : ' (not found!)'}`, '≤ 200 ms'],
  ['index on disk', (r) => `${r.indexDiskMB} MB`, '≤ 80 MB at 1×'],
];

function table(results: Array<[number, Result]>): string {
  const head = `| | ${results.map(([n]) => `${n}×`).join(' | ')} | goal at 8× |\n|---|${results.map(() => '---|').join('')}---|`;
  return [head, ...ROWS.map(([name, cell, goal]) => `| ${name} | ${results.map(([, r]) => cell(r)).join(' | ')} | ${goal} |`)].join('\n');
}

async function main(): Promise<void> {
  const scales = (arg('scales') ?? '1,2,4,8').split(',').map(Number);
  if (scales.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--scales takes whole numbers ≥ 1, e.g. 1,2,4,8');
  const corpus = path.resolve(arg('corpus') ?? path.join(__dirname, 'corpora', 'speed'));
  const outDir = path.resolve(arg('out') ?? path.join(__dirname, 'results', 'scale'));
  const keep = process.argv.includes('--keep');
  const pass = [...(process.argv.includes('--no-model') ? ['--no-model'] : []), ...(arg('queries') ? ['--queries', arg('queries')!] : [])];
  fs.mkdirSync(outDir, { recursive: true });

  const commit = git('rev-parse', '--short', 'HEAD');
  const srcChanges = git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean).length;
  const snap = snapshotBundle();
  const temps: string[] = [];
  const cleanup = (): void => {
    fs.rmSync(snap.dir, { recursive: true, force: true });
    if (!keep) for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  process.on('SIGINT', () => process.exit(130));
  process.on('SIGTERM', () => process.exit(143));
  console.error(`commit ${commit}${srcChanges ? ` + ${srcChanges} uncommitted change(s) under src/` : ''}; bundle built ${new Date().toISOString()}`);

  const results: Array<[number, Result]> = [];
  for (const n of scales) {
    const t = performance.now();
    const root = makeCopies(corpus, n);
    temps.push(root);
    const changeFile = await pickChangedFile(root, n);
    console.error(`${n}×: ${n} cop${n > 1 ? 'ies' : 'y'} in ${root} (${((performance.now() - t) / 1000).toFixed(1)} s); changing ${changeFile}`);
    const file = path.join(outDir, `${n}x.json`);
    const r = spawnSync('npx', ['tsx', path.join(__dirname, 'speed.ts'), '--corpus', root, '--bundle', snap.bundle, '--json', file, '--change-file', changeFile, ...pass],
      { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`speed.ts failed at ${n}× (exit ${r.status})`);
    const res: Result = { scale: n, commit, uncommittedSrcChanges: srcChanges, date: new Date().toISOString(), ...JSON.parse(fs.readFileSync(file, 'utf8')) };
    fs.writeFileSync(file, JSON.stringify(res, null, 1) + '\n');
    results.push([n, res]);
    console.error(`${n}×: cold ${res.coldIndexSec} s, p50 ${res.queryP50Ms} ms → ${path.relative(REPO, file)}`);
    if (!keep) fs.rmSync(root, { recursive: true, force: true });
  }
  console.log(table(results));
}

main().catch((e) => { console.error(e); process.exit(1); });
