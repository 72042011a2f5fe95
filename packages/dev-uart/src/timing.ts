import { LCR_PEN, LCR_STB, LCR_WLS } from './registers';

/**
 * Half-bit count of one frame under line control `lcr`: a start bit, 5 to 8 data bits, an
 * optional parity bit and 1, 1.5 (5-bit words) or 2 stop bits (datasheet, LCR bits 0-3).
 */
export function frameHalfBits(lcr: number): number {
  const wordLength = 5 + (lcr & LCR_WLS);
  const stopHalves = lcr & LCR_STB ? (wordLength === 5 ? 3 : 4) : 2;
  return 2 * (1 + wordLength + (lcr & LCR_PEN ? 1 : 0)) + stopHalves;
}

/**
 * Time of one character frame in ns: the baud generator divides the input clock by the
 * divisor, and one bit lasts 16 of its output cycles. A divisor of 0 is not defined by the
 * datasheet; it is taken as 65536 here (the slowest rate), so time still passes.
 */
export function characterTimeNs(lcr: number, divisor: number, clockHz: number): number {
  const d = divisor === 0 ? 0x10000 : divisor;
  return Math.ceil((frameHalfBits(lcr) * d * 8 * 1e9) / clockHz);
}

/** The mask of the data bits of a character under line control `lcr`. */
export function wordMask(lcr: number): number {
  return (1 << (5 + (lcr & LCR_WLS))) - 1;
}

/** Time of one bit in ns (16 cycles of the baud generator's output). */
export function bitTimeNs(divisor: number, clockHz: number): number {
  const d = divisor === 0 ? 0x10000 : divisor;
  return Math.ceil((d * 16 * 1e9) / clockHz);
}
