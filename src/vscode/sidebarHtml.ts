// The sidebar webview's HTML: a static shell — every piece of data is put in
// later by media/sidebar.js with textContent. Scripts run only with this
// page's nonce; styles, scripts and images come only from the extension's
// own files (cspSource); nothing remote. No vscode import, so it is unit-tested.

export interface SidebarHtmlOptions {
  /** webview.cspSource */
  cspSource: string;
  /** A fresh random nonce per render (letters and digits). */
  nonce: string;
  /** webview URIs of media/highlight.js, media/sidebar.js and media/sidebar.css. */
  highlightScript: string;
  mainScript: string;
  styleSheet: string;
}

/** Languages offered in the filter, as LanguageId → label. */
export const LANGUAGE_FILTERS: ReadonlyArray<[string, string]> = [
  ['typescript', 'TypeScript'], ['tsx', 'TSX'], ['javascript', 'JavaScript'], ['python', 'Python'], ['go', 'Go'],
  ['rust', 'Rust'], ['java', 'Java'], ['c', 'C'], ['cpp', 'C++'], ['csharp', 'C#'], ['ruby', 'Ruby'], ['php', 'PHP'],
  ['markdown', 'Markdown'], ['config', 'Config'], ['text', 'Other text'],
];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** A nonce must be plain base64-ish text; anything else would break out of the policy. */
function checkNonce(nonce: string): string {
  if (!/^[A-Za-z0-9+/=]{16,}$/.test(nonce)) throw new Error('nonce must be at least 16 letters or digits');
  return nonce;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  const src = cspSource.replace(/[;'"\s]+/g, ' ').trim();
  return [
    "default-src 'none'",
    `style-src ${src}`,
    `script-src 'nonce-${checkNonce(nonce)}'`,
    `img-src ${src}`,
    `font-src ${src}`,
  ].join('; ');
}

/**
 * The first lines of a file as a snippet (for a file hit, whose indexed text is
 * a summary): leading blank lines skipped, at most `maxLines` lines, dedented,
 * long lines cut with an ellipsis.
 */
export function fileHead(text: string, maxLines = 4, maxLine = 160): string {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) return '';
  const shown = lines.slice(first, first + maxLines);
  while (shown.length > 1 && !shown[shown.length - 1].trim()) shown.pop();
  const indents = shown.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length);
  const common = Math.min(...indents);
  return shown
    .map((l) => (l.trim() ? l.slice(common) : ''))
    .map((l) => (l.length > maxLine ? l.slice(0, maxLine) + '…' : l))
    .join('\n');
}

export function renderSidebarHtml(o: SidebarHtmlOptions): string {
  const nonce = escapeHtml(checkNonce(o.nonce));
  const languageOptions = LANGUAGE_FILTERS
    .map(([id, label]) => `<option value="${escapeHtml(id)}">${escapeHtml(label)}</option>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(o.styleSheet)}">
<title>Sift</title>
</head>
<body>
<div class="search">
  <input id="query" type="text" data-testid="sift-search-input" placeholder="Search code by meaning" aria-label="Search code by meaning" aria-controls="results" aria-autocomplete="list" role="combobox" aria-expanded="false" autocomplete="off" spellcheck="false">
</div>
<div class="filters">
  <select id="language" aria-label="Language" data-testid="sift-language-filter"><option value="">All languages</option>${languageOptions}</select>
  <input id="folder" type="text" placeholder="Folder or glob, e.g. auth, src/*.ts" title="Only files whose path contains this text, or matches this glob (**/auth/**, src/*.ts)" aria-label="Only files whose path contains this text or matches this glob" data-testid="sift-folder-filter" autocomplete="off" spellcheck="false">
</div>
<section class="index" aria-label="Index status" data-testid="sift-index">
  <div class="index-row">
    <div id="status" class="status" data-testid="sift-status" role="status" aria-live="polite"></div>
    <div class="actions">
      <button type="button" data-action="reindex" title="Re-index: rebuild the index from scratch">Re-index</button>
      <button type="button" data-action="togglePause" id="pause-button" class="secondary">Pause</button>
      <button type="button" data-action="clear" class="secondary" title="Clear the index: delete the index files">Clear</button>
    </div>
  </div>
  <div id="progress" class="progress" hidden><div id="progress-fill" class="progress-fill"></div></div>
</section>
<div id="notice" class="notice" role="status" aria-live="polite" data-testid="sift-notice" hidden></div>
<ul id="results" class="results" role="listbox" aria-label="Results" tabindex="-1"></ul>
<script nonce="${nonce}" src="${escapeHtml(o.highlightScript)}"></script>
<script nonce="${nonce}" src="${escapeHtml(o.mainScript)}"></script>
</body>
</html>
`;
}
