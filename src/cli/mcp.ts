// `sift mcp` — a Model Context Protocol server over stdio, so chat agents can
// search the workspace by meaning. stdout carries the protocol: everything
// else (progress, warnings) goes to stderr. The index is built on start and
// brought up to date before a search when the last refresh is over ~2 s old.
// With --server the tools answer from the team server, overlaid with the files
// changed in the checkout it runs in (teamCheckout.ts); the refresh then
// re-reads those only.
import * as path from 'node:path';
import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { UsageError, type ParsedArgs } from './args';
import { openEngineFromSpec } from './engineOpen';
import { engineSpec } from './engineSpec';
import { packageVersion } from './help';
import { RemoteEngine, type EngineLike } from './serve/remoteEngine';
import { isWriteRefusal } from './refreshOrWarn';
import { parseServerArgs, TeamCheckout } from './teamCheckout';
import { TeamServerError } from '../core/team/client';
import type { LanguageId, IndexProgress, SearchHit, SearchResponse } from '../core/types';

const LANGUAGES = [
  'python', 'javascript', 'typescript', 'tsx', 'go', 'rust', 'java', 'c', 'cpp', 'csharp', 'ruby', 'php',
  'markdown', 'config', 'text',
] as const satisfies readonly LanguageId[];

/** A search re-reads changed files first when the last refresh is older than this. */
const REFRESH_AFTER_MS = 2000;
/** Serializes refreshes and searches: the engine is not re-keyed under a search. */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export class SiftMcp {
  private lastRefresh = 0;
  private readonly serial = new Serial();
  /** Aborted when the client goes away: an index run in progress stops. */
  readonly stop = new AbortController();

  /** The engine in this process, or the one `sift serve` holds (serve/remoteEngine.ts); or a team server and the checkout's changes. */
  constructor(private readonly engine: EngineLike | TeamCheckout, private readonly log: (m: string) => void) {}

  get source(): EngineLike | TeamCheckout { return this.engine; }

  /** Bring the index up to date unless it was within the last ~2 s (the first call always indexes). */
  private async refresh(force = false): Promise<void> {
    if (!force && this.lastRefresh && Date.now() - this.lastRefresh < REFRESH_AFTER_MS) return;
    const first = this.lastRefresh === 0;
    if (this.engine instanceof TeamCheckout) {
      const before = this.engine.last?.changed?.files.size;
      await this.engine.refresh({ signal: this.stop.signal });
      if (first || this.engine.last?.changed?.files.size !== before) this.log(`sift: ${this.engine.describe()}`);
      this.lastRefresh = Date.now();
      return;
    }
    const engine = this.engine;
    let lastLog = 0;
    const onProgress = first ? (p: IndexProgress) => {
      const now = Date.now();
      if (now - lastLog < 2000 && p.phase !== 'done') return;
      lastLog = now;
      this.log(p.phase === 'embed' ? `sift: indexing: ${p.embedded}/${p.embedTotal} chunks embedded` : `sift: indexing: ${p.phase} ${p.filesDone}/${p.filesTotal} files, ${p.chunks} chunks`);
    } : undefined;
    try {
      const stats = await engine.index({ onProgress, signal: this.stop.signal });
      if (first || stats.changedFiles || stats.removedFiles) {
        this.log(`sift: indexed ${stats.files} files, ${stats.chunks} chunks (${stats.changedFiles} new or changed, ${stats.removedFiles} removed) in ${(stats.tookMs / 1000).toFixed(1)}s`);
      }
    } catch (e) {
      // a stale index is still worth searching; say why it could not be refreshed
      if (!isWriteRefusal(e) || engine.chunkCount === 0) throw e;
      this.log(`sift: warning: ${e.message}; searching the index as loaded`);
    }
    this.lastRefresh = Date.now();
  }

  /** The initial index, started when the server is (searches wait for it). */
  start(): Promise<void> {
    return this.serial.run(() => this.refresh(true)).catch((e) => {
      if (!this.stop.signal.aborted) this.log(`sift: indexing failed: ${(e as Error).message}`);
    });
  }

  private displayFile(h: SearchHit): string {
    return this.engine.roots.length > 1 ? path.join(h.root, h.file) : h.file;
  }

  async searchCode(args: { query: string; k?: number; path?: string; language?: LanguageId; includeWeak?: boolean }): Promise<CallToolResult> {
    const query = args.query ?? '';
    if (!query.trim()) return toolError('query is empty: describe what the code does, e.g. "where are sessions verified", or name an identifier');
    return this.searchAndFormat(query, args, 'search_code');
  }

  async findSimilar(args: { code: string; k?: number; path?: string; language?: LanguageId; includeWeak?: boolean }): Promise<CallToolResult> {
    const code = args.code ?? '';
    if (!code.trim()) return toolError('code is empty: pass the snippet to find similar code for');
    // as the editor's "Find similar code" does: the snippet itself is the query
    return this.searchAndFormat(code, args, 'find_similar');
  }

  private async searchAndFormat(query: string, args: { k?: number; path?: string; language?: LanguageId; includeWeak?: boolean }, tool: string): Promise<CallToolResult> {
    const k = args.k ?? 10;
    if (!Number.isInteger(k) || k < 1 || k > 50) return toolError(`k must be a whole number from 1 to 50, got ${args.k}`);
    const includeWeak = !!args.includeWeak;
    // the engine filters by path (a glob or a substring, search.ts compilePathFilter) before ranking
    const filters = { languages: args.language ? [args.language] : undefined, pathFilter: args.path?.trim() || undefined };
    const engine = this.engine;
    let res: SearchResponse;
    try {
      res = await this.serial.run(async () => {
        await this.refresh();
        return engine instanceof TeamCheckout
          ? engine.search({ query, k, showWeak: includeWeak, similar: tool === 'find_similar', ...filters }, this.stop.signal)
          : engine.search(query, { k, showWeak: includeWeak, ...filters });
      });
    } catch (e) {
      // the team server's failures in its own words (unreachable, token refused, no such index), as a tool error
      if (e instanceof TeamServerError) return toolError(e.message);
      throw e;
    }
    const hits = res.hits;
    const results = hits.map((h) => ({
      file: this.displayFile(h), startLine: h.startLine, endLine: h.endLine, name: h.name, kind: h.kind,
      language: h.language, probability: Math.round(h.score * 1000) / 1000, snippet: h.snippet,
      ...(h.origin ? { origin: h.origin } : {}),
    }));
    const structured = {
      noRelevant: res.noRelevant, mode: res.mode, ...(res.modeReason ? { modeReason: res.modeReason } : {}),
      partial: res.partial, results,
    };
    const label = tool === 'find_similar' ? 'code similar to the snippet' : `"${oneLine(query)}"`;
    const lines: string[] = [];
    if (res.noRelevant && results.length === 0) {
      lines.push(`Nothing relevant found for ${label}${args.path?.trim() ? ` in paths matching ${args.path}` : ''}.` + (includeWeak ? '' : ' (Pass includeWeak: true to see the closest matches anyway.)'));
    } else {
      if (res.noRelevant) lines.push(`Nothing judged relevant for ${label}; the closest matches:`);
      else if (results.length === 0) lines.push(res.filterMatchedNothing ? `No indexed file matches the path filter ${args.path}.` : `No results for ${label} in paths matching ${args.path}.`);
      else lines.push(`${results.length} result(s) for ${label}, most likely first:`);
      results.forEach((r, i) => {
        lines.push('', `${i + 1}. ${r.file}:${r.startLine}-${r.endLine}  ${r.name || '(block)'}  [${r.kind}]  probability ${r.probability.toFixed(2)}${r.origin === 'local' ? '  (changed in this checkout)' : ''}`);
        lines.push('```' + fence(r.language), r.snippet, '```');
      });
    }
    if (res.mode === 'keyword') lines.push('', `(keyword search only: ${res.modeReason ?? 'no embedding model'})`);
    if (res.partial) lines.push('', '(indexing is still running: results cover part of the workspace)');
    if (engine instanceof TeamCheckout) lines.push('', `(${engine.describe()})`);
    return { content: [{ type: 'text', text: lines.join('\n') }], structuredContent: structured };
  }

  async indexStatus(): Promise<CallToolResult> {
    const engine = this.engine;
    if (engine instanceof TeamCheckout) return this.teamStatus(engine);
    await this.serial.run(() => this.refresh());
    const s = await engine.status();
    const structured = {
      roots: s.roots, indexDir: s.indexDir, files: s.files, chunks: s.chunks, embedded: s.embedded,
      mode: s.mode, ...(s.modeReason ? { modeReason: s.modeReason } : {}),
      model: s.model, modelRuntime: s.modelRuntime, adapted: s.adapted, indexing: s.indexing,
      lastUpdated: s.lastUpdated, diskBytes: s.diskBytes,
    };
    const text = [
      `roots: ${s.roots.join(', ')}`,
      `files: ${s.files}, chunks: ${s.chunks}, embedded: ${s.embedded}`,
      `mode: ${s.mode === 'hybrid' ? 'hybrid (meaning + keywords)' : `keyword only (${s.modeReason ?? 'no embedding model'})`}`,
      `model: ${s.model ?? 'none'}${s.adapted ? ' (adapted to this workspace)' : ''}`,
      `last updated: ${s.lastUpdated ?? 'never'}`,
      `index: ${s.indexDir}`,
    ].join('\n');
    return { content: [{ type: 'text', text }], structuredContent: structured };
  }

  private async teamStatus(team: TeamCheckout): Promise<CallToolResult> {
    try {
      await this.serial.run(() => this.refresh());
    } catch (e) {
      if (e instanceof TeamServerError) return toolError(e.message);
      throw e;
    }
    const { ref, status: s, changed } = team.last!;
    const structured = {
      server: team.client.shown, repo: ref.repo, branch: ref.branch, branchChosenBy: team.last!.how,
      indexed: s !== null, head: s?.head ?? null, files: s?.files ?? 0, chunks: s?.chunks ?? 0, embedded: s?.embedded ?? 0,
      mode: s?.mode ?? null, ...(s?.modeReason ? { modeReason: s.modeReason } : {}), model: s?.model ?? null, lastUpdated: s?.lastUpdated ?? null,
      checkout: team.repoRoot, changedFiles: changed ? changed.files.size : null, ...(changed?.note ? { changedNote: changed.note } : {}),
    };
    const text = [
      team.describe(),
      s ? `files: ${s.files}, chunks: ${s.chunks}, embedded: ${s.embedded}` : `the team server has no index of ${ref.repo}@${ref.branch} yet`,
      ...(s ? [`mode: ${s.mode === 'hybrid' ? 'hybrid (meaning + keywords)' : `keyword only (${s.modeReason ?? 'no embedding model'})`}`, `model: ${s.model ?? 'none'}`, `last updated: ${s.lastUpdated ?? 'never'}`] : []),
      ...(changed?.note ? [`note: ${changed.note}`] : []),
    ].join('\n');
    return { content: [{ type: 'text', text }], structuredContent: structured };
  }
}

function toolError(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

function oneLine(s: string): string {
  const t = s.trim().replace(/\s+/g, ' ');
  return t.length > 80 ? t.slice(0, 77) + '…' : t;
}

function fence(language: string): string {
  return ['markdown', 'config', 'text'].includes(language) ? '' : language;
}

const filterInputs = {
  k: z.number().int().min(1).max(50).optional().describe('Most results to return, 1–50 (default 10). Fewer come back when the rest are judged not relevant.'),
  path: z.string().optional().describe('Only files whose path matches: a glob ("src/**", "*.py"; without "/" it matches a file name at any depth) or a substring ("receiver").'),
  language: z.enum(LANGUAGES).optional().describe('Only code in this language.'),
  includeWeak: z.boolean().optional().describe('When nothing is judged relevant, return the closest matches anyway (default false).'),
};

export function createServer(sift: SiftMcp): McpServer {
  const server = new McpServer({ name: 'sift', version: packageVersion() });
  server.registerTool('search_code', {
    title: 'Search code by meaning',
    description: 'Search the indexed workspace by what code does, not only the words it uses (hybrid semantic + keyword search, local). '
      + 'Returns ranked code units (file, line range, name, kind, probability of being relevant, snippet), or says that nothing relevant exists.',
    inputSchema: {
      query: z.string().describe('What you are looking for, in words ("where are sessions verified") or identifiers.'),
      ...filterInputs,
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, (args) => sift.searchCode(args));
  server.registerTool('find_similar', {
    title: 'Find similar code',
    description: 'Find code in the workspace similar to a snippet (the snippet itself is the query). Returns ranked code units as search_code does.',
    inputSchema: {
      code: z.string().describe('The code to find similar code for.'),
      ...filterInputs,
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, (args) => sift.findSimilar(args));
  server.registerTool('index_status', {
    title: 'Index status',
    description: 'What the search index holds: roots, files, chunks, search mode, model, whether it is adapted to the workspace, when it was last updated.',
    inputSchema: {},
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, () => sift.indexStatus());
  return server;
}

export async function cmdMcp(a: ParsedArgs): Promise<number> {
  const roots = a.values.root?.length ? a.values.root : a.positional.length ? a.positional : ['.'];
  const warn = (m: string) => process.stderr.write(m + '\n');
  const server = parseServerArgs(a);
  if (server) {
    if (roots.length > 1) throw new UsageError('with --server, give one --root: the checkout whose changes overlay the team index');
    const team = await TeamCheckout.open(server, a, roots[0], warn);
    return serveMcp(new SiftMcp(team, warn), warn, `the team server ${team.client.shown}${team.repoRoot ? `, overlaid with the changes in ${team.repoRoot}` : ''}`);
  }
  const spec = engineSpec(a, roots);
  // a running sift serve (--daemon: one started if none runs) holds the index warm for every agent; else this process does
  const remote = a.flags.has('no-daemon') ? null : await RemoteEngine.connect(spec, warn, a.flags.has('daemon'));
  const engine = remote ?? await openEngineFromSpec(spec, warn);
  return serveMcp(new SiftMcp(engine, warn), warn, `${engine.roots.join(', ')} (index: ${engine.indexDir}${remote ? `, held by sift serve, process ${remote.pid}` : ''})`);
}

/** Serve the tools on stdio until the client goes away. */
async function serveMcp(sift: SiftMcp, warn: (m: string) => void, what: string): Promise<number> {
  const server = createServer(sift);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
    process.stdin.once('close', () => resolve());
  });
  // answer the client at once; the first index runs in the background and searches wait for it
  await server.connect(transport);
  warn(`sift: MCP server on stdio for ${what}`);
  void sift.start();
  await closed;
  sift.stop.abort();
  await server.close().catch(() => undefined);
  await sift.source.close();
  return 0;
}
