// What a reader keeps of a branch between searches: its name index (built from
// the chunks' names, in key order, as the local engine builds its own) and
// each key's path and language (for filters). Tied to the branch's
// generation: a commit of a new one makes the next search load it again.
import { NameSection } from '../../keyword/nameSection';
import { rankNames, symbolWords } from '../../keyword/nameRank';
import { SegmentNames } from '../../keyword/segmentNames';
import type { LanguageId } from '../../types';
import type { Client } from './db';

export class BranchNames {
  private readonly names: SegmentNames;
  private readonly slotOf = new Map<number, number>();

  constructor(
    readonly generation: number,
    private readonly keys: Int32Array,
    readonly paths: string[],
    readonly languages: LanguageId[],
    names: string[],
  ) {
    keys.forEach((k, i) => this.slotOf.set(k, i));
    const words = new Uint16Array(keys.length);
    names.forEach((n, i) => { words[i] = n ? Math.min(0xffff, symbolWords(n).length) : 0; });
    const section = NameSection.build(keys, names);
    this.names = new SegmentNames([section], (k) => this.slotOf.has(k), (k) => words[this.slotOf.get(k) ?? -1] ?? 0);
  }

  static async load(c: Client, branchId: number, generation: number): Promise<BranchNames> {
    const r = await c.query({ text: 'select key, name, path, language from sift_chunks where branch_id = $1 order by key', values: [branchId], rowMode: 'array' });
    const rows = r.rows as Array<[number, string, string, LanguageId]>;
    return new BranchNames(generation, Int32Array.from(rows, (x) => x[0]), rows.map((x) => x[2]), rows.map((x) => x[3]), rows.map((x) => x[1]));
  }

  get size(): number { return this.keys.length; }

  /** Keys whose names match the query, as the local name index ranks them. */
  search(query: string, limit: number): number[] {
    return rankNames(this.names, query, limit * 2).slice(0, limit);
  }

  pathOf(key: number): string | undefined { const s = this.slotOf.get(key); return s === undefined ? undefined : this.paths[s]; }
  languageOf(key: number): LanguageId | undefined { const s = this.slotOf.get(key); return s === undefined ? undefined : this.languages[s]; }
  allKeys(): Int32Array { return this.keys; }
}

/** Per branch, the BranchNames of its newest generation loaded, shared by concurrent searches. */
export class BranchNamesCache {
  private readonly byBranch = new Map<number, Promise<BranchNames>>();

  async get(c: Client, branchId: number, generation: number): Promise<BranchNames> {
    const had = this.byBranch.get(branchId);
    if (had) {
      const names = await had.catch(() => null);
      if (names && names.generation === generation) return names;
      // an older search may still load an older generation: never replace a newer one with it
      if (names && names.generation > generation) return BranchNames.load(c, branchId, generation);
    }
    const loading = BranchNames.load(c, branchId, generation);
    this.byBranch.set(branchId, loading);
    loading.catch(() => { if (this.byBranch.get(branchId) === loading) this.byBranch.delete(branchId); });
    return loading;
  }

  clear(): void { this.byBranch.clear(); }
}
