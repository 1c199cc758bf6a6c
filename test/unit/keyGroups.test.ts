import { strict as assert } from 'node:assert';
import { groupKeys, keysOfCode } from '../../src/core/persist/keyGroups';

describe('keyGroups', () => {
  it('groups keys by code, each group in row order; codes with no rows and out of range are empty', () => {
    const keyOf = [10, 11, 12, 13, 14, 15];
    const codes = [2, 0, 2, 3, 0, 2];
    const g = groupKeys(keyOf.length, keyOf, (i) => codes[i], 5);
    assert.deepEqual(Array.from(keysOfCode(g, 0)), [11, 14]);
    assert.deepEqual(Array.from(keysOfCode(g, 1)), []);
    assert.deepEqual(Array.from(keysOfCode(g, 2)), [10, 12, 15]);
    assert.deepEqual(Array.from(keysOfCode(g, 3)), [13]);
    assert.deepEqual(Array.from(keysOfCode(g, 4)), []);
    assert.deepEqual(Array.from(keysOfCode(g, 5)), []);
    assert.deepEqual(Array.from(keysOfCode(g, -1)), []);
  });
});
