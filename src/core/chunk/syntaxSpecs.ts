// What counts as a unit in each tree-sitter language: node types, names,
// bodies, and the comment/decorator/import node types around them.
import type { Node } from 'web-tree-sitter';
import type { LanguageId } from '../types';

export type UnitKind =
  | 'function' | 'class' | 'struct' | 'interface' | 'enum' | 'trait' | 'impl' | 'module' | 'type' | 'constant';

export interface UnitSyntax {
  kind: UnitKind;
  /** Bare name, '' when anonymous. */
  name: string;
  /** The body: the signature ends where it starts; its children are statements or members. */
  body: Node | null;
  /** Members are scanned for nested units (class, impl, trait, namespace). */
  container?: boolean;
  /** A namespace: adds a context line for its members but no chunk, and does not qualify their names. */
  namespace?: boolean;
  /** Type a function belongs to though declared outside it (Go receiver, C++ `Foo::bar`). */
  owner?: string;
  /** Only a unit when a doc comment sits right above it (documented constants). */
  needsDoc?: boolean;
}

/** Spec functions get the node's type too: reading it from a node is a call into wasm. */
export interface LanguageSpec {
  /** The unit a (possibly unwrapped) node stands for, or null. */
  classify(node: Node, type: string): UnitSyntax | null;
  /** The declaration inside a wrapper (decorators, export, template), or null when node is no wrapper. */
  unwrap(node: Node, type: string): Node | null;
  /** Nodes whose children are scanned as if they were siblings (preprocessor conditionals, ERROR). */
  passThrough(node: Node, type: string): boolean;
  /** The members of a container body. */
  members(body: Node): Node[];
  /** Imports and similar boilerplate: left out of blocks, listed in the file summary. */
  isImport(node: Node, type: string): boolean;
  /** `namespace Foo;` forms: they set a context line for the siblings that follow. */
  isScopeDeclaration(node: Node, type: string): boolean;
  comments: ReadonlySet<string>;
  /** Sibling nodes that belong to the next declaration (Rust attributes, TS member decorators). */
  attachments: ReadonlySet<string>;
  /** Python: docstrings are the first statement of a body. */
  docstrings: boolean;
}

/** Node types that decorate a declaration from inside it; the signature starts after them. */
export const DECORATION_TYPES: ReadonlySet<string> = new Set([
  'decorator', 'attribute_item', 'attribute_list', 'annotation', 'marker_annotation', 'attribute',
  'comment', 'line_comment', 'block_comment',
]);

function field(node: Node, name: string): Node | null {
  return node.childForFieldName(name);
}

function fieldText(node: Node, name: string): string {
  return field(node, name)?.text ?? '';
}

/** "Foo<T>" → "Foo", "&mut Vec<u8>" → "Vec", "*Store" → "Store", "a::B" → "a.B". */
export function bareTypeName(text: string): string {
  let t = text;
  for (let i = 0; i < 8 && /<[^<>]*>/.test(t); i++) t = t.replace(/<[^<>]*>/g, '');
  t = t.replace(/\[[^\]]*\]/g, '').replace(/^[&*\s]+|\bmut\s+|\bdyn\s+|'\w+\s*/g, '').trim();
  return t.replace(/::/g, '.').replace(/\s+/g, '');
}

const baseSpec = {
  unwrap: (_n: Node, _type: string): Node | null => null,
  passThrough: (_n: Node, type: string): boolean => type === 'ERROR',
  members: (body: Node): Node[] => body.namedChildren.filter((c): c is Node => c !== null),
  isScopeDeclaration: (_n: Node, _type: string): boolean => false,
  attachments: new Set<string>() as ReadonlySet<string>,
  docstrings: false,
};

function named(nodes: (Node | null)[]): Node[] {
  return nodes.filter((c): c is Node => c !== null);
}

// ---- Python ---------------------------------------------------------------

const python: LanguageSpec = {
  ...baseSpec,
  classify(n, type) {
    if (type === 'function_definition') return { kind: 'function', name: fieldText(n, 'name'), body: field(n, 'body') };
    if (type === 'class_definition') return { kind: 'class', name: fieldText(n, 'name'), body: field(n, 'body'), container: true };
    return null;
  },
  unwrap: (n, type) => (type === 'decorated_definition' ? field(n, 'definition') : null),
  isImport: (_n, type) => type === 'import_statement' || type === 'import_from_statement' || type === 'future_import_statement',
  comments: new Set(['comment']),
  docstrings: true,
};

// ---- JavaScript / TypeScript ------------------------------------------------

const FUNCTION_VALUES = new Set(['arrow_function', 'function_expression', 'function', 'generator_function']);
const CLASS_VALUES = new Set(['class', 'class_expression']);

/** A function's body: a statement block, or the expression of an arrow function. */
function functionBody(fn: Node): Node | null {
  return field(fn, 'body');
}

function classifyVariable(n: Node): UnitSyntax | null {
  const declarators = named(n.namedChildren).filter((c) => c.type === 'variable_declarator');
  if (declarators.length !== 1) return null;
  const d = declarators[0];
  const nameNode = field(d, 'name');
  if (!nameNode || nameNode.type !== 'identifier') return null;
  const value = field(d, 'value');
  if (value && FUNCTION_VALUES.has(value.type)) return { kind: 'function', name: nameNode.text, body: functionBody(value) ?? value };
  if (value && CLASS_VALUES.has(value.type)) return { kind: 'class', name: nameNode.text, body: field(value, 'body'), container: true };
  return { kind: 'constant', name: nameNode.text, body: null, needsDoc: true };
}

// `module.exports.foo = function () {}`, `Foo.prototype.bar = () => {}`
function classifyAssignedFunction(n: Node): UnitSyntax | null {
  const a = n.firstNamedChild;
  if (!a || a.type !== 'assignment_expression') return null;
  const right = field(a, 'right');
  const left = field(a, 'left');
  if (!right || !left || !FUNCTION_VALUES.has(right.type)) return null;
  if (left.type !== 'member_expression' && left.type !== 'identifier') return null;
  const path = left.text.replace(/^(?:module\.)?exports\./, '').replace(/\.prototype\./, '.').split('.');
  const name = path.pop() ?? '';
  return { kind: 'function', name, body: functionBody(right) ?? right, owner: path.length ? path.join('.') : undefined };
}

function classifyJs(n: Node, type: string): UnitSyntax | null {
  switch (type) {
    case 'function_declaration':
    case 'generator_function_declaration':
      return { kind: 'function', name: fieldText(n, 'name'), body: field(n, 'body') };
    case 'function_expression':
    case 'function':
    case 'generator_function':
    case 'arrow_function':
      // only reached through `export default`
      return { kind: 'function', name: fieldText(n, 'name') || 'default', body: functionBody(n) ?? n };
    case 'class_declaration':
    case 'abstract_class_declaration':
    case 'class':
      return { kind: 'class', name: fieldText(n, 'name') || 'default', body: field(n, 'body'), container: true };
    case 'method_definition': {
      const body = field(n, 'body');
      return body ? { kind: 'function', name: fieldText(n, 'name'), body } : null;
    }
    case 'public_field_definition':
    case 'field_definition': {
      const value = field(n, 'value');
      if (!value || !FUNCTION_VALUES.has(value.type)) return null;
      const name = fieldText(n, 'name') || fieldText(n, 'property');
      return { kind: 'function', name, body: functionBody(value) ?? value };
    }
    case 'interface_declaration':
      return { kind: 'interface', name: fieldText(n, 'name'), body: field(n, 'body') };
    case 'type_alias_declaration':
      return { kind: 'type', name: fieldText(n, 'name'), body: null };
    case 'enum_declaration':
      return { kind: 'enum', name: fieldText(n, 'name'), body: field(n, 'body') };
    case 'internal_module':
    case 'module': {
      const body = field(n, 'body');
      return body ? { kind: 'module', name: fieldText(n, 'name').replace(/^['"]|['"]$/g, ''), body, container: true } : null;
    }
    case 'lexical_declaration':
    case 'variable_declaration':
      return classifyVariable(n);
    case 'expression_statement':
      return classifyAssignedFunction(n);
    default:
      return null;
  }
}

function isRequireDeclaration(n: Node, type: string): boolean {
  if (type !== 'lexical_declaration' && type !== 'variable_declaration') return false;
  const ds = named(n.namedChildren).filter((c) => c.type === 'variable_declarator');
  return ds.length > 0 && ds.every((d) => {
    const v = field(d, 'value');
    return !!v && v.type === 'call_expression' && /^require$/.test(fieldText(v, 'function'));
  });
}

const javascript: LanguageSpec = {
  ...baseSpec,
  classify: classifyJs,
  unwrap(n, type) {
    if (type === 'export_statement') return field(n, 'declaration') ?? field(n, 'value');
    if (type === 'ambient_declaration') return n.firstNamedChild;
    if (type === 'expression_statement' && n.namedChildCount === 1) {
      const c = n.firstNamedChild;
      if (c && (c.type === 'internal_module' || c.type === 'module')) return c;
    }
    return null;
  },
  isImport(n, type) {
    if (type === 'import_statement' || isRequireDeclaration(n, type)) return true;
    // re-exports: `export { a } from './a'`, `export * from './b'`
    if (type === 'export_statement') return !field(n, 'declaration') && !field(n, 'value');
    // 'use strict' and similar directives
    return type === 'expression_statement' && n.namedChildCount === 1 && n.firstNamedChild?.type === 'string';
  },
  comments: new Set(['comment']),
  attachments: new Set(['decorator']),
};

// ---- Go -------------------------------------------------------------------

function goTypeSpec(spec: Node): UnitSyntax | null {
  const type = field(spec, 'type');
  const name = fieldText(spec, 'name');
  if (!type) return null;
  if (type.type === 'struct_type') return { kind: 'struct', name, body: type.namedChildren.find((c) => c?.type === 'field_declaration_list') ?? null };
  // no body node: the signature is the first line ("type Finder interface")
  if (type.type === 'interface_type') return { kind: 'interface', name, body: null };
  return { kind: 'type', name, body: null };
}

function goSpecs(n: Node): Node[] {
  return named(n.namedChildren).filter((c) => c.type === 'type_spec' || c.type === 'type_alias');
}

const go: LanguageSpec = {
  ...baseSpec,
  classify(n, type) {
    switch (type) {
      case 'function_declaration':
        return { kind: 'function', name: fieldText(n, 'name'), body: field(n, 'body') };
      case 'method_declaration': {
        const recv = field(n, 'receiver')?.namedChildren.find((c) => c?.type === 'parameter_declaration');
        const owner = recv ? bareTypeName(fieldText(recv, 'type')) : '';
        return { kind: 'function', name: fieldText(n, 'name'), body: field(n, 'body'), owner: owner || undefined };
      }
      case 'type_declaration': {
        const specs = goSpecs(n);
        return specs.length === 1 ? goTypeSpec(specs[0]) : null;
      }
      case 'type_spec':
      case 'type_alias':
        return goTypeSpec(n);
      case 'const_declaration':
      case 'var_declaration': {
        const specs = named(n.namedChildren).filter((c) => c.type === 'const_spec' || c.type === 'var_spec');
        return specs.length === 1 ? { kind: 'constant', name: fieldText(specs[0], 'name'), body: null, needsDoc: true } : null;
      }
      default:
        return null;
    }
  },
  passThrough: (n, type) => type === 'ERROR' || (type === 'type_declaration' && goSpecs(n).length > 1),
  isImport: (_n, type) => type === 'package_clause' || type === 'import_declaration',
  comments: new Set(['comment']),
};

// ---- Rust -----------------------------------------------------------------

const rust: LanguageSpec = {
  ...baseSpec,
  classify(n, type) {
    switch (type) {
      case 'function_item':
        return { kind: 'function', name: fieldText(n, 'name'), body: field(n, 'body') };
      case 'struct_item':
      case 'union_item':
        return { kind: 'struct', name: fieldText(n, 'name'), body: field(n, 'body') };
      case 'enum_item':
        return { kind: 'enum', name: fieldText(n, 'name'), body: field(n, 'body') };
      case 'trait_item':
        return { kind: 'trait', name: fieldText(n, 'name'), body: field(n, 'body'), container: true };
      case 'impl_item':
        return { kind: 'impl', name: bareTypeName(fieldText(n, 'type')), body: field(n, 'body'), container: true };
      case 'mod_item': {
        const body = field(n, 'body');
        return body ? { kind: 'module', name: fieldText(n, 'name'), body, container: true } : null;
      }
      case 'type_item':
        return { kind: 'type', name: fieldText(n, 'name'), body: null };
      case 'macro_definition':
        return { kind: 'function', name: fieldText(n, 'name'), body: null };
      case 'const_item':
      case 'static_item':
        return { kind: 'constant', name: fieldText(n, 'name'), body: null, needsDoc: true };
      default:
        return null;
    }
  },
  isImport: (n, type) =>
    type === 'use_declaration' || type === 'extern_crate_declaration' || type === 'inner_attribute_item'
    || (type === 'mod_item' && !field(n, 'body')),
  comments: new Set(['line_comment', 'block_comment']),
  attachments: new Set(['attribute_item']),
};

// ---- Java -----------------------------------------------------------------

const java: LanguageSpec = {
  ...baseSpec,
  classify(n, type) {
    switch (type) {
      case 'class_declaration':
      case 'record_declaration':
        return { kind: 'class', name: fieldText(n, 'name'), body: field(n, 'body'), container: true };
      case 'interface_declaration':
      case 'annotation_type_declaration':
        return { kind: 'interface', name: fieldText(n, 'name'), body: field(n, 'body'), container: true };
      case 'enum_declaration':
        return { kind: 'enum', name: fieldText(n, 'name'), body: field(n, 'body'), container: true };
      case 'method_declaration':
      case 'constructor_declaration':
      case 'compact_constructor_declaration': {
        const body = field(n, 'body');
        return body ? { kind: 'function', name: fieldText(n, 'name'), body } : null;
      }
      default:
        return null;
    }
  },
  members(body) {
    const out: Node[] = [];
    for (const c of named(body.namedChildren)) {
      if (c.type === 'enum_body_declarations') out.push(...named(c.namedChildren));
      else out.push(c);
    }
    return out;
  },
  isImport: (_n, type) => type === 'package_declaration' || type === 'import_declaration' || type === 'module_declaration',
  comments: new Set(['line_comment', 'block_comment']),
};

// ---- C / C++ ----------------------------------------------------------------

const DECLARATOR_NAMES = new Set([
  'identifier', 'field_identifier', 'type_identifier', 'qualified_identifier', 'destructor_name',
  'operator_name', 'template_function', 'operator_cast',
]);

/** The declared name inside a C/C++ declarator chain ("Polygon::area", "buffer_append"). */
function declaratorName(n: Node): string {
  let d: Node | null = field(n, 'declarator');
  for (let i = 0; d && i < 16; i++) {
    if (DECLARATOR_NAMES.has(d.type)) return d.text;
    d = field(d, 'declarator') ?? d.firstNamedChild;
  }
  return '';
}

function cFunction(n: Node): UnitSyntax | null {
  const body = field(n, 'body');
  if (!body) return null;
  const full = bareTypeName(declaratorName(n));
  const dot = full.lastIndexOf('.');
  return dot > 0
    ? { kind: 'function', name: full.slice(dot + 1), body, owner: full.slice(0, dot) }
    : { kind: 'function', name: full, body };
}

function cRecord(n: Node, name: string, cpp: boolean): UnitSyntax | null {
  const body = field(n, 'body');
  if (!body) return null;
  if (n.type === 'enum_specifier') return { kind: 'enum', name, body };
  if (n.type === 'class_specifier') return { kind: 'class', name, body, container: true };
  return { kind: 'struct', name, body, container: cpp };
}

function classifyC(n: Node, type: string, cpp: boolean): UnitSyntax | null {
  switch (type) {
    case 'function_definition':
      return cFunction(n);
    case 'struct_specifier':
    case 'union_specifier':
    case 'enum_specifier':
    case 'class_specifier':
      return cRecord(n, bareTypeName(fieldText(n, 'name')), cpp);
    case 'type_definition': {
      const t = field(n, 'type');
      return t && /^(struct|union|enum|class)_specifier$/.test(t.type)
        ? cRecord(t, fieldText(n, 'declarator') || bareTypeName(fieldText(t, 'name')), cpp)
        : null;
    }
    case 'declaration': {
      // `struct foo { ... } x;` and `class Foo { ... };` written as a declaration
      const t = field(n, 'type');
      return t && field(t, 'body') && /^(struct|union|enum|class)_specifier$/.test(t.type)
        ? cRecord(t, bareTypeName(fieldText(t, 'name')), cpp)
        : null;
    }
    case 'namespace_definition': {
      const body = field(n, 'body');
      return body ? { kind: 'module', name: fieldText(n, 'name'), body, container: true, namespace: true } : null;
    }
    case 'concept_definition':
      return { kind: 'type', name: fieldText(n, 'name'), body: null };
    default:
      return null;
  }
}

const C_PASS_THROUGH = new Set([
  'ERROR', 'preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif', 'preproc_elifdef',
  'linkage_specification', 'declaration_list',
]);

function cSpec(cpp: boolean): LanguageSpec {
  return {
    ...baseSpec,
    classify: (n, type) => classifyC(n, type, cpp),
    unwrap(n, type) {
      if (type !== 'template_declaration') return null;
      const kids = named(n.namedChildren);
      for (let i = kids.length - 1; i >= 0; i--) {
        const k = kids[i];
        if (k.type !== 'template_parameter_list' && k.type !== 'requires_clause' && !k.type.endsWith('comment')) return k;
      }
      return null;
    },
    passThrough: (_n, type) => C_PASS_THROUGH.has(type),
    isImport: (n, type) =>
      type === 'preproc_include' || type === 'using_declaration' || type === 'namespace_alias_definition'
      || (type === 'preproc_def' && !field(n, 'value')), // include guards
    comments: new Set(['comment']),
  };
}

// ---- C# -------------------------------------------------------------------

const csharp: LanguageSpec = {
  ...baseSpec,
  classify(n, type) {
    switch (type) {
      case 'namespace_declaration': {
        const body = field(n, 'body');
        return body ? { kind: 'module', name: fieldText(n, 'name'), body, container: true, namespace: true } : null;
      }
      case 'class_declaration':
      case 'record_declaration':
      case 'record_struct_declaration':
        return { kind: 'class', name: fieldText(n, 'name'), body: field(n, 'body'), container: true };
      case 'struct_declaration':
        return { kind: 'struct', name: fieldText(n, 'name'), body: field(n, 'body'), container: true };
      case 'interface_declaration':
        return { kind: 'interface', name: fieldText(n, 'name'), body: field(n, 'body'), container: true };
      case 'enum_declaration':
        return { kind: 'enum', name: fieldText(n, 'name'), body: field(n, 'body') };
      case 'method_declaration':
      case 'constructor_declaration':
      case 'destructor_declaration':
      case 'operator_declaration':
      case 'conversion_operator_declaration': {
        const body = field(n, 'body');
        const name = fieldText(n, 'name') || (type === 'operator_declaration' ? `operator ${fieldText(n, 'operator')}` : '');
        return body ? { kind: 'function', name, body } : null;
      }
      case 'delegate_declaration':
        return { kind: 'type', name: fieldText(n, 'name'), body: null };
      default:
        return null;
    }
  },
  isScopeDeclaration: (_n, type) => type === 'file_scoped_namespace_declaration',
  isImport: (_n, type) => type === 'using_directive' || type === 'extern_alias_directive',
  comments: new Set(['comment']),
};

// ---- Ruby -----------------------------------------------------------------

const ruby: LanguageSpec = {
  ...baseSpec,
  classify(n, type) {
    switch (type) {
      case 'method':
        return { kind: 'function', name: fieldText(n, 'name'), body: field(n, 'body') };
      case 'singleton_method': {
        const obj = fieldText(n, 'object');
        return { kind: 'function', name: fieldText(n, 'name'), body: field(n, 'body'), owner: obj && obj !== 'self' ? bareTypeName(obj) : undefined };
      }
      case 'class':
        return { kind: 'class', name: bareTypeName(fieldText(n, 'name')), body: field(n, 'body'), container: true };
      case 'module':
        return { kind: 'module', name: bareTypeName(fieldText(n, 'name')), body: field(n, 'body'), container: true };
      case 'singleton_class':
        return { kind: 'module', name: '', body: field(n, 'body'), container: true, namespace: true };
      default:
        return null;
    }
  },
  isImport(n, type) {
    if (type !== 'call' || field(n, 'receiver')) return false;
    return /^(?:require|require_relative|load)$/.test(fieldText(n, 'method'));
  },
  comments: new Set(['comment']),
};

// ---- PHP ------------------------------------------------------------------

const php: LanguageSpec = {
  ...baseSpec,
  classify(n, type) {
    switch (type) {
      case 'function_definition':
        return { kind: 'function', name: fieldText(n, 'name'), body: field(n, 'body') };
      case 'method_declaration': {
        const body = field(n, 'body');
        return body ? { kind: 'function', name: fieldText(n, 'name'), body } : null;
      }
      case 'class_declaration':
        return { kind: 'class', name: fieldText(n, 'name'), body: field(n, 'body'), container: true };
      case 'interface_declaration':
        return { kind: 'interface', name: fieldText(n, 'name'), body: field(n, 'body'), container: true };
      case 'trait_declaration':
        return { kind: 'trait', name: fieldText(n, 'name'), body: field(n, 'body'), container: true };
      case 'enum_declaration':
        return { kind: 'enum', name: fieldText(n, 'name'), body: field(n, 'body'), container: true };
      case 'namespace_definition': {
        const body = field(n, 'body');
        return body ? { kind: 'module', name: fieldText(n, 'name'), body, container: true, namespace: true } : null;
      }
      default:
        return null;
    }
  },
  isScopeDeclaration: (n, type) => type === 'namespace_definition' && !field(n, 'body'),
  isImport(n, type) {
    if (type === 'php_tag' || type === 'namespace_use_declaration' || type === 'declare_statement') return true;
    const c = type === 'expression_statement' ? n.firstNamedChild : null;
    return !!c && /^(?:require|require_once|include|include_once)_expression$/.test(c.type);
  },
  comments: new Set(['comment']),
};

export const LANGUAGE_SPECS: Partial<Record<LanguageId, LanguageSpec>> = {
  python,
  javascript,
  typescript: javascript,
  tsx: javascript,
  go,
  rust,
  java,
  c: cSpec(false),
  cpp: cSpec(true),
  csharp,
  ruby,
  php,
};
