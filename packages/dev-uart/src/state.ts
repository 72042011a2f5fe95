import { FIFO_SIZE, MSR_CTS, MSR_DCD, MSR_DSR } from './registers';

/**
 * Everything the guest can see of one 16550A, and everything that decides what it will see
 * next (a transmission in progress, a character timeout being timed). Host handles (timers,
 * subjects, the bus) live beside it in the `Uart` object, never inside.
 *
 * In 16450 (non-FIFO) mode the receiver buffer register and the transmitter holding register
 * are the first slot of the FIFO arrays, with a capacity of one.
 */
export interface UartState {
  /** Divisor latch, low and high byte. */
  dll: number;
  dlm: number;
  /** Interrupt enable register (bits 0-3). */
  ier: number;
  /** FIFO control bits that stick: enable (0), DMA mode (3), trigger level (6-7). */
  fcr: number;
  lcr: number;
  /** Modem control register (bits 0-4). */
  mcr: number;
  /**
   * Line status bits that are latched: OE, PE, FE, BI and the FIFO error bit. DR, THRE and
   * TEMT are read from the FIFOs and the shift register.
   */
  lsr: number;
  /** Modem status: delta bits 0-3 and the line states 4-7 as the chip sees them. */
  msr: number;
  scr: number;
  /** The modem inputs from outside (CTS, DSR, RI, DCD in MSR bit positions 4-7). */
  modemInputs: number;
  /** Receiver FIFO: data, per-character error bits (LSR PE/FE/BI), ring head and count. */
  rxData: Uint8Array;
  rxFlags: Uint8Array;
  rxHead: number;
  rxCount: number;
  /** Transmitter FIFO (THR in 16450 mode). */
  txData: Uint8Array;
  txHead: number;
  txCount: number;
  /** Transmitter shift register: the character being sent, if `tsrFull`. */
  tsr: number;
  tsrFull: boolean;
  /** Virtual time (ns) at which the character in the shift register has been sent, or -1. */
  txDoneAt: number;
  /** The THRE interrupt latch (set when THR/the FIFO empties, cleared by IIR read or THR write). */
  thrInterrupt: boolean;
  /** Virtual time (ns) at which the character timeout expires, or -1 (not being timed). */
  timeoutAt: number;
  /** A character timeout has been indicated and not yet cleared by a read of RBR. */
  timeoutPending: boolean;
}

/** Modem inputs of a connected terminal: CTS, DSR and DCD active, RI inactive. */
export const DEFAULT_MODEM_INPUTS = MSR_CTS | MSR_DSR | MSR_DCD;

/** The state after power-on (the master reset values of datasheet table IV; divisor 0, scratch 0). */
export function initialState(modemInputs = DEFAULT_MODEM_INPUTS): UartState {
  return {
    dll: 0,
    dlm: 0,
    ier: 0,
    fcr: 0,
    lcr: 0,
    mcr: 0,
    lsr: 0,
    msr: modemInputs & 0xf0,
    scr: 0,
    modemInputs: modemInputs & 0xf0,
    rxData: new Uint8Array(FIFO_SIZE),
    rxFlags: new Uint8Array(FIFO_SIZE),
    rxHead: 0,
    rxCount: 0,
    txData: new Uint8Array(FIFO_SIZE),
    txHead: 0,
    txCount: 0,
    tsr: 0,
    tsrFull: false,
    txDoneAt: -1,
    thrInterrupt: false,
    timeoutAt: -1,
    timeoutPending: false,
  };
}
