import { SeededRandom } from '@backplane/bus';
import { ChecksumError, ValidationError, copyState, loadSection, saveSection } from '@backplane/vmstate';
import { describe, expect, it } from 'vitest';
import { COUNTER, PitBench, recordEdges } from '../test/helpers';
import { pitState } from './state';

function save(p: PitBench): { bytes: Uint8Array; clock: ReturnType<PitBench['bench']['clock']['save']> } {
  return { bytes: saveSection(pitState, p.pit.saveState(), { now: p.bench.clock.now }), clock: p.bench.clock.save() };
}

function restore(saved: ReturnType<typeof save>): PitBench {
  const q = new PitBench();
  q.bench.clock.restore(saved.clock);
  q.pit.loadState(loadSection(pitState, saved.bytes, { now: q.bench.clock.now }));
  return q;
}

describe('state: save in the middle of counting', () => {
  it('a PIT saved while counting in mode 3 and loaded into a fresh bench behaves like one that never stopped', () => {
    const a = new PitBench();
    a.pit.setGate(2, true);
    a.settle();
    a.program(0, 0x36, 1193); // ~1 kHz square wave on IRQ 0
    a.program(2, 0x36, 77); // odd count on counter 2 (speaker)
    a.program(1, 0x34, 18); // refresh-style rate generator
    a.bench.advance(1_234_567);
    a.bench.inb(COUNTER[0]); // leave counter 0's read flip-flop at the MSB
    a.control(0x00 | 0x80); // latch counter 2's count, left unread
    const saved = save(a);
    const b = restore(saved);
    const irqA = a.bench.irq(0);
    const irqB = b.bench.irq(0);
    const out2A = recordEdges(a.pit.out2, a.bench);
    const out2B = recordEdges(b.pit.out2, b.bench);
    const rnd = new SeededRandom(42);
    const readsA: number[] = [];
    const readsB: number[] = [];
    for (let i = 0; i < 400; i++) {
      const dt = rnd.below(50_000);
      a.bench.advance(dt);
      b.bench.advance(dt);
      const port = 0x40 + rnd.below(3);
      readsA.push(a.bench.inb(port));
      readsB.push(b.bench.inb(port));
      if (i === 200) {
        a.pit.setGate(2, false);
        b.pit.setGate(2, false);
      }
      if (i === 250) {
        a.pit.setGate(2, true);
        b.pit.setGate(2, true);
      }
    }
    expect(readsB).toEqual(readsA);
    expect(irqB.history).toEqual(irqA.history);
    expect(irqA.history.length).toBeGreaterThan(10);
    expect(out2B).toEqual(out2A);
    expect(out2A.length).toBeGreaterThan(100);
  });

  it('sends the read-back status subsection only while a latched status is unread', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x36, 100);
    const has = (bytes: Uint8Array) => Buffer.from(bytes).includes('readback-status');
    p.clk(1);
    expect(has(save(p).bytes)).toBe(false);
    p.control(0xe2); // latch counter 0's status
    const saved = save(p);
    expect(has(saved.bytes)).toBe(true);
    const q = restore(saved);
    expect(q.bench.inb(COUNTER[0])).toBe(0x80 | 0x36);
    p.bench.inb(COUNTER[0]);
    expect(has(save(p).bytes)).toBe(false);
  });

  it('refuses a corrupt stream with a typed error and keeps its state', () => {
    const p = new PitBench();
    p.settle();
    p.program(0, 0x36, 100);
    const saved = save(p);
    saved.bytes[saved.bytes.length - 3]! ^= 0x40;
    const q = new PitBench();
    const before = q.pit.saveState();
    expect(() => loadSection(pitState, saved.bytes, { now: 0 })).toThrow(ChecksumError);
    expect(q.pit.saveState()).toEqual(before);
  });

  it('refuses an invalid state object in loadState and applies nothing', () => {
    const p = new PitBench();
    const good = p.pit.saveState();
    const bad = copyState(pitState, good);
    bad.counters[1]!.control = 0x06; // no read/write format
    expect(() => p.pit.loadState(bad)).toThrow(ValidationError);
    const bcd = copyState(pitState, good);
    bcd.counters[2]!.control = 0x31;
    bcd.counters[2]!.ce = 12345;
    expect(() => p.pit.loadState(bcd)).toThrow(ValidationError);
    expect(p.pit.saveState()).toEqual(good);
  });
});
