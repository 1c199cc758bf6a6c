// The global pass over all packages' candidates, in a fixed package order:
// dedup across packages (code subtokens, then name + query), drop queries
// that occur too often, and write the sharded JSON Lines output. Two reads of
// the candidate files keep memory to a few numbers per candidate.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { countDrop, type CandidatePair, type PairKind, type PairRecord } from './filePairs';
import { normaliseQuery, queryTemplate } from '../../src/core/harvest/queryText';
import { hash52 } from '../../src/core/harvest/unitCode';
import { float64List } from '../growableArray';

export interface MergeOptions {
  /** Queries kept only when their template (queryTemplate) occurs at most this many times among the deduplicated pairs. */
  maxQueryRepeats: number;
  /** Pairs per output shard. */
  shardSize: number;
}

export interface ShardInfo {
  file: string;
  kind: PairKind;
  lang: string;
  pairs: number;
  bytes: number;
}

export interface CountTable {
  total: number;
  byLanguage: Record<string, number>;
  bySource: Record<string, number>;
  byPackage: Record<string, number>;
  test: number;
}

export interface MergeReport {
  candidates: Record<PairKind, number>;
  pairs: Record<PairKind, CountTable>;
  drops: Record<string, number>;
  shards: ShardInfo[];
  bytes: number;
}

function emptyTable(): CountTable {
  return { total: 0, byLanguage: {}, bySource: {}, byPackage: {}, test: 0 };
}

function bump(m: Record<string, number>, k: string, n = 1): void {
  m[k] = (m[k] ?? 0) + n;
}

/** Output file prefix of a pair kind: doc pairs are `pairs-*`, inline pairs `inline-*`. */
export function shardPrefix(kind: PairKind): string {
  return kind === 'doc' ? 'pairs' : 'inline';
}

/** Candidate lines of a file (the header line skipped); unreadable lines are counted, not fatal. */
function* candidates(file: string, drops: Record<string, number>): Generator<CandidatePair> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    countDrop(drops, 'merge: candidates file unreadable');
    return;
  }
  let start = text.indexOf('\n') + 1;
  if (start === 0) return;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end > start) {
      try {
        yield JSON.parse(text.slice(start, end)) as CandidatePair;
      } catch {
        countDrop(drops, 'merge: bad candidate line');
      }
    }
    start = end + 1;
  }
}

/** Writes shards `<prefix>-<lang>-<n>.jsonl`, rolling over at shardSize pairs, buffered. */
class ShardWriter {
  private open = new Map<string, { fd: number; file: string; n: number; pairs: number; bytes: number; buf: string; kind: PairKind; lang: string }>();
  readonly done: ShardInfo[] = [];

  constructor(private readonly dir: string, private readonly shardSize: number) {}

  write(kind: PairKind, lang: string, line: string): void {
    const key = `${kind}:${lang}`;
    let s = this.open.get(key);
    if (s && s.pairs >= this.shardSize) {
      this.close(s);
      const n = s.n + 1;
      s = this.start(kind, lang, n);
      this.open.set(key, s);
    }
    if (!s) {
      s = this.start(kind, lang, 0);
      this.open.set(key, s);
    }
    s.buf += line + '\n';
    s.pairs++;
    if (s.buf.length > 1 << 20) this.flush(s);
  }

  closeAll(): void {
    for (const s of this.open.values()) this.close(s);
    this.open.clear();
    this.done.sort((a, b) => (a.file < b.file ? -1 : 1));
  }

  private start(kind: PairKind, lang: string, n: number) {
    const file = path.join(this.dir, `${shardPrefix(kind)}-${lang}-${n}.jsonl`);
    return { fd: fs.openSync(file, 'w'), file, n, pairs: 0, bytes: 0, buf: '', kind, lang };
  }

  private flush(s: { fd: number; buf: string; bytes: number }): void {
    if (!s.buf) return;
    s.bytes += fs.writeSync(s.fd, s.buf);
    s.buf = '';
  }

  private close(s: { fd: number; file: string; pairs: number; bytes: number; buf: string; kind: PairKind; lang: string }): void {
    this.flush(s);
    fs.closeSync(s.fd);
    this.done.push({ file: path.basename(s.file), kind: s.kind, lang: s.lang, pairs: s.pairs, bytes: s.bytes });
  }
}

/** Deletes the shards of an earlier run (only files this module names). */
export function removeOldShards(dir: string): void {
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) if (/^(?:pairs|inline)-[\w+-]+-\d+\.jsonl$/.test(n)) fs.rmSync(path.join(dir, n), { force: true });
}

function outputRecord(p: CandidatePair): PairRecord {
  const { h: _h, ...rest } = p;
  return rest;
}

/**
 * Merge candidate files (given in priority order: on a duplicate the earlier
 * one wins) into shards under outDir.
 */
export function mergeCandidates(files: string[], outDir: string, opts: MergeOptions, onProgress?: (phase: string, done: number, total: number) => void): MergeReport {
  const drops: Record<string, number> = {};
  const candidatesCount: Record<PairKind, number> = { doc: 0, inline: 0 };
  const seenCode = new Set<number>();
  const seenNameQuery = new Set<number>();
  const queryOf = float64List();
  const winner = float64List();
  const queryCounts = new Map<number, number>();

  // Pass 1: which candidate wins each duplicate group; how often each query occurs among winners.
  files.forEach((file, i) => {
    for (const p of candidates(file, drops)) {
      candidatesCount[p.kind] = (candidatesCount[p.kind] ?? 0) + 1;
      const prefix = p.kind === 'doc' ? 'd' : 'i';
      const codeHash = parseInt(hash52(`${prefix}${p.h}`), 16);
      const nq = normaliseQuery(p.q);
      const nameQuery = parseInt(hash52(`${prefix}${p.name}\u0000${nq}`), 16);
      const query = parseInt(hash52(`${prefix}${queryTemplate(p.q)}`), 16);
      queryOf.push(query);
      if (seenCode.has(codeHash)) {
        countDrop(drops, `${p.kind}: duplicate code (across packages)`);
        winner.push(0);
        continue;
      }
      if (seenNameQuery.has(nameQuery)) {
        countDrop(drops, `${p.kind}: duplicate name+query (across packages)`);
        winner.push(0);
        continue;
      }
      seenCode.add(codeHash);
      seenNameQuery.add(nameQuery);
      winner.push(1);
      queryCounts.set(query, (queryCounts.get(query) ?? 0) + 1);
    }
    onProgress?.('dedup', i + 1, files.length);
  });
  seenCode.clear();
  seenNameQuery.clear();

  // Pass 2: write the winners whose query is not over-repeated.
  fs.mkdirSync(outDir, { recursive: true });
  removeOldShards(outDir);
  const writer = new ShardWriter(outDir, opts.shardSize);
  const pairs: Record<PairKind, CountTable> = { doc: emptyTable(), inline: emptyTable() };
  const pass2Drops: Record<string, number> = {};
  let index = 0;
  files.forEach((file, i) => {
    for (const p of candidates(file, pass2Drops)) {
      const at = index++;
      if (!winner.get(at)) continue;
      if ((queryCounts.get(queryOf.get(at)) ?? 0) > opts.maxQueryRepeats) {
        countDrop(drops, `${p.kind}: query repeated more than ${opts.maxQueryRepeats} times`);
        continue;
      }
      writer.write(p.kind, p.lang, JSON.stringify(outputRecord(p)));
      const t = pairs[p.kind];
      t.total++;
      bump(t.byLanguage, p.lang);
      bump(t.bySource, p.source);
      bump(t.byPackage, `${p.source}:${p.pkg}`);
      if (p.test) t.test++;
    }
    onProgress?.('write', i + 1, files.length);
  });
  writer.closeAll();
  return {
    candidates: candidatesCount,
    pairs,
    drops,
    shards: writer.done,
    bytes: writer.done.reduce((s, x) => s + x.bytes, 0),
  };
}
