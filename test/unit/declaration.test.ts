// Where an editor lands on a hit (core/search/declaration.ts): the name on its
// declaration line, or the line's text. The search sends these columns with
// each hit so that the editor can open the file there in one request; they must
// be what looking in the file itself would give, and absent when the search
// cannot vouch for them.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { declarationColumns, declarationColumnsIn, nameColumns, simpleName } from '../../src/core/search/declaration';
import { Engine } from '../../src/core/engine';

describe('declaration columns', () => {
  it('simpleName keeps the last segment of a qualified name', () => {
    assert.equal(simpleName('Query.isStale'), 'isStale');
    assert.equal(simpleName('a::b'), 'b');
    assert.equal(simpleName('Cls#method'), 'method');
    assert.equal(simpleName('pkg/receiver'), 'receiver');
    assert.equal(simpleName('...'), '');
  });

  it('nameColumns finds the name as a whole word only', () => {
    assert.deepEqual(nameColumns('function getUserById(id) {', 'getUser'), null);
    assert.deepEqual(nameColumns('const user = getUser(user)', 'user'), [6, 10]);
    assert.deepEqual(nameColumns('let $el = $elements[0]', '$el'), [4, 7]);
    assert.deepEqual(nameColumns('fn größe() {}', 'größe'), [3, 8]);
    assert.equal(nameColumns('anything', ''), null);
  });

  it('declarationColumns selects the name, else the line without its indentation, in UTF-16 columns', () => {
    assert.deepEqual(declarationColumns('  def load(self):', 'ConfigParser.load'), [6, 10]);
    assert.deepEqual(declarationColumns('\t@decorator(x)', 'wrapped'), [1, 14]);
    assert.deepEqual(declarationColumns('    ', 'x'), [0, 0]);
    // a CR left by a CRLF file is not part of the line
    assert.deepEqual(declarationColumns('  return total;\r', 'missing'), [2, 15]);
    // an astral character before the name counts two, as editors count columns
    assert.deepEqual(declarationColumns('/* 😀 */ function emoji() {}', 'emoji'), [18, 23]);
  });

  it('declarationColumnsIn reads the declaration line out of a chunk that starts earlier', () => {
    const text = '/** Docs. */\n@decorate\nexport class Store {\n}';
    assert.deepEqual(declarationColumnsIn(text, 10, 12, 'Store'), [13, 18]);
    assert.deepEqual(declarationColumnsIn(text, 10, 10, 'Store'), [0, 12]);
    assert.deepEqual(declarationColumnsIn(text, 10, 13, 'Store'), [0, 1]);
    // outside the chunk's lines: nothing to vouch for
    assert.equal(declarationColumnsIn(text, 10, 9, 'Store'), undefined);
    assert.equal(declarationColumnsIn(text, 10, 14, 'Store'), undefined);
  });
});

describe('declaration columns on search hits', function () {
  this.timeout(60_000);
  let root: string;
  let engine: Engine;
  const files: Record<string, string> = {
    'src/store.ts': [
      'import { readFileSync } from "node:fs";',
      '',
      '/** Keeps sessions in memory until they expire. */',
      '@injectable()',
      'export class SessionStore {',
      '  private sessions = new Map<string, number>();',
      '',
      '  /** Removes the sessions whose time is up. */',
      '  evictExpired(now: number): number {',
      '    let removed = 0;',
      '    for (const [id, expires] of this.sessions) if (expires < now) { this.sessions.delete(id); removed++; }',
      '    return removed;',
      '  }',
      '}',
      '',
    ].join('\n'),
    // CRLF line ends
    'billing/invoice.py': [
      'class CurrencyConverter:',
      '    """Converts amounts between currencies."""',
      '',
      '    def convert(self, amount, rate):',
      '        return round(amount * rate, 2)',
      '',
      '',
      'def apply_discount_code(total, code):',
      '    return total * 0.9 if code == "SAVE10" else total',
      '',
    ].join('\r\n'),
    'server/limit.go': [
      'package server',
      '',
      '// RateLimiter allows a number of requests per window.',
      'type RateLimiter struct {',
      '\tlimit int',
      '}',
      '',
      '// Allow reports whether one more request fits in the window.',
      'func (r *RateLimiter) Allow(count int) bool {',
      '\treturn count < r.limit',
      '}',
      '',
    ].join('\n'),
    'README.md': '# Store\n\nThe session store evicts expired sessions.\n',
  };

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-decl-'));
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    }
    engine = await Engine.open({ roots: [root], indexDir: fs.mkdtempSync(path.join(os.tmpdir(), 'sift-decl-index-')), embedder: null });
    await engine.index();
  });
  after(async () => { await engine.close(); });

  it('every hit carries the columns the editor would find by reading the file itself', async () => {
    const seen = new Set<string>();
    for (const q of ['SessionStore', 'evictExpired', 'CurrencyConverter convert', 'apply_discount_code', 'RateLimiter Allow', 'session store', 'amount rate', 'request window limit']) {
      const res = await engine.search(q, { k: 20, fixedK: true });
      for (const h of res.hits) {
        assert.ok(h.declColumns, `${h.name} ${h.file}:${h.declLine} has no columns`);
        const line = fs.readFileSync(path.join(root, h.file), 'utf8').split('\n')[h.declLine - 1];
        assert.deepEqual(h.declColumns, declarationColumns(line, h.name), `${h.name} at ${h.file}:${h.declLine}: "${line}"`);
        seen.add(`${h.name}=${line.slice(...h.declColumns!)}`);
      }
    }
    // the names themselves where they are on the line (a method's simple name, the CRLF file's too)
    for (const want of ['SessionStore=SessionStore', 'SessionStore.evictExpired=evictExpired', 'CurrencyConverter.convert=convert', 'apply_discount_code=apply_discount_code', 'RateLimiter.Allow=Allow']) {
      assert.ok(seen.has(want), `${want} not among ${[...seen].join(', ')}`);
    }
  });

  it('a hit whose file changed since it was indexed has no columns (the editor looks in the document)', async () => {
    const file = path.join(root, 'src/store.ts');
    const before = (await engine.search('SessionStore')).hits.find((h) => h.name === 'SessionStore');
    assert.ok(before?.declColumns);
    fs.writeFileSync(file, '\n' + files['src/store.ts']);
    const stale = (await engine.search('SessionStore')).hits.find((h) => h.name === 'SessionStore');
    assert.equal(stale?.stale, true);
    assert.equal(stale?.declColumns, undefined);
    await engine.updateFiles([file]);
    const fresh = (await engine.search('SessionStore')).hits.find((h) => h.name === 'SessionStore');
    assert.equal(fresh?.declLine, before!.declLine + 1);
    assert.deepEqual(fresh?.declColumns, before!.declColumns);
  });
});
