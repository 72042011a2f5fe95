// Saving and loading the RTC through its vmstate descriptor.
import { SeededRandom } from '@backplane/bus';
import { ValidationError, VmstateError, loadSection, saveSection } from '@backplane/vmstate';
import { describe, expect, it } from 'vitest';
import { FIRST_UPDATE_END, rd, setTime, setup, wr } from '../test/helpers';
import { rtcState } from './state';

type Bench = ReturnType<typeof setup>['bench'];

/** Run the same guest program on two benches and record what each sees (times relative to `t0`). */
function run(bench: Bench, t0: number, seed: number): string[] {
  const rng = new SeededRandom(seed);
  const irq = bench.irq(8);
  irq.clear();
  const seen: string[] = [];
  for (let i = 0; i < 400; i++) {
    bench.advance(1 + rng.below(20_000_000));
    const reg = [0x00, 0x02, 0x04, 0x07, 0x0a, 0x0c][rng.below(6)]!;
    seen.push(`${bench.clock.now - t0}:${reg}=${rd(bench, reg)}`);
  }
  seen.push(...irq.history.map((h) => `irq@${h.time - t0}=${h.level}`));
  return seen;
}

describe('save in the middle: just before an update cycle', () => {
  it('a fresh instance loaded from the section shows the same ports from then on as one that never stopped', () => {
    const a = setup();
    wr(a.bench, 0x0b, 0x72); // PIE, AIE, UIE
    wr(a.bench, 0x01, 0xc0);
    wr(a.bench, 0x03, 0x00);
    wr(a.bench, 0x05, 0xc0); // alarm: every hour at minute 00
    wr(a.bench, 0x20, 0x5a);
    a.bench.advanceTo(FIRST_UPDATE_END - 1_000); // UIP is up, the update has not ended yet
    expect(rd(a.bench, 0x0a) & 0x80).toBe(0x80);
    const bytes = saveSection(rtcState, a.rtc.saveState(), { now: a.bench.clock.now });

    const b = setup({ startTime: Date.UTC(1999, 11, 31) }); // its own start time is replaced by the load
    b.bench.advance(12_345_678); // a different virtual time on the loading side
    b.rtc.loadState(loadSection(rtcState, bytes, { now: b.bench.clock.now }));
    expect(rd(b.bench, 0x0a) & 0x80).toBe(0x80);

    expect(run(b.bench, b.bench.clock.now, 7)).toEqual(run(a.bench, a.bench.clock.now, 7));
    expect(rd(b.bench, 0x20)).toBe(0x5a);
  });
});

describe('descriptor and subsections', () => {
  it('leaves the dst-fallback subsection out in the usual state', () => {
    const { bench, rtc } = setup();
    const bytes = saveSection(rtcState, rtc.saveState(), { now: bench.clock.now });
    expect(Buffer.from(bytes).includes('dst-fallback')).toBe(false);
  });

  it('carries it during the hour after the October fall-back, and the loaded clock does not fall back twice', () => {
    const a = setup();
    wr(a.bench, 0x0b, 0x03);
    setTime(a.bench, { sec: 0x59, min: 0x59, hour: 0x01, dow: 0x01, date: 0x27, month: 0x10, year: 0x24 });
    a.bench.advanceTo(FIRST_UPDATE_END);
    expect(rd(a.bench, 0x04)).toBe(0x01);
    const bytes = saveSection(rtcState, a.rtc.saveState(), { now: a.bench.clock.now });
    expect(Buffer.from(bytes).includes('dst-fallback')).toBe(true);

    const b = setup();
    b.rtc.loadState(loadSection(rtcState, bytes, { now: b.bench.clock.now }));
    wr(b.bench, 0x0b, 0x83);
    wr(b.bench, 0x02, 0x59);
    wr(b.bench, 0x00, 0x59);
    wr(b.bench, 0x0b, 0x03);
    b.bench.advance(1_000_000_000);
    expect(rd(b.bench, 0x04)).toBe(0x02);
  });

  it('refuses a corrupt section with a typed error and leaves the device as it was', () => {
    const a = setup();
    const bytes = saveSection(rtcState, a.rtc.saveState(), { now: 0 });
    bytes[bytes.length - 3] ^= 0xff;
    const b = setup();
    wr(b.bench, 0x30, 0x77);
    expect(() => b.rtc.loadState(loadSection(rtcState, bytes, { now: 0 }))).toThrow(VmstateError);
    expect(rd(b.bench, 0x30)).toBe(0x77);
  });

  it('refuses an invalid state object before adopting any of it', () => {
    const { bench, rtc } = setup();
    const bad = rtc.saveState();
    bad.index = 200;
    bad.cmos[0x30] = 0x12;
    expect(() => rtc.loadState(bad)).toThrow(ValidationError);
    expect(rd(bench, 0x30)).toBe(0);
  });
});
