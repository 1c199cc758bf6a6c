// Depth-first walk of a folder tree for the training scripts (fetch sweep,
// cache sizes and counts, the harvester's file listing). Folders that cannot
// be read are passed over; `visit` decides, for each entry, whether to go into it.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface WalkOptions {
  /** Visit each folder's entries in code-unit order of their names (reproducible listings). */
  sorted?: boolean;
}

/** Calls visit(path, entry) for every entry below root; a folder is entered when visit returns true. */
export function walkTree(root: string, visit: (abs: string, entry: fs.Dirent) => boolean, opts: WalkOptions = {}): void {
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    if (opts.sorted) entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      if (visit(abs, e) && e.isDirectory()) stack.push(abs);
    }
  }
}

/** Size of a file, 0 when it vanished meanwhile. */
export function fileSize(abs: string): number {
  try {
    return fs.statSync(abs).size;
  } catch {
    return 0;
  }
}
