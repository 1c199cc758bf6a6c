// Bundles the extension entry, the index worker, the chunking worker and the CLI (a small entry and the full CLI) for Node (CommonJS) and
// copies the WASM assets next to them: web-tree-sitter's runtime, the grammars
// and onnxruntime-web's SIMD build. Nothing is fetched at build or run time.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.dirname(new URL(import.meta.url).pathname);
const dist = path.join(root, 'dist');
const watch = process.argv.includes('--watch');

const entries = [
  // the full CLI; dist/cli.js (below) loads it unless a running `sift serve` answers
  ['src/cli.ts', 'cliMain'],
  // `sift mcp` (the MCP SDK, zod, ajv), required by cliMain only for that command: see mcpApart
  ['src/cli/mcp.ts', 'cliMcp'],
  ['src/worker/worker.ts', 'worker'],
  ['src/core/chunk/chunkWorker.ts', 'chunkWorker'],
  ['src/vscode/extension.ts', 'extension'],
  // the speed benchmark runs the engine bundled, as shipped (bench/speed.ts asks for it; never packaged)
  ...(process.argv.includes('--with-bench') ? [['bench/speed.ts', 'speedBench']] : []),
].filter(([src]) => fs.existsSync(path.join(root, src)));

function copyAssets() {
  const copy = (from, to) => { fs.mkdirSync(path.dirname(to), { recursive: true }); fs.copyFileSync(from, to); };
  copy(path.join(root, 'node_modules/web-tree-sitter/web-tree-sitter.wasm'), path.join(dist, 'web-tree-sitter.wasm'));
  for (const f of fs.readdirSync(path.join(root, 'grammars'))) {
    if (f.endsWith('.wasm')) copy(path.join(root, 'grammars', f), path.join(dist, 'grammars', f));
  }
  for (const f of ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm']) {
    copy(path.join(root, 'node_modules/onnxruntime-web/dist', f), path.join(dist, 'ort', f));
  }
}

// src/cli.ts imports './cli/mcp' dynamically; in the bundle that is dist/cliMcp.js, loaded at run time,
// so a search never parses the MCP server's dependencies (tsx runs the source as it is).
function mcpApart() {
  return {
    name: 'mcp-apart',
    setup(build) {
      build.onResolve({ filter: /^\.\/cli\/mcp$/ }, (args) => (args.importer.endsWith(path.join('src', 'cli.ts')) ? { path: './cliMcp.js', external: true } : undefined));
    },
  };
}

// What every bundle is: Node 20, CommonJS, with source maps, into dist/.
const common = {
  absWorkingDir: root,
  outdir: dist,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
};

const options = {
  ...common,
  entryPoints: Object.fromEntries(entries.map(([src, out]) => [out, src])),
  external: ['vscode'],
  plugins: [mcpApart()],
  // onnxruntime-web and web-tree-sitter refer to import.meta.url; give the CJS bundle a real value
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

// `sift`'s entry, small so a search answered by `sift serve` does not pay for loading the full
// CLI (~0.9 MB): no engine code, no banner; it requires ./cliMain.js at run time when it needs it.
const entryOptions = {
  ...common,
  entryPoints: { cli: 'src/cliEntry.ts' },
  external: ['./cliMain.js'],
};

fs.mkdirSync(dist, { recursive: true });
copyAssets();
if (watch) {
  const ctx = await esbuild.context(options);
  const entryCtx = await esbuild.context(entryOptions);
  await Promise.all([ctx.watch(), entryCtx.watch()]);
  console.log('watching…');
} else {
  await Promise.all([esbuild.build(options), esbuild.build(entryOptions)]);
  const cli = path.join(dist, 'cli.js');
  if (fs.existsSync(cli)) {
    const body = fs.readFileSync(cli, 'utf8');
    if (!body.startsWith('#!')) fs.writeFileSync(cli, '#!/usr/bin/env node\n' + body);
    fs.chmodSync(cli, 0o755);
  }
  console.log(`built cli, ${entries.map(([, o]) => o).join(', ')} → dist/`);
}
