// Load on the team server: `sift serve --store URL --listen 127.0.0.1:PORT`
// over an indexed branch, and N concurrent clients (default 50) searching it
// over HTTP with a bearer token, loopback only, for a bounded time. Two
// shapes: closed loop (each client sends its next search when the last is
// answered: the server's saturation) and paced (each client one search per
// `--pace` ms on average, at random moments: people at their editors). Server,
// database and clients share this machine's cores.
//
//   npx tsx bench/teamLoad.ts --store URL --repo speed [--clients 50] [--seconds 30] [--pace 1000] [--out FILE]
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LOAD_QUERIES } from './teamQueries';
import { arg, needArg } from './speed';

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

async function startServer(cli: string, url: string, port: number): Promise<{ stop(): Promise<void>; rss(): number }> {
  const child = spawn(process.execPath, [cli, 'serve', '--store', url, '--listen', `127.0.0.1:${port}`, '--max-concurrent', arg('max-concurrent') ?? '16'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => { log += d.toString(); if (/team server on http/.test(log)) resolve(); });
    child.once('exit', (code) => reject(new Error(`sift serve exited (${code}): ${log}`)));
  });
  return {
    async stop() { child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r)); },
    rss() {
      try { return Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) * 1024; } catch { return NaN; }
    },
  };
}

async function run(base: string, token: string, repo: string, clients: number, seconds: number, paceMs: number | null) {
  const lat: number[] = [];
  const errors: Record<string, number> = {};
  const end = Date.now() + seconds * 1000;
  let n = 0;
  const client = async (c: number) => {
    let i = c;
    if (paceMs) await new Promise((r) => setTimeout(r, Math.random() * paceMs));
    while (Date.now() < end) {
      const query = LOAD_QUERIES[i++ % LOAD_QUERIES.length];
      const t = performance.now();
      try {
        const res = await fetch(`${base}/v1/search`, {
          method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ repo, query, k: 10 }),
        });
        const body = await res.json() as { hits?: unknown[]; error?: { code: string } };
        if (res.status !== 200 || !Array.isArray(body.hits)) errors[body.error?.code ?? String(res.status)] = (errors[body.error?.code ?? String(res.status)] ?? 0) + 1;
        else lat.push(performance.now() - t);
      } catch (e) {
        errors[(e as Error).message] = (errors[(e as Error).message] ?? 0) + 1;
      }
      n++;
      if (paceMs) await new Promise((r) => setTimeout(r, Math.random() * 2 * paceMs));
    }
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
  const wall = (Date.now() - t0) / 1000;
  return {
    shape: paceMs ? `paced (one search per ${paceMs} ms per client on average)` : 'closed loop',
    clients, seconds: +wall.toFixed(1), searches: n, ok: lat.length, errors, perSecond: +(lat.length / wall).toFixed(1),
    ms: { p50: +pct(lat, 0.5).toFixed(1), p95: +pct(lat, 0.95).toFixed(1), p99: +pct(lat, 0.99).toFixed(1), max: +Math.max(...lat).toFixed(1) },
  };
}

async function main(): Promise<void> {
  const url = needArg('store');
  const repo = needArg('repo');
  const clients = Number(arg('clients') ?? '50');
  const seconds = Number(arg('seconds') ?? '30');
  const port = Number(arg('port') ?? '7791');
  const cli = path.join(__dirname, '..', 'dist', 'cli.js');
  const tok = spawnSync(process.execPath, [cli, 'token', 'create', '--store', url, '--name', `load-${Date.now()}`, '--repo', repo], { encoding: 'utf8' });
  if (tok.status !== 0) throw new Error(`token create failed: ${tok.stderr}`);
  const token = tok.stdout.trim().split('\n').pop()!;
  const server = await startServer(cli, url, port);
  const base = `http://127.0.0.1:${port}`;
  try {
    await run(base, token, repo, 4, 3, null); // warm: the name index loads, connections open
    const results = [
      await run(base, token, repo, clients, seconds, Number(arg('pace') ?? '1000')),
      await run(base, token, repo, clients, seconds, null),
    ];
    const out = { repo, serverPeakRssMB: +(server.rss() / 1e6).toFixed(0), results };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    const file = arg('out') ?? '';
    if (file) fs.writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  } finally {
    await server.stop();
  }
}

main().catch((e) => { process.stderr.write(`${(e as Error).stack}\n`); process.exit(1); });
