// The index's chunk records, column by column: typed arrays for the numbers
// and a StringColumn per text field (a UTF-8 dictionary of distinct strings
// with one id per row). Loading is one read, a checksum and views into the
// file's buffer: no record, and no string, is made until asked for (get(),
// name(), file()), which a query does for its few hundred candidates at most.
import { CorruptIndexError } from '../errors';
import type { ChunkKind, LanguageId } from '../types';
import { BinaryReader, BinaryWriter, writeMagic } from './binary';
import type { StoredChunk } from './indexStore';
import { groupKeys, type KeyGroups, keysOfCode } from './keyGroups';
import { StringColumn } from './stringColumn';

const MAGIC = 'SFTC';
const VERSION = 2; // 2: strings as UTF-8 dictionaries with ids per row; no text references

const KINDS = [
  'function', 'method', 'class', 'struct', 'interface', 'enum', 'trait', 'impl',
  'module', 'type', 'constant', 'block', 'file', 'section', 'window',
] as const satisfies readonly ChunkKind[];
const LANGUAGES = [
  'python', 'javascript', 'typescript', 'tsx', 'go', 'rust', 'java', 'c', 'cpp', 'csharp', 'ruby', 'php',
  'markdown', 'config', 'text',
] as const satisfies readonly LanguageId[];
// every kind and language has a code (a new one added to types.ts must be added here)
const allKinds: Exclude<ChunkKind, (typeof KINDS)[number]> extends never ? true : never = true;
const allLanguages: Exclude<LanguageId, (typeof LANGUAGES)[number]> extends never ? true : never = true;
void allKinds; void allLanguages;
const KIND_CODE = new Map<string, number>(KINDS.map((k, i) => [k, i]));
const LANGUAGE_CODE = new Map<string, number>(LANGUAGES.map((l, i) => [l, i]));

/** Separates the entries of a chunk's context in its one string (contexts are code signatures: no NULs). */
const CONTEXT_SEP = '\u0000';

type Column = Int32Array | Uint16Array | Uint8Array;

interface Numbers {
  keyOf: Int32Array; root: Int32Array; startLine: Int32Array; endLine: Int32Array; declLine: Int32Array;
  kindOf: Uint8Array; languageOf: Uint8Array; partIndex: Uint16Array; partCount: Uint16Array;
}
interface Strings { fileOf: StringColumn; nameOf: StringColumn; signatureOf: StringColumn; contextOf: StringColumn }

interface NumberSpec<T extends Column> { what: string; make: (n: number) => T; read: (r: BinaryReader) => T }
const int32 = (what: string): NumberSpec<Int32Array> => ({ what, make: (n) => new Int32Array(n), read: (r) => r.i32() });
const uint8 = (what: string): NumberSpec<Uint8Array> => ({ what, make: (n) => new Uint8Array(n), read: (r) => r.u8() });
const uint16 = (what: string): NumberSpec<Uint16Array> => ({ what, make: (n) => new Uint16Array(n), read: (r) => r.u16() });

/** The number columns, in file order, with what a damaged file's message calls each. */
const NUMBERS: { [K in keyof Numbers]: NumberSpec<Numbers[K]> } = {
  keyOf: int32('keys'), root: int32('roots'), startLine: int32('start lines'), endLine: int32('end lines'),
  declLine: int32('declaration lines'), kindOf: uint8('kinds'), languageOf: uint8('languages'),
  partIndex: uint16('part indexes'), partCount: uint16('part counts'),
};
const NUMBER_COLUMNS = Object.keys(NUMBERS) as Array<keyof Numbers>;
/** The string columns, in file order; paths and contexts repeat across the rows of a file. */
const STRINGS: { [K in keyof Strings]: { what: string; shared: boolean } } = {
  fileOf: { what: 'paths', shared: true }, nameOf: { what: 'names', shared: false },
  signatureOf: { what: 'signatures', shared: false }, contextOf: { what: 'contexts', shared: true },
};
const STRING_COLUMNS = Object.keys(STRINGS) as Array<keyof Strings>;

function makeNumbers(cap: number): Numbers {
  return Object.fromEntries(NUMBER_COLUMNS.map((c) => [c, NUMBERS[c].make(cap)])) as unknown as Numbers;
}
function makeStrings(cap: number): Strings {
  return Object.fromEntries(STRING_COLUMNS.map((c) => [c, new StringColumn(cap, STRINGS[c].shared)])) as unknown as Strings;
}

/** Room for n rows given `have`: a quarter more at a time (a loaded table is full; doubling 840K rows would cost ~35 MB at once). */
function grownCapacity(n: number, have: number): number {
  return Math.max(n, have + (have >> 2) + 1024);
}

export class ChunkTable {
  private count = 0;
  // key → slot + 1 (0: no such chunk)
  private slotOfKey = new Int32Array(1024);
  private num: Numbers = makeNumbers(1024);
  private str: Strings = makeStrings(1024);
  // the keys of each path (by its code in the path column), and those of chunks added since they were
  // grouped; built on first keysOfFile(), dropped when the codes change (saving, renumbering); not stored
  private byFile: { groups: KeyGroups; recent: Map<number, number[]> } | null = null;
  /** Whether the number columns are views into a loaded file's buffer. */
  private inFile = false;

  get size(): number { return this.count; }

  private slot(key: number): number {
    return key >= 0 && key < this.slotOfKey.length ? this.slotOfKey[key] - 1 : -1;
  }

  has(key: number): boolean { return this.slot(key) >= 0; }

  /** Add a chunk under a key not in the table. */
  add(c: StoredChunk): void {
    if (!Number.isInteger(c.key) || c.key < 0) throw new RangeError(`chunk table: bad key ${c.key}`);
    if (this.has(c.key)) throw new Error(`chunk table: key ${c.key} is already present`);
    const kind = KIND_CODE.get(c.kind);
    const language = LANGUAGE_CODE.get(c.language);
    if (kind === undefined || language === undefined) throw new Error(`chunk table: unknown kind ${c.kind} or language ${c.language}`);
    this.ensureSlots(this.count + 1);
    this.ensureKeys(c.key + 1);
    const s = this.count++;
    this.slotOfKey[c.key] = s + 1;
    const n = this.num;
    n.keyOf[s] = c.key;
    n.root[s] = c.root;
    n.startLine[s] = c.startLine;
    n.endLine[s] = c.endLine;
    n.declLine[s] = c.declLine;
    n.kindOf[s] = kind;
    n.languageOf[s] = language;
    n.partIndex[s] = c.part?.index ?? 0;
    n.partCount[s] = c.part?.count ?? 0;
    this.str.fileOf.set(s, c.file);
    this.str.nameOf.set(s, c.name);
    this.str.signatureOf.set(s, c.signature);
    this.str.contextOf.set(s, c.context.join(CONTEXT_SEP));
    if (this.byFile) {
      const code = this.str.fileOf.codeAt(s);
      const recent = this.byFile.recent.get(code);
      if (recent) recent.push(c.key); else this.byFile.recent.set(code, [c.key]);
    }
  }

  /** Remove a chunk; the last slot moves into its place. */
  delete(key: number): boolean {
    const s = this.slot(key);
    if (s < 0) return false;
    const last = this.count - 1;
    if (s !== last) {
      for (const c of NUMBER_COLUMNS) this.num[c][s] = this.num[c][last];
      for (const c of STRING_COLUMNS) this.str[c].copy(last, s);
      this.slotOfKey[this.num.keyOf[s]] = s + 1;
    }
    this.slotOfKey[key] = 0;
    this.count = last;
    return true;
  }

  /** New keys for the chunks: remap[old] for each (every key must have one). */
  renumber(remap: Int32Array): void {
    const keyOf = this.num.keyOf;
    for (let s = 0; s < this.count; s++) {
      const k = remap[keyOf[s]];
      if (!(k >= 0)) throw new Error(`chunk table: no new key for ${keyOf[s]}`);
      keyOf[s] = k;
    }
    this.byFile = null;
    this.indexKeys();
  }

  /** slotOfKey rebuilt from the key column; returns a key listed twice, or -1. */
  private indexKeys(): number {
    const keyOf = this.num.keyOf;
    let max = 0;
    for (let s = 0; s < this.count; s++) max = Math.max(max, keyOf[s]);
    this.slotOfKey = new Int32Array(Math.max(1024, max + 1));
    for (let s = 0; s < this.count; s++) {
      if (this.slotOfKey[keyOf[s]] !== 0) return keyOf[s];
      this.slotOfKey[keyOf[s]] = s + 1;
    }
    return -1;
  }

  /** The chunk's record, as a new object (changing it does not change the table). */
  get(key: number): StoredChunk | undefined {
    const s = this.slot(key);
    return s < 0 ? undefined : this.record(s);
  }

  private record(s: number): StoredChunk {
    const n = this.num;
    const context = this.str.contextOf.get(s);
    const c: StoredChunk = {
      key: n.keyOf[s], root: n.root[s], file: this.str.fileOf.get(s),
      startLine: n.startLine[s], endLine: n.endLine[s], declLine: n.declLine[s],
      kind: KINDS[n.kindOf[s]], name: this.str.nameOf.get(s), language: LANGUAGES[n.languageOf[s]],
      signature: this.str.signatureOf.get(s), context: context ? context.split(CONTEXT_SEP) : [],
    };
    if (n.partCount[s] > 0) c.part = { index: n.partIndex[s], count: n.partCount[s] };
    return c;
  }

  /** Keys of the chunks of one file (root index and path as stored), in no particular order. */
  keysOfFile(root: number, file: string): number[] {
    this.buildFileLists();
    const code = this.str.fileOf.codeOf(file);
    if (code < 0) return [];
    const listed = [...keysOfCode(this.byFile!.groups, code), ...(this.byFile!.recent.get(code) ?? [])];
    // the lists may hold chunks deleted since, and a key deleted and added again twice: each is checked
    const out = listed.filter((k) => {
      const s = this.slot(k);
      return s >= 0 && this.num.root[s] === root && this.str.fileOf.codeAt(s) === code;
    });
    return out.sort((a, b) => a - b).filter((k, i) => i === 0 || k !== out[i - 1]);
  }

  /** Group the keys by file now (a long-lived owner does it before the first search needs them). */
  buildFileLists(): void {
    if (this.byFile) return;
    const paths = this.str.fileOf;
    this.byFile = { groups: groupKeys(this.count, this.num.keyOf, (s) => paths.codeAt(s), paths.codeCount), recent: new Map() };
  }

  /** Keys in table order. */
  keys(): number[] { return Array.from(this.num.keyOf.subarray(0, this.count)); }

  *values(): Generator<StoredChunk> {
    for (let s = 0; s < this.count; s++) yield this.record(s);
  }

  /** How many parts the chunk's unit was split into (0 when whole, or no such chunk): numbers only, no record made. */
  partCount(key: number): number {
    const s = this.slot(key);
    return s < 0 ? 0 : this.num.partCount[s];
  }

  name(key: number): string { const s = this.slot(key); return s < 0 ? '' : this.str.nameOf.get(s); }
  file(key: number): string { const s = this.slot(key); return s < 0 ? '' : this.str.fileOf.get(s); }
  language(key: number): LanguageId | undefined { const s = this.slot(key); return s < 0 ? undefined : LANGUAGES[this.num.languageOf[s]]; }

  /** Distinct languages of the chunks. */
  languages(): Set<LanguageId> {
    const seen = new Set<LanguageId>();
    for (let s = 0; s < this.count; s++) seen.add(LANGUAGES[this.num.languageOf[s]]);
    return seen;
  }

  /** Room for `extra` more rows now (a loaded table first copies its columns out of the file: a long-lived owner does it before the first edit waits on it). */
  reserve(extra: number): void { this.ensureSlots(this.count + extra); }

  private ensureSlots(n: number): void {
    const have = this.num.keyOf.length;
    if (n > have) this.ownColumns(grownCapacity(n, have));
  }

  /** Columns of their own with room for `cap` rows (a loaded table's are views into the file's buffer, which can then go). */
  private ownColumns(cap: number): void {
    const grown = makeNumbers(cap);
    for (const c of NUMBER_COLUMNS) grown[c].set(this.num[c].subarray(0, Math.min(cap, this.num[c].length)) as never);
    this.num = grown;
    for (const c of STRING_COLUMNS) this.str[c].grow(cap);
    this.inFile = false;
  }

  private ensureKeys(n: number): void {
    if (n <= this.slotOfKey.length) return;
    const b = new Int32Array(Math.max(n, this.slotOfKey.length * 2));
    b.set(this.slotOfKey);
    this.slotOfKey = b;
  }

  /**
   * Fold the strings of the chunks added since the load or the last compaction
   * into the dictionaries, and forget the strings no chunk holds any more (a
   * save does this; a long indexing run may do it now and then: 105K chunks
   * added took ~172 bytes each, ~104 once compacted).
   */
  compact(): void {
    const n = this.count;
    const hadFileLists = this.byFile !== null;
    this.byFile = null; // the paths get new codes
    // the string columns get new dictionaries: let go of the file they were loaded from
    if (this.inFile) this.ownColumns(this.num.keyOf.length);
    const rows = new Int32Array(n);
    for (let i = 0; i < n; i++) rows[i] = i;
    for (const c of STRING_COLUMNS) {
      this.str[c].compact(rows);
      // compact() left the string columns exactly n rows long; the number columns have room for more
      this.str[c].grow(this.num.keyOf.length);
    }
    if (hadFileLists) this.buildFileLists(); // an owner that built them keeps them ready
  }

  /** The table as file pieces (see BinaryWriter.finishPieces), after compact(): write them before changing the table. */
  serializePieces(): Uint8Array[] {
    this.compact();
    const n = this.count;
    const w = new BinaryWriter();
    writeMagic(w, MAGIC, VERSION);
    w.u32(n);
    for (const c of NUMBER_COLUMNS) w.array(this.num[c].subarray(0, n));
    for (const c of STRING_COLUMNS) this.str[c].write(w, n);
    return w.finishPieces();
  }

  /** A table viewing the file's buffer (kept, not copied: hand over a buffer nothing else uses). */
  static deserialize(buf: Uint8Array): ChunkTable {
    const r = new BinaryReader(buf, 'chunk table');
    r.expectMagic(MAGIC, VERSION);
    const n = r.u32();
    const t = new ChunkTable();
    const num: Partial<Numbers> = {};
    for (const c of NUMBER_COLUMNS) {
      const a = NUMBERS[c].read(r);
      if (a.length !== n) throw new CorruptIndexError(`chunk table: ${NUMBERS[c].what} has ${a.length} rows, expected ${n}`);
      (num as Record<string, Column>)[c] = a;
    }
    const str: Partial<Strings> = {};
    for (const c of STRING_COLUMNS) str[c] = StringColumn.read(r, n, `chunk table: ${STRINGS[c].what}`, STRINGS[c].shared);
    r.done();
    t.num = num as Numbers;
    t.str = str as Strings;
    t.inFile = true;
    const { keyOf, kindOf, languageOf } = t.num;
    for (let s = 0; s < n; s++) {
      if (keyOf[s] < 0) throw new CorruptIndexError(`chunk table: bad key ${keyOf[s]}`);
      if (kindOf[s] >= KINDS.length || languageOf[s] >= LANGUAGES.length) throw new CorruptIndexError(`chunk table: unknown kind or language code in row ${s}`);
    }
    t.count = n;
    const twice = t.indexKeys();
    if (twice >= 0) throw new CorruptIndexError(`chunk table lists key ${twice} twice`);
    return t;
  }
}
