// Entry point of the extension-host suite (the @vscode/test-electron contract):
// VS Code loads this module inside the real extension host and awaits run().
// Results also go to a JSON file so the harness can count them, because the
// extension host's console does not reach the harness.
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha/lib/mocha.cjs');

function resultsPath() {
  if (process.env.SIFT_E2E_RESULTS) return process.env.SIFT_E2E_RESULTS;
  const folder = require('vscode').workspace.workspaceFolders?.[0]?.uri.fsPath;
  return path.join(folder ? path.dirname(folder) : require('node:os').tmpdir(), 'host-results.json');
}

function run() {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'spec' });
  mocha.addFile(path.join(__dirname, 'sift.test.js'));
  const tests = [];
  const out = resultsPath();
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run(failures => {
        const passed = tests.filter(t => t.state === 'passed').length;
        fs.writeFileSync(out, JSON.stringify({ passed, failed: tests.length - passed, tests }, null, 2));
        if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
        else resolve();
      });
      runner.on('pass', t => tests.push({ title: t.fullTitle(), state: 'passed', ms: t.duration }));
      runner.on('fail', (t, err) => tests.push({
        title: t.fullTitle(), state: 'failed', error: String(err && (err.stack || err.message) || err),
      }));
    } catch (err) {
      fs.writeFileSync(out, JSON.stringify({ passed: 0, failed: 1, tests: [{ title: 'load suite', state: 'failed', error: String(err.stack || err) }] }));
      reject(err);
    }
  });
}

module.exports = { run };
