// Turns a doc comment or an inline comment into a search-like query: the
// first sentence, markup stripped, a leading name removed (so a name match
// cannot do the model's work), and rejected with a reason when it is not prose.
import { isLicenseText } from '../chunk/docText';
import { rawWords, splitIdentifier } from '../text/identifiers';

export const MIN_QUERY_WORDS = 3;
export const MAX_QUERY_WORDS = 40;
/** Inline comments need more words: short ones are labels ("fast path"), not descriptions. */
export const MIN_INLINE_WORDS = 4;

export type QueryResult = { query: string } | { reject: string };

// Lines after which the summary paragraph is over: tags, RST fields, docstring sections, examples.
const TAG_LINE = /^(?:[@\\][A-Za-z_]\w*|:[a-zA-Z][\w ]*(?:\s+[\w.*]+)?:|>>>|```|\.\.\s|-{3,}\s*$|={3,}\s*$|#{1,6}\s)/;
const SECTION_LINE = /^(?:Args|Arguments|Parameters|Params|Param|Returns?|Return [Vv]alue|Raises|Throws|Exceptions?|Yields|Examples?|Example [Uu]sage|Notes?|See [Aa]lso|Warnings?|Usage|Options|Attributes|Keyword [Aa]rguments|Other [Pp]arameters|Todo|References|Safety|Panics|Errors|Deprecated|Since|Version|Authors?)\s*:?\s*$|^(?:Args|Arguments|Parameters|Params|Returns?|Raises|Throws|Yields|Examples?)\s*:/;
// Summary-tags whose text is the summary itself.
const SUMMARY_TAG = /^[@\\](?:brief|short|summary|description|desc|details|abstract|overview)\b\s*/i;
// Tags that say only parameter/return facts.
const PARAM_TAG = /^(?:[@\\](?:param|arg|argument|return|returns|throws|exception|raise|raises|type|typedef|property|prop|template|tparam|retval|var|see|since|deprecated|author|version|example|internal|private|public|override|inheritdoc|ignore|hidden|api|module|file|namespace|callback|fires|event|yields|default)\b|:(?:param|parameter|arg|argument|key|keyword|type|rtype|return|returns|raises|raise|except|exception|var|ivar|cvar)\b)/i;
// A first line that is a call signature (C-extension docstrings: "S.lower() -> str").
const SIGNATURE_LINE = /^[\w.$]+\s*\([^)]*\)\s*(?:->\s*.+)?$|^[\w.$]+\s*\([^)]*\)\s*:\s*\w+$/;

const HTML_TAGS = 'a|b|i|u|em|strong|code|tt|pre|p|br|hr|ul|ol|li|dl|dt|dd|span|div|sup|sub|var|kbd|samp|blockquote|h[1-6]|table|thead|tbody|tr|td|th|img|small|big|cite|s|del|ins|mark|abbr|font|center|nobr|wbr|summary|c|para|see|seealso|paramref|typeparamref|returns|remarks|example|value|list|item|term|description|inheritdoc';
const HTML_TAG_RE = new RegExp(`</?(?:${HTML_TAGS})(?:\\s[^<>]*)?/?>`, 'gi');
const HTML_BREAK_RE = /<(?:p|br|ul|ol|li|dl|dt|dd|pre|blockquote|h[1-6]|table|hr)(?:\s[^<>]*)?\/?>/gi;

const ENTITIES: Record<string, string> = {
  lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: ' ', mdash: '—', ndash: '–', hellip: '…', rsquo: "'", lsquo: "'", rdquo: '"', ldquo: '"', laquo: '«', raquo: '»', times: '×', le: '≤', ge: '≥', ne: '≠',
};

const ABBREVIATIONS = new Set(['e.g', 'i.e', 'etc', 'vs', 'cf', 'viz', 'approx', 'mr', 'mrs', 'dr', 'resp', 'incl', 'esp', 'fig', 'eq', 'al', 'ca', 'jr', 'sr', 'vol', 'ie', 'eg', 'aka', 'w.r.t', 'a.k.a']);

function decodeEntities(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_m, d: string) => safeChar(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => safeChar(parseInt(h, 16)))
    .replace(/&([a-z]+);/gi, (m, n: string) => ENTITIES[n.toLowerCase()] ?? m);
}

function safeChar(code: number): string {
  return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
}

/** Last segment of a dotted / path-like reference: "~a.b.C" → "C", "Foo#bar()" → "Foo.bar". */
function referenceText(target: string, shortForm: boolean): string {
  let t = target.trim().replace(/\(.*\)$/, '').replace(/#/g, '.').replace(/^\.+/, '');
  if (shortForm || t.startsWith('~')) {
    t = t.replace(/^~/, '');
    const parts = t.split(/\.|::/);
    t = parts[parts.length - 1] || t;
  }
  return t;
}

/** Inline markup of JSDoc/Javadoc, Doxygen, RST, Markdown, rdoc and HTML reduced to its words. */
export function stripMarkup(text: string): string {
  let s = text;
  // Javadoc / JSDoc inline tags
  s = s.replace(/\{@inheritDoc\}/gi, ' ');
  s = s.replace(/\{@link(?:plain|code)?\s+([^}|\s]+)(?:\s*\|\s*|\s+)?([^}]*)\}/g, (_m, target: string, label: string) => (label.trim() ? label.trim() : referenceText(target, false)));
  s = s.replace(/\{@\w+\s+([^}]*)\}/g, '$1');
  s = s.replace(/\{@\w+\}/g, ' ');
  // HTML
  s = s.replace(HTML_TAG_RE, ' ');
  s = decodeEntities(s);
  // RST roles, literals and links
  s = s.replace(/(?::[\w-]+)+:`([^`<]*?)\s*(?:<([^>]+)>)?`/g, (_m, text: string, target: string | undefined) => {
    const t = text.trim();
    return t ? referenceText(t, t.startsWith('~')) : referenceText(target ?? '', true);
  });
  s = s.replace(/`([^`<]+?)\s*<[^>]+>`_{1,2}/g, '$1');
  s = s.replace(/``([^`]+)``/g, '$1');
  s = s.replace(/`([^`]+)`_{1,2}/g, '$1');
  // Markdown links: [text](url), [text][ref], [`Foo`] (Rust intra-doc links)
  s = s.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1');
  s = s.replace(/\[([^\]]+)\]\[[^\]]*\]/g, '$1');
  s = s.replace(/\[`([^`\]]+)`\]/g, '$1');
  s = s.replace(/\[([^\]\s]+)\](?!\()/g, '$1');
  // GNU-style `quotes'
  s = s.replace(/`([^`'\s][^`']*)'/g, '$1');
  s = s.replace(/`+([^`]*)`+/g, '$1');
  // emphasis
  s = s.replace(/\*\*([^*]+)\*\*/g, '$1').replace(/(^|[\s(])__([^_]+)__(?=[\s.,;:!?)]|$)/g, '$1$2');
  s = s.replace(/(^|[\s(])\*([^*\s][^*]*)\*(?=[\s.,;:!?)]|$)/g, '$1$2').replace(/(^|[\s(])_([^_\s][^_]*)_(?=[\s.,;:!?)]|$)/g, '$1$2');
  // rdoc +code+
  s = s.replace(/(^|[\s(])\+([\w.:#?!]+)\+(?=[\s.,;:!?)]|$)/g, '$1$2');
  // Doxygen inline commands
  s = s.replace(/[\\@](?:p|c|a|e|b|em|ref|link|endlink|sa)\s+/g, '');
  return s.replace(/\s+/g, ' ').trim();
}

/** The summary paragraph of a doc text: its first lines up to a blank line or a section. */
export function summaryParagraph(doc: string): string {
  const lines = doc.replace(HTML_BREAK_RE, '\n\n').split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].trim();
    // Python / Go / Rust docs: a line followed by an underline is a heading, not prose.
    const next = lines[i + 1]?.trim() ?? '';
    if (out.length === 0) {
      if (line === '' || /^[-=*#~^]{3,}$/.test(line)) continue;
      if (SIGNATURE_LINE.test(line) && !/\s\w+\s/.test(line.replace(/\(.*\)/, ''))) continue;
      line = line.replace(SUMMARY_TAG, '');
      if (line === '') continue;
      if (PARAM_TAG.test(line) || TAG_LINE.test(line)) return '';
      if (/^[-=~^]{3,}$/.test(next)) return '';
      out.push(line);
      continue;
    }
    if (line === '' || TAG_LINE.test(line) || SECTION_LINE.test(line) || PARAM_TAG.test(line) || /^See\s/.test(line) || /^[-=~^]{3,}$/.test(next)) break;
    // C# XML docs become "name: text" lines after the summary
    if (/^[A-Za-z_]\w*:\s/.test(line) && !/[.!?]$/.test(out[out.length - 1])) {
      if (/^(?:returns|throws \w+|[a-z]\w*):/.test(line)) break;
    }
    out.push(line);
  }
  return out.join(' ');
}

/** The first sentence of a one-paragraph text (the whole text when no sentence end is found). */
export function firstSentence(text: string): string {
  const re = /([.!?。])(?=\s+|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const end = m.index;
    const after = text.slice(end + 1);
    if (m[1] === '.') {
      const word = /([\w.]+)$/.exec(text.slice(0, end))?.[1]?.toLowerCase() ?? '';
      if (ABBREVIATIONS.has(word) || /^[a-z]$/.test(word) || /\.\w$/.test(word)) continue;
      // A following lower-case word continues the sentence ("the x. value is ...").
      const nextWord = /^\s+(\S)/.exec(after)?.[1] ?? '';
      if (nextWord && /[a-z]/.test(nextWord)) continue;
    }
    return text.slice(0, end + 1).trim();
  }
  return text.trim();
}

/** Query normalisation used for dedup and repeat counting: lower case, single spaces, no end punctuation. */
export function normaliseQuery(q: string): string {
  return q.toLowerCase().replace(/\s+/g, ' ').replace(/[\s.!?:;,]+$/, '').trim();
}

/**
 * A query with its variable parts masked (quoted text, numbers, identifiers
 * such as en_US or fooBar): generated code repeats one sentence with a
 * different value in each copy ("translator for the 'af' locale"), which
 * counts as one repeated query.
 */
export function queryTemplate(q: string): string {
  return normaliseQuery(
    q.replace(/(["'`])[^"'`]{1,60}\1/g, ' # ')
      .split(/\s+/)
      .map((w) => (/\d|[_$]|\p{Ll}\p{Lu}/u.test(w) ? '#' : w))
      .join(' '),
  );
}

/** Words of a query that hold a letter. */
export function queryWords(q: string): string[] {
  return q.split(/\s+/).filter((w) => /\p{L}/u.test(w));
}

// Words that follow a name used as a subject: "Foo returns …", "Foo is …" (Go's doc convention).
const SUBJECT_VERB = /^(?:is|are|was|were|has|have|had|can|could|will|would|should|must|may|might|does|do|did|shall|[a-z]+[^s\W]s|[a-z]+ies|[a-z]+(?:sses|shes|ches|xes|zes))$/;

/**
 * Leading "Name" / "`name()`" / "Type.name:" of a query, when it names the
 * unit itself. A single plain word equal to the name is the name only when a
 * verb follows ("Close closes the file"), not when it is the verb ("Erase a value").
 */
export function stripLeadingName(query: string, unitName: string): string {
  if (!unitName) return query;
  const segments = unitName.split(/\.|::|#/).filter(Boolean);
  const names = new Set<string>([unitName.toLowerCase(), ...segments.map((s) => s.toLowerCase())]);
  const simple = segments[segments.length - 1] ?? unitName;
  names.add(simple.toLowerCase());
  // kernel-doc and friends: "struct foo - …", "function foo: …"
  const keyword = /^(?:struct|union|enum|typedef|class|interface|trait|type|function|func|fn|def|method|macro|define)\s+(?=\S)/i.exec(query)?.[0] ?? '';
  const m = /^([`'"*]*)([\w$]+(?:(?:\.|::|#)[\w$]+)*)(\([^)]*\))?([`'"*]*)(?:'s\b)?/.exec(query.slice(keyword.length));
  if (!m) return query;
  const token = m[2].toLowerCase();
  const last = token.split(/\.|::|#/).pop() ?? token;
  if (!names.has(token) && !(last === simple.toLowerCase() && token.includes('.'))) return query;
  const rest = query.slice(keyword.length + m[0].length);
  if (rest !== '' && !/^[\s:,\-–—]/.test(rest)) return query;
  const separated = /^\s*[:\-–—]/.test(rest);
  if (keyword && !separated) return query;
  const marked = Boolean(m[1] || m[3] || m[4]);
  const compound = /[_$.:#\d]/.test(m[2]) || /[a-z][A-Z]/.test(m[2]) || /^[A-Z]{2,}[a-z]/.test(m[2]);
  const nextWord = /^[\s,]*([A-Za-z]+)/.exec(rest)?.[1] ?? '';
  if (!separated && !marked && !compound && !SUBJECT_VERB.test(nextWord)) return query;
  return rest.replace(/^[\s:,\-–—]+/, '');
}

/** True when a text is code rather than prose (commented-out code, examples). */
export function looksLikeCode(text: string, maxPunctuation = 0.1): boolean {
  const t = text.trim();
  if (t === '') return false;
  if (/[;{}]\s*$|^[{}]/.test(t)) return true;
  if (/^(?:if|for|while|return|var|let|const|import|export|declare|type|typedef|template|from|def|class|func|fn|pub|public|private|protected|static|else|elif|try|catch|throw|raise|print|printf|assert|yield|await|async|new|delete|struct|enum|int|void|char|bool|auto|using|namespace|package|use|require|include|echo|puts)\b\s*[\w(.<*&[{'"$]/.test(t) && /[(){}=;\[\].<>]/.test(t)) return true;
  if (/^(?:#\s*(?:include|define|ifn?def|endif|if|else|elif|undef|pragma)\b)/.test(t)) return true;
  if (/^[\w.$\[\]'"]+\s*(?:=|\+=|-=|\*=|\/=|:=|==|!=|===|=>|->|<-|\|\|=|\?\?=)\s*\S/.test(t)) return true;
  if (/^[\w.$]+(?:\.[\w$]+)*\(.*\)\s*[;,)]?$/.test(t)) return true;
  if (/^(?:this|self|ctx|c|s|t|r|w|p|x|err|e)\.[\w$]+/.test(t) && /[()=]/.test(t)) return true;
  if (/\)\s*\{|\w\(\w*\)\s*;|\)\s*=>|^\s*\)/.test(t)) return true;
  const punct = (t.match(/[(){}\[\];=<>|&!$]/g) ?? []).length;
  return punct / t.length > maxPunctuation;
}

const REFERENCE_ONLY = /\b(?:do not|don'?t) use\b|^(?:(?:taken|borrowed|copied|adapted|ported|stolen|derived|vendored) from\b|from [\w.-]+\/[\w.-]+|see\b|same as\b|alias(?:es)? (?:for|of|to)\b|deprecated\b|inherit|(?:overrides?|implements?|implementation of) \S+\.?$|copied from\b|refer to\b|as per\b|cf\.|wrapper (?:for|around) \S+\.?$|@)/i;
const TODO = /^(?:todo|fixme|xxx|hack|bug|nb|note to self)\b/i;
const DIRECTIVE = /\b(?:eslint|tslint|jshint|jscs|istanbul|prettier-ignore|noqa|nolint|NOSONAR|pylint|pyright|mypy|type:\s*ignore|rubocop|clang-format|clang-tidy|NOLINT|SPDX-License-Identifier|@ts-|c8 ignore|coverage:|pragma|lint:|go:generate|go:build|\+build|nosec|phpcs|phpstan|psalm|codeCoverageIgnore|falls? ?through|fallthrough|no-op|noop)\b/i;

function nonAsciiLetterShare(q: string): number {
  if (!/[^\x00-\x7f]/.test(q)) return 0;
  let letters = 0;
  let foreign = 0;
  for (const ch of q) {
    if (/\p{L}/u.test(ch)) {
      letters++;
      if (ch.charCodeAt(0) > 0x24f) foreign++;
    }
  }
  return letters === 0 ? 1 : foreign / letters;
}

/** Share of whitespace-separated tokens that are plain words ("value", "don't", "well-known,"). */
function plainWordShare(q: string): number {
  const tokens = q.split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return 0;
  let plain = 0;
  for (const t of tokens) if (/^[("'“]?\p{L}+(?:['’-]\p{L}+)*[)"'”]?[.,;:!?]?$/u.test(t)) plain++;
  return plain / tokens.length;
}

function tidyQuery(q: string): string {
  return q
    .replace(/^[\s\-–—:;,.*•>|]+/, '')
    .replace(/[\s:;,]+$/, '')
    .replace(/\.+$/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Checks shared by doc and inline queries; null when the query is acceptable. */
function rejectReason(q: string, unitName: string, minWords: number, maxPunctuation: number): string | null {
  const words = queryWords(q);
  if (words.length < minWords) return 'query too short';
  if (words.length > MAX_QUERY_WORDS) return 'query too long';
  if (PARAM_TAG.test(q) || /^(?:param(?:eter)?s?|arg(?:ument)?s?|returns?)\s*:/i.test(q)) return 'parameter docs only';
  if (REFERENCE_ONLY.test(q)) return 'reference only (see / alias / deprecated)';
  if (TODO.test(q)) return 'todo note';
  if (DIRECTIVE.test(q)) return 'tool directive';
  if (isLicenseText(q) || /\bauto-?generated\b|\bgenerated by\b|do not edit/i.test(q)) return 'license or generated note';
  if (nonAsciiLetterShare(q) > 0.3) return 'not English';
  if (plainWordShare(q) < 0.5) return 'not prose (few plain words)';
  if (looksLikeCode(q, maxPunctuation)) return 'code, not prose';
  if (/https?:\/\/\S+/.test(q) && queryWords(q.replace(/https?:\/\/\S+/g, '')).length < minWords) return 'link only';
  if (unitName) {
    const nameParts = new Set(unitName.split(/\.|::|#/).flatMap((s) => splitIdentifier(s)));
    const qParts = rawWords(q).flatMap((w) => splitIdentifier(w));
    const filler = new Set(['the', 'a', 'an', 'of', 'for', 'to', 'and', 'function', 'method', 'class', 'type', 'struct', 'interface', 'enum', 'trait', 'impl', 'new', 'this', 'is', 'object', 'instance', 'constructor', 'constructs', 'creates', 'default', 'implementation']);
    if (qParts.length > 0 && qParts.every((p) => nameParts.has(p) || filler.has(p))) return 'query is just the name';
  }
  return null;
}

/**
 * The query of a doc comment / docstring: first sentence of the summary
 * paragraph, markup stripped, leading unit name removed.
 */
export function docQuery(doc: string, unitName: string): QueryResult {
  if (!doc.trim()) return { reject: 'no doc' };
  const paragraph = summaryParagraph(doc);
  if (!paragraph) return { reject: 'parameter docs only' };
  const plain = stripMarkup(paragraph);
  const sentence = firstSentence(plain);
  const q = tidyQuery(stripLeadingName(tidyQuery(sentence), unitName));
  const reason = rejectReason(q, unitName, MIN_QUERY_WORDS, 0.1);
  return reason ? { reject: reason } : { query: q };
}

/** The query of an inline comment's text (markers already removed). */
export function inlineQuery(comment: string, unitName: string): QueryResult {
  const raw = comment.trim();
  if (!raw) return { reject: 'empty comment' };
  if (DIRECTIVE.test(raw) || TODO.test(raw)) return { reject: DIRECTIVE.test(raw) ? 'tool directive' : 'todo note' };
  if (isLicenseText(raw)) return { reject: 'license or generated note' };
  // any line of a comment block that is code makes it commented-out code
  for (const line of raw.split('\n')) if (line.trim() && looksLikeCode(line, 0.08)) return { reject: 'commented-out code' };
  const paragraph = raw.split(/\n\s*\n/)[0].replace(/\s*\n\s*/g, ' ');
  const plain = stripMarkup(paragraph.replace(/^(?:note|nb|n\.b\.|important|warning|explanation)\s*[:-]\s*/i, ''));
  const q = tidyQuery(stripLeadingName(tidyQuery(firstSentence(plain)), unitName));
  const reason = rejectReason(q, '', MIN_INLINE_WORDS, 0.08);
  return reason ? { reject: reason } : { query: q };
}
