import { CW_MODE_SHIFT, MODE_INTERRUPT_ON_TERMINAL_COUNT, RW_WORD, CW_RW_SHIFT } from './registers';

/**
 * Everything the guest can observe of one 8254 counter, as plain data. The counting element
 * (CE) and OUT are kept as of PIT clock edge `refTick`; their values at any later edge are a
 * pure function of this object and the edge number (see counter.ts), so nothing is updated
 * per tick.
 */
export interface CounterState {
  /** Control word bits 5-0 as last programmed: RW1 RW0 M2 M1 M0 BCD (the status byte's low bits). */
  control: number;
  /** Count register (CR): the initial count as written, raw 16 bits (BCD digits in BCD mode). */
  cr: number;
  /** Write flip-flop for LSB-then-MSB counts: the next write is the MSB. */
  writeMsb: boolean;
  /** Read flip-flop for LSB-then-MSB counts: the next read is the MSB. */
  readMsb: boolean;
  /** Output latch (OL): a latched count, raw 16 bits as it reads. */
  latched: number;
  /** Reads left of the latched count (0 = not latched; 1 or 2). */
  latchReads: number;
  /** Latched status byte, and whether it is waiting to be read. */
  status: number;
  statusLatched: boolean;
  /** A complete initial count has been written since the last control word. */
  countWritten: boolean;
  /** GATE input level. */
  gate: boolean;
  /** PIT clock edge (absolute, from virtual time 0) at which the fields below hold. */
  refTick: number;
  /** Counting element, as a number 0 .. modulus-1 (0 stands for the modulus when loaded). */
  ce: number;
  /** OUT pin. */
  out: boolean;
  /** Null count: the last count written to CR has not been loaded into CE yet. */
  nullCount: boolean;
  /** CE has been loaded since the last control word (the counter is running its mode). */
  counting: boolean;
  /** Modes 1, 4, 5: the terminal count of this load has not been reached yet. */
  armed: boolean;
  /** Mode 3: the count loaded for the current half-cycle was odd. */
  odd: boolean;
  /** Clock edge at which CR is loaded into CE (a write or a GATE trigger), or -1. */
  loadAt: number;
}

/** The 8254: three counters. */
export interface PitState {
  counters: [CounterState, CounterState, CounterState];
}

/**
 * The state of a counter after a control word with `control` (bits 5-0): datasheet, "When a
 * Control Word is written to a Counter, all Control Logic is immediately reset and OUT goes to a
 * known initial state" (low in mode 0, high in the other modes). CE keeps its value.
 */
export function programmedCounter(control: number, gate: boolean, ce: number, refTick: number): CounterState {
  const mode = (control >> CW_MODE_SHIFT) & 7;
  return {
    control,
    cr: 0,
    writeMsb: false,
    readMsb: false,
    latched: 0,
    latchReads: 0,
    status: 0,
    statusLatched: false,
    countWritten: false,
    gate,
    refTick,
    ce,
    out: mode !== MODE_INTERRUPT_ON_TERMINAL_COUNT,
    nullCount: true,
    counting: false,
    armed: false,
    odd: false,
    loadAt: -1,
  };
}

/**
 * Power-on state. The datasheet leaves mode, count and OUT undefined after power-up; here every
 * counter is as if control word "LSB then MSB, mode 0, binary" had been written (OUT low, null
 * count set, no count). GATE levels are inputs: counters 0 and 1 have GATE tied high on the
 * PC/AT, counter 2's GATE comes from port 61h and starts low.
 */
export function initialPitState(gates: readonly [boolean, boolean, boolean] = [true, true, false]): PitState {
  const control = (RW_WORD << CW_RW_SHIFT) | (MODE_INTERRUPT_ON_TERMINAL_COUNT << CW_MODE_SHIFT);
  return {
    counters: [programmedCounter(control, gates[0], 0, 0), programmedCounter(control, gates[1], 0, 0), programmedCounter(control, gates[2], 0, 0)],
  };
}
