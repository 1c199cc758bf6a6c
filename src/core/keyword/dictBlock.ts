// A block of a segment's term dictionary: terms in order, each with its
// document count and its postings' byte length (their offsets follow from
// the block's first offset). Each term stores only what differs from the
// previous one (front coding over UTF-8 bytes).
import { CorruptIndexError } from '../errors';
import { ByteCursor, ByteSink } from './byteSink';

export interface DictEntries {
  terms: string[];
  df: number[];
  /** Absolute file offsets of the postings, one more than terms (the end). */
  offsets: number[];
}

export class DictBlockWriter {
  readonly out = new ByteSink(4096);
  private prev: Uint8Array = new Uint8Array(0);
  count = 0;

  add(term: string, df: number, postingsBytes: number): void {
    const b = Buffer.from(term, 'utf8');
    let shared = 0;
    const max = Math.min(b.length, this.prev.length);
    while (shared < max && b[shared] === this.prev[shared]) shared++;
    this.out.varint(shared);
    this.out.varint(b.length - shared);
    this.out.bytes(b.subarray(shared));
    this.out.varint(df);
    this.out.varint(postingsBytes);
    this.prev = b;
    this.count++;
  }

  reset(): void { this.out.clear(); this.prev = new Uint8Array(0); this.count = 0; }
}

/** Decode a block written by DictBlockWriter whose postings start at `postingsStart`. */
export function decodeDictBlock(bytes: Uint8Array, postingsStart: number, what: string): DictEntries {
  const cur = new ByteCursor(bytes, what);
  const out: DictEntries = { terms: [], df: [], offsets: [postingsStart] };
  let prev = new Uint8Array(0);
  let at = postingsStart;
  while (!cur.done) {
    const shared = cur.varint();
    const rest = cur.varint();
    if (shared > prev.length) throw new CorruptIndexError(`${what}: bad term prefix`);
    const term = new Uint8Array(shared + rest);
    term.set(prev.subarray(0, shared));
    term.set(cur.bytes(rest), shared);
    out.terms.push(Buffer.from(term.buffer, term.byteOffset, term.length).toString('utf8'));
    out.df.push(cur.varint());
    at += cur.varint();
    out.offsets.push(at);
    prev = term;
  }
  return out;
}
