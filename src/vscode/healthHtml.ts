// The "Search health" panel's HTML, rendered whole in the extension host from
// the numbers (learn/health.ts, drift.ts, replay.ts): tiles, a plot of the
// rates over time and of searches per period, the opened ranks and the first
// result's relevance against the model's held-out distribution, drift warnings
// with remedy buttons, vocabulary coverage and the adaptation history. Charts
// are inline SVG; the page loads nothing (default-src 'none'), its one style
// block and one small script run by nonce, and every text from the log is
// escaped. No vscode import, so it is unit-tested.
import type { DriftCheck, DriftReport, DriftWarning, ModeExpectations, Remedy, VocabularyCoverage } from '../core/learn/drift';
import type { HealthReport, PeriodHealth, ScoreSummary } from '../core/learn/health';
import type { ReplayReport } from '../core/learn/replay';
import type { AdaptationRecord } from '../core/learn/types';
import { escapeHtml } from './sidebarHtml';

export interface HealthViewModel {
  /** The workspace's name. */
  title: string;
  health: HealthReport;
  drift: DriftReport | null;
  coverage: VocabularyCoverage | null;
  /** The log replayed against today's index (the worker computes it), when available. */
  replay: ReplayReport | null;
  /** The shipped model's held-out numbers for the mode searched most. */
  expected: ModeExpectations | null;
  threshold: number;
  /** Remedy commands that exist in this VS Code (e.g. sift.adapt only once it is contributed). */
  commands: string[];
  /** Lines of the log skipped as unreadable. */
  corruptLines: number;
  /** Where the log is, for the empty state. */
  logDir: string | null;
}

export interface HealthHtmlOptions {
  /** A fresh random nonce per render (letters and digits). */
  nonce: string;
}

export function healthContentSecurityPolicy(nonce: string): string {
  if (!/^[A-Za-z0-9+/=]{16,}$/.test(nonce)) throw new Error('nonce must be at least 16 letters or digits');
  return ["default-src 'none'", `style-src 'nonce-${nonce}'`, `script-src 'nonce-${nonce}'`, "img-src 'none'", "font-src 'none'"].join('; ');
}

const e = escapeHtml;
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${Math.round(v * 100)} %`);
const num = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(2));
const fmt = (v: number) => (Math.round(v * 10) / 10).toString();

const METRIC_LABELS: Record<string, string> = {
  mrr10: 'MRR@10 of opened results', openRate: 'Open rate', noRelevantRate: '"Nothing relevant" rate',
  topScoreMedian: 'Median first-result relevance', requeryRate: 'Re-query rate', vocabularyCoverage: 'Vocabulary coverage',
  replayMrr10: 'MRR@10 replayed today', openedGone: 'Opened results gone from the index',
};
const AGAINST_LABELS: Record<DriftCheck['against'], string> = { model: 'the model\'s held-out data', history: 'this workspace before', rule: 'a fixed floor' };

/** Rates plotted over time: key, label, CSS class. */
const SERIES: Array<[keyof PeriodHealth, string, string]> = [
  ['mrr10', 'MRR@10 (opened)', 's-mrr'],
  ['openRate', 'Open rate', 's-open'],
  ['noRelevantRate', '"Nothing relevant"', 's-none'],
  ['requeryRate', 'Re-query rate', 's-requery'],
];

/** The plot of rates per period, with searches per period as bars underneath and adaptations marked. */
export function ratesSvg(periods: readonly PeriodHealth[], adaptations: readonly AdaptationRecord[], bucket: string): string {
  const W = 640, H = 200, left = 40, right = 24, top = 10, bottom = 22;
  const barsH = 56;
  const n = periods.length;
  const plotW = W - left - right, plotH = H - top - bottom;
  const x = (i: number) => left + (n <= 1 ? plotW / 2 : (i * plotW) / (n - 1));
  const y = (v: number) => top + plotH - v * plotH;
  const parts: string[] = [];
  for (const g of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line class="grid" x1="${left}" x2="${W - right}" y1="${fmt(y(g))}" y2="${fmt(y(g))}"/>`);
    parts.push(`<text class="axis" x="${left - 6}" y="${fmt(y(g) + 4)}" text-anchor="end">${g * 100}%</text>`);
  }
  const every = Math.max(1, Math.ceil(n / 8));
  periods.forEach((p, i) => {
    if (i % every === 0 || i === n - 1) parts.push(`<text class="axis" x="${fmt(x(i))}" y="${H - 6}" text-anchor="middle">${e(p.start.slice(5))}</text>`);
  });
  // adaptations: a marker at the period each falls in
  for (const a of adaptations) {
    const day = a.ts.slice(0, 10);
    let i = -1;
    for (let j = 0; j < n; j++) if (periods[j].start <= day) i = j;
    if (i < 0) continue;
    const cls = a.kept ? 'adapt-kept' : 'adapt-refused';
    parts.push(`<line class="${cls}" x1="${fmt(x(i))}" x2="${fmt(x(i))}" y1="${top}" y2="${top + plotH}"><title>${e(`${day}: adaptation (${a.kind}) ${a.kept ? 'kept' : 'refused'} — ${a.reason}`)}</title></line>`);
  }
  for (const [key, label, cls] of SERIES) {
    let d = '';
    let pen = false;
    periods.forEach((p, i) => {
      const v = p[key] as number | null;
      if (v === null || p.searches + p.ranked === 0) { pen = false; return; }
      d += `${pen ? 'L' : 'M'}${fmt(x(i))} ${fmt(y(v))}`;
      pen = true;
      parts.push(`<circle class="${cls}" cx="${fmt(x(i))}" cy="${fmt(y(v))}" r="2.5"><title>${e(`${p.start}: ${label} ${pct(v)}`)}</title></circle>`);
    });
    if (d) parts.push(`<path class="line ${cls}" d="${d}"/>`);
  }
  const legend = SERIES.map(([, label, cls], i) => `<g transform="translate(${left + i * 150},${H + 8})"><rect class="${cls}" width="10" height="10"/><text class="legend" x="14" y="9">${e(label)}</text></g>`).join('');
  // searches per period
  const maxS = Math.max(1, ...periods.map((p) => p.searches));
  const by = H + 28;
  const bw = Math.max(2, Math.min(24, (plotW / Math.max(n, 1)) * 0.7));
  const bars = periods.map((p, i) => {
    const h = (p.searches / maxS) * (barsH - 12);
    return `<rect class="bar" x="${fmt(x(i) - bw / 2)}" y="${fmt(by + barsH - h)}" width="${fmt(bw)}" height="${fmt(h)}"><title>${e(`${p.start}: ${p.searches} searches`)}</title></rect>`;
  }).join('');
  const barsLabel = `<text class="axis" x="${left - 6}" y="${by + 10}" text-anchor="end">${maxS}</text><text class="legend" x="${left}" y="${by + 8}">searches per ${e(bucket)}</text>`;
  return `<svg class="plot" data-testid="health-plot" role="img" aria-label="Search health over time" viewBox="0 0 ${W} ${H + 28 + barsH}" width="100%" preserveAspectRatio="xMinYMin meet">${parts.join('')}${legend}${barsLabel}${bars}</svg>`;
}

/** Bars of counts with labels underneath; `expected` (proportions) drawn as marks over them. */
export function barsSvg(counts: readonly number[], labels: readonly string[], opts: { testId: string; label: string; expected?: readonly number[] | null; highlight?: number }): string {
  const W = 300, H = 120, left = 8, bottom = 18, top = 8;
  const total = counts.reduce((a, b) => a + b, 0) || 1;
  const shares = counts.map((c) => c / total);
  const maxShare = Math.max(0.01, ...shares, ...(opts.expected ?? []));
  const bw = (W - 2 * left) / counts.length;
  const plotH = H - top - bottom;
  const parts: string[] = [];
  counts.forEach((c, i) => {
    const h = (shares[i] / maxShare) * plotH;
    const cls = i === opts.highlight ? 'bar bar-hidden' : 'bar';
    parts.push(`<rect class="${cls}" x="${fmt(left + i * bw + 1)}" y="${fmt(top + plotH - h)}" width="${fmt(bw - 2)}" height="${fmt(h)}"><title>${e(`${labels[i]}: ${c} (${pct(shares[i])})`)}</title></rect>`);
    parts.push(`<text class="axis" x="${fmt(left + i * bw + bw / 2)}" y="${H - 5}" text-anchor="middle">${e(labels[i])}</text>`);
  });
  if (opts.expected) {
    opts.expected.forEach((s, i) => {
      const yy = top + plotH - (s / maxShare) * plotH;
      parts.push(`<line class="expected" x1="${fmt(left + i * bw + 2)}" x2="${fmt(left + (i + 1) * bw - 2)}" y1="${fmt(yy)}" y2="${fmt(yy)}"><title>${e(`${labels[i]}: held-out ${pct(s)}`)}</title></line>`);
    });
  }
  return `<svg class="bars" data-testid="${e(opts.testId)}" role="img" aria-label="${e(opts.label)}" viewBox="0 0 ${W} ${H}" width="100%" preserveAspectRatio="xMinYMin meet">${parts.join('')}</svg>`;
}

function tile(testId: string, label: string, value: string, note: string): string {
  return `<div class="tile" data-testid="${e(testId)}"><div class="tile-value">${e(value)}</div><div class="tile-label">${e(label)}</div><div class="tile-note">${e(note)}</div></div>`;
}

function bandText(c: DriftCheck): string {
  const f = c.metric === 'mrr10' || c.metric === 'topScoreMedian' || c.metric === 'replayMrr10' ? num : pct;
  const b = c.expected;
  return b.low !== null && b.high !== null ? `${f(b.low)}–${f(b.high)}` : b.low !== null ? `≥ ${f(b.low)}` : b.high !== null ? `≤ ${f(b.high)}` : '—';
}

function observedText(c: DriftCheck): string {
  if (c.observed === null) return '—';
  if (c.metric === 'topScoreMedian' && c.observed === 0) return 'below threshold';
  return c.metric === 'mrr10' || c.metric === 'topScoreMedian' || c.metric === 'replayMrr10' ? num(c.observed) : pct(c.observed);
}

function remedyButton(r: Remedy, commands: readonly string[]): string {
  if (r.command && commands.includes(r.command)) {
    return `<button type="button" data-command="${e(r.command)}" title="${e(`Runs ${r.command}`)}">${e(r.label)}</button>`;
  }
  if (r.setting) return `<span class="hint">${e(r.label)}: setting <span class="cli">${e(r.setting)}</span></span>`;
  return `<span class="hint">${e(r.label)}: <span class="cli" title="In a terminal">${e(r.cli)}</span></span>`;
}

/** One card per metric (and scope): its expectations, messages and remedies together. */
function warningCards(warnings: readonly DriftWarning[], commands: readonly string[]): string[] {
  const groups = new Map<string, DriftWarning[]>();
  for (const w of warnings) {
    const key = `${w.metric}\0${w.scope ?? ''}`;
    const g = groups.get(key);
    if (g) g.push(w); else groups.set(key, [w]);
  }
  return [...groups.values()].map((g) => {
    const w = g[0];
    const expected = g.map((x) => `${bandText(x)} from ${AGAINST_LABELS[x.against]}`).join('; ');
    const remedies: Remedy[] = [];
    for (const x of g) for (const r of [x.remedy, ...x.otherRemedies]) if (!remedies.some((y) => y.id === r.id)) remedies.push(r);
    // what can be clicked first, then what to run or set by hand
    const runnable = (r: Remedy) => !!r.command && commands.includes(r.command);
    const buttons = [...remedies.filter(runnable), ...remedies.filter((r) => !runnable(r))].map((r) => remedyButton(r, commands)).join('');
    const messages = g.map((x) => `<p>${e(x.message)}</p>`).join('');
    return `<div class="warning" data-testid="health-warning" data-metric="${e(w.metric)}"><strong>${e(METRIC_LABELS[w.metric] ?? w.metric)}${w.scope ? ` (${e(w.scope)})` : ''}: ${e(observedText(w))}</strong> <span class="muted">expected ${e(expected)}</span>${messages}<div class="remedies">${buttons}</div></div>`;
  });
}

function scoreNote(s: ScoreSummary, threshold: number): string {
  if (s.n + s.hidden === 0) return 'no searches';
  const q = (v: number | null) => (v === null ? `< ${threshold}` : num(v));
  return `p10 ${q(s.p10)} · p90 ${q(s.p90)}`;
}

function adaptationRows(list: readonly AdaptationRecord[]): string {
  if (!list.length) return '<p class="muted" data-testid="health-adaptations-empty">No adaptations yet: the model in use is the one Sift ships.</p>';
  const rows = list.slice().reverse().map((a) => `<tr><td>${e(new Date(a.ts).toLocaleString())}</td><td>${e(a.kind)}</td><td>${a.kept ? 'kept' : 'refused'}</td><td>${num(a.before ?? null)} → ${num(a.after ?? null)}</td><td>${e(a.examples !== undefined ? String(a.examples) : '—')}</td><td>${e(a.reason)}</td></tr>`).join('');
  return `<table data-testid="health-adaptations"><thead><tr><th>When</th><th>Kind</th><th>Outcome</th><th>Held-out MRR@10</th><th>Examples</th><th>Why</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const STYLE = `
body { padding: 8px 16px 24px; color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); max-width: 980px; }
h1 { font-size: 1.4em; margin: 8px 0 2px; font-weight: 600; }
h2 { font-size: 1.1em; margin: 22px 0 8px; font-weight: 600; }
.muted, .tile-label, .tile-note, .basis { color: var(--vscode-descriptionForeground); }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; margin-top: 12px; }
.tile { border: 1px solid var(--vscode-panel-border, rgba(128,128,128,.35)); border-radius: 4px; padding: 8px 10px; }
.tile-value { font-size: 1.6em; font-weight: 600; }
.tile-note { font-size: .85em; }
svg text { fill: var(--vscode-descriptionForeground); font-size: 10px; font-family: var(--vscode-font-family); }
svg .legend { fill: var(--vscode-foreground); }
.grid { stroke: var(--vscode-panel-border, rgba(128,128,128,.3)); stroke-width: 1; }
.line { fill: none; stroke-width: 2; }
path.s-mrr, circle.s-mrr, rect.s-mrr { stroke: var(--vscode-charts-blue, #3794ff); }
path.s-open, circle.s-open, rect.s-open { stroke: var(--vscode-charts-green, #89d185); }
path.s-none, circle.s-none, rect.s-none { stroke: var(--vscode-charts-red, #f14c4c); }
path.s-requery, circle.s-requery, rect.s-requery { stroke: var(--vscode-charts-orange, #d18616); }
circle.s-mrr, rect.s-mrr { fill: var(--vscode-charts-blue, #3794ff); }
circle.s-open, rect.s-open { fill: var(--vscode-charts-green, #89d185); }
circle.s-none, rect.s-none { fill: var(--vscode-charts-red, #f14c4c); }
circle.s-requery, rect.s-requery { fill: var(--vscode-charts-orange, #d18616); }
.bar { fill: var(--vscode-charts-blue, #3794ff); opacity: .75; }
.bar-hidden { fill: var(--vscode-charts-red, #f14c4c); }
.expected { stroke: var(--vscode-foreground, #888); stroke-width: 2; stroke-dasharray: 3 2; }
.adapt-kept { stroke: var(--vscode-charts-green, #89d185); stroke-width: 1.5; stroke-dasharray: 4 3; }
.adapt-refused { stroke: var(--vscode-descriptionForeground, #888); stroke-width: 1.5; stroke-dasharray: 2 3; }
.remedies { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.hint { color: var(--vscode-descriptionForeground); }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.warning { border-left: 3px solid var(--vscode-editorWarning-foreground, #cca700); padding: 6px 10px; margin: 8px 0; background: var(--vscode-textBlockQuote-background, rgba(128,128,128,.08)); }
.warning p { margin: 2px 0 6px; }
.ok { border-left: 3px solid var(--vscode-charts-green, #89d185); padding: 6px 10px; margin: 8px 0; }
button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 4px 10px; border-radius: 2px; cursor: pointer; font-family: inherit; }
button:hover { background: var(--vscode-button-hoverBackground); }
button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
.cli { font-family: var(--vscode-editor-font-family); background: var(--vscode-textCodeBlock-background, rgba(128,128,128,.15)); padding: 1px 4px; border-radius: 2px; }
table { border-collapse: collapse; width: 100%; font-size: .92em; }
th, td { text-align: left; padding: 3px 8px 3px 0; border-bottom: 1px solid var(--vscode-panel-border, rgba(128,128,128,.25)); vertical-align: top; }
td.num, th.num { text-align: right; }
.pass { color: var(--vscode-charts-green, #89d185); }
.fail { color: var(--vscode-editorWarning-foreground, #cca700); }
header { display: flex; justify-content: space-between; align-items: baseline; gap: 12px; }
`;

const SCRIPT = `
(function () {
  const vscode = acquireVsCodeApi();
  document.addEventListener('click', function (ev) {
    const b = ev.target && ev.target.closest ? ev.target.closest('button[data-command]') : null;
    if (b) vscode.postMessage({ type: 'run', command: b.getAttribute('data-command') });
  });
})();
`;

export function renderHealthHtml(vm: HealthViewModel, o: HealthHtmlOptions): string {
  const nonce = e(o.nonce);
  const h = vm.health;
  const t = h.total;
  const body: string[] = [];
  body.push(`<header><div><h1>Search health</h1><div class="muted" data-testid="health-summary">${e(vm.title)}${h.from ? ` · ${t.searches} searches from ${e(h.from.slice(0, 10))} to ${e(h.to!.slice(0, 10))}, by ${h.bucket}` : ''}</div></div><div><button type="button" class="secondary" data-command="sift.showSearchHealth">Refresh</button></div></header>`);
  if (h.periods.length === 0) {
    body.push(`<p data-testid="health-empty">No searches logged yet${vm.logDir ? ` in <code>${e(vm.logDir)}</code>` : ''}. Searches made in the quick pick and the Sift sidebar are logged on this machine (setting <code>sift.feedback.enabled</code>); this page shows how they went.</p>`);
  } else {
    body.push('<div class="tiles">');
    body.push(tile('health-searches', 'Searches', String(t.searches), t.partial ? `${t.partial} more while indexing` : `${h.periods.length} ${h.bucket}s`));
    body.push(tile('health-open-rate', 'Open rate', pct(t.openRate), `${t.opened} with a result opened`));
    body.push(tile('health-mrr', 'MRR@10 of opened', num(t.mrr10), vm.expected ? `held-out ${num(vm.expected.mrr10GivenTop10)}` : `${t.ranked} opened searches`));
    body.push(tile('health-no-relevant', '"Nothing relevant"', pct(t.noRelevantRate), vm.expected ? `held-out ${pct(vm.expected.noRelevant.all)}` : `${t.noRelevant} searches`));
    body.push(tile('health-requery', 'Re-query rate', pct(t.requeryRate), `${t.requeries} rephrased within 10 s`));
    body.push(tile('health-top-score', 'Median first-result relevance', t.topScore.p50 === null ? (t.topScore.hidden ? `< ${vm.threshold}` : '—') : num(t.topScore.p50), scoreNote(t.topScore, vm.threshold)));
    body.push('</div>');
    body.push(`<h2>Over time</h2>${ratesSvg(h.periods, h.adaptations, h.bucket)}`);
    const rankLabels = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '>10'];
    const expRanks = vm.expected ? vm.expected.firstRightRank.map((c) => c / Math.max(1, vm.expected!.firstRightRank.slice(0, 10).reduce((a, b) => a + b, 0))).slice(0, 10).concat([0]) : null;
    const scoreLabels = ['<thr', '.0', '.1', '.2', '.3', '.4', '.5', '.6', '.7', '.8', '.9'];
    const scoreCounts = [t.topScore.hidden, ...t.topScore.histogram];
    let expScores: number[] | null = null;
    if (vm.expected) {
      // held-out top scores below the threshold would read as hidden when no closest matches are shown
      const hist = vm.expected.topScore.histogram;
      const total = hist.reduce((a, b) => a + b, 0) || 1;
      expScores = [vm.expected.noRelevant.all, ...hist.map((c, i) => ((i + 1) / 10 <= vm.threshold ? 0 : c / total))];
    }
    body.push('<div class="charts">');
    body.push(`<div><h2>Rank of the opened result</h2>${barsSvg(t.openedRanks, rankLabels, { testId: 'health-ranks', label: 'Rank of the best-ranked opened result', expected: expRanks })}<div class="basis">Bars: this workspace. Dashes: where the first right result ranks on the model's held-out queries (answered in the top 10).</div></div>`);
    body.push(`<div><h2>First result's relevance</h2>${barsSvg(scoreCounts, scoreLabels, { testId: 'health-scores', label: 'Calibrated relevance of the first result', expected: expScores, highlight: 0 })}<div class="basis">"&lt;thr": "nothing relevant" answers that showed no results (relevance below ${e(String(vm.threshold))}). Dashes: held-out queries.</div></div>`);
    body.push('</div>');
  }

  // drift
  body.push('<h2>Drift</h2>');
  const d = vm.drift;
  if (!d) body.push('<p class="muted">Not computed.</p>');
  else {
    const judged = d.checks.filter((c) => c.ok !== null);
    body.push(`<p class="muted" data-testid="health-drift-window">The last ${Math.round((Date.parse(d.window.to) - Date.parse(d.window.from)) / 86_400_000)} days (${d.window.health.searches} searches) against the model's held-out data${d.baseline ? ` and the ${d.baseline.health.searches} searches before` : ''}.</p>`);
    if (d.warnings.length === 0) {
      body.push(`<div class="ok" data-testid="health-drift-ok">${judged.length ? `No drift: ${judged.length} checks within their bands.` : 'Too few searches to judge yet (20 in the window and 20 before it).'}</div>`);
    }
    body.push(...warningCards(d.warnings, vm.commands));
    if (d.checks.length) {
      const rows = d.checks.map((c) => `<tr><td>${e(METRIC_LABELS[c.metric] ?? c.metric)}${c.scope ? ` (${e(c.scope)})` : ''}</td><td>${e(AGAINST_LABELS[c.against])}</td><td class="num">${e(observedText(c))}</td><td class="num">${e(bandText(c))}</td><td class="num">${c.n}</td><td class="${c.ok === false ? 'fail' : c.ok ? 'pass' : 'muted'}">${c.ok === null ? 'too few' : c.ok ? 'ok' : 'warning'}</td></tr>`).join('');
      body.push(`<details><summary>All checks</summary><table data-testid="health-checks"><thead><tr><th>Metric</th><th>Against</th><th class="num">Now</th><th class="num">Expected</th><th class="num">n</th><th></th></tr></thead><tbody>${rows}</tbody></table></details>`);
    }
  }

  // vocabulary
  if (vm.coverage && vm.coverage.share !== null) {
    const c = vm.coverage;
    const langs = Object.entries(c.byLanguage).filter(([, v]) => v.tokens >= 200).map(([l, v]) => `${e(l)} ${pct(v.share)}`).join(' · ');
    const missing = c.topMissing.slice(0, 10).map(([w]) => e(w)).join(', ');
    body.push(`<h2>Vocabulary</h2><p data-testid="health-coverage">The model's vocabulary covers <strong>${pct(c.share)}</strong> of this workspace's words (${c.textsSampled} files sampled${langs ? `; ${langs}` : ''}).${missing ? ` Most frequent unknown words: ${missing}.` : ''} Unknown words are embedded from their letters only.</p>`);
  }

  // replay
  if (vm.replay && vm.replay.replayed > 0) {
    const r = vm.replay.total;
    body.push(`<h2>Replayed against today's index</h2><p data-testid="health-replay">${vm.replay.replayed} logged searches re-run: MRR@10 of the opened results ${num(r.mrr10Then)} when opened, ${num(r.mrr10Now)} now; "nothing relevant" ${pct(r.noRelevantRateThen)} then, ${pct(r.noRelevantRateNow)} now; ${r.gone} opened results gone from the index.</p>`);
  }

  body.push(`<h2>Adaptations</h2>${adaptationRows(h.adaptations)}`);
  const notes: string[] = [];
  if (vm.corruptLines) notes.push(`${vm.corruptLines} unreadable log lines skipped`);
  if (h.orphanOpens) notes.push(`${h.orphanOpens} opens of searches no longer in the log`);
  if (t.migrated) notes.push(`${t.migrated} searches from the old feedback log count only in MRR and ranks`);
  body.push(`<p class="muted">MRR@10: over searches with an opened result, 1/rank of the best-ranked one (0 beyond 10). Searches over a half-built index are left out of the rates.${notes.length ? ` ${e(notes.join('; '))}.` : ''} Everything here is computed on this machine from the local search log.</p>`);

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${e(healthContentSecurityPolicy(o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">${STYLE}</style>
<title>Sift: search health</title>
</head>
<body>
${body.join('\n')}
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>
`;
}

/** A message from the page: run one of the commands its buttons name. Anything else is ignored. */
export function parseHealthMessage(m: unknown): { type: 'run'; command: string } | null {
  if (!m || typeof m !== 'object') return null;
  const o = m as Record<string, unknown>;
  return o.type === 'run' && typeof o.command === 'string' && /^sift\.[A-Za-z]+$/.test(o.command) ? { type: 'run', command: o.command } : null;
}
