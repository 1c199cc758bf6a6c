// UI tests of Sift's quick pick as a person moves through it: results arriving
// open nothing by themselves, an arrow key previews, Escape puts the editors back
// as they were (and never takes the focus from a command palette opened right
// after), Enter pins the result, rows keep Sift's order and show file:line where
// truncation cannot cut it. The arrow-key preview latency is measured and logged.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extensionStorage, readSearchLog } from './lib/storage.mjs';
import { quickInputValue, quickPickRows, runFromPalette, screenshot, sleep, statusBarLine, timeKeyToView, waitForEditorAt } from './lib/workbench.mjs';

const FOCUSED_ROW = '.quick-input-widget .quick-input-list .monaco-list-row.focused';
// Nothing in the fixture is judged relevant to it, so the quick pick offers the closest matches —
// ten rows over several files, in which apply_discount_code comes second: VS Code's own
// sorting by label would float it to the top.
const WEAK_QUERY = 'discount';

/** 1-based line of the first line of `rel` (in the workspace) containing `needle`. */
function lineOf(workspace, rel, needle) {
  const index = fs.readFileSync(path.join(workspace, rel), 'utf8').split('\n').findIndex(l => l.includes(needle));
  if (index < 0) throw new Error(`${rel} has no line containing ${needle}`);
  return index + 1;
}

/** The editor tabs: file name, preview (italic), active, dirty. */
async function editorTabs(page) {
  return page.locator('.part.editor .tabs-container .tab').evaluateAll(tabs => tabs.map(t => ({
    name: (t.getAttribute('data-resource-name') ?? (t.getAttribute('aria-label') ?? '').split(',')[0]).trim(),
    preview: !!t.querySelector('.monaco-icon-label.italic'),
    active: t.classList.contains('active'),
    dirty: t.classList.contains('dirty'),
  })));
}
const describeTabs = tabs => JSON.stringify(tabs.map(t => `${t.name}${t.preview ? ' (preview)' : ''}${t.active ? ' (active)' : ''}`));

/** "session.ts:15" in a row's description → { file, line }, or null. */
function rowLocation(description) {
  const m = /([\w.-]+\.\w+):(\d+)/.exec(description);
  return m ? { file: m[1], line: Number(m[2]) } : null;
}

async function closeAllEditors(page) {
  await runFromPalette(page, 'View: Close All Editors', async () => (await editorTabs(page)).length === 0);
  await page.keyboard.press('Escape');
}

/**
 * Opens "Search code by meaning", types `query` and waits for the results; with `weak`,
 * asks for the closest matches when nothing relevant was found. The rows' texts.
 */
async function searchFor(page, query, { weak = false } = {}) {
  await runFromPalette(page, 'Search code by meaning', async () => {
    const value = await quickInputValue(page);
    return (await page.locator('.quick-input-widget').isVisible()) && !value.startsWith('>');
  });
  await page.keyboard.type(query, { delay: 15 });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const title = await page.locator('.quick-input-widget .quick-input-title').innerText().catch(() => '');
    const rows = await rowDescriptions(page);
    const settled = !/partial/.test(title) && (!weak || /none judged relevant/.test(title));
    if (settled && rows.length >= (weak ? 3 : 1) && rows.every(r => rowLocation(r))) return rows;
    // the offer answers the whole query once the first letters' answers are gone (the first search is slow)
    const offer = quickPickRows(page).filter({ hasText: 'Show closest matches anyway' });
    if (weak && (await offer.count())) {
      await sleep(300);
      if (await offer.count()) await offer.first().click().catch(() => {});
    }
    await sleep(200);
  }
  throw new Error(`no results for "${query}"`);
}

/** The rows' descriptions, top to bottom (the rendered rows). */
const rowDescriptions = page => quickPickRows(page).evaluateAll(rows => rows.map(r => r.querySelector('.label-description')?.textContent ?? ''));

async function focusedText(page) {
  return page.locator(FOCUSED_ROW).first().innerText().catch(() => '');
}

/** Presses ArrowDown; the location of the row it moved the focus to. */
async function arrowDown(page) {
  const was = await focusedText(page);
  await page.keyboard.press('ArrowDown');
  for (const deadline = Date.now() + 5_000; Date.now() < deadline; await sleep(5)) {
    const now = await focusedText(page);
    if (now && now !== was) return rowLocation(await page.locator(`${FOCUSED_ROW} .label-description`).first().innerText());
  }
  throw new Error(`ArrowDown did not move the focus from "${was}"`);
}

/** Waits until the active tab is `file` on `line`; milliseconds since `t0`. */
async function waitForPreview(page, { file, line }, t0, timeout = 10_000) {
  await page.waitForFunction(({ file, line }) => {
    const tab = document.querySelector('.part.editor .tabs-container .tab.active');
    const name = tab?.getAttribute('data-resource-name') ?? '';
    const status = document.querySelector('.statusbar [id="status.editor.selection"]')?.textContent ?? '';
    return name === file && new RegExp(`Ln ${line}\\b`).test(status);
  }, { file, line }, { polling: 5, timeout });
  return Date.now() - t0;
}

/** Presses ArrowDown until the focused row is in a file other than `file`; its location. */
async function arrowToOtherFile(page, file) {
  for (let i = 0; i < 12; i++) {
    const loc = await arrowDown(page);
    if (loc && loc.file !== file) return loc;
  }
  throw new Error(`no result outside ${file} within 12 rows`);
}

const PREVIEW_FILES = 12;
const PREVIEW_STEPS = 7;
const median = times => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];

/** A TypeScript file of some 130 lines: sixteen small functions around one that reconciles branch `i`'s ledger. */
function ledgerFile(i) {
  const helpers = kind => Array.from({ length: 8 }, (_, j) => `/** Formats ${kind} ${j} of branch ${i} for the report. */\nexport function format${kind}${i}x${j}(cents: number): string {\n  const sign = cents < 0 ? '-' : '';\n  const abs = Math.abs(cents);\n  return \`\${sign}\${Math.floor(abs / 100)}.\${String(abs % 100).padStart(2, '0')}\`;\n}\n`).join('\n');
  return `// Ledger of branch ${i}.\n${helpers('Amount')}\n/** Reconciles the ledger entries of branch ${i} against the bank statement, matching by date and amount. */\n`
    + `export function reconcileLedgerBranch${i}(entries: { date: string; cents: number }[], statement: { date: string; cents: number }[]): number {\n`
    + `  let unmatched = 0;\n  for (const e of entries) {\n    if (!statement.some(s => s.date === e.date && s.cents === e.cents)) unmatched++;\n  }\n  return unmatched;\n}\n\n${helpers('Total')}`;
}

/** Opens a workspace file by name with Quick Open and waits for its editor. */
async function openFile(page, name) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.type(name, { delay: 10 });
  await quickPickRows(page).filter({ hasText: name }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.waitForFunction(n => document.querySelector('.part.editor .tabs-container .tab.active')?.getAttribute('data-resource-name') === n
    && !!document.querySelector('.part.editor .monaco-editor .line-numbers.active-line-number'), name, { timeout: 20_000 })
    .catch(async () => {
      const seen = await page.evaluate(() => ({
        tab: document.querySelector('.part.editor .tabs-container .tab.active')?.getAttribute('data-resource-name'),
        rows: [...document.querySelectorAll('.quick-input-widget .quick-input-list .monaco-list-row')].map(r => r.textContent).slice(0, 3),
        input: document.querySelector('.quick-input-widget .quick-input-box input')?.value,
        visible: document.querySelector('.quick-input-widget')?.style.display,
      }));
      throw new Error(`Quick Open did not show ${name} in an editor within 20 s: ${JSON.stringify(seen)}`);
    });
}

/**
 * Searches `query` with Sift's quick pick until `ready(rows)` holds for the rows' locations
 * (new files are indexed by the watcher meanwhile), then times an arrow key per row:
 * each preview must show the row's file with the cursor's line drawn at the row's line
 * and a selection (the name). Milliseconds per step, split by whether the step stayed in
 * the file of the row before.
 */
async function timeSiftSteps(page, query, ready) {
  const deadline = Date.now() + 90_000;
  let rows = [];
  for (;;) {
    rows = (await searchFor(page, query)).map(rowLocation);
    if (ready(rows)) break;
    if (Date.now() > deadline) throw new Error(`"${query}" never gave the rows wanted; last: ${JSON.stringify(rows)}`);
    await page.keyboard.press('Escape');
    await sleep(1000);
  }
  const same = [], other = [];
  let file = null;
  for (let i = 0; i < Math.min(rows.length - 1, PREVIEW_STEPS); i++) {
    const { ms, after, changes } = await timeKeyToView(page, 'ArrowDown');
    const loc = rowLocation(await page.locator(`${FOCUSED_ROW} .label-description`).first().innerText());
    if (!loc || JSON.stringify(loc) !== JSON.stringify(rows[i + 1])) throw new Error(`ArrowDown went to ${JSON.stringify(loc)}, not the next row ${JSON.stringify(rows[i + 1])}`);
    if (after.tab !== loc.file || !new RegExp(`^Ln ${loc.line},`).test(after.status) || after.line !== String(loc.line) || !/selected/.test(after.status) || !after.selection) {
      throw new Error(`the preview of ${loc.file}:${loc.line} showed ${JSON.stringify(after)}; changes ${JSON.stringify(changes)}`);
    }
    (loc.file === file ? same : other).push(ms);
    file = loc.file;
  }
  return { same, other };
}

/**
 * @param {{ page: import('playwright-core').Page, workspace: string, userDataDir: string, shots: string }} ctx
 * @returns {{ name: string, run: () => Promise<void> }[]}
 */
export function quickPickUiTests({ page, workspace, userDataDir, shots }) {
  const jwtLine = () => lineOf(workspace, 'src/auth/session.ts', 'export function validateJwtToken');
  return [
    {
      name: 'quick pick: results arriving open no file; an arrow key previews; Escape leaves no editor when none was open',
      run: async () => {
        await page.keyboard.press('Escape');
        await closeAllEditors(page);
        await searchFor(page, WEAK_QUERY, { weak: true });
        await sleep(1500); // more than the debounce and a second search of the same words
        let tabs = await editorTabs(page);
        if (tabs.length) throw new Error(`results arriving opened ${describeTabs(tabs)} with no key pressed`);
        const t0 = Date.now();
        const loc = await arrowDown(page);
        await waitForPreview(page, loc, t0);
        tabs = await editorTabs(page);
        if (tabs.length !== 1 || !tabs[0].preview) throw new Error(`after one arrow key the tabs are ${describeTabs(tabs)}, expected one preview of ${loc.file}`);
        await page.keyboard.press('Escape');
        await sleep(1000);
        tabs = await editorTabs(page);
        if (tabs.length) throw new Error(`Escape left ${describeTabs(tabs)} open; no editor was open before`);
      },
    },
    {
      name: 'quick pick: Enter opens a pinned tab; Escape after previews puts the editors back as they were',
      run: async () => {
        await page.keyboard.press('Escape');
        await closeAllEditors(page);
        await searchFor(page, 'validate jwt token');
        await page.keyboard.press('Enter');
        await waitForEditorAt(page, 'session.ts', jwtLine());
        let tabs = await editorTabs(page);
        if (tabs.length !== 1 || tabs[0].preview) throw new Error(`Enter left ${describeTabs(tabs)}, expected session.ts pinned (not italic)`);
        await searchFor(page, WEAK_QUERY, { weak: true });
        const other = await arrowToOtherFile(page, 'session.ts');
        await waitForPreview(page, other, Date.now());
        await screenshot(page, shots, 'quick-pick-preview');
        await page.keyboard.press('Escape');
        await sleep(1000);
        tabs = await editorTabs(page);
        if (tabs.length !== 1 || tabs[0].name !== 'session.ts' || !tabs[0].active || tabs[0].preview) {
          throw new Error(`after Escape the tabs are ${describeTabs(tabs)}, expected only session.ts, pinned and active`);
        }
        const ln = await statusBarLine(page);
        if (ln !== jwtLine()) throw new Error(`after Escape the cursor is on line ${ln}, expected ${jwtLine()} as before`);
      },
    },
    {
      name: 'quick pick: Escape then F1 at once keeps the command palette open and its keys out of the editor',
      run: async () => {
        await page.keyboard.press('Escape');
        // session.ts is open from the test before (pinned, the cursor on validateJwtToken)
        await searchFor(page, WEAK_QUERY, { weak: true });
        const other = await arrowToOtherFile(page, 'session.ts');
        await waitForPreview(page, other, Date.now());
        await page.keyboard.press('Escape');
        await page.keyboard.press('F1');
        await sleep(1200); // Sift's restoring the editors happens meanwhile
        const value = await quickInputValue(page);
        if (!(await page.locator('.quick-input-widget').isVisible()) || !value.startsWith('>')) {
          throw new Error(`the command palette did not stay open (box "${value}")`);
        }
        await page.keyboard.type('sift', { delay: 20 });
        const after = await quickInputValue(page);
        if (after !== '>sift') throw new Error(`the palette's box holds "${after}", expected ">sift"`);
        await page.keyboard.press('Escape');
        const dirty = (await editorTabs(page)).filter(t => t.dirty);
        if (dirty.length) throw new Error(`keys went into an editor: ${describeTabs(dirty)} modified`);
      },
    },
    {
      name: 'quick pick: rows keep Sift\'s order when a lower result\'s name contains the typed text',
      run: async () => {
        await page.keyboard.press('Escape');
        const rows = await searchFor(page, WEAK_QUERY, { weak: true });
        await sleep(1200); // the search log is written within a second
        const { storage } = await extensionStorage(userDataDir, workspace);
        const search = readSearchLog(storage).filter(e => e.t === 'search' && e.query === WEAK_QUERY && e.showWeak).pop();
        if (!search) throw new Error(`no search for "${WEAK_QUERY}" in the search log`);
        const logged = search.results.map(r => `${path.basename(r.file)}:${r.line}`);
        const shown = (await rowDescriptions(page)).map(t => rowLocation(t)).map(l => `${l.file}:${l.line}`);
        console.log(`    order for "${WEAK_QUERY}": Sift ${JSON.stringify(logged)}; rows ${JSON.stringify(shown)} (${rows.length} rows)`);
        if (JSON.stringify(shown) !== JSON.stringify(logged.slice(0, shown.length))) {
          throw new Error(`the rows are in another order than Sift's: rows ${JSON.stringify(shown)}, Sift ${JSON.stringify(logged)}`);
        }
        await page.keyboard.press('Escape');
      },
    },
    {
      name: 'quick pick: each row shows file:line at the start of its description, where truncation cannot cut it',
      run: async () => {
        await page.keyboard.press('Escape');
        await searchFor(page, 'validate jwt token');
        const descriptions = await page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-description').allInnerTexts();
        if (!descriptions.length) throw new Error('no row has a description');
        for (const d of descriptions) {
          if (!/^[\w.-]+\.\w+:\d+/.test(d.trim())) throw new Error(`a row's description "${d}" does not start with file:line`);
        }
        const first = (await quickPickRows(page).first().innerText()).replace(/\s+/g, ' ');
        if (!first.includes('validateJwtToken') || !first.includes(`session.ts:${jwtLine()}`)) {
          throw new Error(`the top row reads "${first}", expected validateJwtToken with session.ts:${jwtLine()}`);
        }
        await page.keyboard.press('Escape');
      },
    },
    {
      name: 'quick pick: arrow-key preview lands on the name, timed against VS Code\'s Quick Search and Go to Symbol (logged)',
      run: async () => {
        await page.keyboard.press('Escape');
        // files none of which is open: every step to another file loads and draws it
        const gen = path.join(workspace, 'gen-preview');
        const settingsDir = path.join(workspace, '.vscode');
        const settings = path.join(settingsDir, 'settings.json');
        if (fs.existsSync(settingsDir)) throw new Error(`${settingsDir} exists: this test would overwrite its settings`);
        fs.mkdirSync(gen, { recursive: true });
        for (let i = 0; i < PREVIEW_FILES; i++) fs.writeFileSync(path.join(gen, `ledger${i}.ts`), ledgerFile(i));
        // every one of the ten closest shown, not only those judged relevant
        fs.mkdirSync(settingsDir);
        fs.writeFileSync(settings, JSON.stringify({ 'sift.relevanceThreshold': 0.01 }));
        try {
          // the language's support already running, as in a day's work
          await openFile(page, 'session.ts');
          await closeAllEditors(page);
          const crossFile = await timeSiftSteps(page, 'reconcile ledger entries with the bank statement', rows => new Set(rows.map(r => r.file)).size >= 8);
          await page.keyboard.press('Escape');
          const sameFile = await timeSiftSteps(page, 'formatAmount3', rows => rows.filter(r => r.file === 'ledger3.ts').length >= 5);
          await page.keyboard.press('Escape');
          await closeAllEditors(page);

          // VS Code's own cross-file preview: Quick Search over the same files
          await runFromPalette(page, 'Search: Quick Search', async () => (await page.locator('.quick-input-widget').isVisible()));
          await page.keyboard.type('against the bank statement, matching', { delay: 5 });
          await page.waitForFunction(() => document.querySelectorAll('.quick-input-widget .quick-input-list .monaco-list-row').length >= 8, null, { timeout: 20_000 })
            .catch(() => { throw new Error('Quick Search listed fewer than 8 rows within 20 s'); });
          const quickSearch = [];
          for (let i = 0; i < PREVIEW_STEPS; i++) quickSearch.push((await timeKeyToView(page, 'ArrowDown')).ms);
          await page.keyboard.press('Escape');

          // Go to Symbol in Editor: within one file, nothing to load
          await openFile(page, 'ledger3.ts');
          await page.keyboard.press('Control+Shift+O');
          await quickPickRows(page).filter({ hasText: 'formatAmount3x1' }).first().waitFor({ timeout: 20_000 });
          const gotoSymbol = [];
          for (let i = 0; i < PREVIEW_STEPS; i++) gotoSymbol.push((await timeKeyToView(page, 'ArrowDown', { until: 'highlight' })).ms);
          await page.keyboard.press('Escape');

          const show = times => `${times.join(', ')} (median ${median(times)})`;
          console.log('    arrow-key preview, key to the editor drawn at the line (ms):');
          console.log(`      Sift, another file each step:     ${show(crossFile.other)}`);
          console.log(`      VS Code Quick Search, same files: ${show(quickSearch)}`);
          console.log(`      Sift, within one file:            ${show(sameFile.same)}`);
          console.log(`      VS Code Go to Symbol in Editor:   ${show(gotoSymbol)}`);
        } finally {
          fs.rmSync(settingsDir, { recursive: true, force: true });
          fs.rmSync(gen, { recursive: true, force: true });
          await page.keyboard.press('Escape');
          await closeAllEditors(page).catch(() => {});
        }
      },
    },
    {
      name: 'quick pick: during a re-index, a query with no answer yet says the results are partial, not "nothing relevant"',
      run: async () => {
        // enough files that the rebuild takes a moment to watch
        const gen = path.join(workspace, 'gen-quickpick');
        fs.mkdirSync(gen, { recursive: true });
        const body = i => Array.from({ length: 15 }, (_, j) => `/** Scales part ${i}.${j} of the input by its weight. */\nexport function scalePart${i}x${j}(input: number, weight: number): number {\n  const scaled = input * weight + ${j};\n  return scaled > ${i} ? scaled - ${i} : scaled + ${i};\n}\n`).join('\n');
        for (let i = 0; i < 1500; i++) fs.writeFileSync(path.join(gen, `part${i}.ts`), body(i));
        await runFromPalette(page, 'Sift: Re-index workspace', async () => true);
        await runFromPalette(page, 'Search code by meaning', async () => {
          const value = await quickInputValue(page);
          return (await page.locator('.quick-input-widget').isVisible()) && !value.startsWith('>');
        });
        await page.keyboard.type('zebra marmalade quantum harpsichord', { delay: 10 });
        const seen = [];
        const deadline = Date.now() + 120_000;
        while (Date.now() < deadline) {
          const title = await page.locator('.quick-input-widget .quick-input-title').innerText().catch(() => '');
          const rows = await quickPickRows(page).allInnerTexts().catch(() => []);
          seen.push({ title, rows: rows.map(r => r.replace(/\s+/g, ' ')) });
          const sawIndexing = seen.some(x => /indexing/.test(x.title) && x.rows.length > 0);
          if (sawIndexing && !/indexing/.test(title) && rows.some(r => /Nothing relevant found/.test(r))) break;
          await sleep(100);
        }
        const during = seen.filter(x => /indexing/.test(x.title) && x.rows.length > 0);
        if (!during.length) throw new Error(`never saw the quick pick while indexing (${seen.length} samples; titles: ${[...new Set(seen.map(x => x.title))].join(' | ')})`);
        // the title and the rows render apart (a frame or so): a state counts when two samples in a row show it
        const blames = x => /indexing/.test(x.title) && x.rows.some(r => /Nothing relevant found/.test(r));
        const blamed = seen.findIndex((x, i) => i + 1 < seen.length && blames(x) && blames(seen[i + 1]));
        if (blamed >= 0) throw new Error(`while indexing it said "Nothing relevant found": ${JSON.stringify(seen.slice(blamed, blamed + 2))}`);
        if (!during.some(x => x.rows.some(r => /results are partial/.test(r)))) throw new Error(`no "results are partial" row while indexing: ${JSON.stringify(during.slice(0, 3))}`);
        const last = seen[seen.length - 1];
        if (!last.rows.some(r => /Nothing relevant found/.test(r))) throw new Error(`after indexing the empty answer should be "Nothing relevant found": ${JSON.stringify(last)}`);
        await page.keyboard.press('Escape');
        fs.rmSync(gen, { recursive: true, force: true });
      },
    },
  ];
}
