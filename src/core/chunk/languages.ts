// Which chunker a file goes to, decided from its path alone.
import type { LanguageId } from '../types';

const CODE_EXTENSIONS: Record<string, LanguageId> = {
  py: 'python', pyi: 'python', pyw: 'python',
  js: 'javascript', jsx: 'javascript', mjs: 'javascript', cjs: 'javascript',
  ts: 'typescript', mts: 'typescript', cts: 'typescript',
  tsx: 'tsx',
  go: 'go',
  rs: 'rust',
  java: 'java',
  c: 'c', h: 'c',
  cc: 'cpp', cpp: 'cpp', cxx: 'cpp', 'c++': 'cpp', hpp: 'cpp', hh: 'cpp', hxx: 'cpp', 'h++': 'cpp', ipp: 'cpp', inl: 'cpp',
  cs: 'csharp',
  rb: 'ruby', rake: 'ruby', gemspec: 'ruby',
  php: 'php',
};

const MARKDOWN_EXTENSIONS = new Set(['md', 'mdx', 'markdown', 'mdown', 'mkd', 'rst', 'txt']);

const CONFIG_EXTENSIONS = new Set([
  'json', 'jsonc', 'json5', 'yaml', 'yml', 'toml', 'ini', 'cfg', 'conf', 'properties',
  'xml', 'plist', 'csproj', 'vbproj', 'fsproj', 'props', 'targets', 'xsd', 'xaml', 'resx',
  'editorconfig', 'babelrc', 'eslintrc', 'prettierrc', 'tf', 'tfvars', 'hcl',
]);

// Source and markup types without a vendored grammar: indexed as line windows.
const TEXT_EXTENSIONS = new Set([
  'sh', 'bash', 'zsh', 'fish', 'ksh', 'ps1', 'psm1', 'bat', 'cmd',
  'lua', 'kt', 'kts', 'swift', 'scala', 'sc', 'sbt', 'groovy', 'gradle', 'dart',
  'sql', 'css', 'scss', 'sass', 'less', 'styl', 'html', 'htm', 'xhtml', 'vue', 'svelte', 'astro',
  'r', 'jl', 'pl', 'pm', 't', 'ex', 'exs', 'erl', 'hrl', 'hs', 'lhs', 'ml', 'mli', 'fs', 'fsi', 'fsx',
  'clj', 'cljs', 'cljc', 'edn', 'el', 'lisp', 'scm', 'rkt', 'zig', 'nim', 'cr', 'elm', 'purs', 'v', 'sv', 'vhd', 'vhdl',
  'm', 'mm', 'f', 'f90', 'f95', 'pas', 'asm', 's', 'sol', 'proto', 'thrift', 'graphql', 'gql', 'prisma',
  'cmake', 'mk', 'make', 'dockerfile', 'vim', 'tex', 'adoc', 'org', 'cshtml', 'razor', 'erb', 'ejs', 'hbs',
  'mustache', 'jinja', 'j2', 'twig', 'liquid', 'awk', 'sed', 'nix', 'd', 'ada', 'adb', 'ads', 'cob', 'vb', 'bas',
]);

// Extensionless (or specially named) files worth indexing.
const NAMED_FILES: Record<string, LanguageId> = {
  makefile: 'text', gnumakefile: 'text', dockerfile: 'text', containerfile: 'text', jenkinsfile: 'text',
  justfile: 'text', 'cmakelists.txt': 'text', build: 'text', 'build.bazel': 'text', workspace: 'text',
  rakefile: 'ruby', gemfile: 'ruby', vagrantfile: 'ruby', podfile: 'ruby', guardfile: 'ruby', brewfile: 'ruby',
  procfile: 'config', readme: 'markdown', changelog: 'markdown',
};

// Generated or dependency-pinning files: large, repetitive, never what anyone searches for.
const EXCLUDED_FILES = new Set([
  'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb', 'cargo.lock',
  'poetry.lock', 'pipfile.lock', 'gemfile.lock', 'composer.lock', 'go.sum', 'flake.lock', 'packages.lock.json',
]);

/**
 * The chunker language of a path ('/'- or '\\'-separated), or null when the
 * file should not be indexed (binary types, archives, lock files, minified
 * bundles, unknown extensions).
 */
export function languageForPath(rel: string): LanguageId | null {
  const base = rel.slice(Math.max(rel.lastIndexOf('/'), rel.lastIndexOf('\\')) + 1).toLowerCase();
  if (!base || EXCLUDED_FILES.has(base)) return null;
  if (/\.min\.(?:js|css|mjs)$/.test(base) || base.endsWith('.map') || base.endsWith('.lock')) return null;
  if (Object.prototype.hasOwnProperty.call(NAMED_FILES, base)) return NAMED_FILES[base];
  if (base.startsWith('dockerfile.') || base.startsWith('makefile.')) return 'text';
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return null; // no extension, or a dotfile such as .env (may hold secrets)
  const ext = base.slice(dot + 1);
  const code = CODE_EXTENSIONS[ext];
  if (code) return code;
  if (MARKDOWN_EXTENSIONS.has(ext)) return 'markdown';
  if (CONFIG_EXTENSIONS.has(ext)) return 'config';
  if (TEXT_EXTENSIONS.has(ext)) return 'text';
  return null;
}

/** Grammar .wasm file (in grammarsDir()) of each tree-sitter language. */
export const GRAMMAR_FILES: Partial<Record<LanguageId, string>> = {
  python: 'tree-sitter-python.wasm',
  javascript: 'tree-sitter-javascript.wasm',
  typescript: 'tree-sitter-typescript.wasm',
  tsx: 'tree-sitter-tsx.wasm',
  go: 'tree-sitter-go.wasm',
  rust: 'tree-sitter-rust.wasm',
  java: 'tree-sitter-java.wasm',
  c: 'tree-sitter-c.wasm',
  cpp: 'tree-sitter-cpp.wasm',
  csharp: 'tree-sitter-c_sharp.wasm',
  ruby: 'tree-sitter-ruby.wasm',
  php: 'tree-sitter-php.wasm',
};

/** True for the languages chunked with a tree-sitter grammar. */
export function hasGrammar(language: LanguageId): boolean {
  return GRAMMAR_FILES[language] !== undefined;
}
