// The name index over several segments' NameSections (in key order), as one
// NameSource: the same answers as a SymbolIndex holding the live names added
// in key order. A word's or a name's "first seen" is its first live key (then,
// for a word, its place in that key's name), which is what insertion order
// in key order gives.
import type { HumpCandidate, NameSource, WordMatch } from './nameRank';
import type { NameSection } from './nameSection';

interface WordRef { s: number; i: number }

export class SegmentNames implements NameSource {
  constructor(
    private readonly sections: readonly NameSection[],
    private readonly live: (key: number) => boolean,
    readonly wordCount: (key: number) => number,
  ) {}

  private liveKeys(refs: readonly WordRef[]): number[] {
    const out: number[] = [];
    for (const { s, i } of refs) for (const k of this.sections[s].wordKeys(i)) if (this.live(k)) out.push(k);
    return out;
  }

  exact(word: string): WordMatch | null {
    const refs: WordRef[] = [];
    this.sections.forEach((sec, s) => { const i = sec.findWord(word); if (i >= 0) refs.push({ s, i }); });
    const keys = this.liveKeys(refs);
    return keys.length ? { word, keys } : null;
  }

  completions(prefix: string, limit: number): WordMatch[] {
    // per word: where it is, and its first live key and place there (sections are in key order)
    const found = new Map<string, { refs: WordRef[]; key: number; pos: number }>();
    this.sections.forEach((sec, s) => {
      for (const [i, word] of sec.wordsWithPrefix(prefix)) {
        let f = found.get(word);
        if (!f) found.set(word, (f = { refs: [], key: -1, pos: 0 }));
        f.refs.push({ s, i });
        if (f.key >= 0) continue;
        const keys = sec.wordKeys(i);
        for (let j = 0; j < keys.length; j++) {
          if (this.live(keys[j])) { f.key = keys[j]; f.pos = sec.wordPlaces(i)[j]; break; }
        }
      }
    });
    return [...found].filter(([, f]) => f.key >= 0)
      .sort(([a, fa], [b, fb]) => a.length - b.length || fa.key - fb.key || fa.pos - fb.pos)
      .slice(0, limit)
      .map(([word, f]) => ({ word, keys: this.liveKeys(f.refs) }));
  }

  *humpCandidates(first: number, mask: number): Generator<HumpCandidate> {
    const at = this.sections.map((sec) => sec.bucket(first));
    for (;;) {
      // the next length present in any section: its names, merged by name, first live key first
      let len = Infinity;
      at.forEach(([i, end], s) => { if (i < end) len = Math.min(len, this.sections[s].humpLength(i)); });
      if (len === Infinity) return;
      const group = new Map<string, { parts: number; keys: number[] }>();
      at.forEach((range, s) => {
        const sec = this.sections[s];
        for (; range[0] < range[1] && sec.humpLength(range[0]) === len; range[0]++) {
          const i = range[0];
          if ((sec.humpMask(i) & mask) !== mask) continue;
          const spaced = sec.humpName(i);
          let g = group.get(spaced);
          if (!g) group.set(spaced, (g = { parts: sec.humpParts(i), keys: [] }));
          for (const k of sec.humpKeys(i)) if (this.live(k)) g.keys.push(k);
        }
      });
      const names = [...group].filter(([, g]) => g.keys.length > 0).sort(([, a], [, b]) => a.keys[0] - b.keys[0]);
      for (const [spaced, g] of names) {
        yield { spaced, parts: g.parts, weight: g.keys.length, keys: () => g.keys.slice().reverse() };
      }
    }
  }
}
