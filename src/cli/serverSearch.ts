// `sift search --server URL`: the team index through its HTTP server, overlaid
// with the files changed in this checkout (searched in a small local index),
// printed exactly as a local search prints (text or --json). What was searched
// (repo@branch, its commit, how many files changed here) goes to stderr.
import { UsageError, type ParsedArgs } from './args';
import { formatSearch } from './format';
import { ProgressBar } from './progress';
import { parseSearchArgs } from './searchArgs';
import { parseServerArgs, TeamCheckout } from './teamCheckout';

export async function cmdServerSearch(a: ParsedArgs): Promise<number> {
  const server = parseServerArgs(a);
  if (!server) throw new UsageError('--server needs the team server\'s URL');
  const s = parseSearchArgs(a);
  if (s.roots.length > 1) throw new UsageError('with --server, give one --root: the checkout whose changes overlay the team index');
  const warn = (m: string) => process.stderr.write(m + '\n');
  const checkout = await TeamCheckout.open(server, a, s.roots[0], warn);
  try {
    const bar = !s.quiet && process.stderr.isTTY ? new ProgressBar(process.stderr) : null;
    try {
      await checkout.refresh({ sync: !s.noRefresh, onProgress: bar ? (p) => bar.update(p) : undefined });
    } finally {
      bar?.done();
    }
    if (!s.quiet) warn(`sift: ${checkout.describe()}`);
    const res = await checkout.search({ query: s.query, k: s.k, showWeak: s.all, fixedK: s.fixedK, threshold: s.threshold });
    process.stdout.write(formatSearch(res, checkout.roots.length ? checkout.roots : [''], s.query, s.json) + '\n');
    return 0;
  } finally {
    await checkout.close();
  }
}
