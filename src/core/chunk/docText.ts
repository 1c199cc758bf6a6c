// Doc comments and docstrings as plain text, without comment markers.

/** Longest doc kept on a chunk; longer ones are cut at a line boundary. */
export const MAX_DOC_CHARS = 2000;

// Tool directives that sit in comments but say nothing about the code.
const DIRECTIVE = /^(?:#!|-\*-|eslint[- ]|@ts-|#?region\b|#?endregion\b|prettier-ignore|istanbul ignore|noqa\b|nolint\b|type:\s*ignore|pylint:|rubocop:|clang-format|NOLINT|SPDX-License-Identifier)/;

function stripLine(line: string): string {
  let l = line.trim();
  l = l.replace(/^\/\*+!?/, '').replace(/\*+\/$/, '');
  l = l.replace(/^(?:\/\/[/!]?|#+|--|\*(?!\*))/, '');
  return l.replace(/^ /, '').trimEnd();
}

function tidy(lines: string[]): string {
  const out: string[] = [];
  for (const raw of lines) {
    const l = raw.trimEnd();
    if (l.trim() === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(l);
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  let text = out.join('\n');
  if (text.length > MAX_DOC_CHARS) {
    const cut = text.lastIndexOf('\n', MAX_DOC_CHARS);
    text = text.slice(0, cut > MAX_DOC_CHARS / 2 ? cut : MAX_DOC_CHARS);
  }
  return text;
}

// C# XML doc comments: keep the words, drop the markup.
function stripXmlDoc(text: string): string {
  if (!/<\/?(?:summary|param|returns|remarks|see|paramref|typeparam|exception|para|c|code)\b/.test(text)) return text;
  return text
    .replace(/<(?:see|seealso)\s+(?:cref|href|langword)="([^"]*)"\s*\/>/g, '$1')
    .replace(/<(?:paramref|typeparamref)\s+name="([^"]*)"\s*\/>/g, '$1')
    .replace(/<(?:param|typeparam)\s+name="([^"]*)"\s*>/g, '$1: ')
    .replace(/<exception\s+cref="([^"]*)"\s*>/g, 'throws $1: ')
    .replace(/<returns>/g, 'returns: ')
    .replace(/<\/?[a-zA-Z][^>]*>/g, '');
}

/** Doc text of consecutive comment nodes' texts (in source order). */
export function cleanComments(texts: string[]): string {
  const lines: string[] = [];
  for (const t of texts) {
    // tree-sitter-rust's line comments include their newline: not a blank doc line
    for (const line of stripXmlDoc(t.replace(/\r?\n$/, '')).split('\n')) {
      const l = stripLine(line);
      if (DIRECTIVE.test(line.trim()) || DIRECTIVE.test(l.trim()) || /^=(?:begin|end)\b/.test(line.trim())) continue;
      lines.push(l);
    }
  }
  return tidy(lines);
}

/** Text of a Python docstring literal: quotes and prefix removed, dedented. */
export function cleanDocstring(literal: string): string {
  const m = /^[rRuUbBfF]*("""|'''|"|')([\s\S]*?)\1?$/.exec(literal.trim());
  const body = m ? m[2].replace(/(?:"""|'''|"|')$/, '') : literal;
  const lines = body.split('\n');
  let indent = Infinity;
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i];
    if (l.trim() === '') continue;
    indent = Math.min(indent, l.length - l.trimStart().length);
  }
  const dedented = lines.map((l, i) => (i === 0 ? l.trim() : Number.isFinite(indent) ? l.slice(indent) : l));
  return tidy(dedented);
}

/** True for a comment that is a license or copyright header rather than documentation. */
export function isLicenseText(text: string): boolean {
  return /\b(?:copyright|licen[cs]ed?\b|SPDX-License|all rights reserved|permission is hereby granted)/i.test(text);
}
