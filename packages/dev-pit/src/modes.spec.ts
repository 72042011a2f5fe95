import { describe, expect, it } from 'vitest';
import { COUNTER, PitBench, recordEdges } from '../test/helpers';

// Intel 8254 datasheet (order 231164), "Mode Definitions" and the mode timing diagrams. In
// every test the count is written between two CLK edges; "CLK n" is the n-th CLK pulse after
// the write, and the count is loaded into CE on CLK 1 (that pulse does not decrement).
// Control words: bits 5-4 = 11 (LSB then MSB), bits 3-1 the mode.

/** Count and OUT after each of the next n CLK pulses. */
function trace(p: PitBench, i: number, n: number): { count: number; out: number }[] {
  const rows: { count: number; out: number }[] = [];
  for (let k = 0; k < n; k++) {
    p.clk();
    const count = p.read16(i);
    rows.push({ count, out: p.status(i) >> 7 });
  }
  return rows;
}

const counts = (rows: { count: number }[]) => rows.map((r) => r.count);
const outs = (rows: { out: number }[]) => rows.map((r) => r.out);

describe('mode 0: interrupt on terminal count', () => {
  it('OUT goes low on the control word and high when the count reaches 0, N+1 CLKs after the write', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x30);
    expect(p.status(0) >> 7).toBe(0);
    p.program(0, 0x30, 3);
    const rows = trace(p, 0, 6);
    expect(counts(rows)).toEqual([3, 2, 1, 0, 0xffff, 0xfffe]);
    expect(outs(rows)).toEqual([0, 0, 0, 1, 1, 1]); // stays high while the counter wraps
  });

  it('drives IRQ 0 high at terminal count', () => {
    const p = new PitBench();
    const irq0 = p.bench.irq(0);
    p.settle();
    const written = p.tick;
    p.program(0, 0x30, 100);
    expect(irq0.level).toBe(false);
    p.clk(100);
    expect(irq0.level).toBe(false);
    p.clk(1);
    expect(irq0.level).toBe(true);
    expect(irq0.history.at(-1)!.time).toBe(p.bench.clock.now);
    expect(p.tick - written).toBe(101);
  });

  it('GATE low suspends counting without touching OUT; GATE high resumes it', () => {
    const p = new PitBench();
    p.pit.setGate(2, true);
    p.settle();
    p.program(2, 0x30, 3);
    expect(counts(trace(p, 2, 2))).toEqual([3, 2]);
    p.pit.setGate(2, false);
    const held = trace(p, 2, 3);
    expect(counts(held)).toEqual([2, 2, 2]);
    expect(outs(held)).toEqual([0, 0, 0]);
    p.pit.setGate(2, true);
    expect(trace(p, 2, 3)).toEqual([
      { count: 1, out: 0 },
      { count: 0, out: 1 },
      { count: 0xffff, out: 1 },
    ]);
  });

  it('a count written while counting is loaded on the next CLK and counting continues from it', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x30, 3);
    expect(counts(trace(p, 0, 2))).toEqual([3, 2]);
    p.settle();
    p.writeCount(0, 2);
    expect(trace(p, 0, 3)).toEqual([
      { count: 2, out: 0 },
      { count: 1, out: 0 },
      { count: 0, out: 1 },
    ]);
  });

  it('writing the first byte of a two-byte count stops counting and sets OUT low at once', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x30, 2);
    p.clk(3);
    expect(p.status(0) >> 7).toBe(1);
    p.settle();
    p.bench.outb(COUNTER[0], 0x05); // LSB
    expect(p.status(0) >> 7).toBe(0);
    const before = p.read16(0);
    p.clk(3);
    expect(p.read16(0)).toBe(before); // not counting while the MSB is awaited
    p.settle();
    p.bench.outb(COUNTER[0], 0x00); // MSB: count 5 loads on the next CLK
    expect(counts(trace(p, 0, 6))).toEqual([5, 4, 3, 2, 1, 0]);
  });
});

describe('mode 1: hardware retriggerable one-shot', () => {
  it('waits for a GATE trigger; OUT goes low on the next CLK and high N CLKs later', () => {
    const p = new PitBench();
    p.settle();
    p.program(2, 0x32, 3);
    expect(p.status(2) >> 7).toBe(1);
    p.clk(5);
    expect(p.status(2) & 0x40).toBe(0x40); // null count: CR not loaded without a trigger
    expect(p.pit.out2.level).toBe(true);
    p.settle();
    p.pit.setGate(2, true);
    const rows = trace(p, 2, 5);
    expect(outs(rows)).toEqual([0, 0, 0, 1, 1]);
    expect(counts(rows).slice(0, 4)).toEqual([3, 2, 1, 0]);
  });

  it('a trigger during the one-shot reloads the count: OUT stays low N CLKs from the last trigger', () => {
    const p = new PitBench();
    p.settle();
    p.program(2, 0x32, 3);
    const edges = recordEdges(p.pit.out2, p.bench);
    p.settle();
    const t0 = p.tick;
    p.pit.setGate(2, true);
    p.clk(2); // CE 2
    p.pit.setGate(2, false);
    p.settle();
    const t1 = p.tick;
    p.pit.setGate(2, true); // retrigger
    p.clk(10);
    expect(edges).toEqual([
      { tick: t0 + 1, level: false },
      { tick: t1 + 4, level: true },
    ]);
  });

  it('a new count written during the one-shot does not affect it; the next trigger uses it', () => {
    const p = new PitBench();
    p.settle();
    p.program(2, 0x32, 3);
    p.settle();
    p.pit.setGate(2, true);
    p.clk(1);
    p.writeCount(2, 5);
    expect(outs(trace(p, 2, 3))).toEqual([0, 0, 1]);
    p.pit.setGate(2, false);
    p.settle();
    p.pit.setGate(2, true);
    const rows = trace(p, 2, 6);
    expect(counts(rows).slice(0, 5)).toEqual([5, 4, 3, 2, 1]);
    expect(outs(rows)).toEqual([0, 0, 0, 0, 0, 1]);
  });
});

describe('mode 2: rate generator', () => {
  it('divides by N: OUT low for one CLK when the count reaches 1, then CE reloads', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x34, 3);
    const rows = trace(p, 0, 7);
    expect(counts(rows)).toEqual([3, 2, 1, 3, 2, 1, 3]);
    expect(outs(rows)).toEqual([1, 1, 0, 1, 1, 0, 1]);
  });

  it('a count written mid-period takes effect at the end of the current period', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x34, 4);
    expect(counts(trace(p, 0, 2))).toEqual([4, 3]);
    p.writeCount(0, 5);
    expect(p.status(0) & 0x40).toBe(0x40); // null count until the reload
    expect(counts(trace(p, 0, 8))).toEqual([2, 1, 5, 4, 3, 2, 1, 5]);
    expect(p.status(0) & 0x40).toBe(0);
  });

  it('GATE low stops counting and forces OUT high; the rising edge reloads on the next CLK', () => {
    const p = new PitBench();
    p.pit.setGate(2, true);
    p.settle();
    p.program(2, 0x34, 4);
    expect(counts(trace(p, 2, 4))).toEqual([4, 3, 2, 1]);
    expect(p.pit.out2.level).toBe(false);
    p.pit.setGate(2, false);
    expect(p.pit.out2.level).toBe(true); // immediately, no CLK needed
    expect(counts(trace(p, 2, 2))).toEqual([1, 1]);
    p.settle();
    p.pit.setGate(2, true);
    const rows = trace(p, 2, 5);
    expect(counts(rows)).toEqual([4, 3, 2, 1, 4]);
    expect(outs(rows)).toEqual([1, 1, 1, 0, 1]);
  });

  it('IRQ 0 rises once per period, N CLKs apart, at exact clock edges', () => {
    const p = new PitBench();
    const irq0 = p.bench.irq(0);
    p.settle();
    const t0 = p.tick;
    p.program(0, 0x34, 1000);
    irq0.clear();
    p.clk(10_000);
    const rises = irq0.history.filter((h) => h.level).map((h) => h.time);
    const falls = irq0.history.filter((h) => !h.level).map((h) => h.time);
    expect(falls.length).toBe(10);
    expect(rises.length).toBe(9);
    // Falls at CLK 1000, 2000, ... after the write (count 1 reached), rises one CLK later.
    falls.forEach((time, k) => expect(time).toBe(edgeTimeOf(t0 + 1000 * (k + 1))));
    rises.forEach((time, k) => expect(time).toBe(edgeTimeOf(t0 + 1000 * (k + 1) + 1)));
  });
});

describe('mode 3: square wave', () => {
  it('even count: CE loads N and steps by 2; OUT high N/2 CLKs, low N/2 CLKs', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x36, 4);
    const rows = trace(p, 0, 8);
    expect(counts(rows)).toEqual([4, 2, 4, 2, 4, 2, 4, 2]);
    expect(outs(rows)).toEqual([1, 1, 0, 0, 1, 1, 0, 0]);
  });

  it('odd count: N-1 is loaded; OUT high (N+1)/2 CLKs and low (N-1)/2 CLKs', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x36, 5);
    const rows = trace(p, 0, 10);
    expect(counts(rows)).toEqual([4, 2, 0, 4, 2, 4, 2, 0, 4, 2]);
    expect(outs(rows)).toEqual([1, 1, 1, 0, 0, 1, 1, 1, 0, 0]);
  });

  it('a count written mid-cycle is loaded at the end of the current half-cycle', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x36, 8);
    expect(counts(trace(p, 0, 2))).toEqual([8, 6]);
    p.writeCount(0, 6);
    const rows = trace(p, 0, 8);
    expect(counts(rows)).toEqual([4, 2, 6, 4, 2, 6, 4, 2]);
    expect(outs(rows)).toEqual([1, 1, 0, 0, 0, 1, 1, 1]);
  });

  it('GATE low while OUT is low sets OUT high at once; the rising edge restarts the cycle', () => {
    const p = new PitBench();
    p.pit.setGate(2, true);
    p.settle();
    p.program(2, 0x36, 6);
    p.clk(5); // CLK 4 and 5 are in the low half
    expect(p.pit.out2.level).toBe(false);
    p.pit.setGate(2, false);
    expect(p.pit.out2.level).toBe(true);
    const held = p.read16(2);
    p.clk(4);
    expect(p.read16(2)).toBe(held);
    p.settle();
    p.pit.setGate(2, true);
    const rows = trace(p, 2, 6);
    expect(counts(rows)).toEqual([6, 4, 2, 6, 4, 2]);
    expect(outs(rows)).toEqual([1, 1, 1, 0, 0, 0]);
  });

  it('the BIOS tick (count 0 = 65536) gives IRQ 0 edges every 32768 CLKs, without drift over a long run', () => {
    const p = new PitBench();
    const irq0 = p.bench.irq(0);
    p.settle();
    const t0 = p.tick;
    p.program(0, 0x36, 0);
    irq0.clear();
    // One hour of virtual time is 3600 x 1193182 = 4295455200 CLKs: 65543 whole periods of 65536.
    p.bench.advance(3600 * 1e9);
    const end = ticksOf(p.bench.clock.now);
    const rises = irq0.history.filter((h) => h.level).map((h) => h.time);
    const falls = irq0.history.filter((h) => !h.level).map((h) => h.time);
    // Load on CLK 1; OUT falls 32768 CLKs later and rises again after 65536 CLKs, every period.
    expect(rises.length).toBe(Math.floor((end - t0 - 1) / 65536));
    expect(rises.length).toBe(65543);
    rises.forEach((time, j) => {
      if (time !== edgeTimeOf(t0 + 1 + 65536 * (j + 1))) expect.fail(`rise ${j} at ${time}`);
    });
    falls.forEach((time, j) => {
      if (time !== edgeTimeOf(t0 + 1 + 32768 + 65536 * j)) expect.fail(`fall ${j} at ${time}`);
    });
  });
});

describe('mode 4: software triggered strobe', () => {
  it('OUT strobes low for one CLK, N+1 CLKs after the write, once', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x38, 3);
    const rows = trace(p, 0, 7);
    expect(counts(rows)).toEqual([3, 2, 1, 0, 0xffff, 0xfffe, 0xfffd]);
    expect(outs(rows)).toEqual([1, 1, 1, 0, 1, 1, 1]);
  });

  it('GATE low suspends counting; OUT is not affected', () => {
    const p = new PitBench();
    p.pit.setGate(2, true);
    p.settle();
    p.program(2, 0x38, 3);
    expect(counts(trace(p, 2, 2))).toEqual([3, 2]);
    p.pit.setGate(2, false);
    const held = trace(p, 2, 3);
    expect(counts(held)).toEqual([2, 2, 2]);
    expect(outs(held)).toEqual([1, 1, 1]);
    p.pit.setGate(2, true);
    expect(outs(trace(p, 2, 3))).toEqual([1, 0, 1]);
  });

  it('a count written during counting is loaded on the next CLK (retriggered by software)', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x38, 3);
    p.clk(2);
    p.writeCount(0, 3);
    const rows = trace(p, 0, 5);
    expect(counts(rows)).toEqual([3, 2, 1, 0, 0xffff]);
    expect(outs(rows)).toEqual([1, 1, 1, 0, 1]);
  });
});

describe('mode 5: hardware triggered strobe (retriggerable)', () => {
  it('counts from the CLK after a GATE trigger; OUT strobes low N+1 CLKs after the trigger', () => {
    const p = new PitBench();
    p.settle();
    p.program(2, 0x3a, 3);
    p.clk(4);
    expect(p.pit.out2.level).toBe(true);
    p.settle();
    p.pit.setGate(2, true);
    const rows = trace(p, 2, 6);
    expect(counts(rows).slice(0, 4)).toEqual([3, 2, 1, 0]);
    expect(outs(rows)).toEqual([1, 1, 1, 0, 1, 1]);
  });

  it('a trigger before terminal count restarts the count', () => {
    const p = new PitBench();
    p.settle();
    p.program(2, 0x3a, 3);
    const edges = recordEdges(p.pit.out2, p.bench);
    p.settle();
    p.pit.setGate(2, true);
    p.clk(2);
    p.pit.setGate(2, false);
    p.settle();
    const t1 = p.tick;
    p.pit.setGate(2, true);
    p.clk(10);
    expect(edges).toEqual([
      { tick: t1 + 4, level: false },
      { tick: t1 + 5, level: true },
    ]);
  });
});

import { edgeTime as edgeTimeOf, ticksAt as ticksOf } from './timebase';
