import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../src/core/engine';
import { compilePathFilter } from '../../src/core/search/search';

describe('path filter (SearchOptions.pathFilter)', function () {
  this.timeout(60000);

  const matches = (filter: string, file: string) => compilePathFilter(filter)!(file);

  it('takes a substring anywhere in the path, case-insensitively', () => {
    assert.ok(matches('receiver', 'pkg/receiver/otlp.go'));
    assert.ok(matches('pkg/receiver', 'pkg/receiver/otlp.go'));
    assert.ok(matches('Receiver', 'pkg/receiver/otlp.go'));
    assert.ok(matches('./pkg/', 'pkg/receiver/otlp.go'));
    assert.ok(!matches('exporter', 'pkg/receiver/otlp.go'));
    assert.equal(compilePathFilter('  '), null);
  });

  it('takes globs: ** across folders, * within a name, a folder above the file, {a,b}', () => {
    assert.ok(matches('**/receiver/**', 'pkg/receiver/otlp.go'));
    assert.ok(matches('**/receiver/**', 'receiver/otlp.go'));
    assert.ok(!matches('**/receiver/**', 'pkg/receivers/otlp.go'));
    assert.ok(matches('src/*.ts', 'src/a.ts'));
    assert.ok(!matches('src/*.ts', 'src/auth/a.ts'));
    assert.ok(!matches('src/*.ts', 'lib/src/a.ts'));
    assert.ok(matches('src/*', 'src/auth/session.ts'), 'a glob naming a folder takes what is under it');
    assert.ok(matches('*.go', 'pkg/receiver/otlp.go'), 'no slash: any depth');
    assert.ok(!matches('*.go', 'pkg/receiver/otlp.ts'));
    assert.ok(matches('**/*.{ts,py}', 'src/billing/invoice.py'));
    assert.ok(matches('pkg/rec?iver/', 'pkg/receiver/otlp.go'));
    assert.ok(matches('pkg/[rx]eceiver/*', 'pkg/receiver/otlp.go'));
    assert.ok(!matches('pkg/[!r]eceiver/*', 'pkg/receiver/otlp.go'));
    assert.ok(matches('a+b(*', 'a+b(c).txt'), 'regex characters are literal');
  });

  it('answers as the regular-expression reading of the glob does, on random globs and paths', () => {
    // the reference: the glob as a regular expression (what compilePathFilter was), fine on short inputs
    const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const source = (g: string): string => {
      let out = '';
      for (let i = 0; i < g.length; i++) {
        const ch = g[i];
        if (ch === '*' && g[i + 1] === '*') { i++; if (g[i + 1] === '/') { i++; out += '(?:.*/)?'; } else out += '.*'; }
        else if (ch === '*') out += '[^/]*';
        else if (ch === '?') out += '[^/]';
        else if (ch === '[') { const end = g.indexOf(']', i + 2); if (end < 0) { out += '\\['; continue; } out += `[${g.slice(i + 1, end).replace(/^!/, '^')}]`; i = end; }
        else if (ch === '{') { const end = g.indexOf('}', i); if (end < 0) { out += '\\{'; continue; } out += `(?:${g.slice(i + 1, end).split(',').map(source).join('|')})`; i = end; }
        else out += esc(ch);
      }
      return out;
    };
    const reference = (g: string) => new RegExp(`^${g.includes('/') ? '' : '(?:.*/)?'}${source(g)}(?:/.*)?$`, 'i');
    let seed = 7;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
    const pick = <T>(xs: T[]) => xs[rnd(xs.length)];
    const pieces = ['a', 'b', 'A', '/', '*', '**', '**/', '?', '[ab]', '[!a]', '{a,b/}', '.', 'x'];
    for (let n = 0; n < 3000; n++) {
      // as compilePathFilter trims them: no leading './' or '/', no trailing '/'
      const glob = Array.from({ length: 1 + rnd(6) }, () => pick(pieces)).join('').replace(/^(\.?\/+)+/, '').replace(/\/+$/, '') || 'a*';
      if (!/[*?[{]/.test(glob)) continue; // no glob characters: a substring (tested above)
      const file = Array.from({ length: 1 + rnd(8) }, () => pick(['a', 'b', 'B', '/', 'x', '.'])).join('');
      assert.equal(matches(glob, file), reference(glob).test(file), `${glob} on ${file}`);
    }
  });

  it('runs a glob in time linear in the path: many ** cannot stall a search', () => {
    const path200 = 'a/'.repeat(100) + 'b';
    assert.equal(matches('**a**a**a**a**a**a**a**a**a**a**c', path200), false);
    assert.equal(matches('**a**a**a**a**a**a**a**a**a**a**b', path200), true);
    assert.throws(() => compilePathFilter('{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}'), /more than 256 globs/);
  });

  it('filters a search, and says when the filter let no file through', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-pathfilter-'));
    const write = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    };
    write('pkg/receiver/otlp.go', 'package receiver\n\n// StartReceiver starts listening for spans.\nfunc StartReceiver(addr string) error {\n\treturn nil\n}\n');
    write('pkg/exporter/otlp.go', 'package exporter\n\n// StartExporter starts sending spans.\nfunc StartExporter(addr string) error {\n\treturn nil\n}\n');
    const e = await Engine.open({ roots: [root], indexDir: path.join(root, '.idx'), embedder: null });
    await e.index();
    const files = async (opts: { pathFilter?: string; pathPrefix?: string }) => [...new Set((await e.search('start spans', { ...opts, showWeak: true })).hits.map((h) => h.file))];
    assert.deepEqual((await files({})).sort(), ['pkg/exporter/otlp.go', 'pkg/receiver/otlp.go']);
    assert.deepEqual(await files({ pathFilter: 'receiver' }), ['pkg/receiver/otlp.go']);
    assert.deepEqual(await files({ pathFilter: '**/receiver/**' }), ['pkg/receiver/otlp.go']);
    assert.deepEqual(await files({ pathFilter: 'pkg/*/otlp.go' }).then((f) => f.sort()), ['pkg/exporter/otlp.go', 'pkg/receiver/otlp.go']);
    assert.deepEqual(await files({ pathPrefix: 'receiver' }), [], 'pathPrefix stays a literal prefix');

    const none = await e.search('start spans', { pathFilter: 'nosuchfolder' });
    assert.equal(none.hits.length, 0);
    assert.equal(none.filterMatchedNothing, true);
    const nothingRelevant = await e.search('histogram rendering', { pathFilter: 'receiver' });
    assert.equal(nothingRelevant.hits.length, 0);
    assert.notEqual(nothingRelevant.filterMatchedNothing, true, 'the filter matched files; the query found nothing');
    await e.close();
  });
});
