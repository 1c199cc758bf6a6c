// `sift mcp` as an agent sees it: the built CLI in a child process, driven by the SDK's MCP client over stdio.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

interface Result { file: string; startLine: number; endLine: number; name: string; kind: string; probability: number; snippet: string }
interface SearchOut { noRelevant: boolean; mode: string; results: Result[] }

const RETRY = `/** Retry a failing call with exponential backoff. */
export async function retryWithBackoff(fn: () => Promise<void>, attempts = 3) {
  for (let i = 0; i < attempts; i++) {
    try { return await fn(); } catch { await new Promise((r) => setTimeout(r, 2 ** i * 100)); }
  }
}
`;

const CART = `/** The total price of the items in a shopping cart, with tax. */
export function cartTotal(items: { price: number; qty: number }[], taxRate: number): number {
  const net = items.reduce((s, i) => s + i.price * i.qty, 0);
  return net * (1 + taxRate);
}
`;

describe('sift mcp', function () {
  this.timeout(120000);
  let root: string;
  let indexDir: string;
  let client: Client;
  let stderr = '';

  before(async function () {
    if (!fs.existsSync(CLI)) this.skip(); // built by `npm test` before the unit tests
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-mcp-ws-'));
    indexDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-mcp-index-'));
    fs.mkdirSync(path.join(root, 'src', 'net'), { recursive: true });
    fs.mkdirSync(path.join(root, 'lib'));
    fs.writeFileSync(path.join(root, 'src', 'net', 'retry.ts'), RETRY);
    fs.writeFileSync(path.join(root, 'src', 'cart.ts'), CART);
    fs.writeFileSync(path.join(root, 'lib', 'slug.py'), 'def slugify(title):\n    """Turn a title into a URL slug: lower case, words joined by dashes."""\n    return "-".join(title.lower().split())\n');
    fs.writeFileSync(path.join(root, 'lib', 'backoff.py'), 'import time\n\ndef retry_with_backoff(fn, attempts=3):\n    """Call fn again after a failure, waiting longer each time."""\n    for i in range(attempts):\n        try:\n            return fn()\n        except Exception:\n            time.sleep(2 ** i * 0.1)\n');
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'mcp', '--root', root, '--index-dir', indexDir],
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    client = new Client({ name: 'sift-test', version: '0.0.0' });
    await client.connect(transport);
  });

  after(async () => {
    await client?.close();
    for (const d of [root, indexDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  async function call(name: string, args: Record<string, unknown>) {
    const r = await client.callTool({ name, arguments: args });
    const text = (r.content as { type: string; text: string }[]).map((c) => c.text).join('\n');
    return { isError: !!r.isError, text, structured: r.structuredContent as unknown };
  }

  it('initializes and lists the three tools with input schemas', async () => {
    assert.equal(client.getServerVersion()?.name, 'sift');
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['find_similar', 'index_status', 'search_code']);
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    assert.deepEqual(byName.search_code.inputSchema.required, ['query']);
    assert.ok(byName.search_code.inputSchema.properties?.k);
    assert.ok(byName.search_code.inputSchema.properties?.path);
    assert.ok(byName.search_code.inputSchema.properties?.includeWeak);
    assert.deepEqual(byName.find_similar.inputSchema.required, ['code']);
    assert.equal(byName.index_status.inputSchema.type, 'object');
  });

  it('search_code finds a function by what it does', async () => {
    const r = await call('search_code', { query: 'retry a failing call with exponential backoff', k: 5 });
    assert.equal(r.isError, false, r.text);
    const s = r.structured as SearchOut;
    assert.equal(s.noRelevant, false);
    assert.ok(s.results.length >= 1);
    const top = s.results[0];
    assert.ok(['src/net/retry.ts', 'lib/backoff.py'].includes(top.file), JSON.stringify(top));
    const ts = s.results.find((x) => x.file === 'src/net/retry.ts');
    assert.ok(ts, JSON.stringify(s.results));
    assert.equal(ts.name, 'retryWithBackoff');
    assert.equal(ts.startLine, 1);
    assert.ok(ts.endLine >= 5);
    assert.ok(ts.probability > 0 && ts.probability <= 1);
    assert.match(ts.snippet, /retryWithBackoff/);
    assert.match(r.text, /src\/net\/retry\.ts:\d+-\d+ {2}retryWithBackoff {2}\[function\]/);
  });

  it('search_code keeps to a path filter (glob or substring)', async () => {
    const py = await call('search_code', { query: 'retry with backoff', path: 'lib/**' });
    const s = py.structured as SearchOut;
    assert.ok(s.results.length >= 1, py.text);
    assert.ok(s.results.every((x) => x.file.startsWith('lib/')), JSON.stringify(s.results));
    assert.equal(s.results[0].name, 'retry_with_backoff');
    const sub = await call('search_code', { query: 'retry with backoff', path: 'net' });
    const t = sub.structured as SearchOut;
    assert.ok(t.results.length >= 1, sub.text);
    assert.ok(t.results.every((x) => x.file === 'src/net/retry.ts'));
  });

  it('says nothing relevant for a query the workspace cannot answer', async () => {
    const r = await call('search_code', { query: 'render a pie chart of quarterly revenue in a PDF report' });
    assert.equal(r.isError, false, r.text);
    const s = r.structured as SearchOut;
    assert.equal(s.noRelevant, true, r.text);
    assert.equal(s.results.length, 0);
    assert.match(r.text, /Nothing relevant found/);
    const weak = await call('search_code', { query: 'render a pie chart of quarterly revenue in a PDF report', includeWeak: true });
    const w = weak.structured as SearchOut;
    assert.equal(w.noRelevant, true);
    assert.ok(w.results.length >= 1, weak.text);
    assert.match(weak.text, /closest matches/);
  });

  it('find_similar returns the original function for its own code', async () => {
    const r = await call('find_similar', { code: CART, k: 3 });
    assert.equal(r.isError, false, r.text);
    const s = r.structured as SearchOut;
    assert.equal(s.results[0]?.file, 'src/cart.ts', r.text);
    assert.equal(s.results[0].name, 'cartTotal');
    // the retry function has a Python twin: both come back, the original among them
    const twin = (await call('find_similar', { code: RETRY, k: 3 })).structured as SearchOut;
    const files = twin.results.map((x) => x.file);
    assert.ok(files.includes('src/net/retry.ts') && files.includes('lib/backoff.py'), JSON.stringify(files));
  });

  it('index_status reports the files and the mode', async () => {
    const r = await call('index_status', {});
    assert.equal(r.isError, false, r.text);
    const s = r.structured as { files: number; chunks: number; mode: string; roots: string[]; lastUpdated: string | null; adapted: boolean };
    assert.equal(s.files, 4);
    assert.ok(s.chunks >= 4);
    assert.deepEqual(s.roots, [path.resolve(root)]);
    assert.ok(s.lastUpdated);
    assert.equal(s.adapted, false);
    assert.match(r.text, /files: 4/);
  });

  it('picks up a new file before the next search', async () => {
    fs.writeFileSync(path.join(root, 'lib', 'hexcolor.py'), 'def parse_hex_color(s):\n    """Parse "#rrggbb" into an (r, g, b) tuple."""\n    s = s.lstrip("#")\n    return tuple(int(s[i:i + 2], 16) for i in (0, 2, 4))\n');
    await new Promise((r) => setTimeout(r, 2100));
    const r = await call('search_code', { query: 'parse_hex_color' });
    const s = r.structured as SearchOut;
    assert.equal(s.results[0]?.file, 'lib/hexcolor.py', r.text);
  });

  it('answers bad input with tool errors and keeps serving', async () => {
    const empty = await call('search_code', { query: '   ' });
    assert.equal(empty.isError, true);
    assert.match(empty.text, /query is empty/);
    const badK = await call('search_code', { query: 'retry', k: 0 });
    assert.equal(badK.isError, true);
    assert.match(badK.text, /k/);
    const badLang = await call('search_code', { query: 'retry', language: 'cobol' });
    assert.equal(badLang.isError, true);
    const emptyCode = await call('find_similar', { code: '' });
    assert.equal(emptyCode.isError, true);
    const ok = await call('index_status', {});
    assert.equal(ok.isError, false);
  });

  it('logs to stderr, never to stdout', () => {
    assert.match(stderr, /indexed \d+ files/);
  });
});
