import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlockRangeError, ImageIoError, ReadOnlyError } from './errors';
import { RawFileImage } from './raw-file';

describe('RawFileImage', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bp-block-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file at byte offsets without loading it, and its size is the file size', () => {
    const path = join(dir, 'a.img');
    const data = new Uint8Array(3000).map((_, i) => (i * 7) & 0xff);
    writeFileSync(path, data);
    const img = RawFileImage.open(path, { readOnly: true });
    expect(img.size).toBe(3000);
    expect(img.readOnly).toBe(true);
    const out = new Uint8Array(10);
    img.read(2990, out);
    expect([...out]).toEqual([...data.subarray(2990)]);
    img.close();
  });

  it('writes reach the file at their offsets before write returns', () => {
    const path = join(dir, 'b.img');
    writeFileSync(path, new Uint8Array(2048));
    const img = RawFileImage.open(path);
    img.write(513, Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd), 1, 2);
    const onDisk = readFileSync(path); // another reader sees it without flush or close
    expect([...onDisk.subarray(512, 516)]).toEqual([0, 0xbb, 0xcc, 0]);
    img.flush();
    img.close();
  });

  it('creates a sparse image of any size that reads as zeros and does not allocate what was never written', () => {
    const path = join(dir, 'big.img');
    const size = 8 * 1024 ** 3 + 512; // 8 GiB and one sector: beyond 32-bit offsets
    const img = RawFileImage.create(path, { size });
    expect(statSync(path).size).toBe(size);
    img.write(size - 512, new Uint8Array(512).fill(0x5a));
    const out = new Uint8Array(1024).fill(1);
    img.read(size - 1024, out);
    expect(out.subarray(0, 512).every((b) => b === 0)).toBe(true);
    expect(out.subarray(512).every((b) => b === 0x5a)).toBe(true);
    const st = statSync(path);
    if (st.blocks !== undefined) expect(st.blocks * 512).toBeLessThan(16 * 1024 * 1024);
    img.close();
  });

  it('refuses to create over an existing file unless told to', () => {
    const path = join(dir, 'c.img');
    writeFileSync(path, 'x');
    expect(() => RawFileImage.create(path, { size: 512 })).toThrow(ImageIoError);
    RawFileImage.create(path, { size: 512, exclusive: false }).close();
    expect(statSync(path).size).toBe(512);
  });

  it('throws ReadOnlyError for a write to an image opened read-only, and the file is unchanged', () => {
    const path = join(dir, 'ro.img');
    writeFileSync(path, new Uint8Array(512).fill(3));
    const img = RawFileImage.open(path, { readOnly: true });
    expect(() => img.write(0, Uint8Array.of(1))).toThrow(ReadOnlyError);
    expect(readFileSync(path)[0]).toBe(3);
    img.close();
  });

  it('throws BlockRangeError beyond the end and ImageIoError for a missing, unreadable, truncated or closed image', () => {
    const path = join(dir, 'd.img');
    writeFileSync(path, new Uint8Array(1024));
    const img = RawFileImage.open(path);
    expect(() => img.read(1023, new Uint8Array(2))).toThrow(BlockRangeError);
    expect(() => img.write(1024, new Uint8Array(1))).toThrow(BlockRangeError);
    truncateSync(path, 100); // shrunk behind our back
    expect(() => img.read(512, new Uint8Array(512))).toThrow(ImageIoError);
    img.close();
    expect(img.closed).toBe(true);
    expect(() => img.read(0, new Uint8Array(1))).toThrow(/closed/);
    expect(() => RawFileImage.open(join(dir, 'missing.img'))).toThrow(ImageIoError);
    expect(() => RawFileImage.open(dir)).toThrow(ImageIoError); // a directory
  });
});
