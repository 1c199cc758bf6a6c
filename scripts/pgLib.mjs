// A throw-away PostgreSQL 16 + pgvector server for tests and benchmarks, from
// the binaries the PyPI wheel pgserver==0.1.4 ships (PostgreSQL 16.2 and
// pgvector 0.6.2, built for manylinux2014 x86_64). Used by scripts/pg.mjs
// (npm run pg:start / pg:stop) and test/helpers/pgServer.ts.
//
// Where things go:
//   the wheel      ${SIFT_PG_CACHE:-~/.cache/sift-pg}/<wheel>  (sha256 checked; or SIFT_PG_WHEEL=<a local copy>)
//   binaries       ${SIFT_PG_HOME:-$TMPDIR/sift-pg-<uid>}/pgserver-0.1.4-<sha12>/pgserver/pginstall/bin
//   one server     ${SIFT_PG_HOME:-...}/run-<random>/{data/,sock/,postgres.log,run.json}
// initdb and postgres refuse to run as root: as root, they run as the user
// SIFT_PG_USER (default nobody), which is why the binaries and the run
// directories live under $TMPDIR rather than under /root (nobody cannot
// traverse /root). The wheel itself is only read by us, so it stays in ~/.cache.
//
// No Python is needed to run the server; python3 with pip is needed once, to
// fetch the wheel (pip download) unless SIFT_PG_WHEEL names a copy.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { inflateRawSync } from 'node:zlib';

export const WHEEL = {
  spec: 'pgserver==0.1.4',
  file: 'pgserver-0.1.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
  sha256: 'd595789b47624a3d963aa9aa6359da9be31beb7e61f1a45541953242068b8813',
  /** The PostgreSQL installation inside the wheel; its binaries find libpq via RPATH $ORIGIN/../../../pgserver.libs. */
  installPrefix: 'pgserver/pginstall',
};
export const PG_USER = 'sift';
export const PG_DATABASE = 'sift';

/** An error meant for the user: the message says what went wrong and what to do. */
export class PgError extends Error {
  /** @param {string} message @param {string} [logTail] */
  constructor(message, logTail) {
    super(logTail ? `${message}\n--- last lines of the server log ---\n${logTail}` : message);
    this.name = 'PgError';
  }
}

/** @typedef {(line: string) => void} Log */
/** @type {Log} */
const quiet = () => {};

// ---------------------------------------------------------------- locations

export function cacheDir() {
  if (process.env.SIFT_PG_CACHE) return path.resolve(process.env.SIFT_PG_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'sift-pg');
}

export function homeDir() {
  if (process.env.SIFT_PG_HOME) return path.resolve(process.env.SIFT_PG_HOME);
  return path.join(os.tmpdir(), `sift-pg-${process.getuid ? process.getuid() : 'user'}`);
}

/** Who runs initdb and postgres: undefined (ourselves) unless we are root. */
export function serverUser() {
  if (!process.getuid || process.getuid() !== 0) return undefined;
  const name = process.env.SIFT_PG_USER || 'nobody';
  let passwd = '';
  try { passwd = fs.readFileSync('/etc/passwd', 'utf8'); } catch { /* below */ }
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f.length >= 4) {
      const uid = Number(f[2]);
      const gid = Number(f[3]);
      if (uid === 0) throw new PgError(`SIFT_PG_USER=${name} is root; PostgreSQL refuses to run as root`);
      return { name, uid, gid };
    }
  }
  throw new PgError(`running as root, PostgreSQL needs an unprivileged user to run as, and user "${name}" is not in /etc/passwd; set SIFT_PG_USER to one that is`);
}

/** The repository's own state file for `npm run pg:start` (.cache/ is git-ignored). */
export function cliStateFile() {
  return path.join(path.dirname(path.dirname(new URL(import.meta.url).pathname)), '.cache', 'pg', 'state.json');
}

// ---------------------------------------------------------------- the wheel

function sha256File(file) {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The wheel, in the cache, checked against its sha256; downloaded with pip when missing. */
export function ensureWheel(log = quiet) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new PgError(`the pgserver wheel has PostgreSQL for linux x86_64 only, not ${process.platform} ${process.arch}; set SIFT_TEST_PG_URL to a server of your own`);
  }
  const dir = cacheDir();
  const target = path.join(dir, WHEEL.file);
  if (fs.existsSync(target)) {
    if (sha256File(target) === WHEEL.sha256) return target;
    log(`${target}: checksum mismatch, fetching it again`);
    fs.rmSync(target, { force: true });
  }
  fs.mkdirSync(dir, { recursive: true });
  const local = process.env.SIFT_PG_WHEEL;
  if (local) {
    const got = sha256File(local);
    if (got !== WHEEL.sha256) throw new PgError(`SIFT_PG_WHEEL=${local}: checksum mismatch (sha256 ${got}, expected ${WHEEL.sha256} for ${WHEEL.file})`);
    const tmp = `${target}.tmp-${process.pid}`;
    fs.copyFileSync(local, tmp);
    fs.renameSync(tmp, target);
    return target;
  }
  const python = process.env.SIFT_PG_PYTHON || 'python3';
  const probe = spawnSync(python, ['-m', 'pip', '--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new PgError(`fetching PostgreSQL needs ${python} with pip (to download the PyPI wheel ${WHEEL.spec}), and \`${python} -m pip --version\` failed: ${probe.error?.message ?? probe.stderr.trim()}\n` +
      `Install python3 and pip, set SIFT_PG_PYTHON to another Python, set SIFT_PG_WHEEL to a downloaded ${WHEEL.file}, or set SIFT_TEST_PG_URL to a server of your own.`);
  }
  const tmpDir = fs.mkdtempSync(path.join(dir, 'download-'));
  try {
    log(`downloading ${WHEEL.spec} (~11 MB) with pip`);
    const pip = spawnSync(python, ['-m', 'pip', 'download', WHEEL.spec, '--no-deps', '--only-binary=:all:',
      '--python-version', '3.11', '--implementation', 'cp', '--abi', 'cp311', '--platform', 'manylinux2014_x86_64',
      '--disable-pip-version-check', '--quiet', '-d', tmpDir], { encoding: 'utf8', timeout: 600_000 });
    const got = path.join(tmpDir, WHEEL.file);
    if (pip.error || pip.status !== 0 || !fs.existsSync(got)) {
      const why = pip.error?.message ?? (pip.stderr || pip.stdout || '').trim().split('\n').slice(-8).join('\n');
      throw new PgError(`downloading ${WHEEL.spec} with pip failed${why ? `:\n${why}` : ` (no ${WHEEL.file} came back)`}`);
    }
    const sum = sha256File(got);
    if (sum !== WHEEL.sha256) throw new PgError(`the downloaded ${WHEEL.file} has sha256 ${sum}, expected ${WHEEL.sha256}: refusing to use it`);
    fs.renameSync(got, target);
    return target;
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

/** Extracts a zip (stored or deflated entries; no zip64) into `dest`, keeping the Unix modes. */
export function extractZip(zipFile, dest) {
  const buf = fs.readFileSync(zipFile);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new PgError(`${zipFile}: not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const root = path.resolve(dest);
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new PgError(`${zipFile}: corrupt central directory`);
    const method = buf.readUInt16LE(p + 10);
    const compSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const attr = buf.readUInt32LE(p + 38) >>> 16;
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    const out = path.resolve(root, name);
    if (out !== root && !out.startsWith(root + path.sep)) throw new PgError(`${zipFile}: entry outside the target: ${name}`);
    if (name.endsWith('/')) { fs.mkdirSync(out, { recursive: true, mode: 0o755 }); continue; }
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new PgError(`${zipFile}: corrupt entry ${name}`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + compSize);
    const data = method === 0 ? raw : method === 8 ? inflateRawSync(raw) : null;
    if (!data || data.length !== size) throw new PgError(`${zipFile}: cannot extract ${name} (method ${method})`);
    fs.mkdirSync(path.dirname(out), { recursive: true, mode: 0o755 });
    if ((attr & 0o170000) === 0o120000) { fs.symlinkSync(data.toString('utf8'), out); continue; }
    fs.writeFileSync(out, data);
    // Readable (and, where executable, runnable) by the server's user whatever our umask.
    fs.chmodSync(out, (attr & 0o111 ? 0o755 : 0o644));
  }
}

/** The PostgreSQL `bin` folder, extracted once per wheel into homeDir(). */
export function ensureInstall(log = quiet) {
  const home = ensureHome();
  const dir = path.join(home, `pgserver-0.1.4-${WHEEL.sha256.slice(0, 12)}`);
  const bin = path.join(dir, WHEEL.installPrefix, 'bin');
  if (fs.existsSync(path.join(dir, '.complete'))) return bin;
  const wheel = ensureWheel(log);
  log(`extracting PostgreSQL into ${dir}`);
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;
  fs.mkdirSync(tmp, { mode: 0o755 });
  fs.chmodSync(tmp, 0o755);
  try {
    extractZip(wheel, tmp);
    fs.writeFileSync(path.join(tmp, '.complete'), `${WHEEL.file} ${WHEEL.sha256}\n`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (fs.existsSync(path.join(dir, '.complete'))) return bin; // another process won the race
    throw e;
  }
  return bin;
}

/** homeDir(), created traversable by the server's user and checked to be ours. */
function ensureHome() {
  const home = homeDir();
  fs.mkdirSync(home, { recursive: true, mode: 0o755 });
  const st = fs.statSync(home);
  if (process.getuid && st.uid !== process.getuid()) throw new PgError(`${home} belongs to uid ${st.uid}, not to us; remove it or set SIFT_PG_HOME`);
  if ((st.mode & 0o777) !== 0o755) fs.chmodSync(home, 0o755);
  return home;
}

// ---------------------------------------------------------------- processes

/** Runs a PostgreSQL program (as the server's user when we are root); throws with its output on failure. */
function runPg(bin, prog, args, { user, cwd, env = {}, timeout = 120_000, what } = {}) {
  const r = spawnSync(path.join(bin, prog), args, {
    cwd: cwd ?? os.tmpdir(),
    encoding: 'utf8',
    timeout,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C', TZ: 'UTC', ...(user ? { HOME: cwd ?? '/' } : { HOME: process.env.HOME ?? '/' }), ...env },
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
  return { ok: !r.error && r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`.trim(), what: what ?? prog };
}

/** True when `pid` is a live (not zombie) process. */
export function alive(pid) {
  if (!pid) return false;
  try { process.kill(pid, 0); } catch (e) { return e.code === 'EPERM'; }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch { return false; }
}

/** The live children of `pid` (the postmaster's backends and auxiliary processes). */
function childrenOf(pid) {
  const kids = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[1]) === pid && f[0] !== 'Z') kids.push(Number(d));
    } catch { /* gone */ }
  }
  return kids;
}

function isPostgres(pid) {
  try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres'); } catch { return false; }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function sleepSync(ms) { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms); }

/** The postmaster's pid from its lock file, or 0. */
function postmasterPid(dataDir) {
  try { return Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]) || 0; } catch { return 0; }
}

export function logTail(run, lines = 30) {
  try { return fs.readFileSync(run.log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n'); } catch { return ''; }
}

/** A free TCP port on 127.0.0.1 (free now: someone may take it before the server binds it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.on('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

// ---------------------------------------------------------------- one server

/**
 * @typedef {{ runDir: string, dataDir: string, sockDir: string, log: string, bin: string, port: number,
 *   password: string, url: string, pid: number, user?: { name: string, uid: number, gid: number },
 *   kind: string, owner: number, startedAt: string }} PgRun
 */

function writeRunFile(run) {
  fs.writeFileSync(path.join(run.runDir, 'run.json'), JSON.stringify(run, null, 2) + '\n', { mode: 0o600 });
}

export function readRun(runDir) {
  try { return JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8')); } catch { return undefined; }
}

function q(s) { return `'${String(s).replace(/'/g, "''")}'`; }

/**
 * initdb a fresh data directory and start a server on 127.0.0.1, then create
 * database `sift` with the `vector` extension. Returns once it accepts connections.
 * @param {{ port?: number, kind?: string, log?: Log, settings?: Record<string, string | number> }} [opts]
 * @returns {Promise<PgRun>}
 */
export async function startServer(opts = {}) {
  const log = opts.log ?? quiet;
  const t0 = Date.now();
  const user = serverUser();
  if (opts.port && !(await portFree(opts.port))) throw new PgError(`port ${opts.port} on 127.0.0.1 is in use`);
  const bin = ensureInstall(log);
  const home = ensureHome();
  const runDir = fs.mkdtempSync(path.join(home, 'run-'));
  const run = /** @type {PgRun} */ ({
    runDir, dataDir: path.join(runDir, 'data'), sockDir: path.join(runDir, 'sock'), log: path.join(runDir, 'postgres.log'),
    bin, port: 0, password: randomBytes(18).toString('base64url'), url: '', pid: 0, user,
    kind: opts.kind ?? 'cli', owner: process.pid, startedAt: new Date().toISOString(),
  });
  // The unix socket's path must fit in sun_path (107 bytes).
  if (Buffer.byteLength(path.join(run.sockDir, '.s.PGSQL.65535.lock')) > 100) {
    fs.rmSync(runDir, { recursive: true, force: true });
    throw new PgError(`${home} is too long a path for PostgreSQL's unix socket; set SIFT_PG_HOME to a shorter one`);
  }
  try {
    fs.mkdirSync(run.sockDir, { mode: 0o700 });
    const pwfile = path.join(runDir, 'pw');
    fs.writeFileSync(pwfile, run.password + '\n', { mode: 0o600 });
    if (user) for (const p of [runDir, run.sockDir, pwfile]) fs.chownSync(p, user.uid, user.gid);
    writeRunFile(run);

    log('initdb');
    const init = runPg(bin, 'initdb', ['-D', run.dataDir, '-U', PG_USER, `--pwfile=${pwfile}`, '--auth=scram-sha-256',
      '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'], { user, cwd: runDir });
    fs.rmSync(pwfile, { force: true });
    if (!init.ok) {
      const hint = /permission denied/i.test(init.out) ? `\n(the server runs as ${user?.name ?? 'us'}: it must be able to read ${bin} and write ${runDir})` : '';
      throw new PgError(`initdb failed:\n${init.out}${hint}`);
    }
    const settings = {
      listen_addresses: '127.0.0.1',
      unix_socket_directories: run.sockDir,
      max_connections: 100,
      ...(opts.settings ?? {}),
    };
    fs.appendFileSync(path.join(run.dataDir, 'postgresql.conf'),
      `\n# sift (scripts/pgLib.mjs)\n${Object.entries(settings).map(([k, v]) => `${k} = ${typeof v === 'number' ? v : q(v)}`).join('\n')}\n`);

    // Start on a free port; when we picked it and someone took it meanwhile, try another.
    for (let attempt = 0; ; attempt++) {
      run.port = opts.port ?? await freePort();
      try {
        await launch(run, log);
        break;
      } catch (e) {
        if (!(e instanceof PortInUse) || opts.port || attempt >= 4) throw e;
        log(`port ${run.port} was taken meanwhile; trying another`);
      }
    }
    run.url = `postgresql://${PG_USER}:${run.password}@127.0.0.1:${run.port}/${PG_DATABASE}`;
    writeRunFile(run);

    log('creating database sift with extension vector');
    psql(run, 'postgres', `create database ${PG_DATABASE}`);
    psql(run, PG_DATABASE, 'create extension if not exists vector');
    log(`PostgreSQL 16 ready on 127.0.0.1:${run.port} in ${((Date.now() - t0) / 1000).toFixed(1)} s (data: ${run.dataDir})`);
    return run;
  } catch (e) {
    const tail = logTail(run);
    stopServerSync(run);
    if (e instanceof PgError && !e.message.includes('--- last lines')) throw new PgError(e.message, tail);
    throw e;
  }
}

class PortInUse extends PgError {}

/** pg_ctl start on run.port with run.dataDir; resolves when it accepts connections. */
async function launch(run, log = quiet) {
  if (!(await portFree(run.port))) throw new PortInUse(`port ${run.port} on 127.0.0.1 is in use`);
  log(`starting postgres on 127.0.0.1:${run.port}`);
  const r = runPg(run.bin, 'pg_ctl', ['start', '-D', run.dataDir, '-l', run.log, '-w', '-t', '60', '-s',
    '-o', `-p ${run.port}`], { user: run.user, cwd: run.runDir, timeout: 90_000 });
  const tail = logTail(run);
  if (!r.ok) {
    if (/address already in use/i.test(tail)) throw new PortInUse(`port ${run.port} on 127.0.0.1 is in use`, tail);
    throw new PgError(`pg_ctl start failed${r.out ? `: ${r.out}` : ''}`, tail);
  }
  run.pid = postmasterPid(run.dataDir);
  // pg_ctl -w has seen the server ready; check that it answers over TCP too.
  for (let i = 0; ; i++) {
    const ready = runPg(run.bin, 'pg_isready', ['-q', '-h', '127.0.0.1', '-p', String(run.port), '-d', 'postgres', '-U', PG_USER]);
    if (ready.ok) break;
    if (i > 100) throw new PgError(`the server on 127.0.0.1:${run.port} started but does not accept connections`, logTail(run));
    await sleep(100);
  }
  writeRunFile(run);
}

/** Runs SQL with the bundled psql over TCP, as user sift. */
export function psql(run, db, sql) {
  const r = runPg(run.bin, 'psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(run.port),
    '-U', PG_USER, '-d', db, '-c', sql], { env: { PGPASSWORD: run.password, PGCONNECT_TIMEOUT: '10' } });
  if (!r.ok) throw new PgError(`psql (${db}): ${sql}: ${r.out}`, logTail(run));
  return r.out;
}

/** SIGKILLs the postmaster and all its children at once (a crash), and waits until they are gone. */
export async function killServer(run) {
  const pid = run.pid || postmasterPid(run.dataDir);
  if (!alive(pid)) return;
  const kids = childrenOf(pid);
  for (const p of [pid, ...kids]) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
  for (let i = 0; [pid, ...kids].some(alive); i++) {
    if (i > 200) throw new PgError(`postgres (pid ${pid}) survived SIGKILL for 10 s`);
    await sleep(50);
  }
}

/**
 * Starts the same data directory again on the same port, after a kill or a stop
 * (PostgreSQL replays its WAL); resolves when it accepts connections.
 */
export async function restartServer(run, log = quiet) {
  const old = postmasterPid(run.dataDir);
  if (alive(old)) throw new PgError(`postgres (pid ${old}) still runs on ${run.dataDir}; kill or stop it first`);
  // A dead postmaster's lock files may name a pid that is now a zombie (which
  // postgres would take for a live server): we checked it is dead, so drop them.
  fs.rmSync(path.join(run.dataDir, 'postmaster.pid'), { force: true });
  fs.rmSync(path.join(run.sockDir, `.s.PGSQL.${run.port}.lock`), { force: true });
  fs.rmSync(path.join(run.sockDir, `.s.PGSQL.${run.port}`), { force: true });
  await launch(run, log);
  return run;
}

/** Stops the server (pg_ctl stop -m fast, else SIGKILL) and removes its run directory. */
export async function stopServer(run, log = quiet) {
  const pid = run.pid || postmasterPid(run.dataDir);
  if (alive(pid)) {
    log(`stopping postgres (pid ${pid})`);
    const r = runPg(run.bin, 'pg_ctl', ['stop', '-D', run.dataDir, '-m', 'fast', '-w', '-t', '30', '-s'], { user: run.user, cwd: run.runDir, timeout: 45_000 });
    if (!r.ok || alive(pid)) {
      log(`pg_ctl stop failed (${r.out || 'still running'}); killing it`);
      await killServer(run);
    }
  }
  fs.rmSync(run.runDir, { recursive: true, force: true });
}

/** stopServer for exit handlers: no waiting on promises. */
export function stopServerSync(run) {
  const pid = run.pid || postmasterPid(run.dataDir);
  if (alive(pid) && isPostgres(pid)) {
    const kids = childrenOf(pid);
    for (const p of [pid, ...kids]) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
    for (let i = 0; i < 100 && [pid, ...kids].some(alive); i++) sleepSync(20);
  }
  fs.rmSync(run.runDir, { recursive: true, force: true });
}

/** Removes the servers of test runs whose process is gone (a test run killed before its cleanup). */
export function sweepOrphans(log = quiet) {
  let entries = [];
  try { entries = fs.readdirSync(homeDir()); } catch { return; }
  for (const e of entries) {
    if (!e.startsWith('run-')) continue;
    const runDir = path.join(homeDir(), e);
    const run = readRun(runDir);
    if (!run || run.kind !== 'test' || alive(run.owner)) continue;
    log(`removing the server left by test run ${run.owner} (${runDir})`);
    stopServerSync({ ...run, runDir });
  }
}

/** The CLI's running server (from its state file), or undefined; forgets a dead one. */
export function cliRun() {
  const file = cliStateFile();
  let state;
  try { state = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return undefined; }
  const run = readRun(state.runDir);
  if (run && alive(run.pid) && isPostgres(run.pid)) return run;
  if (run) stopServerSync(run);
  fs.rmSync(file, { force: true });
  return undefined;
}

export function saveCliRun(run) {
  const file = cliStateFile();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ runDir: run.runDir, pid: run.pid, dataDir: run.dataDir, url: run.url }, null, 2) + '\n', { mode: 0o600 });
}

export function forgetCliRun() {
  fs.rmSync(cliStateFile(), { force: true });
}
