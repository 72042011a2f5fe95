// The 82077AA's registers in PC-AT mode, through the ports (Intel 290166, register descriptions).
import { MemoryImage } from '@backplane/block';
import { describe, expect, it } from 'vitest';
import { CB, CCR, DIR, DOR, DSR, FIFO, MSR, RQM, SRA, SRB, TDR, dmaRead, ready, result, rig, seekTo, send, senseInterrupt, waitIrq } from '../test/helpers';

describe('digital output register (DOR)', () => {
  it('reads back what was written', () => {
    const { bench } = ready();
    bench.outb(DOR, 0x3d);
    expect(bench.inb(DOR)).toBe(0x3d);
  });

  it('holds the controller in reset while nRESET is low: RQM clear, FIFO and DSR writes ignored', () => {
    const { bench } = ready();
    bench.outb(DOR, 0x18);
    expect(bench.inb(MSR)).toBe(0);
    bench.outb(FIFO, 0x10);
    bench.outb(DOR, 0x1c);
    waitIrq(bench);
    for (let i = 0; i < 4; i++) senseInterrupt(bench);
    expect(bench.inb(MSR)).toBe(RQM); // the VERSION byte went nowhere
  });

  it('a reset aborts a command in the middle of its bytes or its execution', () => {
    const { bench } = ready();
    send(bench, 0x46, 0x00, 0x00); // READ DATA, three of nine bytes
    expect(bench.inb(MSR)).toBe(RQM | CB);
    bench.outb(DOR, 0x18);
    bench.outb(DOR, 0x1c);
    waitIrq(bench);
    expect(senseInterrupt(bench)).toEqual([0xc0, 0]);
    bench.dma.program(2, { address: 0x10000, length: 512, direction: 'write' });
    send(bench, 0x46, 0x00, 0, 0, 50, 2, 18, 0x1b, 0xff); // sector 50: searches for two revolutions
    bench.outb(DOR, 0x18);
    bench.outb(DOR, 0x1c);
    expect(bench.irq(6).level).toBe(true);
    expect(senseInterrupt(bench)).toEqual([0xc0, 0]);
  });

  it('gates the interrupt: with the DMA gate closed IRQ 6 stays low while SRA shows it pending', () => {
    const { bench } = ready();
    bench.outb(DOR, 0x14);
    send(bench, 0x0f, 0x00, 3);
    bench.advance(100_000_000);
    expect(bench.irq(6).level).toBe(false);
    expect(bench.inb(SRA) & 0x80).toBe(0x80);
    bench.outb(DOR, 0x1c);
    expect(bench.irq(6).level).toBe(true);
    expect(senseInterrupt(bench)).toEqual([0x20, 3]);
    expect(bench.inb(SRA) & 0x80).toBe(0);
  });
});

describe('main status register (MSR) and data-rate select register (DSR)', () => {
  it('DSR bit 7 is a software reset that interrupts like a DOR reset', () => {
    const { bench } = ready();
    bench.outb(DSR, 0x80);
    expect(bench.irq(6).level).toBe(true);
    expect([senseInterrupt(bench), senseInterrupt(bench), senseInterrupt(bench), senseInterrupt(bench)]).toEqual([
      [0xc0, 0],
      [0xc1, 0],
      [0xc2, 0],
      [0xc3, 0],
    ]);
  });

  it('DSR and CCR select the data rate the medium is read at', () => {
    const { bench, fdc } = ready();
    const image = new MemoryImage(737280); // 720K: 250 kbps
    image.bytes.fill(0xab, 0, 512);
    fdc.insert(0, image);
    expect(dmaRead(bench, { c: 0, r: 1, eot: 9, sectors: 1 }).slice(0, 3)).toEqual([0x40, 0x01, 0x00]);
    bench.outb(DSR, 0x02);
    expect(dmaRead(bench, { c: 0, r: 1, eot: 9, sectors: 1 }).slice(0, 3)).toEqual([0x00, 0x00, 0x00]);
    bench.outb(CCR, 0x00);
    expect(dmaRead(bench, { c: 0, r: 1, eot: 9, sectors: 1 }).slice(0, 3)).toEqual([0x40, 0x01, 0x00]);
    bench.outb(CCR, 0x02);
    expect(dmaRead(bench, { c: 0, r: 1, eot: 9, sectors: 1 }).slice(0, 3)).toEqual([0x00, 0x00, 0x00]);
    expect(bench.memory.ram[0x10000]).toBe(0xab);
  });
});

describe('status registers A and B (SRA, SRB)', () => {
  it('SRB: bits 7-6 set, motor enables 0 and 1, drive select 0', () => {
    const { bench } = ready();
    bench.outb(DOR, 0x2d); // motor 1, drive 1
    expect(bench.inb(SRB)).toBe(0xc0 | 0x02 | 0x20);
    bench.outb(DOR, 0x1c);
    expect(bench.inb(SRB)).toBe(0xc0 | 0x01);
  });

  it('SRA: nTRK0 low on track 0, nWP low for a protected medium, nDRV2 set with one drive', () => {
    const { bench } = ready({ readOnly: true });
    expect(bench.inb(SRA) & 0x12).toBe(0x00);
    seekTo(bench, 4);
    expect(bench.inb(SRA) & 0x10).toBe(0x10);
    expect(bench.inb(SRA) & 0x40).toBe(0x00);
    const one = rig({ drives: 1 });
    expect(one.bench.inb(SRA) & 0x40).toBe(0x40);
  });
});

describe('tape drive register (TDR)', () => {
  it('holds the tape select bits 1-0', () => {
    const { bench } = ready();
    bench.outb(TDR, 0xff);
    expect(bench.inb(TDR)).toBe(0x03);
  });
});

describe('digital input register (DIR): disk change', () => {
  it('is active at power-on and after an eject, and a step with a disk in clears it', () => {
    const { bench, fdc } = ready();
    expect(bench.inb(DIR) & 0x80).toBe(0x80);
    seekTo(bench, 0); // no step pulse: stays
    expect(bench.inb(DIR) & 0x80).toBe(0x80);
    seekTo(bench, 1);
    expect(bench.inb(DIR) & 0x80).toBe(0);
    fdc.eject(0);
    expect(bench.inb(DIR) & 0x80).toBe(0x80);
    seekTo(bench, 5); // no disk: stepping does not clear it
    expect(bench.inb(DIR) & 0x80).toBe(0x80);
    fdc.insert(0, new MemoryImage(1474560));
    expect(bench.inb(DIR) & 0x80).toBe(0x80);
    seekTo(bench, 4);
    expect(bench.inb(DIR) & 0x80).toBe(0);
  });

  it('shows the drive DOR selects', () => {
    const { bench, fdc } = ready();
    fdc.insert(1, new MemoryImage(1474560));
    seekTo(bench, 2, 0);
    expect(bench.inb(DIR) & 0x80).toBe(0);
    bench.outb(DOR, 0x2d);
    expect(bench.inb(DIR) & 0x80).toBe(0x80);
    seekTo(bench, 2, 1);
    expect(bench.inb(DIR) & 0x80).toBe(0);
    send(bench, 0x10);
    expect(result(bench)).toEqual([0x90]);
  });
});
