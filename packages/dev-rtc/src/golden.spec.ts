// Golden stream: the version-1 section of a known RTC state, committed as bytes. A later build
// must still load it (version skew between saver and loader is normal) and, while the descriptor
// is pinned to version 1, must encode the same state to the same bytes.
// Regenerate only on purpose: UPDATE_GOLDEN=1 npx vitest run --project dev-rtc golden
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadSection, saveSection, type VersionPins } from '@backplane/vmstate';
import { describe, expect, it } from 'vitest';
import { FIRST_UPDATE_END, rd, setTime, setup, wr } from '../test/helpers';
import { rtcState } from './state';

const GOLDEN = fileURLToPath(new URL('../test/golden/rtc-mc146818-v1.bin', import.meta.url));

/** 27 Oct 2024 01:00:00 after the DST fall-back, DSE + UIE + 24 h BCD, RAM 0x40 = 0xA5, NMI masked, index 0x0C. */
function scenario(versions?: VersionPins): Uint8Array {
  const { bench, rtc } = setup();
  wr(bench, 0x0b, 0x13);
  setTime(bench, { sec: 0x59, min: 0x59, hour: 0x01, dow: 0x01, date: 0x27, month: 0x10, year: 0x24 });
  wr(bench, 0x40, 0xa5);
  bench.advanceTo(FIRST_UPDATE_END + 250_000_000);
  bench.outb(0x70, 0x8c);
  return saveSection(rtcState, rtc.saveState(), { now: bench.clock.now, ...(versions ? { versions } : {}) });
}

describe('golden stream rtc-mc146818 v1', () => {
  it('loads into a fresh clock that shows the saved time, flags and subsection', () => {
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, scenario());
    expect(existsSync(GOLDEN)).toBe(true);
    const bytes = new Uint8Array(readFileSync(GOLDEN));
    const { bench, rtc } = setup({ startTime: 0 });
    rtc.loadState(loadSection(rtcState, bytes, { now: bench.clock.now }));
    expect(rtc.state.fallBackDone).toBe(true);
    expect(rtc.nmiMasked).toBe(true);
    expect(rd(bench, 0x40)).toBe(0xa5);
    expect([rd(bench, 0x04), rd(bench, 0x02), rd(bench, 0x00)]).toEqual([0x01, 0x00, 0x00]);
    expect(rd(bench, 0x0b)).toBe(0x13);
    expect(rd(bench, 0x0c) & 0x90).toBe(0x90); // the update that fell back ended with UF, UIE set
    bench.advance(750_000_000); // the next update is 750 ms after the save
    expect(rd(bench, 0x00)).toBe(0x01);
  });

  it('is what this build writes for the same state when pinned to version 1 (as the pc-1.0 machine type does)', () => {
    expect(Buffer.from(scenario({ 'rtc-mc146818': 1 })).equals(readFileSync(GOLDEN))).toBe(true);
  });

  it('pinned to version 1, a clock whose upper bank holds data refuses to save rather than lose it', () => {
    const { bench, rtc } = setup({ upperBase: 0x72 });
    bench.outb(0x72, 0x10);
    bench.outb(0x73, 0x01);
    expect(() => saveSection(rtcState, rtc.saveState(), { now: bench.clock.now, versions: { 'rtc-mc146818': 1 } })).toThrow(
      /field "upper" \(since version 2\) holds a value that version 1 cannot carry/,
    );
  });
});
