import * as assert from 'node:assert/strict';
import { Chunker } from '../../src/core/chunk/chunker';
import { ChunkTable } from '../../src/core/persist/chunkTable';
import type { StoredChunk } from '../../src/core/persist/indexStore';
import { collapseOverlapping, type Span } from '../../src/core/search/collapse';
import { makeSnippet, SNIPPET_GAP, sourceView } from '../../src/core/search/snippet';
import { hitSpan, type MergedHit, mergeRankedParts, mergeSplitParts, unitOf } from '../../src/core/search/units';
import { splitWords } from '../../src/core/text/identifiers';
import { isContentWord, isStopWord } from '../../src/core/text/stopWords';
import type { Chunk } from '../../src/core/types';

const FILE = 'src/configParser.ts';
const values = (name: string, n: number) => Array.from({ length: n }, (_, i) => `    const ${name}${i} = computeItem(source, ${i});`).join('\n');
// With maxTokens 64: the class is outlined, parseConfig is split into parts, reset is whole,
// and each describe() is a block split in two.
const SRC = [
  `import { computeItem } from './items';`,
  ``,
  `/** Parses configs. */`,
  `export class ConfigParser {`,
  `  private cache = new Map<string, number>();`,
  ``,
  `  /** Reads the whole config. */`,
  `  @traced()`,
  `  public parseConfig(source: string, limit: number): number {`,
  values('value', 14),
  `    // Where does the budget go? To the retry loop.`,
  values('later', 14),
  `    const retryBudget = limit * 2;`,
  `    return retryBudget;`,
  `  }`,
  ``,
  `  public reset(): void {`,
  `    this.cache.clear();`,
  `  }`,
  `}`,
  ``,
  `describe('first suite', () => {`, values('value', 12), `});`, ``,
  `describe('second suite', () => {`, values('value', 12), `});`, ``,
].join('\n');
const SRC_LINES = SRC.split('\n');
const lineNo = (text: string) => SRC_LINES.indexOf(text) + 1;

/** A chunk's snippet from its lines in the source, as search.ts makes it. */
function snippetOf(c: Chunk, words: string[], src = SRC): ReturnType<typeof makeSnippet> {
  return makeSnippet(sourceView(src.split('\n').slice(c.startLine - 1, c.endLine).join('\n'), c), c, words);
}

/** Query words as search.ts makes them. */
function queryWords(query: string): string[] {
  return [...new Set(splitWords(query).flatMap((w) => [w.raw, ...w.parts]).filter((w) => w.length > 1))];
}

let chunks: Chunk[];
let table: ChunkTable;
let parts: Chunk[];
let method: (i: number) => number; // key of parseConfig part i (1-based)
let keyOf: (c: Chunk) => number;

function store(cs: Chunk[]): ChunkTable {
  const t = new ChunkTable();
  cs.forEach((c, key) => {
    const { text, doc, ...rest } = c;
    void doc; void text;
    t.add({ ...rest, key, root: 0 });
  });
  return t;
}

before(async () => {
  const chunker = await Chunker.create({ maxTokens: 64 });
  await chunker.prepare('typescript', 'python');
  chunks = chunker.chunkFile(FILE, SRC).chunks;
  chunker.dispose();
  table = store(chunks);
  keyOf = (c) => chunks.indexOf(c);
  parts = chunks.filter((c) => c.name === 'ConfigParser.parseConfig');
  method = (i) => keyOf(parts[i - 1]);
  // the fixture is what the tests think it is
  assert.ok(parts.length >= 3, `parseConfig split into parts (got ${parts.length})`);
  parts.forEach((p, i) => assert.deepEqual(p.part, { index: i + 1, count: parts.length }));
  assert.equal(parts[0].declLine, lineNo('  public parseConfig(source: string, limit: number): number {'));
  assert.ok(parts[1].startLine > parts[0].declLine, 'part 2 starts mid-function');
  assert.equal(parts[1].declLine, parts[1].startLine, 'a later part carries no declaration line of its own');
  assert.equal(chunks.filter((c) => c.kind === 'block' && c.part).length, 4, 'two split blocks');
});

const chunkOf = (key: number): Chunk => chunks[key];

describe('units: split parts are one answer', () => {
  it('unitOf gives any part the whole unit: part 1 start and declaration, last part end', () => {
    const unit = unitOf(table, method(3))!;
    assert.ok(unit);
    assert.equal(unit.startLine, parts[0].startLine);
    assert.equal(unit.declLine, parts[0].declLine);
    assert.equal(unit.endLine, lineNo('  public reset(): void {') - 2, 'ends at the method closing brace');
    assert.equal(unit.endLine, parts[parts.length - 1].endLine);
    assert.equal(unit.firstKey, method(1));
    assert.deepEqual(unit.keys, parts.map(keyOf));
    assert.equal(unit.complete, true);
    assert.equal(unitOf(table, method(1))!.unitId, unit.unitId);
    assert.equal(unitOf(table, keyOf(chunks.find((c) => c.name === 'ConfigParser.reset')!)), null, 'a whole unit is no split');
    assert.equal(unitOf(table, 9999), null);
  });

  it('two parts of one function merge into one result at its signature', () => {
    const reset = keyOf(chunks.find((c) => c.name === 'ConfigParser.reset')!);
    const ranked = [method(3), reset, method(1), method(2)].map((key) => ({ key }));
    const merged = mergeRankedParts(table, ranked);
    assert.deepEqual(merged.map((m) => m.key), [method(3), reset], 'one slot for the function, where its best part ranked');
    assert.deepEqual(merged[0].mergedKeys, [method(3), method(1), method(2)]);
    const span = hitSpan(chunkOf(merged[0].key), merged[0].unit);
    assert.deepEqual(span, { startLine: parts[0].startLine, endLine: parts[parts.length - 1].endLine, declLine: parts[0].declLine });
    assert.equal(merged[1].unit, null);
    assert.deepEqual(hitSpan(chunkOf(reset), null), { startLine: chunkOf(reset).startLine, endLine: chunkOf(reset).endLine, declLine: chunkOf(reset).declLine });
  });

  it('a lone later part opens at the function signature', () => {
    const [m] = mergeRankedParts(table, [{ key: method(2) }]);
    assert.equal(m.unit!.startLine, parts[0].startLine);
    assert.equal(m.unit!.declLine, parts[0].declLine);
    assert.notEqual(m.unit!.declLine, chunkOf(method(2)).declLine);
    const s = snippetOf(chunkOf(method(2)), queryWords('compute item'));
    assert.equal(s.text.split('\n')[0], 'public parseConfig(source: string, limit: number): number');
    assert.equal(s.text.split('\n')[1].trim(), SNIPPET_GAP);
  });

  it('split blocks of different statements are not merged, even with equal names and part counts', () => {
    const blocks = chunks.filter((c) => c.kind === 'block' && c.part).map(keyOf);
    const merged = mergeRankedParts(table, blocks.map((key) => ({ key })));
    assert.deepEqual(merged.map((m) => m.key), [blocks[0], blocks[2]]);
    assert.deepEqual(merged.map((m) => m.mergedKeys), [[blocks[0], blocks[1]], [blocks[2], blocks[3]]]);
    assert.equal(merged[1].unit!.startLine, lineNo(`describe('second suite', () => {`));
    assert.equal(unitOf(table, blocks[3])!.startLine, lineNo(`describe('second suite', () => {`));
  });

  it('without part 1 in the table a part spans what is left, and keysOfFile follows deletions', () => {
    const t = store(chunks);
    assert.ok(t.keysOfFile(0, FILE).includes(method(1)));
    t.delete(method(1));
    assert.ok(!t.keysOfFile(0, FILE).includes(method(1)));
    assert.deepEqual(t.keysOfFile(0, 'other.ts'), []);
    const unit = unitOf(t, method(2))!;
    assert.equal(unit.firstKey, null);
    assert.equal(unit.startLine, parts[1].startLine);
    assert.equal(unit.complete, false);
    // a chunk added after the file index was built is found too
    const { text, doc, ...rest } = parts[0];
    void doc; void text;
    t.add({ ...rest, key: 500, root: 0 });
    assert.equal(unitOf(t, method(2))!.firstKey, 500);
  });

  it('mergeSplitParts keeps the first-ranked item of each unit and never merges items without one', () => {
    const items = [{ id: 'a', u: 'x' }, { id: 'b', u: null }, { id: 'c', u: 'x' }, { id: 'd', u: null }, { id: 'e', u: 'y' }];
    assert.deepEqual(mergeSplitParts(items, (i) => i.u).map((i) => i.id), ['a', 'b', 'd', 'e']);
  });
});

describe('units: a class the query names stays the answer', () => {
  const spanOf = (m: MergedHit<{ key: number }>): Span => {
    const c = table.get(m.key)!;
    const s = hitSpan(c, m.unit);
    return { root: String(c.root), file: c.file, startLine: s.startLine, endLine: s.endLine };
  };
  const ranking = () => {
    const cls = keyOf(chunks.find((c) => c.kind === 'class')!);
    const reset = keyOf(chunks.find((c) => c.name === 'ConfigParser.reset')!);
    return { cls, reset, merged: mergeRankedParts(table, [cls, method(2), reset, method(1)].map((key) => ({ key }))) };
  };

  it('a nested method replaces the class when nothing says to keep it', () => {
    const { reset, merged } = ranking();
    assert.deepEqual(collapseOverlapping(merged, spanOf, 10).map((m) => m.key), [method(2), reset]);
  });

  it('the class is kept, and its members dropped, when the predicate says it is what the query names', () => {
    const { cls, merged } = ranking();
    const kept = collapseOverlapping(merged, spanOf, 10, { keepContainer: (m) => table.get(m.key)!.kind === 'class' });
    assert.deepEqual(kept.map((m) => m.key), [cls]);
  });

  it('the class lands at its declaration line, and its snippet opens there', () => {
    const cls = chunks.find((c) => c.kind === 'class')!;
    assert.equal(cls.declLine, lineNo('export class ConfigParser {'));
    assert.ok(cls.startLine < cls.declLine, 'the span starts at the doc comment');
    const s = snippetOf(cls, queryWords('ConfigParser'));
    assert.equal(s.text.split('\n')[0], 'export class ConfigParser {');
    assert.deepEqual(s.matched, ['configparser', 'config', 'parser']);
  });
});

describe('units: snippets', () => {
  it('open at the declaration, not the doc comment or decorator, and show matched lines further down after a gap', () => {
    const p1 = chunkOf(method(1));
    const s = snippetOf(p1, queryWords('value5'));
    const lines = s.text.split('\n');
    assert.equal(lines[0], 'public parseConfig(source: string, limit: number): number {', 'dedented declaration line');
    assert.equal(lines[1], `  ${SNIPPET_GAP}`);
    assert.equal(lines[2], '  const value5 = computeItem(source, 5);', 'body keeps its indent relative to the declaration');
    assert.ok(!s.text.includes('@traced') && !s.text.includes('Reads the whole config'));
  });

  it('show the declaration and the lines after it when they hold the query words', () => {
    const reset = chunks.find((c) => c.name === 'ConfigParser.reset')!;
    const s = snippetOf(reset, queryWords('reset the cache'));
    assert.equal(s.text, 'public reset(): void {\n  this.cache.clear();\n}');
    assert.deepEqual(s.matched, ['reset', 'cache']);
  });

  it('of a later part: the repeated signature, a gap, then the matched lines, dedented below it', () => {
    const last = parts[parts.length - 1];
    const s = snippetOf(last, queryWords('how does the retry budget work'));
    assert.equal(s.text, [
      'public parseConfig(source: string, limit: number): number',
      `  ${SNIPPET_GAP}`,
      '  const retryBudget = limit * 2;',
      '  return retryBudget;',
      '}',
    ].join('\n'));
  });

  it('do not highlight stop words or one-letter words, but do highlight the real words', () => {
    const withComment = parts.find((p) => p.text.includes('// Where does the budget go'))!;
    assert.ok(withComment);
    const s = snippetOf(withComment, ['where', 'does', 'the', 'to', 'is', 'a', 'x', 'budget', 'retry', 'loop']);
    assert.deepEqual(s.matched, ['budget', 'retry', 'loop']);
    assert.match(s.text, /\/\/ Where does the budget go\? To the retry loop\./);
  });

  it('of a Python method: the def line, then its docstring and code as the file has them', async () => {
    const chunker = await Chunker.create();
    await chunker.prepare('python');
    const py = 'class Store:\n    """Keeps things."""\n\n    def load(self, path):\n        """Load the store from a file."""\n        with open(path) as f:\n            return f.read()\n';
    const cs = chunker.chunkFile('store.py', py).chunks;
    chunker.dispose();
    const load = cs.find((c) => c.name === 'Store.load')!;
    assert.equal(load.declLine, 4);
    const s = snippetOf(load, queryWords('load the store from a file'), py);
    assert.equal(s.text, 'def load(self, path):\n    """Load the store from a file."""\n    with open(path) as f:\n        return f.read()');
    assert.deepEqual(s.matched, ['load', 'store', 'file']);
  });
});

describe('stop words', () => {
  it('are English function words, in any case, and not code words', () => {
    for (const w of ['the', 'The', 'a', 'of', 'to', 'is', 'how', 'where', 'does', 'what']) assert.ok(isStopWord(w), w);
    for (const w of ['parse', 'cache', 'new', 'get', 'not', 'type', 'retry']) assert.ok(!isStopWord(w), w);
    assert.ok(!isContentWord('x'));
    assert.ok(isContentWord('id'));
  });
});
