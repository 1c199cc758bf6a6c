import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Chunker, ChunkFileResult } from '../../src/core/chunk/chunker';
import { countTokens, MAX_CHUNK_TEXT_CHARS, renderChunkText } from '../../src/core/chunk/chunkText';
import { languageForPath } from '../../src/core/chunk/languages';
import { splitWords } from '../../src/core/text/identifiers';
import type { Chunk, LanguageId } from '../../src/core/types';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'chunker');
const ALL_LANGUAGES: LanguageId[] = ['python', 'javascript', 'typescript', 'tsx', 'go', 'rust', 'java', 'c', 'cpp', 'csharp', 'ruby', 'php'];

let chunker: Chunker;

before(async () => {
  chunker = await Chunker.create();
  await chunker.prepare(...ALL_LANGUAGES);
});

function fixture(name: string): { rel: string; text: string } {
  return { rel: `fixtures/${name}`, text: fs.readFileSync(path.join(FIXTURES, name), 'utf8') };
}

function chunkFixture(name: string): ChunkFileResult {
  const { rel, text } = fixture(name);
  return chunker.chunkFile(rel, text);
}

function find(chunks: Chunk[], name: string, kind?: string): Chunk {
  const c = chunks.find((x) => x.name === name && (!kind || x.kind === kind));
  assert.ok(c, `no chunk named ${name}${kind ? ` (${kind})` : ''}; have: ${chunks.map((x) => `${x.kind} ${x.name}`).join(', ')}`);
  return c;
}

/** Invariants every chunk of every file must keep. */
function checkInvariants(result: ChunkFileResult, rel: string, lineCount: number): void {
  const files = result.chunks.filter((c) => c.kind === 'file');
  assert.equal(files.length, 1, `${rel}: exactly one file chunk`);
  assert.equal(result.chunks[0].kind, 'file', `${rel}: the file chunk comes first`);
  for (const c of result.chunks) {
    const where = `${rel} ${c.kind} ${c.name} [${c.startLine}-${c.endLine}]`;
    assert.equal(c.file, rel);
    assert.ok(c.startLine >= 1 && c.startLine <= c.endLine, `${where}: span`);
    assert.ok(c.declLine >= c.startLine && c.declLine <= c.endLine, `${where}: declLine ${c.declLine} inside span`);
    assert.ok(c.endLine <= Math.max(1, lineCount), `${where}: ends within the file (${lineCount} lines)`);
    assert.ok(c.text.length <= MAX_CHUNK_TEXT_CHARS, `${where}: text capped`);
    assert.ok(c.text.startsWith(`${rel}\n`) || c.text === rel, `${where}: text starts with the path line`);
    for (const ctx of c.context) assert.ok(c.text.includes(`\n${ctx}\n`) || c.text.endsWith(`\n${ctx}`), `${where}: context line in text`);
    if (c.part) assert.ok(c.part.index >= 1 && c.part.index <= c.part.count && c.part.count > 1, `${where}: part numbering`);
  }
}

function lineCountOf(text: string): number {
  const lines = text.split('\n');
  return lines.length > 1 && lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
}

describe('languageForPath', () => {
  it('maps code extensions to their tree-sitter language', () => {
    const cases: Array<[string, LanguageId]> = [
      ['a/b.py', 'python'], ['x.pyi', 'python'], ['x.jsx', 'javascript'], ['x.mjs', 'javascript'], ['x.cjs', 'javascript'],
      ['x.ts', 'typescript'], ['x.mts', 'typescript'], ['x.d.ts', 'typescript'], ['x.tsx', 'tsx'], ['main.go', 'go'], ['lib.rs', 'rust'],
      ['A.java', 'java'], ['x.c', 'c'], ['x.h', 'c'], ['x.cc', 'cpp'], ['x.hpp', 'cpp'], ['x.cxx', 'cpp'], ['P.cs', 'csharp'],
      ['x.rb', 'ruby'], ['x.php', 'php'], ['SRC\\Main.PY', 'python'],
    ];
    for (const [p, lang] of cases) assert.equal(languageForPath(p), lang, p);
  });

  it('maps prose, config, other source and well-known names', () => {
    assert.equal(languageForPath('README.md'), 'markdown');
    assert.equal(languageForPath('docs/index.rst'), 'markdown');
    assert.equal(languageForPath('tsconfig.json'), 'config');
    assert.equal(languageForPath('.github/workflows/ci.yml'), 'config');
    assert.equal(languageForPath('Cargo.toml'), 'config');
    assert.equal(languageForPath('run.sh'), 'text');
    assert.equal(languageForPath('App.kt'), 'text');
    assert.equal(languageForPath('style.scss'), 'text');
    assert.equal(languageForPath('Makefile'), 'text');
    assert.equal(languageForPath('docker/Dockerfile'), 'text');
    assert.equal(languageForPath('Gemfile'), 'ruby');
  });

  it('rejects binaries, archives, lock files, bundles and unknown types', () => {
    for (const p of ['logo.png', 'a.zip', 'x.tar.gz', 'package-lock.json', 'yarn.lock', 'Cargo.lock', 'go.sum', 'app.min.js', 'a.js.map', 'x.unknownext', 'LICENSE', '.env']) {
      assert.equal(languageForPath(p), null, p);
    }
  });
});

describe('chunk text', () => {
  it('countTokens counts identifier parts exactly as splitWords does', () => {
    const samples = ['parseHTTPDate(x) + user_id', 'HTTPServer_v2 $scope __init__ _', 'def take(self, count: int = 1) -> bool:', '日本語 naïveCafé 123abc'];
    for (const s of samples) assert.equal(countTokens(s), splitWords(s).reduce((n, w) => n + w.parts.length, 0), s);
    // random identifier-like strings: the fast ASCII path must agree with splitWords
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
    const alphabet = 'aAbBzZ09_$ .-(xYHTTP';
    for (let k = 0; k < 5000; k++) {
      let s = '';
      for (let i = 1 + Math.floor(next() * 14); i > 0; i--) s += alphabet[Math.floor(next() * alphabet.length)];
      assert.equal(countTokens(s), splitWords(s).reduce((n, w) => n + w.parts.length, 0), JSON.stringify(s));
    }
    assert.equal(countTokens('parseDuration'), 2);
    assert.equal(countTokens(''), 0);
  });

  it('renders path, context, doc and code in order, skipping empty parts', () => {
    assert.equal(
      renderChunkText({ file: 'src/a.py', context: ['class A:'], doc: 'Does it.', code: '    def f(self):\n        pass\n' }),
      'src/a.py\nclass A:\nDoes it.\n    def f(self):\n        pass',
    );
    assert.equal(renderChunkText({ file: 'src/a.py', context: [], doc: '', code: 'x = 1' }), 'src/a.py\nx = 1');
  });
});

describe('Chunker on fixtures', () => {
  for (const name of fs.readdirSync(FIXTURES)) {
    it(`keeps the chunk invariants for ${name}`, () => {
      const { rel, text } = fixture(name);
      const result = chunker.chunkFile(rel, text);
      assert.equal(result.fallbackReason, undefined, `${name}: ${result.fallbackReason}`);
      checkInvariants(result, rel, lineCountOf(text));
      for (const c of result.chunks) {
        if (c.kind === 'file') continue;
        assert.equal(c.language, languageForPath(name));
        const header = renderChunkText({ file: rel, context: c.context, doc: c.doc, code: '' });
        assert.ok(c.text.startsWith(`${header}\n`), `${c.name}: text is path, context, doc, then code`);
      }
    });
  }

  it('python: methods with docstrings, class context, decorators, blocks and module doc', () => {
    const { chunks } = chunkFixture('sample.py');
    const take = find(chunks, 'TokenBucket.take', 'method');
    assert.equal(take.startLine, 23);
    assert.equal(take.endLine, 35);
    assert.equal(take.declLine, 23);
    assert.equal(take.doc, 'Take tokens from the bucket.\n\nReturns False when not enough tokens are left.');
    assert.deepEqual(take.context, ['class TokenBucket:']);
    assert.equal(take.signature, 'def take(self, count: int = 1) -> bool:');
    assert.ok(!take.text.includes('"""'), 'the docstring is given once, as doc');
    assert.ok(take.text.includes('self.tokens -= count'));

    const cls = find(chunks, 'TokenBucket', 'class');
    assert.equal(cls.startLine, 12, 'decorator included');
    assert.equal(cls.declLine, 13);
    assert.equal(cls.doc, 'A token bucket that refills at a fixed rate.');
    assert.ok(cls.text.includes('@dataclass'));

    const parse = find(chunks, 'parse_duration', 'function');
    assert.equal(parse.doc, 'Parse a duration such as "1h30m" into seconds.', 'a # comment right above is the doc');
    assert.equal(parse.startLine, 52);

    const rate = find(chunks, 'rate_limited', 'function');
    assert.ok(rate.text.includes('def inner(*args, **kwargs):'), 'nested functions stay inside their parent');
    assert.ok(!chunks.some((c) => c.name.endsWith('wrap') || c.name.endsWith('inner')));

    const blocks = chunks.filter((c) => c.kind === 'block');
    assert.ok(blocks.some((b) => b.text.includes('DEFAULT_RATE = 10.0')));
    assert.ok(blocks.some((b) => b.signature === 'if __name__ == "__main__":' && b.startLine === 65 && b.endLine === 67));
    assert.ok(!blocks.some((b) => b.text.includes('import time')), 'imports are folded into the file summary');

    const file = chunks[0];
    assert.equal(file.kind, 'file');
    assert.ok(file.doc.startsWith('Rate limiting helpers for the HTTP client.'));
    assert.ok(file.text.includes('import time'));
    assert.ok(file.text.includes('method TokenBucket.take') && file.text.includes('function parse_duration'));
    assert.equal(file.startLine, 1);
    assert.equal(file.endLine, 67);
  });

  it('javascript: JSDoc, class methods, const arrow functions, generators', () => {
    const { chunks } = chunkFixture('sample.js');
    const emit = find(chunks, 'StickyEmitter.emit', 'method');
    assert.equal(emit.startLine, 19, 'JSDoc included in the span');
    assert.equal(emit.declLine, 23);
    assert.equal(emit.endLine, 26);
    assert.ok(emit.doc.startsWith('Emit an event and remember its payload.'));
    assert.ok(emit.doc.includes('@param {string} name event name'));
    assert.deepEqual(emit.context, ['class StickyEmitter extends EventEmitter']);
    const debounce = find(chunks, 'debounce', 'function');
    assert.equal(debounce.doc, 'Debounce a function by the given delay in milliseconds.');
    assert.equal(debounce.signature, 'const debounce = (fn, delay) =>');
    find(chunks, 'range', 'function');
    assert.equal(chunks[0].doc, '@file Small event emitter used by the UI layer.');
  });

  it('typescript: interfaces, type aliases, enums, documented constants, namespaces', () => {
    const { chunks } = chunkFixture('sample.ts');
    assert.equal(find(chunks, 'CacheOptions').kind, 'interface');
    assert.equal(find(chunks, 'Loader').kind, 'type');
    assert.equal(find(chunks, 'EvictionPolicy').kind, 'enum');
    const ttl = find(chunks, 'DEFAULT_TTL', 'constant');
    assert.equal(ttl.doc, 'How long a cached entry stays fresh, in milliseconds.');
    const get = find(chunks, 'Cache.get', 'method');
    assert.deepEqual(get.context, ['class Cache<T>']);
    assert.equal(get.startLine, 28);
    assert.equal(get.declLine, 29);
    assert.equal(get.endLine, 35);
    assert.equal(find(chunks, 'isAbsoluteUrl', 'function').signature, 'const isAbsoluteUrl = (s: string): boolean =>');
    const hash = find(chunks, 'Internal.hash', 'function');
    assert.deepEqual(hash.context, ['namespace Internal']);
  });

  it('tsx: components and class fields holding arrow functions', () => {
    const { chunks } = chunkFixture('sample.tsx');
    assert.equal(find(chunks, 'CounterButton', 'function').doc, 'A button that counts its clicks.');
    const list = find(chunks, 'ItemList', 'function');
    assert.equal(list.startLine, 23);
    assert.equal(list.endLine, 30);
    find(chunks, 'Panel.handleClose', 'method');
    find(chunks, 'Panel.render', 'method');
  });

  it('go: receiver methods take the type as owner and context', () => {
    const { chunks } = chunkFixture('sample.go');
    const findM = find(chunks, 'Store.Find', 'method');
    assert.equal(findM.doc, 'Find returns the user with the given id.');
    assert.deepEqual(findM.context, ['type Store struct']);
    assert.equal(findM.startLine, 34);
    assert.equal(findM.declLine, 35);
    assert.equal(findM.endLine, 43);
    assert.equal(find(chunks, 'Finder').kind, 'interface');
    assert.equal(find(chunks, 'User').kind, 'struct');
    assert.equal(find(chunks, 'ErrNotFound', 'constant').doc, 'ErrNotFound is returned when a user does not exist.');
    assert.equal(chunks[0].doc, 'Package store keeps users in memory.');
  });

  it('rust: doc comments and attributes above items, impl methods, modules', () => {
    const { chunks } = chunkFixture('sample.rs');
    const err = find(chunks, 'ParseError', 'struct');
    assert.equal(err.startLine, 6, 'doc comment included');
    assert.equal(err.declLine, 8);
    assert.ok(err.text.includes('#[derive(Debug, Clone, PartialEq)]'));
    assert.equal(err.doc, 'Error returned when a duration string is malformed.');
    const seconds = find(chunks, 'Unit.seconds', 'method');
    assert.deepEqual(seconds.context, ['impl Scale for Unit']);
    assert.equal(find(chunks, 'ParseError.fmt', 'method').context[0], 'impl fmt::Display for ParseError');
    assert.equal(find(chunks, 'Scale').kind, 'trait');
    // line comments carry their newline in tree-sitter-rust: no blank line between doc lines
    assert.equal(find(chunks, 'Scale').doc, 'Something that converts to seconds.\nImplemented by every unit.');
    const test = find(chunks, 'tests.parses_hours_and_minutes', 'function');
    assert.deepEqual(test.context, ['mod tests']);
    assert.equal(chunks[0].doc, 'Parsing of human-readable durations.');
  });

  it('java: javadoc and annotations, constructors, enum methods, nested records', () => {
    const { chunks } = chunkFixture('Sample.java');
    const add = find(chunks, 'OrderBook.add', 'method');
    assert.equal(add.startLine, 15);
    assert.equal(add.declLine, 21, 'the declaration line is past the annotation');
    assert.equal(add.endLine, 24);
    assert.ok(add.doc.startsWith('Adds an order and returns the new total.'));
    assert.ok(add.text.includes('@Deprecated'));
    assert.deepEqual(add.context, ['public class OrderBook']);
    find(chunks, 'OrderBook.OrderBook', 'method');
    find(chunks, 'OrderBook.Order', 'class');
    find(chunks, 'Status.isFinal', 'method');
    assert.equal(find(chunks, 'Priced').kind, 'interface');
  });

  it('c: functions with block-comment docs, typedef structs, enums', () => {
    const { chunks } = chunkFixture('sample.c');
    const append = find(chunks, 'buffer_append', 'function');
    assert.equal(append.doc, 'Append bytes to the buffer, growing it when needed.\nReturns 0 on success.');
    assert.equal(append.startLine, 23);
    assert.equal(append.declLine, 25);
    assert.equal(append.endLine, 32);
    assert.equal(find(chunks, 'Buffer').kind, 'struct');
    assert.equal(find(chunks, 'color').kind, 'enum');
    assert.equal(find(chunks, 'grow', 'function').startLine, 34);
    assert.equal(chunks[0].doc, 'A growable byte buffer.');
  });

  it('cpp: namespaces as context, in-class and out-of-class methods, templates', () => {
    const { chunks } = chunkFixture('sample.cpp');
    const area = find(chunks, 'Polygon.area', 'method');
    assert.deepEqual(area.context, ['namespace geo', 'class Polygon']);
    assert.equal(area.startLine, 26);
    const size = find(chunks, 'Polygon.size', 'method');
    assert.equal(size.startLine, 20);
    const clamp = find(chunks, 'clamp', 'function');
    assert.equal(clamp.startLine, 36, 'template line included');
    assert.equal(clamp.declLine, 37);
    assert.deepEqual(clamp.context, ['namespace geo']);
    assert.equal(find(chunks, 'Point').doc, 'A point in the plane.');
  });

  it('csharp: XML doc comments, attributes, namespace context', () => {
    const { chunks } = chunkFixture('Sample.cs');
    const add = find(chunks, 'StockLedger.Add', 'method');
    assert.equal(add.doc, 'Adds stock for a product.');
    assert.equal(add.startLine, 15);
    assert.equal(add.declLine, 17);
    assert.equal(add.endLine, 21);
    assert.deepEqual(add.context, ['namespace Shop.Inventory', 'public class StockLedger']);
    assert.equal(find(chunks, 'StockLedger', 'class').doc, 'Tracks stock levels per product.');
    assert.equal(find(chunks, 'IClock').kind, 'interface');
    assert.ok(!chunks.some((c) => c.kind === 'module'), 'a namespace adds context, not a chunk');
  });

  it('ruby: modules and classes qualify names, singleton methods, comment docs', () => {
    const { chunks } = chunkFixture('sample.rb');
    const add = find(chunks, 'Shop.Cart.add', 'method');
    assert.equal(add.doc, 'Add an item with a quantity.');
    assert.deepEqual(add.context, ['module Shop', 'class Cart']);
    assert.equal(add.startLine, 13);
    assert.equal(add.endLine, 17);
    assert.equal(find(chunks, 'Shop.Cart', 'class').doc, 'A cart holding line items.');
    find(chunks, 'Shop.Cart.empty', 'method');
    find(chunks, 'Shop.format_price', 'function');
    assert.ok(chunks.some((c) => c.kind === 'block' && c.text.includes("TAX_RATE = BigDecimal('0.2')")));
  });

  it('php: classes, traits, interfaces, functions under a file namespace', () => {
    const { chunks } = chunkFixture('sample.php');
    const total = find(chunks, 'InvoiceCalculator.total', 'method');
    assert.equal(total.doc, 'Total including tax.');
    assert.equal(total.startLine, 19);
    assert.equal(total.declLine, 22);
    assert.deepEqual(total.context, ['namespace App\\Billing', 'class InvoiceCalculator']);
    assert.equal(find(chunks, 'Loggable').kind, 'trait');
    find(chunks, 'Loggable.log', 'method');
    assert.equal(find(chunks, 'format_money', 'function').doc, 'Format money with two decimals.');
  });

  it('markdown: heading sections with their parent headings as context', () => {
    const { chunks } = chunkFixture('guide.md');
    const sections = chunks.filter((c) => c.kind === 'section');
    assert.deepEqual(sections.map((s) => s.name), ['Sift guide', 'Installing', 'Searching', 'Filters', 'Configuration']);
    const install = find(sections, 'Installing');
    assert.equal(install.startLine, 5);
    assert.equal(install.endLine, 12, 'a # inside a code fence is not a heading');
    assert.deepEqual(find(sections, 'Filters').context, ['# Sift guide', '## Searching']);
    assert.equal(find(sections, 'Configuration').startLine, 22, 'setext heading');
    assert.ok(chunks[0].doc.startsWith('Sift guide'));
  });
});

describe('Chunker on prose', () => {
  it('finds reStructuredText headings by their underline style', () => {
    const rst = 'Project\n=======\n\nIntro text here.\n\nUsage\n-----\n\nRun the tool.\n\nAdvanced\n~~~~~~~~\n\nDetails.\n\nOther\n-----\n\nMore.\n';
    const sections = chunker.chunkFile('docs/index.rst', rst).chunks.filter((c) => c.kind === 'section');
    assert.deepEqual(sections.map((c) => [c.name, c.startLine, c.endLine, c.context]), [
      ['Project', 1, 4, []],
      ['Usage', 6, 9, ['Project']],
      ['Advanced', 11, 14, ['Project', 'Usage']],
      ['Other', 16, 19, ['Project']],
    ]);
  });

  it('splits a long section at paragraphs into parts that repeat the heading', async () => {
    const small = await Chunker.create({ maxTokens: 40 });
    const md = '# Big\n\n' + Array.from({ length: 12 }, (_, i) => `Paragraph ${i} talks about searching code by meaning.\n`).join('\n');
    const parts = small.chunkFile('big.md', md).chunks.filter((c) => c.kind === 'section');
    assert.ok(parts.length > 2);
    parts.forEach((p, i) => {
      assert.equal(p.name, 'Big');
      assert.deepEqual(p.part, { index: i + 1, count: parts.length });
      assert.ok(p.text.startsWith('big.md\n# Big\n'));
      if (i > 0) assert.match(p.text.split('\n')[2], /^Paragraph \d+/, 'parts start at a paragraph');
    });
    assert.equal(parts[parts.length - 1].endLine, lineCountOf(md));
  });
});

describe('Chunker splitting and outlines', () => {
  it('splits a large function into overlapping parts that repeat the signature', async () => {
    const small = await Chunker.create({ maxTokens: 64 });
    await small.prepare('python');
    const body = Array.from({ length: 60 }, (_, i) => `    value_${i} = compute_item(source, ${i})`).join('\n');
    const text = `import os\n\n\ndef process_items(source, limit):\n    """Process every item."""\n${body}\n    return value_59\n`;
    const { chunks } = small.chunkFile('big.py', text);
    const parts = chunks.filter((c) => c.name === 'process_items');
    assert.ok(parts.length > 3, `expected several parts, got ${parts.length}`);
    parts.forEach((p, i) => {
      assert.deepEqual(p.part, { index: i + 1, count: parts.length });
      assert.equal(p.kind, 'function');
      assert.ok(p.text.includes('def process_items(source, limit):'), `part ${i + 1} repeats the signature`);
      if (i > 0) {
        assert.ok(p.startLine <= parts[i - 1].endLine, `part ${i + 1} overlaps part ${i}`);
        assert.ok(p.startLine > parts[i - 1].startLine);
        assert.equal(p.doc, '');
      }
      // each part's own lines are the file's lines at its span
      const lines = text.split('\n');
      const last = lines[p.endLine - 1];
      assert.ok(p.text.endsWith(last), `part ${i + 1} ends with line ${p.endLine}`);
    });
    assert.equal(parts[0].startLine, 4);
    assert.equal(parts[0].doc, 'Process every item.');
    assert.equal(parts[parts.length - 1].endLine, 66);
    small.dispose();
  });

  it('gives a large class an outline of member signatures plus one chunk per method', async () => {
    const small = await Chunker.create({ maxTokens: 64 });
    await small.prepare('java');
    const methods = Array.from({ length: 5 }, (_, i) =>
      `  /** Does ${i}. */\n  public int method${i}(int x, String y) {\n    int z = x * ${i};\n    return z + y.length();\n  }\n`).join('\n');
    const text = `/** Big class. */\npublic class Big extends Base {\n  private int a = 1;\n${methods}}\n`;
    const { chunks } = small.chunkFile('Big.java', text);
    const cls = find(chunks, 'Big', 'class');
    assert.equal(cls.startLine, 1);
    assert.equal(cls.endLine, lineCountOf(text));
    for (let i = 0; i < 5; i++) {
      assert.ok(cls.text.includes(`public int method${i}(int x, String y)`), `outline lists method${i}`);
      assert.ok(!cls.text.includes(`int z = x * ${i};`), 'outline leaves method bodies out');
      const m = find(chunks, `Big.method${i}`, 'method');
      assert.equal(m.doc, `Does ${i}.`);
      assert.ok(m.text.includes(`int z = x * ${i};`));
    }
    assert.ok(cls.text.includes('private int a = 1;'));
    small.dispose();
  });

  it('splits a huge top-level statement (a test suite) into block parts at inner statements', async () => {
    const small = await Chunker.create({ maxTokens: 64 });
    await small.prepare('typescript');
    const cases = Array.from({ length: 8 }, (_, i) => `  it('works ${i}', () => {\n    expect(load('k${i}')).toBe(${i});\n  });\n`).join('\n');
    const text = `describe('loader', () => {\n${cases}});\n`;
    const blocks = small.chunkFile('a.test.ts', text).chunks.filter((c) => c.kind === 'block');
    assert.ok(blocks.length > 1);
    for (const b of blocks.slice(1)) assert.match(b.text.split('\n')[1], /^\s+it\('works \d'/, 'parts start at a statement');
    small.dispose();
  });
});

describe('Chunker fallbacks and hostile input', () => {
  it('chunks files without a grammar as overlapping line windows', () => {
    const text = Array.from({ length: 100 }, (_, i) => `fun f${i}() = ${i}`).join('\n');
    const result = chunker.chunkFile('src/App.kt', text);
    assert.match(result.fallbackReason ?? '', /no tree-sitter grammar/);
    const windows = result.chunks.filter((c) => c.kind === 'window');
    assert.deepEqual(windows.map((w) => [w.startLine, w.endLine]), [[1, 40], [36, 75], [71, 100]]);
    assert.ok(windows[1].text.includes('fun f35() = 35'));
    checkInvariants(result, 'src/App.kt', 100);
  });

  it('respects windowLines and summarises config keys', async () => {
    const c = await Chunker.create({ windowLines: 10 });
    const text = JSON.stringify({ name: 'sift', version: '1.0.0', scripts: { test: 'mocha' }, list: Array.from({ length: 30 }, (_, i) => i) }, null, 2);
    const result = c.chunkFile('package.json', text);
    const windows = result.chunks.filter((w) => w.kind === 'window');
    assert.ok(windows.length > 3);
    for (const w of windows) assert.ok(w.endLine - w.startLine + 1 <= 10);
    assert.ok(result.chunks[0].text.includes('scripts'));
    checkInvariants(result, 'package.json', lineCountOf(text));
  });

  it('falls back to windows for garbage and never throws', () => {
    const text = Array.from({ length: 60 }, (_, i) => `}}}{{{ ))) @@@ <<<>>> ;;; ${i} ''' """ \\ ^^^`).join('\n');
    const result = chunker.chunkFile('broken.py', text);
    assert.match(result.fallbackReason ?? '', /parse errors/);
    assert.ok(result.chunks.some((c) => c.kind === 'window' && c.text.includes(';;; 59')));
    checkInvariants(result, 'broken.py', 60);
  });

  it('keeps the units that parsed in a file with some syntax errors', () => {
    const text = 'function good() { return 1; }\n\nfunction bad( { ))) ;\n\nclass Kept {\n  method() { return 2; }\n}\nfunction last() { return 3; }\n';
    const result = chunker.chunkFile('partial.js', text);
    assert.equal(result.fallbackReason, undefined);
    find(result.chunks, 'good', 'function');
    find(result.chunks, 'Kept', 'class');
    find(result.chunks, 'last', 'function');
    checkInvariants(result, 'partial.js', lineCountOf(text));
  });

  it('survives deeply nested code', () => {
    const inputs: Array<[string, string]> = [
      ['nested.js', 'function outer() {\n' + 'if (a) {\n'.repeat(5000) + 'x++;\n' + '}\n'.repeat(5000) + '}\n'],
      ['arrays.js', 'const x = ' + '[\n'.repeat(5000) + ']\n'.repeat(5000) + ';\nfunction after() { return 1; }\n'],
      ['parens.py', 'x = ' + '(\n'.repeat(5000) + '1' + ')\n'.repeat(5000) + '\ndef after():\n    return 1\n'],
      ['ns.cpp', 'namespace a {\n'.repeat(3000) + 'int f() { return 1; }\n' + '}\n'.repeat(3000)],
      ['mods.rs', 'mod a {\n'.repeat(2000) + 'fn f() {}\n' + '}\n'.repeat(2000)],
    ];
    for (const [rel, text] of inputs) {
      const result = chunker.chunkFile(rel, text);
      checkInvariants(result, rel, lineCountOf(text));
      assert.ok(result.chunks.length > 1, rel);
    }
    assert.ok(chunker.chunkFile('arrays.js', inputs[1][1]).chunks.some((c) => c.name === 'after'));
    assert.ok(chunker.chunkFile('parens.py', inputs[2][1]).chunks.some((c) => c.name === 'after'));
  });

  it('cuts a minified one-line bundle into bounded character windows', () => {
    const text = '!function(){' + Array.from({ length: 6000 }, (_, i) => `var a${i}=function(b){return b*${i}};`).join('') + '}();';
    const result = chunker.chunkFile('dist/bundle.js', text);
    assert.match(result.fallbackReason ?? '', /minified/);
    const windows = result.chunks.filter((c) => c.kind === 'window');
    assert.ok(windows.length > 10);
    for (const w of windows) assert.deepEqual([w.startLine, w.endLine], [1, 1]);
    const joined = windows.map((w) => w.text.slice('dist/bundle.js\n'.length)).join('');
    assert.ok(joined === text, 'the windows cover the line exactly');
    checkInvariants(result, 'dist/bundle.js', 1);
  });

  it('caps the text of a chunk holding a very long line but keeps its span', () => {
    const code = Array.from({ length: 1500 }, (_, i) => `export function f${i}(a: number): number { return a + ${i}; }`).join('\n');
    const text = `${code}\nexport const DATA = "${'x'.repeat(60000)}";\n`;
    const result = chunker.chunkFile('data.ts', text);
    assert.equal(result.fallbackReason, undefined);
    const data = result.chunks.find((c) => c.startLine === 1501 && c.kind !== 'file');
    assert.ok(data, 'the long line is in a chunk');
    assert.ok(data.text.length <= MAX_CHUNK_TEXT_CHARS);
    checkInvariants(result, 'data.ts', 1501);
  });

  it('gives an empty file just its summary chunk', () => {
    for (const text of ['', '\n\n  \n']) {
      const result = chunker.chunkFile('empty.py', text);
      assert.equal(result.chunks.length, 1);
      assert.equal(result.chunks[0].kind, 'file');
      assert.equal(result.chunks[0].text, 'empty.py');
    }
  });

  it('counts lines the same with CRLF line ends and handles non-ASCII text', () => {
    const lf = 'def a():\n    return 1\n\nclass B:\n    def m(self):\n        """Doc."""\n        return 2\n';
    const crlf = chunker.chunkFile('c.py', lf.replace(/\n/g, '\r\n')).chunks;
    const plain = chunker.chunkFile('c.py', lf).chunks;
    assert.deepEqual(crlf.map((c) => [c.name, c.startLine, c.endLine, c.doc]), plain.map((c) => [c.name, c.startLine, c.endLine, c.doc]));
    const uni = chunker.chunkFile('u.ts', '// ü ö 日本語\n\nconst é = "ü"; function after(x: string) { return x; }\n/** 说明 */\nfunction 函数(a: number): number { return a; }\n').chunks;
    assert.equal(find(uni, 'after').signature, 'function after(x: string)');
    const f = find(uni, '函数');
    assert.equal(f.doc, '说明');
    assert.equal(f.signature, 'function 函数(a: number): number');
  });

  it('falls back when a grammar was not prepared, and on a parse timeout', async () => {
    const fresh = await Chunker.create();
    const unprepared = fresh.chunkFile('x.go', 'package x\n\nfunc A() int { return 1 }\n');
    assert.match(unprepared.fallbackReason ?? '', /prepare/);
    const prepared = await fresh.chunkFileAsync('x.go', 'package x\n\nfunc A() int { return 1 }\n');
    assert.equal(prepared.fallbackReason, undefined);
    find(prepared.chunks, 'A', 'function');

    const hasty = await Chunker.create({ parseTimeoutMs: 50 });
    await hasty.prepare('javascript');
    // far more than 50 ms of parsing on any machine
    const big = Array.from({ length: 60000 }, (_, i) => `function f${i}(a, b) {\n  return a + b * ${i};\n}\n`).join('');
    const timedOut = hasty.chunkFile('big.js', big);
    assert.match(timedOut.fallbackReason ?? '', /timed out/);
    assert.ok(timedOut.chunks.length > 1);
    // the cancelled parse is not resumed on the next file
    const next = hasty.chunkFile('small.js', 'function ok() { return 1; }\n');
    assert.equal(next.fallbackReason, undefined);
    find(next.chunks, 'ok', 'function');
  });
});

describe('Chunker throughput', () => {
  it('chunks a large generated codebase (throughput printed, not asserted)', () => {
    const base = fixture('sample.ts').text;
    const copies = Array.from({ length: 40 }, (_, i) => base.replace(/\b(Cache|readJson|isAbsoluteUrl)\b/g, `$1${i}`));
    const text = copies.join('\n');
    const lines = lineCountOf(text);
    const files = 25;
    for (let w = 0; w < 3; w++) chunker.chunkFile(`warm/f${w}.ts`, text); // JIT warm-up
    const t0 = performance.now();
    let chunks = 0;
    for (let f = 0; f < files; f++) {
      const result = chunker.chunkFile(`gen/f${f}.ts`, text);
      chunks += result.chunks.length;
      if (f === 0) {
        for (let i = 0; i < 40; i++) find(result.chunks, `Cache${i}.get`, 'method');
      }
    }
    const ms = performance.now() - t0;
    console.log(`      chunker throughput: ${files} files × ${lines} lines in ${ms.toFixed(0)} ms = ${Math.round((files * lines) / (ms / 1000))} lines/s, ${chunks / files} chunks per file`);
  });
});
