import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImageSizeError } from './errors';
import {
  ATA_MAX_CHS_SECTORS,
  DataRate,
  FLOPPY_FORMATS,
  MAX_LBA28_SECTORS,
  ataDefaultGeometry,
  biosGeometry,
  chsSectors,
  chsToLba,
  floppyFormatForSize,
  hardDiskSectors,
  lba28Sectors,
  lba48Sectors,
  lbaToChs,
  requireFloppyFormat,
} from './geometry';

const hasMformat = spawnSync('mformat', ['--version']).status === 0;
if (!hasMformat) console.warn('geometry.spec: mformat (Debian package mtools) is not installed; the mformat cross-checks are skipped');

/** The BIOS parameter block of a FAT boot sector: sectors per track, heads, total sectors. */
function bpb(bytes: Uint8Array): { spt: number; heads: number; total: number } {
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  return { spt: v.getUint16(0x18, true), heads: v.getUint16(0x1a, true), total: v.getUint16(0x13, true) };
}

describe('floppy formats recognised by size', () => {
  it('knows the standard PC table (cylinders x heads x sectors x 512 bytes, data rate)', () => {
    const table = FLOPPY_FORMATS.map((f) => [f.name, f.cylinders, f.heads, f.sectorsPerTrack, f.dataRateKbps, f.size]);
    expect(table).toEqual([
      ['160K', 40, 1, 8, 250, 163840],
      ['180K', 40, 1, 9, 250, 184320],
      ['320K', 40, 2, 8, 250, 327680],
      ['360K', 40, 2, 9, 250, 368640],
      ['720K', 80, 2, 9, 250, 737280],
      ['1.2M', 80, 2, 15, 500, 1228800],
      ['1.44M', 80, 2, 18, 500, 1474560],
      ['1.68M', 80, 2, 21, 500, 1720320],
      ['1.72M', 82, 2, 21, 500, 1763328],
      ['2.88M', 80, 2, 36, 1000, 2949120],
    ]);
    expect(floppyFormatForSize(1474560)?.rateCodes).toEqual([DataRate.Kbps500]);
    expect(floppyFormatForSize(2949120)?.rateCodes).toEqual([DataRate.Mbps1]);
    expect(floppyFormatForSize(368640)?.rateCodes).toContain(DataRate.Kbps300); // 360K in a 1.2M drive
  });

  it('gives no format for other sizes, and requireFloppyFormat says which sizes it accepts', () => {
    expect(floppyFormatForSize(1474561)).toBeUndefined();
    expect(() => requireFloppyFormat(1000, 'a.img')).toThrow(ImageSizeError);
    expect(() => requireFloppyFormat(1000, 'a.img')).toThrow(/a.img is 1000 bytes.*1.44M = 1474560/);
  });

  it.skipIf(!hasMformat)('agrees with the boot sector mformat writes for each of its standard formats', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-geom-'));
    try {
      const cases: [string, string[]][] = [
        ['160K', ['-f', '160']],
        ['180K', ['-f', '180']],
        ['320K', ['-f', '320']],
        ['360K', ['-f', '360']],
        ['720K', ['-f', '720']],
        ['1.2M', ['-f', '1200']],
        ['1.44M', ['-f', '1440']],
        ['2.88M', ['-f', '2880']],
        ['1.68M', ['-t', '80', '-h', '2', '-s', '21']],
        ['1.72M', ['-t', '82', '-h', '2', '-s', '21']],
      ];
      for (const [name, args] of cases) {
        const path = join(dir, `${name}.img`);
        const r = spawnSync('mformat', ['-C', ...args, '-i', path, '::']);
        expect(r.status, r.stderr.toString()).toBe(0);
        const bytes = readFileSync(path);
        const f = floppyFormatForSize(bytes.length);
        expect(f?.name).toBe(name);
        const b = bpb(bytes);
        expect([b.spt, b.heads, b.total]).toEqual([f!.sectorsPerTrack, f!.heads, chsSectors(f!)]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CHS <-> LBA', () => {
  it('numbers sectors from 1 and walks heads before cylinders', () => {
    const f = floppyFormatForSize(1474560)!;
    expect(chsToLba(f, 0, 0, 1)).toBe(0);
    expect(chsToLba(f, 0, 1, 1)).toBe(18);
    expect(chsToLba(f, 1, 0, 1)).toBe(36);
    expect(chsToLba(f, 79, 1, 18)).toBe(2879);
    expect(lbaToChs(f, 2879)).toEqual({ cylinder: 79, head: 1, sector: 18 });
    expect(lbaToChs(f, 19)).toEqual({ cylinder: 0, head: 1, sector: 2 });
  });
});

describe('hard-disk geometry', () => {
  it('wants a positive whole number of 512-byte sectors', () => {
    expect(hardDiskSectors(10 * 1024 * 1024)).toBe(20480);
    expect(() => hardDiskSectors(1000)).toThrow(ImageSizeError);
    expect(() => hardDiskSectors(0)).toThrow(ImageSizeError);
  });

  it('reports the ATA default CHS with 16 heads and 63 sectors, cylinders capped at 16383', () => {
    // 504 MiB: 1024 cylinders of 16 x 63 sectors.
    expect(ataDefaultGeometry(1024 * 16 * 63)).toEqual({ cylinders: 1024, heads: 16, sectorsPerTrack: 63 });
    // A 10 MiB disk: 20480 / 1008 = 20 cylinders (the remainder is reachable only by LBA).
    expect(ataDefaultGeometry(20480)).toEqual({ cylinders: 20, heads: 16, sectorsPerTrack: 63 });
    expect(ataDefaultGeometry(ATA_MAX_CHS_SECTORS)).toEqual({ cylinders: 16383, heads: 16, sectorsPerTrack: 63 });
    expect(ataDefaultGeometry(40 * 1024 ** 3 / 512)).toEqual({ cylinders: 16383, heads: 16, sectorsPerTrack: 63 });
    expect(ATA_MAX_CHS_SECTORS).toBe(16514064);
    const tiny = ataDefaultGeometry(100);
    expect(chsSectors(tiny)).toBeLessThanOrEqual(100);
    expect(tiny.cylinders).toBe(1);
  });

  it('caps LBA28 capacity at 0x0FFFFFFF sectors and LBA48 at 2^48 - 1', () => {
    expect(MAX_LBA28_SECTORS).toBe(268435455);
    expect(lba28Sectors(1000)).toBe(1000);
    expect(lba28Sectors(2 ** 29)).toBe(268435455);
    expect(lba48Sectors(2 ** 29)).toBe(2 ** 29);
    expect(lba48Sectors(2 ** 50)).toBe(2 ** 48 - 1);
  });

  it('gives the BIOS view: untranslated up to 1024 cylinders, LBA-assisted beyond (heads 16..255 by capacity)', () => {
    const small = ataDefaultGeometry(1024 * 16 * 63);
    expect(biosGeometry(small, 1024 * 16 * 63)).toEqual({ translation: 'none', cylinders: 1024, heads: 16, sectorsPerTrack: 63 });
    // 2 GiB: 4194304 sectors / 63 = 66576 tracks, /1024 = 65 heads -> 128 heads, 520 cylinders.
    const twoGiB = 4194304;
    expect(biosGeometry(ataDefaultGeometry(twoGiB), twoGiB, 'lba')).toEqual({ translation: 'lba', cylinders: 520, heads: 128, sectorsPerTrack: 63 });
    // Beyond 1024 x 255 x 63 sectors (about 8.4 GB) every disk is 1024/255/63.
    const big = 40 * 1024 ** 3 / 512;
    expect(biosGeometry(ataDefaultGeometry(big), big)).toEqual({ translation: 'lba', cylinders: 1024, heads: 255, sectorsPerTrack: 63 });
    // 1 GiB: 2080 physical cylinders x 16 heads <= 131072, so "auto" picks LARGE: halve and
    // double twice, 2080/16 -> 1040/32 -> 520/64.
    const oneGiB = 2097152;
    expect(biosGeometry(ataDefaultGeometry(oneGiB), oneGiB)).toEqual({ translation: 'large', cylinders: 520, heads: 64, sectorsPerTrack: 63 });
    // LBA-assisted: 33288 tracks / 1024 = 32 heads, 1040 cylinders clipped to 1024.
    expect(biosGeometry(ataDefaultGeometry(oneGiB), oneGiB, 'lba')).toEqual({ translation: 'lba', cylinders: 1024, heads: 32, sectorsPerTrack: 63 });
  });
});
