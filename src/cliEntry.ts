#!/usr/bin/env node
// `sift`'s entry (dist/cli.js): small on purpose. A search or an index run is sent to a running
// `sift serve` before anything heavy loads; everything else, and a search no
// daemon answers, runs in the full CLI (dist/cliMain.js, src/cli.ts).
import { viaDaemon } from './cli/serve/fastPath';

async function run(argv: string[]): Promise<number> {
  const answered = await viaDaemon(argv);
  if (answered !== null) return answered;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { main } = require('./cliMain.js') as typeof import('./cli');
  return main(argv);
}

run(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => { process.stderr.write(`sift: ${e?.stack ?? e}\n`); process.exitCode = 1; });
