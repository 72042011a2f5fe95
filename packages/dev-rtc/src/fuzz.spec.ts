// Port-write fuzz: thousands of random accesses to 70h/71h with virtual time moving must raise no
// exception and leave the clock in a state its own descriptor accepts.
import { SeededRandom } from '@backplane/bus';
import { validate } from '@backplane/vmstate';
import { describe, expect, it } from 'vitest';
import { setup } from '../test/helpers';
import { rtcState } from './state';

describe('port fuzz', () => {
  it.each([1, 2, 3])('survives 20000 random accesses (seed %i)', (seed) => {
    const rng = new SeededRandom(seed);
    const { bench, rtc } = setup();
    for (let i = 0; i < 20_000; i++) {
      const r = rng.below(10);
      if (r < 4) bench.outb(0x70, rng.below(256));
      else if (r < 6) bench.outb(0x71, rng.below(256));
      else if (r < 9) bench.inb(0x70 + rng.below(2));
      else bench.advance(rng.below(50_000_000));
    }
    expect(() => validate(rtcState, rtc.saveState())).not.toThrow();
    expect(bench.inb(0x71)).toBeGreaterThanOrEqual(0);
  });
});
