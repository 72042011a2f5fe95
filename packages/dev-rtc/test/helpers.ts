// Shared helpers for the dev-rtc specs: the RTC alone on a bench, and register access the way a
// BIOS does it (index to 70h, data at 71h).
import { createTestBench, type TestBench } from '@backplane/bus/testing';
import { RTC, rtcModule } from '../src/module';
import type { Rtc, RtcResources } from '../src/Rtc';

/** 2024-02-28 23:59:58 UTC, a Wednesday. */
export const START = Date.UTC(2024, 1, 28, 23, 59, 58);

export function setup(resources: Partial<RtcResources> = {}): { bench: TestBench; rtc: Rtc } {
  const bench = createTestBench([rtcModule({ startTime: START, ...resources })]);
  return { bench, rtc: bench.get(RTC) };
}

export function rd(bench: TestBench, reg: number): number {
  bench.outb(0x70, reg);
  return bench.inb(0x71);
}

export function wr(bench: TestBench, reg: number, value: number): void {
  bench.outb(0x70, reg);
  bench.outb(0x71, value);
}

export interface ClockFields {
  sec: number;
  min: number;
  hour: number;
  dow: number;
  date: number;
  month: number;
  year: number;
}

/** Set the clock registers (raw bytes, in whatever mode register B selects) with SET held. */
export function setTime(bench: TestBench, t: ClockFields): void {
  const b = rd(bench, 0x0b);
  wr(bench, 0x0b, b | 0x80);
  wr(bench, 0x00, t.sec);
  wr(bench, 0x02, t.min);
  wr(bench, 0x04, t.hour);
  wr(bench, 0x06, t.dow);
  wr(bench, 0x07, t.date);
  wr(bench, 0x08, t.month);
  wr(bench, 0x09, t.year);
  wr(bench, 0x0b, b & ~0x80);
}

export function readTime(bench: TestBench): ClockFields {
  return {
    sec: rd(bench, 0x00),
    min: rd(bench, 0x02),
    hour: rd(bench, 0x04),
    dow: rd(bench, 0x06),
    date: rd(bench, 0x07),
    month: rd(bench, 0x08),
    year: rd(bench, 0x09),
  };
}

/** Virtual time at which the first update after plugging ends (START has no milliseconds). */
export const FIRST_UPDATE_END = 1_000_000_000;
/** 1984 us update cycle + 244 us lead. */
export const UIP_WINDOW = 1_984_000 + 244_000;
