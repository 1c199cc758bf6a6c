// The model that ships in models/: its graph against the plain-TypeScript reference read from
// the same file, in both runtimes the engine can use, and what it must know of developers' English.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findDefaultModel, loadEmbedder, type Embedder } from '../../src/core/embed/embedder';
import { matchEmbeddingBag } from '../../src/core/embed/embeddingBag';
import { readManifest } from '../../src/core/embed/manifest';
import { readOnnxGraph } from '../../src/core/embed/onnxGraph';
import { embedReference } from '../../src/core/embed/reference';
import { Tokenizer } from '../../src/core/embed/tokenizer';

const TEXTS = [
  'stop the server cleanly when someone presses ctrl-c',
  'func handleSignals(srv *Server) { ch := make(chan os.Signal, 1); signal.Notify(ch, os.Interrupt, syscall.SIGTERM); <-ch; srv.Shutdown(ctx) }',
  'why does the upload blow up on big files',
  'def parse_duration(text): return int(text[:-1]) * UNITS[text[-1]]',
  'getUserAccountByEmailAddress(email)',
  '',
];

function cos(a: Float32Array, b: Float32Array): number {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { d += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return na > 0 && nb > 0 ? d / Math.sqrt(na * nb) : 0;
}

describe('the shipped model', function () {
  this.timeout(60000);
  const dir = findDefaultModel();
  const embedders: Embedder[] = [];
  after(async () => { for (const e of embedders) await e.dispose(); });

  it('is an embedding-bag graph whose both runtimes equal the reference computed from its own file', async () => {
    assert.ok(dir, 'a model ships in models/');
    const m = readManifest(dir);
    const bag = matchEmbeddingBag(readOnnxGraph(fs.readFileSync(path.join(dir, m.files.onnx))));
    assert.ok(!('notBag' in bag), 'the shipped graph is the embedding bag the native kernel runs');
    const vocab = fs.readFileSync(path.join(dir, m.files.vocab), 'utf8').split('\n').filter((l) => l.length > 0);
    const tok = new Tokenizer({ vocab, ...m.tokenizer });
    assert.equal(tok.rowCount, bag.rows);
    for (const runtime of ['native', 'onnxruntime'] as const) {
      const e = await loadEmbedder(dir, { runtime });
      embedders.push(e);
      assert.equal(e.runtime, runtime);
      const got = await e.embed(TEXTS);
      TEXTS.forEach((t, i) => {
        const want = embedReference(tok, bag.table, bag.scales, bag.dim, t);
        for (let d = 0; d < bag.dim; d++) assert.ok(Math.abs(got[i * bag.dim + d] - want[d]) < 1e-5, `${runtime}: ${t}`);
      });
    }
  });

  it('relates everyday English to the code that does it', async () => {
    assert.ok(dir);
    const e = await loadEmbedder(dir);
    embedders.push(e);
    const texts = [
      'stop the server cleanly when someone presses ctrl-c', // 0
      'func handleSignals(srv *Server) { signal.Notify(ch, os.Interrupt, syscall.SIGTERM); <-ch; srv.Shutdown(ctx) }', // 1
      'def parse_duration(text): return int(text[:-1]) * UNITS[text[-1]]', // 2
      'the program blows up', // 3
      'panic: runtime error: index out of range', // 4
      'sort the list alphabetically', // 5
    ];
    const v = await e.embed(texts);
    const row = (i: number) => v.subarray(i * e.dim, (i + 1) * e.dim);
    assert.ok(cos(row(0), row(1)) > cos(row(0), row(2)), 'graceful shutdown ↔ signal handler');
    assert.ok(cos(row(3), row(4)) > cos(row(3), row(5)), '"blows up" ↔ panic');
  });
});
