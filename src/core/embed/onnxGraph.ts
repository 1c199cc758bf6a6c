// A minimal reader of ONNX ModelProto files: the graph's nodes, initializers
// and input/output names, nothing else. Enough to recognise a graph the engine
// can evaluate itself (embeddingBag.ts) without starting onnxruntime.

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

export class OnnxFormatError extends Error {
  constructor(message: string) { super(message); this.name = 'OnnxFormatError'; }
}

export interface OnnxAttribute {
  name: string;
  int?: number;
  ints?: number[];
}

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  attributes: OnnxAttribute[];
}

export interface OnnxTensor {
  name: string;
  /** onnx.TensorProto.DataType */
  dataType: number;
  dims: number[];
  /** The raw little-endian bytes (a view into the file, not a copy). */
  raw: Uint8Array;
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  initializers: Map<string, OnnxTensor>;
  inputs: string[];
  outputs: string[];
}

export const DataType = { FLOAT: 1, INT8: 3, INT32: 6, INT64: 7 } as const;

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** A cursor over one protobuf message's bytes. */
class Reader {
  pos: number;
  constructor(readonly buf: Uint8Array, start = 0, readonly end = buf.length) { this.pos = start; }

  get done(): boolean { return this.pos >= this.end; }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new OnnxFormatError('truncated varint');
      const b = this.buf[this.pos++];
      // Values above 2^53 only occur as negative int64s we never need exactly.
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
    throw new OnnxFormatError('varint longer than 10 bytes');
  }

  /** [start, end) of a length-delimited field's payload; advances past it. */
  span(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    if (start + len > this.end) throw new OnnxFormatError(`field of ${len} bytes runs past its message`);
    this.pos = start + len;
    return [start, start + len];
  }

  string(): string {
    const [a, b] = this.span();
    return utf8.decode(this.buf.subarray(a, b));
  }

  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_I64) this.pos += 8;
    else if (wire === WIRE_LEN) this.span();
    else if (wire === WIRE_I32) this.pos += 4;
    else throw new OnnxFormatError(`unsupported wire type ${wire}`);
    if (this.pos > this.end) throw new OnnxFormatError('field runs past its message');
  }

  /** Each field of the message: the callback reads its value or returns false to skip it. */
  fields(onField: (field: number, wire: number) => boolean): void {
    while (!this.done) {
      const tag = this.varint();
      const field = Math.floor(tag / 8);
      const wire = tag & 7;
      if (!onField(field, wire)) this.skip(wire);
    }
  }

  sub([a, b]: [number, number]): Reader { return new Reader(this.buf, a, b); }
}

/** Signed value of a varint read as int64 (two's complement above 2^63). */
function asInt64(v: number): number {
  return v >= 2 ** 63 ? v - 2 ** 64 : v;
}

function readInts(r: Reader, wire: number, into: number[]): void {
  if (wire === WIRE_LEN) {
    const p = r.sub(r.span());
    while (!p.done) into.push(asInt64(p.varint()));
  } else {
    into.push(asInt64(r.varint()));
  }
}

function readAttribute(r: Reader): OnnxAttribute {
  const a: OnnxAttribute = { name: '' };
  r.fields((f, w) => {
    if (f === 1 && w === WIRE_LEN) a.name = r.string();
    else if (f === 3 && w === WIRE_VARINT) a.int = asInt64(r.varint());
    else if (f === 8) { a.ints ??= []; readInts(r, w, a.ints); }
    else return false;
    return true;
  });
  return a;
}

function readNode(r: Reader): OnnxNode {
  const n: OnnxNode = { opType: '', inputs: [], outputs: [], attributes: [] };
  r.fields((f, w) => {
    if (w !== WIRE_LEN) return false;
    if (f === 1) n.inputs.push(r.string());
    else if (f === 2) n.outputs.push(r.string());
    else if (f === 4) n.opType = r.string();
    else if (f === 5) n.attributes.push(readAttribute(r.sub(r.span())));
    else return false;
    return true;
  });
  return n;
}

function readTensor(r: Reader): OnnxTensor {
  const t: OnnxTensor = { name: '', dataType: 0, dims: [], raw: new Uint8Array(0) };
  r.fields((f, w) => {
    if (f === 1) readInts(r, w, t.dims);
    else if (f === 2 && w === WIRE_VARINT) t.dataType = r.varint();
    else if (f === 8 && w === WIRE_LEN) t.name = r.string();
    else if (f === 9 && w === WIRE_LEN) { const [a, b] = r.span(); t.raw = r.buf.subarray(a, b); }
    else return false;
    return true;
  });
  return t;
}

function readValueInfoName(r: Reader): string {
  let name = '';
  r.fields((f, w) => {
    if (f === 1 && w === WIRE_LEN) { name = r.string(); return true; }
    return false;
  });
  return name;
}

function readGraph(r: Reader): OnnxGraph {
  const g: OnnxGraph = { nodes: [], initializers: new Map(), inputs: [], outputs: [] };
  r.fields((f, w) => {
    if (w !== WIRE_LEN) return false;
    if (f === 1) g.nodes.push(readNode(r.sub(r.span())));
    else if (f === 5) { const t = readTensor(r.sub(r.span())); g.initializers.set(t.name, t); }
    else if (f === 11) g.inputs.push(readValueInfoName(r.sub(r.span())));
    else if (f === 12) g.outputs.push(readValueInfoName(r.sub(r.span())));
    else return false;
    return true;
  });
  return g;
}

/** The graph of a serialised ModelProto; throws OnnxFormatError when the bytes are not one. */
export function readOnnxGraph(bytes: Uint8Array): OnnxGraph {
  const r = new Reader(bytes);
  let graph: OnnxGraph | null = null;
  r.fields((f, w) => {
    if (f === 7 && w === WIRE_LEN) { graph = readGraph(r.sub(r.span())); return true; }
    return false;
  });
  if (!graph) throw new OnnxFormatError('no graph in the model file');
  return graph;
}
