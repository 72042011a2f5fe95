// Pure clock maths of the MC146818A: BCD/binary register formats, the once-a-second update of
// the time and calendar registers (12/24 hours, month lengths, leap years, daylight saving), the
// alarm comparison, and the periodic-interrupt lattice in virtual nanoseconds.
import {
  ALARM_DONT_CARE,
  B_24H,
  B_DM_BINARY,
  B_DSE,
  HOURS_PM,
  REG_DATE,
  REG_DAY_OF_WEEK,
  REG_HOURS,
  REG_HOURS_ALARM,
  REG_MINUTES,
  REG_MINUTES_ALARM,
  REG_MONTH,
  REG_SECONDS,
  REG_SECONDS_ALARM,
  REG_YEAR,
  SECOND_NS,
  TIME_BASE_HZ,
} from './registers';

/** A register byte as a number, in the data mode of register B (BCD digits are not checked). */
export function decode(value: number, binary: boolean): number {
  return binary ? value : (value >>> 4) * 10 + (value & 0x0f);
}

/** A number 0-99 as a register byte in the data mode of register B. */
export function encode(value: number, binary: boolean): number {
  return binary ? value : (Math.floor(value / 10) << 4) | value % 10;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Days in a month as the chip counts them: February has 29 days in years divisible by 4 (the
 * year register holds 0-99 only, so 2000 is a leap year and the rule is right from 1901 to 2099).
 * An invalid month counts 31 days.
 */
export function daysInMonth(month: number, year: number): number {
  if (month < 1 || month > 12) return 31;
  if (month === 2) return year % 4 === 0 ? 29 : 28;
  return MONTH_DAYS[month - 1]!;
}

/**
 * One update cycle: advance the time and calendar registers of `cmos` by one second, in the
 * formats register B selects. Values out of range roll over as if they were the maximum (the
 * datasheet leaves them undefined; this keeps every register in a defined state). Returns the
 * new "October fall-back done" flag for daylight saving.
 */
export function advanceSecond(cmos: Uint8Array, regB: number, fallBackDone: boolean): boolean {
  const bin = (regB & B_DM_BINARY) !== 0;
  const sec = decode(cmos[REG_SECONDS]!, bin);
  if (sec < 59) {
    cmos[REG_SECONDS] = encode(sec + 1, bin);
    return fallBackDone;
  }
  cmos[REG_SECONDS] = encode(0, bin);
  const min = decode(cmos[REG_MINUTES]!, bin);
  if (min < 59) {
    cmos[REG_MINUTES] = encode(min + 1, bin);
    return fallBackDone;
  }
  cmos[REG_MINUTES] = encode(0, bin);

  // Hours, with daylight saving (datasheet: last Sunday in April 1:59:59 AM -> 3:00:00 AM; last
  // Sunday in October, the first time 1:59:59 AM is reached -> 1:00:00 AM).
  const h24 = (regB & B_24H) !== 0;
  const raw = cmos[REG_HOURS]!;
  const pm = !h24 && (raw & HOURS_PM) !== 0;
  const hour = decode(h24 ? raw : raw & ~HOURS_PM, bin);
  if (regB & B_DSE && hour === 1 && !pm) {
    const month = decode(cmos[REG_MONTH]!, bin);
    const date = decode(cmos[REG_DATE]!, bin);
    const sunday = decode(cmos[REG_DAY_OF_WEEK]!, bin) === 1;
    if (sunday && month === 4 && date >= 24) {
      cmos[REG_HOURS] = encode(3, bin);
      return fallBackDone;
    }
    if (sunday && month === 10 && date >= 25 && !fallBackDone) {
      cmos[REG_HOURS] = encode(1, bin);
      return true;
    }
  }
  if (h24) {
    if (hour < 23) {
      cmos[REG_HOURS] = encode(hour + 1, bin);
      return fallBackDone;
    }
    cmos[REG_HOURS] = encode(0, bin);
  } else {
    // 12-hour clock: 12 -> 1 keeps AM/PM; 11 -> 12 flips it; 11:59:59 PM -> 12:00:00 AM is a new day.
    if (hour >= 12 || hour < 1) {
      cmos[REG_HOURS] = encode(1, bin) | (pm ? HOURS_PM : 0);
      return fallBackDone;
    }
    if (hour < 11) {
      cmos[REG_HOURS] = encode(hour + 1, bin) | (pm ? HOURS_PM : 0);
      return fallBackDone;
    }
    if (!pm) {
      cmos[REG_HOURS] = encode(12, bin) | HOURS_PM;
      return fallBackDone;
    }
    cmos[REG_HOURS] = encode(12, bin);
  }

  // A new day.
  const dow = decode(cmos[REG_DAY_OF_WEEK]!, bin);
  cmos[REG_DAY_OF_WEEK] = encode(dow >= 7 || dow < 1 ? 1 : dow + 1, bin);
  const date = decode(cmos[REG_DATE]!, bin);
  const month = decode(cmos[REG_MONTH]!, bin);
  const year = decode(cmos[REG_YEAR]!, bin);
  if (date < daysInMonth(month, year) && date >= 1) {
    cmos[REG_DATE] = encode(date + 1, bin);
    return false;
  }
  cmos[REG_DATE] = encode(1, bin);
  if (month < 12 && month >= 1) {
    cmos[REG_MONTH] = encode(month + 1, bin);
    return false;
  }
  cmos[REG_MONTH] = encode(1, bin);
  cmos[REG_YEAR] = encode(year >= 99 ? 0 : year + 1, bin);
  return false;
}

/** The alarm matches: each of seconds, minutes, hours equals its alarm byte, or the alarm byte is C0h-FFh. */
export function alarmMatches(cmos: Uint8Array): boolean {
  return (
    matches(cmos[REG_SECONDS_ALARM]!, cmos[REG_SECONDS]!) &&
    matches(cmos[REG_MINUTES_ALARM]!, cmos[REG_MINUTES]!) &&
    matches(cmos[REG_HOURS_ALARM]!, cmos[REG_HOURS]!)
  );
}

function matches(alarm: number, value: number): boolean {
  return (alarm & ALARM_DONT_CARE) === ALARM_DONT_CARE || alarm === value;
}

/** Calendar fields of an instant (UTC), as the clock registers hold them. */
export interface CalendarTime {
  readonly year: number;
  readonly month: number;
  readonly date: number;
  /** 1-7, Sunday = 1. */
  readonly dayOfWeek: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
}

/** The UTC calendar fields of `epochMs` (milliseconds since 1970-01-01T00:00:00Z). */
export function calendarOf(epochMs: number): CalendarTime {
  const d = new Date(epochMs);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    date: d.getUTCDate(),
    dayOfWeek: d.getUTCDay() + 1,
    hours: d.getUTCHours(),
    minutes: d.getUTCMinutes(),
    seconds: d.getUTCSeconds(),
  };
}

/** Write a calendar time into the clock registers of `cmos` in the formats of register B. */
export function setClockRegisters(cmos: Uint8Array, regB: number, t: CalendarTime): void {
  const bin = (regB & B_DM_BINARY) !== 0;
  cmos[REG_SECONDS] = encode(t.seconds, bin);
  cmos[REG_MINUTES] = encode(t.minutes, bin);
  if (regB & B_24H) cmos[REG_HOURS] = encode(t.hours, bin);
  else {
    const h12 = t.hours % 12 === 0 ? 12 : t.hours % 12;
    cmos[REG_HOURS] = encode(h12, bin) | (t.hours >= 12 ? HOURS_PM : 0);
  }
  cmos[REG_DAY_OF_WEEK] = encode(t.dayOfWeek, bin);
  cmos[REG_DATE] = encode(t.date, bin);
  cmos[REG_MONTH] = encode(t.month, bin);
  cmos[REG_YEAR] = encode(t.year % 100, bin);
}

// ---- The periodic interrupt lattice ----
// Periodic flags fall at u + j * cycles * (1e9 / 32768) ns for every integer j, where u is the
// start of an update cycle (every period divides both half a second and a second). Exact
// instants are fractional ns; an event is due at the first whole ns at or after its instant.
// Arithmetic is split into whole seconds so it stays exact for any virtual time.

const NS_NUM = 1953125; // 1e9 / 32768 = 1953125 / 64
const NS_DEN = 64;

/** How many periodic instants lie at or before `t` (counting from the lattice origin `u`). */
export function periodicIndex(t: number, u: number, cycles: number): number {
  const perSecond = TIME_BASE_HZ / cycles;
  const d = t - u;
  const s = Math.floor(d / SECOND_NS);
  const r = d - s * SECOND_NS;
  return s * perSecond + Math.floor((r * NS_DEN) / (cycles * NS_NUM));
}

/** The virtual time (whole ns) at which periodic instant `j` is due. */
export function periodicTime(j: number, u: number, cycles: number): number {
  const perSecond = TIME_BASE_HZ / cycles;
  const s = Math.floor(j / perSecond);
  const jr = j - s * perSecond;
  return u + s * SECOND_NS + Math.ceil((jr * cycles * NS_NUM) / NS_DEN);
}
