// One answer, one slot: hits of one file that overlap are one answer. When a
// container (file summary, class) is followed by a unit nested inside it, the
// nested unit takes the container's place — it is the more precise answer,
// and containers often rank high only by echoing their members' words —
// unless the container is what the query asks for (keepContainer: a query
// naming a class wants the class, not its first method).

export interface Span { file: string; root: string; startLine: number; endLine: number }

export interface CollapseOptions<T> {
  /** True when this kept item must not give way to a unit nested in it (the nested unit is dropped instead). */
  keepContainer?: (t: T) => boolean;
}

function overlaps(a: Span, b: Span): boolean {
  return a.root === b.root && a.file === b.file && a.startLine <= b.endLine && b.startLine <= a.endLine;
}

function strictlyContains(outer: Span, inner: Span): boolean {
  return outer.startLine <= inner.startLine && inner.endLine <= outer.endLine
    && outer.endLine - outer.startLine > inner.endLine - inner.startLine;
}

/** Keep items in rank order; an overlapping later item is dropped, or replaces a container it is nested in. */
export function collapseOverlapping<T>(ranked: T[], span: (t: T) => Span, limit: number, opts: CollapseOptions<T> = {}): T[] {
  const kept: T[] = [];
  const keptSpans: Span[] = [];
  for (const item of ranked) {
    const s = span(item);
    const clash = keptSpans.findIndex((k) => overlaps(k, s));
    if (clash < 0) {
      if (kept.length >= limit) continue;
      kept.push(item);
      keptSpans.push(s);
      continue;
    }
    if (!strictlyContains(keptSpans[clash], s)) continue;
    // the container is the answer the query names: its members are duplicates of it
    if (opts.keepContainer?.(kept[clash])) continue;
    // the nested unit must not also clash with another kept hit
    if (keptSpans.some((k, i) => i !== clash && overlaps(k, s))) continue;
    kept[clash] = item;
    keptSpans[clash] = s;
  }
  return kept;
}
