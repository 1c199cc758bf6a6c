// `sift search`'s own options, checked: the query, roots, k, threshold and
// flags. Light (no engine code): the CLI's fast entry parses with it too, so
// both paths refuse the same input with the same words.
import { UsageError, type ParsedArgs } from './args';

export interface SearchArgs {
  query: string;
  roots: string[];
  k: number;
  threshold?: number;
  all: boolean;
  fixedK: boolean;
  noRefresh: boolean;
  json: boolean;
  quiet: boolean;
}

export function parseSearchArgs(a: ParsedArgs): SearchArgs {
  const query = a.positional.join(' ');
  if (!query.trim()) throw new UsageError('search needs a query, e.g. sift search "where are sessions verified"');
  const roots = a.values.root?.length ? a.values.root : ['.'];
  const k = a.values.k ? Number(a.values.k[0]) : 10;
  if (!Number.isInteger(k) || k < 1 || k > 200) throw new UsageError(`-k must be a whole number from 1 to 200, got ${a.values.k?.[0]}`);
  const threshold = a.values.threshold ? Number(a.values.threshold[0]) : undefined;
  if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) throw new UsageError(`--threshold must be a probability from 0 to 1, got ${a.values.threshold?.[0]}`);
  return {
    query, roots, k, threshold,
    all: a.flags.has('all'), fixedK: a.flags.has('fixed-k'), noRefresh: a.flags.has('no-refresh'),
    json: a.flags.has('json'), quiet: a.flags.has('quiet'),
  };
}
