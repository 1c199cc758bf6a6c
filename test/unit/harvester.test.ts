import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Chunker } from '../../src/core/chunk/chunker';
import { renderChunkText } from '../../src/core/chunk/chunkText';
import { languageForPath } from '../../src/core/chunk/languages';
import type { LanguageId } from '../../src/core/types';
import { generatedReason, isTestPath } from '../../training/harvest/fileFilters';
import { harvestFileText, type CandidatePair } from '../../training/harvest/filePairs';
import { runHarvest, type HarvestManifest } from '../../training/harvest/harvest';
import { findInlineComments } from '../../training/harvest/inlineComments';
import { debRepoPath, packageOfPath } from '../../training/harvest/packages';
import { docQuery, firstSentence, inlineQuery, queryTemplate, stripLeadingName, stripMarkup } from '../../src/core/harvest/queryText';
import { chunkCodePart, codeWithoutDoc } from '../../src/core/harvest/unitCode';
import { subPackageOf } from '../../training/harvest/unitHarvest';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'harvest');
const ALL: LanguageId[] = ['python', 'javascript', 'typescript', 'tsx', 'go', 'rust', 'java', 'c', 'cpp', 'csharp', 'ruby', 'php'];

let chunker: Chunker;

before(async () => {
  chunker = await Chunker.create();
  await chunker.prepare(...ALL);
});

after(() => chunker.dispose());

function fixtureText(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

async function harvestFixture(name: string, rel = `src/${name}`): Promise<{ pairs: CandidatePair[]; drops: Record<string, number>; skipped?: string }> {
  const drops: Record<string, number> = {};
  const lang = languageForPath(name);
  assert.ok(lang, `no language for ${name}`);
  const r = await harvestFileText(chunker, { rel, text: fixtureText(name), lang, pkg: 'demo', source: 'deb', test: false }, drops);
  return { pairs: r.pairs, drops, skipped: r.skipped };
}

function pairOf(pairs: CandidatePair[], kind: 'doc' | 'inline', name: string): CandidatePair {
  const p = pairs.find((x) => x.kind === kind && x.name === name);
  assert.ok(p, `no ${kind} pair for ${name}; have ${pairs.map((x) => `${x.kind}:${x.name}`).join(', ')}`);
  return p;
}

describe('harvester: query text', () => {
  it('takes the first sentence, not the rest of the paragraph', () => {
    assert.equal(firstSentence('Returns the delay, up to max. It never returns a negative value.'), 'Returns the delay, up to max.');
    assert.equal(firstSentence('Uses e.g. a map. Second.'), 'Uses e.g. a map.');
    assert.equal(firstSentence('Parses version 1.2 strings. More.'), 'Parses version 1.2 strings.');
  });

  it('strips JSDoc, Javadoc, RST, Markdown and HTML markup', () => {
    assert.equal(stripMarkup('Escapes text, see {@link unescapeHtml}.'), 'Escapes text, see unescapeHtml.');
    assert.equal(stripMarkup('Uses {@link Foo#bar(int) the bar method} here'), 'Uses the bar method here');
    assert.equal(stripMarkup('Lines of {@code width} chars'), 'Lines of width chars');
    assert.equal(stripMarkup('Wait for :class:`~backoff.Jitter` and :func:`sleep`'), 'Wait for Jitter and sleep');
    assert.equal(stripMarkup('Parse ``"1h"`` into a [`Duration`] via [docs](https://x.y)'), 'Parse "1h" into a Duration via docs');
    assert.equal(stripMarkup('Returns <code>true</code> when a &lt; b'), 'Returns true when a < b');
    assert.equal(stripMarkup('Builds a **bold** and *quick* +word+ list'), 'Builds a bold and quick word list');
  });

  it('removes a leading unit name (Go convention) but keeps a verb that equals the name', () => {
    assert.equal(stripLeadingName('Backoff returns the delay.', 'Backoff'), 'returns the delay.');
    assert.equal(stripLeadingName('Close closes the file.', 'File.Close'), 'closes the file.');
    assert.equal(stripLeadingName('`parse()` - parses the input', 'Parser.parse'), 'parses the input');
    assert.equal(stripLeadingName('Erase a value in a subtree.', 'Erase'), 'Erase a value in a subtree.');
    assert.equal(stripLeadingName('Backoff returns the delay.', 'Other'), 'Backoff returns the delay.');
    assert.equal(stripLeadingName('struct at91_pm_bu - AT91 power management backup data', 'at91_pm_bu'), 'AT91 power management backup data');
    assert.equal(stripLeadingName('struct page is the unit of memory', 'page'), 'struct page is the unit of memory');
  });

  it('cleans a doc into a query and rejects what is not a description', () => {
    assert.deepEqual(docQuery('Backoff returns the delay before an attempt.\nIt never fails.', 'Backoff'), { query: 'returns the delay before an attempt' });
    assert.deepEqual(docQuery('Parse the text.\n\n:param text: the text', 'parse'), { query: 'Parse the text' });
    assert.deepEqual(docQuery('@brief Compute a checksum over the buffer.', 'crc'), { query: 'Compute a checksum over the buffer' });
    assert.deepEqual(docQuery('S.lower() -> str\n\nReturn a copy of S converted to lowercase.', 'lower'), { query: 'Return a copy of S converted to lowercase' });
    assert.deepEqual(docQuery('@param {number} ms how long\n@returns {Promise}', 'sleep'), { reject: 'parameter docs only' });
    assert.deepEqual(docQuery(':param attempt: the attempt number', 'delay'), { reject: 'parameter docs only' });
    assert.deepEqual(docQuery('Return one.', 'tiny'), { reject: 'query too short' });
    assert.deepEqual(docQuery('Deprecated: use Backoff instead.', 'OldBackoff'), { reject: 'reference only (see / alias / deprecated)' });
    assert.deepEqual(docQuery('Get the user name.', 'getUserName'), { reject: 'query is just the name' });
    assert.deepEqual(docQuery('TODO: make this faster than it is', 'f'), { reject: 'todo note' });
    assert.deepEqual(docQuery('x = compute(a, b); return x;', 'f'), { reject: 'code, not prose' });
    assert.deepEqual(docQuery('cvmx_fuse_read_byte - Read a byte of fuse data\n@byte_addr: address to read', 'cvmx_fuse_read_byte'), { query: 'Read a byte of fuse data' });
    assert.deepEqual(docQuery('vusdot\\.s8 q0, q1, d4\\1\\ bx lr', 'f'), { reject: 'not prose (few plain words)' });
    const long = Array.from({ length: 45 }, (_x, i) => `word${i}`).join(' ');
    assert.deepEqual(docQuery(long, 'f'), { reject: 'query too long' });
  });

  it('masks the variable parts of templated queries', () => {
    assert.equal(queryTemplate("Returns a translator for the 'af' locale."), queryTemplate("returns a translator for the 'en_US' locale"));
    assert.equal(queryTemplate('Sets field_12 to zero'), queryTemplate('Sets field_7 to zero'));
    assert.notEqual(queryTemplate('Sets the name to zero'), queryTemplate('Sets the size to zero'));
  });

  it('keeps prose inline comments and rejects code, directives and short labels', () => {
    assert.deepEqual(inlineQuery('stop doubling once the cap has been reached', 'Backoff'), { query: 'stop doubling once the cap has been reached' });
    assert.equal('reject' in inlineQuery('return compute(a, b);', 'f'), true);
    assert.equal('reject' in inlineQuery('eslint-disable-next-line no-console', 'f'), true);
    assert.equal('reject' in inlineQuery('TODO: handle the error case properly', 'f'), true);
    assert.equal('reject' in inlineQuery('fast path', 'f'), true);
    assert.equal('reject' in inlineQuery('Copyright 2020 Example Corp, licensed under MIT', 'f'), true);
  });
});

describe('harvester: code side', () => {
  it('recovers the exact code part: header + code re-renders to the chunk text', async () => {
    for (const name of ['sample.py', 'sample.go', 'sample.ts', 'Sample.java', 'sample.rs']) {
      const r = await chunker.chunkFileAsync(`src/${name}`, fixtureText(name));
      for (const c of r.chunks) {
        const code = chunkCodePart(c);
        assert.notEqual(code, null, `${name} ${c.name}`);
        assert.equal(renderChunkText({ file: c.file, context: c.context, doc: c.doc, code: code as string }), c.text);
      }
    }
  });

  it('renders the unit without its doc, starting at the declaration', async () => {
    const r = await chunker.chunkFileAsync('src/sample.py', fixtureText('sample.py'));
    const unit = r.chunks.find((c) => c.name === 'parse_duration');
    assert.ok(unit && unit.doc.includes('Parse a duration'));
    const code = codeWithoutDoc(unit) as string;
    assert.equal(code.split('\n')[0], 'src/sample.py');
    assert.equal(code.split('\n')[1], 'def parse_duration(text):');
    assert.ok(!code.includes('Parse a duration'), 'the docstring is not in the code');
    assert.equal(code, renderChunkText({ file: unit.file, context: unit.context, doc: '', code: chunkCodePart(unit) as string }));
  });

  it('finds whole-line comments in a function body with the block they precede', () => {
    const code = 'func F(x int) int {\n\ty := x\n\t// double the value before returning it\n\ty *= 2\n\treturn y\n}';
    const found = findInlineComments(code, 'go');
    assert.equal(found.length, 1);
    assert.equal(found[0].text, 'double the value before returning it');
    assert.equal(found[0].block, 'y *= 2\nreturn y');
    assert.ok(!found[0].codeWithout.includes('double the value'));
    assert.equal(findInlineComments('def f():\n    x = 1  # trailing comment is not a line comment\n    return x', 'python').length, 0);
  });
});

describe('harvester: pairs per language', () => {
  const expected: Array<{ file: string; name: string; query: string; decl: string; inline?: string }> = [
    { file: 'sample.py', name: 'parse_duration', query: 'Parse a duration such as "1h30m" into seconds', decl: 'def parse_duration(text):', inline: 'convert each unit to its length in seconds' },
    { file: 'sample.py', name: 'RetryPolicy', query: 'Decide how long to wait between attempts, see Jitter', decl: 'class RetryPolicy:' },
    { file: 'sample.js', name: 'escapeHtml', query: 'Escapes HTML special characters in a string, see unescapeHtml', decl: 'function escapeHtml(text) {', inline: 'replace every special character with its entity' },
    { file: 'sample.ts', name: 'TtlCache.get', query: 'Returns the cached value for key when it has not expired yet', decl: '  get(key: string, now: number = Date.now()): T | undefined {', inline: 'drop the entry once its time to live has passed' },
    { file: 'sample.go', name: 'Backoff', query: 'returns the delay before the given attempt, doubling each time up to max', decl: 'func Backoff(attempt int, base, max time.Duration) time.Duration {', inline: 'stop doubling once the cap has been reached' },
    { file: 'sample.rs', name: 'word_counts', query: 'Counts how often each word occurs in the text, ignoring case', decl: 'pub fn word_counts(text: &str) -> HashMap<String, usize> {', inline: 'normalise the case so that "The" and "the" are one word' },
    { file: 'Sample.java', name: 'Splitter.wrap', query: 'Splits the input into lines no longer than width characters', decl: '    public static List<String> wrap(String text, int width) {', inline: 'start a new line when the next word would overflow this one' },
    { file: 'sample.c', name: 'crc32_compute', query: 'Compute the CRC-32 checksum of a buffer, as used by zip and PNG', decl: 'unsigned int crc32_compute(const unsigned char *buf, size_t len)', inline: 'process the eight bits of this byte one at a time' },
    { file: 'sample.cpp', name: 'join', query: 'Joins the parts with the separator between each pair of neighbours', decl: 'std::string join(const std::vector<std::string>& parts, const std::string& sep) {' },
    { file: 'Sample.cs', name: 'Slug.FromTitle', query: 'Turns a title into a lower-case URL slug made of letters, digits and dashes', decl: '        public static string FromTitle(string title)' },
    { file: 'sample.rb', name: 'Inflect.underscore', query: 'Converts a CamelCase word into snake_case, keeping acronyms together', decl: '  def self.underscore(word)' },
    { file: 'sample.php', name: 'Money.format', query: 'Formats an amount of cents as a decimal string with two places', decl: '    public static function format(int $cents): string' },
  ];
  for (const e of expected) {
    it(`${e.file}: ${e.name}`, async () => {
      const { pairs } = await harvestFixture(e.file);
      const doc = pairOf(pairs, 'doc', e.name);
      assert.equal(doc.q, e.query);
      const lines = doc.code.split('\n');
      assert.equal(lines[0], `src/${e.file}`, 'the code opens with its path line');
      assert.ok(lines.includes(e.decl), `declaration line in ${JSON.stringify(doc.code.slice(0, 300))}`);
      // only context lines (enclosing declarations) sit between the path line and the declaration: no doc line
      const declAt = lines.indexOf(e.decl);
      const docStart = e.query.split(' ').slice(0, 3).join(' ');
      assert.ok(lines.slice(1, declAt).every((l) => !l.includes(docStart) && !/^\s*(?:\/\/|\/\*|\*|#|""")/.test(l)), `doc before the declaration: ${JSON.stringify(lines.slice(0, declAt))}`);
      assert.ok(!doc.code.includes(e.query), 'the query text is not inside the code');
      if (e.inline) {
        const inline = pairs.find((p) => p.kind === 'inline' && p.q === e.inline);
        assert.ok(inline, `inline pair "${e.inline}"; have ${pairs.filter((p) => p.kind === 'inline').map((p) => p.q).join(' | ')}`);
        assert.equal(inline.name, e.name);
        assert.ok(!inline.code.includes(e.inline), 'the comment is removed from the inline pair code');
        assert.ok(inline.block && inline.block.length > 0);
      }
    });
  }

  it('rejects parameter-only docs, trivial code and deprecated notes with reasons', async () => {
    const py = await harvestFixture('sample.py');
    assert.ok(!py.pairs.some((p) => p.name === 'tiny' || p.name === 'RetryPolicy.delay'));
    assert.equal(py.drops['doc: parameter docs only'], 1);
    const js = await harvestFixture('sample.js');
    assert.ok(!js.pairs.some((p) => p.name === 'sleep'));
    const go = await harvestFixture('sample.go');
    assert.ok(!go.pairs.some((p) => p.name === 'OldBackoff'));
  });

  it('skips generated files by name and by header', async () => {
    const r = await harvestFixture('generated.pb.go');
    assert.equal(r.pairs.length, 0);
    assert.match(r.skipped ?? '', /generated/);
    assert.match(generatedReason('x/api.go', '// Code generated by mockgen. DO NOT EDIT.\npackage x\n') ?? '', /header/);
    assert.match(generatedReason('a.py', '# -*- coding: utf-8 -*-\n# Code generated by Microsoft (R) AutoRest Code Generator.\n') ?? '', /header/);
    assert.equal(generatedReason('a.py', '"""Tokens generated by the lexer are kept here."""\n'), null);
    assert.equal(generatedReason('lib/x.go', fixtureText('sample.go')), null);
  });

  it('tags test files', () => {
    assert.equal(isTestPath('pkg/foo_test.go'), true);
    assert.equal(isTestPath('tests/test_api.py'), true);
    assert.equal(isTestPath('src/__tests__/a.ts'), true);
    assert.equal(isTestPath('src/button.spec.tsx'), true);
    assert.equal(isTestPath('src/attestation.ts'), false);
  });
});

describe('harvester: package paths', () => {
  const root = '/cache/sources';
  it('derives the package from a path, innermost node_modules first', () => {
    assert.deepEqual(packageOfPath(root, '/cache/sources/deb/python3-requests/usr/lib/python3/dist-packages/requests/api.py'),
      { source: 'deb', ecosystem: 'deb', name: 'python3-requests', dir: '/cache/sources/deb/python3-requests' });
    assert.deepEqual(packageOfPath(root, '/cache/sources/npm/node_modules/@babel/core/lib/index.js'),
      { source: 'npm', ecosystem: 'npm', name: '@babel/core', dir: '/cache/sources/npm/node_modules/@babel/core' });
    assert.deepEqual(packageOfPath(root, '/cache/sources/npm/node_modules/mobx-react/node_modules/mobx/src/api.ts'),
      { source: 'npm', ecosystem: 'npm', name: 'mobx', dir: '/cache/sources/npm/node_modules/mobx-react/node_modules/mobx' });
    assert.equal(packageOfPath(root, '/elsewhere/file.py'), null);
  });

  it('strips Debian install prefixes so paths read as in the project repository', () => {
    assert.equal(debRepoPath('usr/lib/python3/dist-packages/requests/api.py'), 'requests/api.py');
    assert.equal(debRepoPath('usr/lib/python3.11/json/decoder.py'), 'json/decoder.py');
    assert.equal(debRepoPath('usr/share/gocode/src/github.com/stretchr/testify/mock/mock.go'), 'mock/mock.go');
    assert.equal(debRepoPath('usr/share/go-1.19/src/net/http/server.go'), 'net/http/server.go');
    assert.equal(debRepoPath('usr/share/cargo/registry/serde-1.0.152/src/de/mod.rs'), 'src/de/mod.rs');
    assert.equal(debRepoPath('usr/src/linux-source-6.1/linux-source-6.1/drivers/usb/core/hub.c'), 'drivers/usb/core/hub.c');
    assert.equal(debRepoPath('usr/src/gcc-12/gcc-12.2.0-dfsg/gcc-12.2.0/libiberty/md5.c'), 'libiberty/md5.c');
    assert.equal(debRepoPath('usr/share/rubygems-integration/all/gems/rack-2.2.22/lib/rack/utils.rb'), 'lib/rack/utils.rb');
    assert.equal(debRepoPath('usr/lib/jvm/openjdk-17/lib/src/java.base/java/util/HashMap.java'), 'java.base/java/util/HashMap.java');
    assert.equal(debRepoPath('usr/share/php/Monolog/Logger.php'), 'Monolog/Logger.php');
    assert.equal(debRepoPath('usr/src/gdb/gdb/libiberty/md5.c'), 'libiberty/md5.c');
    assert.equal(debRepoPath('usr/src/newlib/newlib-3.3.0/newlib-salsa/libgloss/read.c'), 'libgloss/read.c');
    assert.equal(debRepoPath('usr/share/openjfx/lib/src/javafx.graphics/javafx/scene/Node.java'), 'javafx.graphics/javafx/scene/Node.java');
  });

  it('names the sub-packages of a large package after its project folders', () => {
    assert.equal(subPackageOf('java.base/java/util/HashMap.java'), 'java.base');
    assert.equal(subPackageOf('library/core/src/num/mod.rs'), 'library/core');
    assert.equal(subPackageOf('drivers/net/ethernet/intel/e1000/e1000_main.c'), 'drivers/net');
    assert.equal(subPackageOf('asyncio/events.py'), 'asyncio');
    assert.equal(subPackageOf('difflib.py'), '(root)');
  });
});

describe('harvester: end to end on a small sources tree', function () {
  this.timeout(120000);
  let tmp: string;
  let sources: string;

  function put(rel: string, text: string): void {
    const p = path.join(sources, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
  function stamp(kind: 'deb' | 'npm', name: string, version: string): void {
    put(`.stamps/${kind}/${name.replace(/\//g, '__')}.json`, JSON.stringify({ name, version, bytes: 1000, fetchedAt: '2026-01-01T00:00:00Z' }));
  }

  const repeatedDoc = 'Close the underlying connection and release its buffers.';
  function repeatsModule(): string {
    const fns: string[] = [];
    for (let i = 0; i < 7; i++) {
      fns.push(`def close_variant_${i}(conn, pool_${i}):\n    """${repeatedDoc}"""\n    conn.flush_${i}()\n    pool_${i}.release(conn)\n    return conn.closed_${i}\n`);
    }
    for (let i = 0; i < 6; i++) {
      fns.push(`def plural_rules_${i}(n_${i}):\n    """Return the plural rules of the 'xx${i}' locale."""\n    rules_${i} = [n_${i}]\n    rules_${i}.sort()\n    return rules_${i}\n`);
    }
    fns.push('def merge_sorted(left, right):\n    """Merge two sorted lists into one sorted list."""\n    out = []\n    while left and right:\n        out.append(left.pop(0) if left[0] <= right[0] else right.pop(0))\n    return out + left + right\n');
    return fns.join('\n\n');
  }

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-harvest-'));
    sources = path.join(tmp, 'sources');
    stamp('deb', 'python3-demo', '1.0-1');
    put('deb/python3-demo/usr/lib/python3/dist-packages/demo/durations.py', fixtureText('sample.py'));
    put('deb/python3-demo/usr/share/doc/python3-demo/example.py', fixtureText('sample.py').replace('parse_duration', 'doc_copy'));
    // a second package shipping the same module: its pairs are duplicates of the first
    stamp('deb', 'python3-democopy', '2.0-1');
    put('deb/python3-democopy/usr/lib/python3/dist-packages/democopy/durations.py', fixtureText('sample.py'));
    stamp('deb', 'python3-repeats', '1.0');
    put('deb/python3-repeats/usr/lib/python3/dist-packages/repeats/conns.py', repeatsModule());
    stamp('deb', 'golang-demo-dev', '0.1');
    put('deb/golang-demo-dev/usr/share/gocode/src/github.com/demo/retry/backoff.go', fixtureText('sample.go'));
    put('deb/golang-demo-dev/usr/share/gocode/src/github.com/demo/retry/message.pb.go', fixtureText('generated.pb.go'));
    put('deb/golang-demo-dev/usr/share/gocode/src/github.com/demo/retry/backoff_test.go', fixtureText('sample.go').replace(/Backoff/g, 'TestBackoff').replace('returns the delay', 'computes the delay'));
    stamp('npm', 'demo-js', '1.2.3');
    put('npm/node_modules/demo-js/package.json', JSON.stringify({ name: 'demo-js', version: '1.2.3' }));
    put('npm/node_modules/demo-js/lib/escape.js', fixtureText('sample.js'));
    // a bundled copy of a benchmark corpus: must never be read
    put('npm/node_modules/demo-js/node_modules/mobx/package.json', JSON.stringify({ name: 'mobx', version: '6.0.0' }));
    put('npm/node_modules/demo-js/node_modules/mobx/src/cache.ts', fixtureText('sample.ts'));
    // a bundled dependency: harvested as its own package
    put('npm/node_modules/demo-js/node_modules/tiny-cache/package.json', JSON.stringify({ name: 'tiny-cache', version: '0.0.1' }));
    put('npm/node_modules/demo-js/node_modules/tiny-cache/src/cache.ts', fixtureText('sample.ts'));
    // a benchmark corpus fetched as a package of its own
    stamp('npm', 'nodemailer', '6.9.0');
    put('npm/node_modules/nodemailer/lib/rust.rs', fixtureText('sample.rs'));
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function readShards(out: string, prefix: 'pairs' | 'inline'): Array<Record<string, unknown>> {
    const rows: Array<Record<string, unknown>> = [];
    for (const f of fs.readdirSync(out).filter((n) => n.startsWith(`${prefix}-`) && n.endsWith('.jsonl')).sort()) {
      for (const line of fs.readFileSync(path.join(out, f), 'utf8').split('\n')) if (line) rows.push(JSON.parse(line) as Record<string, unknown>);
    }
    return rows;
  }

  let manifest: HarvestManifest;
  let out: string;

  it('writes doc and inline shards and a manifest', async () => {
    out = path.join(tmp, 'pairs');
    manifest = await runHarvest({ sources, out, workers: 0, log: null });
    const doc = readShards(out, 'pairs');
    const inline = readShards(out, 'inline');
    assert.ok(fs.existsSync(path.join(out, 'pairs-python-0.jsonl')));
    assert.ok(fs.existsSync(path.join(out, 'inline-go-0.jsonl')));
    for (const r of [...doc, ...inline]) {
      for (const k of ['q', 'code', 'lang', 'pkg', 'file', 'name', 'kind']) assert.equal(typeof r[k], 'string', `${k} in ${JSON.stringify(r).slice(0, 200)}`);
      assert.ok(!('h' in r), 'internal hash is not written');
    }
    assert.ok(doc.every((r) => r.kind === 'doc') && inline.every((r) => r.kind === 'inline'));
    assert.equal(manifest.pairs.doc.total, doc.length);
    assert.equal(manifest.pairs.inline.total, inline.length);
    assert.equal(manifest.pairs.doc.bySource.npm, doc.filter((r) => r.source === 'npm').length);
    const go = doc.find((r) => r.name === 'Backoff');
    assert.ok(go);
    assert.equal(go.file, 'backoff.go');
    assert.equal(go.pkg, 'golang-demo-dev');
    assert.ok((go.code as string).startsWith('backoff.go\nfunc Backoff('));
    const test = doc.find((r) => r.name === 'TestBackoff');
    assert.ok(test && test.test === true, 'test files are kept and tagged');
  });

  it('skips generated files, benchmark corpora and packaging docs', () => {
    const all = [...readShards(out, 'pairs'), ...readShards(out, 'inline')];
    assert.ok(!all.some((r) => r.name === 'Message'), 'generated .pb.go left out');
    assert.ok((manifest.drops['file: generated file (name)'] ?? 0) >= 1);
    assert.ok(!all.some((r) => r.pkg === 'mobx' || r.pkg === 'nodemailer'));
    assert.ok(!all.some((r) => r.name === 'doc_copy'), 'usr/share/doc is not walked');
    assert.ok(manifest.exclusions.excludedPackages.some((k) => k.startsWith('npm:nodemailer@')));
    assert.ok(manifest.exclusions.excludedPathExamples.some((p) => p.endsWith(path.join('node_modules', 'mobx'))));
    assert.ok(manifest.exclusions.corpora.some((c) => c.name === 'mobx'));
  });

  it('harvests a bundled node_modules package under its own name', () => {
    const doc = readShards(out, 'pairs');
    const get = doc.find((r) => r.name === 'TtlCache.get');
    assert.ok(get);
    assert.equal(get.pkg, 'tiny-cache');
    assert.equal(get.file, 'src/cache.ts');
    assert.equal(manifest.units.nested, 1);
  });

  it('dedups across packages: the first package in order keeps the pair', () => {
    const doc = readShards(out, 'pairs');
    const parse = doc.filter((r) => r.name === 'parse_duration');
    assert.equal(parse.length, 1);
    assert.equal(parse[0].pkg, 'python3-demo');
    assert.ok((manifest.drops['doc: duplicate code (across packages)'] ?? 0) >= 1);
  });

  it('drops queries repeated more than the limit', () => {
    const doc = readShards(out, 'pairs');
    assert.ok(!doc.some((r) => String(r.q).startsWith('Close the underlying connection')));
    assert.equal(manifest.drops['doc: query repeated more than 5 times'], 7 + 6, 'identical and templated repeats');
    assert.ok(!doc.some((r) => String(r.q).startsWith('Return the plural rules')));
    assert.ok(doc.some((r) => r.name === 'merge_sorted'));
  });

  it('reuses per-package candidates on a second run and gives the same output', async () => {
    const before = readShards(out, 'pairs').map((r) => JSON.stringify(r)).sort();
    const again = await runHarvest({ sources, out, workers: 0, log: null });
    assert.equal(again.units.reused, again.units.total);
    assert.equal(again.units.harvested, 0);
    assert.deepEqual(readShards(out, 'pairs').map((r) => JSON.stringify(r)).sort(), before);
  });

  it('gives the same pairs with a worker thread and caps pairs per package', async () => {
    const viaWorker = path.join(tmp, 'pairs-worker');
    await runHarvest({ sources, out: viaWorker, workers: 1, log: null });
    assert.deepEqual(readShards(viaWorker, 'pairs').map((r) => JSON.stringify(r)).sort(), readShards(out, 'pairs').map((r) => JSON.stringify(r)).sort());
    const capped = path.join(tmp, 'pairs-capped');
    const m = await runHarvest({ sources, out: capped, workers: 0, log: null, maxPerPackage: 2 });
    const perPackage = new Map<string, number>();
    for (const r of readShards(capped, 'pairs')) perPackage.set(String(r.pkg), (perPackage.get(String(r.pkg)) ?? 0) + 1);
    assert.ok([...perPackage.values()].every((n) => n <= 2));
    assert.ok((m.drops['doc: over the per-package cap'] ?? 0) >= 6);
  });

  it('caps a large package per sub-package', async () => {
    put('deb/python3-mono/usr/lib/python3/dist-packages/alpha/durations.py', fixtureText('sample.py').replace(/parse_duration/g, 'alpha_parse').replace('Parse a duration', 'Read a duration'));
    put('deb/python3-mono/usr/lib/python3/dist-packages/alpha/conns.py', repeatsModule().replace(/close_variant/g, 'alpha_close').replace(repeatedDoc, 'Shut the alpha link down and free it.').replace('merge_sorted', 'alpha_merge'));
    put('deb/python3-mono/usr/lib/python3/dist-packages/beta/escape.js', fixtureText('sample.js').replace(/escapeHtml/g, 'betaEscape').replace('Escapes HTML', 'Quotes HTML'));
    stamp('deb', 'python3-mono', '1.0');
    const outDir = path.join(tmp, 'pairs-split');
    const m = await runHarvest({ sources, out: outDir, workers: 0, log: null, maxPerPackage: 1, splitMinFiles: 2, filter: /^python3-mono$/ });
    const doc = readShards(outDir, 'pairs');
    const pkgs = doc.map((r) => String(r.pkg)).sort();
    assert.deepEqual(pkgs, ['python3-mono:alpha', 'python3-mono:beta'], 'one pair per sub-package with a cap of 1');
    assert.deepEqual(m.units.split, [{ key: 'deb:python3-mono@1.0', groups: 2 }]);
  });
});
