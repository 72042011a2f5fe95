import { describe, expect, it } from 'vitest';
import { BlockRangeError, OverlayFormatError, ReadOnlyError } from './errors';
import { MemoryImage } from './memory-image';
import { OverlayImage } from './overlay';

/** Byte-for-byte equality of two large arrays (a deep toEqual on typed arrays is slow). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}

function patterned(size: number): MemoryImage {
  return new MemoryImage(new Uint8Array(size).map((_, i) => (i * 13 + 5) & 0xff));
}

describe('OverlayImage: copy-on-write over a base', () => {
  it('reads the base until written, then the written bytes, and never changes the base', () => {
    const base = patterned(16384);
    const before = base.bytes.slice();
    const ov = new OverlayImage(base, { clusterSize: 1024 });
    expect(ov.size).toBe(16384);
    ov.write(1500, new Uint8Array(10).fill(0xff)); // inside cluster 1, partially
    expect(same(base.bytes, before)).toBe(true);
    const all = new Uint8Array(16384);
    ov.read(0, all);
    const expected = before.slice();
    expected.fill(0xff, 1500, 1510);
    expect(same(all, expected)).toBe(true);
    expect(ov.dirtyClusters).toBe(1);
    expect(ov.isDirty(1024)).toBe(true);
    expect(ov.isDirty(2048)).toBe(false);
  });

  it('handles writes spanning clusters and an image whose size is not a whole number of clusters', () => {
    const base = patterned(5000);
    const ov = new OverlayImage(base, { clusterSize: 1024 });
    const src = new Uint8Array(3000).fill(0x11);
    ov.write(1990, src);
    ov.write(4990, new Uint8Array(10).fill(0x22)); // the last, short cluster
    const out = new Uint8Array(5000);
    ov.read(0, out);
    const expected = base.bytes.slice();
    expected.fill(0x11, 1990, 4990);
    expected.fill(0x22, 4990, 5000);
    expect(same(out, expected)).toBe(true);
    expect(ov.dirtyClusters).toBe(4);
  });

  it('works over a read-only base, and commit onto it is refused', () => {
    const base = new MemoryImage(4096, { readOnly: true });
    const ov = new OverlayImage(base);
    ov.write(0, Uint8Array.of(1));
    expect(ov.readOnly).toBe(false);
    expect(() => ov.commit()).toThrow(ReadOnlyError);
    expect(ov.dirtyClusters).toBe(1);
  });

  it('commit writes the overlay into the base and empties it; discard drops it', () => {
    const base = patterned(8192);
    const ov = new OverlayImage(base, { clusterSize: 512 });
    ov.write(700, Uint8Array.of(1, 2, 3));
    ov.commit();
    expect([...base.bytes.subarray(700, 703)]).toEqual([1, 2, 3]);
    expect(ov.dirtyClusters).toBe(0);
    ov.write(0, Uint8Array.of(9));
    ov.discard();
    const b = new Uint8Array(1);
    ov.read(0, b);
    expect(b[0]).toBe(base.bytes[0]);
  });

  it('saves and restores its contents onto a new overlay over the same base, as objects and as bytes', () => {
    const base = patterned(65536);
    const ov = new OverlayImage(base);
    ov.write(100, new Uint8Array(5000).fill(0x33));
    ov.write(60000, Uint8Array.of(7, 7, 7));
    const want = new Uint8Array(65536);
    ov.read(0, want);

    const again = new OverlayImage(base);
    again.restore(ov.snapshot());
    const got = new Uint8Array(65536);
    again.read(0, got);
    expect(same(got, want)).toBe(true);

    const fromBytes = new OverlayImage(base);
    fromBytes.restore(OverlayImage.decode(ov.encode()));
    fromBytes.read(0, got);
    expect(same(got, want)).toBe(true);
  });

  it('refuses a saved overlay that does not fit, or bytes that are corrupt, and keeps its contents', () => {
    const base = patterned(8192);
    const ov = new OverlayImage(base, { clusterSize: 1024 });
    ov.write(0, Uint8Array.of(42));
    const other = new OverlayImage(patterned(4096), { clusterSize: 1024 });
    expect(() => ov.restore(other.snapshot())).toThrow(OverlayFormatError);
    expect(() => ov.restore({ size: 8192, clusterSize: 512, clusters: [] })).toThrow(OverlayFormatError);
    expect(() => ov.restore({ size: 8192, clusterSize: 1024, clusters: [{ index: 8, data: new Uint8Array(1024) }] })).toThrow(OverlayFormatError);
    expect(() => ov.restore({ size: 8192, clusterSize: 1024, clusters: [{ index: 1, data: new Uint8Array(10) }] })).toThrow(OverlayFormatError);
    const b = new Uint8Array(1);
    ov.read(0, b);
    expect(b[0]).toBe(42);

    const bytes = ov.encode();
    expect(() => OverlayImage.decode(bytes.subarray(0, 10))).toThrow(OverlayFormatError);
    expect(() => OverlayImage.decode(bytes.subarray(0, bytes.length - 1))).toThrow(OverlayFormatError);
    const badMagic = bytes.slice();
    badMagic[0] ^= 1;
    expect(() => OverlayImage.decode(badMagic)).toThrow(/magic/);
    const badVersion = bytes.slice();
    badVersion[4] = 9;
    expect(() => OverlayImage.decode(badVersion)).toThrow(/version 9/);
  });

  it('rejects a cluster size that is not a power of two of at least 512, and ranges outside the image', () => {
    expect(() => new OverlayImage(new MemoryImage(512), { clusterSize: 1000 })).toThrow(OverlayFormatError);
    expect(() => new OverlayImage(new MemoryImage(512), { clusterSize: 256 })).toThrow(OverlayFormatError);
    const ov = new OverlayImage(new MemoryImage(512));
    expect(() => ov.write(511, new Uint8Array(2))).toThrow(BlockRangeError);
    expect(() => new OverlayImage(new MemoryImage(512), { readOnly: true }).write(0, new Uint8Array(1))).toThrow(ReadOnlyError);
  });
});
