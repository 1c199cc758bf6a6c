import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Chunker } from '../../src/core/chunk/chunker';
import { ChunkPool } from '../../src/core/chunk/chunkPool';
import { ingestFile, type IngestResult } from '../../src/core/chunk/ingestFile';
import { loadEmbedder } from '../../src/core/embed/embedder';
import { Engine } from '../../src/core/engine';
import { buildTestModel } from '../helpers/testModel';
import { FILES } from '../../src/core/persist/indexStore';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'chunker');

/** All n results of a finished batch. */
function takeAll(take: () => IngestResult, n: number): IngestResult[] {
  return Array.from({ length: n }, () => take());
}

describe('chunking threads', function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  const tmp = (tag: string): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), `sift-pool-${tag}-`));
    dirs.push(d);
    return d;
  };
  after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

  it('read, hash and chunk every fixture language exactly as the calling thread does', async () => {
    const files = fs.readdirSync(FIXTURES).map((f) => ({ abs: path.join(FIXTURES, f), rel: `src/${f}` }));
    const missing = { abs: path.join(FIXTURES, 'does-not-exist.py'), rel: 'src/does-not-exist.py' };
    const pool = ChunkPool.tryCreate(2);
    assert.ok(pool, 'threads start from the TypeScript sources');
    try {
      assert.equal(pool.size, 2);
      const [takeA, takeB] = await Promise.all([pool.ingest(files.slice(0, 6)), pool.ingest([...files.slice(6), missing])]);
      const a = takeAll(takeA, 6);
      const b = takeAll(takeB, files.length - 6 + 1);
      const chunker = await Chunker.create();
      const here = [];
      for (const f of [...files, missing]) here.push(await ingestFile(async () => chunker, f));
      assert.deepEqual([...a, ...b], here);
      assert.ok(here.slice(0, -1).every((r) => r.ok && !r.unchanged && r.chunks.length > 0));
      assert.equal(here[here.length - 1].ok, false);
      // a known hash skips the chunking
      const first = here[0];
      assert.ok(first.ok);
      const again = (await pool.ingest([{ ...files[0], knownHash: first.hash }]))();
      assert.deepEqual(again, { ok: true, hash: first.hash, unchanged: true });
    } finally {
      await pool.close();
    }
  });

  it('keeps each batch\'s results for whoever takes them, in any order', async () => {
    const files = fs.readdirSync(FIXTURES).map((f) => ({ abs: path.join(FIXTURES, f), rel: `src/${f}` }));
    const pool = ChunkPool.tryCreate(1);
    assert.ok(pool);
    try {
      const batches = [files.slice(0, 2), files.slice(2, 4), files.slice(4, 6)];
      const takes = await Promise.all(batches.map((b) => pool.ingest(b)));
      const chunker = await Chunker.create();
      const expect = async (b: typeof files) => { const out = []; for (const f of b) out.push(await ingestFile(async () => chunker, f)); return out; };
      // the last batch first: the thread's replies queue in order, the earlier ones are kept aside
      assert.deepEqual(takeAll(takes[2], 2), await expect(batches[2]));
      assert.deepEqual(takes[0](), (await expect(batches[0]))[0]);
      assert.deepEqual(takeAll(takes[1], 2), await expect(batches[1]));
      assert.deepEqual(takes[0](), (await expect(batches[0]))[1]);
      assert.throws(() => takes[1](), /missing/, 'results are taken once');
    } finally {
      await pool.close();
    }
  });

  it('rejects the work of a thread that died, and everything after it', async () => {
    const pool = ChunkPool.tryCreate(1);
    assert.ok(pool);
    try {
      // a path that is not a string: the thread's chunker throws outside its per-file guards and the thread dies
      const abs = path.join(FIXTURES, 'sample.py');
      await assert.rejects(pool.ingest([{ abs, rel: { bad: true } as unknown as string }]));
      await assert.rejects(pool.ingest([{ abs, rel: 'sample.py' }]));
    } finally {
      await pool.close();
    }
  });

  it('a large run indexed with threads writes the same index as one without', async () => {
    const root = tmp('ws');
    const sources = fs.readdirSync(FIXTURES).filter((f) => !f.endsWith('.md'));
    // 240 files (> the 200-file threshold), every language, each made distinct
    for (let i = 0; i < 240; i++) {
      const f = sources[i % sources.length];
      const text = fs.readFileSync(path.join(FIXTURES, f), 'utf8');
      const ext = path.extname(f);
      fs.mkdirSync(path.join(root, `pkg${i % 7}`), { recursive: true });
      fs.writeFileSync(path.join(root, `pkg${i % 7}`, `${path.basename(f, ext)}_${i}${ext}`), `${text}\n${ext === '.py' || ext === '.rb' ? '#' : '//'} variant ${i}\n`);
    }
    const embedder = await loadEmbedder(buildTestModel({ parentDir: tmp('model') }).dir);
    const indexWith = async (chunkThreads: number): Promise<string> => {
      const indexDir = tmp(`idx${chunkThreads}`);
      const engine = await Engine.open({ roots: [root], indexDir, embedder, chunkThreads });
      const stats = await engine.index();
      assert.equal(stats.files, 240);
      assert.equal(stats.chunkThreads, chunkThreads, 'threads used');
      await engine.close();
      return indexDir;
    };
    const [serial, threaded] = [await indexWith(0), await indexWith(2)];
    await embedder.dispose();
    const dataFiles = (d: string) => fs.readdirSync(d).filter((f) => f !== FILES.manifest && f !== 'write.lock').sort();
    assert.deepEqual(dataFiles(threaded), dataFiles(serial));
    for (const f of dataFiles(serial)) {
      assert.ok(fs.readFileSync(path.join(serial, f)).equals(fs.readFileSync(path.join(threaded, f))), `${f} differs`);
    }
  });
});
