// UI test of "Sift: Show search health": seeds the workspace's search log with
// five weeks of searches (four healthy, then a week where half the searches
// find nothing and opened results sit lower) and two adaptation records, opens
// the panel from the palette, and checks it shows the numbers, the plot, the
// drift warnings with a re-index button, the worker's replay of the log and the
// adaptation history.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extensionStorage, logLine } from './lib/storage.mjs';
import { runFromPalette, screenshot, sleep } from './lib/workbench.mjs';

const PLOT = '[data-testid="health-plot"]';
const DAY = 86_400_000;
export const SEEDED_DAYS = 35;
export const SEEDED_PER_DAY = 10;

/**
 * Five weeks of searches ending an hour ago: four healthy, the last one degraded
 * (half the searches find nothing and are rephrased seconds later).
 */
export function seededEvents(root, now = Date.now()) {
  const events = [];
  let n = 0;
  for (let d = SEEDED_DAYS - 1; d >= 0; d--) {
    const degraded = d < 7;
    const dayStart = now - 3_600_000 - d * DAY - SEEDED_PER_DAY * 15 * 60_000;
    for (let i = 0; i < SEEDED_PER_DAY; i++) {
      const nothing = degraded ? i % 2 === 0 : i % 10 === 9;
      // in the bad week each search that found nothing is followed 6 s later by a rephrased one
      const ts = new Date(dayStart + (degraded && i % 2 === 1 ? (i - 1) * 15 * 60_000 + 6000 : i * 15 * 60_000)).toISOString();
      const scores = nothing ? [] : degraded ? [0.3, 0.28, 0.26] : [0.62 + 0.04 * (i % 8), 0.4, 0.3];
      const id = `seed-${++n}`;
      const results = scores.map((score, r) => ({ root, file: `src/mod${r}.ts`, line: 10 + r, name: `fn${r}`, rank: r + 1, kind: 'function', score }));
      events.push({
        t: 'search', id, ts, source: i % 3 === 0 ? 'sidebar' : 'quickPick', query: `seeded query ${n}`, mode: 'hybrid', results,
        answerSize: scores.filter(s => s >= 0.25).length, noRelevant: nothing, showWeak: false, partial: false, latencyMs: 12,
      });
      const rank = nothing ? null : degraded ? (i % 4 === 1 ? 3 : null) : (i % 3 === 0 ? 2 : 1);
      if (rank) events.push({ t: 'open', ts: new Date(Date.parse(ts) + 4000).toISOString(), searchId: id, source: 'quickPick', rank, ref: { root, file: results[rank - 1].file, line: results[rank - 1].line, name: results[rank - 1].name } });
    }
  }
  return events;
}

/** The frame of the health panel, or null while it is not open. */
async function healthFrame(page) {
  for (const frame of page.frames()) {
    if (frame === page.mainFrame()) continue;
    try { if (await frame.locator(PLOT).count()) return frame; } catch { /* navigated away */ }
  }
  return null;
}

/**
 * @param {{ page: import('playwright-core').Page, workspace: string, userDataDir: string, shots: string }} ctx
 * @returns {{ name: string, run: () => Promise<void> }[]}
 */
export function healthUiTests({ page, workspace, userDataDir, shots }) {
  return [
    {
      name: 'search health: "Show search health" shows the numbers, a plot over time, drift warnings with remedies and the adaptation history',
      run: async () => {
        const { storage, indexDir } = await extensionStorage(userDataDir, workspace);
        const logDir = path.join(storage, 'log');
        fs.mkdirSync(logDir, { recursive: true });
        // the oldest rotated file: the extension appends to queries.jsonl meanwhile
        fs.writeFileSync(path.join(logDir, 'queries.1.jsonl'), seededEvents(workspace).map(logLine).join(''));
        const day = d => new Date(Date.now() - d * DAY).toISOString();
        fs.writeFileSync(path.join(indexDir, 'adaptations.jsonl'), [
          { ts: day(20), kind: 'clicks', before: 0.61, after: 0.66, heldOut: 40, examples: 120, kept: true, reason: 'held-out MRR@10 up' },
          { ts: day(10), kind: 'zero-click', before: 0.66, after: 0.63, heldOut: 40, examples: 800, kept: false, reason: 'held-out MRR@10 down: rolled back' },
        ].map(r => JSON.stringify(r) + '\n').join(''));

        await page.keyboard.press('Escape');
        await runFromPalette(page, 'Show search health', async () => (await healthFrame(page)) !== null);
        const frame = await healthFrame(page);
        const seeded = SEEDED_DAYS * SEEDED_PER_DAY;
        const searches = Number(await frame.locator('[data-testid="health-searches"] .tile-value').innerText());
        // the seeded searches, and any this run's earlier tests made
        if (!(searches >= seeded && searches < seeded + 50)) throw new Error(`the searches tile shows ${searches}, expected ${seeded} and a few`);
        for (const id of ['health-open-rate', 'health-mrr', 'health-no-relevant', 'health-requery', 'health-top-score']) {
          const v = await frame.locator(`[data-testid="${id}"] .tile-value`).innerText();
          if (!/^(\d+ %|\d\.\d\d|< 0\.\d+)$/.test(v.trim())) throw new Error(`tile ${id} shows "${v}"`);
        }
        const lines = await frame.locator(`${PLOT} path.line`).count();
        const points = await frame.locator(`${PLOT} circle`).count();
        if (lines < 3 || points < 3 * SEEDED_DAYS) throw new Error(`the plot has ${lines} lines and ${points} points`);
        if (!(await frame.locator(`${PLOT} .adapt-kept`).count()) || !(await frame.locator(`${PLOT} .adapt-refused`).count())) throw new Error('the adaptations are not marked on the plot');
        const metrics = await frame.locator('[data-testid="health-warning"]').evaluateAll(ws => ws.map(w => w.getAttribute('data-metric')));
        for (const m of ['noRelevantRate', 'mrr10', 'requeryRate']) if (!metrics.includes(m)) throw new Error(`no ${m} warning; warnings: ${metrics.join(', ')}`);
        for (const command of ['sift.reindex', 'sift.adapt']) {
          if (!(await frame.locator(`button[data-command="${command}"]`).count())) throw new Error(`no ${command} button among the remedies`);
        }
        // the worker replayed the log against today's index (the seeded results are not in the fixture: gone)
        const replay = (await frame.locator('[data-testid="health-replay"]').innerText()).replace(/\s+/g, ' ');
        const replayed = Number(/^(\d+) logged searches re-run/.exec(replay)?.[1]);
        if (!(replayed >= seeded)) throw new Error(`the replay says "${replay}", expected at least ${seeded} searches re-run`);
        const rows = await frame.locator('[data-testid="health-adaptations"] tbody tr').count();
        if (rows !== 2) throw new Error(`the adaptation history lists ${rows} attempts, expected 2`);
        await sleep(300);
        await screenshot(page, shots, '08-search-health');
        await frame.locator('[data-testid="health-warning"]').first().scrollIntoViewIfNeeded();
        await sleep(300);
        await screenshot(page, shots, '09-search-health-drift');
      },
    },
  ];
}
