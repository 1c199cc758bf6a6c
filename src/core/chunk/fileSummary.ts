// The one 'file' chunk every file gets: its path, its leading doc, what it
// imports and the names it defines.
import type { Chunk } from '../types';
import { ChunkSink } from './chunkSink';
import { countTokens } from './chunkText';

export interface FileSummaryInput {
  lineCount: number;
  doc: string;
  /** First lines of import statements (or other header facts, e.g. config keys). */
  imports: string[];
  /** "kind name" of each unit defined, in source order. */
  definitions: string[];
  maxTokens: number;
}

function baseName(rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1);
}

export function addFileSummary(sink: ChunkSink, input: FileSummaryInput): Chunk {
  const lines: string[] = [];
  let used = countTokens(sink.file) + countTokens(input.doc);
  const take = (items: string[], budget: number): void => {
    let i = 0;
    for (; i < items.length; i++) {
      const t = countTokens(items[i]);
      if (used + t > budget) break;
      used += t;
      lines.push(items[i]);
    }
    if (i < items.length) lines.push(`… ${items.length - i} more`);
  };
  take(input.imports, used + Math.floor(input.maxTokens / 3));
  take(input.definitions, input.maxTokens);
  const lineCount = Math.max(1, input.lineCount);
  return sink.add({
    startLine: 1,
    endLine: lineCount,
    declLine: 1,
    kind: 'file',
    name: baseName(sink.file),
    signature: sink.file,
    context: [],
    doc: input.doc,
    code: lines.join('\n'),
  });
}
