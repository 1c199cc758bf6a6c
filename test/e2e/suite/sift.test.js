// Extension-host tests: the real extension, inside a real VS Code, over a copy
// of test/e2e/fixture. Queries are ones keyword search alone can answer, so
// the suite holds whether or not an embedding model is installed.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const vscode = require('vscode');

const EXTENSION_ID = 'sift.sift';
let api;

function workspaceRoot() {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return folder.uri;
}

/** 1-based line of the first line in a workspace file that contains `needle`. */
function lineOf(rel, needle) {
  const text = fs.readFileSync(vscode.Uri.joinPath(workspaceRoot(), rel).fsPath, 'utf8');
  const index = text.split('\n').findIndex(line => line.includes(needle));
  assert.ok(index >= 0, `${rel} contains ${needle}`);
  return index + 1;
}

function describeHits(response) {
  return response.hits.slice(0, 5).map(h => `${h.name} (${h.file}:${h.declLine})`).join(', ') || 'no hits';
}

/** Searches until `accept(response)` holds, waiting for the index to settle between tries. */
async function searchUntil(query, accept, what) {
  const deadline = Date.now() + 60_000;
  let response;
  for (;;) {
    await api.whenIdle();
    response = await api.search(query);
    if (accept(response)) return response;
    if (Date.now() > deadline) assert.fail(`${what}: "${query}" gave ${describeHits(response)}`);
    await new Promise(r => setTimeout(r, 300));
  }
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

describe('Sift in the extension host', () => {
  before(async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `extension ${EXTENSION_ID} is installed`);
    api = await extension.activate();
    assert.equal(typeof api.search, 'function', 'activate() returns the API');
  });

  it('contributes its commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['sift.search', 'sift.findSimilar', 'sift.reindex', 'sift.clearIndex',
      'sift.togglePause', 'sift.showStatus', 'sift.exportFeedback', 'sift.clearSearchLog', 'sift.showSearchHealth',
      'sift.adapt', 'sift.resetAdaptation']) {
      assert.ok(commands.includes(id), `command ${id} is registered`);
    }
  });

  it('indexes the workspace', async () => {
    await api.whenIdle();
    const status = await api.status();
    assert.ok(status.chunks > 0, `chunks after indexing: ${status.chunks}`);
    // the fixture holds TypeScript, Python, Go and Markdown files
    assert.ok(status.files >= 4, `files after indexing: ${status.files}`);
  });

  it('finds a TypeScript function from a description', async () => {
    const response = await api.search('validate jwt token');
    const top = response.hits[0];
    assert.ok(top, `hits: ${describeHits(response)}`);
    assert.match(top.name, /validateJwtToken$/, `top hit: ${describeHits(response)}`);
    assert.equal(top.file, 'src/auth/session.ts');
    assert.equal(top.declLine, lineOf('src/auth/session.ts', 'export function validateJwtToken'));
  });

  it('finds a Python function from a description', async () => {
    const response = await api.search('calculate the invoice total with tax');
    assert.match(response.hits[0]?.name ?? '', /calculate_invoice_total$/, `top hit: ${describeHits(response)}`);
    assert.equal(response.hits[0].file, 'src/billing/invoice.py');
  });

  it('offers chat agents its language-model tool, which searches the workspace', async () => {
    const info = vscode.lm.tools.find(t => t.name === 'sift_searchCode');
    assert.ok(info, `vscode.lm.tools lists sift_searchCode (has: ${vscode.lm.tools.map(t => t.name).join(', ')})`);
    assert.deepEqual(info.inputSchema.required, ['query']);
    await api.whenIdle();
    const textOf = result => result.content.map(p => (typeof p.value === 'string' ? p.value : '')).join('');
    const result = await vscode.lm.invokeTool('sift_searchCode', { input: { query: 'validate jwt token' }, toolInvocationToken: undefined });
    const text = textOf(result);
    const line = lineOf('src/auth/session.ts', 'export function validateJwtToken');
    assert.match(text, new RegExp(`^1\\. src/auth/session\\.ts:${line}  \\S*validateJwtToken  \\[function\\]  relevance \\d+%`, 'm'), text);
    assert.match(text, /```typescript\n[\s\S]*validateJwtToken/, 'the snippet is included');
    // a path filter that leaves nothing relevant says so
    const none = textOf(await vscode.lm.invokeTool('sift_searchCode', { input: { query: 'validate jwt token', path: 'server/**' }, toolInvocationToken: undefined }));
    assert.doesNotMatch(none, /validateJwtToken/, none);
    // a bad input is a clear text result, not a thrown error
    const bad = textOf(await vscode.lm.invokeTool('sift_searchCode', { input: { query: '  ' }, toolInvocationToken: undefined }));
    assert.match(bad, /query is empty/, bad);
  });

  it('finds a Go function by its identifier', async () => {
    const response = await api.search('parseRetryAfter');
    assert.match(response.hits[0]?.name ?? '', /parseRetryAfter$/, `top hit: ${describeHits(response)}`);
    assert.equal(response.hits[0].file, 'server/ratelimit.go');
    assert.equal(response.hits[0].declLine, lineOf('server/ratelimit.go', 'func parseRetryAfter'));
  });

  it('opens a chosen result on its declaration and records the search and the open in the search log', async () => {
    // "Find Similar Code" searches for the selection at once, so the real quick
    // pick can be driven from here without typing: select a phrase, run the
    // command, accept the top item (the path Enter takes).
    const phrase = 'evict expired sessions';
    const expectedLine = lineOf('src/auth/session.ts', 'evictExpired(now');
    const eventsBefore = (await api.searchLog()).events.length;

    const readme = await vscode.window.showTextDocument(vscode.Uri.joinPath(workspaceRoot(), 'README.md'));
    const at = readme.document.getText().indexOf(phrase);
    assert.ok(at >= 0, `README.md contains "${phrase}"`);
    readme.selection = new vscode.Selection(readme.document.positionAt(at), readme.document.positionAt(at + phrase.length));
    await vscode.commands.executeCommand('sift.findSimilar');

    const onTarget = () => {
      const e = vscode.window.activeTextEditor;
      return e && vscode.workspace.asRelativePath(e.document.uri) === 'src/auth/session.ts' ? e : undefined;
    };
    let editor;
    for (const deadline = Date.now() + 30_000; !editor && Date.now() < deadline; await sleep(300)) {
      // a no-op while the list is still empty or only says "indexing"
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await sleep(200);
      editor = onTarget();
    }
    assert.ok(editor, `accepting the top item opened src/auth/session.ts (active: ${vscode.window.activeTextEditor?.document.uri.fsPath})`);
    assert.equal(editor.selection.active.line + 1, expectedLine);

    // searchLog() writes what is queued first; the open refers to its search by id
    let events, corrupt, fresh, open;
    for (const deadline = Date.now() + 10_000; !open && Date.now() < deadline; await sleep(200)) {
      ({ events, corrupt } = await api.searchLog());
      fresh = events.slice(eventsBefore);
      open = fresh.find(e => e.t === 'open');
    }
    assert.equal(corrupt.length, 0, `corrupt log lines: ${JSON.stringify(corrupt)}`);
    assert.ok(open, `an open was logged (new events: ${JSON.stringify(fresh.map(e => e.t))})`);
    const search = events.find(e => e.t === 'search' && e.id === open.searchId);
    assert.ok(search, `the open refers to a logged search (${open.searchId})`);
    assert.equal(search.query, phrase);
    assert.equal(search.source, 'findSimilar');
    assert.match(open.ref.name, /evictExpired$/, `opened: ${JSON.stringify(open.ref)}`);
    assert.equal(open.ref.file, 'src/auth/session.ts');
    assert.equal(open.ref.line, expectedLine);
    assert.equal(open.ref.root, workspaceRoot().fsPath);
    assert.equal(search.results[open.rank - 1]?.name, open.ref.name, 'the rank is the opened result\'s place in the search');

    // the file on disk holds the same, in the checksummed line format
    const file = api.feedbackFile();
    assert.match(file, /[\\/]log[\\/]queries\.jsonl$/);
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    assert.ok(lines.every(l => /^[0-9a-f]{8}\t\{/.test(l)), `lines are <crc32 hex>\\t<json>: ${lines[0]}`);
    assert.ok(lines.some(l => JSON.parse(l.slice(9)).searchId === open.searchId), 'the open is in queries.jsonl');
  });

  it('makes a newly saved file searchable and forgets a deleted one', async () => {
    const uri = vscode.Uri.joinPath(workspaceRoot(), 'src/geo/distance.ts');
    const source = [
      '/** Great-circle distance between two latitude/longitude points, in kilometres. */',
      'export function haversineDistanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {',
      '  const r = 6371;',
      '  const dLat = ((lat2 - lat1) * Math.PI) / 180;',
      '  const dLon = ((lon2 - lon1) * Math.PI) / 180;',
      '  const a = Math.sin(dLat / 2) ** 2 + Math.cos((lat1 * Math.PI) / 180) * Math.cos((lat2 * Math.PI) / 180) * Math.sin(dLon / 2) ** 2;',
      '  return 2 * r * Math.asin(Math.sqrt(a));',
      '}',
      '',
    ].join('\n');
    const isNewFile = h => h.file === 'src/geo/distance.ts' && /haversineDistanceKm$/.test(h.name);

    const query = 'great circle distance between two points';

    const before = await api.search(query);
    assert.ok(!before.hits.some(isNewFile), 'the file is not indexed before it exists');

    await vscode.workspace.fs.writeFile(uri, Buffer.from(source, 'utf8'));
    const found = await searchUntil(query, r => isNewFile(r.hits[0] ?? {}), 'new file becomes the top hit');
    assert.equal(found.hits[0].declLine, 2);

    await vscode.workspace.fs.delete(uri);
    await searchUntil(query, r => !r.hits.some(h => h.file === 'src/geo/distance.ts'), 'deleted file drops out');
  });

  // last: a kept adaptation changes the ranking the tests above expect
  it('adapts to the workspace: the command resolves to its records and the worker\'s history gains them', async () => {
    const before = await api.adaptations();
    const records = await vscode.commands.executeCommand('sift.adapt');
    assert.ok(Array.isArray(records) && records.length >= 1, `sift.adapt resolved to ${JSON.stringify(records)}`);
    const [zero] = records;
    assert.equal(zero.kind, 'zero-click');
    assert.equal(typeof zero.kept, 'boolean');
    assert.ok(zero.reason, 'the record says why');
    const after = await api.adaptations();
    assert.deepEqual(after.history.slice(before.history.length), records, 'the worker recorded exactly these attempts');
    assert.equal(after.active, before.active || records.some(r => r.kept));
  });
});
