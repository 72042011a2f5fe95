import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c';

// Check values: the CRC catalogue's CRC-32/ISCSI "check" (CRC of ASCII "123456789") and the
// iSCSI test vectors of RFC 3720 appendix B.4.
describe('CRC-32C (Castagnoli)', () => {
  it('gives the catalogue check value 0xE3069283 for "123456789"', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
  });
  it('matches RFC 3720 B.4: 32 bytes of zeros, ones, incrementing and decrementing', () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });
  it('gives the same result at every alignment and split (slicing path equals the bytewise path)', () => {
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 131 + 7) & 0xff);
    const whole = crc32c(data);
    for (let off = 0; off < 9; off++) {
      const buf = new Uint8Array(data.length + off);
      buf.set(data, off);
      expect(crc32c(buf.subarray(off))).toBe(whole);
      expect(crc32c(buf, 0, off, off + data.length)).toBe(whole);
    }
    for (const cut of [0, 1, 7, 8, 9, 500, 999, 1000]) expect(crc32c(data.subarray(cut), crc32c(data.subarray(0, cut)))).toBe(whole);
  });
});
