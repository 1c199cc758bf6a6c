// The command line's side of a team server (`sift search --server`, `sift mcp
// --server`): the client, the index it names (repo and branch, defaults from
// the checkout: core/team/teamRef.ts), and, when run in a git checkout, the
// local overlay — an index of the files changed here (core/team/changedFiles.ts),
// kept in the cache folder apart from a whole-tree index and opened only when
// something changed.
import * as path from 'node:path';
import { UsageError, type ParsedArgs } from './args';
import { openEngineFromSpec } from './engineOpen';
import { engineSpec, type EngineSpec } from './engineSpec';
import { cacheHome, defaultIndexDir } from './indexDir';
import type { Engine, IndexRunOptions } from '../core/engine';
import type { IndexRef, TeamSearchResponse, TeamStatus } from '../core/team/api';
import { absolutePaths, changedFiles, repoRootOf, type ChangedFiles, withinFolder } from '../core/team/changedFiles';
import { TeamClient } from '../core/team/client';
import { syncOverlay } from '../core/team/overlayIndex';
import { resolveTeamRef } from '../core/team/teamRef';
import { overlaySearch, type OverlayQuery } from '../core/team/teamSearch';
import { ChangeFilter } from '../worker/changeFilter';

export interface ServerArgs {
  url: string;
  token: string | undefined;
  repo?: string;
  branch?: string;
}

/** --server, --token (else $SIFT_TOKEN), --repo, --branch; null without --server. */
export function parseServerArgs(a: ParsedArgs): ServerArgs | null {
  const url = a.values.server?.[0];
  if (url === undefined) {
    if (a.values.token) throw new UsageError('--token goes with --server URL (the team server it is for)');
    return null;
  }
  if (!url.trim()) throw new UsageError('--server needs the team server\'s URL, e.g. --server https://sift.example.com');
  if (a.values.store) throw new UsageError('--server and --store are two ways to reach the team index: give one (--server: through the team server; --store: the database itself)');
  const token = a.values.token?.[0] ?? process.env.SIFT_TOKEN;
  return { url, token: token?.trim() || undefined, repo: a.values.repo?.[0], branch: a.values.branch?.[0] };
}

/** What a refresh found, for a line on stderr. */
export interface CheckoutState {
  ref: Required<IndexRef>;
  how: string;
  status: TeamStatus | null;
  /** null outside a git checkout. */
  changed: ChangedFiles | null;
  /** Files the local overlay index holds after the refresh. */
  overlayFiles: number;
}

export class TeamCheckout {
  readonly client: TeamClient;
  private resolved: { ref: Required<IndexRef>; how: string } | null = null;
  private state: CheckoutState | null = null;
  private overlay: Engine | null = null;
  private overlayOpening: Promise<Engine> | null = null;
  private readonly overlaySpec: EngineSpec | null;
  private readonly filter: ChangeFilter | null;

  private constructor(
    private readonly args: ServerArgs,
    /** The checkout's top-level folder (or the --root below it the team indexed), or null when not in a git work tree. */
    readonly repoRoot: string | null,
    a: ParsedArgs,
    private readonly warn: (m: string) => void,
  ) {
    this.client = new TeamClient({ url: args.url, token: args.token });
    if (repoRoot) {
      const spec = engineSpec(a, [repoRoot]);
      // an index of its own, never the whole-tree index of the same folder (which it would empty): beside --index-dir when given
      const given = a.values['index-dir']?.[0];
      const indexDir = given ? `${path.resolve(given)}-team-overlay` : defaultIndexDir([repoRoot], path.join(cacheHome(), 'team-overlay'));
      this.overlaySpec = { ...spec, indexDir };
      this.filter = new ChangeFilter([repoRoot], { include: spec.include ?? [], exclude: spec.exclude ?? [], respectGitignore: true, maxFileBytes: spec.maxFileBytes ?? 1_000_000 });
    } else {
      this.overlaySpec = null;
      this.filter = null;
    }
  }

  /**
   * For the checkout holding `dir` (or none when it is not in a git work tree). The team index
   * is taken to be made of the checkout's top folder; a --root given below it names the folder
   * the team indexed instead (sift index --store … that/folder), and only its files count.
   */
  static async open(args: ServerArgs, a: ParsedArgs, dir: string, warn: (m: string) => void): Promise<TeamCheckout> {
    const top = await repoRootOf(path.resolve(dir));
    const folder = top && a.values.root?.length ? path.resolve(dir) : top;
    return new TeamCheckout(args, folder, a, warn);
  }

  get roots(): string[] { return this.repoRoot ? [this.repoRoot] : []; }
  get overlayDir(): string | null { return this.overlaySpec?.indexDir ?? null; }
  get last(): CheckoutState | null { return this.state; }

  /** The team's status, the files changed here, and the overlay index brought to exactly those files. */
  async refresh(run: IndexRunOptions & { sync?: boolean } = {}): Promise<CheckoutState> {
    if (!this.resolved) {
      const r = await resolveTeamRef(this.client, this.repoRoot, { repo: this.args.repo, branch: this.args.branch });
      this.resolved = { ref: r.ref, how: r.how };
    }
    const { ref, how } = this.resolved;
    const status = await this.client.status(ref, run.signal).catch((e: Error & { code?: string }) => {
      if (e.code === 'not_found') return null; // a search says so, in the server's words
      throw e;
    });
    let changed: ChangedFiles | null = null;
    let overlayFiles = this.state?.overlayFiles ?? 0;
    if (this.repoRoot) {
      changed = withinFolder(await changedFiles(this.repoRoot, { teamHead: status?.head ?? null, branch: ref.branch }), this.repoRoot);
      if (changed.note && changed.note !== this.state?.changed?.note) this.warn(`sift: note: ${changed.note}`);
      if (run.sync !== false && (changed.files.size > 0 || this.overlay)) {
        const engine = await this.openOverlay();
        const verdicts = await this.filter!.classify(absolutePaths(changed));
        overlayFiles = (await syncOverlay(engine, verdicts.update, run)).stats.files;
      }
    }
    this.state = { ref, how, status, changed, overlayFiles };
    return this.state;
  }

  /** One search (refresh first). */
  async search(q: OverlayQuery, signal?: AbortSignal): Promise<TeamSearchResponse> {
    const s = this.state ?? await this.refresh({ signal });
    const engine = this.overlay;
    return overlaySearch({
      client: this.client,
      ref: s.ref,
      repoRoot: this.repoRoot,
      changed: s.changed?.files ?? new Set(),
      local: engine ? (lq) => engine.search(lq.query, { ...lq, threshold: undefined }) : null,
      warn: (m) => this.warn(`sift: warning: ${m}`),
      signal,
    }, q);
  }

  /** One line about what is searched, for stderr and the MCP status. */
  describe(): string {
    const s = this.state;
    if (!s) return `team server ${this.client.shown}`;
    const at = s.status?.head ? ` at ${s.status.head.slice(0, 12)}` : '';
    const idx = s.status ? `${s.ref.repo}@${s.ref.branch}${at}` : `${s.ref.repo}@${s.ref.branch} (not indexed there yet)`;
    const local = !s.changed ? ' (not in a git checkout: no local changes overlaid)'
      : s.changed.files.size === 0 ? '; no files changed here'
      : `; ${s.changed.files.size} file${s.changed.files.size === 1 ? '' : 's'} changed here searched locally`;
    return `team index ${idx} on ${this.client.shown}${local}`;
  }

  private openOverlay(): Promise<Engine> {
    this.overlayOpening ??= openEngineFromSpec(this.overlaySpec!, (m) => this.warn(m)).then((e) => (this.overlay = e));
    return this.overlayOpening;
  }

  async close(): Promise<void> {
    await this.overlay?.close();
  }
}
