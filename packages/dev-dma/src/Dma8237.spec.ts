// Intel 8237A datasheet (order 231466) and the IBM PC/AT Technical Reference (DMA and page
// register wiring). Every test drives the controller through the ports a BIOS uses.
import type { DmaClient } from '@backplane/bus';
import { createTestBench } from '@backplane/bus/testing';
import { describe, expect, it } from 'vitest';
import {
  ADDRESS_PORT,
  COUNT_PORT,
  DMA1,
  DMA2,
  FakeDevice,
  PAGE_PORT,
  bytes,
  program,
  readCurrent,
  setup,
} from '../test/helpers';
import { DmaAttachError, DmaClientError } from './errors';
import { dmaModule } from './module';
import {
  CMD_CH0_ADDRESS_HOLD,
  CMD_DISABLE,
  CMD_MEM_TO_MEM,
  CMD_ROTATING_PRIORITY,
  MODE_AUTO_INIT,
  MODE_BLOCK,
  MODE_DECREMENT,
  MODE_DEMAND,
  MODE_SINGLE,
  TRANSFER_READ,
  TRANSFER_VERIFY,
  TRANSFER_WRITE,
} from './registers';

const WRITE_SINGLE = MODE_SINGLE | TRANSFER_WRITE;
const READ_SINGLE = MODE_SINGLE | TRANSFER_READ;

describe('address and word count registers with the byte pointer flip-flop', () => {
  it('takes the low byte then the high byte and reads the current values back the same way', () => {
    const { bench } = setup();
    bench.outb(DMA1.flipFlop, 0);
    bench.outb(ADDRESS_PORT[2], 0x34);
    bench.outb(ADDRESS_PORT[2], 0x12);
    bench.outb(COUNT_PORT[2], 0xff);
    bench.outb(COUNT_PORT[2], 0x01);
    expect(readCurrent(bench, 2)).toEqual({ address: 0x1234, count: 0x01ff });
  });

  it('has one flip-flop per controller, shared by all its registers and toggled by reads and writes', () => {
    const { bench } = setup();
    bench.outb(DMA1.flipFlop, 0);
    bench.outb(ADDRESS_PORT[1], 0xcd); // low byte of channel 1's address
    bench.outb(COUNT_PORT[3], 0xab); // high byte of channel 3's count
    bench.outb(DMA1.flipFlop, 0);
    expect(bench.inb(ADDRESS_PORT[1])).toBe(0xcd);
    expect(bench.inb(COUNT_PORT[3])).toBe(0xab);
  });

  it('is reset by "clear byte pointer flip-flop" so the next access is a low byte', () => {
    const { bench } = setup();
    bench.outb(DMA1.flipFlop, 0);
    bench.outb(ADDRESS_PORT[0], 0x11); // flip-flop now points at the high byte
    bench.outb(DMA1.flipFlop, 0);
    bench.outb(ADDRESS_PORT[0], 0x22);
    bench.outb(ADDRESS_PORT[0], 0x33);
    expect(readCurrent(bench, 0).address).toBe(0x3322);
  });

  it('puts DMA2 registers on even ports C0h-DEh (one port per register, SA1-SA4 decode)', () => {
    const { bench } = setup();
    bench.outb(DMA2.flipFlop, 0);
    bench.outb(0xc8, 0x78); // channel 6 address
    bench.outb(0xc8, 0x56);
    bench.outb(0xce, 0x10); // channel 7 count
    bench.outb(0xce, 0x00);
    expect(readCurrent(bench, 6).address).toBe(0x5678);
    expect(readCurrent(bench, 7).count).toBe(0x0010);
  });
});

describe('page registers (PC/AT ports 80h-8Fh)', () => {
  it('reads back every port; the eight unused ones are plain scratch bytes', () => {
    const { bench } = setup();
    for (let p = 0x80; p <= 0x8f; p++) bench.outb(p, p ^ 0x5a);
    for (let p = 0x80; p <= 0x8f; p++) expect(bench.inb(p)).toBe(p ^ 0x5a);
  });

  it.each([
    [0, 0x87],
    [1, 0x83],
    [2, 0x81],
    [3, 0x82],
  ])('supplies A16-A23 for channel %i from port %s', (ch, port) => {
    const { bench } = setup();
    const dev = new FakeDevice(bench, ch, bytes(4));
    program(bench, ch, { address: 0x0100, count: 4, mode: WRITE_SINGLE });
    bench.outb(port, 0x05);
    dev.supply(4);
    expect(Array.from(bench.memory.ram.subarray(0x50100, 0x50104))).toEqual(Array.from(bytes(4)));
  });

  it.each([
    [5, 0x8b],
    [6, 0x89],
    [7, 0x8a],
  ])('supplies A17-A23 for channel %i from port %s (bit 0 ignored)', (ch, port) => {
    const { bench } = setup();
    const dev = new FakeDevice(bench, ch, bytes(4));
    program(bench, ch, { address: 0x0200, count: 2, mode: WRITE_SINGLE });
    bench.outb(port, 0x07); // bit 0 does not reach the address bus
    dev.supply(4);
    expect(Array.from(bench.memory.ram.subarray(0x60200, 0x60204))).toEqual(Array.from(bytes(4)));
  });
});

describe('write transfer (I/O to memory), single mode', () => {
  it('stores the device bytes at the programmed address and stops at terminal count', () => {
    const { bench } = setup();
    const data = bytes(16);
    const dev = new FakeDevice(bench, 2, data);
    program(bench, 2, { address: 0x12340, count: 16, mode: WRITE_SINGLE });
    dev.supply(16);
    expect(Array.from(bench.memory.ram.subarray(0x12340, 0x12350))).toEqual(Array.from(data));
    expect(dev.terminalCounts).toBe(1);
    expect(dev.channel.terminalCount).toBe(true);
    expect(dev.channel.direction).toBe('write');
  });

  it('leaves the current address one past the block and the current count at FFFFh', () => {
    const { bench } = setup();
    const dev = new FakeDevice(bench, 2, bytes(16));
    program(bench, 2, { address: 0x12340, count: 16, mode: WRITE_SINGLE });
    dev.supply(16);
    expect(readCurrent(bench, 2)).toEqual({ address: 0x2350, count: 0xffff });
  });

  it('offers the device its block as (bytes done, block length)', () => {
    const { bench } = setup();
    const dev = new FakeDevice(bench, 1, bytes(10));
    program(bench, 1, { address: 0x3000, count: 10, mode: WRITE_SINGLE });
    dev.supply(4);
    dev.supply(6);
    expect(dev.calls).toEqual([
      { position: 0, length: 10 },
      { position: 4, length: 10 },
    ]);
  });

  it('sets the channel mask bit at terminal count (no autoinitialise), so further DREQs are ignored', () => {
    const { bench } = setup();
    const dev = new FakeDevice(bench, 3, bytes(8));
    program(bench, 3, { address: 0x4000, count: 4, mode: WRITE_SINGLE });
    dev.supply(8);
    expect(dev.sent).toBe(4);
    expect(bench.memory.ram[0x4004]).toBe(0);
    expect(bench.inb(DMA1.status) & 0x80).toBe(0x80); // still requesting, but masked
  });
});

describe('read transfer (memory to I/O)', () => {
  it('gives the device the bytes of the block', () => {
    const { bench } = setup();
    const data = bytes(32, 3);
    bench.memory.ram.set(data, 0x20000);
    const dev = new FakeDevice(bench, 2);
    program(bench, 2, { address: 0x20000, count: 32, mode: READ_SINGLE });
    dev.supply(32);
    expect(dev.received).toEqual(Array.from(data));
    expect(dev.channel.direction).toBe('read');
  });

  it('refuses a memory write against the programmed direction', () => {
    const { bench } = setup();
    let copied = -1;
    const client: DmaClient = {
      transfer: (position) => {
        copied = channel.writeMemory(new Uint8Array([1, 2]), 0, position, 2);
        return position + 2;
      },
    };
    const channel = bench.bus.dma.attach(1, 'wrong-way', client);
    program(bench, 1, { address: 0x5000, count: 2, mode: READ_SINGLE });
    channel.request();
    expect(copied).toBe(0);
    expect(bench.memory.ram[0x5000]).toBe(0);
  });
});

describe('verify transfer', () => {
  it('runs the count down without touching memory', () => {
    const { bench } = setup();
    bench.memory.ram.fill(0xaa, 0x6000, 0x6010);
    const dev = new FakeDevice(bench, 2, bytes(16));
    program(bench, 2, { address: 0x6000, count: 16, mode: MODE_SINGLE | TRANSFER_VERIFY });
    dev.supply(16);
    expect(dev.channel.direction).toBe('verify');
    expect(dev.terminalCounts).toBe(1);
    expect(Array.from(bench.memory.ram.subarray(0x6000, 0x6010))).toEqual(new Array(16).fill(0xaa));
    expect(dev.received).toEqual([]);
  });
});

describe('address decrement', () => {
  it('walks memory downwards from the programmed address (8-bit channel)', () => {
    const { bench } = setup();
    const dev = new FakeDevice(bench, 2, Uint8Array.from([1, 2, 3, 4]));
    program(bench, 2, { address: 0x7003, count: 4, mode: WRITE_SINGLE | MODE_DECREMENT });
    dev.supply(4);
    expect(Array.from(bench.memory.ram.subarray(0x7000, 0x7004))).toEqual([4, 3, 2, 1]);
    expect(readCurrent(bench, 2).address).toBe(0x6fff);
  });

  it('walks words downwards, each word stored low byte first (16-bit channel)', () => {
    const { bench } = setup();
    const dev = new FakeDevice(bench, 5, Uint8Array.from([1, 2, 3, 4]));
    program(bench, 5, { address: 0x8002, count: 2, mode: WRITE_SINGLE | MODE_DECREMENT });
    dev.supply(4);
    expect(Array.from(bench.memory.ram.subarray(0x8000, 0x8004))).toEqual([3, 4, 1, 2]);
  });
});

describe('autoinitialise', () => {
  it('reloads the current address and count from the base registers at terminal count and stays unmasked', () => {
    const { bench } = setup();
    const dev = new FakeDevice(bench, 1, bytes(12));
    program(bench, 1, { address: 0x9000, count: 8, mode: WRITE_SINGLE | MODE_AUTO_INIT });
    dev.supply(8);
    expect(dev.terminalCounts).toBe(1);
    expect(readCurrent(bench, 1)).toEqual({ address: 0x9000, count: 7 });
    dev.supply(4); // the next block starts again at the base address
    expect(Array.from(bench.memory.ram.subarray(0x9000, 0x9004))).toEqual(Array.from(bytes(12).subarray(8, 12)));
    expect(readCurrent(bench, 1)).toEqual({ address: 0x9004, count: 3 });
  });

  it('reports terminal count in the status register on each pass', () => {
    const { bench } = setup();
    const dev = new FakeDevice(bench, 0, bytes(4));
    program(bench, 0, { address: 0xa000, count: 2, mode: WRITE_SINGLE | MODE_AUTO_INIT });
    dev.supply(2);
    expect(bench.inb(DMA1.status) & 0x01).toBe(0x01);
    dev.supply(2);
    expect(bench.inb(DMA1.status) & 0x01).toBe(0x01);
  });
});

describe('64 KiB / 128 KiB page wrap', () => {
  it('wraps an 8-bit channel within its 64 KiB page (the page register does not carry)', () => {
    const { bench } = setup();
    const dev = new FakeDevice(bench, 2, Uint8Array.from([1, 2, 3, 4]));
    program(bench, 2, { address: 0x2fffe, count: 4, mode: WRITE_SINGLE });
    dev.supply(4);
    expect([bench.memory.ram[0x2fffe], bench.memory.ram[0x2ffff]]).toEqual([1, 2]);
    expect([bench.memory.ram[0x20000], bench.memory.ram[0x20001]]).toEqual([3, 4]);
    expect(bench.memory.ram[0x30000]).toBe(0);
  });

  it('wraps a 16-bit channel within its 128 KiB page', () => {
    const { bench } = setup();
    const dev = new FakeDevice(bench, 6, Uint8Array.from([1, 2, 3, 4]));
    program(bench, 6, { address: 0x3fffe, count: 2, mode: WRITE_SINGLE });
    dev.supply(4);
    expect([bench.memory.ram[0x3fffe], bench.memory.ram[0x3ffff]]).toEqual([1, 2]);
    expect([bench.memory.ram[0x20000], bench.memory.ram[0x20001]]).toEqual([3, 4]);
  });
});

describe('16-bit channels (DMA2: word addressing and word counts)', () => {
  it('takes a word address and a count of words', () => {
    const { bench } = setup();
    const data = bytes(8);
    const dev = new FakeDevice(bench, 7, data);
    program(bench, 7, { address: 0x54320, count: 4, mode: WRITE_SINGLE });
    expect(readCurrent(bench, 7)).toEqual({ address: 0xa190, count: 3 }); // 54320h / 2, page 04h
    dev.supply(8);
    expect(dev.calls[0]).toEqual({ position: 0, length: 8 });
    expect(Array.from(bench.memory.ram.subarray(0x54320, 0x54328))).toEqual(Array.from(data));
    expect(readCurrent(bench, 7)).toEqual({ address: 0xa194, count: 0xffff });
    expect(bench.inb(DMA2.status) & 0x08).toBe(0x08); // channel 7 is DMA2's channel 3
  });
});

describe('16-bit channels move whole words', () => {
  it('counts only the whole words of an odd byte count; the odd byte is offered again', () => {
    const { bench } = setup();
    const calls: number[] = [];
    let ch: ReturnType<typeof bench.bus.dma.attach>;
    ch = bench.bus.dma.attach(5, 'odd', {
      transfer: (position) => {
        calls.push(position);
        if (calls.length === 1) return position + 3;
        ch.release();
        return position + 2;
      },
    });
    program(bench, 5, { address: 0x2000, count: 4, mode: MODE_DEMAND | TRANSFER_WRITE });
    ch.request();
    expect(calls).toEqual([0, 2]);
    expect(readCurrent(bench, 5)).toEqual({ address: 0x1002, count: 1 });
  });
});

describe('cascade mode on a device channel', () => {
  it('is left to its bus master: the 8237A moves nothing for it', () => {
    const { bench } = setup();
    const dev = new FakeDevice(bench, 2, bytes(4));
    program(bench, 2, { address: 0x1000, count: 4, mode: 0xc0 });
    dev.supply(4);
    expect(dev.calls).toEqual([]);
    expect(bench.inb(DMA1.status) & 0x40).toBe(0x40); // DREQ still shows
  });
});

describe('demand mode', () => {
  it('transfers while DREQ is held and pauses, keeping its place, when the device drops it', () => {
    const { bench } = setup();
    const data = bytes(12);
    const dev = new FakeDevice(bench, 2, data);
    program(bench, 2, { address: 0xb000, count: 12, mode: MODE_DEMAND | TRANSFER_WRITE });
    dev.supply(5);
    expect(readCurrent(bench, 2)).toEqual({ address: 0xb005, count: 6 });
    expect(bench.inb(DMA1.status) & 0x04).toBe(0);
    dev.supply(7);
    expect(Array.from(bench.memory.ram.subarray(0xb000, 0xb00c))).toEqual(Array.from(data));
    expect(dev.terminalCounts).toBe(1);
  });

  it('keeps the bus while DREQ is held: a second requesting channel waits (fixed priority)', () => {
    const { bench } = setup();
    const log: string[] = [];
    program(bench, 2, { address: 0xc000, count: 3, mode: MODE_DEMAND | TRANSFER_WRITE, masked: true });
    program(bench, 3, { address: 0xd000, count: 3, mode: MODE_DEMAND | TRANSFER_WRITE, masked: true });
    const a = new FakeDevice(bench, 3, bytes(3), 'three', log);
    const b = new FakeDevice(bench, 2, bytes(3), 'two', log);
    a.perCall = b.perCall = 1;
    a.supply(3);
    b.supply(3);
    bench.outb(DMA1.clearMask, 0);
    expect(log).toEqual(['two', 'two', 'two', 'three', 'three', 'three']);
  });
});

describe('single mode', () => {
  it('gives the bus back after each transfer: with rotating priority two channels alternate', () => {
    const { bench } = setup();
    const log: string[] = [];
    bench.outb(DMA1.command, CMD_ROTATING_PRIORITY);
    program(bench, 2, { address: 0xc000, count: 3, mode: WRITE_SINGLE, masked: true });
    program(bench, 3, { address: 0xd000, count: 3, mode: WRITE_SINGLE, masked: true });
    const a = new FakeDevice(bench, 3, bytes(3), 'three', log);
    const b = new FakeDevice(bench, 2, bytes(3), 'two', log);
    a.perCall = b.perCall = 1;
    a.supply(3);
    b.supply(3);
    bench.outb(DMA1.clearMask, 0);
    expect(log).toEqual(['two', 'three', 'two', 'three', 'two', 'three']);
  });

  it('with fixed priority the lower-numbered channel wins every arbitration', () => {
    const { bench } = setup();
    const log: string[] = [];
    program(bench, 1, { address: 0xc000, count: 2, mode: WRITE_SINGLE, masked: true });
    program(bench, 0, { address: 0xd000, count: 2, mode: WRITE_SINGLE, masked: true });
    const a = new FakeDevice(bench, 1, bytes(2), 'one', log);
    const b = new FakeDevice(bench, 0, bytes(2), 'zero', log);
    a.perCall = b.perCall = 1;
    a.supply(2);
    b.supply(2);
    bench.outb(DMA1.allMask, 0);
    expect(log).toEqual(['zero', 'zero', 'one', 'one']);
  });
});

describe('block mode', () => {
  it('runs to terminal count once started, even if DREQ is dropped after the first transfer', () => {
    const { bench } = setup();
    const dev = new FakeDevice(bench, 1, bytes(8));
    dev.perCall = 1;
    dev.releaseEarly = true;
    program(bench, 1, { address: 0xe000, count: 8, mode: MODE_BLOCK | TRANSFER_WRITE });
    dev.supply(8);
    expect(dev.sent).toBe(8);
    expect(dev.terminalCounts).toBe(1);
  });

  it('differs from demand mode, which stops when DREQ drops', () => {
    const { bench } = setup();
    const dev = new FakeDevice(bench, 1, bytes(8));
    dev.perCall = 1;
    dev.releaseEarly = true;
    program(bench, 1, { address: 0xe000, count: 8, mode: MODE_DEMAND | TRANSFER_WRITE });
    dev.supply(8);
    expect(dev.sent).toBe(1);
  });
});

describe('request register (software DREQ)', () => {
  it('starts a block-mode transfer with no device: a write transfer stores the floating bus (FFh)', () => {
    const { bench } = setup();
    program(bench, 3, { address: 0x1f000, count: 4, mode: MODE_BLOCK | TRANSFER_WRITE });
    bench.outb(DMA1.request, 0x04 | 3);
    expect(Array.from(bench.memory.ram.subarray(0x1f000, 0x1f005))).toEqual([0xff, 0xff, 0xff, 0xff, 0]);
    expect(bench.inb(DMA1.status)).toBe(0x08); // TC on channel 3, request bit cleared by TC
  });

  it('is not maskable', () => {
    const { bench } = setup();
    program(bench, 3, { address: 0x1f000, count: 2, mode: MODE_BLOCK | TRANSFER_VERIFY, masked: true });
    bench.outb(DMA1.request, 0x04 | 3);
    expect(bench.inb(DMA1.status) & 0x08).toBe(0x08);
  });

  it('is only served in block mode; otherwise it stays pending and shows in the status register', () => {
    const { bench } = setup();
    program(bench, 1, { address: 0x1f000, count: 2, mode: WRITE_SINGLE });
    bench.outb(DMA1.request, 0x04 | 1);
    expect(bench.inb(DMA1.status)).toBe(0x20);
    expect(bench.memory.ram[0x1f000]).toBe(0);
    bench.outb(DMA1.request, 0x00 | 1); // reset the request bit
    expect(bench.inb(DMA1.status)).toBe(0x00);
  });

  it('calls the attached device when there is one', () => {
    const { bench } = setup();
    const dev = new FakeDevice(bench, 2, bytes(4));
    dev.ready = 4; // data ready, DREQ not asserted
    program(bench, 2, { address: 0x1e000, count: 4, mode: MODE_BLOCK | TRANSFER_WRITE });
    bench.outb(DMA1.request, 0x04 | 2);
    expect(Array.from(bench.memory.ram.subarray(0x1e000, 0x1e004))).toEqual(Array.from(bytes(4)));
  });
});

describe('mask register: single bit, all bits, clear', () => {
  it('ignores DREQ on a masked channel and serves it as soon as the mask bit is cleared', () => {
    const { bench } = setup();
    const dev = new FakeDevice(bench, 2, bytes(4));
    program(bench, 2, { address: 0x1000, count: 4, mode: WRITE_SINGLE, masked: true });
    dev.supply(4);
    expect(dev.sent).toBe(0);
    expect(bench.inb(DMA1.status) & 0x40).toBe(0x40); // requesting while masked
    bench.outb(DMA1.mask, 0x02); // clear channel 2's mask bit
    expect(dev.sent).toBe(4);
  });

  it('"write all mask bits" sets and clears all four at once', () => {
    const { bench } = setup();
    const dev = new FakeDevice(bench, 1, bytes(4));
    program(bench, 1, { address: 0x1000, count: 4, mode: WRITE_SINGLE });
    bench.outb(DMA1.allMask, 0x0f);
    dev.supply(4);
    expect(dev.sent).toBe(0);
    bench.outb(DMA1.allMask, 0x0d); // only channel 1 unmasked
    expect(dev.sent).toBe(4);
  });

  it('"clear mask register" unmasks every channel', () => {
    const { bench } = setup();
    const dev = new FakeDevice(bench, 3, bytes(4));
    program(bench, 3, { address: 0x1000, count: 4, mode: WRITE_SINGLE, masked: true });
    dev.supply(4);
    bench.outb(DMA1.clearMask, 0);
    expect(dev.sent).toBe(4);
  });
});

describe('status register', () => {
  it('clears the terminal count bits when read but keeps showing requests', () => {
    const { bench } = setup();
    const dev = new FakeDevice(bench, 0, bytes(4));
    const other = new FakeDevice(bench, 1, bytes(4));
    program(bench, 0, { address: 0x1000, count: 2, mode: WRITE_SINGLE });
    program(bench, 1, { address: 0x2000, count: 2, mode: WRITE_SINGLE, masked: true });
    dev.supply(2);
    other.supply(2);
    expect(bench.inb(DMA1.status)).toBe(0x21);
    expect(bench.inb(DMA1.status)).toBe(0x20);
  });
});

describe('master clear and hardware reset', () => {
  it('clears command, status, request, temporary and flip-flop and sets all mask bits', () => {
    const { bench, dma } = setup();
    const dev = new FakeDevice(bench, 2, bytes(8));
    program(bench, 2, { address: 0x1000, count: 2, mode: WRITE_SINGLE });
    dev.supply(2);
    bench.outb(DMA1.command, CMD_ROTATING_PRIORITY);
    bench.outb(DMA1.request, 0x04 | 1);
    bench.outb(ADDRESS_PORT[0], 0x12); // leaves the flip-flop at the high byte
    bench.outb(DMA1.masterClear, 0);
    expect(bench.inb(DMA1.status)).toBe(0);
    expect(bench.inb(DMA1.temp)).toBe(0);
    expect(bench.inb(ADDRESS_PORT[0])).toBe(0x12); // flip-flop cleared: the low byte
    dev.supply(2);
    expect(dev.sent).toBe(2); // masked again
    expect(dma.state.controllers[0]!.command).toBe(0);
    expect(dma.state.controllers[0]!.mask).toBe(0x0f);
  });

  it('a bus reset masks every channel of both controllers', () => {
    const { bench } = setup();
    const dev = new FakeDevice(bench, 5, bytes(4));
    program(bench, 5, { address: 0x1000, count: 2, mode: WRITE_SINGLE });
    bench.bus.reset();
    dev.supply(4);
    expect(dev.sent).toBe(0);
  });
});

describe('command register', () => {
  it('controller disable holds every request until the controller is enabled again', () => {
    const { bench } = setup();
    const dev = new FakeDevice(bench, 2, bytes(4));
    bench.outb(DMA1.command, CMD_DISABLE);
    program(bench, 2, { address: 0x1000, count: 4, mode: WRITE_SINGLE });
    dev.supply(4);
    expect(dev.sent).toBe(0);
    bench.outb(DMA1.command, 0);
    expect(dev.sent).toBe(4);
  });

  it('disabling DMA2 also stops DMA1, whose requests go through channel 4', () => {
    const { bench } = setup();
    const dev = new FakeDevice(bench, 2, bytes(4));
    bench.outb(DMA2.command, CMD_DISABLE);
    program(bench, 2, { address: 0x1000, count: 4, mode: WRITE_SINGLE });
    dev.supply(4);
    expect(dev.sent).toBe(0);
    bench.outb(DMA2.command, 0);
    expect(dev.sent).toBe(4);
  });
});

describe('memory-to-memory (command bit 0)', () => {
  it('copies from channel 0 to channel 1 until channel 1 reaches terminal count; the temporary register keeps the last byte', () => {
    const { bench } = setup();
    bench.memory.ram.set(Uint8Array.from([9, 8, 7, 6]), 0x3000);
    program(bench, 0, { address: 0x3000, count: 4, mode: MODE_BLOCK | TRANSFER_READ });
    program(bench, 1, { address: 0x14000, count: 4, mode: MODE_BLOCK | TRANSFER_WRITE });
    bench.outb(DMA1.command, CMD_MEM_TO_MEM);
    bench.outb(DMA1.request, 0x04 | 0);
    expect(Array.from(bench.memory.ram.subarray(0x14000, 0x14004))).toEqual([9, 8, 7, 6]);
    expect(bench.inb(DMA1.temp)).toBe(6);
    expect(bench.inb(DMA1.status) & 0x02).toBe(0x02);
  });

  it('with channel 0 address hold, fills the destination with one byte', () => {
    const { bench } = setup();
    bench.memory.ram[0x3000] = 0x5a;
    program(bench, 0, { address: 0x3000, count: 1, mode: MODE_BLOCK | TRANSFER_READ });
    program(bench, 1, { address: 0x4000, count: 5, mode: MODE_BLOCK | TRANSFER_WRITE });
    bench.outb(DMA1.command, CMD_MEM_TO_MEM | CMD_CH0_ADDRESS_HOLD);
    bench.outb(DMA1.request, 0x04 | 0);
    expect(Array.from(bench.memory.ram.subarray(0x4000, 0x4006))).toEqual([0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0]);
  });
});

describe('cascade (PC/AT: DMA1 hold request into DMA2 channel 4)', () => {
  it('serves no DMA1 channel until channel 4 is in cascade mode and unmasked', () => {
    const { bench } = setup({ cascade: false });
    const dev = new FakeDevice(bench, 2, bytes(4));
    program(bench, 2, { address: 0x1000, count: 4, mode: WRITE_SINGLE });
    dev.supply(4);
    expect(dev.sent).toBe(0);
    expect(bench.inb(DMA2.status) & 0x10).toBe(0x10); // DREQ4 = DMA1's hold request
    bench.outb(DMA2.mode, 0xc0);
    expect(dev.sent).toBe(0); // still masked since reset
    bench.outb(DMA2.mask, 0x00);
    expect(dev.sent).toBe(4);
  });

  it('gives DMA2 channel 4 (all of DMA1) the highest priority under fixed priority', () => {
    const { bench } = setup();
    const log: string[] = [];
    program(bench, 5, { address: 0x2000, count: 2, mode: WRITE_SINGLE, masked: true });
    program(bench, 3, { address: 0x1000, count: 2, mode: WRITE_SINGLE, masked: true });
    const hi = new FakeDevice(bench, 5, bytes(4), 'five', log);
    const lo = new FakeDevice(bench, 3, bytes(2), 'three', log);
    hi.perCall = 2;
    lo.perCall = 1;
    hi.supply(4);
    lo.supply(2);
    bench.outb(DMA1.clearMask, 0);
    bench.outb(DMA2.clearMask, 0);
    expect(log).toEqual(['three', 'three', 'five', 'five']);
  });
});

describe('attaching devices', () => {
  it('refuses channel 4 (the cascade) and channels outside 0-7', () => {
    const { bench } = setup();
    const client: DmaClient = { transfer: (p) => p };
    expect(() => bench.bus.dma.attach(4, 'x', client)).toThrow(DmaAttachError);
    expect(() => bench.bus.dma.attach(8, 'x', client)).toThrow(DmaAttachError);
    expect(() => bench.bus.dma.attach(-1, 'x', client)).toThrow(DmaAttachError);
  });

  it('refuses a second device on a held channel', () => {
    const { bench } = setup();
    bench.bus.dma.attach(2, 'fdc', { transfer: (p) => p });
    expect(() => bench.bus.dma.attach(2, 'other', { transfer: (p) => p })).toThrow(/fdc holds it/);
  });

  it('rejects a position outside the offered block with a typed error and changes nothing', () => {
    const { bench } = setup();
    const channel = bench.bus.dma.attach(1, 'broken', { transfer: (_p, length) => length + 1 });
    program(bench, 1, { address: 0x1000, count: 4, mode: WRITE_SINGLE });
    expect(() => channel.request()).toThrow(DmaClientError);
    expect(readCurrent(bench, 1)).toEqual({ address: 0x1000, count: 3 });
  });

  it('leaves a block-mode channel unstarted when its device returns a bad position', () => {
    const { bench, dma } = setup();
    const channel = bench.bus.dma.attach(2, 'broken', { transfer: () => -1 });
    program(bench, 2, { address: 0x1000, count: 4, mode: MODE_BLOCK | TRANSFER_WRITE });
    expect(() => channel.request()).toThrow(DmaClientError);
    expect(dma.state.blockActive).toBe(0);
    expect(readCurrent(bench, 2)).toEqual({ address: 0x1000, count: 3 });
  });

  it('stops serving a device that makes no progress instead of spinning', () => {
    const { bench } = setup();
    let calls = 0;
    const channel = bench.bus.dma.attach(1, 'idle', {
      transfer: (p) => {
        calls++;
        return p;
      },
    });
    program(bench, 1, { address: 0x1000, count: 4, mode: MODE_BLOCK | TRANSFER_WRITE });
    channel.request();
    expect(calls).toBe(1);
  });
});

describe('guest memory through the memory space', () => {
  function mixed() {
    const bench = createTestBench([dmaModule()], { fakeDma: false, ram: false });
    bench.memory.mapRam('ram', 0, 0x88000);
    const seen: [number, number][] = [];
    bench.memory.mapMmio('mmio', 0x88000, 0x1000, {
      read8: (o) => o & 0xff,
      write8: (o, v) => {
        seen.push([o, v]);
      },
    });
    bench.memory.mapRom('rom', 0xf0000, new Uint8Array(0x1000).fill(0xee));
    bench.outb(DMA2.mode, 0xc0);
    bench.outb(DMA2.mask, 0x00);
    return { bench, seen };
  }

  it('writes across RAM into a memory-mapped page byte by byte, and marks the RAM pages dirty', () => {
    const { bench, seen } = mixed();
    bench.memory.takeDirty();
    const data = bytes(0x200);
    const dev = new FakeDevice(bench, 2, data);
    program(bench, 2, { address: 0x87f00, count: 0x200, mode: WRITE_SINGLE });
    dev.supply(0x200);
    expect(Array.from(bench.memory.ram.subarray(0x87f00, 0x88000))).toEqual(Array.from(data.subarray(0, 0x100)));
    expect(seen.length).toBe(0x100);
    expect(seen[0]).toEqual([0, data[0x100]]);
    expect(seen[0xff]).toEqual([0xff, data[0x1ff]]);
    expect(bench.memory.takeDirty()).toEqual([0x87]);
  });

  it('reads ROM and MMIO as the processor would, and leaves ROM unchanged by a write transfer', () => {
    const { bench } = mixed();
    const reader = new FakeDevice(bench, 1);
    program(bench, 1, { address: 0x88010, count: 4, mode: READ_SINGLE });
    reader.supply(4);
    expect(reader.received).toEqual([0x10, 0x11, 0x12, 0x13]);
    const writer = new FakeDevice(bench, 3, bytes(4));
    program(bench, 3, { address: 0xf0000, count: 4, mode: WRITE_SINGLE });
    writer.supply(4);
    expect(bench.memory.read8(0xf0000)).toBe(0xee);
    expect(writer.terminalCounts).toBe(1);
  });

  it('reads a long block across a 4 KiB page and the 64 KiB wrap', () => {
    const { bench } = setup();
    const data = bytes(0x10000, 9);
    bench.memory.ram.set(data, 0x30000);
    const dev = new FakeDevice(bench, 2);
    program(bench, 2, { address: 0x3ff00, count: 0x300, mode: READ_SINGLE });
    dev.supply(0x300);
    expect(dev.received).toEqual([...data.subarray(0xff00), ...data.subarray(0, 0x200)]);
  });
});

describe('resources', () => {
  it('claims DMA1, DMA2 and the page registers at the given ports', async () => {
    const { createTestBench } = await import('@backplane/bus/testing');
    const { dmaModule } = await import('./module');
    const bench = createTestBench([dmaModule({ dma1: 0x100, dma2: 0x200, pages: 0x300 })], { fakeDma: false });
    bench.outb(0x10c, 0);
    bench.outb(0x104, 0x99);
    bench.outb(0x10c, 0);
    expect(bench.inb(0x104)).toBe(0x99);
    bench.outb(0x301, 0x42);
    expect(bench.inb(0x301)).toBe(0x42);
    bench.outb(0x218, 0);
    bench.outb(0x204, 0x77);
    bench.outb(0x218, 0);
    expect(bench.inb(0x204)).toBe(0x77);
    expect(bench.bus.io.in8(PAGE_PORT[2])).toBe(0xff); // nothing at 81h any more
  });
});
