// Symbol names as Go to Symbol sees them: the last segment of a qualified name,
// split into lower-cased parts, matched by "humps" (gcc → get_content_charset,
// getContChs → get_content_charset). Shared by the name index, which scans
// every distinct name, and the ranker, which scores the candidates.
import { splitIdentifier, splitWords } from './identifiers';

/** Last segment of a qualified name: "Query.isStaleByTime" → "isStaleByTime". */
export function shortName(name: string): string {
  const m = /([^.:#\s]+)\s*$/.exec(name);
  return m ? m[1] : name;
}

const ASCII_RE = /^[\x00-\x7f]*$/;

/**
 * Lower-cased parts of a name's last segment: "mod::get_content-charSet" →
 * get, content, char, set. Shared with the split cache: do not mutate.
 */
export function nameParts(name: string): string[] {
  const short = shortName(name);
  // An ASCII name is one cached split (the ranker calls this for every
  // candidate of every query); elsewhere only Unicode letters and digits make words.
  return ASCII_RE.test(short) ? splitIdentifier(short) : splitWords(short).flatMap((w) => w.parts);
}

// A query is one identifier when it has no spaces; dots and colons qualify it.
const TOKEN_RE = /^[\p{L}\p{N}_$.:#-]+$/u;
const TOKEN_MAX = 64;
const SPACE = 32;

/**
 * The query's identifier for hump matching, its parts joined ("Foo.getContChs"
 * → "getcontchs"), or null when the query is not a single identifier of 2..64
 * characters: prose words would hump-match far too much.
 */
export function humpQuery(query: string): string | null {
  const q = query.trim();
  if (!TOKEN_RE.test(q)) return null;
  const joined = nameParts(q).join('');
  return joined.length >= 2 && joined.length <= TOKEN_MAX ? joined : null;
}

/**
 * Bits of the characters a string holds, to reject a name that lacks one of
 * the query's characters before matching it. Letters a–z have a bit each;
 * digits and other characters share a few (false positives only cost a match).
 * Kept within 30 bits so the masks stay small integers in V8.
 */
export function charMask(s: string): number {
  let m = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) m |= 1 << (c - 97);
    else if (c >= 48 && c <= 57) m |= 1 << (26 + ((c - 48) % 3));
    else if (c !== SPACE) m |= 1 << 29;
  }
  return m;
}

// What each matched query character earns, in half points: starting a part
// or continuing a run scores in full, a character taken further on in the
// same part half. Every name part the match never touches costs as much as a gap.
const HUMP = 2;
const RUN = 2;
const GAP = 1;
const UNTOUCHED = 1;
const NONE = -(1 << 28); // no match; stays far below any real value after a few additions

// Scratch rows for humpScore: it runs on thousands of names per query.
let prevRow = new Int32Array(64);
let curRow = new Int32Array(64);

/**
 * How well `query` (lower-case, no separators: humpQuery()) matches a name
 * given as its parts joined by single spaces (nameParts().join(' ')), 0..1.
 * The query's first character must start the name (as in VS Code); each
 * further one either starts a later part or falls in the part of the one
 * before it, so "gcc" matches "get content charset" and "get connection" but
 * not "parse duration" nor "logic cache". 1 when every character starts a part
 * or continues a run and every part is touched; lower for gaps and untouched
 * parts; 0 for no match.
 */
export function humpScore(query: string, spaced: string): number {
  const L = query.length;
  const n = spaced.length;
  if (L === 0 || L > n || query.charCodeAt(0) !== spaced.charCodeAt(0)) return 0;
  // cheap necessary condition: a plain subsequence
  for (let i = 1, j = 0; i < L; i++) {
    const c = query.charCodeAt(i);
    do j++; while (j < n && spaced.charCodeAt(j) !== c);
    if (j === n) return 0;
  }
  if (prevRow.length < n) { prevRow = new Int32Array(n * 2); curRow = new Int32Array(n * 2); }
  // prev[j]: best value of a match of query[0..i) whose last character is at j
  let prev = prevRow;
  let cur = curRow;
  prev[0] = HUMP;
  for (let j = 1; j < n; j++) prev[j] = NONE;
  for (let i = 1; i < L; i++) {
    const c = query.charCodeAt(i);
    let before = NONE; // max over earlier j0 of prev[j0] + UNTOUCHED × part(j0): a hump may follow any
    let inPart = NONE; // max of prev over this part so far: a gap may follow within the part
    let any = false;
    let part = 0;
    for (let j = 0; j < n; j++) {
      const code = spaced.charCodeAt(j);
      let v = NONE;
      if (code === SPACE) {
        part++;
        inPart = NONE;
      } else if (code === c) {
        if (j === 0 || spaced.charCodeAt(j - 1) === SPACE) v = before + HUMP - UNTOUCHED * (part - 1);
        else v = prev[j - 1] + RUN > inPart + GAP ? prev[j - 1] + RUN : inPart + GAP;
        if (v > NONE / 2) any = true;
        else v = NONE;
      }
      cur[j] = v;
      const p = prev[j];
      if (p + UNTOUCHED * part > before) before = p + UNTOUCHED * part;
      if (p > inPart) inPart = p;
    }
    if (!any) return 0;
    const t = prev; prev = cur; cur = t;
  }
  // parts after the last match are untouched too
  let lastPart = 0;
  for (let j = 0; j < n; j++) if (spaced.charCodeAt(j) === SPACE) lastPart++;
  let best = NONE;
  for (let j = 0, part = 0; j < n; j++) {
    if (spaced.charCodeAt(j) === SPACE) part++;
    else if (prev[j] - UNTOUCHED * (lastPart - part) > best) best = prev[j] - UNTOUCHED * (lastPart - part);
  }
  // best is at most 2L (a perfect match); map (−∞, 2L] onto (0, 1]
  return best <= NONE / 2 ? 0 : (2 * L) / (4 * L - best);
}

/**
 * The most humpScore() can give a query of `length` characters against a name
 * of `parts` parts: each character touches one part at most, and the others
 * stay untouched. Lets a scan skip names that cannot beat what it has.
 */
export function humpBound(length: number, parts: number): number {
  return (2 * length) / (2 * length + UNTOUCHED * Math.max(0, parts - length));
}
