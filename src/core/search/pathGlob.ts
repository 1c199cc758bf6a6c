// What a person typed as a folder filter ("src/*.ts", "receiver"), as a test
// of a file path relative to its root. Every store applies it the same way.
// Globs run as a set of positions stepped once per character of the path
// (time: path length × glob length), never as a backtracking regular
// expression: `**a**a**a**a` cannot stall a search (it took seconds as one).
const GLOB_CHARS = /[*?[{]/;
/** Globs a pattern's {a,b} groups may spell out; past this the filter is refused. */
export const MAX_ALTERNATIVES = 256;

type Token =
  | { t: 'lit'; c: string }
  | { t: 'one' } // ? : one character within a name
  | { t: 'star' } // * : any characters within a name
  | { t: 'any' } // ** : any characters
  | { t: 'dirs' } // **/ : nothing, or any characters ending in '/'
  | { t: 'class'; negated: boolean; test: (c: string) => boolean };

/** The globs a pattern's {a,b} groups spell out (a group ends at the first '}', without nesting). */
function expandBraces(glob: string): string[] {
  const open = glob.indexOf('{');
  if (open < 0) return [glob];
  const close = glob.indexOf('}', open);
  if (close < 0) return [glob];
  const head = glob.slice(0, open);
  const rest = expandBraces(glob.slice(close + 1));
  const out: string[] = [];
  for (const alt of glob.slice(open + 1, close).split(',')) {
    for (const r of rest) {
      out.push(head + alt + r);
      if (out.length > MAX_ALTERNATIVES) throw new Error(`the path filter spells out more than ${MAX_ALTERNATIVES} globs with its {…} groups`);
    }
  }
  return out;
}

/** [body]: characters and ranges (a-z), negated by a leading ! or ^. */
function classToken(body: string): Token {
  const negated = body[0] === '!' || body[0] === '^';
  const s = negated ? body.slice(1) : body;
  const singles = new Set<string>();
  const ranges: Array<[string, string]> = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i + 1] === '-' && i + 2 < s.length) { ranges.push([s[i], s[i + 2]]); i += 2; } else singles.add(s[i]);
  }
  return { t: 'class', negated, test: (c) => singles.has(c) || ranges.some(([a, b]) => c >= a && c <= b) };
}

function tokenize(glob: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') { i++; out.push({ t: 'dirs' }); } else out.push({ t: 'any' });
    } else if (ch === '*') out.push({ t: 'star' });
    else if (ch === '?') out.push({ t: 'one' });
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) { out.push({ t: 'lit', c: ch }); continue; }
      out.push(classToken(glob.slice(i + 1, end)));
      i = end;
    } else out.push({ t: 'lit', c: ch });
  }
  return out;
}

/**
 * A matcher for one brace-free glob (lower-cased), over a lower-cased path: the whole path, or
 * the path up to a '/' (a folder above the file). States 0..m: before token j; m+1+j: inside the
 * `**\/` at token j; 2m+2: past the glob's end and a '/', anything may follow.
 */
function globMatcher(tokens: Token[]): (path: string) => boolean {
  const m = tokens.length;
  const TAIL = 2 * m + 2;
  const size = TAIL + 1;
  let cur = new Uint8Array(size);
  let next = new Uint8Array(size);
  const close = (set: Uint8Array): void => {
    for (let j = 0; j < m; j++) {
      const k = tokens[j].t;
      if (set[j] && (k === 'star' || k === 'any' || k === 'dirs')) set[j + 1] = 1;
    }
  };
  return (path) => {
    cur.fill(0);
    cur[0] = 1;
    close(cur);
    for (let p = 0; p < path.length; p++) {
      const c = path[p];
      next.fill(0);
      let any = false;
      for (let j = 0; j <= m; j++) {
        if (!cur[j]) continue;
        if (j === m) { if (c === '/') { next[TAIL] = 1; any = true; } continue; }
        const tok = tokens[j];
        switch (tok.t) {
          case 'lit': if (c === tok.c) { next[j + 1] = 1; any = true; } break;
          case 'one': if (c !== '/') { next[j + 1] = 1; any = true; } break;
          case 'class': if (tok.test(c) !== tok.negated) { next[j + 1] = 1; any = true; } break;
          case 'star': if (c !== '/') { next[j] = 1; any = true; } break;
          case 'any': next[j] = 1; any = true; break;
          case 'dirs': next[m + 1 + j] = 1; if (c === '/') next[j + 1] = 1; any = true; break;
        }
      }
      for (let j = 0; j < m; j++) {
        if (!cur[m + 1 + j]) continue;
        next[m + 1 + j] = 1;
        if (c === '/') next[j + 1] = 1;
        any = true;
      }
      if (cur[TAIL]) { next[TAIL] = 1; any = true; }
      if (!any) return false;
      close(next);
      [cur, next] = [next, cur];
    }
    return cur[m] === 1 || cur[TAIL] === 1;
  };
}

/**
 * A test for a file path (relative to its root, '/'-separated) from what a
 * person typed as a folder filter, or null for an empty filter. A glob matches
 * the whole path or a folder above it (`src/*` takes `src/auth/session.ts`);
 * a glob without '/' (`*.ts`, `receiver`) may match at any depth. Anything
 * else is a substring. Case-insensitive; a leading './' or '/' is ignored.
 * Throws when {…} groups spell out more than MAX_ALTERNATIVES globs.
 */
export function compilePathFilter(filter: string): ((file: string) => boolean) | null {
  const f = filter.trim().replace(/\\/g, '/').replace(/^\.?\/+/, '');
  if (!f) return null;
  if (!GLOB_CHARS.test(f)) {
    const needle = f.toLowerCase();
    return (file) => file.toLowerCase().includes(needle);
  }
  const glob = f.replace(/\/+$/, '').toLowerCase();
  const anywhere = !glob.includes('/');
  const matchers = expandBraces(glob).map((g) => globMatcher([...(anywhere ? [{ t: 'dirs' } as Token] : []), ...tokenize(g)]));
  return (file) => {
    const lower = file.toLowerCase();
    return matchers.some((match) => match(lower));
  };
}
