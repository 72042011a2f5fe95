import { describe, expect, it } from 'vitest';
import { BlockRangeError, ReadOnlyError } from './errors';
import { MemoryImage } from './memory-image';

describe('MemoryImage', () => {
  it('reads back what was written, at byte offsets, into and from parts of buffers', () => {
    const img = new MemoryImage(4096);
    expect(img.size).toBe(4096);
    img.write(1000, Uint8Array.of(9, 1, 2, 3, 9), 1, 3);
    const out = new Uint8Array(8).fill(0xee);
    img.read(999, out, 2, 5);
    expect([...out]).toEqual([0xee, 0xee, 0, 1, 2, 3, 0, 0xee]);
  });

  it('wraps the caller bytes without copying', () => {
    const bytes = new Uint8Array(512).fill(7);
    const img = new MemoryImage(bytes);
    img.write(0, Uint8Array.of(1));
    expect(bytes[0]).toBe(1);
  });

  it('refuses accesses outside the image or the buffer with a BlockRangeError and changes nothing', () => {
    const img = new MemoryImage(512);
    expect(() => img.read(510, new Uint8Array(4))).toThrow(BlockRangeError);
    expect(() => img.read(-1, new Uint8Array(1))).toThrow(BlockRangeError);
    expect(() => img.read(0.5, new Uint8Array(1))).toThrow(BlockRangeError);
    expect(() => img.read(0, new Uint8Array(4), 2, 3)).toThrow(BlockRangeError);
    expect(() => img.write(509, new Uint8Array(4).fill(1))).toThrow(BlockRangeError);
    expect(img.bytes.every((b) => b === 0)).toBe(true);
    const err = (() => {
      try {
        img.read(600, new Uint8Array(2));
      } catch (e) {
        return e as BlockRangeError;
      }
    })();
    expect(err).toMatchObject({ offset: 600, length: 2, size: 512 });
  });

  it('throws ReadOnlyError on a write to a read-only image', () => {
    const img = new MemoryImage(512, { readOnly: true, name: 'boot.img' });
    expect(() => img.write(0, new Uint8Array(1))).toThrow(ReadOnlyError);
    expect(() => img.write(0, new Uint8Array(1))).toThrow(/boot.img is read-only/);
  });
});
