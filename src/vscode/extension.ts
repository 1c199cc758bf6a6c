// Entry point. Activation only creates and registers things (commands, views,
// watchers, the status bar); the index worker starts afterwards, when the
// first index job or search needs it. The time activate() takes is logged.
import * as vscode from 'vscode';
import type { SiftApi } from './api';
import { SiftSession } from './session';

export function activate(context: vscode.ExtensionContext): SiftApi {
  const t0 = performance.now();
  const session = new SiftSession(context);
  const activationMs = performance.now() - t0;
  session.log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return session.api(activationMs);
}

export function deactivate(): void {
  // the session is in context.subscriptions: VS Code disposes it (and stops the worker)
}
