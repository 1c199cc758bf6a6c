// `sift serve` as users and agents meet it: the built CLI in child processes,
// a temporary socket folder (SIFT_RUNTIME_DIR) and cache, no model.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { defaultIndexDir } from '../../src/cli/indexDir';
import { readHolder } from '../../src/core/persist/writeLock';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

const RETRY = '/** Retry a failing call with exponential backoff. */\nexport async function retryWithBackoff(fn: () => Promise<void>, attempts = 3) {\n  for (let i = 0; i < attempts; i++) {\n    try { return await fn(); } catch { await new Promise((r) => setTimeout(r, 2 ** i * 100)); }\n  }\n}\n';
const SLUG = 'def slugify(title):\n    """Turn a title into a URL slug: lower case, words joined by dashes."""\n    return "-".join(title.lower().split())\n';

interface Run { code: number | null; out: string; err: string }

describe('sift serve', function () {
  this.timeout(60000);
  let tmp: string;
  let root: string;
  let run: string;
  let indexDir: string;
  const daemons: ChildProcess[] = [];
  let env: NodeJS.ProcessEnv;

  before(function () {
    if (!fs.existsSync(CLI) || process.platform === 'win32') this.skip(); // built by `npm test` before the unit tests
  });
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-serve-'));
    root = path.join(tmp, 'ws');
    run = path.join(tmp, 'run');
    indexDir = path.join(tmp, 'index');
    fs.mkdirSync(path.join(root, 'src'), { recursive: true });
    fs.writeFileSync(path.join(root, 'src', 'retry.ts'), RETRY);
    fs.writeFileSync(path.join(root, 'src', 'slug.py'), SLUG);
    env = { ...process.env, SIFT_CACHE_DIR: path.join(tmp, 'cache'), SIFT_RUNTIME_DIR: run };
    delete env.XDG_RUNTIME_DIR;
  });
  afterEach(async () => {
    if (fs.existsSync(path.join(run, 'sift.sock'))) sift(['serve', 'stop']); // one started in the background
    for (const d of daemons.splice(0)) {
      if (d.exitCode === null && d.signalCode === null) { d.kill('SIGKILL'); await exited(d); }
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const sock = () => path.join(run, 'sift.sock');

  function sift(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Run {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...env, ...extraEnv } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  }

  /** The same, without blocking this process (several clients at once). */
  function siftAsync(args: string[]): Promise<Run> {
    const c = spawn(process.execPath, [CLI, ...args], { env });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    c.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    return new Promise((resolve) => c.on('close', (code) => resolve({ code, out, err })));
  }

  /** Start `sift serve` in the foreground; resolves once it answers. */
  async function serve(args: string[] = []): Promise<{ child: ChildProcess; log: () => string }> {
    const child = spawn(process.execPath, [CLI, 'serve', ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    daemons.push(child);
    let log = '';
    child.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
    for (let i = 0; i < 400; i++) {
      if (child.exitCode !== null) throw new Error(`sift serve exited ${child.exitCode}: ${log}`);
      if (await answers()) return { child, log: () => log };
      await sleep(25);
    }
    throw new Error(`sift serve did not answer: ${log}`);
  }

  async function answers(): Promise<boolean> {
    try { return ((await rpc([{ id: 'p', type: 'ping' }]))[0] as { ok: boolean }).ok; } catch { return false; }
  }

  /** Send raw lines on one connection; resolves with one parsed reply per request (events go to `events`), in arrival order. */
  function rpc(requests: unknown[], rawLines: string[] = [], events: Array<Record<string, unknown>> = []): Promise<Array<Record<string, unknown>>> {
    return new Promise((resolve, reject) => {
      const c = net.connect(sock());
      const replies: Array<Record<string, unknown>> = [];
      const want = requests.length + rawLines.length;
      let buf = '';
      c.on('error', reject);
      c.on('data', (d) => {
        buf += d.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const m = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
          buf = buf.slice(nl + 1);
          if (m.event) { events.push(m); continue; }
          replies.push(m);
          if (replies.length === want) { c.end(); resolve(replies); }
        }
      });
      c.on('connect', () => c.write([...rawLines, ...requests.map((r) => JSON.stringify(r))].map((l) => l + '\n').join('')));
    });
  }

  const spec = () => ({ roots: [root], indexDir, runtime: 'auto', model: null });

  it('answers sift search with exactly what the in-process search prints, text and --json', async () => {
    const cases = [
      ['--root', root, 'retry with backoff'],
      ['--root', root, '--json', 'retryWithBackoff'],
      ['--root', root, '-k', '1', '--fixed-k', 'slug'],
      ['--root', root, 'render a pie chart of quarterly revenue'],
      ['--root', root, '--all', '--json', 'render a pie chart of quarterly revenue'],
    ].map((c) => ['search', '--no-model', '--index-dir', indexDir, ...c]);
    assert.equal(sift(['index', '--no-model', '--index-dir', indexDir, root]).code, 0);
    const local = cases.map((c) => sift([...c, '--no-daemon']));
    for (const r of local) assert.equal(r.code, 0, r.err);
    const { child } = await serve();
    const remote = cases.map((c) => sift(c));
    const noRefresh = cases.map((c) => sift([...c, '--no-refresh']));
    for (let i = 0; i < cases.length; i++) {
      assert.equal(remote[i].code, 0, remote[i].err);
      assert.equal(remote[i].out, local[i].out, `case ${i}`);
      assert.equal(noRefresh[i].out, local[i].out, `case ${i} --no-refresh`);
    }
    assert.match(local[0].out, /retryWithBackoff/);
    assert.match(local[3].out, /nothing relevant found/);
    // the daemon answered: it has the index warm and holds its write lock
    const st = JSON.parse(sift(['serve', 'status', '--json']).out);
    assert.equal(st.pid, child.pid);
    assert.deepEqual(st.engines.map((e: { indexDir: string }) => e.indexDir), [indexDir]);
    assert.equal(readHolder(path.join(indexDir, 'write.lock'))?.pid, child.pid);
  });

  it('brings the index up to date before a search unless --no-refresh, and sift index goes through it', async () => {
    await serve();
    const first = sift(['search', '--no-model', '--index-dir', indexDir, '--root', root, 'shopping cart total']);
    assert.equal(first.code, 0, first.err);
    assert.match(first.err, /indexing .* first/);
    fs.writeFileSync(path.join(root, 'src', 'cart.ts'), '/** The total price of a shopping cart. */\nexport function cartTotal(items: { price: number }[]) {\n  return items.reduce((s, i) => s + i.price, 0);\n}\n');
    const stale = sift(['search', '--no-model', '--index-dir', indexDir, '--root', root, '--no-refresh', '--json', 'cartTotal']);
    assert.deepEqual(JSON.parse(stale.out).results, []);
    const fresh = sift(['search', '--no-model', '--index-dir', indexDir, '--root', root, '--json', 'cartTotal']);
    assert.equal(JSON.parse(fresh.out).results[0]?.name, 'cartTotal');
    fs.rmSync(path.join(root, 'src', 'cart.ts'));
    const idx = sift(['index', '--no-model', '--index-dir', indexDir, root]);
    assert.equal(idx.code, 0, idx.err);
    assert.match(idx.out, /indexed 2 files, \d+ chunks .*\(0 new or changed, 1 removed/);
    const json = JSON.parse(sift(['index', '--no-model', '--index-dir', indexDir, '--json', root]).out);
    assert.equal(json.files, 2);
    assert.equal(json.indexDir, indexDir);
  });

  it('while it holds an index, an in-process search warns and searches it as loaded; an in-process index fails naming it', async () => {
    const { child } = await serve();
    assert.equal(sift(['index', '--no-model', '--index-dir', indexDir, root]).code, 0); // through the daemon: it holds the lock now
    assert.equal(readHolder(path.join(indexDir, 'write.lock'))?.pid, child.pid);
    const s = sift(['search', '--no-daemon', '--no-model', '--index-dir', indexDir, '--root', root, 'retry']);
    assert.equal(s.code, 0, s.err);
    assert.match(s.out, /retryWithBackoff/);
    assert.match(s.err, new RegExp(`warning: .*held by process ${child.pid} .*; searching the index as loaded`));
    const i = sift(['index', '--no-daemon', '--no-model', '--index-dir', indexDir, root]);
    assert.equal(i.code, 4);
    assert.match(i.err, new RegExp(`write\\.lock is held by process ${child.pid} on `));
  });

  it('makes its folder 0700 and its socket 0600, and refuses a folder others may write to', async () => {
    await serve();
    assert.equal(fs.statSync(run).mode & 0o777, 0o700);
    assert.equal(fs.statSync(sock()).mode & 0o777, 0o600);
    const open = path.join(tmp, 'open');
    fs.mkdirSync(open, { mode: 0o777 });
    fs.chmodSync(open, 0o777);
    const refused = sift(['serve'], { SIFT_RUNTIME_DIR: open });
    assert.equal(refused.code, 1);
    assert.match(refused.err, /may be written by other users \(mode 777\).*chmod 700/);
    assert.equal(fs.existsSync(path.join(open, 'sift.sock')), false);
    const viaDaemon = sift(['search', '--daemon', '--no-model', '--root', root, 'retry'], { SIFT_RUNTIME_DIR: open });
    assert.equal(viaDaemon.code, 1);
    assert.match(viaDaemon.err, /may be written by other users/);
    // without --daemon the search is answered in-process
    const local = sift(['search', '--no-model', '--root', root, 'retry'], { SIFT_RUNTIME_DIR: open });
    assert.equal(local.code, 0, local.err);
    assert.match(local.out, /retryWithBackoff/);
    if (process.getuid?.() === 0) {
      // a folder of another user (root can make one)
      const theirs = path.join(tmp, 'theirs');
      fs.mkdirSync(theirs, { mode: 0o700 });
      fs.chownSync(theirs, 12345, 12345);
      const r = sift(['serve'], { SIFT_RUNTIME_DIR: theirs });
      assert.equal(r.code, 1);
      assert.match(r.err, /belongs to user 12345, not to you/);
    }
  });

  it('refuses to start a second daemon on the same socket, naming the first', async () => {
    const { child } = await serve();
    const second = sift(['serve']);
    assert.equal(second.code, 1);
    assert.match(second.err, new RegExp(`already running \\(process ${child.pid}`));
    assert.ok(await answers(), 'the first one still answers');
  });

  it('stops after its idle time, removing its socket and giving back its locks', async () => {
    const { child, log } = await serve(['--idle-timeout', '1s']);
    assert.equal(sift(['search', '--no-model', '--index-dir', indexDir, '--root', root, 'retry']).code, 0);
    assert.equal(readHolder(path.join(indexDir, 'write.lock'))?.pid, child.pid);
    await exited(child);
    assert.equal(child.exitCode, 0);
    assert.match(log(), /stopping: idle for 1 s/);
    assert.deepEqual(fs.readdirSync(run), []);
    assert.equal(fs.existsSync(path.join(indexDir, 'write.lock')), false);
  });

  it('removes its socket on SIGTERM and on a stop request', async () => {
    const a = await serve();
    a.child.kill('SIGTERM');
    await exited(a.child);
    assert.equal(fs.existsSync(sock()), false);
    const b = await serve();
    const stop = sift(['serve', 'stop']);
    assert.equal(stop.code, 0);
    await exited(b.child);
    assert.equal(fs.existsSync(sock()), false);
    assert.match(sift(['serve', 'status']).out, /not running/);
  });

  it('after a crash (kill -9), a new daemon takes over the stale socket and the stale write lock', async () => {
    const a = await serve();
    assert.equal(sift(['search', '--no-model', '--index-dir', indexDir, '--root', root, 'retry']).code, 0);
    a.child.kill('SIGKILL');
    await exited(a.child);
    assert.ok(fs.existsSync(sock()), 'a killed daemon leaves its socket');
    assert.equal(readHolder(path.join(indexDir, 'write.lock'))?.pid, a.child.pid, 'and its write lock');
    // clients meanwhile answer in-process
    const meanwhile = sift(['search', '--no-model', '--index-dir', indexDir, '--root', root, 'retry']);
    assert.equal(meanwhile.code, 0, meanwhile.err);
    assert.match(meanwhile.out, /retryWithBackoff/);
    const b = await serve();
    const r = sift(['search', '--no-model', '--index-dir', indexDir, '--root', root, 'retry']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /retryWithBackoff/);
    assert.equal(readHolder(path.join(indexDir, 'write.lock'))?.pid, b.child.pid);
  });

  it('answers several clients at once, and several requests on one connection', async () => {
    await serve();
    const args = (q: string) => ['search', '--no-model', '--index-dir', indexDir, '--root', root, '--json', q];
    const other = path.join(tmp, 'other');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'slug.py'), SLUG);
    const runs = await Promise.all([
      siftAsync(args('retryWithBackoff')), siftAsync(args('slugify')),
      siftAsync(['search', '--no-model', '--root', other, '--json', 'slugify']), siftAsync(args('retryWithBackoff')),
    ]);
    for (const r of runs) assert.equal(r.code, 0, r.err);
    assert.deepEqual(runs.map((r) => JSON.parse(r.out).results[0]?.name), ['retryWithBackoff', 'slugify', 'slugify', 'retryWithBackoff']);
    const replies = await rpc([
      { id: 1, type: 'search', engine: spec(), query: 'retryWithBackoff', refresh: false, output: 'response' },
      { id: 2, type: 'search', engine: spec(), query: 'slugify', refresh: false, output: 'json' },
      { id: 3, type: 'status', engine: spec() },
    ]);
    const byId = new Map(replies.map((r) => [r.id, r]));
    const v1 = byId.get(1)!.value as { response: { hits: Array<{ name: string }> } };
    assert.equal(v1.response.hits[0].name, 'retryWithBackoff');
    assert.equal(JSON.parse((byId.get(2)!.value as { stdout: string }).stdout).results[0].name, 'slugify');
    assert.equal((byId.get(3)!.value as { files: number }).files, 2);
    // without --index-dir the daemon uses the folder the in-process CLI would (the client's cache home)
    const dirs = JSON.parse(sift(['serve', 'status', '--json']).out).engines.map((e: { indexDir: string }) => e.indexDir).sort();
    assert.deepEqual(dirs, [indexDir, defaultIndexDir([other], path.join(tmp, 'cache'))].sort());
  });

  it('while one root set is being indexed, searches of another, and --no-refresh searches of it (partial), answer at once', async () => {
    await serve();
    assert.equal(sift(['index', '--no-model', '--index-dir', indexDir, root]).code, 0);
    const big = path.join(tmp, 'big');
    fs.mkdirSync(big);
    for (let i = 0; i < 4000; i++) {
      fs.writeFileSync(path.join(big, `m${i}.ts`), `export function area${i}(w: number, h: number): number {\n  return w * h + ${i};\n}\n`);
    }
    const bigSpec = { roots: [big], indexDir: path.join(tmp, 'bigindex'), runtime: 'auto', model: null };
    const order: string[] = [];
    const a = new Conn(sock());
    const b = new Conn(sock());
    try {
      let asked: Promise<unknown> | null = null;
      const indexing = a.request({ id: 1, type: 'index', engine: bigSpec, progress: true }, (e) => {
        if (asked || (e.progress as { phase: string }).phase !== 'chunk') return;
        // the big index run is under way: ask about the small root set, and about the big one as it is
        asked = Promise.all([
          b.request({ id: 2, type: 'search', engine: spec(), query: 'retryWithBackoff', refresh: false, output: 'response' }).then((r) => { order.push('other root'); return r; }),
          b.request({ id: 3, type: 'search', engine: bigSpec, query: 'area7', refresh: false, output: 'response' }).then((r) => { order.push('same root, no refresh'); return r; }),
        ]);
      }).then((r) => { order.push('index'); return r; });
      await indexing;
      assert.ok(asked, 'the index run reported its chunking phase');
      const [other, same] = await asked! as Array<Record<string, unknown>>;
      assert.deepEqual(order.slice().sort(), ['index', 'other root', 'same root, no refresh']);
      assert.equal(order[order.length - 1], 'index', order.join(' < '));
      assert.equal(((other.value as { response: { hits: Array<{ name: string }> } }).response.hits[0].name), 'retryWithBackoff');
      assert.equal((same.value as { response: { partial: boolean } }).response.partial, true);
    } finally {
      a.close();
      b.close();
    }
  });

  it('streams the index run\'s progress before the reply when asked, and warnings always', async () => {
    await serve();
    const events: Array<Record<string, unknown>> = [];
    const [reply] = await rpc([{ id: 7, type: 'index', engine: spec(), progress: true }], [], events);
    assert.equal(reply.ok, true);
    const phases = events.filter((e) => e.event === 'progress').map((e) => (e.progress as { phase: string }).phase);
    assert.ok(phases.includes('crawl') && phases.includes('done'), phases.join(','));
    assert.ok(events.every((e) => e.id === 7));
    const quiet: Array<Record<string, unknown>> = [];
    await rpc([{ id: 8, type: 'index', engine: spec() }], [], quiet);
    assert.deepEqual(quiet, [], 'no progress unless asked');
    const warned: Array<Record<string, unknown>> = [];
    const other = path.join(tmp, 'other');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'slug.py'), SLUG);
    await rpc([{ id: 9, type: 'search', engine: { ...spec(), roots: [other], indexDir: path.join(tmp, 'index2') }, query: 'slug', announce: true }], [], warned);
    assert.match(String(warned[0]?.message), /indexing .*other first/);
  });

  it('answers bad input with an error naming the problem, and survives clients that leave mid-request', async () => {
    await serve();
    const replies = await rpc([
      { type: 'ping' },
      { id: 1, type: 'frobnicate' },
      { id: 2, type: 'search', engine: spec(), query: '   ' },
      { id: 3, type: 'search', engine: { ...spec(), roots: ['relative/path'] }, query: 'x' },
      { id: 4, type: 'search', engine: spec(), query: 'x', k: 0 },
      { id: 5, type: 'search', engine: { ...spec(), roots: [path.join(tmp, 'missing')] }, query: 'x' },
      { id: 6, type: 'ping', build: 'another build' },
    ], ['this is not json', '[1,2]']);
    const messages = replies.map((r) => `${r.id}: ${(r.error as { message: string } | undefined)?.message}`);
    assert.ok(replies.every((r) => r.ok === false), messages.join('\n'));
    const text = messages.join('\n');
    assert.match(text, /null: not JSON/);
    assert.match(text, /null: a request is a JSON object/);
    assert.match(text, /null: a request needs an "id"/);
    assert.match(text, /1: unknown request type "frobnicate"/);
    assert.match(text, /2: "query" must be a non-empty string/);
    assert.match(text, /3: "engine.roots" must be absolute paths/);
    assert.match(text, /4: "k" must be a whole number from 1 to 200/);
    assert.match(text, /5: No such folder/);
    assert.match(text, /6: .*another build of sift/);
    // a client that sends a search and goes away at once
    await new Promise<void>((resolve) => {
      const c = net.connect(sock(), () => {
        c.write(JSON.stringify({ id: 1, type: 'search', engine: spec(), query: 'retry' }) + '\n');
        c.destroy();
        resolve();
      });
    });
    const after = await rpc([{ id: 9, type: 'search', engine: spec(), query: 'retryWithBackoff', output: 'json' }]);
    assert.equal(after[0].ok, true);
  });

  it('sift mcp answers through a running daemon, as it does in-process', async () => {
    const { child } = await serve();
    const mcpErr: string[] = [];
    const transport = new StdioClientTransport({
      command: process.execPath, args: [CLI, 'mcp', '--no-model', '--root', root, '--index-dir', indexDir],
      env: env as Record<string, string>, stderr: 'pipe',
    });
    transport.stderr?.on('data', (d: Buffer) => mcpErr.push(d.toString()));
    const client = new Client({ name: 'sift-serve-test', version: '0.0.0' });
    await client.connect(transport);
    try {
      const r = await client.callTool({ name: 'search_code', arguments: { query: 'retry a failing call with backoff', k: 3 } });
      const out = r.structuredContent as { results: Array<{ name: string; file: string }> };
      assert.equal(out.results[0].name, 'retryWithBackoff');
      assert.equal(out.results[0].file, 'src/retry.ts');
      const st = await client.callTool({ name: 'index_status', arguments: {} });
      assert.equal((st.structuredContent as { files: number }).files, 2);
      assert.match(mcpErr.join(''), new RegExp(`held by sift serve, process ${child.pid}`));
      assert.deepEqual(JSON.parse(sift(['serve', 'status', '--json']).out).engines.map((e: { indexDir: string }) => e.indexDir), [indexDir]);
    } finally {
      await client.close();
    }
  });

  it('is not asked by a client of another build; --daemon replaces it', async () => {
    const { child } = await serve();
    // a rebuild: the client's build differs from the running daemon's (the bundle's time is put back after)
    const main = path.join(path.dirname(CLI), 'cliMain.js');
    const t = fs.statSync(main);
    fs.utimesSync(main, t.atime, new Date(t.mtime.getTime() + 5000));
    try {
      const args = ['search', '--no-model', '--index-dir', indexDir, '--root', root, 'retry'];
      const local = sift(args);
      assert.equal(local.code, 0, local.err);
      assert.match(local.out, /retryWithBackoff/);
      assert.match(local.err, new RegExp(`sift serve \\(process ${child.pid}\\) runs another build of sift .*; answering in this process`));
      assert.deepEqual(JSON.parse(sift(['serve', 'status', '--json']).out).engines, [], 'answered in-process');
      const r = sift([...args, '--daemon']);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, local.out);
      await exited(child);
      const st = JSON.parse(sift(['serve', 'status', '--json']).out);
      assert.notEqual(st.pid, child.pid);
    } finally {
      fs.utimesSync(main, t.atimeMs / 1000, t.mtimeMs / 1000);
    }
  });

  it('--daemon starts one in the background when none runs, logging beside the socket', async () => {
    const local = sift(['search', '--no-model', '--index-dir', indexDir, '--root', root, '--no-daemon', 'retry']);
    const r = sift(['search', '--daemon', '--no-model', '--index-dir', indexDir, '--root', root, 'retry']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, local.out);
    assert.equal(fs.statSync(sock()).mode & 0o777, 0o600);
    const st = JSON.parse(sift(['serve', 'status', '--json']).out);
    assert.equal(st.running, true);
    assert.match(fs.readFileSync(path.join(run, 'serve.log'), 'utf8'), /listening on/);
    assert.equal(sift(['serve', 'stop']).code, 0);
    for (let i = 0; i < 200 && fs.existsSync(sock()); i++) await sleep(25);
    assert.equal(fs.existsSync(sock()), false);
  });
});

/** One connection to the daemon: requests by id, their events to a callback. */
class Conn {
  private readonly c: net.Socket;
  private buf = '';
  private readonly waiting = new Map<unknown, { resolve: (r: Record<string, unknown>) => void; onEvent?: (e: Record<string, unknown>) => void }>();
  constructor(socket: string) {
    this.c = net.connect(socket);
    this.c.on('data', (d) => {
      this.buf += d.toString();
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const m = JSON.parse(this.buf.slice(0, nl)) as Record<string, unknown>;
        this.buf = this.buf.slice(nl + 1);
        const w = this.waiting.get(m.id);
        if (!w) continue;
        if (m.event) w.onEvent?.(m);
        else { this.waiting.delete(m.id); w.resolve(m); }
      }
    });
  }
  request(req: Record<string, unknown>, onEvent?: (e: Record<string, unknown>) => void): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      this.waiting.set(req.id, { resolve, onEvent });
      this.c.write(JSON.stringify(req) + '\n');
    });
  }
  close(): void { this.c.end(); }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}
