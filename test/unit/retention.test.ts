// Long-lived dictionaries and caches must not keep the texts their keys were
// cut from: V8 substrings of 13+ characters point into their parent string.
import { strict as assert } from 'node:assert';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Tokenizer } from '../../src/core/embed/tokenizer';
import { KeywordIndex } from '../../src/core/keyword/keywordIndex';
import { detached } from '../../src/core/text/detached';
import { rawWords, splitIdentifier } from '../../src/core/text/identifiers';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const TEXTS = 60;
const TEXT_BYTES = 1 << 20;

/** A 1 MB text whose one long identifier is unique to it (and to the test: caches are shared). */
function bigText(i: number, tag: string): string {
  return `function ${tag}IdentifierNumber${i}Here() {}\n` + '; '.repeat(TEXT_BYTES / 2);
}

/** Heap growth (MB) left after feeding TEXTS big texts to `take` and dropping them. */
function retainedMB(tag: string, take: (text: string, i: number) => void): number {
  gc(); gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < TEXTS; i++) take(bigText(i, tag), i);
  gc(); gc();
  return (process.memoryUsage().heapUsed - before) / (1 << 20);
}

describe('held strings do not retain their source texts', () => {
  it('detached() keeps the characters', () => {
    const parent = 'prefix_' + 'abcdefghijklmnopqrstuvwxyz'.repeat(4);
    const s = parent.slice(7, 40);
    assert.equal(detached(s), s);
    assert.equal(detached('short'), 'short');
  });

  it('keyword index terms', () => {
    const index = new KeywordIndex();
    // 60 retained texts would be ≥ 60 MB
    const mb = retainedMB('keyword', (text, i) => index.add(i, { name: '', signature: '', text }));
    assert.ok(mb < 20, `keyword index kept ${mb.toFixed(1)} MB`);
    assert.ok(index.bm25.docFreq('keywordidentifiernumber7here') === 1);
  });

  it('the identifier split cache', () => {
    const mb = retainedMB('split', (text) => { for (const w of rawWords(text)) splitIdentifier(w); });
    assert.ok(mb < 20, `split cache kept ${mb.toFixed(1)} MB`);
  });

  it('the identifier split cache, for a megabyte-long word', () => {
    const mb = retainedMB('giant', (text, i) => splitIdentifier(`giant${i}` + 'q'.repeat(TEXT_BYTES)));
    assert.ok(mb < 20, `split cache kept ${mb.toFixed(1)} MB`);
  });

  it('the tokenizer row cache', () => {
    const t = new Tokenizer({ vocab: ['function'], ngramBuckets: 100, ngramSizes: [3], maxTokens: 8 });
    const mb = retainedMB('tokenizer', (text) => { t.encode(text); });
    assert.ok(mb < 20, `tokenizer kept ${mb.toFixed(1)} MB`);
  });
});
