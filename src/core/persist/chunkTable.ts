// The index's chunk records, column by column: typed arrays for the numbers
// and one array per text field (paths and contexts shared between chunks).
// At 100K chunks a Map of record objects held ~40 MB of heap and loaded
// through a 30 MB JSON parse; these columns hold a fraction of that and load
// from one binary file. Records are materialised on demand (get()), which a
// query does for its few hundred candidates at most.
import { CorruptIndexError } from '../errors';
import type { ChunkKind, LanguageId } from '../types';
import { BinaryReader, BinaryWriter, writeMagic } from './binary';
import type { StoredChunk } from './indexStore';
import type { TextRef } from './textStore';
import { detached } from '../text/detached';

const MAGIC = 'SFTC';
const VERSION = 1;

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

type Column = Int32Array | Uint16Array | Uint8Array | Uint32Array | Float64Array;

interface Numbers {
  keyOf: Int32Array; root: Int32Array; startLine: Int32Array; endLine: Int32Array; declLine: Int32Array;
  kindOf: Uint8Array; languageOf: Uint8Array; partIndex: Uint16Array; partCount: Uint16Array;
  textOffset: Float64Array; textLength: Uint32Array;
}
interface Strings { fileOf: string[]; nameOf: string[]; signatureOf: string[]; contextOf: string[] }

interface NumberSpec<T extends Column> { what: string; make: (n: number) => T; read: (r: BinaryReader) => T }
const int32 = (what: string): NumberSpec<Int32Array> => ({ what, make: (n) => new Int32Array(n), read: (r) => r.i32() });
const uint8 = (what: string): NumberSpec<Uint8Array> => ({ what, make: (n) => new Uint8Array(n), read: (r) => r.u8() });
const uint16 = (what: string): NumberSpec<Uint16Array> => ({ what, make: (n) => new Uint16Array(n), read: (r) => r.u16() });

/** The number columns, in file order, with what a damaged file's message calls each. */
const NUMBERS: { [K in keyof Numbers]: NumberSpec<Numbers[K]> } = {
  keyOf: int32('keys'), root: int32('roots'), startLine: int32('start lines'), endLine: int32('end lines'),
  declLine: int32('declaration lines'), kindOf: uint8('kinds'), languageOf: uint8('languages'),
  partIndex: uint16('part indexes'), partCount: uint16('part counts'),
  textOffset: { what: 'text offsets', make: (n) => new Float64Array(n), read: (r) => r.f64s() },
  textLength: { what: 'text lengths', make: (n) => new Uint32Array(n), read: (r) => r.u32s() },
};
const NUMBER_COLUMNS = Object.keys(NUMBERS) as Array<keyof Numbers>;
/** The string columns, in file order; paths and contexts repeat across chunks and are shared. */
const STRINGS: { [K in keyof Strings]: { what: string; shared: boolean } } = {
  fileOf: { what: 'paths', shared: true }, nameOf: { what: 'names', shared: false },
  signatureOf: { what: 'signatures', shared: false }, contextOf: { what: 'contexts', shared: true },
};
const STRING_COLUMNS = Object.keys(STRINGS) as Array<keyof Strings>;

function makeNumbers(cap: number): Numbers {
  return Object.fromEntries(NUMBER_COLUMNS.map((c) => [c, NUMBERS[c].make(cap)])) as unknown as Numbers;
}

export class ChunkTable {
  private count = 0;
  // key → slot + 1 (0: no such chunk)
  private slotOfKey = new Int32Array(1024);
  private num: Numbers = makeNumbers(1024);
  private str: Strings = { fileOf: [], nameOf: [], signatureOf: [], contextOf: [] };
  // one string per distinct path and context
  private shared = new Map<string, string>();
  // root → path → keys of that file's chunks; built on first keysOfFile(), then kept up to date (not stored)
  private byFile: Map<number, Map<string, number[]>> | null = null;

  get size(): number { return this.count; }

  private slot(key: number): number {
    return key >= 0 && key < this.slotOfKey.length ? this.slotOfKey[key] - 1 : -1;
  }

  has(key: number): boolean { return this.slot(key) >= 0; }

  private share(s: string): string {
    const had = this.shared.get(s);
    if (had !== undefined) return had;
    const own = detached(s);
    this.shared.set(own, own);
    return own;
  }

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
    n.textOffset[s] = c.text.offset;
    n.textLength[s] = c.text.length;
    this.str.fileOf[s] = this.share(c.file);
    this.str.nameOf[s] = c.name;
    this.str.signatureOf[s] = c.signature;
    this.str.contextOf[s] = c.context.length ? this.share(c.context.join(CONTEXT_SEP)) : '';
    if (this.byFile) this.fileKeys(c.root, this.str.fileOf[s], true)!.push(c.key);
  }

  /** Remove a chunk; the last slot moves into its place. */
  delete(key: number): boolean {
    const s = this.slot(key);
    if (s < 0) return false;
    if (this.byFile) {
      const keys = this.fileKeys(this.num.root[s], this.str.fileOf[s], false);
      const at = keys ? keys.indexOf(key) : -1;
      if (at >= 0) keys!.splice(at, 1);
      if (keys && keys.length === 0) this.byFile.get(this.num.root[s])!.delete(this.str.fileOf[s]);
    }
    const last = this.count - 1;
    if (s !== last) {
      for (const c of NUMBER_COLUMNS) this.num[c][s] = this.num[c][last];
      for (const c of STRING_COLUMNS) this.str[c][s] = this.str[c][last];
      this.slotOfKey[this.num.keyOf[s]] = s + 1;
    }
    this.slotOfKey[key] = 0;
    for (const c of STRING_COLUMNS) this.str[c].length = last;
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
    const context = this.str.contextOf[s];
    const c: StoredChunk = {
      key: n.keyOf[s], root: n.root[s], file: this.str.fileOf[s],
      startLine: n.startLine[s], endLine: n.endLine[s], declLine: n.declLine[s],
      kind: KINDS[n.kindOf[s]], name: this.str.nameOf[s], language: LANGUAGES[n.languageOf[s]],
      signature: this.str.signatureOf[s], context: context ? context.split(CONTEXT_SEP) : [],
      text: { offset: n.textOffset[s], length: n.textLength[s] },
    };
    if (n.partCount[s] > 0) c.part = { index: n.partIndex[s], count: n.partCount[s] };
    return c;
  }

  /** Keys of the chunks of one file (root index and path as stored), in no particular order. */
  keysOfFile(root: number, file: string): number[] {
    this.buildFileLists();
    return [...(this.fileKeys(root, file, false) ?? [])];
  }

  /** Build the per-file key lists now (a long-lived owner does it before the first search needs them). */
  buildFileLists(): void {
    if (this.byFile) return;
    this.byFile = new Map();
    for (let s = 0; s < this.count; s++) this.fileKeys(this.num.root[s], this.str.fileOf[s], true)!.push(this.num.keyOf[s]);
  }

  private fileKeys(root: number, file: string, create: boolean): number[] | undefined {
    let files = this.byFile!.get(root);
    if (!files) {
      if (!create) return undefined;
      files = new Map();
      this.byFile!.set(root, files);
    }
    let keys = files.get(file);
    if (!keys && create) files.set(file, (keys = []));
    return keys;
  }

  /** Keys in table order. */
  keys(): number[] { return Array.from(this.num.keyOf.subarray(0, this.count)); }

  *values(): Generator<StoredChunk> {
    for (let s = 0; s < this.count; s++) yield this.record(s);
  }

  name(key: number): string { const s = this.slot(key); return s < 0 ? '' : this.str.nameOf[s]; }
  file(key: number): string { const s = this.slot(key); return s < 0 ? '' : this.str.fileOf[s]; }
  language(key: number): LanguageId | undefined { const s = this.slot(key); return s < 0 ? undefined : LANGUAGES[this.num.languageOf[s]]; }
  text(key: number): TextRef | undefined { const s = this.slot(key); return s < 0 ? undefined : { offset: this.num.textOffset[s], length: this.num.textLength[s] }; }

  setText(key: number, ref: TextRef): void {
    const s = this.slot(key);
    if (s < 0) throw new Error(`chunk table: no chunk ${key}`);
    this.num.textOffset[s] = ref.offset;
    this.num.textLength[s] = ref.length;
  }

  /** Distinct languages of the chunks. */
  languages(): Set<LanguageId> {
    const seen = new Set<LanguageId>();
    for (let s = 0; s < this.count; s++) seen.add(LANGUAGES[this.num.languageOf[s]]);
    return seen;
  }

  private ensureSlots(n: number): void {
    const have = this.num.keyOf.length;
    if (n <= have) return;
    const grown = makeNumbers(Math.max(n, have * 2));
    for (const c of NUMBER_COLUMNS) grown[c].set(this.num[c] as never);
    this.num = grown;
  }

  private ensureKeys(n: number): void {
    if (n <= this.slotOfKey.length) return;
    const b = new Int32Array(Math.max(n, this.slotOfKey.length * 2));
    b.set(this.slotOfKey);
    this.slotOfKey = b;
  }

  /** The table as file pieces (see BinaryWriter.finishPieces): write them before changing the table. */
  serializePieces(): Uint8Array[] {
    const n = this.count;
    // forget paths and contexts no chunk holds any more (edits make new ones all the time)
    this.shared = new Map();
    for (const c of STRING_COLUMNS) {
      if (!STRINGS[c].shared) continue;
      for (let s = 0; s < n; s++) if (this.str[c][s]) this.shared.set(this.str[c][s], this.str[c][s]);
    }
    const w = new BinaryWriter();
    writeMagic(w, MAGIC, VERSION);
    w.u32(n);
    for (const c of NUMBER_COLUMNS) w.array(this.num[c].subarray(0, n));
    for (const c of STRING_COLUMNS) {
      // lengths in UTF-16 units, then all the strings as one
      const col = this.str[c];
      const lengths = new Uint32Array(n);
      for (let s = 0; s < n; s++) lengths[s] = col[s].length;
      w.array(lengths).string(col.join(''));
    }
    return w.finishPieces();
  }

  static deserialize(buf: Uint8Array): ChunkTable {
    const r = new BinaryReader(buf, 'chunk table');
    r.expectMagic(MAGIC, VERSION);
    const n = r.u32();
    const t = new ChunkTable();
    const exact = <T extends Column>(a: T, what: string): T => {
      if (a.length !== n) throw new CorruptIndexError(`chunk table: ${what} has ${a.length} rows, expected ${n}`);
      return a;
    };
    // read into the table's own columns (copies: the file buffer is not kept)
    t.ensureSlots(n);
    for (const c of NUMBER_COLUMNS) t.num[c].set(exact(NUMBERS[c].read(r), NUMBERS[c].what) as never);
    for (const c of STRING_COLUMNS) {
      const { what, shared } = STRINGS[c];
      const lengths = exact(r.u32s(), what);
      const all = r.string();
      const out = t.str[c];
      let at = 0;
      for (let s = 0; s < n; s++) {
        const v = all.substring(at, at + lengths[s]);
        out.push(shared && v ? t.share(v) : v);
        at += lengths[s];
      }
      if (at !== all.length) throw new CorruptIndexError(`chunk table: ${what} lengths do not add up`);
    }
    r.done();
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
