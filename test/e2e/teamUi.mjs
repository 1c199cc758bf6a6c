// UI tests of the extension with a team server (sift.server): a real team index
// — PostgreSQL + pgvector (scripts/pgLib.mjs), filled by `sift index --store`,
// served by `sift serve --store` — and a git checkout of the fixture with one
// local change that the team has not indexed. In its own window and workspace,
// so the other UI tests keep searching locally.
//
// A person's path: open the checkout with sift.server set and no token (the
// status bar says the token is refused), run "Sift: Set team server token" and
// paste the token into the password box, see "team main@<commit>" in the status
// bar, search: a definition only the team's index holds and one only the local
// change holds both come up; then the server goes away and the search says so.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { workbenchUrl } from './lib/codeServer.mjs';
import { E2E_DIR, REPO } from './lib/paths.mjs';
import { findWebviewFrame, launchBrowser, quickInputValue, quickPickRows, runFromPalette, screenshot, sleep, waitForWorkbench } from './lib/workbench.mjs';

const SEARCH_INPUT = '[data-testid="sift-search-input"]';
const RESULT = '[data-testid="sift-result"]';

const CLI = path.join(REPO, 'dist', 'cli.js');
// the local change: a file the team's index does not have
const LOCAL_FILE = 'src/billing/refunds.ts';
const LOCAL_CODE = `/** Refunds part of a paid invoice to the customer's card, keeping a ledger entry. */
export function issuePartialRefund(invoiceId: string, amountCents: number): { invoiceId: string; refunded: number } {
  if (amountCents <= 0) throw new Error('a refund must be positive');
  return { invoiceId, refunded: amountCents };
}
`;

const git = (cwd, ...args) => execFileSync('git', args, {
  cwd, encoding: 'utf8',
  env: { ...process.env, GIT_AUTHOR_NAME: 'ci', GIT_AUTHOR_EMAIL: 'ci@example.com', GIT_COMMITTER_NAME: 'ci', GIT_COMMITTER_EMAIL: 'ci@example.com' },
}).trim();
const sift = (cwd, args) => execFileSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The team's side: a database, the checkout indexed at its commit, a token, the server. */
async function startTeam(tmp) {
  const pg = await import('../../scripts/pgLib.mjs');
  pg.sweepOrphans();
  const db = await pg.startServer({ kind: 'e2e' });
  const workspace = path.join(tmp, 'workspace-team');
  fs.cpSync(path.join(E2E_DIR, 'fixture'), workspace, { recursive: true });
  git(workspace, 'init', '-q', '-b', 'main');
  git(workspace, 'add', '-A');
  git(workspace, 'commit', '-q', '-m', 'the commit CI indexed');
  const head = git(workspace, 'rev-parse', 'HEAD');
  // the repository's name defaults to the checkout folder's (no origin remote here)
  sift(workspace, ['index', '--store', db.url, '--repo', path.basename(workspace), '--branch', 'main', '-q', workspace]);
  const token = sift(workspace, ['token', 'create', '--store', db.url, '--name', 'e2e']).trim().split('\n').pop().trim();
  const proc = spawn(process.execPath, [CLI, 'serve', '--store', db.url, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`the team server did not start: ${err}`)), 60_000);
    proc.stderr.on('data', d => {
      err += d;
      const m = /team server on (http:\/\/[^\s;]+)/.exec(err);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.once('exit', code => { clearTimeout(timer); reject(new Error(`the team server exited (${code}): ${err}`)); });
  });
  // the checkout moves on after CI: one new file, not committed; the editor's settings are not part of the change
  fs.writeFileSync(path.join(workspace, LOCAL_FILE), LOCAL_CODE);
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'sift.server': url }, null, 2));
  fs.appendFileSync(path.join(workspace, '.git', 'info', 'exclude'), '.vscode/\n');
  const stopServer = () => new Promise(resolve => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
  return {
    workspace, head, token, url, stopServer,
    stop: async () => { await stopServer(); await pg.stopServer(db).catch(() => {}); },
  };
}

/** The Sift status bar item's text, or '' when it is not shown. */
async function siftStatus(page) {
  const item = page.locator('.statusbar .statusbar-item').filter({ hasText: /Sift/ }).first();
  return (await item.count()) ? (await item.innerText()).replace(/\s+/g, ' ').trim() : '';
}

async function waitForStatus(page, re, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  let seen = '';
  while (Date.now() < deadline) {
    seen = await siftStatus(page);
    if (re.test(seen)) return seen;
    await sleep(250);
  }
  throw new Error(`the status bar says "${seen}", not ${re}`);
}

async function openSearch(page) {
  await runFromPalette(page, 'Search code by meaning', async () => {
    const value = await quickInputValue(page);
    return (await page.locator('.quick-input-widget').isVisible()) && !value.startsWith('>');
  });
}

/** Types a query into Sift's open quick pick and waits for a row with `expect`. */
async function searchFor(page, query, expect, timeout = 30_000) {
  await page.keyboard.press('Control+A');
  await page.keyboard.type(query, { delay: 15 });
  const row = quickPickRows(page).filter({ hasText: expect }).first();
  try {
    await row.waitFor({ timeout });
  } catch {
    const rows = await quickPickRows(page).allInnerTexts().catch(() => []);
    throw new Error(`no row with ${expect} for "${query}"; rows: ${rows.join(' | ').replace(/\s+/g, ' ')}`);
  }
  return row;
}

/**
 * Runs the team UI tests in a window of their own; `record(name, ok, error)` as run.mjs does.
 * @param {{ server: { url: string }, tmp: string, extensionDir: string, shots: string, record: (name: string, ok: boolean, error?: unknown) => void, grep?: string }} o
 */
export async function runTeamUiTests({ server, tmp, extensionDir, shots, record, grep }) {
  /** @type {Awaited<ReturnType<typeof startTeam>>} */
  let team;
  /** @type {import('playwright-core').Page} */
  let page;
  const tests = [
    {
      name: 'team: with sift.server set and no token, the status bar says the server refuses it',
      run: async () => {
        await waitForStatus(page, /Sift team: token refused/);
        await screenshot(page, shots, '13-team-token-refused');
      },
    },
    {
      name: 'team: "Sift: Set team server token" takes the token in a password box; the status bar then shows the team branch\'s commit',
      run: async () => {
        await runFromPalette(page, 'Set team server token', async () => (await page.locator('.quick-input-widget input[type="password"]').count()) > 0);
        await page.keyboard.type(team.token, { delay: 5 });
        await screenshot(page, shots, '14-team-token-box');
        await page.keyboard.press('Enter');
        await waitForStatus(page, new RegExp(`Sift: team main@${team.head.slice(0, 7)}`));
        await screenshot(page, shots, '15-team-status-bar');
      },
    },
    {
      name: 'team: a search shows the team\'s results and the locally changed file\'s result',
      run: async () => {
        await openSearch(page);
        // only in the team's index: the local index holds the changed file alone
        const teamRow = await searchFor(page, 'validate jwt token', 'validateJwtToken');
        if (/changed here/.test(await teamRow.innerText())) throw new Error('the team\'s result is marked as changed here');
        // only in the local change (the team indexed the commit before it), and marked so
        const localRow = await searchFor(page, 'refund part of a paid invoice', 'issuePartialRefund');
        if (!/refunds\.ts:2 · src\/billing · changed here/.test(await localRow.innerText())) throw new Error(`the local result is not marked: ${await localRow.innerText()}`);
        await sleep(300);
        await screenshot(page, shots, '16-team-quick-pick');
        await searchFor(page, 'calculate the invoice total with tax', 'calculate_invoice_total');
        await page.keyboard.press('Escape');
      },
    },
    {
      name: 'team: the sidebar lists the team\'s and the changed file\'s results, the latter marked',
      run: async () => {
        const item = page.locator('.part.activitybar .action-item [aria-label^="Sift"]').first();
        await item.waitFor({ timeout: 30_000 });
        await item.click();
        const frame = await findWebviewFrame(page, SEARCH_INPUT);
        const input = frame.locator(SEARCH_INPUT);
        await input.click();
        await input.fill('');
        await input.pressSequentially('refund an invoice', { delay: 15 });
        const local = frame.locator(RESULT).filter({ hasText: 'issuePartialRefund' }).first();
        await local.waitFor({ timeout: 30_000 });
        if (!/changed here/.test(await local.innerText())) throw new Error(`the sidebar does not mark the local result: ${await local.innerText()}`);
        await input.fill('');
        await input.pressSequentially('calculate invoice total', { delay: 15 });
        const teamHit = frame.locator(RESULT).filter({ hasText: 'calculate_invoice_total' }).first();
        await teamHit.waitFor({ timeout: 30_000 });
        if (/changed here/.test(await teamHit.innerText())) throw new Error('the team\'s result is marked as changed here');
        const status = (await frame.locator('body').innerText()).replace(/\s+/g, ' ');
        if (!status.includes(`Team index ${path.basename(team.workspace)}@main (${team.head.slice(0, 7)})`)) throw new Error(`the sidebar's status does not name the team index: ${status.slice(0, 400)}`);
        await sleep(300);
        await screenshot(page, shots, '18-team-sidebar');
      },
    },
    {
      name: 'team: when the server goes away, a search says so and the status bar turns to a warning',
      run: async () => {
        await team.stopServer();
        await openSearch(page);
        await searchFor(page, 'parse retry after header', /team server at http:\/\/127\.0\.0\.1:\d+ refused the connection/);
        await waitForStatus(page, /Sift team: unreachable/);
        await screenshot(page, shots, '17-team-unreachable');
        await page.keyboard.press('Escape');
      },
    },
  ].filter(t => !grep || t.name.includes(grep));
  if (tests.length === 0) return;
  team = await startTeam(tmp);
  const browser = await launchBrowser(path.join(tmp, 'chromium-team'));
  page = browser.page;
  const consoleLines = [];
  page.on('console', m => consoleLines.push(m.text()));
  try {
    await page.goto(workbenchUrl(server, { folder: team.workspace, extensionDevelopmentPath: extensionDir }));
    await waitForWorkbench(page);
    for (const test of tests) {
      try {
        await test.run();
        record(test.name, true);
      } catch (err) {
        const shot = await screenshot(page, tmp, `failed-team-${test.name.slice(6, 30).replace(/\W+/g, '-')}`).catch(() => null);
        record(test.name, false, `${err?.message ?? err}${shot ? `\n(screenshot: ${shot})` : ''}`);
      }
    }
  } finally {
    fs.writeFileSync(path.join(tmp, 'team-console.log'), consoleLines.join('\n'));
    await browser.context.close().catch(() => {});
    await team.stop();
  }
}
