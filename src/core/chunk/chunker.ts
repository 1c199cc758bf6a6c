// Sift's chunker: splits a file into the units that get embedded and
// searched. Code with a grammar goes through tree-sitter; prose is split by
// headings; everything else (and anything tree-sitter cannot handle) by line
// windows. It never throws on file contents: the worst case is windows plus
// a fallbackReason.
import type { Chunk, LanguageId } from '../types';
import { ChunkSink } from './chunkSink';
import { cleanComments } from './docText';
import { addFileSummary } from './fileSummary';
import { GrammarSet, initTreeSitter } from './grammars';
import { hasGrammar, languageForPath } from './languages';
import { addProseChunks } from './markdown';
import { SourceText } from './sourceText';
import { LANGUAGE_SPECS } from './syntaxSpecs';
import { TreeChunker } from './treeChunker';
import { addWindows, DEFAULT_WINDOW_CHARS, looksMinified, WindowOptions } from './windows';

/** Bump whenever chunk boundaries or texts change, so indexes re-chunk. */
export const CHUNKER_VERSION = 2;

export interface ChunkerOptions {
  /** Model-window size (countTokens) of a unit's code; larger units are split into parts. Default 256. */
  maxTokens?: number;
  /** Lines per fallback window. Default 40. */
  windowLines?: number;
  /** Parse time limit per file; past it the file falls back to windows. Default 2000. */
  parseTimeoutMs?: number;
}

export interface ChunkFileResult {
  chunks: Chunk[];
  /** Set when tree-sitter could not be used for this file. */
  fallbackReason?: string;
}

/** Files larger than this are not parsed (windows instead): parse time and tree memory grow with size. */
const MAX_PARSE_CHARS = 4_000_000;
/** Characters handed to tree-sitter per read callback; its input buffer holds a little over 5,000. */
const PARSE_READ_CHARS = 4096;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class Chunker {
  private readonly maxTokens: number;
  private readonly windows: WindowOptions;
  private readonly parseTimeoutMs: number;

  private constructor(opts: ChunkerOptions, private readonly grammars: GrammarSet) {
    this.maxTokens = Math.max(16, Math.floor(opts.maxTokens ?? 256));
    const windowLines = Math.max(1, Math.floor(opts.windowLines ?? 40));
    this.windows = { windowLines, overlapLines: Math.max(1, Math.round(windowLines / 8)), maxChars: DEFAULT_WINDOW_CHARS };
    this.parseTimeoutMs = Math.max(1, opts.parseTimeoutMs ?? 2000);
  }

  /**
   * Initialise the tree-sitter runtime. Grammars are loaded lazily by
   * prepare() / chunkFileAsync(). If the runtime itself fails to load, the
   * chunker still works and every code file falls back to windows.
   */
  static async create(opts: ChunkerOptions = {}): Promise<Chunker> {
    const runtimeError = await initTreeSitter();
    return new Chunker(opts, new GrammarSet(runtimeError));
  }

  /**
   * Load the grammars of these languages (once each). chunkFile() is
   * synchronous and only uses grammars already loaded: call this first (the
   * indexer can call it with languageForPath() of each file, cheaply).
   */
  async prepare(...languages: LanguageId[]): Promise<void> {
    await Promise.all([...new Set(languages)].filter(hasGrammar).map((l) => this.grammars.prepare(l)));
  }

  /** prepare() the file's language, then chunkFile(). */
  async chunkFileAsync(rel: string, text: string, language?: LanguageId): Promise<ChunkFileResult> {
    const lang = language ?? languageForPath(rel) ?? 'text';
    await this.prepare(lang);
    return this.chunkFile(rel, text, lang);
  }

  /**
   * Chunks of one file (path relative to its root, '/'-separated). The
   * language defaults to languageForPath(rel), or 'text'. The first chunk
   * is always the file summary. Synchronous: a grammar not yet prepare()d
   * means line windows and a fallbackReason saying so.
   */
  chunkFile(rel: string, text: string, language?: LanguageId): ChunkFileResult {
    const lang = language ?? languageForPath(rel) ?? 'text';
    const sink = new ChunkSink(rel, lang);
    const src = new SourceText(text);
    let fallbackReason: string | undefined;
    try {
      fallbackReason = this.chunkInto(sink, src, lang);
    } catch (err) {
      fallbackReason = `chunker failed (${message(err)}); used line windows`;
      sink.chunks.length = 0;
      try {
        this.addWindowsAndSummary(sink, src);
      } catch {
        sink.chunks.length = 0;
      }
    }
    const chunks = sink.chunks;
    const summary = chunks.findIndex((c) => c.kind === 'file');
    if (summary > 0) chunks.unshift(...chunks.splice(summary, 1));
    return fallbackReason ? { chunks, fallbackReason } : { chunks };
  }

  /** Free the parsers. The chunker must not be used afterwards. */
  dispose(): void {
    this.grammars.dispose();
  }

  private chunkInto(sink: ChunkSink, src: SourceText, lang: LanguageId): string | undefined {
    if (src.text.trim() === '') {
      addFileSummary(sink, { lineCount: src.lineCount, doc: '', imports: [], definitions: [], maxTokens: this.maxTokens });
      return undefined;
    }
    if (lang === 'markdown') {
      const prose = addProseChunks(sink, src, this.maxTokens, this.windows, /\.rst$/i.test(sink.file));
      const doc = [prose.title, prose.lead].filter(Boolean).join('\n');
      addFileSummary(sink, { lineCount: src.lineCount, doc, imports: [], definitions: prose.headings, maxTokens: this.maxTokens });
      return undefined;
    }
    if (!hasGrammar(lang)) {
      this.addWindowsAndSummary(sink, src);
      return `no tree-sitter grammar for ${lang} files; chunked as line windows`;
    }
    if (looksMinified(src)) {
      this.addWindowsAndSummary(sink, src);
      return 'minified or generated code (very long lines); chunked as character windows';
    }
    if (src.text.length > MAX_PARSE_CHARS) {
      this.addWindowsAndSummary(sink, src);
      return `file too large to parse (${src.text.length} characters); chunked as line windows`;
    }
    const parser = this.grammars.parser(lang);
    const spec = LANGUAGE_SPECS[lang];
    if (!parser || !spec) {
      this.addWindowsAndSummary(sink, src);
      return this.grammars.failure(lang) ?? `tree-sitter grammar for ${lang} not loaded (call Chunker.prepare('${lang}') first); chunked as line windows`;
    }

    const text = src.text;
    const deadline = performance.now() + this.parseTimeoutMs;
    let tree;
    try {
      tree = parser.parse((index) => (index < text.length ? text.slice(index, index + PARSE_READ_CHARS) : undefined), null, {
        // returning true cancels the parse
        progressCallback: (() => performance.now() > deadline) as unknown as () => void,
      });
    } catch (err) {
      parser.reset();
      this.addWindowsAndSummary(sink, src);
      return `tree-sitter failed on this file (${message(err)}); chunked as line windows`;
    }
    if (!tree) {
      parser.reset();
      this.addWindowsAndSummary(sink, src);
      return `parse timed out after ${this.parseTimeoutMs} ms; chunked as line windows`;
    }
    try {
      const result = new TreeChunker(sink, src, spec, this.maxTokens).run(tree);
      if (tree.rootNode.hasError && result.unitCount === 0 && result.errorRows * 2 > src.lineCount) {
        sink.chunks.length = 0;
        this.addWindowsAndSummary(sink, src);
        return 'too many parse errors to find declarations; chunked as line windows';
      }
      return undefined;
    } finally {
      tree.delete();
    }
  }

  private addWindowsAndSummary(sink: ChunkSink, src: SourceText): void {
    addWindows(sink, src, this.windows);
    addFileSummary(sink, {
      lineCount: src.lineCount,
      doc: leadingComment(src),
      imports: sink.language === 'config' ? configKeys(src) : [],
      definitions: [],
      maxTokens: this.maxTokens,
    });
  }
}

const LEADING_COMMENT = /^\s*(?:#|\/\/|--|;|\/\*|\*|<!--|"""|''')/;

/** The comment lines a file opens with (after a shebang), as doc text. */
function leadingComment(src: SourceText): string {
  const lines: string[] = [];
  for (let r = 0; r < src.lineCount && lines.length < 40; r++) {
    const l = src.lines[r];
    if (r === 0 && l.startsWith('#!')) continue;
    if (!LEADING_COMMENT.test(l)) break;
    lines.push(l.replace(/^\s*(?:;+|<!--|-->)|-->\s*$/g, ''));
  }
  return lines.length ? cleanComments([lines.join('\n')]) : '';
}

/** Top-level keys and sections of a config file, for its summary. */
function configKeys(src: SourceText): string[] {
  const keys: string[] = [];
  const seen = new Set<string>();
  const add = (k: string) => {
    if (k && !seen.has(k) && keys.length < 60) {
      seen.add(k);
      keys.push(k);
    }
  };
  const trimmed = src.text.trimStart();
  if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && src.text.length < 500_000) {
    try {
      const value: unknown = JSON.parse(src.text);
      if (value && typeof value === 'object' && !Array.isArray(value)) for (const k of Object.keys(value)) add(k);
      return keys;
    } catch {
      // JSON with comments or not JSON at all: fall through to line patterns
    }
  }
  for (const line of src.lines) {
    const section = /^\s*\[{1,2}([^\]]+)\]{1,2}\s*$/.exec(line);
    if (section) add(`[${section[1].trim()}]`);
    else {
      const key = /^([A-Za-z_][\w.-]*)\s*[:=]/.exec(line);
      if (key) add(key[1]);
    }
  }
  return keys;
}
