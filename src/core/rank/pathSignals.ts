// What a chunk's path (and name) says about it: test code, documentation,
// examples, generated or vendored code usually are not the answer people want,
// unless they ask for it.

export interface PathSignals { test: boolean; docs: boolean; example: boolean; generated: boolean; vendored: boolean }

const TEST_DIR = /(^|\/)(tests?|__tests__|__mocks__|specs?|testing|testdata|test_?data|fixtures?|e2e|integration[-_]tests?)\//i;
const TEST_FILE = /(^|\/)(test_[^/]*|[^/]*_test\.[a-z]+|[^/]*\.(test|spec)\.[a-z]+|[^/]*_spec\.rb|[^/]*Tests?\.(java|cs|kt|php|swift)|conftest\.py)$/;
// a unit whose own name marks it as a test (Rust's in-file `mod tests`, Python's test_* functions)
const TEST_NAME = /(^|[.:])(tests?([.:]|$)|test_[\w]+$|Test[A-Z_][\w]*$)/;
const DOCS = /(^|\/)(docs?|documentation|man|site)\/|\.(md|mdx|rst|txt|adoc)$/i;
const EXAMPLE = /(^|\/)(_?examples?|samples?|demos?|cookbook|tutorials?)\//i;
const GENERATED = /(^|\/)(generated|gen|__generated__)\/|(\.pb\.go|_pb2\.py|\.g\.dart|\.generated\.[a-z]+|\.gen\.[a-z]+|\.min\.js)$/i;
const VENDORED = /(^|\/)(vendor|third[-_]?party|external|deps|node_modules)\//i;

// Every query asks about the same few hundred candidate files again: remember them (bounded).
const byFile = new Map<string, PathSignals>();
const BY_FILE_MAX = 20_000;

export function pathSignals(file: string, name = ''): PathSignals {
  let p = byFile.get(file);
  if (!p) {
    p = { test: TEST_DIR.test(file) || TEST_FILE.test(file), docs: DOCS.test(file), example: EXAMPLE.test(file), generated: GENERATED.test(file), vendored: VENDORED.test(file) };
    if (byFile.size >= BY_FILE_MAX) byFile.clear();
    byFile.set(file, p);
  }
  return p.test || !TEST_NAME.test(name) ? p : { ...p, test: true };
}
