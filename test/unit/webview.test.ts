import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { contentSecurityPolicy, escapeHtml, fileHead, renderSidebarHtml } from '../../src/vscode/sidebarHtml';
import { type IndexSnapshot, viewStatus } from '../../src/vscode/indexState';
import type { WorkerStatus } from '../../src/worker/protocol';

interface Segment { text: string; match: boolean }
interface HighlightModule {
  highlightSegments(text: unknown, terms: unknown): Segment[];
  renderHighlighted(doc: FakeDocument, parent: FakeNode, text: unknown, terms: unknown): FakeNode;
}

const MEDIA = path.resolve(__dirname, '../../media');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const highlight = require(path.join(MEDIA, 'highlight.js')) as HighlightModule;

/** Just enough DOM to see which nodes the renderer makes. */
class FakeNode {
  children: FakeNode[] = [];
  textContent = '';
  constructor(readonly nodeName: string) {}
  appendChild(n: FakeNode): FakeNode { this.children.push(n); return n; }
}
class FakeDocument {
  created: string[] = [];
  createElement(tag: string): FakeNode { this.created.push(tag); return new FakeNode(tag.toUpperCase()); }
  createTextNode(text: string): FakeNode { const n = new FakeNode('#text'); n.textContent = text; return n; }
}

const OPTIONS = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.test',
  nonce: 'AbCdEf0123456789XyZ',
  highlightScript: 'vscode-webview-resource://ext/media/highlight.js',
  mainScript: 'vscode-webview-resource://ext/media/sidebar.js',
  styleSheet: 'vscode-webview-resource://ext/media/sidebar.css',
};

describe('sidebar webview HTML', () => {
  it('carries a strict Content-Security-Policy with the nonce', () => {
    const html = renderSidebarHtml(OPTIONS);
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
    assert.ok(meta, 'a CSP meta tag');
    const csp = meta[1].replace(/&#39;/g, "'");
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v.join(' ')]));
    assert.equal(directives.get('default-src'), "'none'");
    assert.equal(directives.get('script-src'), `'nonce-${OPTIONS.nonce}'`);
    assert.equal(directives.get('style-src'), OPTIONS.cspSource);
    assert.equal(directives.get('img-src'), OPTIONS.cspSource);
    assert.ok(!/unsafe-inline|unsafe-eval|\*/.test(csp), csp);
  });

  it('loads only its own scripts, each with the nonce, and no inline script', () => {
    const html = renderSidebarHtml(OPTIONS);
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 2);
    for (const [, attrs, body] of scripts) {
      assert.match(attrs, new RegExp(`nonce="${OPTIONS.nonce}"`));
      assert.match(attrs, /src="vscode-webview-resource:\/\/ext\/media\/(highlight|sidebar)\.js"/);
      assert.equal(body.trim(), '');
    }
    assert.ok(html.indexOf('highlight.js') < html.indexOf('sidebar.js'), 'the highlighter loads first');
    assert.ok(!/\son[a-z]+\s*=/i.test(html), 'no inline event handlers');
  });

  it('refers to nothing remote beyond what the webview serves (cspSource)', () => {
    const html = renderSidebarHtml({ ...OPTIONS, cspSource: 'vscode-webview://local' });
    assert.ok(!/https?:\/\//i.test(html), 'no http(s) URL in the page');
    for (const f of ['sidebar.js', 'highlight.js', 'sidebar.css']) {
      const body = fs.readFileSync(path.join(MEDIA, f), 'utf8');
      assert.ok(!/https?:\/\//i.test(body), `${f} refers to a remote resource`);
    }
  });

  it('has the hooks UI tests use', () => {
    const html = renderSidebarHtml(OPTIONS);
    assert.match(html, /<input id="query"[^>]*data-testid="sift-search-input"/);
    const js = fs.readFileSync(path.join(MEDIA, 'sidebar.js'), 'utf8');
    assert.match(js, /setAttribute\('data-testid', 'sift-result'\)/);
  });

  it('escapes whatever it is given instead of letting it break out of attributes', () => {
    const html = renderSidebarHtml({ ...OPTIONS, styleSheet: 'x"><script>alert(1)</script>' });
    assert.equal([...html.matchAll(/<script/g)].length, 2);
    assert.ok(html.includes('x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.throws(() => renderSidebarHtml({ ...OPTIONS, nonce: "abc' 'unsafe-inline" }), /nonce/);
    assert.ok(!contentSecurityPolicy("a; script-src 'unsafe-eval'", OPTIONS.nonce).includes("'unsafe-eval'"));
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('snippet highlighting (media/highlight.js)', () => {
  it('marks every occurrence of the terms, case-insensitively, and loses no text', () => {
    const text = 'function validateToken(token) {\n  return TOKEN_RE.test(token);\n}';
    const segs = highlight.highlightSegments(text, ['token']);
    assert.equal(segs.map((s) => s.text).join(''), text);
    assert.deepEqual(segs.filter((s) => s.match).map((s) => s.text), ['Token', 'token', 'TOKEN', 'token']);
    for (let i = 1; i < segs.length; i++) assert.notEqual(segs[i].match, segs[i - 1].match, 'neighbours differ');
  });

  it('merges overlapping terms into one mark and ignores empty or non-string terms', () => {
    const segs = highlight.highlightSegments('parseDuration', ['parse', 'sedur', '', 42, null]);
    assert.deepEqual(segs, [{ text: 'parseDur', match: true }, { text: 'ation', match: false }]);
    assert.deepEqual(highlight.highlightSegments('plain', []), [{ text: 'plain', match: false }]);
    assert.deepEqual(highlight.highlightSegments('', ['x']), []);
    assert.deepEqual(highlight.highlightSegments(null, ['x']), []);
  });

  it('keeps offsets right when lower-casing changes a character\'s length', () => {
    const text = 'İstanbul token';
    const segs = highlight.highlightSegments(text, ['token']);
    assert.equal(segs.map((s) => s.text).join(''), text);
    assert.deepEqual(segs.filter((s) => s.match).map((s) => s.text), ['token']);
  });

  it('leaves markup in code as text: <script> and </div><img onerror> make no elements', () => {
    const doc = new FakeDocument();
    const code = '<script>alert(1)</script>\n</div><img src=x onerror=alert(1)> // script';
    const parent = highlight.renderHighlighted(doc, new FakeNode('PRE'), code, ['script', 'img']);
    assert.deepEqual([...new Set(doc.created)], ['mark'], 'only <mark> elements are created');
    assert.equal(parent.children.map((c) => c.textContent).join(''), code, 'the text arrives unchanged');
    const marks = parent.children.filter((c) => c.nodeName === 'MARK').map((c) => c.textContent);
    assert.deepEqual(marks, ['script', 'script', 'img', 'script']);
    assert.ok(parent.children.some((c) => c.nodeName === '#text' && c.textContent.includes('</div><')));
  });

  it('sidebar.js builds the page with textContent only (no innerHTML and friends)', () => {
    const js = fs.readFileSync(path.join(MEDIA, 'sidebar.js'), 'utf8') + fs.readFileSync(path.join(MEDIA, 'highlight.js'), 'utf8');
    for (const sink of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'eval(', 'new Function']) {
      assert.ok(!js.includes(sink), `uses ${sink}`);
    }
  });
});

// ---- the page script, run against a small fake DOM --------------------------

class El {
  children: El[] = [];
  parent: El | null = null;
  attrs = new Map<string, string>();
  listeners = new Map<string, Array<(e: unknown) => void>>();
  style: Record<string, string> = {};
  className = '';
  id = '';
  title = '';
  type = '';
  value = '';
  hidden = false;
  disabled = false;
  focused = false;
  private text = '';
  constructor(readonly tagName: string) {}
  get firstChild(): El | null { return this.children[0] ?? null; }
  get textContent(): string { return this.children.length ? this.children.map((c) => c.textContent).join('') : this.text; }
  set textContent(t: string) { this.children = []; this.text = String(t); }
  appendChild(c: El): El { c.parent = this; this.children.push(c); return c; }
  removeChild(c: El): El { this.children = this.children.filter((x) => x !== c); return c; }
  setAttribute(k: string, v: string): void { this.attrs.set(k, String(v)); }
  getAttribute(k: string): string | null { return this.attrs.get(k) ?? null; }
  removeAttribute(k: string): void { this.attrs.delete(k); }
  addEventListener(type: string, fn: (e: unknown) => void): void { this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]); }
  dispatch(type: string, e: Record<string, unknown> = {}): void { for (const fn of this.listeners.get(type) ?? []) fn({ target: this, preventDefault() {}, ...e }); }
  focus(): void { this.focused = true; }
  select(): void {}
  scrollIntoView(): void {}
  all(): El[] { return [this, ...this.children.flatMap((c) => c.all())]; }
}

function loadPage() {
  const ids = ['query', 'language', 'folder', 'results', 'notice', 'status', 'progress', 'progress-fill', 'pause-button'];
  const byId = new Map(ids.map((id) => [id, new El(id === 'results' ? 'UL' : 'DIV')]));
  const actionButtons = ['reindex', 'togglePause', 'clear'].map((a) => {
    const b = a === 'togglePause' ? byId.get('pause-button')! : new El('BUTTON');
    b.setAttribute('data-action', a);
    return b;
  });
  const posted: Array<Record<string, unknown>> = [];
  const timers: Array<() => void> = [];
  const windowListeners: Array<(e: { data: unknown }) => void> = [];
  const sandbox: Record<string, unknown> = {
    acquireVsCodeApi: () => ({ postMessage: (m: Record<string, unknown>) => posted.push(JSON.parse(JSON.stringify(m))), getState: () => undefined, setState: () => undefined }),
    document: {
      getElementById: (id: string) => byId.get(id) ?? null,
      createElement: (tag: string) => new El(tag.toUpperCase()),
      createTextNode: (t: string) => { const n = new El('#text'); n.textContent = t; return n; },
      querySelectorAll: () => actionButtons,
    },
    setTimeout: (fn: () => void) => { timers.push(fn); return timers.length; },
    clearTimeout: () => undefined,
    addEventListener: (type: string, fn: (e: { data: unknown }) => void) => { if (type === 'message') windowListeners.push(fn); },
  };
  sandbox.window = sandbox;
  const context = vm.createContext(sandbox);
  vm.runInContext(fs.readFileSync(path.join(MEDIA, 'highlight.js'), 'utf8'), context);
  vm.runInContext(fs.readFileSync(path.join(MEDIA, 'sidebar.js'), 'utf8'), context);
  return {
    el: (id: string) => byId.get(id)!,
    posted,
    runTimers: () => { for (const t of timers.splice(0)) t(); },
    receive: (data: unknown) => { for (const fn of windowListeners) fn({ data }); },
    type: (text: string) => { const q = byId.get('query')!; q.value = text; q.dispatch('input'); },
    key: (key: string) => byId.get('query')!.dispatch('keydown', { key }),
  };
}

const HIT = (name: string, snippet: string) => ({
  label: name, name, kind: 'function', path: 'src/a.ts', line: 3, language: 'typescript', score: 0.8, snippet, matchedTerms: ['token'],
});

describe('sidebar page (media/sidebar.js)', () => {
  it('says it is ready, searches after a pause in typing, and sends the filters', () => {
    const page = loadPage();
    assert.deepEqual([...page.posted], [{ type: 'ready' }]);
    page.el('language').value = 'python';
    page.el('folder').value = ' src/auth ';
    page.type('check token');
    assert.equal(page.posted.length, 1, 'debounced');
    page.runTimers();
    const search = page.posted[1];
    assert.equal(search.type, 'search');
    assert.equal(search.query, 'check token');
    assert.deepEqual(search.languages, ['python']);
    assert.equal(search.pathFilter, 'src/auth');
  });

  it('shows only the latest answer, with code as text, and opens results from the keyboard', () => {
    const page = loadPage();
    page.type('old query');
    page.runTimers();
    page.type('check token');
    page.runTimers();
    const [oldSeq, newSeq] = page.posted.filter((m) => m.type === 'search').map((m) => m.seq as number);
    page.receive({ type: 'results', seq: newSeq, hits: [HIT('checkToken', 'if (!token) throw "</div><img src=x onerror=alert(1)>";'), HIT('other', '<script>x</script>')], mode: 'hybrid', noRelevant: false, partial: false });
    page.receive({ type: 'results', seq: oldSeq, hits: [HIT('stale', 'stale')], mode: 'hybrid', noRelevant: false, partial: false });
    const results = page.el('results').children;
    assert.deepEqual(results.map((r) => r.getAttribute('data-name')), ['checkToken', 'other'], 'the stale answer was dropped');
    assert.ok(results.every((r) => r.getAttribute('data-testid') === 'sift-result'));
    const tags = new Set(page.el('results').all().slice(1).map((n) => n.tagName));
    assert.deepEqual([...tags].filter((t) => !['LI', 'DIV', 'SPAN', 'PRE', 'MARK', '#text'].includes(t)), [], 'no element comes from the code');
    const pre = results[0].all().find((n) => n.tagName === 'PRE')!;
    assert.equal(pre.textContent, 'if (!token) throw "</div><img src=x onerror=alert(1)>";');
    assert.deepEqual(pre.all().filter((c) => c.tagName === 'MARK').map((c) => c.textContent), ['token']);

    page.key('ArrowDown');
    page.key('ArrowDown');
    assert.equal(results[1].getAttribute('aria-selected'), 'true');
    page.key('Enter');
    assert.deepEqual(page.posted[page.posted.length - 1], { type: 'open', seq: newSeq, index: 1 });
    results[0].dispatch('click');
    assert.deepEqual(page.posted[page.posted.length - 1], { type: 'open', seq: newSeq, index: 0 });
  });

  it('offers the closest matches when nothing relevant was found, and says when results are partial', () => {
    const page = loadPage();
    page.type('render a histogram');
    page.runTimers();
    const seq = page.posted[1].seq;
    page.receive({ type: 'results', seq, hits: [], mode: 'keyword', modeReason: 'no embedding model installed', noRelevant: true, partial: true });
    const notice = page.el('notice');
    assert.equal(notice.hidden, false);
    assert.match(notice.textContent, /partial/);
    assert.match(notice.textContent, /Keyword search only \(no embedding model installed\)/);
    const more = notice.children.find((c) => c.tagName === 'BUTTON')!;
    assert.equal(more.textContent, 'Show closest matches anyway');
    more.dispatch('click');
    const again = page.posted[page.posted.length - 1];
    assert.equal(again.type, 'search');
    assert.equal(again.showWeak, true);
  });

  it('renders the index status and sends its actions', () => {
    const page = loadPage();
    page.receive({ type: 'status', status: { hasFolder: true, paused: true, headline: 'Indexing paused.', details: ['12 files · 80 chunks'], progress: null } });
    assert.match(page.el('status').textContent, /Indexing paused\.12 files · 80 chunks/);
    assert.equal(page.el('pause-button').textContent, 'Resume');
    assert.equal(page.el('progress').hidden, true);
    page.receive({ type: 'status', status: { hasFolder: true, paused: false, headline: 'Indexing: 40%', details: [], progress: 40 } });
    assert.equal(page.el('progress').hidden, false);
    assert.equal(page.el('progress-fill').style.width, '40%');
    page.el('pause-button').dispatch('click');
    assert.deepEqual(page.posted[page.posted.length - 1], { type: 'action', action: 'togglePause' });
  });

  it('shows each snippet line on its own (ellipsis, not cut off) and the whole snippet on hover', () => {
    const page = loadPage();
    page.type('check token');
    page.runTimers();
    const seq = page.posted[1].seq;
    const long = 'const token = ' + 'x'.repeat(300) + ';';
    page.receive({ type: 'results', seq, hits: [HIT('checkToken', 'function checkToken(token) {\n' + long + '\n}')], mode: 'hybrid', noRelevant: false, partial: false });
    const pre = page.el('results').all().find((n) => n.tagName === 'PRE')!;
    assert.deepEqual(pre.children.map((c) => c.className), ['line', 'line', 'line']);
    assert.equal(pre.children[1].textContent, long, 'the text is all there; CSS ends it with an ellipsis');
    assert.equal(pre.title, 'function checkToken(token) {\n' + long + '\n}');
    const css = fs.readFileSync(path.join(MEDIA, 'sidebar.css'), 'utf8');
    assert.match(css, /\.snippet \.line \{[^}]*text-overflow: ellipsis/);
  });

  it('previews the selected result as the arrow keys move, and opens it on Enter', () => {
    const page = loadPage();
    page.type('check token');
    page.runTimers();
    const seq = page.posted[1].seq;
    page.receive({ type: 'results', seq, hits: [HIT('a', 'a'), HIT('b', 'b')], mode: 'hybrid', noRelevant: false, partial: false });
    page.key('ArrowDown');
    assert.deepEqual(page.posted[page.posted.length - 1], { type: 'preview', seq, index: 0 });
    page.key('ArrowDown');
    assert.deepEqual(page.posted[page.posted.length - 1], { type: 'preview', seq, index: 1 });
    page.key('ArrowUp');
    assert.deepEqual(page.posted[page.posted.length - 1], { type: 'preview', seq, index: 0 });
    page.key('Enter');
    assert.deepEqual(page.posted[page.posted.length - 1], { type: 'open', seq, index: 0 });
  });

  it('puts the cursor in the search box when it loads, and keeps the status above the results', () => {
    const page = loadPage();
    assert.equal(page.el('query').focused, true);
    const html = renderSidebarHtml(OPTIONS);
    assert.ok(html.indexOf('data-testid="sift-status"') < html.indexOf('id="results"'), 'status before results');
    assert.ok(html.indexOf('data-action="reindex"') < html.indexOf('id="results"'), 'actions before results');
  });

  it('says the folder filter matched no files instead of blaming the query', () => {
    const page = loadPage();
    page.el('folder').value = 'nosuchdir';
    page.type('check token');
    page.runTimers();
    const seq = page.posted[1].seq;
    page.receive({ type: 'results', seq, hits: [], mode: 'hybrid', noRelevant: true, partial: false, filterMatchedNothing: true });
    const text = page.el('notice').textContent;
    assert.match(text, /No indexed file matches the folder filter .nosuchdir./);
    assert.doesNotMatch(text, /Nothing relevant/);
  });

  it('while indexing, an empty answer says the results are partial, not that nothing is relevant', () => {
    const page = loadPage();
    page.type('check token');
    page.runTimers();
    page.receive({ type: 'results', seq: page.posted[1].seq, hits: [], mode: 'hybrid', noRelevant: true, partial: true });
    const text = page.el('notice').textContent;
    assert.match(text, /Indexing is still running: results are partial/);
    assert.match(text, /Nothing relevant in the files indexed so far/);
    assert.doesNotMatch(text, /Nothing relevant found/);
  });

  it('asks again when the index changes under the results (indexing ends, Clear), not on every progress step', () => {
    const page = loadPage();
    const status = (answerStamp: string, headline: string) => page.receive({ type: 'status', status: { hasFolder: true, paused: false, headline, details: [], progress: null, indexing: answerStamp === 'indexing', answerStamp } });
    status('indexing', 'Indexing: 10%');
    page.type('check token');
    page.runTimers();
    const searches = () => page.posted.filter((m) => m.type === 'search').length;
    assert.equal(searches(), 1);
    status('indexing', 'Indexing: 50%');
    assert.equal(searches(), 1, 'progress alone does not search again');
    status('running|3|9|hybrid|2026-01-01', 'Index up to date.');
    assert.equal(searches(), 2, 'indexing ended: the query runs again');
    assert.match(page.el('notice').textContent, /searching again/, 'the old answer is marked until the new one comes');
    page.receive({ type: 'status', status: { hasFolder: true, paused: true, headline: 'Indexing paused; nothing is indexed.', details: [], progress: null, indexing: false, empty: true, answerStamp: 'running|0|0|hybrid|2026-01-01' } });
    assert.equal(searches(), 3, 'cleared: the query runs again');
    const last = page.posted.filter((m) => m.type === 'search').pop()!;
    page.receive({ type: 'results', seq: last.seq, hits: [], mode: 'keyword', modeReason: 'embeddings not ready yet', noRelevant: true, partial: false });
    assert.match(page.el('notice').textContent, /Nothing is indexed yet/);
    assert.doesNotMatch(page.el('notice').textContent, /Nothing relevant|Keyword search only/);
  });

  it('while the whole workspace is indexed, an empty answer made before the job began still says the results are partial', () => {
    const page = loadPage();
    page.receive({ type: 'status', status: { hasFolder: true, paused: false, headline: 'Indexing…', details: [], progress: 0, indexing: true, answerStamp: 'indexing' } });
    page.type('check token');
    page.runTimers();
    const last = page.posted.filter((m) => m.type === 'search').pop()!;
    page.receive({ type: 'results', seq: last.seq, hits: [], mode: 'keyword', modeReason: 'embeddings not ready yet', noRelevant: true, partial: false });
    const text = page.el('notice').textContent;
    assert.match(text, /results are partial/);
    assert.match(text, /indexed so far/);
    assert.doesNotMatch(text, /Nothing relevant found/);
  });
});

describe('index status words (indexState.viewStatus)', () => {
  const SUMMARY: WorkerStatus = {
    roots: ['/w'], indexDir: '/w/.idx', files: 208, chunks: 1400, embedded: 1400, model: 'sift-distill-256', modelRuntime: 'kernel',
    mode: 'hybrid', adapted: false, indexing: false, lastUpdated: '2026-01-01T10:00:00.000Z', diskBytes: 1000,
  } as unknown as WorkerStatus;
  const snap = (o: Partial<IndexSnapshot>): IndexSnapshot => ({ hasFolder: true, worker: { kind: 'running', restarts: 0 } as IndexSnapshot['worker'], paused: false, job: null, summary: SUMMARY, error: null, ...o });

  it('up to date: counts, mode and the time', () => {
    const v = viewStatus(snap({}));
    assert.equal(v.headline, 'Index up to date.');
    assert.match(v.details.join('\n'), /208 files · 1,400 chunks · hybrid search/);
    assert.match(v.details.join('\n'), /updated /);
    assert.equal(v.indexing, false);
  });

  it('after Clear: no old "updated" time, no "0 files" under a healthy headline', () => {
    const cleared = { ...SUMMARY, files: 0, chunks: 0, embedded: 0 } as WorkerStatus; // the engine keeps lastUpdated
    const v = viewStatus(snap({ summary: cleared, paused: true }));
    assert.match(v.headline, /paused; nothing is indexed/);
    assert.deepEqual(v.details, []);
    assert.equal(v.empty, true);
    assert.notEqual(v.answerStamp, viewStatus(snap({})).answerStamp, 'the sidebar re-asks its query');
    assert.equal(viewStatus(snap({ summary: cleared })).headline, 'Nothing indexed yet.');
  });

  it('while re-indexing: the job\'s progress, not the stale counts; one stamp for the whole job', () => {
    const cleared = { ...SUMMARY, files: 0, chunks: 0 } as WorkerStatus;
    const progress = { phase: 'chunk' as const, filesDone: 208, filesTotal: 208, chunks: 1400, embedded: 0, embedTotal: 0 };
    const v = viewStatus(snap({ summary: cleared, job: { kind: 'full', progress } }));
    assert.match(v.headline, /Indexing: 100% · 208\/208 files/);
    assert.ok(!v.details.some((d) => /0 files|updated/.test(d)), v.details.join('|'));
    assert.equal(v.indexing, true);
    assert.equal(v.progress, 100);
    const later = viewStatus(snap({ summary: cleared, job: { kind: 'full', progress: { ...progress, phase: 'embed', embedded: 10, embedTotal: 1400 } } }));
    assert.equal(later.answerStamp, v.answerStamp);
  });

  it('an update job on an empty index (files changed after Clear) changes the stamp: the sidebar re-asks, and stops saying nothing is indexed', () => {
    const cleared = { ...SUMMARY, files: 0, chunks: 0 } as WorkerStatus;
    const idle = viewStatus(snap({ summary: cleared }));
    assert.equal(idle.empty, true);
    const update = viewStatus(snap({ summary: cleared, job: { kind: 'update', progress: null } }));
    assert.match(update.headline, /^Indexing/);
    assert.equal(update.empty, false);
    assert.notEqual(update.answerStamp, idle.answerStamp);
    // on a built index an update keeps the answer's stamp: rows are not replaced under the person for each save
    assert.equal(viewStatus(snap({ job: { kind: 'update', progress: null } })).answerStamp, viewStatus(snap({})).answerStamp);
  });
});

describe('file hit snippet (sidebarHtml.fileHead)', () => {
  it('shows the first lines of the file, dedented, not the index\'s summary', () => {
    assert.equal(fileHead('\n\n    import a\n    import b\n\n      x = 1\n    y\n'), 'import a\nimport b\n\n  x = 1');
    assert.equal(fileHead('\uFEFFpackage main\r\n\r\n'), 'package main');
    assert.equal(fileHead('   \n\n'), '');
    assert.equal(fileHead('a'.repeat(200)), 'a'.repeat(160) + '…');
  });
});
