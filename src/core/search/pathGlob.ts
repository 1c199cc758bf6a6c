// What a person typed as a folder filter ("src/*.ts", "receiver"), as a test
// of a file path relative to its root. Every store applies it the same way.
const GLOB_CHARS = /[*?[{]/;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One glob as a regular expression source: `**` any folders, `*` and `?` within a name, `[...]` a class, `{a,b}` either. */
function globSource(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') { i++; out += '(?:.*/)?'; } else out += '.*';
    } else if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) { out += '\\['; continue; }
      const body = glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
      out += `[${body}]`;
      i = end;
    } else if (ch === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) { out += '\\{'; continue; }
      out += `(?:${glob.slice(i + 1, end).split(',').map(globSource).join('|')})`;
      i = end;
    } else out += escapeRegExp(ch);
  }
  return out;
}

/**
 * A test for a file path (relative to its root, '/'-separated) from what a
 * person typed as a folder filter, or null for an empty filter. A glob matches
 * the whole path or a folder above it (`src/*` takes `src/auth/session.ts`);
 * a glob without '/' (`*.ts`, `receiver`) may match at any depth. Anything
 * else is a substring. Case-insensitive; a leading './' or '/' is ignored.
 */
export function compilePathFilter(filter: string): ((file: string) => boolean) | null {
  const f = filter.trim().replace(/\\/g, '/').replace(/^\.?\/+/, '');
  if (!f) return null;
  if (!GLOB_CHARS.test(f)) {
    const needle = f.toLowerCase();
    return (file) => file.toLowerCase().includes(needle);
  }
  const anywhere = !f.replace(/\/+$/, '').includes('/');
  const re = new RegExp(`^${anywhere ? '(?:.*/)?' : ''}${globSource(f.replace(/\/+$/, ''))}(?:/.*)?$`, 'i');
  return (file) => re.test(file);
}

