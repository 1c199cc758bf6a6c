// Turns one parsed file into chunks: semantic units (with doc comments,
// decorators and enclosing context), blocks of the top-level code between
// them, and the file summary. Traversal only descends into scopes
// (containers, pass-through wrappers) and is depth-limited, so pathological
// nesting cannot exhaust the stack.
import type { Node, Tree } from 'web-tree-sitter';
import type { ChunkKind } from '../types';
import { ChunkSink, firstLine } from './chunkSink';
import { countTokens } from './chunkText';
import { cleanComments, cleanDocstring, isLicenseText } from './docText';
import { addFileSummary } from './fileSummary';
import { SourceText } from './sourceText';
import { splitRows } from './splitRows';
import { DECORATION_TYPES, LanguageSpec, UnitSyntax } from './syntaxSpecs';

/** Deepest scope nesting (containers and pass-through nodes) that is scanned for units. */
const MAX_SCOPE_DEPTH = 40;
/** Deepest descent below a statement when looking for places to split it. */
const MAX_CUT_DEPTH = 10;
/** Blocks with fewer tokens say nothing worth embedding. */
const MIN_BLOCK_TOKENS = 4;
/** Comment-only blocks need this many tokens to be kept. */
const MIN_COMMENT_BLOCK_TOKENS = 12;
const MAX_SIGNATURE_SOURCE = 600;
const MAX_IMPORTS_LISTED = 80;

const CLASS_LIKE: ReadonlySet<string> = new Set(['class', 'struct', 'interface', 'enum', 'trait', 'impl']);
const COMMENT_LINE = /^(?:\/\/|\/\*|\*|#(?![[!])|--)/;

interface Scope {
  /** Context lines of everything in this scope, outermost first. */
  context: string[];
  /** Names that qualify member names ("Cache" in "Cache.get"). */
  qualifiers: string[];
  /** Kind of the enclosing unit, null at the top level and in namespaces. */
  containerKind: string | null;
  depth: number;
}

interface UnitRecord {
  syntax: UnitSyntax;
  /** The declaration node (inside any wrapper). */
  decl: Node;
  kind: ChunkKind;
  /** Qualified name. */
  name: string;
  startRow: number;
  /** First row of the code: decorators/attributes included, doc comments above excluded. */
  codeStartRow: number;
  endRow: number;
  declRow: number;
  doc: string;
  /** A Python docstring's rows: shown as doc, left out of the code. */
  docstringRows: [number, number] | null;
  signature: string;
  context: string[];
  /** Scanned members of a container. */
  members: ScopeItem[] | null;
}

type ScopeItem =
  | { unit: UnitRecord }
  | { node: Node; role: 'comment' | 'attachment' | 'import' | 'code' };

export interface TreeChunkResult {
  unitCount: number;
  /** Rows covered by top-level ERROR nodes. */
  errorRows: number;
}

function rowOf(n: Node): number {
  return n.startPosition.row;
}

/** Last row of a node; a node ending at column 0 ends on the row before (a trailing newline). */
function endRowOf(n: Node): number {
  const e = n.endPosition;
  const s = n.startPosition.row;
  return e.column === 0 && e.row > s ? e.row - 1 : e.row;
}

function itemEndRow(it: ScopeItem): number {
  return 'unit' in it ? it.unit.endRow : endRowOf(it.node);
}

/** The first child that is part of the declaration proper (after decorators and annotations). */
function signatureStart(decl: Node): Node {
  // walks siblings one by one: usually the first child is already the answer
  for (let c = decl.firstChild; c; c = c.nextSibling) {
    const type = c.type;
    if (DECORATION_TYPES.has(type)) continue;
    if (type === 'modifiers') {
      for (let m = c.firstChild; m; m = m.nextSibling) if (!DECORATION_TYPES.has(m.type)) return m;
      continue;
    }
    return c;
  }
  return decl;
}

export class TreeChunker {
  private readonly units: UnitRecord[] = [];
  private readonly imports: string[] = [];
  /** Signature of each class-like unit by qualified name: context for methods declared outside their type. */
  private readonly ownerSignatures = new Map<string, string>();
  private fileDoc = '';
  private errorRows = 0;

  constructor(
    private readonly sink: ChunkSink,
    private readonly src: SourceText,
    private readonly spec: LanguageSpec,
    private readonly maxTokens: number,
  ) {}

  run(tree: Tree): TreeChunkResult {
    const root = tree.rootNode;
    const items: ScopeItem[] = [];
    let rootNodes = this.namedChildren(root);
    if (this.spec.docstrings) {
      const ds = this.docstringNode(root);
      if (ds) {
        this.fileDoc = cleanDocstring(ds.text);
        rootNodes = rootNodes.filter((n) => n.startIndex !== ds.startIndex);
      }
    }
    if (root.type === 'ERROR') this.errorRows += endRowOf(root) - rowOf(root) + 1;
    this.scanScope(rootNodes, { context: [], qualifiers: [], containerKind: null, depth: 0 }, items);
    this.takeLeadingDoc(items);
    for (const u of this.units) {
      if (CLASS_LIKE.has(u.kind) && !this.ownerSignatures.has(u.name)) this.ownerSignatures.set(u.name, u.signature);
    }
    this.emitItems(items, [], true);
    addFileSummary(this.sink, {
      lineCount: this.src.lineCount,
      doc: this.fileDoc,
      imports: this.imports,
      definitions: this.units.filter((u) => !u.syntax.namespace).map((u) => `${u.kind} ${u.name}`),
      maxTokens: this.maxTokens,
    });
    return { unitCount: this.units.length, errorRows: this.errorRows };
  }

  // ---- scanning -------------------------------------------------------------

  private namedChildren(n: Node): Node[] {
    return n.namedChildren.filter((c): c is Node => c !== null);
  }

  /** Children of a pass-through node that are code, not its condition or name. */
  private passThroughChildren(n: Node): Node[] {
    const out: Node[] = [];
    const count = n.namedChildCount;
    for (let i = 0; i < count; i++) {
      const f = n.fieldNameForNamedChild(i);
      if (f === 'name' || f === 'condition' || f === 'value') continue;
      const c = n.namedChild(i);
      if (c) out.push(c);
    }
    return out;
  }

  private scanScope(nodes: Node[], scope: Scope, out: ScopeItem[]): void {
    const spec = this.spec;
    for (const node of nodes) {
      const type = node.type;
      if (spec.comments.has(type)) {
        out.push({ node, role: 'comment' });
        continue;
      }
      if (spec.attachments.has(type)) {
        out.push({ node, role: 'attachment' });
        continue;
      }
      if (node.isMissing) continue;
      if (spec.passThrough(node, type) && scope.depth < MAX_SCOPE_DEPTH) {
        if (type === 'ERROR' && scope.depth === 0) this.errorRows += endRowOf(node) - rowOf(node) + 1;
        this.scanScope(this.passThroughChildren(node), { ...scope, depth: scope.depth + 1 }, out);
        continue;
      }
      if (spec.isScopeDeclaration(node, type)) {
        scope = { ...scope, context: [...scope.context, this.signature(node, signatureStart(node), null)] };
        this.addImport(node);
        out.push({ node, role: 'import' });
        continue;
      }
      if (spec.isImport(node, type)) {
        this.addImport(node);
        out.push({ node, role: 'import' });
        continue;
      }
      let inner = node;
      let innerType = type;
      for (let i = 0; i < 4; i++) {
        const u = spec.unwrap(inner, innerType);
        if (!u) break;
        inner = u;
        innerType = u.type;
      }
      const syntax = spec.classify(inner, innerType);
      const rec = syntax ? this.makeUnit(node, inner, syntax, scope, out) : null;
      out.push(rec ? { unit: rec } : { node, role: 'code' });
    }
  }

  private addImport(node: Node): void {
    if (this.imports.length >= MAX_IMPORTS_LISTED) return;
    const line = firstLine(this.src.lines[rowOf(node)] ?? '');
    if (line && !this.imports.includes(line)) this.imports.push(line);
  }

  /** Python: the docstring statement opening a body, if any. */
  private docstringNode(body: Node): Node | null {
    const first = body.firstNamedChild;
    if (!first || first.type !== 'expression_statement' || first.namedChildCount !== 1) return null;
    const s = first.firstNamedChild;
    return s && (s.type === 'string' || s.type === 'concatenated_string') ? first : null;
  }

  /**
   * Build a unit, taking the comments and attachments directly above it off
   * the end of `out` (they are its doc and decorators).
   */
  private makeUnit(outer: Node, decl: Node, syntax: UnitSyntax, scope: Scope, out: ScopeItem[]): UnitRecord | null {
    let top = rowOf(outer);
    let codeStart = top;
    let i = out.length - 1;
    for (; i >= 0; i--) {
      const it = out[i];
      if ('unit' in it || (it.role !== 'comment' && it.role !== 'attachment')) break;
      if (endRowOf(it.node) < top - 1) break; // a blank line separates it
      const prev = i > 0 ? out[i - 1] : null;
      // A comment trailing the code on its line is not a doc comment.
      if (it.role === 'comment' && prev && ('unit' in prev || prev.role === 'code') && itemEndRow(prev) === rowOf(it.node)) break;
      top = rowOf(it.node);
      if (it.role === 'attachment') codeStart = top;
    }
    const claimed = out.slice(i + 1);
    let docNodes = claimed.filter((it): it is { node: Node; role: 'comment' } => !('unit' in it) && it.role === 'comment').map((it) => it.node);
    if (claimed.length === 0) docNodes = this.hoistedComments(outer);
    if (docNodes.length) top = Math.min(top, rowOf(docNodes[0]));
    // Attachments above the first doc comment start the code too.
    for (const it of claimed) if (!('unit' in it) && it.role === 'attachment') codeStart = Math.min(codeStart, rowOf(it.node));

    let doc = docNodes.length ? cleanComments(docNodes.map((n) => n.text)) : '';
    let docstringRows: [number, number] | null = null;
    let docstring: Node | null = null;
    const body = syntax.body;
    if (this.spec.docstrings && body) {
      docstring = this.docstringNode(body);
      if (docstring) {
        // comments above a def are kept too, before the docstring
        doc = [doc, cleanDocstring(docstring.text)].filter(Boolean).join('\n');
        const s = rowOf(docstring);
        if (s > rowOf(decl)) docstringRows = [s, endRowOf(docstring)];
      }
    }
    if (syntax.needsDoc && !doc) return null;
    out.length = i + 1;

    const sigStart = signatureStart(decl);
    const signature = this.signature(decl, sigStart, body, syntax.name);
    const qualifiers = syntax.owner ? [...scope.qualifiers, syntax.owner] : scope.qualifiers;
    const name = [...qualifiers, syntax.name].filter(Boolean).join('.');
    let kind: ChunkKind = syntax.kind;
    if (kind === 'function' && (syntax.owner || (scope.containerKind !== null && CLASS_LIKE.has(scope.containerKind)))) kind = 'method';
    const rec: UnitRecord = {
      syntax,
      decl,
      kind,
      name,
      startRow: top,
      codeStartRow: Math.min(codeStart, rowOf(outer)),
      endRow: Math.max(endRowOf(outer), rowOf(outer)),
      declRow: rowOf(sigStart),
      doc,
      docstringRows,
      signature,
      context: scope.context,
      members: null,
    };
    this.units.push(rec);

    if (syntax.container && body && scope.depth < MAX_SCOPE_DEPTH) {
      let members = this.spec.members(body);
      if (docstring) members = members.filter((m) => m.startIndex !== docstring.startIndex);
      const memberScope: Scope = syntax.namespace
        ? { context: [...scope.context, signature], qualifiers: scope.qualifiers, containerKind: null, depth: scope.depth + 1 }
        : { context: [...scope.context, signature], qualifiers: [...scope.qualifiers, syntax.name].filter(Boolean), containerKind: syntax.kind, depth: scope.depth + 1 };
      rec.members = [];
      this.scanScope(members, memberScope, rec.members);
    }
    return rec;
  }

  /**
   * Comments a grammar attached outside the body that holds the unit (Ruby
   * puts the comment above a class's first member before its body node).
   */
  private hoistedComments(outer: Node): Node[] {
    let cur: Node = outer;
    for (let i = 0; i < 4; i++) {
      if (cur.previousSibling) break;
      const parent: Node | null = cur.parent;
      if (!parent || parent.startIndex !== cur.startIndex) return [];
      cur = parent;
    }
    if (cur.startIndex === outer.startIndex && cur.id === outer.id) return [];
    const found: Node[] = [];
    let top = rowOf(outer);
    let prev = cur.previousSibling;
    while (prev && this.spec.comments.has(prev.type) && endRowOf(prev) >= top - 1 && found.length < 50) {
      found.unshift(prev);
      top = rowOf(prev);
      prev = prev.previousSibling;
    }
    return found;
  }

  /** The declaration from its first keyword up to its body, on one line. */
  private signature(decl: Node, sigStart: Node, body: Node | null, name = ''): string {
    const start = sigStart.startIndex;
    let end = body && body.startIndex > start ? body.startIndex : decl.endIndex;
    end = Math.min(end, start + MAX_SIGNATURE_SOURCE);
    let raw = this.src.text.slice(start, end);
    if (!body || body.startIndex <= start) raw = raw.split('\n', 1)[0];
    const parts: string[] = [];
    for (const line of raw.split('\n')) {
      const t = line.trim();
      if (t && !COMMENT_LINE.test(t)) parts.push(t);
    }
    let sig = parts.join(' ').replace(/\s+/g, ' ').replace(/\s*[{;]$/, '').trim();
    // `typedef struct { ... } Buffer`: the name comes after the body
    if (name && !sig.includes(name)) sig = `${sig} ${name}`;
    return sig;
  }

  /** The file's leading comment (not a license) becomes the file doc and leaves the blocks. */
  private takeLeadingDoc(items: ScopeItem[]): void {
    let i = 0;
    while (i < items.length) {
      const first = items[i];
      if ('unit' in first || first.role !== 'comment') return;
      let j = i + 1;
      while (j < items.length) {
        const it = items[j];
        if ('unit' in it || it.role !== 'comment' || rowOf(it.node) > itemEndRow(items[j - 1]) + 1) break;
        j++;
      }
      const run = items.slice(i, j).map((it) => ('unit' in it ? '' : it.node.text));
      const text = cleanComments(run);
      items.splice(i, j - i);
      if (!isLicenseText(text)) {
        if (!this.fileDoc) this.fileDoc = text;
        return;
      }
    }
  }

  // ---- emitting -------------------------------------------------------------

  /**
   * Emit units and the blocks between them. `shown` holds the start indices
   * of nodes already given verbatim by a container's outline: no block repeats them.
   */
  private emitItems(items: ScopeItem[], context: string[], emitBlocks: boolean, shown?: ReadonlySet<number>): void {
    let pending: Node[] = [];
    const flush = () => {
      if (pending.length && emitBlocks) this.emitBlocks(pending, context);
      pending = [];
    };
    for (const it of items) {
      if ('unit' in it) {
        flush();
        this.emitUnit(it.unit);
      } else if (it.role === 'import' || shown?.has(it.node.startIndex)) {
        flush();
      } else {
        pending.push(it.node);
      }
    }
    flush();
  }

  private unitContext(u: UnitRecord): string[] {
    if (!u.syntax.owner) return u.context;
    const owner = this.ownerSignatures.get(u.syntax.owner) ?? this.ownerSignatures.get(u.syntax.owner.split('.').pop() ?? '');
    return owner ? [...u.context, owner] : u.context;
  }

  private emitUnit(u: UnitRecord): void {
    const src = this.src;
    const tokens = src.tokensSkipping(u.codeStartRow, u.endRow, u.docstringRows);
    const context = this.unitContext(u);
    const base = {
      startLine: u.startRow + 1, endLine: u.endRow + 1, declLine: u.declRow + 1,
      kind: u.kind, name: u.name, signature: u.signature, context, doc: u.doc,
    };
    const members = u.members;
    if (members && members.some((m) => 'unit' in m)) {
      const memberContext = [...context, u.signature];
      if (u.syntax.namespace) {
        this.emitItems(members, memberContext, true);
        return;
      }
      if (tokens <= this.maxTokens) {
        this.sink.add({ ...base, code: src.slice(u.codeStartRow, u.endRow, u.docstringRows) });
        this.emitItems(members, memberContext, false);
      } else {
        const shown = new Set<number>();
        this.sink.add({ ...base, code: this.outline(u, shown) });
        this.emitItems(members, memberContext, true, shown);
      }
      return;
    }
    if (tokens <= this.maxTokens) {
      this.sink.add({ ...base, code: src.slice(u.codeStartRow, u.endRow, u.docstringRows) });
      return;
    }
    const body = u.syntax.body;
    const cutNodes = this.namedChildren(body ?? u.decl);
    const budget = Math.max(Math.floor(this.maxTokens / 2), this.maxTokens - countTokens(u.signature));
    const parts = splitRows(
      (s, e) => src.tokensSkipping(s, e, u.docstringRows),
      u.codeStartRow, u.endRow, this.cutRows(cutNodes, budget), budget, this.maxTokens,
    );
    parts.forEach((p, i) => {
      const code = i === 0 ? src.slice(p.start, p.end, u.docstringRows) : `${u.signature}\n${src.slice(p.start, p.end)}`;
      this.sink.add({
        ...base,
        startLine: i === 0 ? u.startRow + 1 : p.start + 1,
        endLine: p.end + 1,
        doc: i === 0 ? u.doc : '',
        code,
        part: parts.length > 1 ? { index: i + 1, count: parts.length } : undefined,
      });
    });
  }

  /** Rows where statements start; oversized statements are looked into, a few levels deep. */
  private cutRows(nodes: Node[], budget: number): number[] {
    const rows: number[] = [];
    const stack: Array<{ node: Node; depth: number }> = nodes.map((node) => ({ node, depth: 0 }));
    while (stack.length) {
      const { node, depth } = stack.pop()!;
      const s = rowOf(node);
      rows.push(s);
      if (depth < MAX_CUT_DEPTH && this.src.tokens(s, endRowOf(node)) > budget) {
        for (const c of this.namedChildren(node)) stack.push({ node: c, depth: depth + 1 });
      }
    }
    return rows;
  }

  /** Last row of a declaration's header: the body's first row when the body opens on a header line. */
  private headerEndRow(u: UnitRecord): number {
    const body = u.syntax.body;
    if (!body) return u.declRow;
    const b = body.startPosition;
    const line = this.src.lines[b.row] ?? '';
    const indent = line.length - line.trimStart().length;
    const end = b.column > indent ? b.row : b.row - 1;
    return Math.max(u.declRow, Math.min(end, u.endRow));
  }

  /** A large container: its header, each member's header or short text, and its closing line. */
  private outline(u: UnitRecord, shown: Set<number>): string {
    const src = this.src;
    const headerEnd = this.headerEndRow(u);
    const lines: string[] = [src.slice(u.codeStartRow, headerEnd)];
    let used = countTokens(lines[0]);
    let omitted = 0;
    let lastRow = headerEnd;
    for (const it of u.members ?? []) {
      let text: string;
      if ('unit' in it) {
        const m = it.unit;
        text = src.slice(m.codeStartRow, this.headerEndRow(m));
      } else if (it.role === 'comment') {
        continue;
      } else {
        const s = rowOf(it.node);
        const e = endRowOf(it.node);
        if (s <= lastRow && s === headerEnd) continue; // shares the header line
        text = e - s < 3 ? src.slice(s, e) : `${src.lines[s]} …`;
      }
      const t = countTokens(text);
      if (omitted > 0 || used + t > this.maxTokens) {
        omitted++;
        continue;
      }
      used += t;
      lines.push(text);
      if (!('unit' in it) && !text.endsWith(' …')) shown.add(it.node.startIndex);
      lastRow = itemEndRow(it);
    }
    if (omitted) {
      const indent = /^\s*/.exec(src.lines[u.declRow] ?? '')?.[0] ?? '';
      lines.push(`${indent}  … ${omitted} more`);
    }
    const closing = src.lines[u.endRow]?.trim() ?? '';
    if (u.endRow > lastRow && /^(?:[}\])]+;?|end|End|END)$/.test(closing)) lines.push(src.lines[u.endRow]);
    return lines.join('\n');
  }

  private emitBlocks(nodes: Node[], context: string[]): void {
    const src = this.src;
    const groups: Node[][] = [];
    let cur: Node[] = [];
    let curTokens = 0;
    for (const n of nodes) {
      const t = src.tokens(rowOf(n), endRowOf(n));
      if (cur.length && curTokens + t > this.maxTokens) {
        groups.push(cur);
        cur = [];
        curTokens = 0;
      }
      cur.push(n);
      curTokens += t;
    }
    if (cur.length) groups.push(cur);

    for (const g of groups) {
      const start = rowOf(g[0]);
      let end = start;
      for (const n of g) end = Math.max(end, endRowOf(n));
      const tokens = src.tokens(start, end);
      const onlyComments = g.every((n) => this.spec.comments.has(n.type));
      if (tokens < MIN_BLOCK_TOKENS || (onlyComments && tokens < MIN_COMMENT_BLOCK_TOKENS)) continue;
      const parts = tokens > this.maxTokens
        ? splitRows((s, e) => src.tokens(s, e), start, end, this.cutRows(g, this.maxTokens), this.maxTokens)
        : [{ start, end }];
      parts.forEach((p, i) => {
        const code = src.slice(p.start, p.end);
        this.sink.add({
          startLine: p.start + 1, endLine: p.end + 1, declLine: p.start + 1,
          kind: 'block', name: '', signature: firstLine(code), context, doc: '', code,
          part: parts.length > 1 ? { index: i + 1, count: parts.length } : undefined,
        });
      });
    }
  }
}
