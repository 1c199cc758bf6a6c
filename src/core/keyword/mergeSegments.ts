// A merge's input, streamed: the segments' terms merged in order (k-way),
// each term's postings concatenated in segment order (segments hold
// ascending, disjoint key ranges), keeping only the keys still in the index
// and giving them their new keys when renumbering.
import type { Segment, SegmentTerm } from './segment';
import type { SegmentDocs, TermPostings } from './segmentWriter';

export function* mergedTerms(inputs: readonly Segment[], keep: (key: number) => boolean, map: (key: number) => number): Generator<TermPostings> {
  const its = inputs.map((s) => s.terms());
  const cur: Array<SegmentTerm | null> = its.map((it) => it.next().value ?? null);
  let keys = new Int32Array(1024);
  let tfs = new Uint8Array(1024);
  for (;;) {
    let term: string | null = null;
    for (const c of cur) if (c && (term === null || c.term < term)) term = c.term;
    if (term === null) return;
    let n = 0;
    for (let i = 0; i < cur.length; i++) {
      const c = cur[i];
      if (!c || c.term !== term) continue;
      const p = c.postings();
      if (n + p.keys.length > keys.length) {
        const cap = Math.max(n + p.keys.length, keys.length * 2);
        const k = new Int32Array(cap); k.set(keys.subarray(0, n)); keys = k;
        const t = new Uint8Array(cap); t.set(tfs.subarray(0, n)); tfs = t;
      }
      for (let j = 0; j < p.keys.length; j++) {
        if (!keep(p.keys[j])) continue;
        keys[n] = map(p.keys[j]);
        tfs[n] = p.tfs[j];
        n++;
      }
      cur[i] = its[i].next().value ?? null;
    }
    yield { term, keys, tfs, count: n };
  }
}

/** The kept documents of the inputs, in key order, with their new keys. */
export function mergedDocs(inputs: readonly Segment[], keep: (key: number) => boolean, map: (key: number) => number): SegmentDocs {
  const keys: number[] = [], lens: number[] = [], nameWords: number[] = [], names: string[] = [];
  for (const s of inputs) {
    const raw = s.rawNames();
    for (let i = 0; i < s.keys.length; i++) {
      if (!keep(s.keys[i])) continue;
      keys.push(map(s.keys[i]));
      lens.push(s.lens[i]);
      nameWords.push(s.nameWords[i]);
      names.push(raw[i]);
    }
  }
  return { keys: Int32Array.from(keys), lens: Float32Array.from(lens), nameWords: Uint16Array.from(nameWords), names };
}
