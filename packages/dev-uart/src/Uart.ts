import { BusRangeError, IrqLine, type Bus, type Device, type PortClaim, type Timer, type VirtualClock } from '@backplane/bus';
import type { Migratable } from '@backplane/vmstate';
import { Observable, Subject, type Observer, type Subscription } from 'rxjs';
import {
  COM1_BASE,
  COM1_IRQ,
  FCR_DMA_MODE,
  FCR_ENABLE,
  FCR_RX_RESET,
  FCR_TRIGGER_SHIFT,
  FCR_TX_RESET,
  FIFO_SIZE,
  IER_MASK,
  IER_MSR,
  IER_RDA,
  IER_RLS,
  IER_THRE,
  IIR_FIFO,
  IIR_MSR,
  IIR_NONE,
  IIR_RDA,
  IIR_RLS,
  IIR_THRE,
  IIR_TIMEOUT,
  LCR_BREAK,
  LCR_DLAB,
  LSR_BI,
  LSR_DR,
  LSR_ERRORS,
  LSR_FE,
  LSR_OE,
  LSR_PE,
  LSR_RX_FIFO_ERROR,
  LSR_TEMT,
  LSR_THRE,
  MCR_DTR,
  MCR_LOOP,
  MCR_MASK,
  MCR_OUT1,
  MCR_OUT2,
  MCR_RTS,
  MSR_CTS,
  MSR_DCD,
  MSR_DCTS,
  MSR_DDCD,
  MSR_DDSR,
  MSR_DELTAS,
  MSR_DSR,
  MSR_RI,
  MSR_TERI,
  PC_CLOCK_HZ,
  REG_DATA,
  REG_IER,
  REG_IIR_FCR,
  REG_LCR,
  REG_LSR,
  REG_MCR,
  REG_MSR,
  REG_SCR,
  RX_TRIGGER_LEVELS,
} from './registers';
import { DEFAULT_MODEM_INPUTS, HOST_QUEUE_MAX, initialState, uartStateDescriptor, type UartState } from './state';
import { bitTimeNs, characterTimeNs, wordMask } from './timing';

/** Where the UART sits on the ISA bus. */
export interface UartResources {
  /** First of its eight ports (COM1 3F8h, COM2 2F8h). */
  readonly iobase: number;
  /** ISA IRQ wire (COM1 4, COM2 3). */
  readonly irq: number;
}

/** How the UART behaves toward the host. */
export interface UartOptions {
  /** Frequency of the baud-rate clock input (PC: 1.8432 MHz). */
  readonly clockHz?: number;
  /**
   * Pace the transmitter at the programmed baud rate and frame format in virtual time (default
   * true). When false, each character leaves the moment it reaches the shift register.
   */
  readonly paced?: boolean;
  /**
   * The PC adapter's IRQ driver is enabled only by the OUT2 output (MCR bit 3), which loopback
   * forces inactive (default true, as on every PC). False drives the IRQ wire straight from the
   * chip's INTR pin, as the datasheet describes the chip alone.
   */
  readonly out2GatesIrq?: boolean;
  /** The modem inputs at power-on (MSR bit positions): default CTS, DSR and DCD active. */
  readonly modemInputs?: number;
}

/** The modem input lines a host can drive. */
export interface ModemInputs {
  readonly cts?: boolean;
  readonly dsr?: boolean;
  readonly ri?: boolean;
  readonly dcd?: boolean;
}

/** One character error the host can inject with `receive` (LSR bit positions). */
export const RX_PARITY_ERROR = LSR_PE;
export const RX_FRAMING_ERROR = LSR_FE;

/**
 * A 16550A UART. Guest side: eight ports from `iobase`, an IRQ wire. Host side: `transmit$`
 * (bytes the guest sends, paced in virtual time), `receive()`/`attach()` (bytes to the guest),
 * `setModemInputs()`, and the modem outputs as lines (`dtr`, `rts`, `out1`, `out2`, `txBreak`).
 */
export class Uart implements Device, Migratable<typeof uartStateDescriptor> {
  readonly descriptor = uartStateDescriptor;
  readonly state: UartState;
  /** The chip's INTR pin (before the PC's OUT2 gate). */
  readonly intr: IrqLine;
  /** Modem control outputs, true when active (forced inactive in loopback). */
  readonly dtr: IrqLine;
  readonly rts: IrqLine;
  readonly out1: IrqLine;
  readonly out2: IrqLine;
  /** SOUT held in the spacing state by LCR bit 6 (a break being sent). */
  readonly txBreak: IrqLine;
  /** Bytes the guest sends, as they leave the shift register (not in loopback). */
  readonly transmit$: Observable<number>;
  /** Bytes to the guest: `source$.subscribe(uart.input)` (errors and completion are ignored). */
  readonly input: Observer<number>;
  readonly resources: UartResources;
  private readonly clockHz: number;
  private paced: boolean;
  private readonly out2Gates: boolean;
  private readonly transmitted = new Subject<number>();
  private irqLine: IrqLine | undefined;
  private clock: VirtualClock | undefined;
  private txTimer: Timer | undefined;
  private timeoutTimer: Timer | undefined;
  private lineTimer: Timer | undefined;
  private threTimer: Timer | undefined;
  private claim: PortClaim | undefined;
  /** Receive attempts lost because the FIFO was full or the input was disconnected (host statistics). */
  lost = 0;

  constructor(
    readonly id: string,
    resources: Partial<UartResources> = {},
    options: UartOptions = {},
  ) {
    this.resources = { iobase: resources.iobase ?? COM1_BASE, irq: resources.irq ?? COM1_IRQ };
    this.clockHz = options.clockHz ?? PC_CLOCK_HZ;
    if (!(this.clockHz > 0) || !Number.isFinite(this.clockHz)) throw new RangeError(`${id}: clockHz must be a positive number`);
    this.paced = options.paced ?? true;
    this.out2Gates = options.out2GatesIrq ?? true;
    this.state = Object.seal(initialState(options.modemInputs ?? DEFAULT_MODEM_INPUTS));
    this.intr = new IrqLine(`${id}.intr`);
    this.dtr = new IrqLine(`${id}.dtr`);
    this.rts = new IrqLine(`${id}.rts`);
    this.out1 = new IrqLine(`${id}.out1`);
    this.out2 = new IrqLine(`${id}.out2`);
    this.txBreak = new IrqLine(`${id}.break`);
    this.transmit$ = this.transmitted.asObservable();
    this.input = { next: (b) => void this.receive(b), error: () => {}, complete: () => {} };
  }

  /** Claim the ports, the timers and the IRQ wire; on a bad resource nothing is left claimed. */
  plug(bus: Bus): void {
    const { iobase, irq } = this.resources;
    if (!Number.isInteger(irq) || irq < 0 || irq >= bus.irq.wires) throw new BusRangeError(`${this.id}: IRQ ${irq} is not one of the board's ${bus.irq.wires} wires`);
    const claim = bus.io.claim(this.id, iobase, 8, {
      read8: (offset) => this.read(offset),
      write8: (offset, value) => this.write(offset, value),
    });
    const timers: Timer[] = [];
    try {
      for (const [name, cb] of [
        ['tx', () => this.shiftOutDone()],
        ['rx-timeout', () => this.characterTimeout()],
        ['rx-line', () => this.lineArrived()],
        ['thre-delay', () => this.threDelayDone()],
      ] as const)
        timers.push(bus.clock.timer(`${this.id}.${name}`, cb));
    } catch (e) {
      for (const t of timers) bus.clock.disposeTimer(t);
      claim.release();
      throw e;
    }
    [this.txTimer, this.timeoutTimer, this.lineTimer, this.threTimer] = timers;
    this.claim = claim;
    this.clock = bus.clock;
    this.irqLine = bus.irq.line(irq, this.id);
    this.rearm();
    this.update();
  }

  unplug(): void {
    this.claim?.release();
    this.claim = undefined;
    if (this.clock) {
      if (this.txTimer) this.clock.disposeTimer(this.txTimer);
      if (this.timeoutTimer) this.clock.disposeTimer(this.timeoutTimer);
      if (this.lineTimer) this.clock.disposeTimer(this.lineTimer);
      if (this.threTimer) this.clock.disposeTimer(this.threTimer);
    }
    this.txTimer = this.timeoutTimer = this.lineTimer = this.threTimer = undefined;
    this.irqLine?.lower();
    this.irqLine = undefined;
  }

  /**
   * Master reset (datasheet table IV): IER, FCR, LCR, MCR cleared, LSR = 60h, MSR deltas
   * cleared, both FIFOs and the shift register emptied, INTR low. Divisor latch and scratch
   * register keep their contents.
   */
  reset(): void {
    const s = this.state;
    s.ier = 0;
    s.fcr = 0;
    s.lcr = 0;
    s.mcr = 0;
    s.lsr = 0;
    s.rxHead = s.rxCount = 0;
    s.txHead = s.txCount = 0;
    s.tsrFull = false;
    s.txDoneAt = -1;
    s.thrInterrupt = false;
    s.timeoutAt = -1;
    s.timeoutPending = false;
    this.cancelThreDelay();
    this.txTimer?.cancel();
    this.timeoutTimer?.cancel();
    s.msr = this.effectiveModemLines();
    this.update();
  }

  // ---------------------------------------------------------------- host side

  /**
   * A character arrives on SIN now (`errors`: RX_PARITY_ERROR / RX_FRAMING_ERROR). Returns
   * false if it was lost: receiver overrun (FIFO full; in 16450 mode the old character is the
   * one lost) or loopback (SIN disconnected).
   */
  receive(byte: number, errors = 0): boolean {
    if (this.state.mcr & MCR_LOOP) {
      this.lost++;
      return false;
    }
    return this.receiveCharacter(byte & wordMask(this.state.lcr), errors & (LSR_PE | LSR_FE));
  }

  /** A break condition on SIN: one zero character with BI set. */
  receiveBreak(): boolean {
    if (this.state.mcr & MCR_LOOP) {
      this.lost++;
      return false;
    }
    return this.receiveCharacter(0, LSR_BI);
  }

  /**
   * Queue bytes on the line to the guest, paced: one arrives every character time (of the
   * current divisor and frame format) while the receiver has room, so none is lost to an
   * overrun, as from a sender that waits for the guest. A string is taken as Latin-1. Returns
   * how many bytes were queued (the queue holds at most 64 KiB).
   */
  feed(data: ArrayLike<number> | string): number {
    const s = this.state;
    const n = Math.min(HOST_QUEUE_MAX - s.hostInput.length, data.length);
    if (n <= 0) return 0;
    const q = new Uint8Array(s.hostInput.length + n);
    q.set(s.hostInput);
    for (let i = 0; i < n; i++) q[s.hostInput.length + i] = typeof data === 'string' ? data.charCodeAt(i) & 0xff : data[i]! & 0xff;
    s.hostInput = q;
    if (s.hostInputAt < 0) this.armLine();
    return n;
  }

  /** Bytes queued by `feed()` that have not reached the receiver yet. */
  get fedPending(): number {
    return this.state.hostInput.length;
  }

  /** Feed every byte of `source` to `receive`. */
  attach(source: Observable<number>): Subscription {
    return source.subscribe((b) => this.receive(b));
  }

  /** Free space in the receiver (FIFO mode: up to 16; 16450 mode: 0 or 1). */
  get receiveSpace(): number {
    return this.rxCapacity() - this.state.rxCount;
  }

  /** Drive the modem input lines (only those given change). */
  setModemInputs(lines: ModemInputs): void {
    let m = this.state.modemInputs;
    if (lines.cts !== undefined) m = lines.cts ? m | MSR_CTS : m & ~MSR_CTS;
    if (lines.dsr !== undefined) m = lines.dsr ? m | MSR_DSR : m & ~MSR_DSR;
    if (lines.ri !== undefined) m = lines.ri ? m | MSR_RI : m & ~MSR_RI;
    if (lines.dcd !== undefined) m = lines.dcd ? m | MSR_DCD : m & ~MSR_DCD;
    this.state.modemInputs = m;
    this.modemLinesChanged();
    this.update();
  }

  /** Switch transmit pacing on (baud rate in virtual time) or off (characters leave at once). */
  setPaced(paced: boolean): void {
    this.paced = paced;
    if (!paced && this.state.tsrFull) {
      this.txTimer?.cancel();
      this.shiftOutDone();
    }
  }

  get isPaced(): boolean {
    return this.paced;
  }

  /** Time of one character under the current divisor and line control, in ns. */
  get characterTime(): number {
    return characterTimeNs(this.state.lcr, this.divisor, this.clockHz);
  }

  get divisor(): number {
    return this.state.dll | (this.state.dlm << 8);
  }

  // ---------------------------------------------------------------- save and load

  /** The guest-visible state, for the descriptor to validate and encode (not kept). */
  saveState(): UartState {
    return this.state;
  }

  /**
   * Take over `state` (decoded and validated against `uartStateDescriptor`) and rebuild what
   * hangs off it: timers re-armed at their saved deadlines, output lines and the IRQ driven.
   */
  loadState(state: UartState): void {
    const s = this.state;
    s.dll = state.dll & 0xff;
    s.dlm = state.dlm & 0xff;
    s.ier = state.ier & IER_MASK;
    s.fcr = state.fcr & (FCR_ENABLE | FCR_DMA_MODE | 0xc0);
    s.lcr = state.lcr & 0xff;
    s.mcr = state.mcr & MCR_MASK;
    s.lsr = state.lsr & (LSR_ERRORS | LSR_RX_FIFO_ERROR);
    s.msr = state.msr & 0xff;
    s.scr = state.scr & 0xff;
    s.modemInputs = state.modemInputs & 0xf0;
    s.rxData.set(state.rxData.subarray(0, FIFO_SIZE));
    s.rxFlags.set(state.rxFlags.subarray(0, FIFO_SIZE));
    s.txData.set(state.txData.subarray(0, FIFO_SIZE));
    const cap = s.fcr & FCR_ENABLE ? FIFO_SIZE : 1;
    s.rxHead = state.rxHead & (cap - 1);
    s.rxCount = Math.min(Math.max(state.rxCount, 0), cap);
    s.txHead = state.txHead & (cap - 1);
    s.txCount = Math.min(Math.max(state.txCount, 0), cap);
    s.tsr = state.tsr & 0xff;
    s.tsrFull = state.tsrFull;
    s.txDoneAt = state.tsrFull ? state.txDoneAt : -1;
    s.thrInterrupt = state.thrInterrupt;
    s.timeoutAt = state.timeoutAt;
    s.timeoutPending = state.timeoutPending;
    s.txBurst = state.txBurst;
    s.threDelayAt = state.threDelayAt;
    s.hostInput = state.hostInput.slice();
    s.hostInputAt = state.hostInputAt;
    this.rearm();
    this.driveModemOutputs();
    this.txBreak.set((s.lcr & LCR_BREAK) !== 0 && !(s.mcr & MCR_LOOP));
    this.update();
  }

  // ---------------------------------------------------------------- ports

  private read(offset: number): number {
    const s = this.state;
    switch (offset) {
      case REG_DATA:
        return s.lcr & LCR_DLAB ? s.dll : this.readRbr();
      case REG_IER:
        return s.lcr & LCR_DLAB ? s.dlm : s.ier;
      case REG_IIR_FCR:
        return this.readIir();
      case REG_LCR:
        return s.lcr;
      case REG_MCR:
        return s.mcr;
      case REG_LSR:
        return this.readLsr();
      case REG_MSR:
        return this.readMsr();
      case REG_SCR:
        return s.scr;
      default:
        return 0xff;
    }
  }

  private write(offset: number, value: number): void {
    const s = this.state;
    switch (offset) {
      case REG_DATA:
        if (s.lcr & LCR_DLAB) s.dll = value;
        else this.writeThr(value);
        break;
      case REG_IER:
        if (s.lcr & LCR_DLAB) s.dlm = value;
        else this.writeIer(value);
        break;
      case REG_IIR_FCR:
        this.writeFcr(value);
        break;
      case REG_LCR: {
        const before = s.lcr;
        s.lcr = value;
        if ((before ^ value) & LCR_BREAK) this.txBreak.set((value & LCR_BREAK) !== 0 && !(s.mcr & MCR_LOOP));
        break;
      }
      case REG_MCR:
        this.writeMcr(value);
        break;
      case REG_SCR:
        s.scr = value;
        break;
      // REG_LSR and REG_MSR: read-only (LSR writes are a factory test mode); ignored.
    }
  }

  private readRbr(): number {
    const s = this.state;
    const value = s.rxData[s.rxHead]!;
    if (s.rxCount > 0) {
      s.rxHead = (s.rxHead + 1) & (this.rxCapacity() - 1);
      s.rxCount--;
      // The next character's errors show in the LSR when it reaches the top of the FIFO.
      if (s.rxCount > 0) s.lsr |= s.rxFlags[s.rxHead]!;
    }
    // A read clears a timeout indication and restarts the timeout timer.
    s.timeoutPending = false;
    this.restartTimeout();
    this.update();
    return value;
  }

  private readIir(): number {
    const id = this.interruptId();
    if (id === IIR_THRE) {
      // Reading the IIR when THRE is the source clears that interrupt.
      this.state.thrInterrupt = false;
      this.update();
    }
    return id | (this.state.fcr & FCR_ENABLE ? IIR_FIFO : 0);
  }

  private readLsr(): number {
    const s = this.state;
    const value = this.lsrValue();
    // Nothing latched (the common case when polling): the read changes nothing.
    if (s.lsr === 0) return value;
    s.lsr &= ~LSR_ERRORS;
    // The FIFO error bit clears if no later character in the FIFO carries an error.
    if (s.lsr & LSR_RX_FIFO_ERROR && !this.laterErrors()) s.lsr &= ~LSR_RX_FIFO_ERROR;
    this.update();
    return value;
  }

  private readMsr(): number {
    const value = this.state.msr;
    this.state.msr &= ~MSR_DELTAS;
    this.update();
    return value;
  }

  private writeThr(value: number): void {
    const s = this.state;
    const cap = this.txCapacity();
    if (s.txCount < cap) {
      s.txData[(s.txHead + s.txCount) & (cap - 1)] = value;
      s.txCount++;
    } else if (cap === 1) {
      // 16450 mode: a write with THR full replaces the waiting character.
      s.txData[s.txHead] = value;
    }
    // FIFO mode: a write to a full transmitter FIFO is lost (the datasheet gives no indication).
    if (cap > 1 && s.txCount >= 2) s.txBurst = true;
    // Writing THR clears the THRE interrupt, and any delayed one still to come.
    s.thrInterrupt = false;
    this.cancelThreDelay();
    if (!s.tsrFull) this.loadShiftRegister();
    this.update();
  }

  private writeIer(value: number): void {
    const s = this.state;
    const before = s.ier;
    s.ier = value & IER_MASK;
    // Enabling the THRE interrupt while THR is empty requests it at once.
    if (!(before & IER_THRE) && s.ier & IER_THRE && s.txCount === 0) s.thrInterrupt = true;
    this.update();
  }

  private writeFcr(value: number): void {
    const s = this.state;
    const enable = value & FCR_ENABLE;
    if ((s.fcr ^ value) & FCR_ENABLE) {
      // Switching between 16450 and FIFO mode clears both FIFOs.
      this.clearReceiver();
      s.txHead = s.txCount = 0;
      // The first transmitter interrupt after changing FCR bit 0 is immediate.
      this.cancelThreDelay();
      s.thrInterrupt = true;
    }
    if (enable) {
      s.fcr = value & (FCR_ENABLE | FCR_DMA_MODE | 0xc0);
      if (value & FCR_RX_RESET) this.clearReceiver();
      if (value & FCR_TX_RESET) {
        s.txHead = s.txCount = 0;
        this.cancelThreDelay();
        s.thrInterrupt = true;
      }
    } else {
      // With FCR bit 0 clear, the other bits are not programmed.
      s.fcr &= ~FCR_ENABLE;
    }
    this.update();
  }

  private writeMcr(value: number): void {
    const s = this.state;
    const before = s.mcr;
    s.mcr = value & MCR_MASK;
    if ((before ^ s.mcr) & MCR_LOOP) this.txBreak.set((s.lcr & LCR_BREAK) !== 0 && !(s.mcr & MCR_LOOP));
    this.driveModemOutputs();
    this.modemLinesChanged();
    this.update();
  }

  // ---------------------------------------------------------------- receiver

  private receiveCharacter(byte: number, flags: number): boolean {
    const s = this.state;
    const cap = this.rxCapacity();
    let accepted = true;
    if (s.rxCount < cap) {
      const slot = (s.rxHead + s.rxCount) & (cap - 1);
      s.rxData[slot] = byte;
      s.rxFlags[slot] = flags;
      s.rxCount++;
      if (s.rxCount === 1) s.lsr |= flags;
    } else if (cap === 1) {
      // 16450 mode: the new character overwrites the unread one.
      s.lsr |= LSR_OE | flags;
      s.rxData[s.rxHead] = byte;
      s.rxFlags[s.rxHead] = flags;
      this.lost++;
      accepted = false;
    } else {
      // FIFO mode: the FIFO keeps its contents; the character in the shift register is lost.
      s.lsr |= LSR_OE;
      this.lost++;
      accepted = false;
    }
    if (cap > 1 && accepted && flags) s.lsr |= LSR_RX_FIFO_ERROR;
    if (accepted) this.restartTimeout();
    this.update();
    return accepted;
  }

  private clearReceiver(): void {
    const s = this.state;
    s.rxHead = s.rxCount = 0;
    s.lsr &= ~LSR_RX_FIFO_ERROR;
    s.timeoutPending = false;
    s.timeoutAt = -1;
    this.timeoutTimer?.cancel();
  }

  /** Restart the 4-character timeout after FIFO activity (FIFO mode, characters waiting). */
  private restartTimeout(): void {
    const s = this.state;
    if (s.fcr & FCR_ENABLE && s.rxCount > 0 && this.clock) {
      s.timeoutAt = this.clock.now + 4 * this.characterTime;
      this.timeoutTimer?.armAt(s.timeoutAt);
    } else {
      s.timeoutAt = -1;
      this.timeoutTimer?.cancel();
    }
  }

  private characterTimeout(): void {
    const s = this.state;
    s.timeoutAt = -1;
    if (s.fcr & FCR_ENABLE && s.rxCount > 0) {
      s.timeoutPending = true;
      this.update();
    }
  }

  private laterErrors(): boolean {
    const s = this.state;
    for (let i = 1; i < s.rxCount; i++) if (s.rxFlags[(s.rxHead + i) & (FIFO_SIZE - 1)]) return true;
    return false;
  }

  private armLine(): void {
    const s = this.state;
    if (!this.clock || !this.lineTimer) return;
    s.hostInputAt = this.clock.now + this.characterTime;
    this.lineTimer.armAt(s.hostInputAt);
  }

  /** One character time of the fed line has passed: deliver its next byte if there is room. */
  private lineArrived(): void {
    const s = this.state;
    s.hostInputAt = -1;
    if (s.hostInput.length === 0) return;
    if (!(s.mcr & MCR_LOOP) && s.rxCount < this.rxCapacity()) {
      const byte = s.hostInput[0]!;
      s.hostInput = s.hostInput.slice(1);
      this.receiveCharacter(byte & wordMask(s.lcr), 0);
    }
    if (s.hostInput.length > 0) this.armLine();
  }

  // ---------------------------------------------------------------- transmitter

  /** Move the next character from THR / the FIFO into the shift register and start sending it. */
  private loadShiftRegister(): void {
    const s = this.state;
    while (s.txCount > 0) {
      s.tsr = s.txData[s.txHead]! & wordMask(s.lcr);
      s.txHead = (s.txHead + 1) & (this.txCapacity() - 1);
      s.txCount--;
      if (s.txCount === 0) this.transmitterEmptied();
      if (this.paced && this.clock) {
        s.tsrFull = true;
        s.txDoneAt = this.clock.now + this.characterTime;
        this.txTimer?.armAt(s.txDoneAt);
        return;
      }
      this.emit(s.tsr);
    }
  }

  /**
   * THR / the transmitter FIFO just emptied into the shift register: request the THRE interrupt.
   * In FIFO mode, unless the FIFO held two bytes at once since it was last empty, the request
   * comes one character time minus the last stop bit later (datasheet, FIFO interrupt mode
   * operation). Unpaced transmission has no character time: the request is immediate.
   */
  private transmitterEmptied(): void {
    const s = this.state;
    if (s.fcr & FCR_ENABLE && !s.txBurst && this.paced && this.clock && this.threTimer) {
      s.threDelayAt = this.clock.now + this.characterTime - bitTimeNs(this.divisor, this.clockHz);
      this.threTimer.armAt(s.threDelayAt);
    } else s.thrInterrupt = true;
    s.txBurst = false;
  }

  private threDelayDone(): void {
    const s = this.state;
    s.threDelayAt = -1;
    if (s.txCount === 0) {
      s.thrInterrupt = true;
      this.update();
    }
  }

  private cancelThreDelay(): void {
    this.state.threDelayAt = -1;
    this.threTimer?.cancel();
  }

  private shiftOutDone(): void {
    const s = this.state;
    if (!s.tsrFull) return;
    s.tsrFull = false;
    s.txDoneAt = -1;
    this.emit(s.tsr);
    this.loadShiftRegister();
    this.update();
  }

  private emit(byte: number): void {
    if (this.state.mcr & MCR_LOOP) this.receiveCharacter(byte, 0);
    else this.transmitted.next(byte);
  }

  // ---------------------------------------------------------------- modem lines

  /** The modem lines as the chip sees them: the inputs, or in loopback the MCR outputs. */
  private effectiveModemLines(): number {
    const s = this.state;
    if (!(s.mcr & MCR_LOOP)) return s.modemInputs;
    return (
      (s.mcr & MCR_RTS ? MSR_CTS : 0) |
      (s.mcr & MCR_DTR ? MSR_DSR : 0) |
      (s.mcr & MCR_OUT1 ? MSR_RI : 0) |
      (s.mcr & MCR_OUT2 ? MSR_DCD : 0)
    );
  }

  private modemLinesChanged(): void {
    const s = this.state;
    const now = this.effectiveModemLines();
    const changed = (s.msr ^ now) & 0xf0;
    let deltas = 0;
    if (changed & MSR_CTS) deltas |= MSR_DCTS;
    if (changed & MSR_DSR) deltas |= MSR_DDSR;
    if (changed & MSR_RI && !(now & MSR_RI)) deltas |= MSR_TERI;
    if (changed & MSR_DCD) deltas |= MSR_DDCD;
    s.msr = (s.msr & MSR_DELTAS) | deltas | now;
  }

  private driveModemOutputs(): void {
    const m = this.state.mcr & MCR_LOOP ? 0 : this.state.mcr;
    this.dtr.set((m & MCR_DTR) !== 0);
    this.rts.set((m & MCR_RTS) !== 0);
    this.out1.set((m & MCR_OUT1) !== 0);
    this.out2.set((m & MCR_OUT2) !== 0);
  }

  // ---------------------------------------------------------------- status and interrupts

  private lsrValue(): number {
    const s = this.state;
    let v = s.lsr;
    if (s.rxCount > 0) v |= LSR_DR;
    if (s.txCount === 0) {
      v |= LSR_THRE;
      if (!s.tsrFull) v |= LSR_TEMT;
    }
    return v;
  }

  /** The IIR identification bits of the highest-priority pending interrupt. */
  private interruptId(): number {
    const s = this.state;
    const ier = s.ier;
    if (ier & IER_RLS && s.lsr & LSR_ERRORS) return IIR_RLS;
    if (ier & IER_RDA) {
      if (s.rxCount > 0 && s.rxCount >= this.triggerLevel()) return IIR_RDA;
      if (s.timeoutPending) return IIR_TIMEOUT;
    }
    if (ier & IER_THRE && s.thrInterrupt) return IIR_THRE;
    if (ier & IER_MSR && s.msr & MSR_DELTAS) return IIR_MSR;
    return IIR_NONE;
  }

  private update(): void {
    const pending = this.interruptId() !== IIR_NONE;
    this.intr.set(pending);
    const s = this.state;
    const gate = !this.out2Gates || (s.mcr & (MCR_OUT2 | MCR_LOOP)) === MCR_OUT2;
    this.irqLine?.set(pending && gate);
  }

  private triggerLevel(): number {
    return this.state.fcr & FCR_ENABLE ? RX_TRIGGER_LEVELS[this.state.fcr >> FCR_TRIGGER_SHIFT]! : 1;
  }

  private rxCapacity(): number {
    return this.state.fcr & FCR_ENABLE ? FIFO_SIZE : 1;
  }

  private txCapacity(): number {
    return this.state.fcr & FCR_ENABLE ? FIFO_SIZE : 1;
  }

  /** Re-arm the timers from the deadlines in the state (after plug or restore). */
  private rearm(): void {
    const s = this.state;
    if (!this.txTimer || !this.timeoutTimer) return;
    if (s.tsrFull && s.txDoneAt >= 0) this.txTimer.armAt(s.txDoneAt);
    else this.txTimer.cancel();
    if (s.timeoutAt >= 0) this.timeoutTimer.armAt(s.timeoutAt);
    else this.timeoutTimer.cancel();
    if (s.threDelayAt >= 0) this.threTimer?.armAt(s.threDelayAt);
    else this.threTimer?.cancel();
    if (s.hostInputAt >= 0) this.lineTimer?.armAt(s.hostInputAt);
    else if (s.hostInput.length > 0) this.armLine();
    else this.lineTimer?.cancel();
  }
}
