// Terms for the keyword index: identifier parts (stemmed) plus the raw compound
// identifier, so `parseDuration`, `parse_duration` and "parse duration" meet.
import { splitWords } from '../text/identifiers';

// Words too common to be index terms. Not text/stopWords.ts's list (what is not worth
// highlighting): this one also drops frequent code words ("get", "not") and is part
// of the index format, so changing it needs a rebuild of every index.
const STOP_WORDS = new Set((
  'a an and are as at be been being but by can could do does did for from had has have how i if in into is it its ' +
  'me my no not of on or our should so some such than that the their them then there these they this those to ' +
  'too was we were what when where which while who why will with would you your get gets'
).split(' '));

/** Conservative suffix stripping (a subset of Porter step 1 plus a final -e) applied to query and code alike. */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3 || /\d/.test(w)) return w;
  if (w.endsWith('ies') && w.length > 4) w = w.slice(0, -3) + 'y';
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  if (w.length > 3 && /([bdfgklmnprt])\1$/.test(w)) w = w.slice(0, -1); // running → runn → run
  if (w.length > 4 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

/** Terms of a text, with repeats (term frequency matters). Single letters and stop words dropped. */
export function textTerms(text: string, out: string[] = []): string[] {
  for (const w of splitWords(text)) {
    if (w.parts.length > 1 && w.raw.length > 2) out.push(w.raw);
    for (const p of w.parts) {
      if (p.length < 2 || STOP_WORDS.has(p)) continue;
      out.push(stem(p));
    }
  }
  return out;
}

/** Distinct query terms, in order. A compound identifier contributes its raw form and its parts. */
export function queryTerms(query: string): string[] {
  const seen = new Set<string>();
  for (const t of textTerms(query)) seen.add(t);
  // A query made only of stop words ("how does it work") still deserves an answer.
  if (seen.size === 0) for (const w of splitWords(query)) for (const p of w.parts) if (p.length >= 2) seen.add(stem(p));
  return [...seen];
}
