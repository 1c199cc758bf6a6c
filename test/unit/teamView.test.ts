// What the status bar, the sidebar and the status command say with a team
// server set (src/vscode/teamView.ts, indexState.viewStatus in team mode).
import * as assert from 'node:assert/strict';
import { viewStatus, type IndexSnapshot } from '../../src/vscode/indexState';
import { shortHead, teamDetails, teamStatusBar, type TeamView } from '../../src/vscode/teamView';

const HEAD = '1a2b3c4d5e6f77889900aabbccddeeff00112233';

const team = (o: Partial<TeamView> = {}): TeamView => ({
  server: 'https://sift.example.com', repo: 'payments', branch: 'main', how: 'default branch', head: HEAD,
  indexed: true, changedFiles: 3, note: null, error: null, ...o,
});

const snap = (t: TeamView, o: Partial<IndexSnapshot> = {}): IndexSnapshot => ({
  hasFolder: true, worker: { kind: 'running', restarts: 0 }, paused: false, job: null, summary: null, error: null, team: t, ...o,
});

describe('team mode in the status bar and the sidebar', () => {
  it('says "team" with the branch and the indexed commit, and what is searched where', () => {
    const bar = teamStatusBar(team());
    assert.equal(bar.text, '$(cloud) Sift: team main@1a2b3c4');
    assert.equal(bar.warn, false);
    assert.equal(bar.tooltip, 'Team index payments@main (1a2b3c4)\n3 files changed here, searched locally.\nServer: https://sift.example.com (branch: the default branch)');
    assert.equal(teamStatusBar(team({ head: null })).text, '$(cloud) Sift: team main');
    assert.deepEqual(teamDetails(team({ changedFiles: 0, how: 'configured', note: 'the team index is at 1a2b3c4d5e6f, a commit this checkout does not have' })), [
      'Team index payments@main (1a2b3c4)', 'No files changed here: every result is the team\'s.', 'Server: https://sift.example.com',
      'the team index is at 1a2b3c4d5e6f, a commit this checkout does not have',
    ]);
  });

  it('says clearly when the server cannot be used, and never that the local index is the answer', () => {
    const down = teamStatusBar(team({ error: { kind: 'unreachable', message: 'the team server at https://sift.example.com refused the connection' } }));
    assert.equal(down.text, '$(warning) Sift team: unreachable');
    assert.equal(down.warn, true);
    assert.match(down.tooltip, /refused the connection\nSearches need the team server: the local index holds only the files changed here, not the whole repository\.$/);
    const token = teamStatusBar(team({ error: { kind: 'token', message: 'the team server at https://sift.example.com refused the token' } }));
    assert.equal(token.text, '$(warning) Sift team: token refused');
    assert.match(token.tooltip, /Run "Sift: Set team server token"\.$/);
    const missing = teamStatusBar(team({ indexed: false }));
    assert.equal(missing.text, '$(warning) Sift team: not indexed');
    assert.match(missing.tooltip, /no index of payments@main/);
  });

  it('the sidebar\'s status: the team\'s index, the error, the local update; re-asks when the team index or its state moves', () => {
    const ok = viewStatus(snap(team()));
    assert.equal(ok.headline, 'Team index payments@main (1a2b3c4)');
    assert.deepEqual(ok.details, ['3 files changed here, searched locally.', 'Server: https://sift.example.com (branch: the default branch)']);
    assert.equal(ok.empty, false, 'an empty local index is no reason to say "nothing indexed"');
    const updating = viewStatus(snap(team(), { job: { kind: 'update', progress: null } }));
    assert.match(updating.details.join('\n'), /Updating the local index of the files changed here/);
    const down = viewStatus(snap(team({ error: { kind: 'unreachable', message: 'cannot reach the team server at https://sift.example.com: no such host sift.example.com' } })));
    assert.equal(down.headline, 'cannot reach the team server at https://sift.example.com: no such host sift.example.com');
    const stamps = new Set([ok, updating, down, viewStatus(snap(team({ head: 'ffff' + HEAD.slice(4) }))), viewStatus(snap(team({ changedFiles: 4 })))].map((v) => v.answerStamp));
    assert.equal(stamps.size, 5);
    assert.equal(viewStatus(snap(team())).answerStamp, ok.answerStamp);
  });

  it('shortHead: seven characters of a commit hash, a label as it is', () => {
    assert.equal(shortHead(HEAD), '1a2b3c4');
    assert.equal(shortHead('ci-build-42'), 'ci-build-42');
    assert.equal(shortHead(null), '');
  });
});
