import { defineState, field, subsection, type StateOf } from '@backplane/vmstate';
import { CW_BCD, CW_MODE_SHIFT, CW_RW_MASK, CW_RW_SHIFT, MODE_INTERRUPT_ON_TERMINAL_COUNT, RW_WORD } from './registers';

/**
 * One 8254 counter. The counting element (CE) and OUT are kept as of virtual time `refTime`
 * (the last write or GATE change); their values at any later time are a pure function of this
 * object and the PIT clock edge (see counter.ts), so nothing is updated per tick.
 *
 * Version history: 1 = first version.
 */
export const pitCounterState = defineState({
  name: 'pit-counter',
  version: 1,
  fields: {
    /** Control word bits 5-0 as last programmed: RW1 RW0 M2 M1 M0 BCD (the status byte's low bits). */
    control: field.u8({ range: [0x10, 0x3f], check: (v) => (v & CW_RW_MASK) !== 0 || 'control has no read/write format' }),
    /** Count register (CR): the initial count as written, raw 16 bits (BCD digits in BCD mode). */
    cr: field.u16(),
    /** Write flip-flop for LSB-then-MSB counts: the next write is the MSB. */
    writeMsb: field.bool(),
    /** Read flip-flop for LSB-then-MSB counts: the next read is the MSB. */
    readMsb: field.bool(),
    /** Output latch (OL): a latched count, raw 16 bits as it reads. */
    latched: field.u16(),
    /** Reads left of the latched count (0 = not latched; 1 or 2). */
    latchReads: field.u8({ range: [0, 2] }),
    /** A complete initial count has been written since the last control word. */
    countWritten: field.bool(),
    /** GATE input level. */
    gate: field.bool(),
    /** Virtual time (ns) at which the fields below hold; saved as an offset from now. */
    refTime: field.timer({ check: (v) => v >= 0 || 'refTime must be a time, not "not armed"' }),
    /** Counting element, 0 .. modulus-1 (0 stands for the modulus when loaded). */
    ce: field.u16({ check: (v, s) => !(s.control & CW_BCD) || v < 10000 || 'BCD counting element above 9999' }),
    /** OUT pin. */
    out: field.bool(),
    /** Null count: the last count written to CR has not been loaded into CE yet. */
    nullCount: field.bool(),
    /** CE has been loaded since the last control word (the counter is running its mode). */
    counting: field.bool(),
    /** Modes 1, 4, 5: the terminal count of this load has not been reached yet. */
    armed: field.bool(),
    /** Mode 3: the count loaded for the current half-cycle was odd. */
    odd: field.bool(),
    /** CR is loaded into CE on the first CLK edge after `refTime` (a write or a GATE trigger). */
    loadPending: field.bool(),
  },
  subsections: [
    // Rare: a read-back command latched the status and the guest has not read it yet.
    subsection({
      name: 'readback-status',
      version: 1,
      needed: (s) => s.statusLatched === true,
      fields: {
        /** A latched status byte is waiting to be read (it is read before any latched count). */
        statusLatched: field.bool({ default: false }),
        /** The latched status byte: OUT, null count, control bits 5-0. */
        status: field.u8({ default: 0 }),
      },
    }),
  ],
});

/**
 * The 8254: three counters.
 *
 * Version history: 1 = first version.
 */
export const pitState = defineState({
  name: 'pit-8254',
  version: 1,
  fields: {
    counters: field.array(field.struct(pitCounterState), 3),
  },
});

export type CounterState = StateOf<typeof pitCounterState>;
export type PitState = StateOf<typeof pitState>;

/**
 * The state of a counter after a control word with `control` (bits 5-0): datasheet, "When a
 * Control Word is written to a Counter, all Control Logic is immediately reset and OUT goes to a
 * known initial state" (low in mode 0, high in the other modes). CE keeps its value.
 */
export function programmedCounter(control: number, gate: boolean, ce: number, refTime: number): CounterState {
  const mode = (control >> CW_MODE_SHIFT) & 7;
  return {
    control,
    cr: 0,
    writeMsb: false,
    readMsb: false,
    latched: 0,
    latchReads: 0,
    countWritten: false,
    gate,
    refTime,
    ce: control & CW_BCD ? ce % 10000 : ce,
    out: mode !== MODE_INTERRUPT_ON_TERMINAL_COUNT,
    nullCount: true,
    counting: false,
    armed: false,
    odd: false,
    loadPending: false,
    statusLatched: false,
    status: 0,
  };
}

/**
 * Power-on state. The datasheet leaves mode, count and OUT undefined after power-up; here every
 * counter is as if control word "LSB then MSB, mode 0, binary" had been written (OUT low, null
 * count set, no count). GATE levels are inputs: counters 0 and 1 have GATE tied high on the
 * PC/AT, counter 2's GATE comes from port 61h and starts low.
 */
export function initialPitState(gates: readonly [boolean, boolean, boolean] = [true, true, false], now = 0): PitState {
  const control = (RW_WORD << CW_RW_SHIFT) | (MODE_INTERRUPT_ON_TERMINAL_COUNT << CW_MODE_SHIFT);
  return { counters: gates.map((g) => programmedCounter(control, g, 0, now)) };
}
