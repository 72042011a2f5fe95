import { SeededRandom } from '@backplane/bus';
import { describe, expect, it } from 'vitest';
import { PIT_HZ } from './registers';
import { edgeTime, ticksAt } from './timebase';

// The PC's PIT input: 14.31818 MHz / 12 = 1.193182 MHz (IBM PC/AT Technical Reference).
describe('PIT clock from virtual nanoseconds', () => {
  it('has exactly 1193182 edges per second of virtual time, at any point in a long run', () => {
    expect(PIT_HZ).toBe(1_193_182);
    expect(ticksAt(1e9)).toBe(1_193_182);
    for (const s of [1, 60, 3600, 86_400 * 365]) expect(ticksAt(s * 1e9)).toBe(s * 1_193_182);
  });

  it('edge k is at the first whole ns at or after k / 1.193182 MHz (838.095 ns apart)', () => {
    expect(edgeTime(0)).toBe(0);
    expect(edgeTime(1)).toBe(839); // 838.0953 ns, rounded up
    expect(edgeTime(2)).toBe(1677); // 1676.19 ns
    expect(edgeTime(1_193_182)).toBe(1e9);
  });

  it('ticksAt and edgeTime are inverse: edgeTime(ticksAt(t)) <= t < edgeTime(ticksAt(t) + 1)', () => {
    const rnd = new SeededRandom(8254);
    for (let i = 0; i < 20_000; i++) {
      const t = rnd.nextUint32() * 2048 + rnd.below(2048); // up to ~100 days, in ns
      const k = ticksAt(t);
      if (!(edgeTime(k) <= t && t < edgeTime(k + 1))) expect.fail(`t=${t} k=${k}`);
      if (ticksAt(edgeTime(k)) !== k) expect.fail(`edge ${k}`);
    }
  });

  it('stays exact up to 2^53 ns (104 days) without floating-point drift', () => {
    const t = Number.MAX_SAFE_INTEGER;
    const k = ticksAt(t);
    // floor(t * 1193182 / 1e9) computed with BigInt.
    expect(BigInt(k)).toBe((BigInt(t) * 1_193_182n) / 1_000_000_000n);
    expect(edgeTime(k)).toBeLessThanOrEqual(t);
  });
});
