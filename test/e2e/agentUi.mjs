// UI tests of what the extension offers agents: its walkthrough
// (contributes.walkthroughs) opens from VS Code's own "Welcome: Open
// Walkthrough..." and its agents step explains the language-model tool and the
// registered MCP server (its screenshot is the README's); VS Code's own "MCP:
// List Servers" lists Sift's server from the extension's definition provider and
// starts it. (The tool itself is invoked in the extension-host suite,
// suite/sift.test.js. The harness switches chat off, chat.disableAIFeatures; the
// MCP test switches it on for its length. Copilot's agent mode needs a signed-in
// account, which an offline test cannot have.)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { focusQuickPickRow, quickPickRows, runFromPalette, screenshot, sleep, waitForWorkbench } from './lib/workbench.mjs';

/** Sets one user setting (VS Code watches the file); the previous value, or undefined. */
function setUserSetting(userDataDir, key, value) {
  const file = path.join(userDataDir, 'User', 'settings.json');
  const settings = JSON.parse(fs.readFileSync(file, 'utf8'));
  const before = settings[key];
  if (value === undefined) delete settings[key]; else settings[key] = value;
  fs.writeFileSync(file, JSON.stringify(settings, null, 2));
  return before;
}

/**
 * "MCP: List Servers", then the Sift row; the row's text and the server's actions. The list
 * updates as servers change state, which can swallow a key: tried again until `timeout`.
 */
async function siftServerActions(page, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      await runFromPalette(page, 'MCP: List Servers', async () => (await quickPickRows(page).filter({ hasText: 'Sift' }).count()) > 0, 20_000);
      const row = (await quickPickRows(page).filter({ hasText: 'Sift' }).first().innerText()).replace(/\s+/g, ' ');
      await chooseRow(page, 'Sift');
      await quickPickRows(page).filter({ hasText: 'Show Output' }).first().waitFor({ timeout: 10_000 });
      return { row, actions: (await quickPickRows(page).allInnerTexts()).map(t => t.replace(/\s+/g, ' ')) };
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`${e.message.split('\n')[0]}; rows shown: ${JSON.stringify(await quickPickRows(page).allInnerTexts())}`);
      await page.keyboard.press('Escape');
      await sleep(1_000);
    }
  }
}

/** Moves the open quick pick's focus to the row whose text holds `label` (waiting for rows to come) and presses Enter. */
async function chooseRow(page, label) {
  const deadline = Date.now() + 30_000;
  while (!(await focusQuickPickRow(page, label, 12))) {
    if (Date.now() > deadline) throw new Error(`no row "${label}" to choose; rows ${JSON.stringify((await quickPickRows(page).allInnerTexts()).map(t => t.replace(/\s+/g, ' ')))}`);
    await sleep(1_000);
  }
  await page.keyboard.press('Enter');
}

/**
 * @param {{ page: import('playwright-core').Page, shots: string, userDataDir: string, workspace: string }} ctx
 * @returns {{ name: string, run: () => Promise<void> }[]}
 */
export function agentUiTests({ page, shots, userDataDir, workspace }) {
  return [
    {
      name: 'agents: the walkthrough opens and its agents step explains the tool and the MCP server',
      async run() {
        await runFromPalette(page, 'Welcome: Open Walkthrough...', async () => (await quickPickRows(page).filter({ hasText: 'Get started with Sift' }).count()) > 0);
        await quickPickRows(page).filter({ hasText: 'Get started with Sift' }).first().click();
        const step = page.locator('.getting-started-step').filter({ hasText: 'Let chat agents search with Sift' }).first();
        await step.waitFor({ timeout: 30_000 });
        await step.click();
        const deadline = Date.now() + 30_000;
        let text = '';
        while (Date.now() < deadline) {
          text = (await page.locator('.gettingStartedContainer').innerText().catch(() => '')).replace(/\s+/g, ' ');
          // the step's description, expanded, names the tool and the MCP server
          if (/#siftSearch/.test(text) && /MCP/.test(text)) break;
          await sleep(250);
        }
        if (!/#siftSearch/.test(text) || !/MCP/.test(text)) throw new Error(`the agents step does not explain the tool and the MCP server: ${text.slice(0, 600)}`);
        await sleep(1_000);
        await screenshot(page, shots, '12-walkthrough-agents');
        await runFromPalette(page, 'View: Close All Editors', async () => true);
      },
    },
    {
      name: 'agents: VS Code lists Sift\'s MCP server and starts it on the workspace (MCP: List Servers → Start Server)',
      async run() {
        const before = setUserSetting(userDataDir, 'chat.disableAIFeatures', false);
        try {
          // a window that has run for a while does not bring the MCP commands back when the
          // setting changes: load it again with the setting on
          await page.reload();
          await waitForWorkbench(page);
          // Start Server, until the list says it runs (VS Code may also start it on its own: MCP autostart)
          const deadline = Date.now() + 90_000;
          let now = await siftServerActions(page);
          while (!/Running/.test(now.row)) {
            if (Date.now() > deadline) throw new Error(`the server never ran; last "${now.row}", actions ${JSON.stringify(now.actions)}`);
            if (now.actions.some(a => a.includes('Start Server'))) await chooseRow(page, 'Start Server');
            else await page.keyboard.press('Escape');
            await sleep(1_000);
            now = await siftServerActions(page);
          }
          // its log: VS Code's connection states, the server's own line naming the workspace folder, and
          // the tools VS Code listed from it (search_code, find_similar, index_status)
          const shown = log => /Connection state: Running/.test(log) && log.includes(`MCP server on stdio for ${workspace}`) && /Discovered 3 tools/.test(log);
          await chooseRow(page, 'Show Output');
          let log = '';
          for (const end = Date.now() + 20_000; Date.now() < end; await sleep(250)) {
            log = (await page.locator('.part.panel').innerText().catch(() => '')).replace(/\s+/g, ' ');
            if (shown(log)) break;
          }
          if (!shown(log)) throw new Error(`the server's output does not show it running on ${workspace} with its 3 tools: ${log.slice(-800)}`);
          await sleep(500);
          await screenshot(page, shots, '13-mcp-server-running');
          await page.keyboard.press('Escape');
          await siftServerActions(page);
          await chooseRow(page, 'Stop Server');
        } finally {
          await page.keyboard.press('Escape');
          setUserSetting(userDataDir, 'chat.disableAIFeatures', before);
          if (await page.locator('.part.panel').isVisible()) await runFromPalette(page, 'View: Hide Panel', async () => !(await page.locator('.part.panel').isVisible())).catch(() => {});
        }
      },
    },
  ];
}
