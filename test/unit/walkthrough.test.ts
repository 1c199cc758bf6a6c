// package.json's walkthrough (and its agent contributions) refer only to things that exist:
// media files in the package, commands Sift contributes or VS Code has.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const contributes = pkg.contributes;

// VS Code's own commands the walkthrough links to
const BUILT_IN = new Set(['workbench.action.openSettings', ...contributes.viewsContainers.activitybar.map((c: { id: string }) => `workbench.view.extension.${c.id}`)]);

function commandLinks(text: string): string[] {
  return [...text.matchAll(/\(command:([A-Za-z0-9_.-]+)/g)].map((m) => m[1]);
}

describe('walkthrough (package.json contributes.walkthroughs)', () => {
  const contributed = new Set<string>(contributes.commands.map((c: { command: string }) => c.command));
  const walkthroughs = contributes.walkthroughs as Array<{ id: string; title: string; steps: Array<{ id: string; title: string; description: string; media: Record<string, unknown>; completionEvents?: string[] }> }>;

  it('has the steps: first search, sidebar, find similar, what is learned and kept locally', () => {
    assert.equal(walkthroughs.length, 1);
    const ids = walkthroughs[0].steps.map((s) => s.id);
    for (const id of ['search', 'sidebar', 'findSimilar', 'local']) assert.ok(ids.includes(id), `step ${id}`);
    assert.equal(new Set(ids).size, ids.length, 'step ids are unique');
  });

  for (const step of (contributes.walkthroughs?.[0]?.steps ?? []) as Array<{ id: string; description: string; media: Record<string, unknown>; completionEvents?: string[] }>) {
    it(`step ${step.id}: its media exist in the package and its command links are contributed`, () => {
      const files: string[] = [];
      const m = step.media;
      if (typeof m.markdown === 'string') files.push(m.markdown);
      if (typeof m.svg === 'string') files.push(m.svg);
      if (typeof m.image === 'string') files.push(m.image);
      if (m.image && typeof m.image === 'object') files.push(...Object.values(m.image as Record<string, string>));
      assert.ok(files.length > 0, 'a step has media');
      let texts = step.description;
      for (const f of files) {
        const abs = path.join(ROOT, f);
        assert.ok(fs.existsSync(abs), `${f} exists`);
        assert.ok(f.startsWith('media/'), `${f} is under media/ (shipped: .vscodeignore keeps media/**)`);
        if (f.endsWith('.md')) texts += '\n' + fs.readFileSync(abs, 'utf8');
      }
      for (const id of commandLinks(texts)) {
        assert.ok(contributed.has(id) || BUILT_IN.has(id), `command:${id} is contributed by Sift or built in`);
      }
      for (const ev of step.completionEvents ?? []) {
        const [kind, arg] = ev.split(':');
        if (kind === 'onCommand') assert.ok(contributed.has(arg), `${ev}: the command is contributed`);
        else if (kind === 'onView') assert.ok(Object.values(contributes.views).flat().some((v) => (v as { id: string }).id === arg), `${ev}: the view is contributed`);
      }
    });
  }

  it('the local-learning step links the search log, adaptation and the off switch', () => {
    const step = walkthroughs[0].steps.find((s) => s.id === 'local')!;
    const text = step.description + fs.readFileSync(path.join(ROOT, step.media.markdown as string), 'utf8');
    for (const id of ['sift.showSearchHealth', 'sift.exportFeedback', 'sift.clearSearchLog', 'sift.resetAdaptation']) assert.ok(commandLinks(text).includes(id), id);
    assert.match(text, /sift\.feedback\.enabled/);
  });
});

describe('agent contributions (package.json)', () => {
  it('the language-model tool has what VS Code needs and a query-only required input', () => {
    const [tool] = contributes.languageModelTools;
    assert.equal(tool.name, 'sift_searchCode');
    assert.equal(tool.toolReferenceName, 'siftSearch');
    assert.equal(tool.canBeReferencedInPrompt, true);
    for (const key of ['displayName', 'modelDescription', 'userDescription']) assert.ok(typeof tool[key] === 'string' && tool[key].length > 10, key);
    assert.deepEqual(tool.inputSchema.required, ['query']);
    assert.deepEqual(Object.keys(tool.inputSchema.properties).sort(), ['k', 'path', 'query']);
  });

  it('the MCP server definition provider is declared, and the CLI it runs is packaged', () => {
    assert.deepEqual(contributes.mcpServerDefinitionProviders.map((p: { id: string }) => p.id), ['sift.mcpServer']);
    assert.match(fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8'), /^!dist\/cli\.js$/m);
  });

  it('engines.vscode is at least 1.101 (languageModelTools since 1.95, MCP server definition providers since 1.101) and matches @types/vscode', () => {
    const engine = /^\^(\d+)\.(\d+)\.\d+$/.exec(pkg.engines.vscode)!;
    assert.ok(Number(engine[1]) === 1 && Number(engine[2]) >= 101, pkg.engines.vscode);
    assert.equal(pkg.devDependencies['@types/vscode'], pkg.engines.vscode.slice(1));
  });

  it('the search keybinding is a three-key chord', () => {
    const kb = contributes.keybindings.find((k: { command: string }) => k.command === 'sift.search');
    assert.equal(kb.key.split('+').length, 3);
    assert.equal(kb.mac.split('+').length, 3);
  });
});
