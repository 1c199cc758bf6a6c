// The team index overlaid with the local changes (src/core/team/overlay.ts and
// teamSearch.ts): stale team hits dropped, local hits kept only in changed
// files, one order by calibrated score, the relevance verdict recomputed.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Engine } from '../../src/core/engine';
import type { SearchRequest, SimilarRequest, TeamSearchResponse } from '../../src/core/team/api';
import type { TeamClient } from '../../src/core/team/client';
import { mergeTeamAndLocal, teamAskK } from '../../src/core/team/overlay';
import { syncOverlay } from '../../src/core/team/overlayIndex';
import { overlaySearch, repoRelative, type LocalQuery } from '../../src/core/team/teamSearch';
import type { SearchHit, SearchResponse } from '../../src/core/types';
import { WorkerClient } from '../../src/vscode/workerClient';

function hit(file: string, name: string, score: number, root = ''): SearchHit {
  return {
    file, root, startLine: 1, endLine: 3, declLine: 1, name, kind: 'function', language: 'typescript',
    signature: `function ${name}()`, score, matchedTerms: [], snippet: `function ${name}() {}`,
  };
}

function teamAnswer(hits: SearchHit[], extra: Partial<TeamSearchResponse> = {}): TeamSearchResponse {
  return { repo: 'app', branch: 'main', head: 'abc123', mode: 'hybrid', noRelevant: hits.length === 0, hits, partial: false, tookMs: 12, ...extra };
}

function localAnswer(hits: SearchHit[], extra: Partial<SearchResponse> = {}): SearchResponse {
  return { mode: 'hybrid', noRelevant: hits.length === 0, hits, partial: false, tookMs: 3, ...extra };
}

const names = (r: { hits: SearchHit[] }) => r.hits.map((h) => `${h.name}:${h.origin}`);

describe('team overlay: mergeTeamAndLocal', () => {
  it('drops team hits in changed files, adds local hits there, and orders all by score', () => {
    const team = teamAnswer([hit('src/auth.ts', 'verifyOld', 0.9), hit('src/db.ts', 'connect', 0.7), hit('src/cache.ts', 'evict', 0.4)]);
    const local = localAnswer([hit('src/auth.ts', 'verifyNew', 0.8), hit('src/db.ts', 'connectLocal', 0.5)]);
    const r = mergeTeamAndLocal(team, local, new Set(['src/auth.ts']), 10);
    // verifyOld is stale (auth.ts changed here); connectLocal is in an unchanged file: the team answers for db.ts
    assert.deepEqual(names(r), ['verifyNew:local', 'connect:team', 'evict:team']);
    assert.equal(r.noRelevant, false);
    assert.deepEqual([r.repo, r.branch, r.head, r.mode], ['app', 'main', 'abc123', 'hybrid']);
  });

  it('a deleted file (changed, no local hits) takes its team hits away', () => {
    const team = teamAnswer([hit('src/gone.ts', 'removed', 0.95), hit('src/kept.ts', 'kept', 0.3)]);
    const r = mergeTeamAndLocal(team, localAnswer([]), new Set(['src/gone.ts']), 10);
    assert.deepEqual(names(r), ['kept:team']);
  });

  it('keeps k', () => {
    const team = teamAnswer([hit('a.ts', 'a', 0.9), hit('b.ts', 'b', 0.6), hit('c.ts', 'c', 0.3)]);
    const local = localAnswer([hit('d.ts', 'd', 0.7), hit('e.ts', 'e', 0.5)]);
    const r = mergeTeamAndLocal(team, local, new Set(['d.ts', 'e.ts']), 3);
    assert.deepEqual(names(r), ['a:team', 'd:local', 'b:team']);
  });

  it('is relevant when a local hit is, though the team found nothing relevant', () => {
    const team = teamAnswer([], { noRelevant: true });
    const local = localAnswer([hit('new.ts', 'brandNew', 0.6)]);
    const r = mergeTeamAndLocal(team, local, new Set(['new.ts']), 10);
    assert.equal(r.noRelevant, false);
    assert.deepEqual(names(r), ['brandNew:local']);
  });

  it('is "nothing relevant" when every relevant team hit was in a changed file and the local side found none', () => {
    const team = teamAnswer([hit('x.ts', 'stale', 0.8)]);
    const local = localAnswer([], { noRelevant: true });
    const r = mergeTeamAndLocal(team, local, new Set(['x.ts']), 10);
    assert.equal(r.noRelevant, true);
    assert.deepEqual(r.hits, []);
  });

  it('shows weak hits only when nothing is relevant and showWeak asks, and never mixes them under relevant ones', () => {
    // the team's weak closest matches (it said noRelevant), the local side a relevant hit
    const team = teamAnswer([hit('w.ts', 'weakTeam', 0.2)], { noRelevant: true });
    const local = localAnswer([hit('n.ts', 'strongLocal', 0.5)]);
    const both = mergeTeamAndLocal(team, local, new Set(['n.ts']), 10, { showWeak: true });
    assert.deepEqual(names(both), ['strongLocal:local']);
    assert.equal(both.noRelevant, false);
    const weakOnly = mergeTeamAndLocal(team, localAnswer([hit('n.ts', 'weakLocal', 0.1)], { noRelevant: true }), new Set(['n.ts']), 10, { showWeak: true });
    assert.deepEqual(names(weakOnly), ['weakTeam:team', 'weakLocal:local']);
    assert.equal(weakOnly.noRelevant, true);
    const hidden = mergeTeamAndLocal(team, localAnswer([hit('n.ts', 'weakLocal', 0.1)], { noRelevant: true }), new Set(['n.ts']), 10);
    assert.deepEqual(hidden.hits, []);
  });

  it('with a threshold, cuts both sides alike by score (ranked top k from each)', () => {
    const team = teamAnswer([hit('a.ts', 'a', 0.5), hit('b.ts', 'b', 0.31), hit('c.ts', 'c', 0.12)], { noRelevant: false });
    const local = localAnswer([hit('d.ts', 'd', 0.33), hit('e.ts', 'e', 0.2)], { noRelevant: true });
    const r = mergeTeamAndLocal(team, local, new Set(['d.ts', 'e.ts']), 10, { threshold: 0.3 });
    assert.deepEqual(names(r), ['a:team', 'd:local', 'b:team']);
    const none = mergeTeamAndLocal(team, local, new Set(['d.ts', 'e.ts']), 10, { threshold: 0.9 });
    assert.equal(none.noRelevant, true);
    assert.deepEqual(none.hits, []);
    const fixed = mergeTeamAndLocal(team, local, new Set(['d.ts', 'e.ts']), 4, { threshold: 0.9, fixedK: true });
    assert.deepEqual(names(fixed), ['a:team', 'd:local', 'b:team', 'e:local']);
    assert.equal(fixed.noRelevant, true);
  });

  it('without a local index gives the team answer minus the changed files', () => {
    const team = teamAnswer([hit('a.ts', 'a', 0.5), hit('b.ts', 'b', 0.4)], { partial: false, tookMs: 40 });
    const r = mergeTeamAndLocal(team, null, new Set(['b.ts']), 10);
    assert.deepEqual(names(r), ['a:team']);
    assert.equal(r.tookMs, 40);
  });

  it('partial when either side is, and "no file matches the filter" only when neither side has one', () => {
    const team = teamAnswer([], { noRelevant: true, filterMatchedNothing: true });
    assert.equal(mergeTeamAndLocal(team, localAnswer([], { partial: true }), new Set(), 10).partial, true);
    assert.equal(mergeTeamAndLocal(team, localAnswer([], { filterMatchedNothing: true }), new Set(), 10).filterMatchedNothing, true);
    const localMatch = mergeTeamAndLocal(team, localAnswer([hit('n.ts', 'n', 0.6)]), new Set(['n.ts']), 10);
    assert.equal(localMatch.filterMatchedNothing, undefined);
    assert.deepEqual(names(localMatch), ['n:local']);
  });

  it('leaves its inputs alone', () => {
    const team = teamAnswer([hit('a.ts', 'a', 0.5)]);
    const before = JSON.stringify(team);
    mergeTeamAndLocal(team, localAnswer([hit('b.ts', 'b', 0.9)]), new Set(['b.ts']), 10);
    assert.equal(JSON.stringify(team), before);
  });

  it('asks the team for more hits when changed files may take some away, within the API limit', () => {
    assert.equal(teamAskK(10, 0, 100), 10);
    assert.equal(teamAskK(10, 3, 100), 13);
    assert.equal(teamAskK(10, 500, 100), 20);
    assert.equal(teamAskK(90, 50, 100), 100);
  });
});

describe('team overlay: overlaySearch', () => {
  const repoRoot = path.resolve('/work/checkout');

  /** A client that answers from a list and records what it was asked. */
  function fakeClient(answer: TeamSearchResponse | Error) {
    const asked: Array<{ route: string; req: SearchRequest | SimilarRequest }> = [];
    const reply = async () => { if (answer instanceof Error) throw answer; return structuredClone(answer); };
    const client = {
      search: async (req: SearchRequest) => { asked.push({ route: 'search', req }); return reply(); },
      similar: async (req: SimilarRequest) => { asked.push({ route: 'similar', req }); return reply(); },
    } as unknown as TeamClient;
    return { client, asked };
  }

  it('places team hits in the checkout, rebases local hits to the repository, and asks both sides alike', async () => {
    const { client, asked } = fakeClient(teamAnswer([hit('pkg/a.ts', 'teamA', 0.7), hit('pkg/b.ts', 'staleB', 0.9)]));
    const localAsked: LocalQuery[] = [];
    // the local index's root is a folder inside the repository
    const pkg = path.join(repoRoot, 'pkg');
    const res = await overlaySearch({
      client, ref: { repo: 'app', branch: 'main' }, repoRoot, changed: new Set(['pkg/b.ts']),
      local: async (q) => { localAsked.push(q); return localAnswer([hit('b.ts', 'freshB', 0.8, pkg)]); },
    }, { query: 'where is b', k: 5, threshold: 0.3, languages: ['typescript'] });
    assert.deepEqual(names(res), ['freshB:local', 'teamA:team']);
    for (const h of res.hits) assert.equal(h.root, repoRoot);
    assert.deepEqual(res.hits.map((h) => h.file), ['pkg/b.ts', 'pkg/a.ts']);
    // a threshold: both sides give their ranked top k (k + one per changed file from the team)
    assert.equal(asked[0].route, 'search');
    assert.deepEqual({ ...asked[0].req }, { repo: 'app', branch: 'main', query: 'where is b', k: 6, fixedK: true, languages: ['typescript'] });
    assert.deepEqual(localAsked, [{ query: 'where is b', k: 5, showWeak: undefined, fixedK: true, languages: ['typescript'] }]);
  });

  it('asks /v1/similar for similar code, and does not ask the local side when nothing changed', async () => {
    const { client, asked } = fakeClient(teamAnswer([hit('a.ts', 'a', 0.7)]));
    let localCalls = 0;
    const res = await overlaySearch({
      client, ref: { repo: 'app' }, repoRoot, changed: new Set(), local: async () => { localCalls++; return localAnswer([]); },
    }, { query: 'function a() {}', k: 3, similar: true });
    assert.equal(asked[0].route, 'similar');
    assert.equal((asked[0].req as SimilarRequest).code, 'function a() {}');
    assert.equal(localCalls, 0);
    assert.deepEqual(names(res), ['a:team']);
  });

  it('throws the team server\'s error instead of answering from the changed files alone', async () => {
    const { client } = fakeClient(new Error('the team server at http://x refused the connection'));
    await assert.rejects(overlaySearch({
      client, ref: { repo: 'app' }, repoRoot, changed: new Set(['n.ts']), local: async () => localAnswer([hit('n.ts', 'n', 0.9, repoRoot)]),
    }, { query: 'q', k: 3 }), /refused the connection/);
  });

  it('a failing local side leaves the changed files out, says so, and marks the answer partial', async () => {
    const { client } = fakeClient(teamAnswer([hit('a.ts', 'a', 0.7), hit('n.ts', 'staleN', 0.9)]));
    const warnings: string[] = [];
    const res = await overlaySearch({
      client, ref: { repo: 'app' }, repoRoot, changed: new Set(['n.ts']), warn: (m) => warnings.push(m),
      local: async () => { throw new Error('index is damaged'); },
    }, { query: 'q', k: 3 });
    assert.deepEqual(names(res), ['a:team']);
    assert.equal(res.partial, true);
    assert.match(warnings.join('\n'), /index is damaged/);
  });

  it('repoRelative: inside the repository, or null', () => {
    assert.equal(repoRelative({ root: path.join(repoRoot, 'pkg'), file: 'src/x.ts' }, repoRoot), 'pkg/src/x.ts');
    assert.equal(repoRelative({ root: path.resolve('/elsewhere'), file: 'x.ts' }, repoRoot), null);
  });
});

describe('team overlay: the local index of changed files (syncOverlay, a real engine)', function () {
  this.timeout(60_000);
  let tmp: string;
  let root: string;

  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  const open = () => Engine.open({ roots: [root], indexDir: path.join(tmp, 'overlay'), embedder: null, chunkThreads: 0 });
  const files = async (engine: Engine) => new Set((await engine.search('function', { k: 50, fixedK: true })).hits.map((h) => h.file));

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-overlay-'));
    root = path.join(tmp, 'repo');
    write('src/a.ts', 'export function alphaRetry() { return 1; }\n');
    write('src/b.ts', 'export function betaParse() { return 2; }\n');
    write('src/c.ts', 'export function gammaCache() { return 3; }\n');
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('holds exactly the given files: never the rest of the tree, and a file leaving the set leaves the index', async () => {
    const abs = (rel: string) => path.join(root, rel);
    let engine = await open();
    let s = await syncOverlay(engine, [abs('src/a.ts'), abs('src/gone.ts')]);
    assert.equal(s.cleared, false);
    assert.deepEqual([...await files(engine)], ['src/a.ts']);
    assert.equal(engine.fileCount, 1);
    // grows: a file added to the set is read, the others are kept (gone.ts, deleted, leaves without a clean slate)
    s = await syncOverlay(engine, [abs('src/a.ts'), abs('src/b.ts')]);
    assert.equal(s.cleared, false);
    assert.deepEqual([...await files(engine)].sort(), ['src/a.ts', 'src/b.ts']);
    // a new process over the same index knows what it holds; a.ts leaves the set
    await engine.close();
    engine = await open();
    s = await syncOverlay(engine, [abs('src/b.ts'), abs('src/c.ts')]);
    assert.equal(s.cleared, true);
    assert.deepEqual([...await files(engine)].sort(), ['src/b.ts', 'src/c.ts']);
    // an edit to a file in the set is re-read
    write('src/c.ts', 'export function deltaCompress() { return 4; }\n');
    await syncOverlay(engine, [abs('src/b.ts'), abs('src/c.ts')]);
    assert.deepEqual((await engine.search('deltaCompress', { k: 3 })).hits.map((h) => h.name), ['deltaCompress']);
    await engine.close();
  });

  it('an index whose contents are not recorded is emptied before use', async () => {
    const engine = await open();
    await engine.index(); // the whole tree, as a local index would hold it
    assert.equal(engine.fileCount, 3);
    const s = await syncOverlay(engine, [path.join(root, 'src/b.ts')]);
    assert.equal(s.cleared, true);
    assert.deepEqual([...await files(engine)], ['src/b.ts']);
    await engine.close();
  });
});

describe('team overlay: the worker\'s overlay request (a real worker thread)', function () {
  this.timeout(60_000);
  const WORKER_TS = path.resolve(__dirname, '../../src/worker/worker.ts');
  const TSX = require.resolve('tsx/cjs');
  let tmp: string;
  let root: string;
  let client: WorkerClient;

  const write = (rel: string, text: string) => {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
    return abs;
  };

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-overlay-worker-'));
    root = path.join(tmp, 'repo');
    write('src/a.ts', 'export function alphaRetry() { return 1; }\n');
    write('src/b.ts', 'export function betaParse() { return 2; }\n');
    client = new WorkerClient({ spawn: () => new Worker(`require(${JSON.stringify(TSX)}); require(${JSON.stringify(WORKER_TS)});`, { eval: true, workerData: {} }) });
  });
  afterEach(async () => {
    await client.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('indexes only the files given (a folder or an ignored file is never crawled or read)', async () => {
    await client.configure({ roots: [root], indexDir: path.join(tmp, 'overlay'), model: null, crawl: { include: [], exclude: [], respectGitignore: true, maxFileBytes: 1_000_000 } });
    const vendored = write('node_modules/x/index.ts', 'export function betaVendored() {}\n');
    const res = await client.request('overlay', { paths: [path.join(root, 'src/b.ts'), vendored, path.join(root, 'src'), path.join(root, 'gone-folder')] });
    assert.equal(res.crawled, false);
    assert.equal(res.updated, 1);
    assert.equal(res.ignored, 3);
    assert.equal(res.stats.files, 1);
    const all = await client.request('search', { search: { query: 'function', k: 10, showWeak: true } });
    assert.deepEqual([...new Set(all.hits.map((h) => h.file))], ['src/b.ts']);
    // the set moves on: b.ts leaves (still on disk), a.ts comes in
    await client.request('overlay', { paths: [path.join(root, 'src/a.ts')] });
    const now = await client.request('search', { search: { query: 'function', k: 10, showWeak: true } });
    assert.deepEqual([...new Set(now.hits.map((h) => h.file))], ['src/a.ts']);
    await assert.rejects(client.request('overlay', { paths: 'src/a.ts' as unknown as string[] }), /paths must be a list of strings/);
  });
});
