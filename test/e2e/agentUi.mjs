// UI test of how the extension introduces agents to a person: its walkthrough
// (contributes.walkthroughs) opens from VS Code's own "Welcome: Open
// Walkthrough..." and its agents step explains the language-model tool and the
// registered MCP server. (The tool itself is invoked in the extension-host suite,
// suite/sift.test.js; the offline code-server has no chat view or MCP commands.)
// Its screenshot is the README's.
import { quickPickRows, runFromPalette, screenshot, sleep } from './lib/workbench.mjs';

/**
 * @param {{ page: import('playwright-core').Page, shots: string }} ctx
 * @returns {{ name: string, run: () => Promise<void> }[]}
 */
export function agentUiTests({ page, shots }) {
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
  ];
}
