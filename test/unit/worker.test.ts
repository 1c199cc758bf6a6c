import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EventSource, LogEvent } from '../../src/core/learn/types';
import type { IndexProgress, IndexStats } from '../../src/core/types';
import { globsFromExcludeSetting, mergeGlobs } from '../../src/vscode/excludeGlobs';
import { Indexer, type IndexerBackend, type IndexerEvent } from '../../src/vscode/indexer';
import { isCancelled, WorkerClient, WorkerRequestError, type Clock, type RequestHandle, type WorkerState } from '../../src/vscode/workerClient';
import type { CrawlConfig, UpdateResult, WorkerConfig, WorkerMessage } from '../../src/worker/protocol';

// ---- helpers ---------------------------------------------------------------

const WORKER_TS = path.resolve(__dirname, '../../src/worker/worker.ts');
const TSX = require.resolve('tsx/cjs');

/** The worker from its TypeScript source: tsx compiles it inside the thread. */
function spawnTsWorker(testHooks = true): Worker {
  return new Worker(`require(${JSON.stringify(TSX)}); require(${JSON.stringify(WORKER_TS)});`, { eval: true, workerData: { testHooks } });
}

function tmpDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `sift-worker-${tag}-`));
}

function write(root: string, rel: string, text: string): string {
  const abs = path.join(root, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, text);
  return abs;
}

function makeWorkspace(): string {
  const root = tmpDir('ws');
  write(root, 'src/util/duration.py', `"""Helpers for durations."""

def parse_duration(text):
    """Turn strings such as '5m' or '2h' into seconds."""
    unit = text[-1]
    return int(text[:-1]) * {'s': 1, 'm': 60, 'h': 3600}[unit]
`);
  write(root, 'src/auth/session.ts', `/** Checks that the bearer token of a request is valid and not expired. */
export function validateJwtToken(token: string, secret: string): boolean {
  return token.length > 0 && secret.length > 0;
}
`);
  write(root, 'net/retry.go', `package net

// RetryWithBackoff calls fn until it succeeds, sleeping longer after each failure.
func RetryWithBackoff(fn func() error, attempts int) error {
	var err error
	for i := 0; i < attempts; i++ {
		if err = fn(); err == nil {
			return nil
		}
	}
	return err
}
`);
  write(root, 'README.md', '# Demo\n\nA demo workspace.\n');
  return root;
}

const CRAWL: CrawlConfig = { include: [], exclude: [], respectGitignore: true, maxFileBytes: 1_000_000 };

function configFor(root: string): WorkerConfig {
  return { roots: [root], indexDir: path.join(tmpDir('idx'), 'index'), model: null, crawl: CRAWL };
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof WorkerRequestError, `expected a WorkerRequestError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

function waitForState(client: WorkerClient, kind: WorkerState['kind']): Promise<WorkerState> {
  if (client.state.kind === kind) return Promise.resolve(client.state);
  return new Promise((resolve) => {
    const off = client.onStateChange((s) => { if (s.kind === kind) { off(); resolve(s); } });
  });
}

// ---- the worker over the real protocol -------------------------------------

describe('worker protocol (a real worker thread running the engine)', function () {
  this.timeout(60000);
  let root: string;
  let client: WorkerClient;
  let spawned: Worker[];

  beforeEach(() => {
    root = makeWorkspace();
    spawned = [];
    client = new WorkerClient({
      spawn: () => { const w = spawnTsWorker(); spawned.push(w); return w; },
      restart: { firstDelayMs: 20, maxDelayMs: 50, maxConsecutive: 2 },
    });
  });
  afterEach(async () => { await client.dispose(); });

  it('opens, indexes with progress events, searches and reports status', async () => {
    const open = await client.configure(configFor(root));
    assert.equal(open.state, 'new');
    assert.equal(open.mode, 'keyword');
    const progress: IndexProgress[] = [];
    const stats = await client.request('index', {}, { onProgress: (p) => progress.push(p) });
    assert.equal(stats.files, 4);
    assert.ok(stats.chunks >= 4, `chunks ${stats.chunks}`);
    assert.equal(progress[0].phase, 'crawl');
    assert.equal(progress[progress.length - 1].phase, 'done');
    assert.ok(progress.some((p) => p.phase === 'chunk' && p.filesTotal === 4));

    const res = await client.request('search', { search: { query: 'parse duration', k: 5 } });
    assert.equal(res.mode, 'keyword');
    assert.equal(res.hits[0].name, 'parse_duration');
    assert.equal(res.hits[0].file, 'src/util/duration.py');
    assert.equal(res.hits[0].root, root);

    const filtered = await client.request('search', { search: { query: 'validateJwtToken', languages: ['python'], showWeak: true } });
    assert.ok(filtered.hits.every((h) => h.language === 'python'));

    // the relevance threshold reaches the engine: 0 keeps every ranked hit, 1 none
    const all = await client.request('search', { search: { query: 'parse duration', k: 5, threshold: 0 } });
    const none = await client.request('search', { search: { query: 'parse duration', k: 5, threshold: 1 } });
    assert.ok(all.hits.length >= res.hits.length && all.hits.length > 0);
    assert.equal(none.hits.length, 0);
    assert.equal(none.noRelevant, true);
    await rejectsWith(client.request('search', { search: { query: 'parse duration', threshold: 2 } }), 'badRequest');

    const status = await client.request('status', {});
    assert.equal(status.files, 4);
    assert.equal(status.chunks, stats.chunks);
    assert.equal(status.mode, 'keyword');
    assert.ok(status.lastUpdated !== null, 'index saved');
  });

  it('adapts in the background, records every attempt, and resets (adapt, adaptations, resetAdaptation)', async () => {
    await client.configure({ ...configFor(root), model: 'auto' });
    await client.request('index', {});
    // three documented units: too few to adapt, refused and recorded
    const [zero, during] = await Promise.all([
      client.request('adapt', { adaptKind: 'zero-click' }),
      client.request('search', { search: { query: 'retry with backoff', k: 3 } }),
    ]);
    assert.equal(zero.kind, 'zero-click');
    assert.equal(zero.kept, false);
    assert.match(zero.reason, /fewer than/);
    assert.equal(during.hits[0]?.name, 'RetryWithBackoff', 'searches answer while adaptation is queued');
    // clicks from a log folder: an empty log teaches nothing
    const logDir = tmpDir('log');
    const clicks = await client.request('adapt', { adaptKind: 'clicks', logDir });
    assert.equal(clicks.kind, 'clicks');
    assert.equal(clicks.kept, false);
    await rejectsWith(client.request('adapt', { adaptKind: 'clicks' } as never), 'badRequest');
    await rejectsWith(client.request('adapt', { adaptKind: 'sometimes' } as never), 'badRequest');
    const reset = await client.request('resetAdaptation', {});
    assert.equal(reset.kind, 'reset');
    const { history, active } = await client.request('adaptations', {});
    assert.deepEqual(history.map((h) => h.kind), ['zero-click', 'clicks', 'reset']);
    assert.equal(active, false);
  });

  it('replays a search log against the index it holds (replayLog), and stops when cancelled', async () => {
    await client.configure(configFor(root));
    await client.request('index', {});
    const ts = (m: number) => new Date(Date.UTC(2025, 0, 6, 9, m)).toISOString();
    const result = (file: string, line: number, name: string, rank: number) => ({ root, file, line, name, rank, kind: 'function' as const, score: 0.5 });
    const search = (id: string, m: number, query: string, results: ReturnType<typeof result>[], source: EventSource = 'quickPick'): LogEvent => ({
      t: 'search', id, ts: ts(m), source, query, mode: 'keyword', results, answerSize: results.length, noRelevant: false, showWeak: false, partial: false, latencyMs: 5,
    });
    const open = (searchId: string, m: number, rank: number, r: ReturnType<typeof result>): LogEvent => ({
      t: 'open', ts: ts(m), searchId, source: 'quickPick', rank, ref: { root: r.root, file: r.file, line: r.line, name: r.name },
    });
    const duration = result('src/util/duration.py', 3, 'parse_duration', 2);
    const gone = result('src/old/removed.ts', 1, 'removedHelper', 1);
    const events: LogEvent[] = [
      // opened at rank 2 back then; the index now ranks it first
      search('s1', 0, 'parse duration', [result('net/retry.go', 4, 'RetryWithBackoff', 1), duration]),
      open('s1', 1, 2, duration),
      // the opened chunk is no longer in the index
      search('s2', 5, 'removed helper', [gone]),
      open('s2', 6, 1, gone),
      // "find similar" is not replayed
      search('s3', 9, 'def parse_duration(text):', [duration], 'findSimilar'),
    ];
    const report = await client.request('replayLog', { events, bucket: 'day' });
    assert.equal(report.replayed, 2);
    assert.equal(report.skipped.findSimilar, 1);
    assert.equal(report.bucket, 'day');
    assert.equal(report.k, 10);
    const [s1, s2] = report.searches;
    assert.equal(s1.rankThen, 2);
    assert.equal(s1.rankNow, 1);
    assert.equal(s1.match, 'exact');
    assert.equal(s2.rankNow, null);
    assert.equal(s2.gone, true);
    assert.equal(report.total.mrr10Then, 0.75);
    assert.equal(report.total.mrr10Now, 0.5);
    assert.equal(report.total.gone, 1);
    assert.deepEqual(report.summary, { replayed: 2, mrr10Then: 0.75, mrr10Now: 0.5, gone: 1 });

    // malformed requests are refused, as data
    await rejectsWith(client.request('replayLog', { events: [{ t: 'search', ts: ts(0) }] as never }), 'badRequest');
    await rejectsWith(client.request('replayLog', { events: 'all' as never }), 'badRequest');
    await rejectsWith(client.request('replayLog', { events, k: 0 }), 'badRequest');
    await rejectsWith(client.request('replayLog', { events, threshold: 1.5 }), 'badRequest');
    await rejectsWith(client.request('replayLog', { events, bucket: 'month' as never }), 'badRequest');

    // a long replay hands the thread back between searches: a cancel sent after it stops it
    const many = Array.from({ length: 400 }, (_, i) => search(`m${i}`, i % 60, `retry query number ${i}`, []));
    const block = client.call('debugBlock', { ms: 200 });
    const long = client.call('replayLog', { events: many });
    const alongside = client.call('search', { search: { query: 'retry backoff' } });
    long.cancel();
    await block.result;
    await rejectsWith(long.result, 'cancelled');
    assert.equal((await alongside.result).hits[0].name, 'RetryWithBackoff');
  });

  it('answers failures as data: bad query, not configured, bad folder, malformed message', async () => {
    await rejectsWith(client.request('search', { search: { query: 'anything' } }), 'notConfigured');
    await rejectsWith(client.configure({ ...configFor(root), roots: [path.join(root, 'missing')] }), 'badConfig');
    await client.configure(configFor(root));
    await rejectsWith(client.request('search', { search: { query: '   ' } }), 'badQuery');

    // a raw message the client would never send
    const worker = spawned[spawned.length - 1];
    const answer = new Promise<WorkerMessage>((resolve) => {
      worker.on('message', (m: WorkerMessage) => { if (m.kind === 'response' && m.id === 4242) resolve(m); });
    });
    worker.postMessage({ kind: 'request', id: 4242, type: 'search', search: { query: 42 } });
    const m = await answer;
    assert.ok(m.kind === 'response' && !m.ok);
    assert.equal(m.kind === 'response' && !m.ok ? m.error.code : '', 'badRequest');
    // still serving afterwards
    assert.equal((await client.request('status', {})).files, 0);
  });

  it('drops a stale search: a newer one in the same lane cancels it, and cancel() stops one', async () => {
    await client.configure(configFor(root));
    await client.request('index', {});
    // block the worker so the requests below queue up and reach it together
    const block = client.call('debugBlock', { ms: 300 });
    const stale = client.call('search', { search: { query: 'retry backoff' }, lane: 'ui' });
    const fresh = client.call('search', { search: { query: 'parse duration' }, lane: 'ui' });
    const other = client.call('search', { search: { query: 'retry backoff' }, lane: 'sidebar' });
    const dropped = client.call('search', { search: { query: 'validate token' } });
    dropped.cancel();
    await block.result;
    await rejectsWith(stale.result, 'cancelled');
    await rejectsWith(dropped.result, 'cancelled');
    assert.equal((await fresh.result).hits[0].name, 'parse_duration');
    assert.equal((await other.result).hits[0].name, 'RetryWithBackoff');
  });

  it('cancels an index job; the next run completes it', async () => {
    await client.configure(configFor(root));
    const block = client.call('debugBlock', { ms: 200 });
    const job = client.call('index', {});
    job.cancel();
    await block.result;
    await rejectsWith(job.result, 'cancelled');
    const stats = await client.request('index', {});
    assert.equal(stats.files, 4);
  });

  it('updates changed files, leaving out excluded and ignored ones', async () => {
    await client.configure(configFor(root));
    await client.request('index', {});
    write(root, '.gitignore', 'generated/\n');
    const added = write(root, 'src/billing/invoice.ts', 'export function computeInvoiceTotal(lines: number[]): number {\n  return lines.reduce((a, b) => a + b, 0);\n}\n');
    const vendored = write(root, 'node_modules/lib/index.ts', 'export function computeInvoiceTotalVendored() {}\n');
    const ignored = write(root, 'generated/invoice.ts', 'export function computeInvoiceTotalGenerated() {}\n');
    const res: UpdateResult = await client.request('update', { paths: [added, vendored, ignored] });
    assert.equal(res.updated, 1);
    assert.equal(res.ignored, 2);
    assert.equal(res.crawled, false);
    assert.equal(res.stats.changedFiles, 1);
    const found = await client.request('search', { search: { query: 'computeInvoiceTotal', showWeak: true } });
    assert.deepEqual(found.hits.map((h) => h.file), ['src/billing/invoice.ts']);

    fs.rmSync(added);
    const gone = await client.request('update', { paths: [added] });
    assert.equal(gone.stats.removedFiles, 1);

    // a removed folder is not reported file by file: the worker crawls instead
    fs.rmSync(path.join(root, 'net'), { recursive: true });
    const folder = await client.request('update', { paths: [path.join(root, 'net')] });
    assert.equal(folder.crawled, true);
    assert.equal(folder.stats.files, 3);
  });

  it('restarts a crashed worker, re-opens the index, and gives up after repeated crashes', async () => {
    await client.configure(configFor(root));
    await client.request('index', {});
    const states: string[] = [];
    client.onStateChange((s) => states.push(s.kind));
    await rejectsWith(client.request('debugCrash', {}), 'crashed');
    assert.equal(states[0], 'restarting');
    // requests made during the backoff wait for the new worker, which gets the folders again
    const after = await client.request('search', { search: { query: 'parse duration' } });
    assert.equal(after.hits[0].name, 'parse_duration');
    assert.equal(client.state.kind, 'running');
    assert.equal(client.state.kind === 'running' ? client.state.restarts : -1, 1);
    assert.equal(spawned.length, 2);

    // crashing again and again: after maxConsecutive (2) restarts it stops
    await rejectsWith(client.request('debugCrash', {}), 'crashed');
    await rejectsWith(client.request('debugCrash', {}), 'gaveUp');
    await waitForState(client, 'failed');
    // asking again starts a fresh worker
    const fresh = await client.request('status', {});
    assert.equal(fresh.open.state, 'loaded', JSON.stringify(fresh.open));
    assert.equal(fresh.files, 4);
  });

  it('refuses the test hooks in a worker started without them', async () => {
    const plain = new WorkerClient({ spawn: () => spawnTsWorker(false) });
    try {
      await rejectsWith(plain.request('debugCrash', {}), 'badRequest');
    } finally {
      await plain.dispose();
    }
  });
});

// ---- the scheduler, with a fake clock --------------------------------------

class FakeClock implements Clock {
  private t = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 1;
  now(): number { return this.t; }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(h: unknown): void { this.timers = this.timers.filter((x) => x.id !== h); }
  get pending(): number { return this.timers.length; }
  /** Moves time forward, running the timers that fall due, in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = due.at;
      due.fn();
    }
    this.t = end;
  }
}

interface FakeJob {
  kind: 'full' | 'update';
  rebuild: boolean;
  paths: string[];
  cancelled: boolean;
  resolve(): void;
  reject(e: Error): void;
}

const STATS: IndexStats = { roots: [], files: 0, chunks: 0, skipped: [], changedFiles: 0, removedFiles: 0, embeddedChunks: 0, model: null, chunkThreads: 0, tookMs: 0 };

class FakeBackend implements IndexerBackend {
  jobs: FakeJob[] = [];
  private make<T>(kind: 'full' | 'update', paths: string[], rebuild: boolean, value: T): RequestHandle<T> {
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const result = new Promise<T>((res, rej) => { resolve = () => res(value); reject = rej; });
    result.catch(() => undefined);
    const job: FakeJob = { kind, paths, rebuild, cancelled: false, resolve, reject };
    this.jobs.push(job);
    return {
      id: this.jobs.length,
      result,
      cancel: () => { job.cancelled = true; reject(new WorkerRequestError('cancelled', 'cancelled')); },
    };
  }
  index(opts: { rebuild: boolean }): RequestHandle<IndexStats> { return this.make('full', [], opts.rebuild, STATS); }
  update(paths: string[]): RequestHandle<UpdateResult> {
    return this.make('update', paths, false, { stats: STATS, updated: paths.length, ignored: 0, crawled: false });
  }
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Indexer (debounce, batching, pause)', () => {
  let clock: FakeClock;
  let backend: FakeBackend;
  let events: IndexerEvent[];
  let indexer: Indexer;

  beforeEach(() => {
    clock = new FakeClock();
    backend = new FakeBackend();
    events = [];
    indexer = new Indexer({ backend, clock, debounceMs: 500, maxWaitMs: 5000, fullIndexThreshold: 500, onEvent: (e) => events.push(e) });
  });

  it('coalesces a burst of 300 events (with repeats) into one update after the quiet period', async () => {
    for (let i = 0; i < 600; i++) indexer.notifyChanged(`/ws/src/f${i % 300}.ts`);
    clock.advance(499);
    assert.equal(backend.jobs.length, 0, 'nothing before the debounce elapses');
    clock.advance(1);
    assert.equal(backend.jobs.length, 1);
    assert.equal(backend.jobs[0].kind, 'update');
    assert.equal(backend.jobs[0].paths.length, 300);
  });

  it('turns 2,000 events (a branch switch) into one full index, not 2,000 jobs', async () => {
    for (let i = 0; i < 2000; i++) { indexer.notifyChanged(`/ws/src/file${i}.ts`); clock.advance(1); }
    clock.advance(500);
    assert.equal(backend.jobs.length, 1);
    assert.equal(backend.jobs[0].kind, 'full');
    backend.jobs[0].resolve();
    await settle();
    assert.equal(backend.jobs.length, 1, 'no follow-up job');
    await indexer.whenIdle();
  });

  it('does not wait forever while events keep coming (max wait)', () => {
    for (let t = 0; t < 10_000; t += 100) { indexer.notifyChanged(`/ws/a${t}.ts`); clock.advance(100); }
    assert.ok(backend.jobs.length >= 1, 'a batch ran within the max wait');
    assert.ok(backend.jobs[0].paths.length <= 51, `first batch ${backend.jobs[0].paths.length}`);
  });

  it('runs one job at a time; events during a job become one follow-up batch', async () => {
    indexer.requestFullIndex();
    assert.equal(backend.jobs.length, 1);
    indexer.notifyChanged('/ws/a.ts');
    indexer.notifyChanged('/ws/b.ts');
    clock.advance(600);
    assert.equal(backend.jobs.length, 1, 'waits for the running job');
    backend.jobs[0].resolve();
    await settle();
    assert.equal(backend.jobs.length, 2);
    assert.deepEqual(backend.jobs[1].paths.sort(), ['/ws/a.ts', '/ws/b.ts']);
    let idle = false;
    void indexer.whenIdle().then(() => { idle = true; });
    await settle();
    assert.equal(idle, false, 'not idle while the update runs');
    backend.jobs[1].resolve();
    await settle();
    assert.equal(idle, true);
    assert.deepEqual(events.filter((e) => e.type === 'done').map((e) => (e as { job: string }).job), ['full', 'update']);
  });

  it('a change to an ignore file re-indexes everything', () => {
    indexer.notifyChanged('/ws/src/x.ts');
    indexer.notifyChanged('/ws/.gitignore');
    assert.equal(backend.jobs.length, 1);
    assert.equal(backend.jobs[0].kind, 'full');
    clock.advance(1000);
    assert.equal(backend.jobs.length, 1, 'the pending update was folded into the full index');
  });

  it('pause stops the running job and holds work; resume runs it again', async () => {
    indexer.requestFullIndex({ rebuild: true });
    indexer.pause();
    assert.equal(backend.jobs[0].cancelled, true);
    await settle();
    await indexer.whenIdle(); // paused: resolves once nothing runs
    indexer.notifyChanged('/ws/a.ts');
    clock.advance(1000);
    assert.equal(backend.jobs.length, 1, 'nothing starts while paused');
    assert.equal(indexer.busy, true, 'work is queued');
    indexer.resume();
    assert.equal(backend.jobs.length, 2);
    assert.equal(backend.jobs[1].kind, 'full');
    assert.equal(backend.jobs[1].rebuild, true, 'the interrupted rebuild is resumed');
    backend.jobs[1].resolve();
    await settle();
    await indexer.whenIdle();
    assert.equal(indexer.busy, false, 'the full index covered the queued change');
    assert.deepEqual(events.map((e) => e.type).filter((t) => t === 'paused' || t === 'resumed'), ['paused', 'resumed']);
  });

  it('re-queues work lost to a worker crash, but not work that failed', async () => {
    indexer.notifyChanged('/ws/a.ts');
    clock.advance(500);
    backend.jobs[0].reject(new WorkerRequestError('crashed', 'worker died'));
    await settle();
    assert.equal(backend.jobs.length, 2, 'retried');
    assert.deepEqual(backend.jobs[1].paths, ['/ws/a.ts']);
    backend.jobs[1].reject(new WorkerRequestError('badConfig', 'Invalid glob "["'));
    await settle();
    assert.equal(backend.jobs.length, 2, 'a failure is not retried in a loop');
    const failed = events.find((e) => e.type === 'failed');
    assert.ok(failed && failed.type === 'failed' && /Invalid glob/.test(failed.error.message));
    assert.equal(isCancelled(new WorkerRequestError('cancelled', 'x')), true);
    await indexer.whenIdle();
  });

  it('whenIdle waits for the deferred first index and for pending events', async () => {
    indexer.requestFullIndex({ defer: true });
    let idle = false;
    void indexer.whenIdle().then(() => { idle = true; });
    clock.advance(0);
    assert.equal(backend.jobs.length, 1);
    backend.jobs[0].resolve();
    await settle();
    assert.equal(idle, true);
    indexer.notifyChanged('/ws/a.ts');
    idle = false;
    void indexer.whenIdle().then(() => { idle = true; });
    await settle();
    assert.equal(idle, false, 'a debounced event counts as queued work');
    clock.advance(500);
    backend.jobs[1].resolve();
    await settle();
    assert.equal(idle, true);
  });
});

describe('exclude settings → crawler globs', () => {
  it('takes the globs switched on, leaving out false, when-clauses and negations', () => {
    const globs = globsFromExcludeSetting({
      '**/.git': true, '**/node_modules': true, '**/*.snap': false, '**/*.js': { when: '$(basename).ts' }, '!keep/**': true, '  ': true,
    });
    assert.deepEqual(globs, ['**/.git', '**/node_modules']);
    assert.deepEqual(globsFromExcludeSetting(undefined), []);
    assert.deepEqual(globsFromExcludeSetting(['**/x']), []);
  });

  it('merges lists without duplicates or non-strings', () => {
    assert.deepEqual(mergeGlobs(['a', ' b ', 'a'], [3, 'c', 'b', '']), ['a', 'b', 'c']);
  });
});
