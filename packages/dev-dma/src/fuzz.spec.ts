// Port-write fuzz: thousands of random accesses through every port of the pair, with devices
// asserting DREQ at random, must raise no exception and leave every register in its range.
import { SeededRandom } from '@backplane/bus';
import { describe, expect, it } from 'vitest';
import { FakeDevice, bytes, setup } from '../test/helpers';

const PORTS = [
  ...Array.from({ length: 16 }, (_, i) => i),
  ...Array.from({ length: 32 }, (_, i) => 0xc0 + i),
  ...Array.from({ length: 16 }, (_, i) => 0x80 + i),
];

describe('port fuzz', () => {
  it.each([1, 2, 3])('survives 20000 random accesses (seed %i) with registers in range', (seed) => {
    const rng = new SeededRandom(seed);
    const { bench, dma } = setup({ cascade: rng.below(2) === 0 });
    const devices = [1, 2, 3, 5, 6].map((ch) => new FakeDevice(bench, ch, bytes(0x20000, ch)));
    for (let i = 0; i < 20_000; i++) {
      const r = rng.below(10);
      if (r < 6) bench.outb(PORTS[rng.below(PORTS.length)]!, rng.below(256));
      else if (r < 9) bench.inb(PORTS[rng.below(PORTS.length)]!);
      else {
        const d = devices[rng.below(devices.length)]!;
        d.perCall = 1 + rng.below(64);
        if (rng.below(4) === 0) d.channel.release();
        else d.supply(2 * rng.below(32));
      }
    }
    const s = dma.state;
    for (const c of s.controllers) {
      for (const v of [c.command, c.temporary]) expect(v).toBeGreaterThanOrEqual(0), expect(v).toBeLessThan(256);
      for (const v of [c.tc, c.request, c.mask]) expect(v & ~0x0f).toBe(0);
      expect(c.priority).toBeLessThan(4);
    }
    for (const ch of s.channels)
      for (const v of [ch.baseAddress, ch.baseCount, ch.currentAddress, ch.currentCount]) {
        expect(Number.isInteger(v)).toBe(true);
        expect(v >= 0 && v <= 0xffff).toBe(true);
      }
    for (const p of s.pages) expect(p >= 0 && p <= 0xff).toBe(true);
  });
});
