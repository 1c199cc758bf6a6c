// Starts code-server for one run: loopback only, no auth, fresh user data and
// extensions folders, and VS Code's smoke-test driver enabled (so the URL's
// `payload` may name a development extension and a test module; code-server
// passes the flag through with --vscode-option). It runs in its own process
// group so that stopping it also stops its extension hosts.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { CODE_SERVER, NODE24 } from './paths.mjs';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'window.dialogStyle': 'custom',
};

/**
 * @param {{ dir: string, env?: Record<string, string>, onSpawn?: (stop: () => void) => void }} options
 *   dir: a temp folder this run owns; onSpawn: gets the stop function as soon as the process exists
 * @returns {Promise<{ port: number, url: string, log: string, stop: () => void }>}
 */
export async function startCodeServer({ dir, env = {}, onSpawn = () => {} }) {
  const port = await freePort();
  const userData = path.join(dir, 'user-data');
  const extensions = path.join(dir, 'extensions');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(extensions, { recursive: true });
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  const config = path.join(dir, 'code-server.yaml');
  fs.writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);

  const log = path.join(dir, 'code-server.log');
  const out = fs.openSync(log, 'a');
  const child = spawn(NODE24, [
    path.join(CODE_SERVER, 'out', 'node', 'entry.js'),
    '--config', config,
    '--user-data-dir', userData,
    '--extensions-dir', extensions,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--vscode-option', 'enable-smoke-test-driver',
  ], {
    detached: true, // own process group
    stdio: ['ignore', out, out],
    env: { ...process.env, ...env, PATH: `${path.dirname(NODE24)}:${process.env.PATH}` },
  });
  fs.closeSync(out);
  let exited = false;
  child.once('exit', () => { exited = true; });

  // the whole group: extension hosts and other children outlive a dead leader otherwise
  const stop = () => {
    for (const signal of ['SIGTERM', 'SIGKILL']) {
      try { process.kill(-child.pid, signal); } catch { return; }
      if (signal === 'SIGTERM') waitSync(500);
    }
  };
  onSpawn(stop);

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited during start; see ${log}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) { stop(); throw new Error(`code-server did not answer /healthz within 60 s; see ${log}`); }
    await new Promise(r => setTimeout(r, 250));
  }
  return { port, url, log, stop };
}

function waitSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** URL opening `folder`, with a development extension and optionally a test module (test-runner mode). */
export function workbenchUrl({ url, port }, { folder, extensionDevelopmentPath, extensionTestsPath }) {
  const remote = p => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  const query = new URLSearchParams({ folder });
  if (payload.length) query.set('payload', JSON.stringify(payload));
  return `${url}/?${query}`;
}
