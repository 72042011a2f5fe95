import { describe, expect, it } from 'vitest';
import { fillRandom } from '../test/devices';
import { JsBackend, RAM_DIGEST_BYTES, allocateRam, boundDigest, ramDigest, ramDigestBackend } from './ramdigest';

/** The digest by its definition (docs/stream-format.md), in BigInt: a[i mod 4] += w, c[i mod 16] = c[i mod 16] * 33 + w, mod 2^64. */
function reference(data: Uint8Array): Uint8Array {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const mask = (1n << 64n) - 1n;
  const a = Array<bigint>(4).fill(0n);
  const c = Array<bigint>(16).fill(0n);
  for (let i = 0; i < data.length / 4; i++) {
    const w = BigInt(v.getUint32(i * 4, true));
    a[i & 3] = (a[i & 3]! + w) & mask;
    c[i & 15] = (c[i & 15]! * 33n + w) & mask;
  }
  const out = new Uint8Array(160);
  const o = new DataView(out.buffer);
  [...a, ...c].forEach((x, i) => o.setBigUint64(i * 8, x, true));
  return out;
}
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const digest = (b: Uint8Array) => hex(ramDigest(b));

describe('RAM digest: the definition', () => {
  it('runs on WebAssembly SIMD here (Node 20)', () => {
    expect(ramDigestBackend()).toBe('wasm-simd');
  });
  it('equals the BigInt evaluation of its definition, for lengths across the 64 KiB slices', () => {
    for (const len of [64, 512, 4096, 65536 - 64, 65536, 65536 + 64, 3 * 65536 + 4096]) {
      const b = fillRandom(new Uint8Array(len), len);
      b.fill(0xff, 0, Math.min(len, 200)); // sums that carry out of 32 bits
      expect(digest(b), `length ${len}`).toBe(hex(reference(b)));
    }
  });
  it('the JavaScript fallback gives the same bytes, fed in pieces', () => {
    const b = fillRandom(new Uint8Array(70_000 - (70_000 % 64)), 9);
    b.fill(0xff, 100, 3000);
    const js = new JsBackend();
    js.reset();
    js.add(b, 0, 640);
    js.add(b, 640, b.length);
    const out = new Uint8Array(RAM_DIGEST_BYTES);
    js.result(out, 0);
    expect(hex(out)).toBe(hex(reference(b)));
  });
  it('allocateRam with commit gives the same zeroed WebAssembly RAM (every page written once at allocation)', () => {
    const ram = allocateRam(1 << 20, { commit: true });
    expect(boundDigest(ram)).toBeDefined();
    expect(ram.length).toBe(1 << 20);
    expect(ram.every((b) => b === 0)).toBe(true);
  });
  it('bound to RAM from allocateRam: its three slots, and the pass that also tests another range for zero, give the definition\'s digest', () => {
    const ram = allocateRam(1 << 20);
    const dg = boundDigest(ram)!;
    fillRandom(ram.subarray(0, 256 << 10), 4);
    ram.fill(0xff, 1000, 5000);
    const want = hex(reference(ram.subarray(4096, 200_064)));
    const out = new Uint8Array(RAM_DIGEST_BYTES);
    for (const [zeroAt, zero] of [[512 << 10, true], [(512 << 10) - 64, true], [(256 << 10) - 64, false], [600_000, true], [0, false]] as const) {
      dg.reset(0);
      dg.reset(1);
      dg.reset(2);
      dg.add(ram, 4096, 8192, 0); // slots 0 and 2 hold other digests meanwhile
      dg.add(ram, 0, 4096, 2);
      expect(dg.hashAndTestZero(ram, 4096, 200_064, 1, zeroAt), `zero test at ${zeroAt}`).toBe(zero);
      expect(ram.subarray(zeroAt, zeroAt + 200_064 - 4096).every((b) => b === 0)).toBe(zero);
      dg.result(out, 0, 1);
      expect(hex(out)).toBe(want);
      dg.result(out, 0, 0);
      expect(hex(out)).toBe(hex(reference(ram.subarray(4096, 8192))));
      dg.result(out, 0, 2);
      expect(hex(out)).toBe(hex(reference(ram.subarray(0, 4096))));
    }
  });
  it('of nothing, and of zero data, is all zero (the length is framed by the record, not the digest)', () => {
    expect(digest(new Uint8Array(0))).toBe('00'.repeat(160));
    expect(digest(new Uint8Array(4096))).toBe('00'.repeat(160));
  });
  it('refuses a length that is not a multiple of 64 bytes', () => {
    expect(() => ramDigest(new Uint8Array(100))).toThrow(RangeError);
  });
});

describe('RAM digest: what it detects for certain', () => {
  const base = fillRandom(new Uint8Array(512), 77);
  const d0 = digest(base);
  it('every single-bit flip (all 4096 of a 512-byte block)', () => {
    const b = base.slice();
    for (let bit = 0; bit < 512 * 8; bit++) {
      b[bit >> 3] ^= 1 << (bit & 7);
      expect(digest(b) === d0, `bit ${bit}`).toBe(false);
      b[bit >> 3] ^= 1 << (bit & 7);
    }
  });
  it('every pair of bit flips in the first 32 words (all 523776 pairs of 1024 bits)', () => {
    const b = base.slice();
    const bits = 32 * 32; // words 0..31
    let undetected = 0;
    for (let x = 0; x < bits; x++) {
      b[x >> 3] ^= 1 << (x & 7);
      for (let y = x + 1; y < bits; y++) {
        b[y >> 3] ^= 1 << (y & 7);
        if (digest(b) === d0) undetected++;
        b[y >> 3] ^= 1 << (y & 7);
      }
      b[x >> 3] ^= 1 << (x & 7);
    }
    expect(undetected).toBe(0);
  }, 60_000);
  it('top-bit flips that cancel in a 32-bit sum (same lane, one 0->1, one 1->0), at any distance', () => {
    const b = new Uint8Array(65536);
    const v = new DataView(b.buffer);
    const d = digest(b);
    for (const dist of [1, 2, 4, 8, 64, 1024, 4095]) {
      v.setUint32(0, 0x80000000, true);
      v.setUint32(dist * 16, 0, true);
      const before = digest(b);
      v.setUint32(0, 0, true);
      v.setUint32(dist * 16, 0x80000000, true);
      expect(digest(b), `distance ${dist}`).not.toBe(before);
      v.setUint32(dist * 16, 0, true);
    }
    expect(digest(b)).toBe(d);
  });
  it('any change to 8 consecutive words (a 225-bit burst)', () => {
    for (let at = 0; at < 64; at += 4) {
      const b = base.slice();
      for (let i = 0; i < 32; i++) b[at + i] = ~b[at + i]! & 0xff;
      expect(digest(b)).not.toBe(d0);
    }
  });
});

describe('RAM digest: page order matters', () => {
  const page = 4096;
  it('two pages swapped, whose words have equal sums in every lane (word 0 = 1 and word 8 = 1, against word 4 = 2)', () => {
    const p = new Uint8Array(page);
    const q = new Uint8Array(page);
    const pv = new DataView(p.buffer);
    pv.setUint32(0, 1, true);
    pv.setUint32(32, 1, true);
    new DataView(q.buffer).setUint32(16, 2, true);
    const pq = new Uint8Array(2 * page);
    pq.set(p);
    pq.set(q, page);
    const qp = new Uint8Array(2 * page);
    qp.set(q);
    qp.set(p, page);
    expect(digest(pq)).not.toBe(digest(qp));
  });
  it('two pages swapped where one is the other shifted by 16 bytes (same lane contents, other positions)', () => {
    const p = fillRandom(new Uint8Array(page), 3);
    const q = new Uint8Array(page);
    q.set(p.subarray(16), 0);
    q.set(p.subarray(0, 16), page - 16);
    const pq = new Uint8Array(2 * page);
    pq.set(p);
    pq.set(q, page);
    const qp = new Uint8Array(2 * page);
    qp.set(q);
    qp.set(p, page);
    expect(digest(pq)).not.toBe(digest(qp));
  });
  it('a page duplicated over its neighbour', () => {
    const b = fillRandom(new Uint8Array(4 * page), 4);
    const d = digest(b);
    b.copyWithin(2 * page, page, 2 * page);
    expect(digest(b)).not.toBe(d);
  });
});
