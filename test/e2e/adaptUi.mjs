// UI tests of adapting the model from the palette: "Sift: Adapt to this
// workspace" records a zero-click attempt with the guard's reason and says so
// in a notification; "Sift: Reset to the shipped model" asks in a modal dialog,
// then records a reset. The records are read where the worker keeps them (the
// index folder's adaptations.jsonl, which its `adaptations` request returns).
// Runs after the search-health test, which writes that history file.
import { extensionStorage, readAdaptations } from './lib/storage.mjs';
import { runFromPalette, screenshot, sleep } from './lib/workbench.mjs';

const toasts = page => page.locator('.notifications-toasts .notification-toast');

/** Waits until `find(history)` gives something; returns it (throws with the history on timeout). */
async function waitForRecord(indexDir, find, what, timeout = 90_000) {
  const deadline = Date.now() + timeout;
  let history = [];
  while (Date.now() < deadline) {
    history = readAdaptations(indexDir);
    const found = find(history);
    if (found) return found;
    await sleep(250);
  }
  throw new Error(`${what}: not recorded after ${timeout / 1000} s; history: ${JSON.stringify(history)}`);
}

/** The notification center's items (it keeps every notification, toasts hide after a while or not at all). */
const centerItems = page => page.locator('.notifications-center .notification-list-item');

/**
 * Waits for a notification containing `text`: a toast, or else an item of the
 * notification center (opened with the status bar's bell); returns its text.
 */
async function waitForNotification(page, text, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  let openedCenter = false;
  for (;;) {
    for (const list of [toasts(page), centerItems(page)]) {
      const hit = list.filter({ hasText: text }).first();
      if (await hit.count() && await hit.isVisible().catch(() => false)) return (await hit.innerText()).replace(/\s+/g, ' ');
    }
    if (Date.now() > deadline) {
      const shown = [...await toasts(page).allInnerTexts().catch(() => []), ...await centerItems(page).allInnerTexts().catch(() => [])];
      throw new Error(`no notification saying "${text}"; notifications: ${JSON.stringify(shown)}`);
    }
    if (!openedCenter && Date.now() > deadline - timeout + 3_000) {
      openedCenter = true;
      await page.locator('.statusbar [id="status.notifications"]').first().click().catch(() => {});
    }
    await sleep(250);
  }
}

/** Closes the notification center if it is open. */
async function closeCenter(page) {
  if (await page.locator('.notifications-center.visible').count()) await page.locator('.statusbar [id="status.notifications"]').first().click().catch(() => {});
}

/**
 * @param {{ page: import('playwright-core').Page, workspace: string, userDataDir: string, shots: string }} ctx
 * @returns {{ name: string, run: () => Promise<void> }[]}
 */
export function adaptUiTests({ page, workspace, userDataDir, shots }) {
  return [
    {
      name: 'adaptation: "Adapt to this workspace" records a zero-click attempt with its reason and says so',
      run: async () => {
        const { indexDir } = await extensionStorage(userDataDir, workspace);
        const before = readAdaptations(indexDir).length;
        const added = () => readAdaptations(indexDir).slice(before);
        await page.keyboard.press('Escape');
        await runFromPalette(page, 'Adapt to this workspace', async () =>
          added().length > 0 || (await toasts(page).filter({ hasText: /Sift: adapting to this workspace|Sift: adaptation/i }).count()) > 0);
        const record = await waitForRecord(indexDir, h => h.slice(before).find(r => r.kind === 'zero-click'), 'a zero-click attempt');
        if (typeof record.reason !== 'string' || !record.reason) throw new Error(`the record has no reason: ${JSON.stringify(record)}`);
        if (typeof record.kept !== 'boolean') throw new Error(`the record does not say whether it was kept: ${JSON.stringify(record)}`);
        // the message names the kind, the outcome and the guard's reason
        const text = await waitForNotification(page, record.reason);
        const outcome = record.kept ? 'kept' : 'refused';
        if (!text.includes("doc comments") || !text.includes(outcome)) throw new Error(`the notification says "${text}", expected the doc-comment attempt ${outcome}`);
        // the whole message for the picture (a long one is cut to one line until expanded)
        await page.locator('.notification-list-item', { hasText: record.reason }).locator('.codicon-notifications-expand').first().click({ timeout: 2_000 }).catch(() => {});
        await sleep(300);
        await screenshot(page, shots, '10-adapt-outcome');
        await closeCenter(page);
      },
    },
    {
      name: 'adaptation: "Reset to the shipped model" asks first, then records a reset',
      run: async () => {
        const { indexDir } = await extensionStorage(userDataDir, workspace);
        const before = readAdaptations(indexDir).length;
        const dialog = page.locator('.monaco-dialog-box');
        await page.keyboard.press('Escape');
        await runFromPalette(page, 'Reset to the shipped model', async () => (await dialog.count()) > 0 && dialog.first().isVisible());
        const message = (await dialog.first().innerText()).replace(/\s+/g, ' ');
        if (!/Reset Sift to the shipped model\?/.test(message)) throw new Error(`the dialog says "${message}"`);
        await sleep(200);
        await screenshot(page, shots, '11-reset-confirm');
        if (readAdaptations(indexDir).length !== before) throw new Error('something was recorded before the reset was confirmed');
        await dialog.locator('.monaco-button', { hasText: 'Reset' }).first().click();
        const record = await waitForRecord(indexDir, h => h.slice(before).find(r => r.kind === 'reset'), 'a reset');
        if (!record.kept || !/shipped model/.test(record.reason)) throw new Error(`unexpected reset record: ${JSON.stringify(record)}`);
        await waitForNotification(page, record.reason);
        await closeCenter(page);
      },
    },
  ];
}
