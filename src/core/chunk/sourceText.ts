// A file's text as lines, with per-line token counts summed once so that the
// size of any line range is O(1).
import { countTokens } from './chunkText';

export class SourceText {
  readonly lines: string[];
  private prefix: Float64Array | null = null;

  constructor(readonly text: string) {
    this.lines = text.split('\n');
    for (let i = 0; i < this.lines.length; i++) {
      const l = this.lines[i];
      if (l.endsWith('\r')) this.lines[i] = l.slice(0, -1);
    }
    // A final newline does not start another line.
    if (this.lines.length > 1 && this.lines[this.lines.length - 1] === '') this.lines.pop();
  }

  get lineCount(): number {
    return this.lines.length;
  }

  /** Tokens (countTokens) of rows start..end, inclusive, 0-based. */
  tokens(start: number, end: number): number {
    if (end < start) return 0;
    const p = this.prefixSums();
    const s = Math.max(0, start);
    const e = Math.min(this.lines.length - 1, end);
    return e < s ? 0 : p[e + 1] - p[s];
  }

  /** Rows start..end joined, leaving out rows skip[0]..skip[1] when given. */
  slice(start: number, end: number, skip?: readonly [number, number] | null): string {
    const s = Math.max(0, start);
    const e = Math.min(this.lines.length - 1, end);
    if (e < s) return '';
    if (!skip || skip[1] < s || skip[0] > e) return this.lines.slice(s, e + 1).join('\n');
    const before = this.lines.slice(s, Math.max(s, skip[0]));
    const after = this.lines.slice(Math.min(e + 1, skip[1] + 1), e + 1);
    return before.concat(after).join('\n');
  }

  /** Tokens of rows start..end without rows skip[0]..skip[1]. */
  tokensSkipping(start: number, end: number, skip?: readonly [number, number] | null): number {
    if (!skip || skip[1] < start || skip[0] > end) return this.tokens(start, end);
    return this.tokens(start, end) - this.tokens(Math.max(start, skip[0]), Math.min(end, skip[1]));
  }

  /** True when row holds only whitespace. */
  isBlank(row: number): boolean {
    const l = this.lines[row];
    return l === undefined || l.trim() === '';
  }

  private prefixSums(): Float64Array {
    if (this.prefix) return this.prefix;
    const p = new Float64Array(this.lines.length + 1);
    for (let i = 0; i < this.lines.length; i++) p[i + 1] = p[i] + countTokens(this.lines[i]);
    this.prefix = p;
    return p;
  }
}
