// Which files of a checkout differ from the team index (src/core/team/changedFiles.ts),
// on real temporary git repositories.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { absolutePaths, changedFiles, GitError, parseStatusZ, repoRootOf, withinFolder } from '../../src/core/team/changedFiles';
import { defaultRepoFor, defaultRepoName, localBranches, repoNameFromRemote } from '../../src/core/team/teamRef';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd, encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_NOSYSTEM: '1', HOME: os.tmpdir() },
  }).trim();
}

function write(root: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}

const sorted = (s: Set<string>) => [...s].sort();

describe('team: changed files (git)', function () {
  this.timeout(30_000);
  let tmp: string;
  let repo: string;
  let teamHead: string;

  before(function () {
    try { execFileSync('git', ['--version']); } catch { this.skip(); }
  });

  beforeEach(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sift-changed-')));
    repo = path.join(tmp, 'repo');
    fs.mkdirSync(repo);
    git(repo, 'init', '-q', '-b', 'main');
    write(repo, 'src/auth.ts', 'export function verify() {}\n');
    write(repo, 'src/db.ts', 'export function connect() {}\n');
    write(repo, 'src/old name.ts', 'export const x = 1;\n');
    write(repo, 'docs/guide.md', '# Guide\n');
    write(repo, '.gitignore', 'build/\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'first');
    teamHead = git(repo, 'rev-parse', 'HEAD');
  });

  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('is empty for a clean checkout at the team\'s commit', async () => {
    const c = await changedFiles(repo, { teamHead });
    assert.deepEqual(sorted(c.files), []);
    assert.equal(c.base, 'team-head');
    assert.equal(c.repoRoot, repo);
    assert.equal(c.note, undefined);
  });

  it('lists modified, staged, deleted, untracked (file by file) and both sides of a rename; not ignored files', async () => {
    write(repo, 'src/auth.ts', 'export function verify(token: string) {}\n');           // modified
    write(repo, 'src/new/deep/feature.ts', 'export function feature() {}\n');           // untracked, in new folders
    write(repo, 'src/staged.ts', 'export const s = 1;\n');
    git(repo, 'add', 'src/staged.ts');                                                  // added
    fs.rmSync(path.join(repo, 'docs/guide.md'));                                        // deleted
    git(repo, 'mv', 'src/old name.ts', 'src/new name.ts');                              // renamed (space in the name)
    write(repo, 'build/out.js', 'ignored\n');                                           // ignored
    const c = await changedFiles(repo, { teamHead });
    assert.deepEqual(sorted(c.files), ['docs/guide.md', 'src/auth.ts', 'src/new name.ts', 'src/new/deep/feature.ts', 'src/old name.ts', 'src/staged.ts']);
  });

  it('adds the files of commits made since the team\'s commit, and answers the same from a subfolder', async () => {
    write(repo, 'src/db.ts', 'export function connect(url: string) {}\n');
    git(repo, 'commit', '-q', '-am', 'local commit');
    write(repo, 'src/auth.ts', 'export function verify(x: number) {}\n');
    const c = await changedFiles(path.join(repo, 'src'), { teamHead });
    assert.deepEqual(sorted(c.files), ['src/auth.ts', 'src/db.ts']);
    assert.equal(c.repoRoot, repo);
    assert.deepEqual(absolutePaths(c).sort(), [path.join(repo, 'src', 'auth.ts'), path.join(repo, 'src', 'db.ts')]);
  });

  it('when the team is ahead (its commit known here but not an ancestor), lists what differs from it', async () => {
    // the team indexed a later commit of main; this checkout is on a branch from the first commit
    write(repo, 'src/cache.ts', 'export function evict() {}\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'team commit');
    const ahead = git(repo, 'rev-parse', 'HEAD');
    git(repo, 'checkout', '-q', '-b', 'feature', teamHead);
    write(repo, 'src/auth.ts', 'export function verify(y: string) {}\n');
    git(repo, 'commit', '-q', '-am', 'feature work');
    const c = await changedFiles(repo, { teamHead: ahead });
    // cache.ts is not in this checkout: the team's hits in it are not for this developer
    assert.deepEqual(sorted(c.files), ['src/auth.ts', 'src/cache.ts']);
    assert.equal(c.base, 'team-head');
  });

  it('when the team\'s commit is unknown here, compares with the fork point of origin/<branch> and says so', async () => {
    const origin = path.join(tmp, 'origin.git');
    git(tmp, 'clone', '-q', '--bare', repo, origin);
    git(repo, 'remote', 'add', 'origin', origin);
    git(repo, 'fetch', '-q', 'origin');
    git(repo, 'checkout', '-q', '-b', 'feature');
    write(repo, 'src/db.ts', 'export function connect(url: URL) {}\n');
    git(repo, 'commit', '-q', '-am', 'feature');
    const c = await changedFiles(repo, { teamHead: 'f'.repeat(40), branch: 'main' });
    assert.deepEqual(sorted(c.files), ['src/db.ts']);
    assert.equal(c.base, 'merge-base');
    assert.match(c.note ?? '', /ffffffffffff.*does not have.*origin\/main.*git fetch/);
    // no remote-tracking branch either: only the uncommitted changes, said so
    write(repo, 'src/auth.ts', 'changed\n');
    const bare = await changedFiles(repo, { teamHead: 'not-a-commit', branch: 'nosuch' });
    assert.deepEqual(sorted(bare.files), ['src/auth.ts']);
    assert.equal(bare.base, 'none');
    assert.match(bare.note ?? '', /only uncommitted changes/);
  });

  it('a repository without a commit: every file is changed', async () => {
    const fresh = path.join(tmp, 'fresh');
    fs.mkdirSync(fresh);
    git(fresh, 'init', '-q');
    write(fresh, 'a.ts', 'export const a = 1;\n');
    write(fresh, 'lib/b.ts', 'export const b = 1;\n');
    const c = await changedFiles(fresh, { teamHead });
    assert.deepEqual(sorted(c.files), ['a.ts', 'lib/b.ts']);
    assert.match(c.note ?? '', /no commit yet/);
  });

  it('outside a work tree: a clear GitError, and repoRootOf null', async () => {
    const plain = path.join(tmp, 'plain');
    fs.mkdirSync(plain);
    assert.equal(await repoRootOf(plain), null);
    await assert.rejects(changedFiles(plain), (e: Error) => e instanceof GitError && /not in a git work tree/.test(e.message));
  });

  it('parseStatusZ: renames and copies bring their source path', () => {
    const out = ' M a.ts\0R  new.ts\0old.ts\0?? u v.ts\0C  copy.ts\0orig.ts\0D  gone.ts\0';
    assert.deepEqual(parseStatusZ(out), ['a.ts', 'new.ts', 'old.ts', 'u v.ts', 'copy.ts', 'orig.ts', 'gone.ts']);
  });

  it('default repository name: the origin remote\'s repository, else the folder name; branches from git', async () => {
    assert.equal(repoNameFromRemote('git@github.com:acme/payments.git'), 'payments');
    assert.equal(repoNameFromRemote('https://gitlab.example.com/group/sub/payments-api/'), 'payments-api');
    assert.equal(repoNameFromRemote('ssh://git@host:2222/srv/repos/billing.git'), 'billing');
    assert.equal(repoNameFromRemote('/srv/git/search.git'), 'search');
    assert.equal(await defaultRepoName(repo), 'repo');
    git(repo, 'remote', 'add', 'origin', 'git@github.com:acme/payments.git');
    assert.equal(await defaultRepoName(repo), 'payments');
    assert.deepEqual(await localBranches(repo), { current: 'main', remoteDefault: null });
  });

  it('for a team index made of a subfolder: only that folder\'s changes, relative to it; its default repository is the folder\'s name', async () => {
    write(repo, 'src/auth.ts', 'export function verify(token) {}\n');
    write(repo, 'docs/guide.md', '# Guide, changed\n');
    const all = await changedFiles(repo, { teamHead });
    assert.deepEqual(sorted(all.files), ['docs/guide.md', 'src/auth.ts']);
    const src = withinFolder(all, path.join(repo, 'src'));
    assert.deepEqual(sorted(src.files), ['auth.ts']);
    assert.equal(src.repoRoot, path.join(repo, 'src'));
    assert.deepEqual(absolutePaths(src), [path.join(repo, 'src', 'auth.ts')]);
    assert.equal(withinFolder(all, repo), all, 'the top folder: as it is');
    assert.throws(() => withinFolder(all, tmp), GitError);
    git(repo, 'remote', 'add', 'origin', 'git@github.com:acme/payments.git');
    assert.equal(await defaultRepoFor(repo), 'payments');
    assert.equal(await defaultRepoFor(path.join(repo, 'src')), 'src');
    assert.equal(await defaultRepoFor(tmp), path.basename(tmp), 'outside a checkout: the folder\'s name');
  });
});
