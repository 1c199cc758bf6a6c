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

/**
 * Presses `key` and times, inside the page, how long until what the editor shows has
 * settled. `until: 'editor'` watches the active tab, the status bar's cursor position,
 * the line number the editor marks as the cursor's and the selection it draws — the
 * tab and the status bar change before the editor has drawn the file, so the last two
 * say when it has; `'highlight'` watches the editor's range highlight (Go to Symbol in
 * Editor marks a symbol without moving the cursor). Changes are stamped as the DOM
 * changes (MutationObserver) and on every frame; the step ends at the last change
 * before the view stays still for `settleMs`, so intermediate states do not count.
 * Returns { ms, after, changes }: `after` the final state (for 'editor': { tab, status,
 * line, selection }), `changes` each change as [ms, state]. Throws when nothing changed.
 */
export async function timeKeyToView(page, key, { until = 'editor', settleMs = 400, timeout = 10_000 } = {}) {
  await page.evaluate(({ key, until }) => {
    const text = selector => document.querySelector(selector)?.textContent ?? '';
    const state = until === 'highlight'
      ? () => String(document.querySelector('.part.editor .monaco-editor .rangeHighlight')?.getBoundingClientRect().top ?? '')
      : () => JSON.stringify({
          tab: document.querySelector('.part.editor .tabs-container .tab.active')?.getAttribute('data-resource-name') ?? '',
          status: text('.statusbar [id="status.editor.selection"]'),
          line: text('.part.editor .monaco-editor .line-numbers.active-line-number'),
          selection: [...document.querySelectorAll('.part.editor .monaco-editor .selected-text')].map(e => `${e.style.left}+${e.style.width}`).join(' '),
        });
    const probe = { last: state(), key: undefined, changedAt: undefined, changes: [] };
    const check = () => {
      if (probe.key === undefined) return;
      const now = state();
      if (now === probe.last) return;
      probe.last = now;
      probe.changedAt = performance.now();
      probe.changes.push([Math.round(probe.changedAt - probe.key), now]);
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    let frames = true;
    const frame = () => { check(); if (frames) requestAnimationFrame(frame); };
    requestAnimationFrame(frame);
    const onKey = e => { if (e.key === key && probe.key === undefined) probe.key = performance.now(); };
    window.addEventListener('keydown', onKey, { capture: true });
    probe.stop = () => { observer.disconnect(); frames = false; window.removeEventListener('keydown', onKey, { capture: true }); };
    window.__siftStep = probe;
  }, { key, until });
  await page.keyboard.press(key);
  try {
    await page.waitForFunction(settle => {
      const p = window.__siftStep;
      return p.changedAt !== undefined && performance.now() - p.changedAt >= settle;
    }, settleMs, { polling: 50, timeout });
  } catch (e) {
    await page.evaluate(() => window.__siftStep.stop()).catch(() => {});
    throw new Error(`nothing in the editor changed within ${timeout / 1000} s of ${key}`);
  }
  const { ms, last, changes } = await page.evaluate(() => {
    const p = window.__siftStep;
    p.stop();
    return { ms: p.changedAt - p.key, last: p.last, changes: p.changes };
  });
  return { ms: Math.round(ms), after: until === 'highlight' ? last : JSON.parse(last), changes };
}
