import { loadSection, saveSection } from '@backplane/vmstate';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COUNTER, PitBench } from '../test/helpers';
import { pitState } from './state';

// A version-1 stream, frozen: every later version of this package must still load it. The
// file was written by this test with UPDATE_GOLDEN=1 (never rewrite it once released).
const GOLDEN = new URL('../test/golden/pit-8254-v1.hex', import.meta.url);

function scenario(): PitBench {
  const p = new PitBench();
  p.pit.setGate(2, true);
  p.settle();
  p.program(0, 0x36, 0x1234); // mode 3
  p.program(1, 0x15, 0x18); // mode 2, LSB only, BCD
  p.program(2, 0x32, 1000); // mode 1, waiting for a trigger
  p.clk(1000);
  p.control(0xe2); // counter 0 status latched (the readback-status subsection)
  return p;
}

describe('golden stream: pit-8254 version 1', () => {
  it('loads, behaves as saved, and re-encodes to the same bytes', () => {
    const p = scenario();
    const bytes = saveSection(pitState, p.pit.saveState(), { now: p.bench.clock.now });
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, Buffer.from(bytes).toString('hex') + '\n');
    expect(existsSync(GOLDEN), 'test/golden/pit-8254-v1.hex is part of the package sources').toBe(true);
    const golden = new Uint8Array(Buffer.from(readFileSync(GOLDEN, 'utf8').trim(), 'hex'));
    const q = new PitBench();
    q.bench.clock.restore(p.bench.clock.save());
    const state = loadSection(pitState, golden, { now: q.bench.clock.now });
    expect(state.counters.map((c) => c.control)).toEqual([0x36, 0x15, 0x32]);
    q.pit.loadState(state);
    expect(saveSection(pitState, q.pit.saveState(), { now: q.bench.clock.now })).toEqual(golden);
    expect(q.bench.inb(COUNTER[0])).toBe(0x80 | 0x36); // the latched status
    expect(p.bench.inb(COUNTER[0])).toBe(0x80 | 0x36);
    expect(q.read16(0)).toBe(p.read16(0));
    expect(q.bench.inb(COUNTER[1])).toBe(p.bench.inb(COUNTER[1]));
  });
});
