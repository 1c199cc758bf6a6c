// Splits a row range that is too large for the model window into parts that
// end at allowed cut rows (statement starts), each part overlapping the
// previous one by its last small segment.

export interface RowSpan {
  start: number;
  end: number;
}

/**
 * Parts of rows start..end (0-based, inclusive). `cuts` are rows where a part
 * may begin; segments still over budget are cut at every row. `firstBudget`
 * applies to the first part (which holds the signature itself), `budget` to
 * the others (which repeat it).
 */
export function splitRows(
  tokens: (start: number, end: number) => number,
  start: number,
  end: number,
  cuts: Iterable<number>,
  budget: number,
  firstBudget = budget,
): RowSpan[] {
  const bounds = new Set<number>();
  for (const c of cuts) if (c > start && c <= end) bounds.add(c);
  let sorted = [start, ...[...bounds].sort((a, b) => a - b), end + 1];
  // Segments that are still too large are cut at every row.
  const fine: number[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const s = sorted[i];
    const e = sorted[i + 1] - 1;
    fine.push(s);
    if (e > s && tokens(s, e) > budget) for (let r = s + 1; r <= e; r++) fine.push(r);
  }
  fine.push(end + 1);
  sorted = fine;

  const parts: RowSpan[] = [];
  let partStart = start;
  let partTokens = 0;
  let segmentsInPart = 0;
  let prevSeg: RowSpan | null = null;
  for (let i = 0; i + 1 < sorted.length; i++) {
    const seg = { start: sorted[i], end: sorted[i + 1] - 1 };
    const t = tokens(seg.start, seg.end);
    const limit = parts.length === 0 ? firstBudget : budget;
    if (segmentsInPart > 0 && partTokens + t > limit) {
      parts.push({ start: partStart, end: seg.start - 1 });
      const overlap = prevSeg && prevSeg.start > partStart && tokens(prevSeg.start, prevSeg.end) <= budget / 4;
      partStart = overlap && prevSeg ? prevSeg.start : seg.start;
      partTokens = partStart < seg.start ? tokens(partStart, seg.start - 1) : 0;
      segmentsInPart = 0;
    }
    partTokens += t;
    segmentsInPart++;
    prevSeg = seg;
  }
  parts.push({ start: partStart, end });
  return parts;
}
