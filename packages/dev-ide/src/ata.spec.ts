// ATA commands of a hard disk, one describe per command (ATA/ATAPI-6 clause 8), through the ports.
import { MemoryImage } from '@backplane/block';
import { describe, expect, it } from 'vitest';
import { P, SyntheticDisk, firstDifference, issue, lba28, lba48, patternedCopy, pioIn, pioOut, readData, rig, waitNotBusy, words } from '../test/helpers';
import { Cmd, ErrorBit, Status } from './registers';

const READY = Status.DRDY | Status.DSC;
const SECTORS = 8192; // 4 MiB

function diskRig(image = patternedCopy(SECTORS)) {
  return { ...rig({ master: { kind: 'disk', image, model: 'TEST DISK MODEL', serial: 'SN0001', firmware: 'FW12' } }), image };
}

function identify(tb: ReturnType<typeof rig>['tb']): number[] {
  const r = pioIn(tb, Cmd.IdentifyDevice, { device: 0xa0 }, 1);
  return words(r.data);
}

function sectors(image: MemoryImage, lba: number, count: number): Uint8Array {
  return image.bytes.subarray(lba * 512, (lba + count) * 512);
}

describe('IDENTIFY DEVICE (ECh)', () => {
  it('returns 256 words with DRQ and an interrupt, then status ready', () => {
    const { tb } = diskRig();
    const irq = tb.irq(14);
    const st = issue(tb, Cmd.IdentifyDevice, { device: 0xa0 });
    expect(st).toBe(READY | Status.DRQ);
    expect(irq.level).toBe(true);
    readData(tb, 512);
    expect(tb.inb(P.status)).toBe(READY);
  });

  it('word 0 bit 15 is zero (ATA device); word 47 bits 15-8 are 80h; word 49 bit 9 (LBA) is set', () => {
    const w = identify(diskRig().tb);
    expect(w[0]! & 0x8000).toBe(0);
    expect(w[47]! >>> 8).toBe(0x80);
    expect(w[47]! & 0xff).toBeGreaterThanOrEqual(1);
    expect(w[49]! & 0x0200).toBe(0x0200);
  });

  it('words 1, 3, 6 give the default geometry (16 heads, 63 sectors) and 54-58 the current one with its capacity', () => {
    const w = identify(diskRig().tb);
    expect([w[1], w[3], w[6]]).toEqual([Math.floor(SECTORS / (16 * 63)), 16, 63]);
    expect(w[53]! & 1).toBe(1);
    expect([w[54], w[55], w[56]]).toEqual([w[1], w[3], w[6]]);
    expect(w[57]! | (w[58]! << 16)).toBe(w[1]! * w[3]! * w[6]!);
  });

  it('words 60-61 give the LBA28 capacity and words 100-103 the LBA48 capacity; word 83/86 bit 10 (48-bit) set', () => {
    const w = identify(diskRig().tb);
    expect(w[60]! | (w[61]! << 16)).toBe(SECTORS);
    expect(w[100]! + w[101]! * 0x10000 + w[102]! * 0x100000000).toBe(SECTORS);
    expect(w[83]! & 0xc400).toBe(0x4400);
    expect(w[86]! & 0x0400).toBe(0x0400);
  });

  it('a disk beyond 2^28 sectors reports 0FFFFFFFh in words 60-61, its size in 100-103, and 16383/16/63', () => {
    const total = 2 ** 28 + 12345;
    const { tb } = rig({ master: { kind: 'disk', image: new SyntheticDisk(total * 512) } });
    const w = identify(tb);
    expect(w[60]! + w[61]! * 0x10000).toBe(0x0fffffff);
    expect(w[100]! + w[101]! * 0x10000 + w[102]! * 0x100000000).toBe(total);
    expect([w[1], w[3], w[6]]).toEqual([16383, 16, 63]);
  });

  it('model, serial and firmware are ASCII with the two characters of each word swapped, space padded', () => {
    const { tb } = diskRig();
    const r = pioIn(tb, Cmd.IdentifyDevice, { device: 0xa0 }, 1);
    const b = r.data;
    // Word 27 holds "TE": 'T' in bits 15-8 (byte 55), 'E' in bits 7-0 (byte 54).
    expect(String.fromCharCode(b[55]!, b[54]!, b[57]!, b[56]!)).toBe('TEST');
    const swap = (first: number, n: number) => {
      let s = '';
      for (let i = first * 2; i < (first + n) * 2; i += 2) s += String.fromCharCode(b[i + 1]!, b[i]!);
      return s;
    };
    expect(swap(27, 20)).toBe('TEST DISK MODEL'.padEnd(40, ' '));
    expect(swap(10, 10)).toBe('SN0001'.padEnd(20, ' '));
    expect(swap(23, 4)).toBe('FW12'.padEnd(8, ' '));
  });

  it('word 255: signature A5h and a checksum making the 512 bytes sum to zero mod 256', () => {
    const { tb } = diskRig();
    const b = pioIn(tb, Cmd.IdentifyDevice, { device: 0xa0 }, 1).data;
    expect(b[510]).toBe(0xa5);
    expect(b.reduce((a, x) => a + x, 0) % 256).toBe(0);
  });

  it('a packet device aborts it and leaves its signature in the registers (ATA-6 8.15)', () => {
    const { tb } = rig({ master: { kind: 'cdrom' } });
    const st = issue(tb, Cmd.IdentifyDevice, { device: 0xa0 });
    expect(st & Status.ERR).toBe(Status.ERR);
    expect(tb.inb(P.error) & ErrorBit.ABRT).toBe(ErrorBit.ABRT);
    expect([tb.inb(P.lbaMid), tb.inb(P.lbaHigh)]).toEqual([0x14, 0xeb]);
  });
});

describe('READ SECTORS (20h)', () => {
  it('LBA28: reads the sectors in order, one DRQ block and one interrupt per sector', () => {
    const { tb, image } = diskRig();
    const irq = tb.irq(14);
    const r = pioIn(tb, Cmd.ReadSectors, lba28(1000, 4), 4);
    expect(firstDifference(r.data, sectors(image, 1000, 4))).toBe(-1);
    expect(r.status).toBe(READY);
    expect(irq.rises).toBe(4);
  });

  it('CHS: (C, H, S) is sector (C x heads + H) x spt + S - 1 of the default geometry', () => {
    const { tb, image } = diskRig();
    // cylinder 2, head 3, sector 5 with 16 heads and 63 sectors per track
    const r = pioIn(tb, Cmd.ReadSectors, { count: 1, lbaLow: 5, lbaMid: 2, lbaHigh: 0, device: 0xa0 | 3 }, 1);
    expect(firstDifference(r.data, sectors(image, (2 * 16 + 3) * 63 + 4, 1))).toBe(-1);
  });

  it('sector count 0 means 256 sectors', () => {
    const { tb, image } = diskRig();
    const r = pioIn(tb, Cmd.ReadSectors, lba28(10, 0), 256);
    expect(firstDifference(r.data, sectors(image, 10, 256))).toBe(-1);
    expect(r.status).toBe(READY);
  });

  it('beyond the last sector: IDNF, with the address of the first sector not found in the task file', () => {
    const { tb, image } = diskRig();
    const r = pioIn(tb, Cmd.ReadSectors, lba28(SECTORS - 2, 4), 4);
    expect(firstDifference(r.data, sectors(image, SECTORS - 2, 2))).toBe(-1);
    expect(r.status & Status.ERR).toBe(Status.ERR);
    expect(r.error).toBe(ErrorBit.IDNF);
    const lba = tb.inb(P.lbaLow) | (tb.inb(P.lbaMid) << 8) | (tb.inb(P.lbaHigh) << 16) | ((tb.inb(P.device) & 15) << 24);
    expect(lba).toBe(SECTORS);
  });

  it('a CHS address outside the geometry (sector 0, head 16 of 16) gets IDNF without data', () => {
    const { tb } = diskRig();
    expect(issue(tb, Cmd.ReadSectors, { count: 1, lbaLow: 0, lbaMid: 0, lbaHigh: 0, device: 0xa0 }) & (Status.ERR | Status.DRQ)).toBe(Status.ERR);
    expect(tb.inb(P.error)).toBe(ErrorBit.IDNF);
  });
});

describe('READ SECTORS EXT (24h)', () => {
  it('takes a 48-bit LBA from the two-deep registers', () => {
    const { tb, image } = diskRig();
    const r = pioIn(tb, Cmd.ReadSectorsExt, lba48(0x1234, 3), 3);
    expect(firstDifference(r.data, sectors(image, 0x1234, 3))).toBe(-1);
  });

  it('reaches sectors above 2^28 that LBA28 cannot address', () => {
    const total = 2 ** 28 + 100;
    const { tb } = rig({ master: { kind: 'disk', image: new SyntheticDisk(total * 512) } });
    const r = pioIn(tb, Cmd.ReadSectorsExt, lba48(2 ** 28 + 7, 2), 2);
    expect(Array.from(r.data.subarray(0, 4))).toEqual([7, 0, 0, 16]);
    expect(Array.from(r.data.subarray(512, 516))).toEqual([8, 0, 0, 16]);
  });

  it('a 16-bit count (HOB 01h, 00h) is 256 sectors; beyond the disk is IDNF', () => {
    const { tb, image } = diskRig();
    const r = pioIn(tb, Cmd.ReadSectorsExt, lba48(5, 0x100), 256);
    expect(firstDifference(r.data, sectors(image, 5, 256))).toBe(-1);
    const bad = pioIn(tb, Cmd.ReadSectorsExt, lba48(SECTORS, 1), 1);
    expect(bad.error).toBe(ErrorBit.IDNF);
  });
});

describe('READ SECTORS EXT (24h): error outputs', () => {
  it('IDNF leaves the 48-bit address of the first sector not found: low bytes with HOB clear, high bytes with HOB set', () => {
    const total = 2 ** 32 + 10;
    const { tb } = rig({ master: { kind: 'disk', image: new SyntheticDisk(total * 512) } });
    const r = pioIn(tb, Cmd.ReadSectorsExt, lba48(total - 1, 3), 3);
    expect(r.error).toBe(ErrorBit.IDNF);
    const low = tb.inb(P.lbaLow) | (tb.inb(P.lbaMid) << 8) | (tb.inb(P.lbaHigh) << 16);
    tb.outb(P.control, 0x80);
    const high = tb.inb(P.lbaLow) | (tb.inb(P.lbaMid) << 8) | (tb.inb(P.lbaHigh) << 16);
    tb.outb(P.control, 0x00);
    expect(high * 2 ** 24 + low).toBe(total);
  });
});

describe('SET MULTIPLE MODE (C6h)', () => {
  it('accepts 0 (disable) and powers of two up to the word 47 maximum, reported in word 59', () => {
    const { tb } = diskRig();
    for (const n of [2, 4, 8, 16]) {
      expect(issue(tb, Cmd.SetMultipleMode, { count: n, device: 0xa0 }) & Status.ERR).toBe(0);
      const w = identify(tb);
      expect(w[59]).toBe(0x100 | n);
    }
    issue(tb, Cmd.SetMultipleMode, { count: 0, device: 0xa0 });
    expect(identify(tb)[59]! & 0x100).toBe(0);
  });

  it('aborts a block size that is not supported (3, 32)', () => {
    const { tb } = diskRig();
    for (const n of [3, 32]) {
      expect(issue(tb, Cmd.SetMultipleMode, { count: n, device: 0xa0 }) & Status.ERR).toBe(Status.ERR);
      expect(tb.inb(P.error)).toBe(ErrorBit.ABRT);
    }
  });
});

describe('READ MULTIPLE (C4h)', () => {
  it('aborts while multiple mode is disabled', () => {
    const { tb } = diskRig();
    expect(issue(tb, Cmd.ReadMultiple, lba28(0, 4)) & Status.ERR).toBe(Status.ERR);
    expect(tb.inb(P.error)).toBe(ErrorBit.ABRT);
  });

  it('moves blocks of the multiple count, the last one partial, with an interrupt per block', () => {
    const { tb, image } = diskRig();
    issue(tb, Cmd.SetMultipleMode, { count: 4, device: 0xa0 });
    tb.inb(P.status);
    const irq = tb.irq(14);
    const data = new Uint8Array(10 * 512);
    issue(tb, Cmd.ReadMultiple, lba28(300, 10));
    let o = 0;
    for (const blockSectors of [4, 4, 2]) {
      const st = waitNotBusy(tb);
      expect(st & Status.DRQ).toBe(Status.DRQ);
      tb.inb(P.status);
      data.set(readData(tb, blockSectors * 512), o);
      o += blockSectors * 512;
    }
    expect(waitNotBusy(tb) & Status.DRQ).toBe(0);
    expect(firstDifference(data, sectors(image, 300, 10))).toBe(-1);
    expect(irq.rises).toBe(3);
  });
});

describe('READ MULTIPLE EXT (29h)', () => {
  it('reads with a 48-bit address in multiple-count blocks', () => {
    const { tb, image } = diskRig();
    issue(tb, Cmd.SetMultipleMode, { count: 8, device: 0xa0 });
    const r = pioIn(tb, Cmd.ReadMultipleExt, lba48(700, 16), 2, 8 * 512);
    expect(firstDifference(r.data, sectors(image, 700, 16))).toBe(-1);
    expect(r.status).toBe(READY);
  });
});

describe('WRITE SECTORS (30h)', () => {
  it('DRQ for the first sector without an interrupt, an interrupt after each sector; the data land at LBA x 512', () => {
    const { tb, image } = diskRig(new MemoryImage(SECTORS * 512));
    const irq = tb.irq(14);
    const data = new Uint8Array(3 * 512).map((_, i) => (i * 13 + 1) & 0xff);
    const st = issue(tb, Cmd.WriteSectors, lba28(2000, 3));
    expect(st & Status.DRQ).toBe(Status.DRQ);
    expect(irq.rises).toBe(0);
    for (let s = 0; s < 3; s++) {
      for (let i = 0; i < 512; i += 2) tb.outw(P.data, data[s * 512 + i]! | (data[s * 512 + i + 1]! << 8));
      waitNotBusy(tb);
      expect(irq.rises).toBe(s + 1);
      tb.inb(P.status);
    }
    expect(tb.inb(P.status)).toBe(READY);
    expect(sectors(image, 2000, 3)).toEqual(data);
    expect(image.bytes[1999 * 512 + 511]).toBe(0);
    expect(image.bytes[2003 * 512]).toBe(0);
  });

  it('CHS addressing writes where (C x heads + H) x spt + S - 1 says', () => {
    const { tb, image } = diskRig(new MemoryImage(SECTORS * 512));
    const data = new Uint8Array(512).fill(0x5a);
    const r = pioOut(tb, Cmd.WriteSectors, { count: 1, lbaLow: 63, lbaMid: 1, lbaHigh: 0, device: 0xa0 | 15 }, data);
    expect(r.status).toBe(READY);
    expect(sectors(image, (1 * 16 + 15) * 63 + 62, 1)).toEqual(data);
  });

  it('a read-only image aborts the command before any data phase', () => {
    const image = new MemoryImage(SECTORS * 512, { readOnly: true });
    const { tb } = diskRig(image);
    const st = issue(tb, Cmd.WriteSectors, lba28(0, 1));
    expect(st & (Status.ERR | Status.DRQ)).toBe(Status.ERR);
    expect(tb.inb(P.error)).toBe(ErrorBit.ABRT);
  });

  it('beyond the disk: IDNF', () => {
    const { tb } = diskRig(new MemoryImage(SECTORS * 512));
    const st = issue(tb, Cmd.WriteSectors, lba28(SECTORS, 1));
    expect(st & Status.ERR).toBe(Status.ERR);
    expect(tb.inb(P.error)).toBe(ErrorBit.IDNF);
  });

  it('with the write cache disabled (SET FEATURES 82h) every block is flushed to the backend', () => {
    const image = new SyntheticDisk(SECTORS * 512);
    const { tb } = rig({ master: { kind: 'disk', image } });
    issue(tb, Cmd.SetFeatures, { features: 0x82, device: 0xa0 });
    pioOut(tb, Cmd.WriteSectors, lba28(1, 2), new Uint8Array(1024));
    expect(image.flushes).toBe(2);
  });
});

describe('WRITE SECTORS EXT (34h)', () => {
  it('writes at a 48-bit address', () => {
    const total = 2 ** 28 + 100;
    const image = new SyntheticDisk(total * 512);
    const { tb } = rig({ master: { kind: 'disk', image } });
    const r = pioOut(tb, Cmd.WriteSectorsExt, lba48(2 ** 28 + 50, 2), new Uint8Array(1024).fill(7));
    expect(r.status).toBe(READY);
    expect(image.writes.map((w) => w.offset)).toEqual([(2 ** 28 + 50) * 512, (2 ** 28 + 51) * 512]);
  });
});

describe('WRITE MULTIPLE (C5h) and WRITE MULTIPLE EXT (39h)', () => {
  it('take blocks of the multiple count', () => {
    for (const [cmd, tf] of [
      [Cmd.WriteMultiple, lba28(64, 6)],
      [Cmd.WriteMultipleExt, lba48(64, 6)],
    ] as const) {
      const { tb, image } = diskRig(new MemoryImage(SECTORS * 512));
      issue(tb, Cmd.SetMultipleMode, { count: 4, device: 0xa0 });
      const data = new Uint8Array(6 * 512).map((_, i) => i & 0xff);
      const st = issue(tb, cmd, tf);
      expect(st & Status.DRQ).toBe(Status.DRQ);
      for (const n of [4, 2]) {
        expect(waitNotBusy(tb) & Status.DRQ).toBe(Status.DRQ);
        const o = n === 4 ? 0 : 4 * 512;
        for (let i = 0; i < n * 512; i += 2) tb.outw(P.data, data[o + i]! | (data[o + i + 1]! << 8));
        waitNotBusy(tb);
        tb.inb(P.status);
      }
      expect(tb.inb(P.status)).toBe(READY);
      expect(sectors(image, 64, 6)).toEqual(data);
    }
  });

  it('WRITE MULTIPLE aborts while multiple mode is disabled', () => {
    const { tb } = diskRig(new MemoryImage(SECTORS * 512));
    expect(issue(tb, Cmd.WriteMultiple, lba28(0, 1)) & Status.ERR).toBe(Status.ERR);
    expect(tb.inb(P.error)).toBe(ErrorBit.ABRT);
  });
});

describe('READ VERIFY SECTORS (40h) and READ VERIFY SECTORS EXT (42h)', () => {
  it('complete with an interrupt and no data phase', () => {
    const { tb } = diskRig();
    const irq = tb.irq(14);
    expect(issue(tb, Cmd.ReadVerifySectors, lba28(100, 50))).toBe(READY);
    expect(irq.level).toBe(true);
    tb.inb(P.status);
    expect(issue(tb, Cmd.ReadVerifySectorsExt, lba48(100, 50))).toBe(READY);
  });

  it('a range beyond the disk gets IDNF with the first missing sector in the task file', () => {
    const { tb } = diskRig();
    issue(tb, Cmd.ReadVerifySectors, lba28(SECTORS - 10, 20));
    expect(tb.inb(P.error)).toBe(ErrorBit.IDNF);
    const lba = tb.inb(P.lbaLow) | (tb.inb(P.lbaMid) << 8) | (tb.inb(P.lbaHigh) << 16);
    expect(lba).toBe(SECTORS);
  });
});

describe('SEEK (70h)', () => {
  it('completes with DSC for an existing address and IDNF beyond the disk', () => {
    const { tb } = diskRig();
    expect(issue(tb, Cmd.Seek, lba28(5000, 0))).toBe(READY);
    expect(issue(tb, Cmd.Seek, lba28(SECTORS + 1, 0)) & Status.ERR).toBe(Status.ERR);
    expect(tb.inb(P.error)).toBe(ErrorBit.IDNF);
  });
});

describe('INITIALIZE DEVICE PARAMETERS (91h)', () => {
  it('sets sectors per track (Sector Count) and heads (Device bits 3-0 + 1): words 54-58 and CHS addressing follow', () => {
    const { tb, image } = diskRig();
    expect(issue(tb, Cmd.InitializeDeviceParameters, { count: 32, device: 0xa0 | 7 })).toBe(READY);
    const w = identify(tb);
    expect([w[54], w[55], w[56]]).toEqual([Math.floor(SECTORS / (8 * 32)), 8, 32]);
    const r = pioIn(tb, Cmd.ReadSectors, { count: 1, lbaLow: 32, lbaMid: 3, lbaHigh: 0, device: 0xa0 | 7 }, 1);
    expect(firstDifference(r.data, sectors(image, (3 * 8 + 7) * 32 + 31, 1))).toBe(-1);
    // head 7 was valid; sector 33 is now beyond the track
    expect(issue(tb, Cmd.ReadSectors, { count: 1, lbaLow: 33, lbaMid: 0, lbaHigh: 0, device: 0xa0 }) & Status.ERR).toBe(Status.ERR);
  });

  it('aborts zero sectors per track', () => {
    const { tb } = diskRig();
    expect(issue(tb, Cmd.InitializeDeviceParameters, { count: 0, device: 0xa0 }) & Status.ERR).toBe(Status.ERR);
    expect(tb.inb(P.error)).toBe(ErrorBit.ABRT);
  });
});

describe('FLUSH CACHE (E7h) and FLUSH CACHE EXT (EAh)', () => {
  it('flush the backend and complete with an interrupt', () => {
    const image = new SyntheticDisk(SECTORS * 512);
    const { tb } = rig({ master: { kind: 'disk', image } });
    const irq = tb.irq(14);
    expect(issue(tb, Cmd.FlushCache, { device: 0xa0 })).toBe(READY);
    expect(irq.level).toBe(true);
    tb.inb(P.status);
    expect(issue(tb, Cmd.FlushCacheExt, { device: 0xa0 })).toBe(READY);
    expect(image.flushes).toBe(2);
  });
});

describe('SET FEATURES (EFh)', () => {
  it('02h/82h enable/disable the write cache (word 85 bit 5); AAh/55h read look-ahead (word 85 bit 6)', () => {
    const { tb } = diskRig();
    expect(identify(tb)[85]! & 0x60).toBe(0x60);
    issue(tb, Cmd.SetFeatures, { features: 0x82, device: 0xa0 });
    issue(tb, Cmd.SetFeatures, { features: 0x55, device: 0xa0 });
    expect(identify(tb)[85]! & 0x60).toBe(0);
    issue(tb, Cmd.SetFeatures, { features: 0x02, device: 0xa0 });
    expect(identify(tb)[85]! & 0x60).toBe(0x20);
  });

  it('03h sets a PIO mode (08h + n) and aborts DMA modes this device does not have', () => {
    const { tb } = diskRig();
    expect(issue(tb, Cmd.SetFeatures, { features: 0x03, count: 0x0c, device: 0xa0 })).toBe(READY);
    expect(issue(tb, Cmd.SetFeatures, { features: 0x03, count: 0x45, device: 0xa0 }) & Status.ERR).toBe(Status.ERR);
    expect(tb.inb(P.error)).toBe(ErrorBit.ABRT);
  });

  it('CCh: a software reset then reverts to power-on defaults (multiple mode off); 66h (the default here) keeps the settings', () => {
    const { tb } = diskRig();
    const srst = () => {
      tb.outb(P.control, 0x04);
      tb.outb(P.control, 0x00);
      waitNotBusy(tb);
    };
    issue(tb, Cmd.SetMultipleMode, { count: 8, device: 0xa0 });
    srst();
    expect(identify(tb)[59]).toBe(0x108);
    issue(tb, Cmd.SetFeatures, { features: 0xcc, device: 0xa0 });
    srst();
    expect(identify(tb)[59]! & 0x100).toBe(0);
    issue(tb, Cmd.SetFeatures, { features: 0x66, device: 0xa0 });
    issue(tb, Cmd.SetMultipleMode, { count: 4, device: 0xa0 });
    srst();
    expect(identify(tb)[59]).toBe(0x104);
  });

  it('aborts an unknown subcommand', () => {
    const { tb } = diskRig();
    expect(issue(tb, Cmd.SetFeatures, { features: 0x99, device: 0xa0 }) & Status.ERR).toBe(Status.ERR);
    expect(tb.inb(P.error)).toBe(ErrorBit.ABRT);
  });
});

describe('EXECUTE DEVICE DIAGNOSTIC (90h)', () => {
  it('posts the signature and code 01h on both devices; device 0 interrupts, even when the absent device 1 is selected', () => {
    const { tb } = diskRig();
    const irq = tb.irq(14);
    tb.outb(P.lbaMid, 0x77);
    tb.outb(P.device, 0xb0);
    tb.outb(P.command, Cmd.ExecuteDeviceDiagnostic);
    // Status reads 00h while the absent device 1 is selected, so wait on the clock rather than BSY.
    tb.advance(1_000_000);
    expect(irq.level).toBe(true);
    expect(tb.inb(P.error)).toBe(0x01);
    expect([tb.inb(P.count), tb.inb(P.lbaLow), tb.inb(P.lbaMid), tb.inb(P.lbaHigh), tb.inb(P.device)]).toEqual([1, 1, 0, 0, 0]);
    expect(tb.inb(P.status)).toBe(READY);
  });
});

describe('CHECK POWER MODE (E5h), IDLE (E3h), IDLE IMMEDIATE (E1h), STANDBY (E2h), STANDBY IMMEDIATE (E0h)', () => {
  const mode = (tb: ReturnType<typeof rig>['tb']) => {
    issue(tb, Cmd.CheckPowerMode, { device: 0xa0 });
    return tb.inb(P.count);
  };

  it('report FFh when active, 80h after IDLE IMMEDIATE, 00h after STANDBY IMMEDIATE; media access makes it active', () => {
    const { tb } = diskRig();
    expect(mode(tb)).toBe(0xff);
    issue(tb, Cmd.IdleImmediate, { device: 0xa0 });
    expect(mode(tb)).toBe(0x80);
    issue(tb, Cmd.StandbyImmediate, { device: 0xa0 });
    expect(mode(tb)).toBe(0x00);
    pioIn(tb, Cmd.ReadSectors, lba28(0, 1), 1);
    expect(mode(tb)).toBe(0xff);
  });

  it('STANDBY enters standby; IDLE with a timer value of 1 enters standby after 5 s without commands', () => {
    const { tb } = diskRig();
    issue(tb, Cmd.Standby, { count: 0, device: 0xa0 });
    expect(mode(tb)).toBe(0x00);
    issue(tb, Cmd.Idle, { count: 1, device: 0xa0 });
    expect(mode(tb)).toBe(0x80);
    tb.advance(4_000_000_000);
    expect(mode(tb)).toBe(0x80);
    tb.advance(5_100_000_000);
    expect(mode(tb)).toBe(0x00);
  });
});

describe('SLEEP (E6h)', () => {
  it('ignores commands until a software reset, after which the device is in standby', () => {
    const { tb } = diskRig();
    expect(issue(tb, Cmd.Sleep, { device: 0xa0 })).toBe(READY);
    tb.inb(P.status);
    const irq = tb.irq(14);
    tb.outb(P.command, Cmd.CheckPowerMode);
    tb.advance(1_000_000);
    expect(irq.rises).toBe(0);
    tb.outb(P.control, 0x04);
    tb.outb(P.control, 0x00);
    waitNotBusy(tb);
    issue(tb, Cmd.CheckPowerMode, { device: 0xa0 });
    expect(tb.inb(P.count)).toBe(0x00);
  });
});

describe('RECALIBRATE (10h)', () => {
  it('completes', () => {
    expect(issue(diskRig().tb, Cmd.Recalibrate, { device: 0xa0 })).toBe(READY);
  });
});

describe('unknown and packet-only commands', () => {
  it('abort with ABRT and an interrupt (NOP 00h, FFh, PACKET on a hard disk)', () => {
    const { tb } = diskRig();
    const irq = tb.irq(14);
    for (const c of [0x00, 0xff, Cmd.Packet, Cmd.IdentifyPacketDevice, Cmd.DeviceReset]) {
      const st = issue(tb, c, { device: 0xa0 });
      expect(st & (Status.ERR | Status.DRDY)).toBe(Status.ERR | Status.DRDY);
      expect(tb.inb(P.error)).toBe(ErrorBit.ABRT);
      expect(irq.level).toBe(true);
      tb.inb(P.status);
    }
  });

  it('a command written while BSY is ignored', () => {
    const { tb, image } = diskRig();
    tb.outb(P.device, 0xe0);
    tb.outb(P.count, 1);
    tb.outb(P.lbaLow, 9);
    tb.outb(P.lbaMid, 0);
    tb.outb(P.lbaHigh, 0);
    tb.outb(P.command, Cmd.ReadSectors);
    tb.outb(P.command, Cmd.FlushCache);
    waitNotBusy(tb);
    expect(firstDifference(readData(tb, 512), sectors(image, 9, 1))).toBe(-1);
  });
});
