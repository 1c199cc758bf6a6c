import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_EXCLUDES, crawl, type CrawlResult } from '../../src/core/crawl/crawler';
import { contentHash, isProbablyMinified, readSource } from '../../src/core/crawl/readSource';

const tempDirs: string[] = [];

function tempDir(prefix = 'sift-crawl-'): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  tempDirs.push(dir);
  return dir;
}

/** Writes files (relative path → content) under dir and returns dir. */
function tree(dir: string, files: Record<string, string | Buffer>): string {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(dir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  }
  return dir;
}

function rels(result: CrawlResult): string[] {
  return result.files.map((f) => f.rel);
}

function skipReason(result: CrawlResult, rel: string): string | undefined {
  return result.skipped.find((s) => s.rel === rel)?.reason;
}

const gitEnv: NodeJS.ProcessEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1' };
delete gitEnv.GIT_DIR;
delete gitEnv.GIT_WORK_TREE;
delete gitEnv.GIT_INDEX_FILE;

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, { cwd, env: gitEnv, stdio: 'pipe' });
}

const hasGit = spawnSync('git', ['--version']).status === 0;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

after(() => {
  for (const dir of tempDirs) {
    try {
      fs.chmodSync(dir, 0o755);
    } catch { /* already gone */ }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('crawl: git mode', function () {
  before(function () {
    if (!hasGit) this.skip();
  });

  function makeRepo(): string {
    const repo = tree(tempDir(), {
      '.gitignore': '*.log\ngen/\n',
      'tracked.ts': 'export const a = 1;\n',
      'untracked.ts': 'export const b = 2;\n',
      'debug.log': 'ignored\n',
      'gen/out.ts': 'ignored\n',
      'forced.log': 'tracked although it matches .gitignore\n',
      'secret.ts': 'excluded by .git/info/exclude\n',
      'sub/deep.ts': 'export const d = 4;\n',
      'sub/.gitignore': 'local.ts\n',
      'sub/local.ts': 'ignored by the nested .gitignore\n',
    });
    git(repo, 'init', '-q');
    git(repo, 'add', '.gitignore', 'tracked.ts', 'sub/deep.ts', 'sub/.gitignore');
    git(repo, 'add', '-f', 'forced.log');
    fs.appendFileSync(path.join(repo, '.git', 'info', 'exclude'), 'secret.ts\n');
    return repo;
  }

  it('lists tracked and untracked files, drops ignored ones', async () => {
    const repo = makeRepo();
    const result = await crawl([repo]);
    assert.deepEqual(rels(result), ['.gitignore', 'forced.log', 'sub/.gitignore', 'sub/deep.ts', 'tracked.ts', 'untracked.ts']);
    for (const f of result.files) {
      assert.equal(f.root, repo);
      assert.equal(f.abs, path.join(repo, f.rel));
      assert.equal(f.size, fs.statSync(f.abs).size);
    }
    assert.deepEqual(result.skipped, []);
  });

  it('differs from walk mode exactly where only git knows better', async () => {
    const repo = makeRepo();
    const walked = rels(await crawl([repo], { respectGitignore: false }));
    // Without git and without .gitignore: everything but the .git folder.
    assert.ok(walked.includes('secret.ts') && walked.includes('debug.log') && walked.includes('gen/out.ts'));
    assert.ok(!walked.some((r) => r.startsWith('.git/')));
  });

  it('handles a root that is a sub-folder of the repository', async () => {
    const repo = makeRepo();
    tree(repo, { 'sub/untracked2.ts': 'x\n', 'sub/skip.log': 'x\n' });
    const result = await crawl([path.join(repo, 'sub')]);
    assert.deepEqual(rels(result), ['.gitignore', 'deep.ts', 'untracked2.ts']);
    assert.equal(result.files[0].root, path.join(repo, 'sub'));
  });

  it('applies .siftignore, .ignore, globs and default excludes on top of git', async () => {
    const repo = makeRepo();
    tree(repo, {
      '.siftignore': 'untracked.ts\n',
      'sub/.ignore': 'deep.ts\n',
      'node_modules/pkg/index.js': 'x\n',
      'app.min.js': 'x\n',
      'package-lock.json': '{}\n',
    });
    git(repo, 'add', '-f', 'node_modules/pkg/index.js', 'app.min.js', 'package-lock.json');
    const result = await crawl([repo], { exclude: ['*.log'] });
    assert.deepEqual(rels(result), ['.gitignore', '.siftignore', 'sub/.gitignore', 'sub/.ignore', 'tracked.ts']);
  });

  it('walks an untracked nested repository that git lists as a folder', async () => {
    const repo = makeRepo();
    const nested = tree(path.join(repo, 'nested'), { 'inner.ts': 'x\n', '.gitignore': 'skip.ts\n', 'skip.ts': 'x\n' });
    git(nested, 'init', '-q');
    const result = await crawl([repo], { isIndexable: (rel) => rel.endsWith('.ts') });
    assert.ok(rels(result).includes('nested/inner.ts'));
    assert.ok(!rels(result).includes('nested/skip.ts'));
  });

  it('follows a tracked symlink to a folder outside the tree and reports a broken one', async () => {
    const repo = makeRepo();
    const outside = tree(tempDir(), { 'lib.ts': 'export {};\n' });
    fs.symlinkSync(outside, path.join(repo, 'linked'));
    fs.symlinkSync(path.join(repo, 'missing.ts'), path.join(repo, 'dangling.ts'));
    git(repo, 'add', 'linked');
    const result = await crawl([repo]);
    assert.ok(rels(result).includes('linked/lib.ts'));
    assert.match(skipReason(result, 'dangling.ts') ?? '', /broken symlink/);
  });

  it('leaves out a tracked file deleted from the work tree without reporting it', async () => {
    const repo = makeRepo();
    fs.unlinkSync(path.join(repo, 'tracked.ts'));
    const result = await crawl([repo]);
    assert.ok(!rels(result).includes('tracked.ts'));
    assert.equal(skipReason(result, 'tracked.ts'), undefined);
  });
});

describe('crawl: walk mode', () => {
  it('honours nested .gitignore and .ignore files, deeper rules winning', async () => {
    const root = tree(tempDir(), {
      '.gitignore': '*.log\nbuild-out/\n',
      '.ignore': 'notes.txt\n',
      'main.ts': 'x\n',
      'local.ts': 'kept: the rule is in sub/.gitignore\n',
      'notes.txt': 'x\n',
      'top.log': 'x\n',
      'build-out/x.ts': 'x\n',
      'sub/.gitignore': 'local.ts\n!keep.log\n',
      'sub/local.ts': 'x\n',
      'sub/keep.log': 'x\n',
      'sub/drop.log': 'x\n',
      'sub/inner/local.ts': 'x\n',
      'sub/inner/ok.ts': 'x\n',
    });
    const result = await crawl([root]);
    assert.deepEqual(rels(result), ['.gitignore', '.ignore', 'local.ts', 'main.ts', 'sub/.gitignore', 'sub/inner/ok.ts', 'sub/keep.log']);
  });

  it('agrees with git on .gitignore semantics (negation, anchoring, re-included folders)', async function () {
    if (!hasGit) this.skip();
    const scenarios: Array<Record<string, string>> = [
      { '.gitignore': 'x/y/\n', 'x/.gitignore': '!y/\n', 'x/y/f.ts': '', 'x/g.ts': '' },
      { '.gitignore': '*.log\n!important.log\n', 'a/.gitignore': '*.log\n', 'a/important.log': '', 'a/b.log': '', 'c.log': '', 'important.log': '' },
      { '.gitignore': '/root-only.ts\nsub/*.js\n**/deep/**\n', 'root-only.ts': '', 'a/root-only.ts': '', 'sub/a.js': '', 'sub/x/a.js': '', 'p/deep/q.ts': '', 'deep.ts': '' },
      { '.gitignore': 'docs/*\n!docs/api/\n', 'docs/a.md': '', 'docs/api/b.md': '', 'docs/api/c/d.md': '' },
      { 'a/.gitignore': '/b\nc/\n', 'a/b/x.ts': '', 'a/x/b': '', 'a/c': '', 'a/d/c/e.ts': '', 'b/y.ts': '' },
    ];
    for (const files of scenarios) {
      const walked = tree(tempDir(), files);
      const repo = tree(tempDir(), files);
      git(repo, 'init', '-q');
      assert.deepEqual(rels(await crawl([walked])), rels(await crawl([repo])), JSON.stringify(files));
    }
  });

  it('respectGitignore: false ignores .gitignore but still honours .siftignore', async () => {
    const root = tree(tempDir(), {
      '.gitignore': '*.log\n',
      '.siftignore': 'drafts/\n*.tmp.ts\n',
      'a.log': 'x\n',
      'a.ts': 'x\n',
      'b.tmp.ts': 'x\n',
      'drafts/c.ts': 'x\n',
    });
    assert.deepEqual(rels(await crawl([root], { respectGitignore: false })), ['.gitignore', '.siftignore', 'a.log', 'a.ts']);
    assert.deepEqual(rels(await crawl([root])), ['.gitignore', '.siftignore', 'a.ts']);
  });

  it('applies include and exclude globs', async () => {
    const root = tree(tempDir(), {
      'src/a.ts': 'x\n',
      'src/a.test.ts': 'x\n',
      'src/deep/b.ts': 'x\n',
      'src/deep/b.js': 'x\n',
      'src/legacy/old.ts': 'x\n',
      'docs/readme.md': 'x\n',
      'root.ts': 'x\n',
    });
    const result = await crawl([root], { include: ['src/**/*.ts'], exclude: ['*.test.ts', 'src/legacy'] });
    assert.deepEqual(rels(result), ['src/a.ts', 'src/deep/b.ts']);
    // An include naming a folder takes in everything below it.
    assert.deepEqual(rels(await crawl([root], { include: ['docs'] })), ['docs/readme.md']);
    assert.deepEqual(rels(await crawl([root], { exclude: ['src/**'] })), ['docs/readme.md', 'root.ts']);
    await assert.rejects(crawl([root], { exclude: ['!src/a.ts'] }), /Invalid glob "!src\/a.ts": negated globs are not supported/);
  });

  it('calls isIndexable and leaves failing files out silently', async () => {
    const root = tree(tempDir(), { 'a.py': 'x\n', 'b.png': 'x\n', 'c/d.py': 'x\n' });
    const seen: string[] = [];
    const result = await crawl([root], { isIndexable: (rel) => (seen.push(rel), rel.endsWith('.py')) });
    assert.deepEqual(rels(result), ['a.py', 'c/d.py']);
    assert.deepEqual(result.skipped, []);
    assert.deepEqual(seen.sort(), ['a.py', 'b.png', 'c/d.py']);
  });

  it('applies the default excludes, including the .sift index folder', async () => {
    const excluded = [
      'node_modules/pkg/index.js', 'vendor/lib.php', 'dist/app.js', 'build/out.js', 'out/x.js', 'target/debug/x.rs',
      '.hg/store', '.svn/entries', '.idea/workspace.xml', '.vscode-test/x.js', 'pkg/__pycache__/m.pyc',
      '.venv/lib/site.py', 'venv/lib/site.py', 'coverage/lcov.info', '.sift/index.bin',
      'package-lock.json', 'web/yarn.lock', 'pnpm-lock.yaml', 'Cargo.lock', 'poetry.lock', 'go.sum',
      'composer.lock', 'Gemfile.lock', 'app.min.js', 'style.min.css', 'app.bundle.js', 'app.js.map',
      'src/nested/node_modules/dep/x.js',
    ];
    const files: Record<string, string> = { 'src/app.js': 'x\n', 'src/distance.ts': 'x\n', 'output.ts': 'x\n' };
    for (const rel of excluded) files[rel] = 'x\n';
    const root = tree(tempDir(), files);
    assert.deepEqual(rels(await crawl([root])), ['output.ts', 'src/app.js', 'src/distance.ts']);
    for (const name of ['node_modules', '.sift', 'go.sum', '*.min.js', '*.map']) assert.ok(DEFAULT_EXCLUDES.includes(name), name);
  });

  it('returns files sorted by rel', async () => {
    const root = tree(tempDir(), { 'b/z.ts': '', 'a.ts': '', 'B.ts': '', 'b/a.ts': '', 'a/b/c.ts': '' });
    const found = rels(await crawl([root]));
    assert.deepEqual(found, [...found].sort());
    assert.equal(found.length, 5);
  });

  it('skips a 50 MB file by size with the size and the cap in the reason', async () => {
    const root = tree(tempDir(), { 'small.ts': 'x\n' });
    const big = path.join(root, 'huge.ts');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 50 * 1024 * 1024);
    const result = await crawl([root]);
    assert.deepEqual(rels(result), ['small.ts']);
    const reason = skipReason(result, 'huge.ts');
    assert.ok(reason, 'huge.ts is reported');
    assert.match(reason, /too large/);
    assert.match(reason, /52428800 bytes/);
    assert.match(reason, /1000000 bytes/);
    assert.equal(result.skipped[0].root, root);

    const capped = await crawl([root], { maxFileBytes: 1 });
    assert.deepEqual(rels(capped), []);
    assert.match(skipReason(capped, 'small.ts') ?? '', /2 bytes.*1 bytes/);

    const read = await readSource(big);
    assert.equal(read.ok, false);
    assert.match(!read.ok ? read.reason : '', /too large.*52428800 bytes/);
  });

  it('terminates on a symlink loop and reports it', async () => {
    const root = tree(tempDir(), { 'a/file.ts': 'x\n', 'a/b/inner.ts': 'x\n' });
    fs.symlinkSync('../..', path.join(root, 'a', 'b', 'up'));
    fs.symlinkSync(root, path.join(root, 'self'));
    const result = await crawl([root]);
    assert.deepEqual(rels(result), ['a/b/inner.ts', 'a/file.ts']);
    assert.match(skipReason(result, 'a/b/up') ?? '', /symlink loop/);
    assert.match(skipReason(result, 'self') ?? '', /symlink loop/);
  });

  it('follows links out of the tree, detects loops among them, and does not index a folder twice', async () => {
    const outside = tree(tempDir(), { 'x/one.ts': 'x\n', 'y/two.ts': 'x\n' });
    fs.symlinkSync(path.join(outside, 'y'), path.join(outside, 'x', 'toY'));
    fs.symlinkSync(path.join(outside, 'x'), path.join(outside, 'y', 'toX'));
    const root = tree(tempDir(), { 'src/real.ts': 'x\n', 'src/file.ts': 'x\n' });
    fs.symlinkSync(path.join(outside, 'x'), path.join(root, 'ext'));
    fs.symlinkSync(path.join(root, 'src'), path.join(root, 'alias'));
    fs.symlinkSync(path.join(root, 'src', 'file.ts'), path.join(root, 'file-link.ts'));
    const result = await crawl([root]);
    assert.deepEqual(rels(result), ['ext/one.ts', 'ext/toY/two.ts', 'file-link.ts', 'src/file.ts', 'src/real.ts']);
    assert.match(skipReason(result, 'ext/toY/toX') ?? '', /symlink loop/);
    assert.match(skipReason(result, 'alias') ?? '', /already in the tree \(src\)/);
  });

  it('reports broken and self-referencing symlinks', async () => {
    const root = tree(tempDir(), { 'ok.ts': 'x\n' });
    fs.symlinkSync(path.join(root, 'gone.ts'), path.join(root, 'broken.ts'));
    fs.symlinkSync('self.ts', path.join(root, 'self.ts'));
    const result = await crawl([root]);
    assert.deepEqual(rels(result), ['ok.ts']);
    assert.match(skipReason(result, 'broken.ts') ?? '', /broken symlink/);
    assert.match(skipReason(result, 'self.ts') ?? '', /symlink loop/);
  });

  it('ignores a FIFO and readSource refuses one without blocking', async function () {
    if (spawnSync('mkfifo', ['--version']).status !== 0) this.skip();
    const root = tree(tempDir(), { 'a.ts': 'x\n' });
    const fifo = path.join(root, 'pipe.ts');
    execFileSync('mkfifo', [fifo]);
    assert.deepEqual(rels(await crawl([root])), ['a.ts']);
    const read = await readSource(fifo);
    assert.deepEqual(read, { ok: false, reason: 'not a regular file' });
  });
});

describe('crawl: roots', () => {
  it('crawls several roots, each file carrying its own root', async () => {
    const first = tree(tempDir(), { 'same.ts': '1\n', 'only-first.ts': '1\n' });
    const second = tree(tempDir(), { 'same.ts': '2\n', 'x/only-second.ts': '2\n' });
    const result = await crawl([first, second]);
    assert.deepEqual(result.files.map((f) => [f.root, f.rel]), [
      [first, 'only-first.ts'], [first, 'same.ts'],
      [second, 'same.ts'], [second, 'x/only-second.ts'],
    ]);
    assert.equal(fs.readFileSync(result.files[3].abs, 'utf8'), '2\n');
  });

  it('rejects a missing root and a file root with "Not a directory"', async () => {
    const dir = tempDir();
    const missing = path.join(dir, 'nope');
    await assert.rejects(crawl([dir, missing]), (err: Error) => err.message.startsWith(`Not a directory: ${missing}`));
    const file = path.join(dir, 'file.ts');
    fs.writeFileSync(file, 'x');
    await assert.rejects(crawl([file]), { message: `Not a directory: ${file}` });
    await assert.rejects(crawl([]), /No folder to index/);
  });

  it('gives zero files for an empty directory', async () => {
    const result = await crawl([tempDir()]);
    assert.deepEqual(result, { files: [], skipped: [] });
  });

  it('stops when the signal is aborted', async () => {
    const root = tree(tempDir(), { 'a.ts': 'x\n' });
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(crawl([root], { signal: controller.signal }), { name: 'AbortError' });
  });
});

describe('readSource', () => {
  it('reads UTF-8 and strips a UTF-8 BOM', async () => {
    const dir = tree(tempDir(), {
      'plain.ts': 'const café = "ü";\n',
      'bom.ts': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('let x = 1;\n')]),
    });
    assert.deepEqual(await readSource(path.join(dir, 'plain.ts')), { ok: true, text: 'const café = "ü";\n', encoding: 'utf8' });
    assert.deepEqual(await readSource(path.join(dir, 'bom.ts')), { ok: true, text: 'let x = 1;\n', encoding: 'utf8' });
  });

  it('decodes invalid UTF-8 as latin1', async () => {
    const dir = tree(tempDir(), { 'legacy.c': Buffer.from([0x2f, 0x2f, 0x20, 0x63, 0x61, 0x66, 0xe9, 0x0a, 0x69, 0x6e, 0x74, 0x20, 0xff, 0x3b]) });
    assert.deepEqual(await readSource(path.join(dir, 'legacy.c')), { ok: true, text: '// café\nint ÿ;', encoding: 'latin1' });
  });

  it('decodes UTF-16 LE and BE by BOM, and BOM-less UTF-16 LE', async () => {
    const text = 'def héllo():\n    return "wörld"\n';
    const le = Buffer.from(text, 'utf16le');
    const be = Buffer.from(le).swap16();
    const dir = tree(tempDir(), {
      'le.py': Buffer.concat([Buffer.from([0xff, 0xfe]), le]),
      'be.py': Buffer.concat([Buffer.from([0xfe, 0xff]), be]),
      'nobom.py': le,
    });
    assert.deepEqual(await readSource(path.join(dir, 'le.py')), { ok: true, text, encoding: 'utf16le' });
    assert.deepEqual(await readSource(path.join(dir, 'be.py')), { ok: true, text, encoding: 'utf16be' });
    assert.deepEqual(await readSource(path.join(dir, 'nobom.py')), { ok: true, text, encoding: 'utf16le' });
  });

  it('refuses a binary file', async () => {
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37) % 256;
    const dir = tree(tempDir(), { 'image.ts': Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n'), bytes]) });
    const read = await readSource(path.join(dir, 'image.ts'));
    assert.deepEqual(read, { ok: false, reason: 'binary file (NUL bytes)' });
    // The crawler lists it (it cannot know without reading); readSource is where it is refused.
    assert.deepEqual(rels(await crawl([dir])), ['image.ts']);
  });

  it('refuses a minified one-line bundle but not a file with one long string line', async () => {
    const bundle = '!function(e){var t={};function n(r){if(t[r])return t[r].exports;var o=t[r]={i:r,l:!1,exports:{}};return e[r].call(o.exports,o,o.exports,n),o.l=!0,o.exports}n.m=e}([]);'.repeat(400);
    const normalLines = Array.from({ length: 60 }, (_, i) => `export function handler${i}(req: Request): number {\n  return req.size + ${i};\n}\n`).join('');
    const withDataUri = `${normalLines}export const logo = "data:image/png;base64,${'iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB'.repeat(700)}";\n`;
    const dir = tree(tempDir(), { 'vendor-lib.js': bundle, 'logo.ts': withDataUri, 'normal.ts': normalLines });

    assert.equal(isProbablyMinified(bundle, 'vendor-lib.js'), true);
    assert.equal(isProbablyMinified(withDataUri, 'logo.ts'), false);
    assert.equal(isProbablyMinified(normalLines, 'normal.ts'), false);
    assert.equal(isProbablyMinified('var a=1;', 'lib/jquery.min.js'), true);
    // Minifiers that wrap at a few hundred characters still give an average line over 300.
    assert.equal(isProbablyMinified(bundle.match(/.{1,400}/g)!.join('\n'), 'wrapped.js'), true);
    // Long unwrapped prose is not code.
    const prose = 'The quick brown fox jumps over the lazy dog, then rests for a while. '.repeat(100);
    assert.equal(isProbablyMinified(`# Notes\n\n${prose}\n`, 'notes.md'), false);

    const read = await readSource(path.join(dir, 'vendor-lib.js'));
    assert.equal(read.ok, false);
    assert.match(!read.ok ? read.reason : '', /minified/);
    const logo = await readSource(path.join(dir, 'logo.ts'));
    assert.equal(logo.ok && logo.text, withDataUri);
  });

  it('reports a file deleted between listing and reading instead of throwing', async () => {
    const dir = tree(tempDir(), { 'gone.ts': 'x\n' });
    const result = await crawl([dir]);
    fs.unlinkSync(result.files[0].abs);
    const read = await readSource(result.files[0].abs);
    assert.deepEqual(read, { ok: false, reason: 'file no longer exists (deleted after it was listed)' });
  });

  it('reports a folder and an oversized file', async () => {
    const dir = tree(tempDir(), { 'a.ts': '12345' });
    assert.deepEqual(await readSource(dir), { ok: false, reason: 'is a folder, not a file' });
    const read = await readSource(path.join(dir, 'a.ts'), 4);
    assert.match(!read.ok ? read.reason : '', /too large.*5 bytes.*4 bytes/);
    assert.deepEqual(await readSource(path.join(dir, 'a.ts'), 5), { ok: true, text: '12345', encoding: 'utf8' });
  });

  it('reports unreadable (chmod 000) files and folders as permission denied', async function () {
    const dir = tree(tempDir(), { 'locked.ts': 'secret\n', 'open/a.ts': 'x\n', 'closed/b.ts': 'x\n' });
    const locked = path.join(dir, 'locked.ts');
    fs.chmodSync(locked, 0o000);
    fs.chmodSync(path.join(dir, 'closed'), 0o000);
    fs.chmodSync(dir, 0o755);
    const check = async (): Promise<unknown> => {
      const { crawl: crawlAs } = await import('../../src/core/crawl/crawler');
      const { readSource: readAs } = await import('../../src/core/crawl/readSource');
      const result = await crawlAs([dir]);
      return { files: result.files.map((f) => f.rel), skipped: result.skipped.map((s) => [s.rel, s.reason]), read: await readAs(locked) };
    };
    const expected = {
      // Listing needs no read permission on the file, so the crawler still finds it; reading it fails.
      files: ['locked.ts', 'open/a.ts'],
      skipped: [['closed', 'cannot list folder: permission denied']],
      read: { ok: false, reason: 'permission denied' },
    };
    if (!isRoot) {
      assert.deepEqual(await check(), expected);
      return;
    }
    // root reads anything, so the same check runs in a child process as "nobody".
    const src = path.resolve(__dirname, '../../src/core/crawl');
    const script = `Promise.all([require(${JSON.stringify(`${src}/crawler.ts`)}).crawl([${JSON.stringify(dir)}]),` +
      ` require(${JSON.stringify(`${src}/readSource.ts`)}).readSource(${JSON.stringify(locked)})])` +
      '.then(([r, read]) => process.stdout.write(JSON.stringify({ files: r.files.map((f) => f.rel),' +
      ' skipped: r.skipped.map((s) => [s.rel, s.reason]), read })));';
    const child = spawnSync(process.execPath, ['-r', require.resolve('tsx/cjs'), '-e', script], {
      uid: 65534, gid: 65534, encoding: 'utf8', env: { ...process.env, HOME: os.tmpdir() }, timeout: 30_000,
    });
    if (child.error || child.status !== 0) this.skip(); // cannot switch user here
    assert.deepEqual(JSON.parse(child.stdout), expected);
  });

  it('contentHash is a stable hex digest of the text', () => {
    const h = contentHash('const a = 1;\n');
    assert.match(h, /^[0-9a-f]{40}$/);
    assert.equal(contentHash('const a = 1;\n'), h);
    assert.notEqual(contentHash('const a = 2;\n'), h);
    assert.notEqual(contentHash('é'), contentHash('Ã©'));
  });
});
