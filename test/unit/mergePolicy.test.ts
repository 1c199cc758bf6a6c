import * as assert from 'node:assert/strict';
import { MAX_SEGMENTS, pickMerge } from '../../src/core/keyword/mergePolicy';

describe('keyword segment merge policy', () => {
  const none = (n: number) => new Array<number>(n).fill(0);

  it('leaves up to MAX_SEGMENTS segments of different size classes alone', () => {
    assert.equal(pickMerge([5, 5, 5], none(3)), null);
    assert.equal(pickMerge(Array.from({ length: MAX_SEGMENTS }, (_, i) => 4 ** (MAX_SEGMENTS - i)), none(MAX_SEGMENTS)), null);
  });

  it('merges four neighbours of one size class, the newest first', () => {
    assert.deepEqual(pickMerge([1000, 900, 10, 10, 10, 10, 800], none(7)), [2, 6]);
    assert.deepEqual(pickMerge(new Array<number>(9).fill(1), none(9)), [5, 9]);
    assert.equal(pickMerge([5000, 300, 70, 20, 5], none(5)), null, 'sizes that differ by more than 4× stay apart');
  });

  it('past MAX_SEGMENTS, merges the smallest run of neighbours whatever their sizes', () => {
    const sizes = Array.from({ length: MAX_SEGMENTS + 1 }, (_, i) => 4 ** (MAX_SEGMENTS - i));
    assert.deepEqual(pickMerge(sizes, none(sizes.length)), [sizes.length - 4, sizes.length]);
  });

  it('rewrites a segment that is mostly removed chunks, however few segments there are', () => {
    assert.deepEqual(pickMerge([100, 40], [0, 20]), [1, 2]);
    assert.deepEqual(pickMerge([100, 40], [49, 19]), null);
  });

  it('keeps the number of segments logarithmic as flushes keep coming', () => {
    const sizes: number[] = [];
    let rewritten = 0;
    for (let flush = 0; flush < 400; flush++) {
      sizes.push(1);
      for (let pick; (pick = pickMerge(sizes, none(sizes.length)));) {
        const merged = sizes.slice(pick[0], pick[1]).reduce((a, b) => a + b, 0);
        rewritten += merged;
        sizes.splice(pick[0], pick[1] - pick[0], merged);
      }
      assert.ok(sizes.length <= MAX_SEGMENTS);
    }
    // each flushed document is rewritten about log_4(400) ≈ 4.3 times, not 400/2
    assert.ok(rewritten / 400 < 6, String(rewritten / 400));
  });
});
