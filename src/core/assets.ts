// Where the WASM assets and models live. In a bundle (dist/) they are copied
// next to the .js files; when running from source (tests, tsx) they are found
// in the repository and in node_modules.
import * as fs from 'node:fs';
import * as path from 'node:path';

function firstExisting(candidates: string[]): string | null {
  for (const c of candidates) if (fs.existsSync(c)) return c;
  return null;
}

/** Repository/package root: the nearest ancestor of this module holding package.json. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return __dirname;
    dir = up;
  }
}

/** Folder of the tree-sitter grammar .wasm files. */
export function grammarsDir(): string {
  const root = packageRoot();
  return firstExisting([path.join(__dirname, 'grammars'), path.join(root, 'dist', 'grammars'), path.join(root, 'grammars')])
    ?? path.join(root, 'grammars');
}

/** Path of web-tree-sitter's own runtime .wasm. */
export function treeSitterWasm(): string {
  const root = packageRoot();
  return firstExisting([
    path.join(__dirname, 'web-tree-sitter.wasm'),
    path.join(root, 'dist', 'web-tree-sitter.wasm'),
    path.join(root, 'node_modules', 'web-tree-sitter', 'web-tree-sitter.wasm'),
  ]) ?? path.join(root, 'node_modules', 'web-tree-sitter', 'web-tree-sitter.wasm');
}

/** Folder holding onnxruntime-web's ort-wasm-simd-threaded.{mjs,wasm}, with a trailing separator. */
export function ortWasmDir(): string {
  const root = packageRoot();
  const dir = firstExisting([
    path.join(__dirname, 'ort'),
    path.join(root, 'dist', 'ort'),
    path.join(root, 'node_modules', 'onnxruntime-web', 'dist'),
  ]) ?? path.join(root, 'node_modules', 'onnxruntime-web', 'dist');
  return dir + path.sep;
}

/** Folder of shipped models (models/<name>/). */
export function modelsDir(): string {
  const root = packageRoot();
  return firstExisting([path.join(__dirname, 'models'), path.join(root, 'models')]) ?? path.join(root, 'models');
}
