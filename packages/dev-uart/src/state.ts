import { defaultState, defineState, field, subsection, type LoadedState, type StateOf } from '@backplane/vmstate';
import {
  FCR_DMA_MODE,
  FCR_ENABLE,
  FIFO_SIZE,
  LSR_BI,
  LSR_ERRORS,
  LSR_FE,
  LSR_PE,
  LSR_RX_FIFO_ERROR,
  MCR_MASK,
  IER_MASK,
  MSR_CTS,
  MSR_DCD,
  MSR_DSR,
} from './registers';

/** Bytes the host may have queued on the line (`Uart.feed`). */
export const HOST_QUEUE_MAX = 65536;

/** Modem inputs of a connected terminal: CTS, DSR and DCD active, RI inactive. */
export const DEFAULT_MODEM_INPUTS = MSR_CTS | MSR_DSR | MSR_DCD;

const FCR_STORED = FCR_ENABLE | FCR_DMA_MODE | 0xc0;
const RX_FLAG_BITS = LSR_PE | LSR_FE | LSR_BI;

const bitsWithin = (mask: number) => (v: number) => (v & ~mask) === 0 || `has bits outside ${mask.toString(16)}h`;
const capacity = (s: LoadedState): number => ((s.fcr as number) & FCR_ENABLE ? FIFO_SIZE : 1);

/**
 * The 16550A's state, versioned. Version 1. The subsection `rx-timeout` carries a character
 * timeout that is being timed or has been indicated: a rarer state (FIFO mode with characters
 * waiting below the trigger level), absent from the stream otherwise. The subsection
 * `host-input` carries bytes the host queued with `feed()` that have not reached the receiver.
 *
 * In 16450 (non-FIFO) mode, RBR and THR are slot `head` of the FIFO arrays with a capacity of one.
 */
export const uartStateDescriptor = defineState({
  name: 'uart-16550a',
  version: 1,
  fields: {
    /** Divisor latch, low and high byte. */
    dll: field.u8(),
    dlm: field.u8(),
    /** Interrupt enable register (bits 0-3). */
    ier: field.u8({ check: bitsWithin(IER_MASK) }),
    /** FIFO control bits that stick: enable (0), DMA mode (3), trigger level (6-7). */
    fcr: field.u8({ check: bitsWithin(FCR_STORED) }),
    lcr: field.u8(),
    /** Modem control register (bits 0-4). */
    mcr: field.u8({ check: bitsWithin(MCR_MASK) }),
    /** Latched line status bits: OE, PE, FE, BI, FIFO error. DR, THRE, TEMT come from the FIFOs. */
    lsr: field.u8({ check: bitsWithin(LSR_ERRORS | LSR_RX_FIFO_ERROR) }),
    /** Modem status: deltas (0-3) and the line states the chip sees (4-7). */
    msr: field.u8(),
    scr: field.u8(),
    /** The modem inputs from outside (CTS, DSR, RI, DCD in MSR bit positions 4-7). */
    modemInputs: field.u8({ default: DEFAULT_MODEM_INPUTS, check: bitsWithin(0xf0) }),
    /** Receiver FIFO: data and per-character error bits (LSR PE/FE/BI), ring head and count. */
    rxData: field.bytes(FIFO_SIZE),
    rxFlags: field.bytes(FIFO_SIZE, { check: (v) => v.every((f) => (f & ~RX_FLAG_BITS) === 0) || 'error bits other than PE, FE, BI' }),
    rxHead: field.u8({ check: (v, s) => v < capacity(s) || 'head outside the FIFO' }),
    rxCount: field.u8({ check: (v, s) => v <= capacity(s) || 'more characters than the FIFO holds' }),
    /** Transmitter FIFO (THR in 16450 mode). */
    txData: field.bytes(FIFO_SIZE),
    txHead: field.u8({ check: (v, s) => v < capacity(s) || 'head outside the FIFO' }),
    txCount: field.u8({ check: (v, s) => v <= capacity(s) || 'more characters than the FIFO holds' }),
    /** Transmitter shift register: the character being sent while `tsrFull`. */
    tsr: field.u8(),
    tsrFull: field.bool(),
    /** When the character in the shift register has been sent (virtual ns), or -1. */
    txDoneAt: field.timer({ check: (v, s) => (s.tsrFull ? v >= 0 : v === -1) || 'deadline and shift register disagree' }),
    /** The THRE interrupt latch (set when THR/the FIFO empties; cleared by IIR read or THR write). */
    thrInterrupt: field.bool(),
  },
  subsections: [
    subsection({
      name: 'rx-timeout',
      version: 1,
      needed: (s) => s.timeoutAt >= 0 || s.timeoutPending,
      fields: {
        /** When the 4-character timeout expires (virtual ns), or -1 when not being timed. */
        timeoutAt: field.timer(),
        /** A character timeout has been indicated and not yet cleared by a read of RBR. */
        timeoutPending: field.bool(),
      },
    }),
    subsection({
      name: 'thre-delay',
      version: 1,
      needed: (s) => s.txBurst || s.threDelayAt >= 0,
      fields: {
        /** FIFO mode: the transmitter FIFO has held two bytes at once since THR was last empty. */
        txBurst: field.bool(),
        /** A delayed THRE interrupt (FIFO mode, single characters) is due at this virtual time (ns), or -1. */
        threDelayAt: field.timer(),
      },
    }),
    subsection({
      name: 'host-input',
      version: 1,
      needed: (s) => s.hostInput.length > 0 || s.hostInputAt >= 0,
      fields: {
        /** Bytes on their way to SIN from `feed()`, one per character time while the receiver has room. */
        hostInput: field.varBytes({ max: HOST_QUEUE_MAX }),
        /** When the next of them has arrived (virtual ns), or -1. */
        hostInputAt: field.timer(),
      },
    }),
  ],
});

/**
 * Everything the guest can see of one 16550A, and everything that decides what it will see
 * next (a transmission in progress, a character timeout being timed). Host handles (timers,
 * subjects, the bus) live beside it in the `Uart` object, never inside.
 */
export type UartState = StateOf<typeof uartStateDescriptor>;

/** The state after power-on: the master reset values of datasheet table IV, divisor and scratch 0. */
export function initialState(modemInputs = DEFAULT_MODEM_INPUTS): UartState {
  // A spread copy: the object vmstate builds field by field is in V8's slow (dictionary) mode.
  const s = { ...defaultState(uartStateDescriptor) };
  s.modemInputs = modemInputs & 0xf0;
  s.msr = s.modemInputs;
  return s;
}
