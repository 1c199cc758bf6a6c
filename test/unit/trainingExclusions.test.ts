import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sweepExcludedPaths } from '../../training/sources/cacheLayout';
import {
  FALLBACK_CORPORA,
  buildExclusionRule,
  isExcludedPackage,
  isExcludedPath,
  loadExclusionRule,
  matchesExcludedPackage,
  matchesExcludedPath,
} from '../../training/sources/exclusions';
import { registryRequest } from '../../training/sources/npmFetch';

describe('training source exclusions', () => {
  describe('isExcludedPackage', () => {
    it('excludes the six benchmark packages by their listed names', () => {
      for (const name of ['@tanstack/query-core', 'mobx', 'nodemailer', 'python3-click', 'golang-github-go-chi-chi-dev', 'librust-ignore-dev']) {
        assert.equal(isExcludedPackage(name), true, name);
      }
    });

    it('excludes every version and every naming scheme of them', () => {
      assert.equal(isExcludedPackage('mobx@6.0.0', 'npm'), true);
      assert.equal(isExcludedPackage('@tanstack/query-core@4.36.1', 'npm'), true);
      assert.equal(isExcludedPackage('npm:nodemailer@^6', 'npm'), true);
      assert.equal(isExcludedPackage('@types/nodemailer', 'npm'), true);
      assert.equal(isExcludedPackage('@types/tanstack__query-core', 'npm'), true);
      assert.equal(isExcludedPackage('Click', 'pypi'), true);
      assert.equal(isExcludedPackage('click==7.1', 'pypi'), true);
      assert.equal(isExcludedPackage('github.com/go-chi/chi/v5', 'go'), true);
      assert.equal(isExcludedPackage('github.com/go-chi/chi/middleware', 'go'), true);
      assert.equal(isExcludedPackage('go-chi/chi', 'go'), true);
      assert.equal(isExcludedPackage('ignore', 'crate'), true);
      assert.equal(isExcludedPackage('python3-click=8.1.3-2', 'deb'), true);
      // Debian's virtual names for the crate, as dependency lists spell them.
      assert.equal(isExcludedPackage('librust-ignore-0.4+default-dev', 'deb'), true);
      assert.equal(isExcludedPackage('librust-ignore-0.4-dev', 'deb'), true);
    });

    it('keeps look-alike packages', () => {
      for (const [name, eco] of [
        ['mobx-react-lite', 'npm'], ['mobx-state-tree', 'npm'], ['@tanstack/react-query', 'npm'], ['@tanstack/query-persist-client-core', 'npm'],
        ['nodemailer-mock', 'npm'], ['python3-click-plugins', 'deb'], ['click-plugins', 'pypi'], ['golang-github-go-chi-cors-dev', 'deb'],
        ['github.com/go-chi/cors', 'go'], ['github.com/go-chi/chicago', 'go'], ['librust-ignore-files-dev', 'deb'], ['ignore-files', 'crate'],
        ['librust-serde-ignored-dev', 'deb'], ['express', 'npm'], ['@types/express', 'npm'],
      ] as const) {
        assert.equal(isExcludedPackage(name, eco), false, `${eco}:${name}`);
      }
    });

    it('asks only the named scheme when one is given', () => {
      // The npm package "ignore" is not the Rust crate the benchmark uses.
      assert.equal(isExcludedPackage('ignore', 'npm'), false);
      assert.equal(isExcludedPackage('ignore'), true);
      assert.equal(isExcludedPackage('click', 'npm'), false);
    });

    it('treats bad input as not excluded instead of throwing', () => {
      assert.equal(isExcludedPackage(''), false);
      assert.equal(isExcludedPackage('   '), false);
      assert.equal(isExcludedPackage(undefined as unknown as string), false);
    });
  });

  describe('isExcludedPath', () => {
    it('catches the corpora where fetch puts them', () => {
      const cache = '/root/.cache/sift-training/sources';
      assert.equal(isExcludedPath(`${cache}/npm/node_modules/mobx/src/core/atom.ts`), true);
      assert.equal(isExcludedPath(`${cache}/npm/node_modules/@tanstack/query-core/src/query.ts`), true);
      assert.equal(isExcludedPath(`${cache}/npm/node_modules/nodemailer`), true);
      assert.equal(isExcludedPath(`${cache}/deb/python3-click/usr/lib/python3/dist-packages/click/core.py`), true);
      assert.equal(isExcludedPath(`${cache}/deb/golang-github-go-chi-chi-dev`), true);
      assert.equal(isExcludedPath(`${cache}/deb/librust-ignore-dev/usr/share/cargo/registry/ignore-0.4.18/src/walk.rs`), true);
    });

    it('catches them pulled in as dependencies or vendored', () => {
      assert.equal(isExcludedPath('/x/npm/node_modules/mobx-react/node_modules/mobx/dist/mobx.cjs.js'), true);
      assert.equal(isExcludedPath('/x/node_modules/@tanstack/react-query/node_modules/@tanstack/query-core/build/index.js'), true);
      assert.equal(isExcludedPath('/x/deb/python3-flask/usr/lib/python3/dist-packages/click/decorators.py'), true);
      assert.equal(isExcludedPath('/usr/lib/python3.11/site-packages/click/__init__.py'), true);
      assert.equal(isExcludedPath('/x/deb/python3-pip/usr/lib/python3/dist-packages/pip/_vendor/click/core.py'), true);
      assert.equal(isExcludedPath('/x/deb/python3-jedi/usr/lib/python3/dist-packages/jedi/third_party/typeshed/third_party/2and3/click/core.pyi'), true);
      assert.equal(isExcludedPath('/x/deb/golang-foo-dev/usr/share/gocode/src/github.com/go-chi/chi/v5/mux.go'), true);
      assert.equal(isExcludedPath('/x/deb/golang-foo-dev/usr/share/gocode/src/foo/vendor/github.com/go-chi/chi/tree.go'), true);
      assert.equal(isExcludedPath('/x/deb/librust-grep-cli-dev/usr/share/cargo/registry/ignore-0.4.20/src/lib.rs'), true);
      assert.equal(isExcludedPath('/home/u/.cargo/registry/src/index.crates.io-6f17d22bba15001f/ignore-0.4.22/src/lib.rs'), true);
      assert.equal(isExcludedPath('C:\\work\\node_modules\\nodemailer\\lib\\mailer\\index.js'), true);
      assert.equal(isExcludedPath('/x/npm/node_modules/@types/nodemailer/index.d.ts'), true);
      assert.equal(isExcludedPath('/work/main/bench/corpora/chi/mux.go'), true);
    });

    it('keeps neighbours with similar names', () => {
      assert.equal(isExcludedPath('/x/npm/node_modules/mobx-react-lite/src/index.ts'), false);
      assert.equal(isExcludedPath('/x/npm/node_modules/@tanstack/query-persist-client-core/src/index.ts'), false);
      assert.equal(isExcludedPath('/x/npm/node_modules/ignore/index.js'), false);
      assert.equal(isExcludedPath('/x/deb/python3-click-plugins/usr/lib/python3/dist-packages/click_plugins/core.py'), false);
      assert.equal(isExcludedPath('/x/deb/golang-github-go-chi-cors-dev/usr/share/gocode/src/github.com/go-chi/cors/cors.go'), false);
      assert.equal(isExcludedPath('/x/usr/share/cargo/registry/ignore-files-1.3.0/src/lib.rs'), false);
      assert.equal(isExcludedPath('/x/usr/share/cargo/registry/globset-0.4.9/src/lib.rs'), false);
      assert.equal(isExcludedPath('/x/src/ui/click/handler.py'), false);
      assert.equal(isExcludedPath(''), false);
    });
  });

  describe('rule loading', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-excl-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('adds corpora listed in corpora.json to the built-in ones', () => {
      const file = path.join(dir, 'corpora.json');
      fs.writeFileSync(file, JSON.stringify([
        { id: 'zod', lang: 'typescript', source: 'npm', name: 'zod', version: '3.0.0', subdir: 'package/src' },
        { id: 'tokio', lang: 'rust', source: 'deb', name: 'librust-tokio-dev', version: '1', subdir: 'usr/share/cargo/registry/tokio-1.24.2' },
      ]));
      const rule = loadExclusionRule(file);
      assert.deepEqual(rule.warnings, []);
      assert.equal(matchesExcludedPackage(rule, 'zod', 'npm'), true);
      assert.equal(matchesExcludedPackage(rule, 'tokio', 'crate'), true);
      assert.equal(matchesExcludedPath(rule, '/a/node_modules/zod/lib/index.js'), true);
      assert.equal(matchesExcludedPath(rule, '/a/usr/share/cargo/registry/tokio-1.24.2/src/lib.rs'), true);
      // The built-in copy still applies.
      assert.equal(matchesExcludedPackage(rule, 'mobx', 'npm'), true);
    });

    it('falls back to the built-in list when corpora.json is missing or malformed', () => {
      const missing = loadExclusionRule(path.join(dir, 'nope.json'));
      assert.equal(missing.warnings.length, 1);
      assert.equal(matchesExcludedPackage(missing, 'nodemailer', 'npm'), true);
      const bad = path.join(dir, 'bad.json');
      fs.writeFileSync(bad, '{"not": "a list"}');
      const malformed = loadExclusionRule(bad);
      assert.equal(malformed.warnings.length, 1);
      assert.equal(matchesExcludedPath(malformed, '/a/dist-packages/click/core.py'), true);
    });

    it('derives the Go module path from the corpus folder', () => {
      const rule = buildExclusionRule(FALLBACK_CORPORA.filter((c) => c.id === 'chi'));
      assert.deepEqual(rule.goModules, ['github.com/go-chi/chi', 'go-chi/chi']);
      assert.equal(matchesExcludedPackage(rule, 'mobx'), false);
    });
  });

  describe('fetch-time use', () => {
    it('sweeps benchmark folders out of a fetched tree and leaves the rest', () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-sweep-'));
      try {
        const keep = path.join(root, 'npm/node_modules/mobx-react-lite/index.js');
        const drop = path.join(root, 'npm/node_modules/mobx-react/node_modules/mobx/index.js');
        const dropPy = path.join(root, 'deb/python3-x/usr/lib/python3/dist-packages/click/core.py');
        for (const f of [keep, drop, dropPy]) {
          fs.mkdirSync(path.dirname(f), { recursive: true });
          fs.writeFileSync(f, '// code\n');
        }
        const removed = sweepExcludedPaths(root).map((p) => path.relative(root, p)).sort();
        assert.deepEqual(removed, ['deb/python3-x/usr/lib/python3/dist-packages/click', 'npm/node_modules/mobx-react/node_modules/mobx']);
        assert.equal(fs.existsSync(keep), true);
        assert.equal(fs.existsSync(drop), false);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });

    it('turns dependency entries into registry requests, resolving npm: aliases', () => {
      assert.deepEqual(registryRequest('lodash', '^4.17.0', 'x'), { name: 'lodash', range: '^4.17.0', requiredBy: 'x' });
      assert.deepEqual(registryRequest('m', 'npm:mobx@^6', 'x'), { name: 'mobx', range: '^6', requiredBy: 'x' });
      assert.deepEqual(registryRequest('q', 'npm:@tanstack/query-core', null), { name: '@tanstack/query-core', range: '*', requiredBy: null });
      assert.equal(registryRequest('a', 'github:user/repo', null), null);
      assert.equal(registryRequest('a', 'user/repo#main', null), null);
      assert.equal(registryRequest('a', 'file:../a', null), null);
      assert.equal(registryRequest('Bad Name', '1.0.0', null), null);
    });
  });
});
