// Loads web-tree-sitter and the vendored grammars: the runtime once per
// process, each grammar lazily on first use, one Parser per language.
import * as path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';
import { grammarsDir, treeSitterWasm } from '../assets';
import type { LanguageId } from '../types';
import { GRAMMAR_FILES } from './languages';

let runtimeReady: Promise<void> | null = null;
const languageCache = new Map<string, Promise<Language>>();

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Initialise the tree-sitter runtime; resolves to an error message instead of rejecting. */
export async function initTreeSitter(): Promise<string | null> {
  runtimeReady ??= Parser.init({ locateFile: () => treeSitterWasm() });
  try {
    await runtimeReady;
    return null;
  } catch (err) {
    return `tree-sitter runtime failed to load (${treeSitterWasm()}): ${errorText(err)}`;
  }
}

function loadLanguage(file: string): Promise<Language> {
  let p = languageCache.get(file);
  if (!p) {
    p = Language.load(file);
    languageCache.set(file, p);
  }
  return p;
}

/** The parsers of one chunker. */
export class GrammarSet {
  private readonly parsers = new Map<LanguageId, Parser>();
  private readonly failures = new Map<LanguageId, string>();
  private readonly loading = new Map<LanguageId, Promise<void>>();

  constructor(private readonly runtimeError: string | null) {}

  /** Load a language's grammar (once); false when it has none or it failed (see failure()). */
  async prepare(language: LanguageId): Promise<boolean> {
    if (this.parsers.has(language)) return true;
    const file = GRAMMAR_FILES[language];
    if (!file) return false;
    if (this.runtimeError) {
      this.failures.set(language, this.runtimeError);
      return false;
    }
    let p = this.loading.get(language);
    if (!p) {
      const wasm = path.join(grammarsDir(), file);
      p = loadLanguage(wasm).then(
        (lang) => {
          const parser = new Parser();
          parser.setLanguage(lang);
          this.parsers.set(language, parser);
        },
        (err) => {
          this.failures.set(language, `grammar ${file} failed to load: ${errorText(err)}`);
        },
      );
      this.loading.set(language, p);
    }
    await p;
    return this.parsers.has(language);
  }

  parser(language: LanguageId): Parser | undefined {
    return this.parsers.get(language);
  }

  /** Why a grammar is unusable, once prepare() failed. */
  failure(language: LanguageId): string | undefined {
    return this.failures.get(language);
  }

  dispose(): void {
    for (const p of this.parsers.values()) p.delete();
    this.parsers.clear();
  }
}
