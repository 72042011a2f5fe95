import { describe, expect, it } from 'vitest';
import type { DmaChannel, DmaClient } from '../dma';
import { createTestBench } from './bench';
import { CountdownRegister, countdownTimerModule } from './examples';

describe('test bench: the countdown example device', () => {
  const base = 0x300;

  it('raises its IRQ after the programmed time of virtual time, and a status read lowers it', () => {
    const bench = createTestBench([countdownTimerModule({ iobase: base, irq: 5 })]);
    const irq = bench.irq(5);
    bench.outw(base + CountdownRegister.Reload, 100); // 100 us
    bench.outb(base + CountdownRegister.Control, 3); // start + interrupt enable
    bench.advance(99_999);
    expect(irq.level).toBe(false);
    bench.advance(1);
    expect(irq.level).toBe(true);
    expect(irq.history).toEqual([{ time: 100_000, level: true }]);
    expect(bench.inb(base + CountdownRegister.Status)).toBe(1);
    expect(irq.level).toBe(false);
    expect(bench.inb(base + CountdownRegister.Status)).toBe(0);
  });

  it('is periodic while started and stays quiet with interrupts disabled', () => {
    const bench = createTestBench([countdownTimerModule({ iobase: base, irq: 5 })]);
    const irq = bench.irq(5);
    bench.outb(base, 10);
    bench.outb(base + 1, 0);
    bench.outb(base + CountdownRegister.Control, 1);
    bench.advance(35_000);
    expect(irq.rises).toBe(0);
    expect(bench.inb(base + CountdownRegister.Status)).toBe(1);
  });
});

describe('test bench: fake DMA controller', () => {
  /** A device with a 16-byte buffer that moves it through DMA channel 1 on request. */
  function dmaDevice() {
    const buffer = new Uint8Array(16).map((_, i) => 0xa0 + i);
    let channel!: DmaChannel;
    let tc = 0;
    const client: DmaClient = {
      transfer(position, length) {
        const n = Math.min(4, length - position); // 4 bytes per service, like a small FIFO
        if (channel.direction === 'write') channel.writeMemory(buffer, position, position, n);
        else channel.readMemory(buffer, position, position, n);
        return position + n;
      },
      onTerminalCount() {
        tc++;
        channel.release();
      },
    };
    return {
      buffer,
      client,
      bind(c: DmaChannel) {
        channel = c;
      },
      get tc() {
        return tc;
      },
    };
  }

  it('moves memory-to-device and device-to-memory blocks, decrementing when asked', () => {
    const bench = createTestBench([]);
    const dev = dmaDevice();
    const channel = bench.bus.dma.attach(1, 'dev', dev.client);
    dev.bind(channel);
    bench.dma.program(1, { address: 0x2000, length: 16, direction: 'write' });
    channel.request();
    expect([...bench.memory.ram.subarray(0x2000, 0x2010)]).toEqual([...dev.buffer]);
    expect(dev.tc).toBe(1);
    expect(channel.terminalCount).toBe(true);

    bench.memory.ram.set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], 0x3000);
    bench.dma.program(1, { address: 0x300f, length: 16, direction: 'read', decrement: true });
    channel.request();
    expect([...dev.buffer]).toEqual([16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(bench.dma.transferred.get(1)).toBe(32);
  });

  it('refuses a second device on a held channel', () => {
    const bench = createTestBench([]);
    bench.bus.dma.attach(2, 'fdc', dmaDevice().client);
    expect(() => bench.bus.dma.attach(2, 'other', dmaDevice().client)).toThrow(/fdc holds it/);
  });
});
