import { describe, expect, it } from 'vitest';
import { PitBench } from '../test/helpers';

// More of the 8254 datasheet's mode definitions (order 231164): counts written while GATE is
// low, triggers after a new count, the largest count (0), the null count flag, and the
// minimum counts ("Minimum and Maximum Initial Counts": 1 in modes 0, 1, 4, 5 and 2 in 2, 3).

const readAfter = (p: PitBench, i: number, n: number) => {
  const seq: number[] = [];
  for (let k = 0; k < n; k++) {
    p.clk();
    seq.push(p.read16(i));
  }
  return seq;
};

describe('mode 0: loading with GATE low, the largest count, null count', () => {
  it('a count written while GATE is low is still loaded on the next CLK, and held', () => {
    const p = new PitBench();
    p.settle();
    p.program(2, 0x30, 7);
    expect(readAfter(p, 2, 3)).toEqual([7, 7, 7]);
    p.pit.setGate(2, true);
    expect(readAfter(p, 2, 2)).toEqual([6, 5]);
  });

  it('count 0 is 65536: OUT goes high 65537 CLKs after the write', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x30, 0);
    p.clk(65536);
    expect(p.status(0) >> 7).toBe(0);
    expect(p.read16(0)).toBe(1);
    p.clk(1);
    expect(p.status(0) >> 7).toBe(1);
  });

  it('null count is set by the write and cleared by the CLK that loads CE', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x30, 100);
    expect(p.status(0) & 0x40).toBe(0x40);
    p.clk(1);
    expect(p.status(0) & 0x40).toBe(0);
    p.writeCount(0, 50);
    expect(p.status(0) & 0x40).toBe(0x40);
    p.clk(1);
    expect(p.status(0) & 0x40).toBe(0);
  });
});

describe('mode 2: trigger with a new count', () => {
  it('a trigger reloads CE on the next CLK, with a count written since', () => {
    const p = new PitBench();
    p.pit.setGate(2, true);
    p.settle();
    p.program(2, 0x34, 10);
    expect(readAfter(p, 2, 3)).toEqual([10, 9, 8]);
    p.writeCount(2, 4);
    p.pit.setGate(2, false);
    p.settle();
    p.pit.setGate(2, true);
    expect(readAfter(p, 2, 5)).toEqual([4, 3, 2, 1, 4]);
  });
});

describe('mode 3: trigger with a new count', () => {
  it('a trigger before the end of the half-cycle loads the new count on the next CLK', () => {
    const p = new PitBench();
    p.pit.setGate(2, true);
    p.settle();
    p.program(2, 0x36, 20);
    expect(readAfter(p, 2, 2)).toEqual([20, 18]);
    p.writeCount(2, 8);
    p.pit.setGate(2, false);
    p.settle();
    p.pit.setGate(2, true);
    const outs: number[] = [];
    const counts: number[] = [];
    for (let k = 0; k < 9; k++) {
      p.clk();
      counts.push(p.read16(2));
      outs.push(p.status(2) >> 7);
    }
    expect(counts).toEqual([8, 6, 4, 2, 8, 6, 4, 2, 8]);
    expect(outs).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 1]);
  });
});

describe('mode 5: a count written during counting', () => {
  it('does not affect the current count; the next trigger loads it', () => {
    const p = new PitBench();
    p.settle();
    p.program(2, 0x3a, 6);
    p.settle();
    p.pit.setGate(2, true);
    expect(readAfter(p, 2, 2)).toEqual([6, 5]);
    p.writeCount(2, 3);
    expect(readAfter(p, 2, 2)).toEqual([4, 3]);
    p.pit.setGate(2, false);
    p.settle();
    p.pit.setGate(2, true);
    expect(readAfter(p, 2, 4)).toEqual([3, 2, 1, 0]);
    expect(p.status(2) >> 7).toBe(0); // the strobe
  });
});

describe('illegal counts (below the datasheet minimum)', () => {
  it('mode 2 with count 1: CE reloads every CLK and OUT stays high (defined here)', () => {
    const p = new PitBench();
    const irq0 = p.bench.irq(0);
    p.settle();
    p.program(0, 0x34, 1);
    irq0.clear();
    expect(readAfter(p, 0, 4)).toEqual([1, 1, 1, 1]);
    expect(irq0.history).toEqual([]);
    expect(irq0.level).toBe(true);
  });

  it('mode 3 with count 1: OUT stays high and CE reads 0 (defined here)', () => {
    const p = new PitBench();
    const irq0 = p.bench.irq(0);
    p.settle();
    p.program(0, 0x36, 1);
    irq0.clear();
    expect(readAfter(p, 0, 4)).toEqual([0, 0, 0, 0]);
    expect(irq0.history).toEqual([]);
    p.writeCount(0, 4); // a legal count takes over at the next reload: low half of 2 CLKs
    p.clk(1);
    expect(irq0.level).toBe(false);
    expect(p.read16(0)).toBe(4);
    p.clk(2);
    expect(irq0.level).toBe(true);
  });
});
