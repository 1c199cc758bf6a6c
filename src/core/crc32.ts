// CRC-32 (IEEE 802.3, the zlib/PNG/gzip polynomial) for file checksums.
// zlib's native crc32 where Node has it (≥ 20.15 / 22.2: ~10× faster on the
// 70 MB texts file of a 100K-chunk index); elsewhere slicing-by-8 tables in JS.
import * as zlib from 'node:zlib';

const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

const TABLES: Int32Array = buildTables();

function buildTables(): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n];
    for (let s = 1; s < 8; s++) {
      c = t[c & 0xff] ^ (c >>> 8);
      t[s * 256 + n] = c;
    }
  }
  return t;
}

/**
 * CRC-32 of `data`. Pass a previous result as `seed` to continue it over a
 * following piece: crc32(b, crc32(a)) === crc32(a ++ b). Returns an unsigned 32-bit value.
 */
export function crc32(data: Uint8Array, seed = 0): number {
  // zlib's crc32 returns 0, whatever the seed, for a view of a zero-length ArrayBuffer (Node 20.20):
  // an empty index's vector file then never matched its checksum and was rebuilt on every open
  if (data.length === 0) return seed >>> 0;
  return nativeCrc32 ? nativeCrc32(data, seed) >>> 0 : crc32Js(data, seed);
}

/** The portable implementation (exported so tests can compare it with zlib's). */
export function crc32Js(data: Uint8Array, seed = 0): number {
  const t = TABLES;
  let crc = ~seed | 0;
  let i = 0;
  const n = data.length;
  const end8 = n - (n & 7);
  for (; i < end8; i += 8) {
    const lo = crc ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
    const hi = data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24);
    crc =
      t[1792 + (lo & 0xff)] ^ t[1536 + ((lo >>> 8) & 0xff)] ^ t[1280 + ((lo >>> 16) & 0xff)] ^ t[1024 + (lo >>> 24)] ^
      t[768 + (hi & 0xff)] ^ t[512 + ((hi >>> 8) & 0xff)] ^ t[256 + ((hi >>> 16) & 0xff)] ^ t[hi >>> 24];
  }
  for (; i < n; i++) crc = t[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}
