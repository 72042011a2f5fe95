// The update cycle's calendar arithmetic against an independent calendar (ECMAScript's UTC Date,
// proleptic Gregorian, which agrees with the chip's divisible-by-4 leap rule from 1901 to 2099).
import { SeededRandom } from '@backplane/bus';
import { describe, expect, it } from 'vitest';
import { advanceSecond, calendarOf, daysInMonth, setClockRegisters } from './calendar';
import { B_24H, B_DM_BINARY } from './registers';

const FROM = Date.UTC(1901, 0, 1);
const TO = Date.UTC(2099, 11, 31, 23, 59, 59);
const DAY = 86_400_000;

describe('one update cycle = one second of the calendar', () => {
  it.each([
    ['BCD, 24 h', B_24H],
    ['binary, 24 h', B_24H | B_DM_BINARY],
    ['BCD, 12 h', 0],
    ['binary, 12 h', B_DM_BINARY],
  ])('agrees with the UTC calendar at 20000 day ends from 1901 to 2099 (%s)', (_name, regB) => {
    const rng = new SeededRandom(regB + 11);
    const cmos = new Uint8Array(128);
    const expected = new Uint8Array(128);
    for (let i = 0; i < 20_000; i++) {
      // the last second of a random day: every carry (minute, hour, day, month, year) happens there
      const day = FROM + rng.below(Math.floor((TO - FROM) / DAY)) * DAY;
      const t = day + DAY - 1000;
      setClockRegisters(cmos, regB, calendarOf(t));
      advanceSecond(cmos, regB, false);
      setClockRegisters(expected, regB, calendarOf(t + 1000));
      expect(Array.from(cmos.subarray(0, 10)), new Date(t).toISOString()).toEqual(Array.from(expected.subarray(0, 10)));
    }
  });

  it('agrees at 20000 random seconds (12-hour noon and midnight included)', () => {
    const rng = new SeededRandom(99);
    const cmos = new Uint8Array(128);
    const expected = new Uint8Array(128);
    for (let i = 0; i < 20_000; i++) {
      const t = FROM + rng.below(Math.floor((TO - FROM) / 1000)) * 1000;
      const regB = i & 1 ? 0 : B_24H;
      setClockRegisters(cmos, regB, calendarOf(t));
      advanceSecond(cmos, regB, false);
      setClockRegisters(expected, regB, calendarOf(t + 1000));
      expect(Array.from(cmos.subarray(0, 10))).toEqual(Array.from(expected.subarray(0, 10)));
    }
  });
});

describe('month lengths', () => {
  it('match the Gregorian calendar for every month from 1901 to 2099', () => {
    for (let y = 1901; y <= 2099; y++)
      for (let m = 1; m <= 12; m++) expect(daysInMonth(m, y % 100)).toBe(new Date(Date.UTC(y, m, 0)).getUTCDate());
  });
});
