// Sift for chat agents inside VS Code: a language-model tool (`sift_searchCode`,
// `#siftSearch` in chat) that searches the open workspace through the same
// worker and index as the quick pick, and the `sift mcp` server registered as
// an MCP server definition for clients that prefer MCP. Agent searches are not
// written to the search log: only what a person searches and opens is.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SearchHit, SearchResponse } from '../core/types';
import { displayPath } from './display';
import type { WorkspaceIndex } from './workspaceIndex';
import { localRoots } from './workspaceIndex';

export const LM_TOOL_NAME = 'sift_searchCode';
export const MCP_PROVIDER_ID = 'sift.mcpServer';

const MAX_K = 50;
const MAX_SNIPPET_LINES = 40;

export interface SearchToolInput {
  query: string;
  k?: number;
  path?: string;
}

export interface LmToolDeps {
  index: WorkspaceIndex;
  maxResults: () => number;
  /** True while a full index runs. */
  indexing: () => boolean;
  log: vscode.LogOutputChannel;
}

function oneLine(s: string): string {
  const t = s.trim().replace(/\s+/g, ' ');
  return t.length > 80 ? t.slice(0, 77) + '…' : t;
}

function fence(language: string): string {
  return ['markdown', 'config', 'text'].includes(language) ? '' : language;
}

function clip(snippet: string): string {
  const lines = snippet.split('\n');
  return lines.length > MAX_SNIPPET_LINES ? [...lines.slice(0, MAX_SNIPPET_LINES), `… (${lines.length - MAX_SNIPPET_LINES} more lines)`].join('\n') : snippet;
}

/** The text an agent reads: ranked hits (file:line, name, kind, relevance, snippet) or a plain "nothing relevant". No vscode calls. */
export function formatToolResult(query: string, res: SearchResponse, hits: SearchHit[], roots: readonly string[], filter?: string, indexing = false): string {
  const label = `"${oneLine(query)}"`;
  const where = filter ? ` in paths matching ${filter}` : '';
  const lines: string[] = [];
  if (hits.length === 0) {
    lines.push(res.noRelevant || !filter
      ? `Nothing relevant found for ${label}${where}. Try describing the behaviour in other words, or an identifier.`
      : `No results for ${label}${where}.`);
  } else {
    lines.push(`${hits.length} result${hits.length === 1 ? '' : 's'} for ${label}${where}, most relevant first:`);
    hits.forEach((h, i) => {
      lines.push('', `${i + 1}. ${displayPath(h, roots)}:${h.declLine}  ${h.name || '(block)'}  [${h.kind}]  relevance ${Math.round(h.score * 100)}%  (lines ${h.startLine}-${h.endLine})${h.origin === 'local' ? '  (changed in this checkout)' : ''}`);
      lines.push('```' + fence(h.language), clip(h.snippet), '```');
    });
  }
  if (res.mode === 'keyword') lines.push('', `(keyword search only: ${res.modeReason ?? 'no embedding model'})`);
  if (res.partial || indexing) lines.push('', '(the workspace is still being indexed: results cover part of it)');
  return lines.join('\n');
}

/** Checks the input; returns an error message, or null. */
export function checkInput(input: Partial<SearchToolInput> | undefined): string | null {
  if (!input || typeof input.query !== 'string' || !input.query.trim()) return 'query is empty: describe what the code does (e.g. "where are sessions verified") or name an identifier.';
  if (input.k !== undefined && (!Number.isInteger(input.k) || input.k < 1 || input.k > MAX_K)) return `k must be a whole number from 1 to ${MAX_K}, got ${JSON.stringify(input.k)}.`;
  if (input.path !== undefined && typeof input.path !== 'string') return 'path must be a string (a glob such as "src/**" or "*.py", or part of a path).';
  return null;
}

const text = (s: string) => new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(s)]);

export class SearchCodeTool implements vscode.LanguageModelTool<SearchToolInput> {
  constructor(private readonly d: LmToolDeps) {}

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<SearchToolInput>): vscode.PreparedToolInvocation {
    const q = typeof options.input?.query === 'string' ? oneLine(options.input.query) : '';
    return { invocationMessage: `Searching the workspace with Sift for "${q}"` };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<SearchToolInput>, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
    const input = options.input;
    const bad = checkInput(input);
    if (bad) return text(`Sift: ${bad}`);
    if (!this.d.index.hasFolder) return text('Sift: no local workspace folder is open, so there is nothing to search. Open a folder first.');
    const k = input.k ?? this.d.maxResults();
    const filterText = input.path?.trim() || undefined;
    try {
      // the worker filters by path (a glob or a substring, as the sidebar's folder filter) before ranking
      const res = await this.d.index.search({ query: input.query, k, pathFilter: filterText });
      if (token.isCancellationRequested) return text('Sift: the search was cancelled.');
      const roots = this.d.index.roots;
      const hits = res.hits.slice(0, k);
      return text(formatToolResult(input.query, res, hits, roots, filterText, this.d.indexing()));
    } catch (e) {
      const message = (e as Error).message;
      this.d.log.warn(`language-model tool search failed: ${message}`);
      return text(`Sift could not search the workspace: ${message}. The Sift output channel has details; running "Sift: Re-index workspace" may help.`);
    }
  }
}

/** The team server the editor searches (sift.server), for the MCP server to search it too; the token travels in its environment. */
export interface McpTeam { url: string; repo: string; branch: string; token: string | undefined }

/** The `sift mcp` server over the workspace's local folders, run by the Node that runs VS Code's extension host. */
export function mcpServerDefinitions(extensionPath: string, version: string, team: McpTeam | null = null): vscode.McpStdioServerDefinition[] {
  const { roots, folders } = localRoots(vscode.workspace.workspaceFolders);
  if (roots.length === 0) return [];
  const args = [path.join(extensionPath, 'dist', 'cli.js'), 'mcp'];
  const env: Record<string, string> = { ELECTRON_RUN_AS_NODE: '1' };
  if (team) {
    // as the editor: the team index, overlaid with the changes in the (first) folder's checkout
    args.push('--root', roots[0], '--server', team.url, ...(team.repo ? ['--repo', team.repo] : []), ...(team.branch ? ['--branch', team.branch] : []));
    if (team.token) env.SIFT_TOKEN = team.token;
  } else {
    args.push(...roots.flatMap((r) => ['--root', r]));
  }
  // VS Code's own binary runs as Node with ELECTRON_RUN_AS_NODE (no separate Node install needed); under a Node-based server it is Node already
  const def = new vscode.McpStdioServerDefinition('Sift', process.execPath, args, env, version);
  def.cwd = folders[0].uri;
  return [def];
}

export function registerAgentTools(context: vscode.ExtensionContext, d: LmToolDeps, team?: { current(): Promise<McpTeam | null>; onDidChange: vscode.Event<void> }): void {
  context.subscriptions.push(vscode.lm.registerTool(LM_TOOL_NAME, new SearchCodeTool(d)));
  const changed = new vscode.EventEmitter<void>();
  const version = String((context.extension.packageJSON as { version?: unknown }).version ?? '0.0.0');
  context.subscriptions.push(
    changed,
    vscode.workspace.onDidChangeWorkspaceFolders(() => changed.fire()),
    ...(team ? [team.onDidChange(() => changed.fire())] : []),
    vscode.lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, {
      onDidChangeMcpServerDefinitions: changed.event,
      provideMcpServerDefinitions: async () => mcpServerDefinitions(context.extensionPath, version, team ? await team.current() : null),
    }),
  );
}
