// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of iSCSI, SCTP and ext4
// metadata. Slicing-by-8: eight 256-entry tables let the inner loop fold eight input bytes per
// step with eight independent table lookups (the technique of Intel's "slicing-by-8" paper).

const POLY = 0x82f63b78;

/** T[k*256 + b] = CRC of byte b followed by k zero bytes (k = 0..7). */
const T = /* @__PURE__ */ buildTables();

function buildTables(): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[b] = c;
  }
  for (let b = 0; b < 256; b++) {
    let c = t[b]!;
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + b] = c;
    }
  }
  return t;
}

/**
 * Continue a CRC-32C over `data[start, end)`. `crc` is a previous result (0 to start), so
 * `crc32c(b, crc32c(a))` equals the CRC of a followed by b. Returns an unsigned 32-bit value.
 */
export function crc32c(data: Uint8Array, crc = 0, start = 0, end = data.length): number {
  const t = T;
  let c = ~crc | 0;
  let i = start;
  // Bytes until 4-byte alignment of the underlying buffer, so that words can be read directly.
  while (i < end && ((data.byteOffset + i) & 3) !== 0) c = t[(c ^ data[i++]!) & 0xff]! ^ (c >>> 8);
  const words = (end - i) >>> 3;
  if (words > 0) {
    const w = new Int32Array(data.buffer, data.byteOffset + i, words * 2);
    // Little-endian word reads: the host is little-endian on every platform Node supports.
    for (let j = 0, n = words * 2; j < n; j += 2) {
      const a = c ^ w[j]!;
      const b = w[j + 1]!;
      c =
        t[1792 + (a & 0xff)]! ^
        t[1536 + ((a >>> 8) & 0xff)]! ^
        t[1280 + ((a >>> 16) & 0xff)]! ^
        t[1024 + (a >>> 24)]! ^
        t[768 + (b & 0xff)]! ^
        t[512 + ((b >>> 8) & 0xff)]! ^
        t[256 + ((b >>> 16) & 0xff)]! ^
        t[b >>> 24]!;
    }
    i += words * 8;
  }
  while (i < end) c = t[(c ^ data[i++]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
