// The result units people expect, through the real engine, shipped model and
// shipped ranker: a class name finds the class at its declaration, a split
// function is one result at its signature, tests and docs rank below the code
// unless asked for, identifiers match like Go to Symbol, and a question the
// workspace cannot answer is answered "nothing relevant".
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findDefaultModel, loadEmbedder, type Embedder } from '../../src/core/embed/embedder';
import { Engine } from '../../src/core/engine';
import type { SearchHit } from '../../src/core/types';

function write(root: string, rel: string, text: string): void {
  const abs = path.join(root, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, text);
}

const lineOf = (root: string, rel: string, needle: string) => fs.readFileSync(path.join(root, rel), 'utf8').split('\n').findIndex((l) => l.includes(needle)) + 1;
const show = (hits: SearchHit[]) => hits.slice(0, 5).map((h) => `${h.name} ${h.file}:${h.startLine}-${h.endLine} [${h.kind}]`).join(' | ') || 'no hits';

/** A long function: enough statements that the chunker splits it into parts. */
function longFunction(): string {
  const steps = Array.from({ length: 40 }, (_, i) => `  const step${i} = normalizeSegment(segments[${i}], options.separator, ${i});\n  if (step${i}.length > options.limit) warnings.push('segment ${i} too long');`).join('\n');
  return `export function assembleShippingManifest(segments: string[], options: { separator: string; limit: number }): string[] {\n  const warnings: string[] = [];\n${steps}\n  return warnings;\n}\n`;
}

describe('search results: units, demotion, names, no answer (shipped model and ranker)', function () {
  this.timeout(120_000);
  let root: string;
  let engine: Engine;
  let embedder: Embedder;

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-results-'));
    write(root, 'src/config/parser.ts', `import { readFileSync } from 'node:fs';

/** Reads key = value configuration files into a map. */
export class ConfigParser {
  private values = new Map<string, string>();

  constructor(private readonly path: string) {
    this.load();
  }

  /** Parses every line of the configuration file. */
  load(): void {
    for (const line of readFileSync(this.path, 'utf8').split('\\n')) {
      const [key, value] = line.split('=').map((s) => s.trim());
      if (key) this.values.set(key, value ?? '');
    }
  }

  get(key: string): string | undefined {
    return this.values.get(key);
  }
}
`);
    write(root, 'src/config/parser.test.ts', `import { ConfigParser } from './parser';

describe('ConfigParser', () => {
  it('parses every line of the configuration file', () => {
    const parser = new ConfigParser('fixture.conf');
    expect(parser.get('name')).toBe('demo');
  });
});
`);
    write(root, 'tests/test_config.py', `from config import ConfigParser


def test_config_parser_reads_every_line(tmp_path):
    conf = tmp_path / "app.conf"
    conf.write_text("name = demo\\n")
    assert ConfigParser(str(conf)).get("name") == "demo"
`);
    write(root, 'docs/configuration.md', `# Configuration

The configuration file holds one key = value pair per line. Sift's parser reads every line of the
configuration file and keeps the values in a map.
`);
    write(root, 'src/shipping/manifest.ts', longFunction());
    write(root, 'src/mail/headers.py', `def make_msgid(idstring=None, domain=None):
    """Returns a string suitable for an RFC 2822 compliant Message-ID."""
    return "<%s@%s>" % (idstring, domain)


def get_content_charset(message, failobj=None):
    """Return the charset parameter of the Content-Type header."""
    return message.get_param("charset", failobj)


def get_content_type(message):
    return message.get("content-type", "text/plain")


def get_connection(host, port):
    return (host, port)


def make_message(body):
    return {"body": body}
`);
    embedder = await loadEmbedder(findDefaultModel()!);
    engine = await Engine.open({ roots: [root], indexDir: fs.mkdtempSync(path.join(os.tmpdir(), 'sift-results-index-')), embedder, chunkThreads: 0, chunker: { maxTokens: 128 } });
    await engine.index();
  });
  after(async () => { await engine.close(); await embedder.dispose(); });

  it('a class name returns the class, at its declaration', async () => {
    const res = await engine.search('ConfigParser');
    const top = res.hits[0];
    assert.ok(top, show(res.hits));
    assert.equal(top.kind, 'class', show(res.hits));
    assert.equal(top.file, 'src/config/parser.ts');
    assert.equal(top.declLine, lineOf(root, 'src/config/parser.ts', 'export class ConfigParser'));
  });

  it('a split function is one result that opens at its signature', async () => {
    const res = await engine.search('assembleShippingManifest normalizeSegment', { k: 10, fixedK: true });
    const inFile = res.hits.filter((h) => h.file === 'src/shipping/manifest.ts' && h.name.endsWith('assembleShippingManifest'));
    assert.equal(inFile.length, 1, show(res.hits));
    assert.equal(inFile[0].startLine, 1);
    assert.equal(inFile[0].declLine, 1);
    assert.match(inFile[0].snippet.split('\n')[0], /function assembleShippingManifest\(/, inFile[0].snippet);
  });

  it('ranks the implementation above its test and its docs, unless tests are asked for', async () => {
    const res = await engine.search('parse every line of the configuration file', { k: 10, fixedK: true });
    const rank = (pred: (h: SearchHit) => boolean) => res.hits.findIndex(pred);
    const impl = rank((h) => h.file === 'src/config/parser.ts');
    const test = rank((h) => h.file === 'src/config/parser.test.ts' || h.file === 'tests/test_config.py');
    const docs = rank((h) => h.file === 'docs/configuration.md');
    assert.equal(impl, 0, show(res.hits));
    assert.ok(test < 0 || test > impl, show(res.hits));
    assert.ok(docs < 0 || docs > impl, show(res.hits));
    const asked = await engine.search('test for the config parser', { k: 10, fixedK: true });
    assert.ok(['src/config/parser.test.ts', 'tests/test_config.py'].includes(asked.hits[0]?.file), show(asked.hits));
  });

  it('matches identifiers like Go to Symbol: prefixes and abbreviations', async () => {
    for (const [query, name] of [['make_msg', 'make_msgid'], ['get_content_chars', 'get_content_charset'], ['gcc', 'get_content_charset'], ['getContChs', 'get_content_charset']]) {
      const res = await engine.search(query, { k: 10, fixedK: true });
      assert.equal(res.hits[0]?.name, name, `${query}: ${show(res.hits)}`);
    }
    // a prefix shared by several names lists them all at the top
    const res = await engine.search('get_cont', { k: 10, fixedK: true });
    const top3 = res.hits.slice(0, 3).map((h) => h.name);
    assert.ok(top3.includes('get_content_charset') && top3.includes('get_content_type'), show(res.hits));
  });

  it('answers "nothing relevant" when the workspace has no answer, and shows the closest matches when asked', async () => {
    const none = await engine.search('render a histogram of pixel colours');
    assert.equal(none.noRelevant, true, show(none.hits));
    assert.equal(none.hits.length, 0);
    const weak = await engine.search('render a histogram of pixel colours', { showWeak: true });
    assert.equal(weak.noRelevant, true);
    assert.ok(weak.hits.length > 0);
    for (const h of weak.hits) assert.ok(h.score >= 0 && h.score <= 1);
  });

  it('shows probabilities that fall down the list, and a threshold that sizes the answer', async () => {
    const all = await engine.search('make_msgid', { threshold: 0 , k: 10 });
    for (let i = 1; i < all.hits.length; i++) assert.ok(all.hits[i].score <= all.hits[i - 1].score);
    assert.ok(all.hits.length > 1);
    const strict = await engine.search('make_msgid', { threshold: 0.99, k: 10 });
    assert.ok(strict.hits.length < all.hits.length);
    assert.ok(strict.hits.every((h) => h.score >= 0.99));
  });
});
