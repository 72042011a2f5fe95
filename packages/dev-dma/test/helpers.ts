// Shared helpers for the dev-dma specs: a bench with the DMA pair alone on the bus, the port
// sequence a PC BIOS uses to program a channel, and a small fake device.
import type { DmaChannel, DmaClient } from '@backplane/bus';
import { createTestBench, type TestBench } from '@backplane/bus/testing';
import { DMA, dmaModule } from '../src/module';
import type { Dma8237 } from '../src/Dma8237';

/** PC/AT ports of each channel's address and count registers. */
export const ADDRESS_PORT = [0x00, 0x02, 0x04, 0x06, 0xc0, 0xc4, 0xc8, 0xcc] as const;
export const COUNT_PORT = [0x01, 0x03, 0x05, 0x07, 0xc2, 0xc6, 0xca, 0xce] as const;
export const PAGE_PORT = [0x87, 0x83, 0x81, 0x82, 0x8f, 0x8b, 0x89, 0x8a] as const;

/** DMA1 / DMA2 command ports. */
export const DMA1 = { status: 0x08, command: 0x08, request: 0x09, mask: 0x0a, mode: 0x0b, flipFlop: 0x0c, temp: 0x0d, masterClear: 0x0d, clearMask: 0x0e, allMask: 0x0f };
export const DMA2 = { status: 0xd0, command: 0xd0, request: 0xd2, mask: 0xd4, mode: 0xd6, flipFlop: 0xd8, temp: 0xda, masterClear: 0xda, clearMask: 0xdc, allMask: 0xde };

export function ports(ch: number): typeof DMA1 {
  return ch >= 4 ? DMA2 : DMA1;
}

/** The DMA pair alone on a bus (no fake controller), with DMA2 channel 4 set to cascade as a BIOS does. */
export function setup(options: { cascade?: boolean } = {}): { bench: TestBench; dma: Dma8237 } {
  const bench = createTestBench([dmaModule()], { fakeDma: false });
  if (options.cascade ?? true) {
    bench.outb(DMA2.mode, 0xc0); // channel 4: cascade mode
    bench.outb(DMA2.mask, 0x00); // unmask channel 4
  }
  return { bench, dma: bench.get(DMA) };
}

export interface Program {
  /** Physical address of the first byte. */
  readonly address: number;
  /** Transfers (bytes on 0-3, words on 5-7). */
  readonly count: number;
  /** Mode register value without the channel bits. */
  readonly mode: number;
  /** Leave the channel masked after programming. */
  readonly masked?: boolean;
}

/** Program a channel the way a BIOS does: mask, mode, clear flip-flop, address, page, count, unmask. */
export function program(bench: TestBench, ch: number, p: Program): void {
  const r = ports(ch);
  const n = ch & 3;
  const wide = ch >= 4;
  const addr = wide ? (p.address >>> 1) & 0xffff : p.address & 0xffff;
  const page = wide ? (p.address >>> 16) & 0xfe : (p.address >>> 16) & 0xff;
  bench.outb(r.mask, 0x04 | n);
  bench.outb(r.mode, p.mode | n);
  bench.outb(r.flipFlop, 0);
  bench.outb(ADDRESS_PORT[ch]!, addr & 0xff);
  bench.outb(ADDRESS_PORT[ch]!, addr >>> 8);
  bench.outb(PAGE_PORT[ch]!, page);
  bench.outb(COUNT_PORT[ch]!, (p.count - 1) & 0xff);
  bench.outb(COUNT_PORT[ch]!, ((p.count - 1) >>> 8) & 0xff);
  if (!p.masked) bench.outb(r.mask, n);
}

/** Read a channel's current address and count through the ports (flip-flop cleared first). */
export function readCurrent(bench: TestBench, ch: number): { address: number; count: number } {
  bench.outb(ports(ch).flipFlop, 0);
  const address = bench.inb(ADDRESS_PORT[ch]!) | (bench.inb(ADDRESS_PORT[ch]!) << 8);
  const count = bench.inb(COUNT_PORT[ch]!) | (bench.inb(COUNT_PORT[ch]!) << 8);
  return { address, count };
}

/**
 * A device on a DMA channel. It has `ready` bytes to move (device -> memory for write transfers,
 * memory -> device for read transfers) and holds DREQ while it has any; it moves at most
 * `perCall` bytes each time the controller serves it.
 */
export class FakeDevice implements DmaClient {
  readonly channel: DmaChannel;
  readonly received: number[] = [];
  readonly calls: { position: number; length: number }[] = [];
  sent = 0;
  ready = 0;
  perCall = Infinity;
  /** Drop DREQ after the first transfer call even if bytes remain. */
  releaseEarly = false;
  terminalCounts = 0;

  constructor(
    bench: TestBench,
    ch: number,
    readonly data: Uint8Array = new Uint8Array(0),
    readonly name = `dev${ch}`,
    private readonly log?: string[],
  ) {
    this.channel = bench.bus.dma.attach(ch, this.name, this);
  }

  /** Have `n` more bytes ready and assert DREQ. */
  supply(n: number): void {
    this.ready += n;
    this.channel.request();
  }

  transfer(position: number, length: number): number {
    this.calls.push({ position, length });
    this.log?.push(this.name);
    const n = Math.min(this.ready, this.perCall, length - position);
    if (n <= 0) return position;
    if (this.channel.direction === 'write') this.channel.writeMemory(this.data, this.sent, position, n);
    else {
      const buf = new Uint8Array(n);
      this.channel.readMemory(buf, 0, position, n);
      if (this.channel.direction === 'read') this.received.push(...buf);
    }
    this.sent += n;
    this.ready -= n;
    if (this.ready === 0 || this.releaseEarly) this.channel.release();
    return position + n;
  }

  onTerminalCount(): void {
    this.terminalCounts++;
  }
}

export function bytes(n: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed * 13 + 1) & 0xff);
}
