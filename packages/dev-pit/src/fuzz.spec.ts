import { SeededRandom } from '@backplane/bus';
import { createTestBench } from '@backplane/bus/testing';
import { saveSection, validate } from '@backplane/vmstate';
import { describe, expect, it } from 'vitest';
import { PitBench } from '../test/helpers';
import { PIT, pitModule } from './module';
import { pitState } from './state';

describe('port-write fuzz', () => {
  it('20000 random port writes, reads, GATE changes and time steps: no exception, a valid state, OUT lines that match the counters', () => {
    const p = new PitBench();
    const rnd = new SeededRandom(0x8254);
    let reads = 0;
    for (let i = 0; i < 20_000; i++) {
      const op = rnd.below(10);
      if (op < 4) {
        // Control words are biased towards real programming, with the read-back command included.
        const port = 0x40 + rnd.below(4);
        p.bench.outb(port, rnd.below(256));
      } else if (op < 7) {
        p.bench.inb(0x40 + rnd.below(4));
        reads++;
      } else if (op < 8) {
        p.pit.setGate(rnd.below(3) as 0 | 1 | 2, rnd.below(2) === 1);
      } else {
        p.bench.advance(rnd.below(4) === 0 ? rnd.below(100_000_000) : rnd.below(5_000));
      }
      // OUT lines (driven only by timers at edges) always equal the computed OUT.
      if (p.bench.bus.irq.level(0) !== p.pit.outLevel(0)) expect.fail(`IRQ 0 line disagrees with counter 0 OUT after op ${i}`);
      if (p.pit.out2.level !== p.pit.outLevel(2)) expect.fail(`OUT2 line disagrees with counter 2 OUT after op ${i}`);
      if (i % 500 === 0) {
        validate(pitState, p.pit.saveState());
        saveSection(pitState, p.pit.saveState(), { now: p.bench.clock.now });
      }
    }
    expect(reads).toBeGreaterThan(5000);
  });

  it('is deterministic: two PITs given the same inputs end in the same state', () => {
    const run = () => {
      const p = new PitBench();
      const rnd = new SeededRandom(7);
      const seen: number[] = [];
      for (let i = 0; i < 5000; i++) {
        if (rnd.below(2)) p.bench.outb(0x40 + rnd.below(4), rnd.below(256));
        else seen.push(p.bench.inb(0x40 + rnd.below(3)));
        p.bench.advance(rnd.below(20_000));
      }
      return { seen, state: p.pit.saveState(), irq: p.bench.irq(0).level };
    };
    expect(run()).toEqual(run());
  });
});

describe('module', () => {
  it('claims the PC/AT ports 40h-43h and IRQ 0 by default', () => {
    const bench = createTestBench([pitModule()]);
    for (const port of [0x40, 0x41, 0x42, 0x43]) expect(bench.io.owner(port)).toBe('pit');
    expect(bench.io.owner(0x44)).toBeUndefined();
    expect(bench.bus.irq.ownersOf(0)).toEqual(['pit']);
    bench.outb(0x43, 0x30);
    bench.outb(0x40, 5);
    bench.outb(0x40, 0);
    bench.advance(10_000);
    expect(bench.irq(0).level).toBe(true);
  });

  it('takes other resources: I/O base and IRQ', () => {
    const bench = createTestBench([pitModule({ iobase: 0x48, irq: 5 }, 'pit2')]);
    expect(bench.get(PIT).id).toBe('pit2');
    expect(bench.bus.irq.ownersOf(5)).toEqual(['pit2']);
    bench.outb(0x4b, 0x30);
    bench.outb(0x48, 5);
    bench.outb(0x48, 0);
    bench.advance(10_000);
    expect(bench.irq(5).level).toBe(true);
    expect(bench.inb(0x43)).toBe(0xff); // unclaimed: floats
  });
});
