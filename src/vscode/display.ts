// How hits and progress are shown: shared by the quick pick, the sidebar and
// the status bar. No vscode import.
import * as path from 'node:path';
import type { ChunkKind, IndexProgress, SearchHit } from '../core/types';

/** The path a person sees: relative to its folder, behind the folder's name when there are several. */
export function displayPath(hit: Pick<SearchHit, 'root' | 'file'>, roots: readonly string[]): string {
  return roots.length > 1 ? `${path.basename(hit.root)}/${hit.file}` : hit.file;
}

/**
 * Where a hit is, for a one-line row that may be cut at its end: the file name
 * and declaration line first ("session.ts:15"), then its folder ("· src/auth",
 * behind the root's name when there are several roots).
 */
export function hitLocation(hit: Pick<SearchHit, 'root' | 'file' | 'declLine' | 'startLine'>, roots: readonly string[]): string {
  const shown = displayPath(hit, roots);
  const slash = shown.lastIndexOf('/');
  const where = `${shown.slice(slash + 1)}:${hit.declLine || hit.startLine}`;
  return slash < 0 ? where : `${where} · ${shown.slice(0, slash)}`;
}

/** With a team server: a hit from the local index of the files changed here says so (the rest are the team's). */
export function originNote(hit: Pick<SearchHit, 'origin'>): string {
  return hit.origin === 'local' ? ' · changed here' : '';
}

/** The absolute file of a hit. */
export function hitFile(hit: Pick<SearchHit, 'root' | 'file'>): string {
  return path.join(hit.root, ...hit.file.split('/'));
}

const KIND_ICONS: Record<ChunkKind, string> = {
  function: 'symbol-function',
  method: 'symbol-method',
  class: 'symbol-class',
  struct: 'symbol-struct',
  interface: 'symbol-interface',
  enum: 'symbol-enum',
  trait: 'symbol-interface',
  impl: 'symbol-class',
  module: 'symbol-namespace',
  type: 'symbol-type-parameter',
  constant: 'symbol-constant',
  block: 'symbol-misc',
  file: 'file',
  section: 'symbol-key',
  window: 'file-code',
};

/** The codicon id for a chunk kind. */
export function kindIcon(kind: string): string {
  return (KIND_ICONS as Record<string, string>)[kind] ?? 'symbol-misc';
}

/** A label for a hit: its name, or for anonymous chunks the file and lines. */
export function hitLabel(hit: Pick<SearchHit, 'name' | 'file' | 'startLine' | 'endLine'>): string {
  if (hit.name) return hit.name;
  const base = hit.file.slice(hit.file.lastIndexOf('/') + 1);
  return `${base} (lines ${hit.startLine}–${hit.endLine})`;
}

/** One line describing a hit's code: its signature, else the first non-blank snippet line. */
export function hitDetail(hit: Pick<SearchHit, 'signature' | 'snippet'>, max = 160): string {
  const first = (hit.signature || hit.snippet || '').split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '';
  return first.length > max ? first.slice(0, max - 1) + '…' : first;
}

/** Percentage of the current phase, 0–100. */
export function progressPercent(p: IndexProgress): number {
  if (p.phase === 'done' || p.phase === 'save') return 100;
  if (p.phase === 'embed') return p.embedTotal > 0 ? Math.floor((100 * p.embedded) / p.embedTotal) : 0;
  if (p.phase === 'chunk') return p.filesTotal > 0 ? Math.floor((100 * p.filesDone) / p.filesTotal) : 0;
  return 0;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** e.g. "45% · 120/300 files · 1,234 chunks", or "embedding 30% · 400/1,300 chunks". */
export function describeProgress(p: IndexProgress): string {
  const pct = progressPercent(p);
  switch (p.phase) {
    case 'crawl': return 'listing files…';
    case 'chunk': return `${pct}% · ${formatCount(p.filesDone)}/${formatCount(p.filesTotal)} files · ${formatCount(p.chunks)} chunks`;
    case 'embed': return `embedding ${pct}% · ${formatCount(p.embedded)}/${formatCount(p.embedTotal)} chunks`;
    case 'save': return 'saving…';
    case 'done': return `done · ${formatCount(p.chunks)} chunks`;
  }
}
