import { MemoryImage } from '@backplane/block';
import { createTestBench } from '@backplane/bus/testing';
import { describe, expect, it } from 'vitest';
import { FDC, fdcModule } from './module';

describe('fdcModule: resources', () => {
  it('takes the PC defaults: ports 0x3F0-0x3F5 and 0x3F7 (0x3F6 is the hard-disk controller\'s), IRQ 6, DMA 2, two drives', () => {
    const bench = createTestBench([fdcModule()]);
    const owners = [0x3f0, 0x3f1, 0x3f2, 0x3f3, 0x3f4, 0x3f5, 0x3f6, 0x3f7].map((p) => bench.io.owner(p));
    expect(owners).toEqual(['fdc', 'fdc', 'fdc', 'fdc', 'fdc', 'fdc', undefined, 'fdc']);
    expect(bench.bus.irq.ownersOf(6)).toEqual(['fdc']);
    expect(() => bench.bus.dma.attach(2, 'other', { transfer: (p) => p })).toThrow(/fdc holds it/);
    expect(bench.get(FDC).resources.drives).toBe(2);
  });

  it('can be a secondary controller at 0x370 with its own IRQ and DMA channel, beside the primary', () => {
    const bench = createTestBench([fdcModule(), fdcModule({ iobase: 0x370, irq: 10, dma: 3 }, 'fdc2')]);
    expect(bench.io.owner(0x375)).toBe('fdc2');
    expect(bench.io.owner(0x377)).toBe('fdc2');
    expect(bench.bus.irq.ownersOf(10)).toEqual(['fdc2']);
    bench.outb(0x372, 0x00);
    bench.outb(0x372, 0x0c);
    expect(bench.irq(10).level).toBe(true);
    expect(bench.irq(6).level).toBe(false);
  });

  it('gives the drives back their media across a hardware reset, which holds the controller in reset (DOR = 0)', () => {
    const bench = createTestBench([fdcModule()]);
    const fdc = bench.get(FDC);
    fdc.insert(1, new MemoryImage(1474560));
    bench.outb(0x3f2, 0x1c);
    bench.bus.reset();
    expect(bench.inb(0x3f2)).toBe(0);
    expect(bench.inb(0x3f4)).toBe(0);
    expect(fdc.mediaIn(1)?.format.name).toBe('1.44M');
  });
});
