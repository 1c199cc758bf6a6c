// Human-readable output of the CLI.
import * as path from 'node:path';
import type { EngineStatus, OpenReport } from '../core/engine';
import type { IndexStats, SearchResponse } from '../core/types';

const MAX_SKIPS_SHOWN = 10;

export function modeLine(mode: string, reason?: string): string {
  return mode === 'hybrid' ? 'mode: hybrid (meaning + keywords)' : `mode: keyword only — ${reason ?? 'no embedding model'}`;
}

export function formatStats(s: IndexStats, status: EngineStatus, allSkipped = false): string {
  const lines = [
    `indexed ${s.files} files, ${s.chunks} chunks in ${(s.tookMs / 1000).toFixed(1)}s` +
      ` (${s.changedFiles} new or changed, ${s.removedFiles} removed, ${s.embeddedChunks} embedded)`,
    modeLine(status.mode, status.modeReason),
    `index: ${status.indexDir} (${(status.diskBytes / 1e6).toFixed(1)} MB)`,
  ];
  if (s.skipped.length) {
    lines.push(`skipped ${s.skipped.length} file(s):`);
    const shown = allSkipped ? s.skipped : s.skipped.slice(0, MAX_SKIPS_SHOWN);
    for (const k of shown) lines.push(`  ${k.rel}: ${k.reason}`);
    if (s.skipped.length > shown.length) lines.push(`  … and ${s.skipped.length - shown.length} more (--all-skipped lists them; --json has them all)`);
  }
  return lines.join('\n');
}

export function formatHits(res: SearchResponse, roots: string[], query: string): string {
  const out: string[] = [modeLine(res.mode, res.modeReason)];
  if (res.noRelevant && res.hits.length === 0) {
    out.push(`nothing relevant found for "${query}" (use --all to see the closest matches anyway)`);
    return out.join('\n');
  }
  if (res.noRelevant) out.push('nothing judged relevant; closest matches:');
  res.hits.forEach((h, i) => {
    const file = roots.length > 1 ? path.join(h.root, h.file) : h.file;
    out.push(`${String(i + 1).padStart(2)}. ${file}:${h.declLine}  ${h.name || '(block)'}  [${h.kind}]  relevance ${Math.round(h.score * 100)}%`);
    if (h.stale) out.push('      (the file changed since it was indexed; `sift index` refreshes it)');
    else for (const l of h.snippet.split('\n')) out.push(`      ${l}`);
  });
  return out.join('\n');
}

export function formatStatus(s: EngineStatus, report: OpenReport): string {
  return [
    `roots: ${s.roots.join(', ')}`,
    `index: ${s.indexDir} (${report.state === 'loaded' ? 'loaded' : report.state === 'new' ? 'not built yet' : `unusable, will rebuild: ${report.reason}`})`,
    `files: ${s.files}, chunks: ${s.chunks}, embedded: ${s.embedded}`,
    `model: ${s.model ? `${s.model} (${s.modelRuntime === 'native' ? 'native kernel' : 'onnxruntime-web'})${s.adapted ? ', adapted to this workspace (sift adapt --reset to undo)' : ''}` : 'none'}`,
    report.state === 'new' ? 'mode: none yet — nothing indexed (run sift index)' : modeLine(s.mode, s.modeReason),
    `last updated: ${s.lastUpdated ?? 'never'}, size on disk: ${(s.diskBytes / 1e6).toFixed(1)} MB`,
  ].join('\n');
}

/** What `sift search` prints: the hits for people, or one line of JSON (the format the benchmark reads). */
export function formatSearch(res: SearchResponse, roots: string[], query: string, json: boolean): string {
  if (!json) return formatHits(res, roots, query);
  return JSON.stringify({
    mode: res.mode,
    ...(res.modeReason ? { modeReason: res.modeReason } : {}),
    noRelevant: res.noRelevant,
    results: res.hits.map((h) => ({
      file: roots.length > 1 ? path.join(h.root, h.file) : h.file,
      startLine: h.startLine, endLine: h.endLine, name: h.name, kind: h.kind, score: h.score,
    })),
  });
}
