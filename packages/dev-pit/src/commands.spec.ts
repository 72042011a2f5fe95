import { describe, expect, it } from 'vitest';
import { CONTROL, COUNTER, PitBench } from '../test/helpers';

// Intel 8254 datasheet (order 231164): "Write Operations", "Read Operations" (simple read,
// counter latch command, read-back command), the status byte and the read-back command example
// table.

describe('control word: read/write formats', () => {
  it('LSB only: one byte is the whole count (MSB 0), and reads return the LSB', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x10, 0x34); // counter 0, LSB only, mode 0
    p.clk(1);
    expect(p.bench.inb(COUNTER[0])).toBe(0x34);
    expect(p.bench.inb(COUNTER[0])).toBe(0x34);
    p.clk(4);
    expect(p.bench.inb(COUNTER[0])).toBe(0x30);
  });

  it('MSB only: one byte is the MSB of the count (LSB 0), and reads return the MSB', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x20, 0x0200); // count 0x0200
    p.clk(1);
    expect(p.bench.inb(COUNTER[0])).toBe(0x02);
    p.clk(1);
    expect(p.bench.inb(COUNTER[0])).toBe(0x01); // 0x01FF
  });

  it('LSB then MSB: writes and reads alternate, and a read may be interleaved with a write', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x30, 0x1234);
    p.clk(1);
    // Datasheet: "1) read LSB 2) write new LSB 3) read MSB 4) write new MSB" is valid.
    expect(p.bench.inb(COUNTER[0])).toBe(0x34);
    p.bench.outb(COUNTER[0], 0x78); // new LSB: mode 0 stops counting
    expect(p.bench.inb(COUNTER[0])).toBe(0x12);
    p.bench.outb(COUNTER[0], 0x56);
    p.clk(1);
    expect(p.read16(0)).toBe(0x5678);
  });

  it('a control word resets the flip-flops, drops latches and sets null count', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x34, 100);
    p.clk(2);
    p.bench.inb(COUNTER[0]); // read flip-flop now at MSB
    p.control(0x00); // latch
    p.control(0x34);
    const status = p.status(0);
    expect(status & 0x40).toBe(0x40);
    expect(status & 0x3f).toBe(0x34);
    p.writeCount(0, 0x0105);
    p.clk(1);
    expect(p.bench.inb(COUNTER[0])).toBe(0x05); // LSB first again, live count
  });

  it('modes 6 and 7 are modes 2 and 3 (M2 is "don\'t care"); the status shows the bits written', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x3c, 3); // M = 110
    p.clk(3);
    expect(p.status(0) >> 7).toBe(0); // mode 2: OUT low while CE is 1
    expect(p.status(0) & 0x0e).toBe(0x0c);
  });

  it('reading the control word register is a no-operation: the bus floats (0xFF)', () => {
    const p = new PitBench();
    expect(p.bench.inb(CONTROL)).toBe(0xff);
  });
});

describe('BCD counting', () => {
  it('counts down in four decades and wraps from 0 to 9999', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x31, 0x0012); // BCD 12
    const seq: number[] = [];
    for (let k = 0; k < 15; k++) {
      p.clk();
      seq.push(p.read16(0));
    }
    expect(seq).toEqual([0x12, 0x11, 0x10, 0x09, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x00, 0x9999, 0x9998]);
  });

  it('an initial count of 0 is 10^4 in BCD (65536 in binary)', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x35, 0); // mode 2 BCD, count 0 = 10000
    p.clk(2);
    expect(p.read16(0)).toBe(0x9999);
    p.clk(9998);
    expect(p.status(0) >> 7).toBe(0); // CE = 1
    p.clk(1);
    expect(p.read16(0)).toBe(0x0000); // reloaded with 10000 (reads 0000)
  });

  it('mode 3 in BCD gives a square wave of N input clocks', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x37, 0x0010); // BCD 10
    const outs: number[] = [];
    for (let k = 0; k < 20; k++) {
      p.clk();
      outs.push(p.status(0) >> 7);
    }
    expect(outs).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
  });
});

describe('counter latch command', () => {
  it('latches the count: reads return it while CE keeps counting, until both bytes are read', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x34, 1000);
    p.clk(11); // CE 990
    p.control(0x00);
    p.clk(100);
    expect(p.read16(0)).toBe(990);
    expect(p.read16(0)).toBe(890); // latch released: live count
  });

  it('a second latch command is ignored until the latched count is read', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x34, 1000);
    p.clk(1);
    p.control(0x00);
    p.clk(5);
    p.control(0x00);
    expect(p.read16(0)).toBe(1000);
  });

  it('with a one-byte format, one read releases the latch', () => {
    const p = new PitBench();
    p.settle();
    p.program(1, 0x14, 200); // counter 1, LSB only, mode 2
    p.clk(1);
    p.control(0x40);
    p.clk(10);
    expect(p.bench.inb(COUNTER[1])).toBe(200);
    expect(p.bench.inb(COUNTER[1])).toBe(190);
  });
});

describe('read-back command', () => {
  it('latches count and status of several counters in one command', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x34, 500);
    p.program(1, 0x36, 600);
    p.clk(11);
    p.control(0xc6); // count and status, counters 0 and 1
    p.clk(50);
    // Status first, then the count (datasheet: "the first read returns the status").
    expect(p.bench.inb(COUNTER[0])).toBe(0x80 | 0x34);
    expect(p.read16(0)).toBe(490);
    expect(p.bench.inb(COUNTER[1])).toBe(0x80 | 0x36);
    expect(p.read16(1)).toBe(600 - 20);
  });

  it('status: OUT in bit 7, null count in bit 6 until the count is loaded, the control bits below', () => {
    const p = new PitBench();
    p.settle();
    p.program(2, 0x32); // mode 1: OUT high after the control word
    expect(p.status(2)).toBe(0x80 | 0x40 | 0x32);
    p.writeCount(2, 10);
    expect(p.status(2)).toBe(0x80 | 0x40 | 0x32); // not loaded until a trigger
    p.settle();
    p.pit.setGate(2, true);
    p.clk(1);
    expect(p.status(2)).toBe(0x32); // loaded; OUT low during the one-shot
  });

  it('follows the datasheet example sequence of read-back commands', () => {
    const p = new PitBench();
    p.pit.setGate(2, true);
    p.settle();
    p.program(0, 0x30, 0x1000);
    p.program(1, 0x34, 0x2000);
    p.program(2, 0x36, 0x3000);
    p.clk(1);
    const latched = (i: number) => p.pit.state.counters[i]!;
    p.control(0xc2); // count and status of counter 0
    expect([latched(0).statusLatched, latched(0).latchReads]).toEqual([true, 2]);
    p.control(0xe4); // status of counter 1
    expect([latched(1).statusLatched, latched(1).latchReads]).toEqual([true, 0]);
    p.clk(3);
    p.control(0xec); // status of counters 2 and 1: latched for 2 only
    const status1 = latched(1).status;
    expect(latched(2).statusLatched).toBe(true);
    p.control(0xd8); // count of counter 2
    expect(latched(2).latchReads).toBe(2);
    p.control(0xc4); // count and status of counter 1: count only, status already latched
    expect(latched(1).status).toBe(status1);
    expect(latched(1).latchReads).toBe(2);
    p.control(0xe2); // status of counter 0: ignored, already latched
    expect(p.bench.inb(COUNTER[0])).toBe(0x30); // mode 0 OUT low, loaded
    expect(p.read16(0)).toBe(0x1000);
    expect(p.bench.inb(COUNTER[1])).toBe(0x80 | 0x34);
    expect(p.read16(1)).toBe(0x2000 - 3);
    expect(p.bench.inb(COUNTER[2])).toBe(0x80 | 0x36);
    expect(p.read16(2)).toBe(0x3000 - 6);
  });
});
