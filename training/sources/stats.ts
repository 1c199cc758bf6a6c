// Counts source files per extension in the fetched cache (what the harvester
// will have to work with). Run alone: npx tsx training/sources/stats.ts [dir]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileSize, walkTree } from '../walkTree';
import { sourcesCacheDir } from './paths';

/** Extensions reported, in this order; '.d.ts' is counted apart from '.ts'. */
export const REPORTED_EXTENSIONS = [
  '.py', '.go', '.rs', '.java', '.js', '.mjs', '.cjs', '.jsx', '.ts', '.tsx', '.d.ts', '.c', '.h', '.cpp', '.cc', '.hpp', '.cs', '.rb', '.php',
] as const;

export interface SourceStats {
  /** Per top-level area (deb, npm) and extension: number of files. */
  files: Record<string, Record<string, number>>;
  /** Per area: bytes of all files. */
  bytes: Record<string, number>;
  totalFiles: number;
}

function extensionOf(name: string): string | null {
  if (name.endsWith('.d.ts') || name.endsWith('.d.mts') || name.endsWith('.d.cts')) return '.d.ts';
  const ext = path.extname(name);
  return (REPORTED_EXTENSIONS as readonly string[]).includes(ext) ? ext : null;
}

/** Walks the cache (skipping stamps and scratch folders) and counts files. */
export function collectSourceStats(root: string): SourceStats {
  const stats: SourceStats = { files: {}, bytes: {}, totalFiles: 0 };
  let areas: string[];
  try {
    areas = fs.readdirSync(root).filter((a) => !a.startsWith('.'));
  } catch {
    return stats;
  }
  for (const area of areas) {
    const counts: Record<string, number> = {};
    let bytes = 0;
    walkTree(path.join(root, area), (p, e) => {
      if (e.isDirectory()) return !e.name.endsWith('.partial');
      if (!e.isFile()) return false;
      stats.totalFiles++;
      bytes += fileSize(p);
      const ext = extensionOf(e.name);
      if (ext) counts[ext] = (counts[ext] ?? 0) + 1;
      return false;
    });
    stats.files[area] = counts;
    stats.bytes[area] = bytes;
  }
  return stats;
}

/** A small text table: one row per extension, one column per area. */
export function formatSourceStats(stats: SourceStats): string {
  const areas = Object.keys(stats.files).sort();
  const lines = [['ext', ...areas, 'total'].join('\t')];
  for (const ext of REPORTED_EXTENSIONS) {
    const row = areas.map((a) => stats.files[a][ext] ?? 0);
    const total = row.reduce((s, n) => s + n, 0);
    if (total > 0) lines.push([ext, ...row, total].join('\t'));
  }
  lines.push(['GB', ...areas.map((a) => (stats.bytes[a] / 1e9).toFixed(2)), (Object.values(stats.bytes).reduce((s, n) => s + n, 0) / 1e9).toFixed(2)].join('\t'));
  lines.push(`all files: ${stats.totalFiles}`);
  return lines.join('\n');
}

if (require.main === module) {
  const root = process.argv[2] ? path.resolve(process.argv[2]) : sourcesCacheDir();
  console.log(`source files under ${root}`);
  console.log(formatSourceStats(collectSourceStats(root)));
}
