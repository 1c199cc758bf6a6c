// Entry point. Activation only creates and registers things (commands, views,
// watchers, the status bar); the index worker starts afterwards, when the
// first index job or search needs it. The time activate() takes is logged.
import * as vscode from 'vscode';
import type { SiftApi } from './api';
import { registerAgentTools } from './lmTool';
import { SiftSession } from './session';
import { readSettings } from './settings';

let session: SiftSession | undefined;

export function activate(context: vscode.ExtensionContext): SiftApi {
  const t0 = performance.now();
  const s = session = new SiftSession(context);
  // for chat agents: the #siftSearch language-model tool and the `sift mcp` server definition
  registerAgentTools(context, { index: s.index, maxResults: () => readSettings().maxResults, indexing: () => s.workspaceIndexing, log: s.log },
    { current: () => s.team.mcpTeam(), onDidChange: s.team.onDidChange });
  const activationMs = performance.now() - t0;
  session.log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return session.api(activationMs);
}

export function deactivate(): Promise<void> | undefined {
  // the session is in context.subscriptions: VS Code disposes it (and stops the worker);
  // the search log's last events are written before the extension host lets go
  return session?.searchLog.close();
}
