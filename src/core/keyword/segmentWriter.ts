// Writes a segment file (segmentFormat.ts) from terms given in sorted order
// with their postings, streaming: only a window of postings and the
// dictionary (a few bytes a term) are held while writing.
import { BinaryWriter, writeMagic } from '../persist/binary';
import { crc32 } from '../crc32';
import { ByteSink } from './byteSink';
import { DictBlockWriter } from './dictBlock';
import { NameSection } from './nameSection';
import { encodePostings } from './postings';
import { SEGMENT_MAGIC, SEGMENT_VERSION, TERMS_PER_BLOCK, type SegmentRef } from './segmentFormat';
import { joinStrings } from './stringBlob';
import { writeCounted } from '../persist/writeCounted';

/** One term's postings, keys ascending (views: read before the next term is asked for). */
export interface TermPostings { term: string; keys: ArrayLike<number>; tfs: ArrayLike<number>; count: number }

/** A segment's documents, keys ascending, with their lengths, name word counts and names. */
export interface SegmentDocs {
  keys: Int32Array;
  lens: Float32Array;
  nameWords: Uint16Array;
  names: readonly string[];
}

const WINDOW = 1 << 20;

/** Write `file`; `terms` must come in ascending order (JS string order) and hold only the docs' keys. */
export function writeSegment(file: string, name: string, terms: Iterable<TermPostings>, docs: SegmentDocs): SegmentRef {
  const sum = writeCounted(file, segmentPieces(terms, docs));
  return { name, ...sum, docs: docs.keys.length };
}

function* segmentPieces(terms: Iterable<TermPostings>, docs: SegmentDocs): Generator<Uint8Array> {
  let pos = 0;
  const out = new ByteSink(WINDOW + 4096);
  // block index: first term, dictionary offset (relative to its start), postings offset and CRC per block
  const firstTerms: string[] = [];
  const blockPostings: number[] = [];
  const dict = new ByteSink(1 << 16);
  const blockDict: number[] = [];
  const blockCrc: number[] = [];
  const block = new DictBlockWriter();
  let prev: string | null = null;
  let termCount = 0;
  const endBlock = () => {
    if (block.count === 0) return;
    blockDict.push(dict.length);
    blockCrc.push(crc32(block.out.view()));
    dict.bytes(block.out.view());
    block.reset();
  };
  for (const t of terms) {
    if (t.count === 0) continue;
    if (prev !== null && !(prev < t.term)) throw new Error(`keyword segment: terms out of order (${t.term} after ${prev})`);
    if (block.count === TERMS_PER_BLOCK) endBlock();
    if (block.count === 0) { firstTerms.push(t.term); blockPostings.push(pos + out.length); }
    const bytes = encodePostings(out, t.keys, t.tfs, t.count);
    block.add(t.term, t.count, bytes);
    prev = t.term;
    termCount++;
    if (out.length >= WINDOW) { pos += out.length; yield out.view(); out.clear(); }
  }
  endBlock();
  pos += out.length;
  yield out.view();
  const dictStart = pos;
  yield dict.view();
  pos += dict.length;
  blockDict.push(dict.length);
  // the names, for merges
  const namesW = new BinaryWriter();
  const nb = joinStrings(docs.names);
  namesW.array(nb.off).array(nb.bytes);
  const names = namesW.finish();
  const namesStart = pos;
  yield names;
  pos += names.length;
  // the head
  const h = new BinaryWriter();
  writeMagic(h, SEGMENT_MAGIC, SEGMENT_VERSION);
  h.u32(docs.keys.length).u32(termCount);
  h.array(docs.keys).array(docs.lens).array(docs.nameWords);
  const ft = joinStrings(firstTerms);
  h.array(ft.off).array(ft.bytes);
  h.f64(dictStart).array(Float64Array.from(blockDict)).array(Float64Array.from(blockPostings)).array(Uint32Array.from(blockCrc));
  h.f64(namesStart).u32(names.length).u32(crc32(names));
  NameSection.build(docs.keys, docs.names).write(h);
  const head = h.finish();
  yield head;
  const trailer = new BinaryWriter();
  trailer.u32(head.length).u32(crc32(head));
  writeMagic(trailer, SEGMENT_MAGIC, SEGMENT_VERSION);
  yield trailer.finish();
}
