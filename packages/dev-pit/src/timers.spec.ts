import { describe, expect, it } from 'vitest';
import { COUNTER, PitBench } from '../test/helpers';

// Reads are computed from the state and the clock edge; the only events on the virtual clock
// are each connected OUT line's next change (counter 0 on IRQ 0, counter 2 on `out2`).

const pending = (p: PitBench) => p.bench.clock.pending().map((e) => e.name);

describe('OUT timers', () => {
  it('arms nothing while no counter can change its OUT', () => {
    const p = new PitBench();
    expect(pending(p)).toEqual([]);
  });

  it('mode 0 arms one event, for terminal count, and none after it', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x30, 1000);
    expect(pending(p)).toEqual(['pit.out0']);
    p.clk(1001);
    expect(p.bench.irq(0).level).toBe(true);
    expect(pending(p)).toEqual([]);
  });

  it('counter 1 (no OUT line) never arms an event, but its OUT reads through the status', () => {
    const p = new PitBench();
    p.settle();
    p.program(1, 0x34, 18);
    expect(pending(p)).toEqual([]);
    p.clk(18); // mode 2: OUT low N CLKs after the write
    expect(p.status(1) >> 7).toBe(0);
    expect(p.pit.outLevel(1)).toBe(false);
  });

  it('counter 2 with GATE low in mode 3 arms nothing; GATE high starts its edges', () => {
    const p = new PitBench();
    p.settle();
    p.program(2, 0x36, 100);
    expect(pending(p)).toEqual([]);
    p.pit.setGate(2, true);
    expect(pending(p)).toEqual(['pit.out2']);
  });

  it('reading the count is free of events: a thousand reads arm nothing new and fire nothing', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x34, 50_000);
    const before = p.bench.clock.pending();
    for (let i = 0; i < 1000; i++) p.bench.inb(COUNTER[0]);
    expect(p.bench.clock.pending()).toEqual(before);
  });
});

describe('reset and unplug', () => {
  it('reset returns every counter to the power-on state: mode 0, OUT low, null count', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x36, 100);
    p.clk(10);
    p.bench.bus.reset();
    expect(p.status(0)).toBe(0x40 | 0x30);
    expect(p.bench.irq(0).level).toBe(false);
    expect(pending(p)).toEqual([]);
  });

  it('unplug gives back the ports, the IRQ line and the timers', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x36, 100);
    p.bench.bus.unplug('pit');
    expect(p.bench.io.owner(0x40)).toBeUndefined();
    expect(p.bench.bus.irq.level(0)).toBe(false);
    expect(pending(p)).toEqual([]);
  });
});
