#!/usr/bin/env node
// End-to-end tests of Sift in a real VS Code (code-server), run with Node 20:
//   (a) the extension-host suite (suite/index.js) in VS Code's test-runner mode;
//   (b) UI tests (ui.mjs, healthUi.mjs, adaptUi.mjs) with Playwright driving Chromium;
//   (c) the team-server UI tests (teamUi.mjs: PostgreSQL, sift serve --store) in a window of their own.
// Needs the tools from scripts/e2e-setup.sh and a built extension (dist/).
// Prints "N passed, N failed" last; exits non-zero on any failure.
//
// Options: --extension DIR  (default: the repository)   --only host|ui|team (ui includes team)
//          --keep           (keep the temp folder)       --screenshots DIR (default: outside the
//          repository, $TMPDIR/sift-e2e-screenshots; `npm run e2e:screenshots` refreshes test/e2e/screenshots)
//          --grep TEXT      (only the UI tests whose name contains TEXT)
// Environment: SIFT_E2E_CACHE (tools), SIFT_E2E_TIMEOUT_S (whole run, default 900).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { startCodeServer, workbenchUrl } from './lib/codeServer.mjs';
import { E2E_DIR, REPO, missingTools } from './lib/paths.mjs';
import { launchBrowser, screenshot, waitForWorkbench } from './lib/workbench.mjs';
import { adaptUiTests } from './adaptUi.mjs';
import { healthUiTests } from './healthUi.mjs';
import { sidebarUiTests } from './sidebarUi.mjs';
import { quickPickUiTests } from './quickPickUi.mjs';
import { agentUiTests } from './agentUi.mjs';
import { uiTests } from './ui.mjs';
import { runTeamUiTests } from './teamUi.mjs';

const { values: opts } = parseArgs({
  options: {
    extension: { type: 'string', default: process.env.SIFT_E2E_EXTENSION || REPO },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
    // never into the tracked folder unless asked: a test run must leave `git status` clean
    screenshots: { type: 'string', default: process.env.SIFT_E2E_SCREENSHOTS || path.join(os.tmpdir(), 'sift-e2e-screenshots') },
    grep: { type: 'string' },
  },
});
const extensionDir = path.resolve(opts.extension);
const shots = path.resolve(opts.screenshots);
const HOST_SUITE_TIMEOUT_MS = 5 * 60_000;
const RUN_TIMEOUT_MS = Number(process.env.SIFT_E2E_TIMEOUT_S || 900) * 1000;

const results = []; // { name, ok, error? }
const record = (name, ok, error) => {
  results.push({ name, ok, error });
  console.log(`  ${ok ? '✓' : '✗'} ${name}${ok ? '' : `\n      ${String(error).split('\n').join('\n      ')}`}`);
};
const elapsed = since => `${((Date.now() - since) / 1000).toFixed(1)} s`;

function finish(code) {
  const passed = results.filter(r => r.ok).length;
  console.log(`${passed} passed, ${results.length - passed} failed`);
  process.exit(code || (results.length - passed ? 1 : 0));
}

function preflight() {
  if (opts.only && !['host', 'ui', 'team'].includes(opts.only)) throw new Error(`--only takes host, ui or team, not ${opts.only}`);
  const missing = missingTools();
  if (missing.length) throw new Error(`missing: ${missing.join(', ')}. Run scripts/e2e-setup.sh first.`);
  const manifest = path.join(extensionDir, 'package.json');
  if (!fs.existsSync(manifest)) throw new Error(`no extension at ${extensionDir}`);
  const main = JSON.parse(fs.readFileSync(manifest, 'utf8')).main;
  if (!main || !fs.existsSync(path.join(extensionDir, main))) {
    throw new Error(`the extension is not built (${path.join(extensionDir, main ?? '?')} missing): run \`npm run build\` first`);
  }
}

/** Copies the fixture workspace so tests never touch the repository. */
function copyFixture(tmp, name) {
  const dest = path.join(tmp, name);
  fs.cpSync(path.join(E2E_DIR, 'fixture'), dest, { recursive: true });
  return dest;
}

async function runHostSuite(server, tmp, resultsFile) {
  console.log('extension-host suite');
  const started = Date.now();
  const workspace = copyFixture(tmp, 'workspace-host');
  const { context, page } = await launchBrowser(path.join(tmp, 'chromium-host'));
  const consoleLines = [];
  page.on('console', m => consoleLines.push(m.text()));
  try {
    let exitCode;
    const exited = new Promise(resolve => { page.exposeFunction('codeAutomationExit', code => { exitCode = code; resolve(); }); });
    await page.goto(workbenchUrl(server, {
      folder: workspace,
      extensionDevelopmentPath: extensionDir,
      extensionTestsPath: path.join(E2E_DIR, 'suite', 'index.js'),
    }));
    const timedOut = await Promise.race([exited.then(() => false), new Promise(r => setTimeout(r, HOST_SUITE_TIMEOUT_MS, true))]);
    if (timedOut || exitCode !== 0) await screenshot(page, tmp, 'host-suite-end').catch(() => {});
    if (fs.existsSync(resultsFile)) {
      const report = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
      for (const t of report.tests) record(t.title, t.state === 'passed', t.error);
    }
    if (timedOut) record('extension-host suite finished', false, `no exit after ${HOST_SUITE_TIMEOUT_MS / 1000} s`);
    else if (!fs.existsSync(resultsFile)) {
      record('extension-host suite ran', false, `exit code ${exitCode} and no results; browser console:\n${consoleLines.slice(-30).join('\n')}`);
    } else if (exitCode !== 0 && results.every(r => r.ok)) {
      record('extension-host suite exit code', false, `exit code ${exitCode}`);
    }
    fs.writeFileSync(path.join(tmp, 'host-console.log'), consoleLines.join('\n'));
  } finally {
    await context.close().catch(() => {});
  }
  console.log(`  (${elapsed(started)})`);
}

async function runUiTests(server, tmp) {
  console.log('UI tests');
  const started = Date.now();
  const workspace = copyFixture(tmp, 'workspace-ui');
  const { context, page } = await launchBrowser(path.join(tmp, 'chromium-ui'));
  const consoleLines = [];
  page.on('console', m => consoleLines.push(m.text()));
  try {
    await page.goto(workbenchUrl(server, { folder: workspace, extensionDevelopmentPath: extensionDir }));
    await waitForWorkbench(page);
    const ctx = { page, workspace, extensionDir, userDataDir: path.join(tmp, 'user-data'), shots };
    const tests = [...uiTests(ctx), ...healthUiTests(ctx), ...adaptUiTests(ctx), ...quickPickUiTests(ctx), ...sidebarUiTests(ctx), ...agentUiTests(ctx)].filter(t => !opts.grep || t.name.includes(opts.grep));
    for (const test of tests) {
      try {
        await test.run();
        record(test.name, true);
      } catch (err) {
        const shot = await screenshot(page, tmp, `failed-${results.length + 1}`).catch(() => null);
        record(test.name, false, `${err?.message ?? err}${shot ? `\n(screenshot: ${shot})` : ''}`);
      }
    }
  } finally {
    fs.writeFileSync(path.join(tmp, 'ui-console.log'), consoleLines.join('\n'));
    await context.close().catch(() => {});
  }
  console.log(`  (${elapsed(started)})`);
}

async function main() {
  const started = Date.now();
  try {
    preflight();
  } catch (err) {
    record('e2e preflight', false, err.message);
    return finish(1);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-e2e-'));
  const resultsFile = path.join(tmp, 'host-results.json');
  let server;
  let stopServer = () => {};
  process.on('exit', stopServer);
  const abort = (why, code) => {
    record('e2e run completed', false, `${why}; temp folder kept: ${tmp}`);
    stopServer();
    finish(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => abort(`interrupted (${signal})`, 130));
  setTimeout(() => abort(`the run took longer than ${RUN_TIMEOUT_MS / 1000} s`, 1), RUN_TIMEOUT_MS).unref();
  try {
    // SIFT_CACHE_DIR: a `sift` the editor starts (the MCP server) keeps its index in this run's folder, not in ~/.cache
    server = await startCodeServer({ dir: tmp, env: { SIFT_E2E_RESULTS: resultsFile, SIFT_CACHE_DIR: path.join(tmp, 'sift-cache') }, onSpawn: stop => { stopServer = stop; } });
    console.log(`code-server on ${server.url} (extension: ${extensionDir}; temp: ${tmp})`);
    if (!opts.only || opts.only === 'host') await runHostSuite(server, tmp, resultsFile);
    if (!opts.only || opts.only === 'ui') await runUiTests(server, tmp);
    if (opts.only !== 'host') {
      console.log('team server UI tests');
      const t0 = Date.now();
      await runTeamUiTests({ server, tmp, extensionDir, shots, record, grep: opts.grep });
      console.log(`  (${elapsed(t0)})`);
    }
  } catch (err) {
    record('e2e harness', false, err?.stack ?? err);
  } finally {
    stopServer();
  }
  const failed = results.some(r => !r.ok);
  if (opts.keep || failed) console.log(`logs and screenshots of this run: ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
  console.log(`screenshots: ${shots}`);
  console.log(`total ${elapsed(started)}`);
  finish(failed ? 1 : 0);
}

main();
