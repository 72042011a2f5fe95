// The 82077AA's commands, one describe each, driven through the ports as the datasheet describes
// them (Intel 290166: command, execution and result phases; ST0-ST3 bit definitions).
import { ImageSizeError, MemoryImage } from '@backplane/block';
import { describe, expect, it } from 'vitest';
import {
  CB,
  CCR,
  DIO,
  DOR,
  FIFO,
  MSR,
  NDMA,
  RQM,
  dmaRead,
  dmaWrite,
  offset144,
  ready,
  recalibrate,
  result,
  rig,
  rwCommand,
  seekTo,
  send,
  senseInterrupt,
  resetController,
  specify,
  step,
  waitIrq,
  waitRqm,
} from '../test/helpers';
import { FdcError } from './Fdc';

const REV = 200_000_000; // 300 rpm

function sectorBytes(image: MemoryImage, c: number, h: number, r: number, count = 1): number[] {
  const o = offset144(c, h, r);
  return [...image.bytes.subarray(o, o + count * 512)];
}

describe('SPECIFY (0x03): step rate, head unload, head load, non-DMA', () => {
  it('sets SRT, HUT, HLT and ND, has no result phase, and DUMPREG shows them', () => {
    const { bench } = ready();
    send(bench, 0x03, 0xd5, 0x21);
    expect(bench.inb(MSR)).toBe(RQM); // straight back to the command phase
    send(bench, 0x0e);
    const r = result(bench);
    expect(r[4]).toBe(0xd5);
    expect(r[5]).toBe(0x21);
  });

  it('makes each step take (16 - SRT) ms at 500 kbps', () => {
    const { bench } = ready();
    send(bench, 0x03, 0xcf, 0x02); // SRT = 0xC: 4 ms per step
    const t0 = bench.clock.now;
    send(bench, 0x0f, 0x00, 10);
    waitIrq(bench);
    expect(bench.clock.now - t0).toBe(40_000_000);
  });
});

describe('SENSE DRIVE STATUS (0x04): ST3', () => {
  it('reports track 0, head, drive, and 1s in bits 5 and 3', () => {
    const { bench } = ready();
    send(bench, 0x04, 0x04);
    expect(result(bench)).toEqual([0x28 | 0x10 | 0x04]);
    seekTo(bench, 5);
    send(bench, 0x04, 0x00);
    expect(result(bench)).toEqual([0x28]);
  });

  it('reports write protection of the medium', () => {
    const { bench } = ready({ readOnly: true });
    send(bench, 0x04, 0x00);
    expect(result(bench)).toEqual([0x28 | 0x40 | 0x10]);
  });

  it('has no interrupt and no execution phase', () => {
    const { bench } = ready();
    const irq = bench.irq(6);
    irq.clear();
    send(bench, 0x04, 0x01);
    expect(bench.inb(MSR)).toBe(RQM | DIO | CB);
    result(bench);
    expect(irq.rises).toBe(0);
  });
});

describe('SENSE INTERRUPT STATUS (0x08)', () => {
  it('after a reset reports "ready changed" (ST0 = 0xC0 | drive, PCN) for the four drives, then is invalid', () => {
    const { bench } = rig();
    bench.outb(DOR, 0x00);
    expect(bench.inb(MSR) & RQM).toBe(0); // held in reset
    bench.outb(DOR, 0x0c);
    waitIrq(bench);
    expect(senseInterrupt(bench)).toEqual([0xc0, 0]);
    expect(bench.irq(6).level).toBe(false);
    expect(senseInterrupt(bench)).toEqual([0xc1, 0]);
    expect(senseInterrupt(bench)).toEqual([0xc2, 0]);
    expect(senseInterrupt(bench)).toEqual([0xc3, 0]);
    expect(senseInterrupt(bench)).toEqual([0x80]);
  });

  it('with no interrupt pending answers with the invalid-command status 0x80', () => {
    const { bench } = ready();
    expect(senseInterrupt(bench)).toEqual([0x80]);
  });

  it('reports each drive of overlapped seeks once, and clears the interrupt', () => {
    const { bench, fdc } = ready();
    fdc.insert(1, new MemoryImage(1474560));
    send(bench, 0x0f, 0x00, 3);
    send(bench, 0x0f, 0x05, 7); // drive 1, head 1
    expect(bench.inb(MSR) & 0x03).toBe(0x03); // both drives busy
    waitIrq(bench);
    while (bench.inb(MSR) & 0x03) step(bench);
    const a = senseInterrupt(bench);
    const b = senseInterrupt(bench);
    expect([a, b]).toEqual([
      [0x20, 3],
      [0x24 | 1, 7],
    ]);
    expect(bench.irq(6).level).toBe(false);
    expect(senseInterrupt(bench)).toEqual([0x80]);
  });
});

describe('RECALIBRATE (0x07)', () => {
  it('steps the head to track 0: seek end, PCN 0', () => {
    const { bench } = ready();
    expect(seekTo(bench, 40)).toEqual([0x20, 40]);
    expect(recalibrate(bench)).toEqual([0x20, 0]);
    send(bench, 0x04, 0x00);
    expect(result(bench)[0]! & 0x10).toBe(0x10);
  });

  it('gives up after 79 steps without track 0: abnormal, seek end, equipment check', () => {
    const { bench } = ready();
    seekTo(bench, 83);
    expect(recalibrate(bench)).toEqual([0x70, 0]);
    expect(recalibrate(bench)).toEqual([0x20, 0]); // the second one gets there
  });

  it('fails the same way on a drive that is not there', () => {
    const { bench } = ready();
    expect(recalibrate(bench, 3)).toEqual([0x73, 0]);
  });
});

describe('SEEK (0x0F)', () => {
  it('moves to NCN and reports seek end with head and drive in ST0', () => {
    const { bench } = ready();
    expect(seekTo(bench, 79, 0, 1)).toEqual([0x24, 79]);
  });

  it('runs in the background: the command phase is free and the drive busy bit is set until the end', () => {
    const { bench } = ready();
    send(bench, 0x0f, 0x00, 20);
    expect(bench.inb(MSR)).toBe(RQM | 0x01);
    waitIrq(bench);
    expect(bench.inb(MSR)).toBe(RQM);
  });

  it('interrupts even when already on the cylinder', () => {
    const { bench } = ready();
    expect(seekTo(bench, 0)).toEqual([0x20, 0]);
  });
});

describe('RELATIVE SEEK (0x8F out, 0xCF in)', () => {
  it('steps RCN cylinders in or out from the present cylinder', () => {
    const { bench } = ready();
    seekTo(bench, 10);
    send(bench, 0xcf, 0x00, 5);
    waitIrq(bench);
    expect(senseInterrupt(bench)).toEqual([0x20, 15]);
    send(bench, 0x8f, 0x04, 12);
    waitIrq(bench);
    expect(senseInterrupt(bench)).toEqual([0x24, 3]);
  });
});

describe('READ DATA (0x06; MT 0x80, MFM 0x40, SK 0x20)', () => {
  it('reads one sector by DMA; terminal count ends it normally with R + 1', () => {
    const { bench, image } = ready();
    seekTo(bench, 2);
    const r = dmaRead(bench, { c: 2, r: 5, sectors: 1 });
    expect(r).toEqual([0x00, 0x00, 0x00, 2, 0, 6, 2]);
    expect([...bench.memory.ram.subarray(0x10000, 0x10200)]).toEqual(sectorBytes(image, 2, 0, 5));
  });

  it('reads up to EOT; TC with the last sector gives sector 1 of the next cylinder (MT = 0)', () => {
    const { bench, image } = ready();
    seekTo(bench, 1);
    const r = dmaRead(bench, { c: 1, head: 1, r: 15, sectors: 4 });
    expect(r).toEqual([0x04, 0x00, 0x00, 2, 1, 1, 2]);
    expect([...bench.memory.ram.subarray(0x10000, 0x10000 + 2048)]).toEqual(sectorBytes(image, 1, 1, 15, 4));
  });

  it('with MT continues from the last sector of side 0 to sector 1 of side 1', () => {
    const { bench, image } = ready();
    const r = dmaRead(bench, { c: 0, r: 17, mt: true, sectors: 4 });
    // Sectors 17, 18 of head 0 then 1, 2 of head 1: the result names the next one, head 1 sector 3.
    expect(r).toEqual([0x04, 0x00, 0x00, 0, 1, 3, 2]);
    expect([...bench.memory.ram.subarray(0x10000, 0x10000 + 2048)]).toEqual(sectorBytes(image, 0, 0, 17, 4));
  });

  it('with MT, ending at EOT of side 1 gives the next cylinder, head 0, sector 1', () => {
    const { bench } = ready();
    expect(dmaRead(bench, { c: 0, r: 18, mt: true, sectors: 19 })).toEqual([0x04, 0x00, 0x00, 1, 0, 1, 2]);
  });

  it('with MT, ending at EOT of side 0 gives head 1, sector 1 on the same cylinder', () => {
    const { bench } = ready();
    expect(dmaRead(bench, { c: 0, r: 16, mt: true, sectors: 3 })).toEqual([0x00, 0x00, 0x00, 0, 1, 1, 2]);
  });

  it('past EOT without terminal count ends abnormally with end of cylinder (ST1 EN)', () => {
    const { bench } = ready();
    const r = dmaRead(bench, { c: 0, r: 17, sectors: 4 }); // the block is longer than the two sectors to EOT
    expect(r).toEqual([0x40, 0x80, 0x00, 1, 0, 1, 2]);
  });

  it('takes rotation into account: the first sector arrives within a revolution and the next follow a sector time apart', () => {
    const { bench } = ready();
    const t0 = bench.clock.now;
    dmaRead(bench, { c: 0, r: 1, sectors: 18 });
    const took = bench.clock.now - t0;
    expect(took).toBeGreaterThanOrEqual(18 * Math.floor(REV / 18)); // a whole track is a revolution
    expect(took).toBeLessThanOrEqual(2 * REV);
  });

  it('a sector that is not on the track: no data (ST1 ND) after two revolutions', () => {
    const { bench } = ready();
    const t0 = bench.clock.now;
    const r = dmaRead(bench, { c: 0, r: 19, eot: 19, sectors: 1 });
    expect(r).toEqual([0x40, 0x04, 0x00, 0, 0, 19, 2]);
    expect(bench.clock.now - t0).toBe(2 * REV);
  });

  it('an ID whose cylinder is not the one under the head: no data and wrong cylinder (ST2 WC)', () => {
    const { bench } = ready();
    expect(dmaRead(bench, { c: 4, r: 1, sectors: 1 })).toEqual([0x40, 0x04, 0x10, 4, 0, 1, 2]);
    expect(dmaRead(bench, { c: 0xff, r: 1, sectors: 1 })).toEqual([0x40, 0x04, 0x02, 0xff, 0, 1, 2]); // bad cylinder
  });

  it('a sector size other than the medium\'s (N != 2) is not found', () => {
    const { bench } = ready();
    expect(dmaRead(bench, { c: 0, r: 1, n: 3, sectors: 1 })).toEqual([0x40, 0x04, 0x00, 0, 0, 1, 3]);
  });

  it('with implied seek (CONFIGURE EIS) seeks to C first and reports seek end', () => {
    const { bench, image } = ready();
    send(bench, 0x13, 0x00, 0x40 | 0x20, 0x00);
    const r = dmaRead(bench, { c: 9, head: 1, r: 3, sectors: 1 });
    expect(r).toEqual([0x24, 0x00, 0x00, 9, 1, 4, 2]);
    expect([...bench.memory.ram.subarray(0x10000, 0x10200)]).toEqual(sectorBytes(image, 9, 1, 3));
  });

  it('with no medium: missing address mark (ST1 MA)', () => {
    const { bench, fdc } = ready();
    fdc.eject(0);
    expect(dmaRead(bench, { c: 0, r: 1, sectors: 1 })).toEqual([0x40, 0x01, 0x00, 0, 0, 1, 2]);
  });

  it('with the motor off, or at a data rate the medium was not written at: missing address mark', () => {
    const { bench } = ready();
    bench.outb(DOR, 0x0c); // motor 0 off
    expect(dmaRead(bench, { c: 0, r: 1, sectors: 1 })).toEqual([0x40, 0x01, 0x00, 0, 0, 1, 2]);
    bench.outb(DOR, 0x1c);
    bench.outb(CCR, 0x02); // 250 kbps for a 500 kbps medium
    expect(dmaRead(bench, { c: 0, r: 1, sectors: 1 })).toEqual([0x40, 0x01, 0x00, 0, 0, 1, 2]);
  });

  it('in non-DMA mode moves the bytes through the FIFO with an interrupt per byte and NON-DMA in MSR', () => {
    const { bench, image } = ready({ nonDma: true });
    const irq = bench.irq(6);
    send(bench, ...rwCommand(0x06, { c: 0, r: 18 }));
    waitIrq(bench);
    expect(bench.inb(MSR)).toBe(RQM | DIO | NDMA | CB);
    irq.clear();
    const got: number[] = [];
    for (let i = 0; i < 512; i++) {
      expect(bench.inb(MSR) & (RQM | DIO | NDMA)).toBe(RQM | DIO | NDMA);
      got.push(bench.inb(FIFO));
    }
    expect(got).toEqual(sectorBytes(image, 0, 0, 18));
    expect(irq.rises).toBe(511 + 1); // one per byte after the first, and the result phase
    // No terminal count in non-DMA mode: reading EOT ends with end of cylinder.
    expect(result(bench)).toEqual([0x40, 0x80, 0x00, 1, 0, 1, 2]);
  });

  it('waits with DRQ gated off while DOR\'s DMA gate is closed, and goes on once it opens', () => {
    const { bench, image } = ready();
    bench.outb(DOR, 0x14); // motor on, gate closed
    bench.dma.program(2, { address: 0x10000, length: 512, direction: 'write' });
    send(bench, ...rwCommand(0x06, { c: 0, r: 1 }));
    bench.advance(REV * 2);
    expect(bench.inb(MSR)).toBe(CB); // execution phase, waiting
    bench.outb(DOR, 0x1c);
    waitIrq(bench);
    expect(result(bench)[0]).toBe(0);
    expect([...bench.memory.ram.subarray(0x10000, 0x10200)]).toEqual(sectorBytes(image, 0, 0, 1));
  });
});

describe('READ DELETED DATA (0x0C)', () => {
  it('on a sector with a normal data mark and SK = 0: reads it, sets CM (ST2), stops after it', () => {
    const { bench, image } = ready();
    const r = dmaRead(bench, { opcode: 0x0c, c: 0, r: 1, sectors: 3 });
    expect(r).toEqual([0x00, 0x00, 0x40, 0, 0, 2, 2]);
    expect([...bench.memory.ram.subarray(0x10000, 0x10200)]).toEqual(sectorBytes(image, 0, 0, 1));
  });

  it('reads sectors written by WRITE DELETED DATA, and skips normal ones with SK = 1', () => {
    const { bench } = ready();
    const data = new Uint8Array(512).fill(0xd1);
    expect(dmaWrite(bench, data, { opcode: 0x09, c: 0, r: 3 })).toEqual([0, 0, 0, 0, 0, 4, 2]);
    // Skip sectors 1 and 2 (normal), read 3 (deleted); TC there.
    const r = dmaRead(bench, { opcode: 0x0c, c: 0, r: 1, sk: true, sectors: 1 });
    expect(r).toEqual([0x00, 0x00, 0x00, 0, 0, 4, 2]);
    expect([...bench.memory.ram.subarray(0x10000, 0x10200)]).toEqual([...data]);
  });
});

describe('READ DATA and deleted data marks', () => {
  it('skips a deleted sector with SK = 1, and reads it with CM and stops with SK = 0', () => {
    const { bench, image } = ready();
    dmaWrite(bench, new Uint8Array(512).fill(0xee), { opcode: 0x09, c: 0, r: 2 });
    const skip = dmaRead(bench, { c: 0, r: 1, sk: true, sectors: 2 });
    expect(skip).toEqual([0x00, 0x00, 0x00, 0, 0, 4, 2]);
    expect([...bench.memory.ram.subarray(0x10200, 0x10400)]).toEqual(sectorBytes(image, 0, 0, 3));
    const stop = dmaRead(bench, { c: 0, r: 1, sectors: 3 });
    expect(stop).toEqual([0x00, 0x00, 0x40, 0, 0, 3, 2]);
  });
});

describe('WRITE DATA (0x05; MT 0x80, MFM 0x40)', () => {
  it('writes the DMA block to the sectors and reports R + 1 after TC', () => {
    const { bench, image } = ready();
    seekTo(bench, 30);
    const data = new Uint8Array(1024).map((_, i) => (i * 5) & 0xff);
    expect(dmaWrite(bench, data, { c: 30, head: 1, r: 7 })).toEqual([0x04, 0, 0, 30, 1, 9, 2]);
    expect(sectorBytes(image, 30, 1, 7, 2)).toEqual([...data]);
    expect(sectorBytes(image, 30, 1, 9)).toEqual([...patternedSector(30, 1, 9)]);
  });

  it('zero-fills the rest of a sector when terminal count comes in its middle', () => {
    const { bench, image } = ready();
    const data = new Uint8Array(100).fill(0x77);
    expect(dmaWrite(bench, data, { c: 0, r: 1 })).toEqual([0, 0, 0, 0, 0, 2, 2]);
    expect(sectorBytes(image, 0, 0, 1)).toEqual([...new Uint8Array(512).fill(0x77).fill(0, 100)]);
  });

  it('refuses a write-protected medium: not writable (ST1 NW), nothing written', () => {
    const { bench, image } = ready({ readOnly: true });
    const before = image.bytes.slice(0, 512);
    expect(dmaWrite(bench, new Uint8Array(512).fill(1), { c: 0, r: 1 })).toEqual([0x40, 0x02, 0x00, 0, 0, 1, 2]);
    expect(image.bytes.subarray(0, 512)).toEqual(before);
  });

  it('in non-DMA mode takes the bytes through the FIFO (RQM, DIO = 0, NON-DMA)', () => {
    const { bench, image } = ready({ nonDma: true });
    send(bench, ...rwCommand(0x05, { c: 0, r: 18 }));
    waitIrq(bench);
    for (let i = 0; i < 512; i++) {
      expect(bench.inb(MSR) & (RQM | DIO | NDMA)).toBe(RQM | NDMA);
      bench.outb(FIFO, 0xff - (i & 0xff));
    }
    expect(result(bench)).toEqual([0x40, 0x80, 0x00, 1, 0, 1, 2]);
    expect(sectorBytes(image, 0, 0, 18)).toEqual(Array.from({ length: 512 }, (_, i) => 0xff - (i & 0xff)));
  });
});

describe('WRITE DELETED DATA (0x09)', () => {
  it('writes the data with a deleted mark that READ DATA then reports with CM', () => {
    const { bench, image } = ready();
    const data = new Uint8Array(512).fill(0x42);
    expect(dmaWrite(bench, data, { opcode: 0x09, c: 0, r: 5 })).toEqual([0, 0, 0, 0, 0, 6, 2]);
    expect(sectorBytes(image, 0, 0, 5)).toEqual([...data]);
    expect(dmaRead(bench, { c: 0, r: 5, sectors: 1 })).toEqual([0x00, 0x00, 0x40, 0, 0, 6, 2]);
    // WRITE DATA puts a normal mark back.
    dmaWrite(bench, data, { c: 0, r: 5 });
    expect(dmaRead(bench, { c: 0, r: 5, sectors: 1 })).toEqual([0, 0, 0, 0, 0, 6, 2]);
  });
});

describe('READ TRACK (0x02)', () => {
  it('reads from the index on, EOT sectors, whatever R says, and flags IDs that do not match (ST1 ND)', () => {
    const { bench, image } = ready();
    seekTo(bench, 3);
    // R = 5 does not match sector 1; the controller reads on.
    const r = dmaRead(bench, { opcode: 0x02, c: 3, r: 5, eot: 3, sectors: 4 });
    expect(r[0]! & 0xc0).toBe(0x40);
    expect(r[1]).toBe(0x80 | 0x04);
    expect([...bench.memory.ram.subarray(0x10000, 0x10000 + 1536)]).toEqual(sectorBytes(image, 3, 0, 1, 3));
  });

  it('ends normally when TC comes with the last byte wanted', () => {
    const { bench, image } = ready();
    const r = dmaRead(bench, { opcode: 0x02, c: 0, head: 1, r: 1, eot: 18, sectors: 2 });
    expect(r).toEqual([0x04, 0x00, 0x00, 0, 1, 3, 2]);
    expect([...bench.memory.ram.subarray(0x10000, 0x10400)]).toEqual(sectorBytes(image, 0, 1, 1, 2));
  });
});

describe('READ ID (0x0A)', () => {
  it('returns the first ID field under the head: present cylinder, head, a sector of the track, N = 2', () => {
    const { bench } = ready();
    seekTo(bench, 12);
    send(bench, 0x4a, 0x04);
    waitIrq(bench);
    const r = result(bench);
    expect(r.slice(0, 5)).toEqual([0x04, 0, 0, 12, 1]);
    expect(r[5]).toBeGreaterThanOrEqual(1);
    expect(r[5]).toBeLessThanOrEqual(18);
    expect(r[6]).toBe(2);
  });

  it('with no medium: missing address mark', () => {
    const { bench, fdc } = ready();
    fdc.eject(0);
    send(bench, 0x4a, 0x00);
    waitIrq(bench);
    expect(result(bench).slice(0, 3)).toEqual([0x40, 0x01, 0x00]);
  });

  it('on the second side of a single-sided medium: missing address mark', () => {
    const { bench, fdc } = ready();
    fdc.insert(0, new MemoryImage(184320)); // 180K: one side
    bench.outb(CCR, 0x02);
    send(bench, 0x4a, 0x04);
    waitIrq(bench);
    expect(result(bench).slice(0, 3)).toEqual([0x44, 0x01, 0x00]);
    send(bench, 0x4a, 0x00);
    waitIrq(bench);
    expect(result(bench).slice(0, 3)).toEqual([0x00, 0x00, 0x00]);
  });
});

describe('FORMAT TRACK (0x0D)', () => {
  it('takes C, H, R, N per sector by DMA and fills each data field with D', () => {
    const { bench, image } = ready();
    seekTo(bench, 20);
    const ids = new Uint8Array(18 * 4);
    for (let s = 0; s < 18; s++) ids.set([20, 1, s + 1, 2], s * 4);
    bench.memory.ram.set(ids, 0x30000);
    bench.dma.program(2, { address: 0x30000, length: ids.length, direction: 'read' });
    send(bench, 0x4d, 0x04, 2, 18, 0x54, 0xf6);
    waitIrq(bench);
    const r = result(bench);
    expect(r.slice(0, 3)).toEqual([0x04, 0x00, 0x00]);
    expect(sectorBytes(image, 20, 1, 1, 18)).toEqual(new Array(18 * 512).fill(0xf6));
    expect(sectorBytes(image, 20, 0, 18)).toEqual([...patternedSector(20, 0, 18)]);
    expect(sectorBytes(image, 21, 0, 1)).toEqual([...patternedSector(21, 0, 1)]);
  });

  it('in non-DMA mode takes the IDs through the FIFO', () => {
    const { bench, image } = ready({ nonDma: true });
    send(bench, 0x4d, 0x00, 2, 18, 0x54, 0xe5);
    for (let s = 1; s <= 18; s++) for (const v of [0, 0, s, 2]) {
      waitIrq(bench);
      expect(bench.inb(MSR) & (RQM | DIO | NDMA)).toBe(RQM | NDMA);
      bench.outb(FIFO, v);
    }
    waitIrq(bench);
    expect(result(bench).slice(0, 3)).toEqual([0, 0, 0]);
    expect(sectorBytes(image, 0, 0, 1, 18)).toEqual(new Array(18 * 512).fill(0xe5));
  });

  it('refuses a write-protected medium (ST1 NW)', () => {
    const { bench } = ready({ readOnly: true });
    send(bench, 0x4d, 0x00, 2, 18, 0x54, 0xf6);
    waitIrq(bench);
    expect(result(bench).slice(0, 3)).toEqual([0x40, 0x02, 0x00]);
  });
});

describe('VERIFY (0x16)', () => {
  it('with EC = 0 checks sectors up to EOT and ends normally, moving no data', () => {
    const { bench } = ready();
    bench.memory.ram.fill(0x99, 0x10000, 0x10200);
    send(bench, 0x56, 0x00, 0, 0, 10, 2, 12, 0x1b, 0xff);
    waitIrq(bench);
    expect(result(bench)).toEqual([0x00, 0x00, 0x00, 1, 0, 1, 2]);
    expect(bench.memory.ram[0x10000]).toBe(0x99);
  });

  it('with EC = 1 checks SC sectors (the DTL byte), across sides with MT', () => {
    const { bench } = ready();
    send(bench, 0xd6, 0x80, 0, 0, 17, 2, 18, 0x1b, 4);
    waitIrq(bench);
    expect(result(bench)).toEqual([0x04, 0x00, 0x00, 0, 1, 3, 2]); // ended on side 1
  });

  it('reports a missing sector as no data', () => {
    const { bench } = ready();
    send(bench, 0x56, 0x00, 0, 0, 17, 2, 20, 0x1b, 0xff);
    waitIrq(bench);
    expect(result(bench)).toEqual([0x40, 0x04, 0x00, 0, 0, 19, 2]);
  });
});

describe('VERSION (0x10)', () => {
  it('answers 0x90: an 82077AA', () => {
    const { bench } = ready();
    send(bench, 0x10);
    expect(result(bench)).toEqual([0x90]);
  });
});

describe('CONFIGURE (0x13) and DUMPREG (0x0E)', () => {
  it('DUMPREG returns PCN0-3, SRT|HUT, HLT|ND, SC/EOT, LOCK|D3-D0|GAP|WGATE, EIS|EFIFO|POLL|FIFOTHR, PRETRK', () => {
    const { bench, fdc } = ready({ resources: { drives: 4 } });
    fdc.insert(3, new MemoryImage(1474560));
    seekTo(bench, 7);
    seekTo(bench, 33, 3);
    send(bench, 0x03, 0xaf, 0x04);
    send(bench, 0x13, 0x00, 0x57, 0x21); // EIS, POLL off, FIFO on, threshold 7, PRETRK 0x21
    send(bench, 0x12, 0x80 | 0x14 | 0x02); // perpendicular: D2, D0 and GAP
    dmaRead(bench, { c: 7, r: 1, eot: 9, sectors: 1 });
    send(bench, 0x0e);
    expect(result(bench)).toEqual([7, 0, 0, 33, 0xaf, 0x04, 9, 0x16, 0x57, 0x21]);
  });

  it('after a reset: CONFIGURE back to EFIFO only (FIFO disabled), unless locked', () => {
    const { bench } = ready();
    send(bench, 0x13, 0x00, 0x4f, 0x10);
    resetController(bench);
    send(bench, 0x0e);
    expect(result(bench).slice(8)).toEqual([0x20, 0x00]);
  });
});

describe('LOCK (0x14 unlock, 0x94 lock)', () => {
  it('answers LOCK in bit 4, and a locked FIFO configuration survives a software reset', () => {
    const { bench } = ready();
    send(bench, 0x13, 0x00, 0x48, 0x10); // EIS, FIFO on, threshold 8, PRETRK 0x10
    send(bench, 0x94);
    expect(result(bench)).toEqual([0x10]);
    resetController(bench);
    send(bench, 0x0e);
    const r = result(bench);
    expect(r[7]! & 0x80).toBe(0x80);
    expect(r.slice(8)).toEqual([0x08, 0x10]); // EFIFO, FIFOTHR and PRETRK kept; EIS back to 0
    send(bench, 0x14);
    expect(result(bench)).toEqual([0x00]);
    resetController(bench);
    send(bench, 0x0e);
    expect(result(bench).slice(8)).toEqual([0x20, 0x00]);
  });
});

describe('PERPENDICULAR MODE (0x12)', () => {
  it('changes D3-D0 only with OW = 1; a software reset clears GAP and WGATE but keeps D3-D0', () => {
    const { bench } = ready();
    send(bench, 0x12, 0x80 | 0x3c | 0x03);
    send(bench, 0x12, 0x00 | 0x01); // OW = 0: D bits stay, GAP = 0, WGATE = 1
    send(bench, 0x0e);
    expect(result(bench)[7]).toBe(0x3d);
    resetController(bench);
    send(bench, 0x0e);
    expect(result(bench)[7]).toBe(0x3c);
  });
});

describe('invalid commands', () => {
  it('answer with a single ST0 = 0x80, without an interrupt, then return to the command phase', () => {
    const { bench } = ready();
    const irq = bench.irq(6);
    for (const op of [0x00, 0x01, 0x0b, 0x15, 0x17, 0x18, 0x1e, 0x1f, 0x3f, 0xff, 0x8e, 0x33]) {
      irq.clear();
      send(bench, op);
      expect(bench.inb(MSR)).toBe(RQM | DIO | CB);
      expect(result(bench)).toEqual([0x80]);
      expect(irq.rises).toBe(0);
      expect(bench.inb(MSR)).toBe(RQM);
    }
  });

  it('an opcode with flag bits a command does not take is invalid (WRITE DATA with SK)', () => {
    const { bench } = ready();
    send(bench, 0x25);
    expect(result(bench)).toEqual([0x80]);
  });
});

describe('drives', () => {
  it('has two drives by default and up to four; a medium of no floppy size is refused', () => {
    const two = rig();
    expect(() => two.fdc.insert(2, new MemoryImage(1474560))).toThrow(FdcError);
    expect(() => two.fdc.insert(0, new MemoryImage(1000))).toThrow(ImageSizeError);
    const four = rig({ drives: 4 });
    const image = new MemoryImage(737280); // 720K
    image.bytes.fill(0x3c, offset720(2, 1, 4), offset720(2, 1, 4) + 512);
    four.fdc.insert(3, image);
    resetController(four.bench, 0x80 | 0x0c | 0x03); // motor 3, drive 3 selected
    specify(four.bench);
    four.bench.outb(CCR, 0x02); // 250 kbps
    seekTo(four.bench, 2, 3);
    expect(dmaRead(four.bench, { drive: 3, head: 1, c: 2, r: 4, eot: 9, sectors: 1 })).toEqual([0x07, 0, 0, 2, 1, 5, 2]);
    expect(four.bench.memory.ram[0x10000]).toBe(0x3c);
  });
});

describe('command phase', () => {
  it('MSR shows CB from the first command byte until the last result byte is read', () => {
    const { bench } = ready();
    expect(bench.inb(MSR)).toBe(RQM);
    bench.outb(FIFO, 0x04);
    expect(bench.inb(MSR)).toBe(RQM | CB);
    bench.outb(FIFO, 0x00);
    expect(bench.inb(MSR)).toBe(RQM | DIO | CB);
    bench.inb(FIFO);
    expect(bench.inb(MSR)).toBe(RQM);
  });

  it('ignores FIFO writes during the result phase and reads nothing during the command phase', () => {
    const { bench } = ready();
    expect(bench.inb(FIFO)).toBe(0);
    expect(bench.inb(MSR)).toBe(RQM);
    send(bench, 0x10);
    bench.outb(FIFO, 0x04);
    expect(result(bench)).toEqual([0x90]);
    expect(bench.inb(MSR)).toBe(RQM);
    waitRqm(bench);
  });
});

function offset720(c: number, h: number, r: number): number {
  return ((c * 2 + h) * 9 + (r - 1)) * 512;
}

function patternedSector(c: number, h: number, r: number): Uint8Array {
  const s = (c * 2 + h) * 18 + (r - 1);
  return new Uint8Array(512).map((_, i) => (s * 7 + i * 3 + 1) & 0xff);
}
