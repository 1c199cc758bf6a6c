// Reads the sift.* settings (and, when asked to, files.exclude and
// search.exclude) into what the worker's crawler understands.
import * as vscode from 'vscode';
import type { CrawlConfig } from '../worker/protocol';
import { globsFromExcludeSetting, mergeGlobs } from './excludeGlobs';

export interface SiftSettings {
  include: string[];
  exclude: string[];
  respectGitignore: boolean;
  useFilesExclude: boolean;
  useSearchExclude: boolean;
  maxFileSizeKB: number;
  autoIndex: boolean;
  maxResults: number;
  /** Relevance a hit needs to be shown; undefined: the ranking model's default. */
  relevanceThreshold: number | undefined;
  feedbackEnabled: boolean;
  /** Adapt to the workspace's doc comments after a full index (once a session, again after a rebuild). */
  adaptZeroClick: boolean;
  /** Learn from opened results in the background (guarded). */
  adaptFromFeedback: boolean;
  /** New opens between two attempts to learn from them. */
  adaptFeedbackEvery: number;
  /** The team server's URL; '' searches locally only. */
  server: string;
  /** The repository and branch on the team server; '' for the defaults (core/team/teamRef.ts). */
  serverRepo: string;
  serverBranch: string;
}

const MAX_FILE_KB_LIMIT = 100_000;

function list(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** A setting in 0..1; anything else (null: the default) is no override. */
function probability(v: unknown): number | undefined {
  return typeof v === 'number' && v >= 0 && v <= 1 ? v : undefined;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v.trim() : '';
}

function clampInt(v: unknown, lo: number, hi: number, fallback: number): number {
  const n = typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : fallback;
  return Math.min(hi, Math.max(lo, n));
}

/**
 * The settings for a folder (`scope`), or without one the settings that are not per folder: the resource-scoped ones
 * (include, exclude, …) are then read for no particular folder (null), which is also what keeps VS Code from logging
 * "accessing a resource scoped configuration without providing a resource" for each of them on every call.
 */
export function readSettings(scope?: vscode.Uri): SiftSettings {
  const c = vscode.workspace.getConfiguration('sift', scope ?? null);
  return {
    include: list(c.get('include')),
    exclude: list(c.get('exclude')),
    respectGitignore: c.get<boolean>('respectGitignore') !== false,
    useFilesExclude: c.get<boolean>('useFilesExclude') !== false,
    useSearchExclude: c.get<boolean>('useSearchExclude') !== false,
    maxFileSizeKB: clampInt(c.get('maxFileSizeKB'), 1, MAX_FILE_KB_LIMIT, 1000),
    autoIndex: c.get<boolean>('autoIndex') !== false,
    maxResults: clampInt(c.get('maxResults'), 1, 100, 10),
    relevanceThreshold: probability(c.get('relevanceThreshold')),
    feedbackEnabled: c.get<boolean>('feedback.enabled') !== false,
    adaptZeroClick: c.get<boolean>('adaptation.zeroClick') === true,
    adaptFromFeedback: c.get<boolean>('adaptation.fromFeedback') !== false,
    adaptFeedbackEvery: clampInt(c.get('adaptation.feedbackEvery'), 1, 10_000, 25),
    server: text(c.get('server')),
    serverRepo: text(c.get('serverRepo')),
    serverBranch: text(c.get('serverBranch')),
  };
}

/**
 * The crawl settings for one index over these folders. Exclude settings can
 * differ per folder; the index uses their union (an exclude of one folder
 * applies to all — the cautious side).
 */
export function crawlConfig(folders: readonly vscode.WorkspaceFolder[]): CrawlConfig {
  const s = readSettings(folders[0]?.uri);
  const include: unknown[][] = [];
  const exclude: unknown[][] = [s.exclude];
  for (const f of folders) {
    const own = readSettings(f.uri);
    include.push(own.include);
    exclude.push(own.exclude);
    if (own.useFilesExclude) exclude.push(globsFromExcludeSetting(vscode.workspace.getConfiguration('files', f.uri).get('exclude')));
    if (own.useSearchExclude) exclude.push(globsFromExcludeSetting(vscode.workspace.getConfiguration('search', f.uri).get('exclude')));
  }
  return {
    include: mergeGlobs(...include),
    exclude: mergeGlobs(...exclude),
    respectGitignore: s.respectGitignore,
    maxFileBytes: s.maxFileSizeKB * 1000,
  };
}

/** Settings that choose the team server (or none) and its index. */
export function affectsTeam(e: vscode.ConfigurationChangeEvent): boolean {
  return ['sift.server', 'sift.serverRepo', 'sift.serverBranch'].some((k) => e.affectsConfiguration(k));
}

/** Settings whose change alters which files belong in the index. */
export function affectsCrawl(e: vscode.ConfigurationChangeEvent): boolean {
  return ['sift.include', 'sift.exclude', 'sift.respectGitignore', 'sift.useFilesExclude', 'sift.useSearchExclude',
    'sift.maxFileSizeKB', 'files.exclude', 'search.exclude'].some((k) => e.affectsConfiguration(k));
}
