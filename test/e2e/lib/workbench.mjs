// Playwright helpers for the VS Code workbench as code-server serves it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHROMIUM, loadPlaywright } from './paths.mjs';

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** A fresh Chromium profile under `profileDir`; Playwright refuses --user-data-dir in args. */
export async function launchBrowser(profileDir) {
  const { chromium } = loadPlaywright();
  fs.mkdirSync(profileDir, { recursive: true });
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1440, height: 900 },
  });
  const page = context.pages()[0] ?? await context.newPage();
  return { context, page };
}

export const sleep = ms => new Promise(r => setTimeout(r, ms));

export async function waitForWorkbench(page, timeout = 90_000) {
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout });
}

const quickInput = page => page.locator('.quick-input-widget');
const quickInputBox = page => page.locator('.quick-input-widget .quick-input-box input');
export const quickPickRows = page => page.locator('.quick-input-widget .quick-input-list .monaco-list-row');

/** Text in the quick input's box ('' when it is closed). */
export async function quickInputValue(page) {
  if (!(await quickInput(page).isVisible())) return '';
  return quickInputBox(page).inputValue();
}

/**
 * Runs a command from the palette (F1 → title → Enter). Contributed commands
 * reach the palette some seconds after the workbench appears, so it retries
 * until the palette lists `title` and `isDone()` holds afterwards.
 */
export async function runFromPalette(page, title, isDone, timeout = 90_000) {
  const deadline = Date.now() + timeout;
  let attempt = 0;
  for (;;) {
    attempt++;
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    try {
      await quickInputBox(page).waitFor({ state: 'visible', timeout: 5_000 });
      await page.keyboard.type(title, { delay: 10 });
      await quickPickRows(page).filter({ hasText: title }).first().waitFor({ timeout: 3_000 });
      await page.keyboard.press('Enter');
      const settle = Date.now() + 5_000;
      while (Date.now() < settle) {
        if (await isDone()) return attempt;
        await sleep(200);
      }
    } catch { /* palette not ready or command not yet listed */ }
    if (Date.now() > deadline) throw new Error(`"${title}" could not be run from the palette in ${timeout / 1000} s (${attempt} attempts)`);
    await sleep(1_500);
  }
}

/** Moves the quick pick's focus to the row containing `text`; false when there is none. */
export async function focusQuickPickRow(page, text, maxSteps = 20) {
  for (let i = 0; i < maxSteps; i++) {
    const focused = page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused');
    if ((await focused.count()) > 0 && (await focused.first().innerText()).includes(text)) return true;
    await page.keyboard.press('ArrowDown');
    await sleep(100);
  }
  return false;
}

/** File name of the active editor tab, or '' when none is open. */
export async function activeTabTitle(page) {
  const tab = page.locator('.part.editor .tabs-container .tab.active').first();
  if (!(await tab.count())) return '';
  // the label element splits the name from its extension; the attributes hold it whole
  const name = await tab.getAttribute('data-resource-name') ?? (await tab.getAttribute('aria-label') ?? '').split(',')[0];
  return name.trim();
}

/** Cursor line shown in the status bar ("Ln 12, Col 3"), or null when the item is not shown. */
export async function statusBarLine(page) {
  const item = page.locator('.statusbar [id="status.editor.selection"]').first();
  if (!(await item.count())) return null;
  const match = /Ln (\d+)/.exec(await item.innerText());
  return match ? Number(match[1]) : null;
}

/** Waits until the active tab is `file` and the cursor is on `line`; throws with what was seen. */
export async function waitForEditorAt(page, file, line, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  let seen = '';
  while (Date.now() < deadline) {
    const title = await activeTabTitle(page);
    const ln = await statusBarLine(page);
    seen = `tab "${title}", Ln ${ln}`;
    if (title === file && ln === line) return;
    await sleep(250);
  }
  throw new Error(`expected the editor on ${file} line ${line}; saw ${seen}`);
}

/** The frame (inside a webview's nested iframes) that holds `selector`. */
export async function findWebviewFrame(page, selector, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      try {
        if (await frame.locator(selector).count()) return frame;
      } catch { /* frame navigated away */ }
    }
    await sleep(250);
  }
  throw new Error(`no webview frame holds ${selector} after ${timeout / 1000} s`);
}

export async function screenshot(page, dir, name) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
