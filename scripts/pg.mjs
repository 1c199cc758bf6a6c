#!/usr/bin/env node
// A throw-away PostgreSQL 16 + pgvector server for trying things and for benchmarks:
//   node scripts/pg.mjs start   (npm run pg:start)  prints its URL as the last line of stdout
//   node scripts/pg.mjs url                          the running one's URL (exit 1 when none runs)
//   node scripts/pg.mjs stop    (npm run pg:stop)   stops it and deletes its data
// The binaries come from the PyPI wheel pgserver==0.1.4; see scripts/pgLib.mjs
// for where things are kept (SIFT_PG_CACHE, SIFT_PG_HOME, SIFT_PG_USER, SIFT_PG_WHEEL).
// The running server is recorded in .cache/pg/state.json. Progress goes to stderr.
import * as pg from './pgLib.mjs';

const log = (line) => process.stderr.write(`[pg] ${line}\n`);

async function main(cmd, args) {
  switch (cmd) {
    case 'start': {
      const running = pg.cliRun();
      if (running) {
        log(`already running (pid ${running.pid}, data ${running.dataDir})`);
        console.log(running.url);
        return 0;
      }
      const portArg = args.find((a) => a.startsWith('--port='));
      const port = portArg ? Number(portArg.slice('--port='.length)) : process.env.SIFT_PG_PORT ? Number(process.env.SIFT_PG_PORT) : undefined;
      if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
        log(`not a port: ${portArg ?? process.env.SIFT_PG_PORT}`);
        return 2;
      }
      const run = await pg.startServer({ port, kind: 'cli', log });
      pg.saveCliRun(run);
      log(`log: ${run.log}; stop it with npm run pg:stop`);
      console.log(run.url);
      return 0;
    }
    case 'url': {
      const running = pg.cliRun();
      if (!running) { log('no server is running (start one with npm run pg:start)'); return 1; }
      console.log(running.url);
      return 0;
    }
    case 'stop': {
      const running = pg.cliRun();
      if (!running) { log('no server is running'); pg.forgetCliRun(); return 0; }
      await pg.stopServer(running, log);
      pg.forgetCliRun();
      log(`stopped; removed ${running.runDir}`);
      return 0;
    }
    default:
      process.stderr.write('usage: node scripts/pg.mjs start [--port=N] | url | stop\n');
      return 2;
  }
}

main(process.argv[2], process.argv.slice(3)).then(
  (code) => { process.exitCode = code; },
  (e) => {
    log(e instanceof pg.PgError ? e.message : e?.stack ?? String(e));
    process.exitCode = 1;
  },
);
