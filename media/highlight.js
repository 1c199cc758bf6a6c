// Splits code text into plain and matched pieces, and renders them as DOM
// text nodes and <mark> elements — never as HTML, so code such as
// "</div><img onerror=…>" stays text. Loaded by the sidebar webview (as
// window.siftHighlight) and by the unit tests (as a CommonJS module).
(function (root) {
  'use strict';

  /** Lower-cases per UTF-16 unit, keeping the length (some characters lengthen when lower-cased). */
  function lowerSameLength(text) {
    let out = '';
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      const lower = ch.toLowerCase();
      out += lower.length === 1 ? lower : ch;
    }
    return out;
  }

  /**
   * The text cut into segments [{text, match}] whose texts join back to the
   * input; `match` marks occurrences of any term (case-insensitive).
   */
  function highlightSegments(text, terms) {
    const source = text === null || text === undefined ? '' : String(text);
    if (source === '') return [];
    const wanted = [];
    for (const t of Array.isArray(terms) ? terms : []) {
      if (typeof t !== 'string' || t.length === 0) continue;
      const lower = lowerSameLength(t);
      if (wanted.indexOf(lower) < 0) wanted.push(lower);
    }
    if (wanted.length === 0) return [{ text: source, match: false }];
    const haystack = lowerSameLength(source);
    const marked = new Uint8Array(source.length);
    for (const term of wanted) {
      for (let i = haystack.indexOf(term); i >= 0; i = haystack.indexOf(term, i + term.length)) {
        marked.fill(1, i, i + term.length);
      }
    }
    const segments = [];
    let start = 0;
    for (let i = 1; i <= source.length; i++) {
      if (i === source.length || marked[i] !== marked[start]) {
        segments.push({ text: source.slice(start, i), match: marked[start] === 1 });
        start = i;
      }
    }
    return segments;
  }

  /** Appends the highlighted text to `parent` as text nodes and <mark> elements. */
  function renderHighlighted(doc, parent, text, terms) {
    for (const seg of highlightSegments(text, terms)) {
      if (seg.match) {
        const mark = doc.createElement('mark');
        mark.textContent = seg.text;
        parent.appendChild(mark);
      } else {
        parent.appendChild(doc.createTextNode(seg.text));
      }
    }
    return parent;
  }

  const api = { highlightSegments: highlightSegments, renderHighlighted: renderHighlighted };
  if (typeof module === 'object' && module !== null && module.exports) module.exports = api;
  else root.siftHighlight = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
