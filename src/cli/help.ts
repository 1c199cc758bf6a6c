// What `sift help`, `sift <command> --help` and `sift --version` print: every
// command with its options and their defaults, and the exit codes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../core/assets';
import { shippedRankModel } from '../core/rank/model';

const COMMON = `Common options:
  --index-dir DIR     where the index lives (default: a cache folder per root set, ~/.cache/sift/indexes/…)
  --model DIR         embedding model folder (default: the shipped model, or $SIFT_MODEL)
  --no-model          keyword search only
  --runtime R         how to run the model: auto (default), native, onnxruntime
  --include GLOB      only files matching (repeatable)
  --exclude GLOB      skip files matching (repeatable)
  --max-file-bytes N  skip larger files (default 1000000)
  --json              machine-readable output
  -q, --quiet         no progress output
  -h, --help          this help;  --version  the version`;

export const EXIT_CODES = `Exit codes: 0 ok, 2 bad arguments or an empty query, 3 a folder that does not exist,
4 the index folder cannot be written, 1 anything else.`;

export const COMMAND_HELP: Record<string, string> = {
  index: `sift index [PATH...]
  Index folders (default: .); only changed files are re-read. Progress on a terminal.
  --all-skipped       list every skipped file (the first 10 otherwise; --json has them all)
  A running sift serve does the indexing (it holds the index's write lock); --no-daemon: this process.
sift index --store URL [--repo R] [--branch B] [--git-diff FROM..TO] [--head REV] [PATH]
  Index a checkout (default .) into a team index in PostgreSQL + pgvector (creating or migrating its
  schema). Files are compared by content hash with the branch; the whole update is one transaction.
  --store URL         postgres://user:password@host:port/database
  --repo R            the repository's name there (default: the origin remote's repository name when
                      PATH is a checkout's top, else the folder's name; clients default the same way)
  --branch B          the branch (default main)
  --git-diff A..B     look only at the paths the commits A..B touched (for CI; the checkout is at B)
  --head REV          the commit recorded as indexed (default: the checkout's HEAD, or B)`,
  search: `sift search [--root PATH]... [options] QUERY
  Search by meaning and keywords; brings the index up to date first (progress on stderr).
  --root PATH         folder to search (repeatable; default .)
  -k N                most results (default 10, at most 200)
  --threshold P       how likely (0–1) a hit must be to be shown (default ${shippedRankModel().threshold}, the ranking model's)
  --fixed-k           always return k results (no calibrated cut)
  --all               show the closest matches even when none is relevant
  --no-refresh        search the index as it is
  --daemon            answer through sift serve, starting it in the background if none runs
  --no-daemon         answer in this process even when sift serve runs (default: use it if it runs)
sift search --store URL [--repo R | --root PATH] [--branch B] [options] QUERY
  Search a team index straight from PostgreSQL, with the same ranking (no overlay of local changes).
  The repository defaults to the origin remote's repository name when the --root folder (default .)
  is a checkout's top, else to the folder's name.
sift search --server URL [--repo R] [--branch B] [--root PATH] [options] QUERY
  Search a team index through its server (sift serve --store), overlaid with the files changed in the
  git checkout at --root (default .): those are searched in a small local index, the team's hits in
  them are left out. Same output as a local search; what was searched goes to stderr.
  --server URL        the team server, e.g. https://sift.example.com (http:// for a bare HOST:PORT)
  --token T           its bearer token (sift token create); better: the SIFT_TOKEN environment variable
  --repo R            the repository's name there (default: origin's repository name, else the folder's)
  --branch B          the branch (default: the checked-out one when the team indexes it, else origin's
                      default branch, else main)`,
  status: `sift status [PATH...]
  What the index of these folders (default .) holds, its model and mode.`,
  mcp: `sift mcp [--root PATH]... [--index-dir DIR] [--model DIR | --no-model]
sift mcp --server URL [--repo R] [--branch B] [--root PATH]
  A Model Context Protocol server on stdio for chat agents: tools search_code, find_similar, index_status.
  Indexes on start and re-reads changed files before a search (progress on stderr).
  Uses a running sift serve for the index (--daemon: start one; --no-daemon: never).
  With --server (token: SIFT_TOKEN or --token), the tools answer from that team server, overlaid with
  the files changed in the checkout at --root, as sift search --server does.`,
  serve: `sift serve [--idle-timeout D] [--engine-idle-timeout D]
sift serve status | stop
  A per-user daemon that keeps indexes warm for sift search, sift index and sift mcp, on a socket
  only you can reach ($SIFT_RUNTIME_DIR, else $XDG_RUNTIME_DIR/sift, else <cache>/run). Runs in the
  foreground, logging to stderr; sift search --daemon starts it in the background (log: serve.log there).
  --idle-timeout D    stop after D with no client and no request (default 30m; 500ms, 90s, 2h…)
  --engine-idle-timeout D  close an index after D without a request (default 10m)
sift serve --store URL [--listen HOST:PORT] [--max-concurrent N] [--max-queue N] [--log-queries]
  The team server: an HTTP/JSON API (docs/openapi.yaml) over a team index in PostgreSQL that
  sift index --store made (it creates and migrates the schema; the server only checks it). Every
  request needs a bearer token (sift token). Plain HTTP: off this machine, put a TLS proxy in front.
  --listen HOST:PORT  where to listen (default 127.0.0.1:7700; [::1]:7700 for IPv6)
  --max-concurrent N  searches at once (default 16); --max-queue N more wait (default 4 × N), then 503
  --log-queries       put each request's repository and query in its log line (default: never)`,
  token: `sift token create --store URL --name NAME [--repo REPO]
sift token list --store URL [--json]
sift token revoke --store URL ID|NAME
  Bearer tokens for sift serve --store. create prints the token once (last line of stdout); the
  database keeps only its SHA-256. --repo: only that repository (it must be indexed already);
  without it, every repository. A revoked token is refused within 30 s by a running server.`,
  log: `sift log export --out FILE [--root PATH]... [--log DIR]
sift log clear [--root PATH]... [--log DIR]
  The local query log beside the index (<index dir>/log), as JSON Lines; or delete it.`,
  adapt: `sift adapt [--root PATH]... [--feedback | --reset] [--json]
  Adapt the model to the workspace, guarded: from its doc comments (default), from the query log's
  opened results (--feedback), or back to the shipped model (--reset).
  --no-refresh        adapt to the index as it is`,
  'simulate-clicks': `sift simulate-clicks --root PATH [--clicks N] [--seed S] [--json]
  Measure the learning loop on a simulated developer (doc sentence → unit; default 200 clicks, seed 1).`,
  eval: `sift eval --corpora DIR [--bench DIR] [-- eval options]
  Run ../shared/bench (or --bench DIR) through this CLI.
sift eval --feedback [--root PATH]... [--log DIR] [--bucket day|week] [--json]
  Search health from the query log: logged opens replayed against today's index, drift.`,
  help: `sift help [COMMAND]
  This help, or one command's.`,
};

export function usage(): string {
  const lines = ['sift — search code by meaning', '', 'Usage:'];
  for (const [name, text] of Object.entries(COMMAND_HELP)) if (name !== 'help') lines.push(...text.split('\n').map((l) => `  ${l}`));
  lines.push('  sift help [COMMAND]   sift --version', '', COMMON, '', EXIT_CODES, '');
  return lines.join('\n');
}

export function commandHelp(command: string): string | null {
  const text = COMMAND_HELP[command];
  return text ? `${text}\n\n${COMMON}\n\n${EXIT_CODES}\n` : null;
}

/** The package's version ('unknown' when package.json cannot be read). */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function version(): string {
  const v = packageVersion();
  return v === 'unknown' ? 'sift (version unknown)' : `sift ${v}`;
}
