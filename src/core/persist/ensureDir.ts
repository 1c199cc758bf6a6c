// Creating a folder and its missing parents one level at a time. Node's
// recursive mkdir loops forever where a parent exists but refuses children
// with ENOENT (/proc, /sys): creating each level ourselves turns that into an
// error with the path in it.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function ensureDir(dir: string): void {
  const abs = path.resolve(dir);
  const missing: string[] = [];
  let cur = abs;
  for (;;) {
    let st: fs.Stats | undefined;
    try { st = fs.statSync(cur); } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (st) {
      if (!st.isDirectory()) throw Object.assign(new Error(`${cur} is not a folder`), { code: 'ENOTDIR' });
      break;
    }
    missing.push(cur);
    const parent = path.dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
  for (const d of missing.reverse()) {
    try { fs.mkdirSync(d); } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
