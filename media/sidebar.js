// The sidebar's search page. Builds every element with createElement and
// textContent (no HTML is ever parsed from data), talks to the extension with postMessage,
// and drops answers to searches that are no longer the latest.
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();
  const highlight = window.siftHighlight;

  const input = document.getElementById('query');
  const language = document.getElementById('language');
  const folder = document.getElementById('folder');
  const list = document.getElementById('results');
  const notice = document.getElementById('notice');
  const statusEl = document.getElementById('status');
  const progress = document.getElementById('progress');
  const progressFill = document.getElementById('progress-fill');
  const pauseButton = document.getElementById('pause-button');

  const KIND_GLYPHS = {
    function: 'ƒ', method: 'm', class: 'C', struct: 'S', interface: 'I', enum: 'E', trait: 'T', impl: 'i',
    module: 'M', type: 't', constant: 'K', block: '{}', file: '▤', section: '§', window: '≡',
  };
  const DEBOUNCE_MS = 200;

  let seq = 0;          // id of the latest search sent
  let shownSeq = 0;     // id of the results on screen
  let hits = [];
  let selected = -1;
  let timer = null;
  let lastShowWeak = false;  // the latest search asked for the closest matches
  let answerStamp = null;    // the index state the results on screen came from (ViewStatus.answerStamp)
  let indexEmpty = false;    // nothing is indexed (ViewStatus.empty)
  let indexingAll = false;   // the whole workspace is being indexed (ViewStatus.indexing): an answer may predate the job's start

  const saved = vscode.getState() || {};
  input.value = typeof saved.query === 'string' ? saved.query : '';
  language.value = typeof saved.language === 'string' ? saved.language : '';
  folder.value = typeof saved.folder === 'string' ? saved.folder : '';

  function post(msg) { vscode.postMessage(msg); }

  function clearChildren(el) { while (el.firstChild) el.removeChild(el.firstChild); }

  function search(showWeak) {
    clearTimeout(timer);
    timer = null;
    const query = input.value;
    vscode.setState({ query: query, language: language.value, folder: folder.value });
    seq += 1;
    lastShowWeak = !!showWeak;
    if (!query.trim()) {
      shownSeq = seq;
      renderHits([]);
      setNotice(null);
      return;
    }
    post({
      type: 'search', seq: seq, query: query, showWeak: !!showWeak,
      languages: language.value ? [language.value] : [], pathFilter: folder.value.trim(),
    });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(function () { search(false); }, DEBOUNCE_MS);
  }

  function setNotice(parts) {
    clearChildren(notice);
    if (!parts || parts.length === 0) { notice.hidden = true; return; }
    for (const p of parts) notice.appendChild(p);
    notice.hidden = false;
  }

  function textLine(text, cls) {
    const div = document.createElement('div');
    if (cls) div.className = cls;
    div.textContent = text;
    return div;
  }

  /** Moves the selection; from the keyboard it also shows the result in a preview tab, keeping focus here. */
  function select(i, scroll, preview) {
    const items = list.children;
    if (items.length === 0) { selected = -1; input.removeAttribute('aria-activedescendant'); return; }
    selected = Math.max(0, Math.min(items.length - 1, i));
    for (let j = 0; j < items.length; j++) items[j].setAttribute('aria-selected', j === selected ? 'true' : 'false');
    input.setAttribute('aria-activedescendant', items[selected].id);
    if (scroll) items[selected].scrollIntoView({ block: 'nearest' });
    if (preview && selected < hits.length) post({ type: 'preview', seq: shownSeq, index: selected });
  }

  function open(i) {
    if (i < 0 || i >= hits.length) return;
    post({ type: 'open', seq: shownSeq, index: i });
  }

  function renderHits(newHits) {
    hits = newHits;
    selected = -1;
    clearChildren(list);
    input.setAttribute('aria-expanded', hits.length > 0 ? 'true' : 'false');
    input.removeAttribute('aria-activedescendant');
    hits.forEach(function (hit, i) {
      const li = document.createElement('li');
      li.className = 'result';
      li.id = 'result-' + i;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.setAttribute('data-testid', 'sift-result');
      li.setAttribute('data-name', String(hit.name));

      const head = document.createElement('div');
      head.className = 'head';
      const kind = document.createElement('span');
      kind.className = 'kind kind-' + String(hit.kind).replace(/[^a-z]/g, '');
      kind.textContent = KIND_GLYPHS[hit.kind] || '·';
      kind.title = String(hit.kind);
      const name = document.createElement('span');
      name.className = 'name';
      highlight.renderHighlighted(document, name, hit.label, hit.matchedTerms);
      head.appendChild(kind);
      head.appendChild(name);

      // with a team server, a hit from the local index of the files changed here says so
      const where = textLine(hit.path + ':' + hit.line + (hit.origin === 'local' ? ' · changed here' : ''), 'path');
      where.title = hit.path + ':' + hit.line + (hit.origin === 'local' ? ' (changed in this checkout: from the local index, not the team\'s)' : '');

      const score = document.createElement('div');
      score.className = 'score';
      const pct = Math.round(Math.max(0, Math.min(1, Number(hit.score) || 0)) * 100);
      score.title = 'relevance ' + pct + '%';
      score.setAttribute('aria-label', 'relevance ' + pct + '%');
      const fill = document.createElement('div');
      fill.className = 'score-fill';
      fill.style.width = pct + '%';
      score.appendChild(fill);

      // one block per line: a long line ends in an ellipsis instead of running off the edge
      const code = document.createElement('pre');
      code.className = 'snippet';
      code.title = String(hit.snippet);
      for (const line of String(hit.snippet).split('\n')) {
        const row = document.createElement('span');
        row.className = 'line';
        highlight.renderHighlighted(document, row, line || ' ', hit.matchedTerms);
        code.appendChild(row);
      }

      li.appendChild(head);
      li.appendChild(where);
      li.appendChild(score);
      li.appendChild(code);
      li.addEventListener('click', function () { select(i, false); open(i); });
      list.appendChild(li);
    });
  }

  function renderResults(m) {
    shownSeq = m.seq;
    // an answer the worker gave just before the job began says nothing of partial results; it is partial all the same
    m = Object.assign({}, m, { partial: !!m.partial || indexingAll });
    renderHits(Array.isArray(m.hits) ? m.hits : []);
    const parts = [];
    const filter = folder.value.trim();
    if (m.filterMatchedNothing && m.hits.length === 0) {
      // the filter is the problem, not the query
      parts.push(textLine('No indexed file matches the folder filter \u201c' + filter + '\u201d. Try part of a path (receiver) or a glob (**/receiver/**, src/*.ts).'));
      setNotice(parts);
      return;
    }
    if (indexEmpty && !m.partial && m.hits.length === 0) {
      parts.push(textLine('Nothing is indexed yet: Re-index to build the index.'));
      setNotice(parts);
      return;
    }
    if (m.partial) parts.push(textLine('Indexing is still running: results are partial.'));
    if (m.mode === 'keyword') parts.push(textLine('Keyword search only' + (m.modeReason ? ' (' + m.modeReason + ')' : '') + '.'));
    if (m.noRelevant && m.hits.length === 0) {
      parts.push(textLine(m.partial ? 'Nothing relevant in the files indexed so far.' : 'Nothing relevant found' + (filter ? ' under \u201c' + filter + '\u201d.' : '.')));
      const more = document.createElement('button');
      more.type = 'button';
      more.className = 'link';
      more.textContent = 'Show closest matches anyway';
      more.addEventListener('click', function () { search(true); });
      parts.push(more);
    } else if (m.noRelevant) {
      parts.push(textLine('Closest matches — none was judged relevant.'));
    } else if (m.hits.length === 0) {
      parts.push(textLine('No matches.'));
    }
    setNotice(parts);
  }

  function renderStatus(s) {
    clearChildren(statusEl);
    if (!s) return;
    // what a search answers changed (indexing started or ended, the index was cleared): ask again
    const stamp = typeof s.answerStamp === 'string' ? s.answerStamp : null;
    const changed = answerStamp !== null && stamp !== answerStamp;
    answerStamp = stamp;
    indexEmpty = !!s.empty;
    indexingAll = !!s.indexing;
    statusEl.title = [s.headline].concat(s.details || []).join('\n');
    statusEl.appendChild(textLine(s.headline, 'headline'));
    for (const line of s.details || []) statusEl.appendChild(textLine(line, 'detail'));
    if (typeof s.progress === 'number') {
      progress.hidden = false;
      progressFill.style.width = Math.max(0, Math.min(100, s.progress)) + '%';
    } else {
      progress.hidden = true;
    }
    pauseButton.textContent = s.paused ? 'Resume' : 'Pause';
    for (const b of document.querySelectorAll('button[data-action]')) b.disabled = !s.hasFolder;
    if (changed && input.value.trim()) {
      // the answer on screen belongs to the index before: say so until the new one comes
      setNotice([textLine('The index changed; searching again\u2026')]);
      search(lastShowWeak);
    }
  }

  function onKey(e) {
    if (e.key === 'ArrowDown') { select(selected + 1, true, true); e.preventDefault(); }
    else if (e.key === 'ArrowUp') { select(selected <= 0 ? 0 : selected - 1, true, true); e.preventDefault(); }
    else if (e.key === 'Enter') {
      if (e.target === input && timer !== null) { search(false); e.preventDefault(); return; }
      open(selected < 0 ? 0 : selected);
      e.preventDefault();
    }
  }

  input.addEventListener('input', schedule);
  input.addEventListener('keydown', onKey);
  list.addEventListener('keydown', onKey);
  language.addEventListener('change', function () { search(false); });
  folder.addEventListener('input', schedule);
  for (const b of document.querySelectorAll('button[data-action]')) {
    b.addEventListener('click', function () { post({ type: 'action', action: b.getAttribute('data-action') }); });
  }

  window.addEventListener('message', function (event) {
    const m = event.data;
    if (!m || typeof m !== 'object') return;
    switch (m.type) {
      case 'results':
        if (m.seq === seq) renderResults(m);
        break;
      case 'error':
        if (m.seq === seq) { renderHits([]); setNotice([textLine(String(m.message), 'error')]); }
        break;
      case 'status':
        renderStatus(m.status);
        break;
      case 'focus':
        input.focus();
        input.select();
        break;
    }
  });

  // the view was opened or shown (VS Code focuses the webview): the cursor goes to the search box,
  // its last query selected so that typing starts a new one (as VS Code's own search view does)
  window.addEventListener('focus', function () {
    const active = document.activeElement;
    if (!active || active === document.body) { input.focus(); input.select(); }
  });

  post({ type: 'ready' });
  input.focus();
  input.select();
  if (input.value.trim()) search(false);
})();
