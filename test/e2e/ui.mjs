// UI tests: Playwright drives Chromium against code-server, the way a person
// would use Sift. Each test returns nothing or throws; screenshots of every
// step go to the screenshots folder for a person to look at.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extensionStorage, opensWithQueries, readSearchLog } from './lib/storage.mjs';
import {
  findWebviewFrame, focusQuickPickRow, quickInputValue, quickPickRows, runFromPalette,
  screenshot, sleep, waitForEditorAt,
} from './lib/workbench.mjs';

const SEARCH_INPUT = '[data-testid="sift-search-input"]';
const RESULT = '[data-testid="sift-result"]';
// Nothing in test/e2e/fixture does this.
const NO_ANSWER = 'render a histogram of pixel colours';

/** 1-based line of the first line of `rel` (in the workspace) containing `needle`. */
function lineOf(workspace, rel, needle) {
  const index = fs.readFileSync(path.join(workspace, rel), 'utf8').split('\n').findIndex(l => l.includes(needle));
  if (index < 0) throw new Error(`${rel} has no line containing ${needle}`);
  return index + 1;
}

/** The Sift view container's title in the activity bar, from the extension's manifest. */
function activityBarTitle(extensionDir) {
  const manifest = JSON.parse(fs.readFileSync(path.join(extensionDir, 'package.json'), 'utf8'));
  return manifest.contributes?.viewsContainers?.activitybar?.[0]?.title ?? 'Sift';
}

/**
 * @param {{ page: import('playwright-core').Page, workspace: string, extensionDir: string, userDataDir: string, shots: string }} ctx
 * @returns {{ name: string, run: () => Promise<void> }[]}
 */
export function uiTests({ page, workspace, extensionDir, userDataDir, shots }) {
  const dialogs = [];
  page.on('dialog', d => { dialogs.push(d.message()); void d.dismiss().catch(() => {}); });

  return [
    {
      name: 'palette: "Search code by meaning" lists the definition for a description',
      run: async () => {
        await runFromPalette(page, 'Search code by meaning', async () => {
          // the palette closed and Sift's own quick pick is open (its box does not start with ">")
          const value = await quickInputValue(page);
          return (await page.locator('.quick-input-widget').isVisible()) && !value.startsWith('>');
        });
        await page.keyboard.type('validate jwt token', { delay: 20 });
        await quickPickRows(page).filter({ hasText: 'validateJwtToken' }).first().waitFor({ timeout: 30_000 });
        await sleep(300); // let the list finish painting for the picture
        await screenshot(page, shots, '01-quick-pick-results');
      },
    },
    {
      name: 'palette: Enter on a result opens the editor on its definition',
      run: async () => {
        if (!(await focusQuickPickRow(page, 'validateJwtToken'))) throw new Error('no quick pick row for validateJwtToken to focus');
        await page.keyboard.press('Enter');
        await waitForEditorAt(page, 'session.ts', lineOf(workspace, 'src/auth/session.ts', 'export function validateJwtToken'));
        await screenshot(page, shots, '02-editor-on-definition');
      },
    },
    {
      name: 'palette: a question the workspace cannot answer says "Nothing relevant found" and offers the closest matches',
      run: async () => {
        await page.keyboard.press('Escape');
        await runFromPalette(page, 'Search code by meaning', async () => {
          const value = await quickInputValue(page);
          return (await page.locator('.quick-input-widget').isVisible()) && !value.startsWith('>');
        });
        await page.keyboard.type(NO_ANSWER, { delay: 10 });
        await quickPickRows(page).filter({ hasText: 'Nothing relevant found' }).first().waitFor({ timeout: 30_000 });
        const offer = quickPickRows(page).filter({ hasText: 'Show closest matches anyway' }).first();
        await offer.waitFor({ timeout: 5_000 });
        await screenshot(page, shots, '06-quick-pick-nothing-relevant');
        await offer.click();
        // the closest matches replace the message, each a file row
        await page.locator('.quick-input-title').filter({ hasText: 'none judged relevant' }).first().waitFor({ timeout: 30_000 });
        if (await quickPickRows(page).filter({ hasText: 'Nothing relevant found' }).count()) throw new Error('the message stayed after asking for the closest matches');
        if ((await quickPickRows(page).count()) === 0) throw new Error('no closest matches were listed');
        await page.keyboard.press('Escape');
      },
    },
    {
      name: 'sidebar: the search box shows results',
      run: async () => {
        await page.keyboard.press('Escape');
        const title = activityBarTitle(extensionDir);
        const item = page.locator(`.part.activitybar .action-item [aria-label^="${title}"]`).first();
        await item.waitFor({ timeout: 30_000 });
        await item.click();
        const frame = await findWebviewFrame(page, SEARCH_INPUT);
        const input = frame.locator(SEARCH_INPUT);
        await input.click();
        await input.pressSequentially('calculate invoice total', { delay: 20 });
        await frame.locator(RESULT).filter({ hasText: 'calculate_invoice_total' }).first().waitFor({ timeout: 30_000 });
        await sleep(300);
        await screenshot(page, shots, '03-sidebar-results');
      },
    },
    {
      name: 'sidebar: clicking a result opens the editor on its definition',
      run: async () => {
        const frame = await findWebviewFrame(page, SEARCH_INPUT);
        await frame.locator(RESULT).filter({ hasText: 'calculate_invoice_total' }).first().click();
        await waitForEditorAt(page, 'invoice.py', lineOf(workspace, 'src/billing/invoice.py', 'def calculate_invoice_total'));
        await screenshot(page, shots, '04-sidebar-opened-definition');
      },
    },
    {
      name: 'feedback: both opens were recorded in the search log with their queries',
      run: async () => {
        const wanted = [
          { query: 'validate jwt token', name: /validateJwtToken$/, source: 'quickPick' },
          { query: 'calculate invoice total', name: /calculate_invoice_total$/, source: 'sidebar' },
        ];
        const { storage } = await extensionStorage(userDataDir, workspace);
        let opens = [];
        // the log is written within a second of the open
        for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(250)) {
          opens = opensWithQueries(readSearchLog(storage));
          if (wanted.every(w => opens.some(o => o.query === w.query && w.name.test(o.name) && o.source === w.source))) return;
        }
        throw new Error(`opens in ${storage}/log: ${JSON.stringify(opens)}`);
      },
    },
    {
      name: 'sidebar: a question the workspace cannot answer says so and shows the closest matches on request',
      run: async () => {
        const frame = await findWebviewFrame(page, SEARCH_INPUT);
        const input = frame.locator(SEARCH_INPUT);
        await input.fill('');
        await input.pressSequentially(NO_ANSWER, { delay: 10 });
        await frame.getByText('Nothing relevant found.').first().waitFor({ timeout: 30_000 });
        if (await frame.locator(RESULT).count()) throw new Error('results were listed beside "Nothing relevant found."');
        await frame.getByText('Show closest matches anyway').first().click();
        await frame.locator(RESULT).first().waitFor({ timeout: 30_000 });
        await screenshot(page, shots, '07-sidebar-closest-matches');
      },
    },
    {
      name: 'sidebar: hostile markup in code is shown as text, never run',
      run: async () => {
        const frame = await findWebviewFrame(page, SEARCH_INPUT);
        const input = frame.locator(SEARCH_INPUT);
        await input.fill('');
        await input.pressSequentially('maintenance banner', { delay: 20 });
        await frame.locator(RESULT).filter({ hasText: /renderMaintenanceBanner|banner\.ts|maintenance banner/i }).first()
          .waitFor({ timeout: 30_000 });
        await sleep(500); // give injected markup, if any, time to load and fire
        const injected = await frame.locator('img[src="x"], [onerror]').count();
        const scripts = await frame.locator(`${RESULT} script`).count();
        if (injected || scripts) throw new Error(`markup from the fixture became live elements (${injected} img/onerror, ${scripts} script)`);
        if (dialogs.length) throw new Error(`a dialog opened: ${dialogs.join(' | ')}`);
        // and it is there, as text: the section heading (a result's name) and the snippet of banner.ts
        const shown = (await frame.locator(RESULT).allTextContents()).join('\n');
        for (const markup of ['<img src=x onerror=alert(1)>', '<script>alert(1)</script>']) {
          if (!shown.includes(markup)) throw new Error(`the results do not show ${markup} as text:\n${shown}`);
        }
        await screenshot(page, shots, '05-sidebar-escaped-markup');
      },
    },
  ];
}
