// Builds one batch's index structures in the arena (main thread, integers
// only): the items with their (dropped-out) subtoken counts, the batch's
// distinct subtokens with their rows, and the inverse lists that let every
// gradient be gathered by its owner instead of scattered (so threads never
// write the same memory).
import { CTL, type ArenaLayout, type ArenaViews } from './arena';
import type { Corpus, TokenLists } from './data';
import type { Rng } from './random';

export interface BatchInput {
  /** Pair ids whose queries and positive codes form the batch. */
  pairs: ArrayLike<number>;
  /** One hard-negative pair id per query, or null. */
  negatives: ArrayLike<number> | null;
  /** Probability of dropping each subtoken occurrence. */
  dropout: number;
  rng: Rng;
}

export interface BatchShape {
  B: number;
  NC: number;
  N: number;
  U: number;
  R: number;
}

/** Sizes of one batch before dropout (dropout only shrinks them): what the arena must hold. */
export interface BatchNeeds {
  entries: number;
  tokens: number;
  tokenRows: number;
  rows: number;
}

/** Reusable stamp arrays: "seen in this batch" for tokens and rows without clearing. */
export class BatchBuilder {
  private readonly tokStamp: Int32Array;
  private readonly tokLocal: Int32Array;
  private readonly rowStamp: Int32Array;
  private readonly rowLocal: Int32Array;
  private localTokens = new Int32Array(1024);
  private serial = 0;

  constructor(private readonly corpus: Corpus) {
    this.tokStamp = new Int32Array(corpus.tokens.length).fill(-1);
    this.tokLocal = new Int32Array(corpus.tokens.length);
    const rows = corpus.tokenizer.vocab.length + corpus.tokenizer.ngramBuckets;
    this.rowStamp = new Int32Array(rows).fill(-1);
    this.rowLocal = new Int32Array(rows);
  }

  /** What a batch needs before dropout, without writing anything. */
  measure(pairs: ArrayLike<number>, negatives: ArrayLike<number> | null): BatchNeeds {
    const corpus = this.corpus;
    const serial = this.serial++;
    let entries = 0, tokens = 0, tokenRows = 0, rows = 0;
    const visit = (lists: TokenLists, pair: number): void => {
      for (let x = lists.off[pair]; x < lists.off[pair + 1]; x++) {
        entries++;
        const g = lists.ids[x];
        if (this.tokStamp[g] === serial) continue;
        this.tokStamp[g] = serial;
        tokens++;
        for (let y = corpus.tokenRowOff[g]; y < corpus.tokenRowOff[g + 1]; y++) {
          tokenRows++;
          const r = corpus.tokenRows[y];
          if (this.rowStamp[r] !== serial) {
            this.rowStamp[r] = serial;
            rows++;
          }
        }
      }
    };
    for (let i = 0; i < pairs.length; i++) {
      visit(corpus.queries, pairs[i]);
      visit(corpus.codes, pairs[i]);
      if (negatives) visit(corpus.codes, negatives[i]);
    }
    return { entries, tokens, tokenRows, rows };
  }

  /** Write the batch into the arena and set the control counts; returns its shape. */
  build(v: ArenaViews, layout: ArenaLayout, input: BatchInput): BatchShape {
    const corpus = this.corpus;
    if (this.localTokens.length < layout.dims.maxTokens) this.localTokens = new Int32Array(layout.dims.maxTokens);
    const serial = this.serial++;
    const B = input.pairs.length;
    const NC = input.negatives ? B * 2 : B;
    const N = B + NC;
    if (B < 1 || B > layout.dims.batch) throw new Error(`batch of ${B} queries does not fit the arena (max ${layout.dims.batch})`);
    if (input.negatives && (!layout.dims.hardNegatives || input.negatives.length !== B)) {
      throw new Error('hard negatives: one per query, and the arena must be laid out for them');
    }
    const { itemOff, itemTok, itemCnt } = v;
    const keep = 1 - input.dropout;
    const rng = input.rng;
    let e = 0;
    let U = 0;
    itemOff[0] = 0;
    for (let it = 0; it < N; it++) {
      let lists: TokenLists;
      let pair: number;
      if (it < B) {
        lists = corpus.queries;
        pair = input.pairs[it];
      } else {
        lists = corpus.codes;
        pair = it < 2 * B ? input.pairs[it - B] : (input.negatives as ArrayLike<number>)[it - 2 * B];
      }
      const a = lists.off[pair];
      const b = lists.off[pair + 1];
      if (e + (b - a) > layout.dims.maxEntries) throw overflow('item-token entries');
      const start = e;
      for (let pass = 0; pass < 2; pass++) {
        // Pass 0 drops occurrences; if nothing survives, pass 1 keeps the item whole.
        for (let x = a; x < b; x++) {
          const count = lists.counts[x];
          let kept = count;
          if (pass === 0 && input.dropout > 0) {
            kept = 0;
            for (let n = 0; n < count; n++) if (rng.next() < keep) kept++;
          }
          if (kept === 0) continue;
          const g = lists.ids[x];
          if (this.tokStamp[g] !== serial) {
            if (U >= layout.dims.maxTokens) throw overflow('distinct subtokens');
            this.tokStamp[g] = serial;
            this.tokLocal[g] = U;
            this.localTokens[U++] = g;
          }
          itemTok[e] = this.tokLocal[g];
          itemCnt[e] = kept;
          e++;
        }
        if (e > start) break;
      }
      itemOff[it + 1] = e;
    }

    // token → items (counting sort over the entries)
    const { tokItemOff, tokItem, tokItemCnt } = v;
    tokItemOff.fill(0, 0, U + 1);
    for (let x = 0; x < e; x++) tokItemOff[itemTok[x] + 1]++;
    for (let u = 0; u < U; u++) tokItemOff[u + 1] += tokItemOff[u];
    for (let it = 0; it < N; it++) {
      for (let x = itemOff[it]; x < itemOff[it + 1]; x++) {
        const u = itemTok[x];
        const at = tokItemOff[u]++;
        tokItem[at] = it;
        tokItemCnt[at] = itemCnt[x];
      }
    }
    for (let u = U; u > 0; u--) tokItemOff[u] = tokItemOff[u - 1];
    tokItemOff[0] = 0;

    // token → rows, and the batch's distinct rows
    const { tokRowOff, tokRowIdx, tokRowW, rowGlobal, rowTokOff } = v;
    let tr = 0;
    let R = 0;
    tokRowOff[0] = 0;
    for (let u = 0; u < U; u++) {
      const g = this.localTokens[u];
      const a = corpus.tokenRowOff[g];
      const b = corpus.tokenRowOff[g + 1];
      const w = 1 / Math.max(1, b - a);
      if (tr + (b - a) > layout.dims.maxTokenRows) throw overflow('token rows');
      for (let x = a; x < b; x++) {
        const r = corpus.tokenRows[x];
        tokRowIdx[tr] = r;
        tokRowW[tr] = w;
        tr++;
        if (this.rowStamp[r] !== serial) {
          if (R >= layout.dims.maxRows) throw overflow('distinct rows');
          this.rowStamp[r] = serial;
          this.rowLocal[r] = R;
          rowGlobal[R] = r;
          rowTokOff[R + 1] = 0;
          R++;
        }
        rowTokOff[this.rowLocal[r] + 1]++;
      }
      tokRowOff[u + 1] = tr;
    }

    // row → tokens
    const { rowTok, rowTokW } = v;
    rowTokOff[0] = 0;
    for (let rho = 0; rho < R; rho++) rowTokOff[rho + 1] += rowTokOff[rho];
    for (let u = 0; u < U; u++) {
      for (let x = tokRowOff[u]; x < tokRowOff[u + 1]; x++) {
        const rho = this.rowLocal[tokRowIdx[x]];
        const at = rowTokOff[rho]++;
        rowTok[at] = u;
        rowTokW[at] = tokRowW[x];
      }
    }
    for (let rho = R; rho > 0; rho--) rowTokOff[rho] = rowTokOff[rho - 1];
    rowTokOff[0] = 0;

    v.ctl[CTL.B] = B;
    v.ctl[CTL.NC] = NC;
    v.ctl[CTL.N] = N;
    v.ctl[CTL.U] = U;
    v.ctl[CTL.R] = R;
    return { B, NC, N, U, R };
  }
}

function overflow(what: string): Error {
  return new Error(`batch exceeds the arena's capacity for ${what} (the arena was laid out from measured batches; this is a bug)`);
}
