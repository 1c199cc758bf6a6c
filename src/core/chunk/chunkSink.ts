// Collects a file's chunks, rendering each one's embedded text as it is added.
import type { Chunk, ChunkKind, LanguageId } from '../types';
import { capText, renderChunkText } from './chunkText';

export interface ChunkDraft {
  startLine: number;
  endLine: number;
  declLine: number;
  kind: ChunkKind;
  name: string;
  signature: string;
  context: string[];
  doc: string;
  /** The code part of the embedded text. */
  code: string;
  part?: { index: number; count: number };
}

const MAX_SIGNATURE_CHARS = 240;

export class ChunkSink {
  readonly chunks: Chunk[] = [];

  constructor(readonly file: string, readonly language: LanguageId) {}

  add(d: ChunkDraft): Chunk {
    const text = capText(renderChunkText({ file: this.file, context: d.context, doc: d.doc, code: d.code }));
    const chunk: Chunk = {
      file: this.file,
      startLine: d.startLine,
      endLine: Math.max(d.startLine, d.endLine),
      declLine: Math.min(Math.max(d.declLine, d.startLine), Math.max(d.startLine, d.endLine)),
      kind: d.kind,
      name: d.name,
      language: this.language,
      signature: d.signature.length > MAX_SIGNATURE_CHARS ? d.signature.slice(0, MAX_SIGNATURE_CHARS) : d.signature,
      context: [...d.context], // scopes share their arrays; each chunk gets its own
      doc: d.doc,
      text,
    };
    if (d.part) chunk.part = d.part;
    this.chunks.push(chunk);
    return chunk;
  }
}

/** First non-blank line of a text, trimmed and cut to a signature's length. */
export function firstLine(text: string): string {
  for (const l of text.split('\n', 50)) {
    const t = l.trim();
    if (t) return t.length > MAX_SIGNATURE_CHARS ? t.slice(0, MAX_SIGNATURE_CHARS) : t;
  }
  return '';
}
