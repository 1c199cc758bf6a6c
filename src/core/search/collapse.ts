// One answer, one slot: drop hits nested in (or containing) a better hit of the
// same file, so a method and its class summary, or two parts of one split
// function, do not fill two places with one answer.

export interface Span { file: string; root: string; startLine: number; endLine: number }

function overlaps(a: Span, b: Span): boolean {
  return a.root === b.root && a.file === b.file && a.startLine <= b.endLine && b.startLine <= a.endLine;
}

/** Keep items in order, skipping any that overlap an item already kept. */
export function collapseOverlapping<T>(ranked: T[], span: (t: T) => Span, limit: number): T[] {
  const kept: T[] = [];
  const keptSpans: Span[] = [];
  for (const item of ranked) {
    const s = span(item);
    if (keptSpans.some((k) => overlaps(k, s))) continue;
    kept.push(item);
    keptSpans.push(s);
    if (kept.length >= limit) break;
  }
  return kept;
}
