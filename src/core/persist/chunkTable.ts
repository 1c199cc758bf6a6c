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

export class ChunkTable {
  private count = 0;
  // key → slot + 1 (0: no such chunk)
  private slotOfKey = new Int32Array(1024);
  private keyOf = new Int32Array(1024);
  private root = new Int32Array(1024);
  private startLine = new Int32Array(1024);
  private endLine = new Int32Array(1024);
  private declLine = new Int32Array(1024);
  private kindOf = new Uint8Array(1024);
  private languageOf = new Uint8Array(1024);
  private partIndex = new Uint16Array(1024);
  private partCount = new Uint16Array(1024);
  private textOffset = new Float64Array(1024);
  private textLength = new Uint32Array(1024);
  private fileOf: string[] = [];
  private nameOf: string[] = [];
  private signatureOf: string[] = [];
  private contextOf: string[] = [];
  // one string per distinct path and context
  private shared = new Map<string, string>();

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
    this.keyOf[s] = c.key;
    this.root[s] = c.root;
    this.startLine[s] = c.startLine;
    this.endLine[s] = c.endLine;
    this.declLine[s] = c.declLine;
    this.kindOf[s] = kind;
    this.languageOf[s] = language;
    this.partIndex[s] = c.part?.index ?? 0;
    this.partCount[s] = c.part?.count ?? 0;
    this.textOffset[s] = c.text.offset;
    this.textLength[s] = c.text.length;
    this.fileOf[s] = this.share(c.file);
    this.nameOf[s] = c.name;
    this.signatureOf[s] = c.signature;
    this.contextOf[s] = c.context.length ? this.share(c.context.join(CONTEXT_SEP)) : '';
  }

  /** Remove a chunk; the last slot moves into its place. */
  delete(key: number): boolean {
    const s = this.slot(key);
    if (s < 0) return false;
    const last = this.count - 1;
    if (s !== last) {
      for (const col of this.columns()) col[s] = col[last];
      this.fileOf[s] = this.fileOf[last];
      this.nameOf[s] = this.nameOf[last];
      this.signatureOf[s] = this.signatureOf[last];
      this.contextOf[s] = this.contextOf[last];
      this.slotOfKey[this.keyOf[s]] = s + 1;
    }
    this.slotOfKey[key] = 0;
    this.fileOf.length = this.nameOf.length = this.signatureOf.length = this.contextOf.length = last;
    this.count = last;
    return true;
  }

  /** New keys for the chunks: remap[old] for each (every key must have one). */
  renumber(remap: Int32Array): void {
    let max = 0;
    for (let s = 0; s < this.count; s++) {
      const k = remap[this.keyOf[s]];
      if (!(k >= 0)) throw new Error(`chunk table: no new key for ${this.keyOf[s]}`);
      this.keyOf[s] = k;
      max = Math.max(max, k);
    }
    this.slotOfKey = new Int32Array(Math.max(1024, max + 1));
    for (let s = 0; s < this.count; s++) this.slotOfKey[this.keyOf[s]] = s + 1;
  }

  /** The chunk's record, as a new object (changing it does not change the table). */
  get(key: number): StoredChunk | undefined {
    const s = this.slot(key);
    return s < 0 ? undefined : this.record(s);
  }

  private record(s: number): StoredChunk {
    const context = this.contextOf[s];
    const c: StoredChunk = {
      key: this.keyOf[s], root: this.root[s], file: this.fileOf[s],
      startLine: this.startLine[s], endLine: this.endLine[s], declLine: this.declLine[s],
      kind: KINDS[this.kindOf[s]], name: this.nameOf[s], language: LANGUAGES[this.languageOf[s]],
      signature: this.signatureOf[s], context: context ? context.split(CONTEXT_SEP) : [],
      text: { offset: this.textOffset[s], length: this.textLength[s] },
    };
    if (this.partCount[s] > 0) c.part = { index: this.partIndex[s], count: this.partCount[s] };
    return c;
  }

  /** Keys in table order. */
  keys(): number[] { return Array.from(this.keyOf.subarray(0, this.count)); }

  *values(): Generator<StoredChunk> {
    for (let s = 0; s < this.count; s++) yield this.record(s);
  }

  name(key: number): string { const s = this.slot(key); return s < 0 ? '' : this.nameOf[s]; }
  file(key: number): string { const s = this.slot(key); return s < 0 ? '' : this.fileOf[s]; }
  language(key: number): LanguageId | undefined { const s = this.slot(key); return s < 0 ? undefined : LANGUAGES[this.languageOf[s]]; }
  text(key: number): TextRef | undefined { const s = this.slot(key); return s < 0 ? undefined : { offset: this.textOffset[s], length: this.textLength[s] }; }

  setText(key: number, ref: TextRef): void {
    const s = this.slot(key);
    if (s < 0) throw new Error(`chunk table: no chunk ${key}`);
    this.textOffset[s] = ref.offset;
    this.textLength[s] = ref.length;
  }

  /** Distinct languages of the chunks. */
  languages(): Set<LanguageId> {
    const seen = new Set<LanguageId>();
    for (let s = 0; s < this.count; s++) seen.add(LANGUAGES[this.languageOf[s]]);
    return seen;
  }

  private columns(): Column[] {
    return [this.keyOf, this.root, this.startLine, this.endLine, this.declLine, this.kindOf, this.languageOf,
      this.partIndex, this.partCount, this.textOffset, this.textLength];
  }

  private ensureSlots(n: number): void {
    if (n <= this.keyOf.length) return;
    const cap = Math.max(n, this.keyOf.length * 2);
    const grow = <T extends Column>(a: T): T => { const b = new (a.constructor as new (n: number) => T)(cap); b.set(a as never); return b; };
    this.keyOf = grow(this.keyOf); this.root = grow(this.root);
    this.startLine = grow(this.startLine); this.endLine = grow(this.endLine); this.declLine = grow(this.declLine);
    this.kindOf = grow(this.kindOf); this.languageOf = grow(this.languageOf);
    this.partIndex = grow(this.partIndex); this.partCount = grow(this.partCount);
    this.textOffset = grow(this.textOffset); this.textLength = grow(this.textLength);
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
    for (let s = 0; s < n; s++) {
      this.shared.set(this.fileOf[s], this.fileOf[s]);
      if (this.contextOf[s]) this.shared.set(this.contextOf[s], this.contextOf[s]);
    }
    const w = new BinaryWriter();
    writeMagic(w, MAGIC, VERSION);
    w.u32(n);
    w.array(this.keyOf.subarray(0, n)).array(this.root.subarray(0, n))
      .array(this.startLine.subarray(0, n)).array(this.endLine.subarray(0, n)).array(this.declLine.subarray(0, n))
      .array(this.kindOf.subarray(0, n)).array(this.languageOf.subarray(0, n))
      .array(this.partIndex.subarray(0, n)).array(this.partCount.subarray(0, n))
      .array(this.textOffset.subarray(0, n)).array(this.textLength.subarray(0, n));
    for (const col of [this.fileOf, this.nameOf, this.signatureOf, this.contextOf]) {
      // lengths in UTF-16 units, then all the strings as one
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
    const keys = exact(r.i32(), 'keys');
    const root = exact(r.i32(), 'roots');
    const startLine = exact(r.i32(), 'start lines');
    const endLine = exact(r.i32(), 'end lines');
    const declLine = exact(r.i32(), 'declaration lines');
    const kinds = exact(r.u8(), 'kinds');
    const languages = exact(r.u8(), 'languages');
    const partIndex = exact(r.u16(), 'part indexes');
    const partCount = exact(r.u16(), 'part counts');
    const textOffset = exact(r.f64s(), 'text offsets');
    const textLength = exact(r.u32s(), 'text lengths');
    const strings = (what: string): string[] => {
      const lengths = exact(r.u32s(), what);
      const all = r.string();
      const out = new Array<string>(n);
      let at = 0;
      for (let s = 0; s < n; s++) { out[s] = all.substring(at, at + lengths[s]); at += lengths[s]; }
      if (at !== all.length) throw new CorruptIndexError(`chunk table: ${what} lengths do not add up`);
      return out;
    };
    const file = strings('paths');
    const name = strings('names');
    const signature = strings('signatures');
    const context = strings('contexts');
    r.done();
    let maxKey = 0;
    for (let s = 0; s < n; s++) {
      if (keys[s] < 0) throw new CorruptIndexError(`chunk table: bad key ${keys[s]}`);
      if (kinds[s] >= KINDS.length || languages[s] >= LANGUAGES.length) throw new CorruptIndexError(`chunk table: unknown kind or language code in row ${s}`);
      maxKey = Math.max(maxKey, keys[s]);
    }
    t.ensureSlots(n);
    t.ensureKeys(maxKey + 1);
    // copies into the table's own columns (the file buffer is not kept)
    t.keyOf.set(keys); t.root.set(root); t.startLine.set(startLine); t.endLine.set(endLine); t.declLine.set(declLine);
    t.kindOf.set(kinds); t.languageOf.set(languages); t.partIndex.set(partIndex); t.partCount.set(partCount);
    t.textOffset.set(textOffset); t.textLength.set(textLength);
    for (let s = 0; s < n; s++) {
      if (t.slotOfKey[keys[s]] !== 0) throw new CorruptIndexError(`chunk table lists key ${keys[s]} twice`);
      t.slotOfKey[keys[s]] = s + 1;
      t.fileOf.push(t.share(file[s]));
      t.nameOf.push(name[s]);
      t.signatureOf.push(signature[s]);
      t.contextOf.push(context[s] ? t.share(context[s]) : '');
    }
    t.count = n;
    return t;
  }
}
