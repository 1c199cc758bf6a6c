// UI tests of the Sift sidebar (a webview view), the way a person uses it:
// opening the view puts the cursor in its search box, the status and actions
// sit above the results, arrow keys preview results, snippet lines end in an
// ellipsis instead of running off the edge, the folder filter takes substrings
// and globs (and says when it matches no files), and the status stays
// consistent through Clear and a re-index.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { activeTabTitle, findWebviewFrame, screenshot, sleep } from './lib/workbench.mjs';

const SEARCH_INPUT = '[data-testid="sift-search-input"]';
const RESULT = '[data-testid="sift-result"]';
const STATUS = '[data-testid="sift-status"]';
const NOTICE = '[data-testid="sift-notice"]';
const FOLDER = '[data-testid="sift-folder-filter"]';

function activityBarTitle(extensionDir) {
  const manifest = JSON.parse(fs.readFileSync(path.join(extensionDir, 'package.json'), 'utf8'));
  return manifest.contributes?.viewsContainers?.activitybar?.[0]?.title ?? 'Sift';
}

async function waitFor(what, check, timeout = 30_000, every = 200) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await check().catch(e => `error: ${e.message}`);
    if (last === true) return;
    await sleep(every);
  }
  throw new Error(`timed out waiting for ${what}${last && last !== false ? ` (last seen: ${last})` : ''}`);
}

/**
 * @param {{ page: import('playwright-core').Page, workspace: string, extensionDir: string, shots: string }} ctx
 * @returns {{ name: string, run: () => Promise<void> }[]}
 */
export function sidebarUiTests({ page, workspace, extensionDir, shots }) {
  let frame = null;
  const statusText = () => frame.locator(STATUS).innerText();
  const noticeText = async () => (await frame.locator(NOTICE).isVisible()) ? frame.locator(NOTICE).innerText() : '';
  const query = async (text) => {
    const input = frame.locator(SEARCH_INPUT);
    await input.fill('');
    await input.pressSequentially(text, { delay: 10 });
  };
  const setFolder = async (text) => { await frame.locator(FOLDER).fill(text); };
  const resultNames = async () => frame.locator(RESULT).evaluateAll(els => els.map(e => e.getAttribute('data-name')));

  return [
    {
      name: 'sidebar ui: opening the view puts the cursor in the search box, with the status and actions above the results',
      run: async () => {
        await page.keyboard.press('Escape');
        const item = page.locator(`.part.activitybar .action-item [aria-label^="${activityBarTitle(extensionDir)}"]`).first();
        await item.waitFor({ timeout: 30_000 });
        // open it fresh: when an earlier test left it open, a click would close it
        const open = await page.locator('.part.sidebar .composite.title').filter({ hasText: /sift/i }).isVisible().catch(() => false);
        if (open) { await item.click(); await sleep(500); }
        await item.click();
        frame = await findWebviewFrame(page, SEARCH_INPUT);
        await waitFor('"Index up to date"', async () => (await statusText()).includes('Index up to date'), 90_000);
        // no click into the page: the keys go where the view put the cursor
        await waitFor('the search box to have focus', () => frame.evaluate(() => document.activeElement?.id === 'query'), 10_000);
        await page.keyboard.type('calculate invoice total', { delay: 20 });
        await waitFor('the typed query in the search box', async () => (await frame.locator(SEARCH_INPUT).inputValue()) === 'calculate invoice total');
        await frame.locator(RESULT).filter({ hasText: 'calculate_invoice_total' }).first().waitFor({ timeout: 30_000 });
        const box = async (sel) => (await frame.locator(sel).first().boundingBox());
        const status = await box(STATUS);
        const reindex = await box('button[data-action="reindex"]');
        const first = await box(RESULT);
        if (!(status.y < first.y && reindex.y + reindex.height <= first.y)) {
          throw new Error(`status (y ${status.y}) and actions (y ${reindex.y}) are not above the results (y ${first.y})`);
        }
        await sleep(300);
        await screenshot(page, shots, 'sidebar-01-focus-and-layout');
      },
    },
    {
      name: 'sidebar ui: arrow keys preview results while the focus stays in the sidebar; snippet lines end in an ellipsis',
      run: async () => {
        await query('validate jwt token');
        await frame.locator(RESULT).filter({ hasText: 'validateJwtToken' }).first().waitFor({ timeout: 30_000 });
        const names = await resultNames();
        const at = names.indexOf('validateJwtToken');
        const tabNamed = name => page.locator('.part.editor .tabs-container .tab').filter({ hasText: name });
        const wasOpen = (await tabNamed('session.ts').count()) > 0;
        for (let i = 0; i <= at; i++) await frame.locator(SEARCH_INPUT).press('ArrowDown');
        await waitFor('a preview of session.ts', async () => (await activeTabTitle(page)) === 'session.ts' || `tab ${await activeTabTitle(page)}`, 10_000);
        // a file not open before comes up in a preview tab (italic), not a pinned one
        const italic = await page.locator('.part.editor .tabs-container .tab.active .monaco-icon-label.italic').count();
        if (!wasOpen && !italic) throw new Error('the result opened in a pinned tab, not a preview');
        if (!(await frame.evaluate(() => document.activeElement?.id === 'query'))) throw new Error('the preview took the focus from the sidebar');
        // long lines: each snippet line is clipped with an ellipsis, nothing runs past the box
        const overflow = await frame.locator(`${RESULT} .snippet`).evaluateAll(pres => pres.map(pre => ({
          wider: pre.scrollWidth > pre.clientWidth + 1,
          lines: [...pre.querySelectorAll('.line')].map(l => getComputedStyle(l).textOverflow),
        })));
        if (!overflow.length) throw new Error('no snippets shown');
        for (const o of overflow) {
          if (o.wider) throw new Error('a snippet runs past the right edge');
          if (!o.lines.length || o.lines.some(t => t !== 'ellipsis')) throw new Error(`snippet lines without an ellipsis: ${o.lines}`);
        }
        await screenshot(page, shots, 'sidebar-02-arrow-preview');
      },
    },
    {
      name: 'sidebar ui: the folder filter takes substrings and globs, and says when it matches no files',
      run: async () => {
        await query('calculate invoice total');
        for (const filter of ['billing', '**/billing/**', 'src/*/invoice.py', '*.py']) {
          await setFolder(filter);
          await waitFor(`calculate_invoice_total under "${filter}"`, async () => {
            const names = await resultNames();
            return names.includes('calculate_invoice_total') || `results ${names.join(', ')}; notice ${await noticeText()}`;
          }, 20_000);
        }
        await setFolder('src/*.ts');
        await waitFor('no Python under "src/*.ts"', async () => !(await resultNames()).includes('calculate_invoice_total'), 20_000);
        await setFolder('nosuchfolder');
        await waitFor('the filter message', async () => (await noticeText()).includes('No indexed file matches the folder filter') || `notice ${await noticeText()}`, 20_000);
        const notice = await noticeText();
        if (/Nothing relevant/.test(notice)) throw new Error(`the message blames the query: ${notice}`);
        await screenshot(page, shots, 'sidebar-03-folder-filter');
        await setFolder('');
        await frame.locator(RESULT).filter({ hasText: 'calculate_invoice_total' }).first().waitFor({ timeout: 20_000 });
      },
    },
    {
      name: 'sidebar ui: the status stays consistent through Clear and a re-index, and the results follow the index',
      run: async () => {
        // enough files that the re-index takes a moment to watch
        const gen = path.join(workspace, 'gen');
        fs.mkdirSync(gen, { recursive: true });
        for (let i = 0; i < 300; i++) {
          fs.writeFileSync(path.join(gen, `module${i}.ts`), `// generated module ${i}\nexport function computeValue${i}(input: number): number {\n  return input * ${i} + ${i % 7};\n}\n`);
        }
        await query('calculate invoice total');
        await frame.locator(RESULT).filter({ hasText: 'calculate_invoice_total' }).first().waitFor({ timeout: 30_000 });

        await frame.locator('button[data-action="clear"]').click();
        // the command asks first
        const confirm = page.locator('.monaco-dialog-box button, .dialog-buttons a, .dialog-buttons button').filter({ hasText: 'Clear index' }).first();
        if (await confirm.waitFor({ timeout: 5_000 }).then(() => true, () => false)) await confirm.click();
        await waitFor('the cleared status', async () => /nothing is indexed/i.test(await statusText()) || await statusText(), 20_000);
        const cleared = await statusText();
        if (/updated|\d+ files/.test(cleared)) throw new Error(`the cleared status still shows the old index: ${cleared}`);
        // the results came from the deleted index: the query runs again and finds nothing now
        await waitFor('the old results to go', async () => (await frame.locator(RESULT).count()) === 0, 20_000);
        await screenshot(page, shots, 'sidebar-04-after-clear');

        // re-index, watching the status and the notice as it goes
        const seen = [];
        let watching = true;
        const watcher = (async () => {
          while (watching) {
            seen.push({ status: await statusText().catch(() => ''), notice: await noticeText().catch(() => ''), results: await frame.locator(RESULT).count().catch(() => 0) });
            await sleep(50);
          }
        })();
        await frame.locator('button[data-action="reindex"]').click();
        await waitFor('the index to be rebuilt', async () => {
          const s = await statusText();
          return (/Index up to date/.test(s) && /\d{3} files/.test(s)) || s;
        }, 120_000);
        await frame.locator(RESULT).filter({ hasText: 'calculate_invoice_total' }).first().waitFor({ timeout: 30_000 });
        await sleep(500);
        watching = false;
        await watcher;
        const indexingNow = x => /^Indexing(:|…)/.test(x.status);
        const during = seen.filter(indexingNow);
        if (!during.length) throw new Error(`never saw the re-index in the status (${seen.length} samples: ${[...new Set(seen.map(x => x.status))].join(' | ')})`);
        for (const x of seen) {
          if (indexingNow(x) && /\b0 files|updated/.test(x.status)) throw new Error(`stale counts beside the progress: ${x.status}`);
          if (/Index up to date/.test(x.status) && /embeddings not ready|results are partial/.test(x.notice) && x === seen[seen.length - 1]) {
            throw new Error(`an indexing-time notice outlived the indexing: ${x.notice}`);
          }
        }
        const partialEmpty = seen.filter(x => indexingNow(x) && x.results === 0 && x.notice && !/partial|indexed so far|searching again/.test(x.notice));
        if (partialEmpty.length) throw new Error(`during the re-index an empty answer did not say it was partial: ${partialEmpty[0].notice}`);
        const final = seen[seen.length - 1];
        if (/partial|embeddings not ready|Nothing relevant/.test(final.notice)) throw new Error(`a stale notice after indexing: ${final.notice}`);
        await screenshot(page, shots, 'sidebar-05-after-reindex');
      },
    },
  ];
}
