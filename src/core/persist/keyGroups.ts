// Keys grouped by an integer code, as two typed arrays (4 bytes a key, 4 a
// code): the chunk table's per-file key lists, where the code is the file's
// path in the path column. A Map of arrays cost ~56 bytes a chunk.

/** The keys of code c are keys[start[c], start[c + 1]). */
export interface KeyGroups { start: Int32Array; keys: Int32Array }

/** Group rows 0 … n − 1 (key keyOf[i], code codeOf(i) in [0, codeCount)) by code, each group in row order. */
export function groupKeys(n: number, keyOf: ArrayLike<number>, codeOf: (row: number) => number, codeCount: number): KeyGroups {
  const codes = new Int32Array(n);
  const start = new Int32Array(codeCount + 1);
  for (let i = 0; i < n; i++) { codes[i] = codeOf(i); start[codes[i] + 1]++; }
  for (let c = 0; c < codeCount; c++) start[c + 1] += start[c];
  const at = start.slice(0, codeCount);
  const keys = new Int32Array(n);
  for (let i = 0; i < n; i++) keys[at[codes[i]]++] = keyOf[i];
  return { start, keys };
}

/** The keys of one code (a view). */
export function keysOfCode(g: KeyGroups, code: number): Int32Array {
  return code >= 0 && code < g.start.length - 1 ? g.keys.subarray(g.start[code], g.start[code + 1]) : new Int32Array(0);
}
