import { IrqLine, type Bus, type Device, type PortClaim, type Timer, type VirtualClock } from '@backplane/bus';
import { copyState, validate, type Migratable } from '@backplane/vmstate';
import { advanceSecond, alarmMatches, calendarOf, encode, periodicIndex, periodicTime, setClockRegisters } from './calendar';
import { CmosImageError, RtcConfigError } from './errors';
import {
  A_DV_MASK,
  A_RS_MASK,
  A_UIP,
  B_AIE,
  B_PIE,
  B_SET,
  B_SQWE,
  B_UIE,
  CMOS_CENTURY,
  CMOS_SIZE,
  C_AF,
  C_FLAGS,
  C_IRQF,
  C_PF,
  C_UF,
  DV_32768,
  D_VRT,
  FIRST_UPDATE_NS,
  INDEX_MASK,
  INDEX_NMI_MASK,
  PERIODIC_CYCLES,
  PORT_INDEX,
  REG_A,
  REG_B,
  REG_C,
  REG_D,
  RTC_BASE,
  UPPER_BASE,
  UPPER_INDEX_MASK,
  UPPER_SIZE,
  RTC_IRQ,
  SECOND_NS,
  UIP_LEAD_NS,
  UPDATE_CYCLE_NS,
} from './registers';
import { initialState, rtcState, type RtcState } from './state';

export interface RtcResources {
  /** Index port; the data port is the next one (PC/AT: 70h). */
  readonly iobase: number;
  /** Interrupt request wire (PC/AT: 8). */
  readonly irq: number;
  /**
   * The time the clock shows at power-on, in milliseconds since 1970-01-01T00:00:00Z, taken as
   * UTC calendar fields (pass a shifted value for a guest that keeps local time). Undefined: the
   * host's time, read once when the device is constructed and never again.
   */
  readonly startTime?: number;
  /** CMOS byte set to the start time's century in BCD (PC/AT: 32h); -1 for none. */
  readonly centuryIndex: number;
  /**
   * Index port of the chipset's upper 128-byte bank (PIIX4 and later: 72h, data at 73h), or -1
   * for none (the MC146818A alone, and the PC/AT: the default).
   */
  readonly upperBase: number;
}

export const RTC_DEFAULTS: RtcResources = Object.freeze({ iobase: RTC_BASE, irq: RTC_IRQ, centuryIndex: CMOS_CENTURY, upperBase: -1 });

/** The index port of the upper bank on PIIX4-class chipsets (pass as `upperBase`). */
export const RTC_UPPER_BASE = UPPER_BASE;

/** Options for loading a CMOS image. */
export interface CmosLoadOptions {
  /** Also take the clock registers 00h-0Dh from the image (default: keep the running clock). */
  readonly clock?: boolean;
}

/**
 * The Motorola MC146818A real-time clock with 128 bytes of clock registers and RAM.
 *
 * Time advances only with the virtual clock: each update cycle ends at a known virtual time, one
 * second after the last; the periodic flag falls on a lattice of the 32.768 kHz time base. Events
 * are applied to the registers lazily whenever a port is accessed, and by two timers while an
 * interrupt is enabled (the update timer runs whenever the divider counts, so catching up never
 * takes more than a second's work).
 *
 * Outputs: the IRQ wire (asserted while IRQF is set) and `nmiMask`, the board's NMI mask latch
 * in port 70h bit 7, for the machine to wire to the processor's NMI gate.
 */
export class Rtc implements Device, Migratable<typeof rtcState> {
  readonly descriptor = rtcState;
  state: RtcState = initialState();
  /** High while port 70h bit 7 masks NMI. */
  readonly nmiMask: IrqLine;
  /** The start time used (ms since the Unix epoch). */
  readonly startTime: number;
  private clock: VirtualClock | undefined;
  private line: IrqLine | undefined;
  private claim: PortClaim | undefined;
  private upperClaim: PortClaim | undefined;
  private updateTimer: Timer | undefined;
  private periodicTimer: Timer | undefined;

  constructor(
    readonly id: string,
    readonly resources: RtcResources = RTC_DEFAULTS,
  ) {
    const start = resources.startTime ?? Date.now(); // host-time-ok: the documented default start time, read once here
    if (typeof start !== 'number' || !Number.isFinite(start) || Math.abs(start) > 8.64e15)
      throw new RtcConfigError(`RTC start time must be a finite number of ms since 1970, got ${String(start)}`);
    const upper = resources.upperBase ?? -1;
    if (upper !== -1 && (!Number.isInteger(upper) || upper < 0 || upper > 0xfffe))
      throw new RtcConfigError(`RTC upper bank port must be -1 (none) or a port from 0 to FFFEh, got ${String(upper)}`);
    this.startTime = start;
    this.nmiMask = new IrqLine(`${id}.nmi-mask`);
    const t = calendarOf(start);
    setClockRegisters(this.state.cmos, this.state.cmos[REG_B]!, t);
    if (resources.centuryIndex >= 0 && resources.centuryIndex < CMOS_SIZE)
      this.state.cmos[resources.centuryIndex] = encode(Math.floor(t.year / 100) % 100, false);
  }

  // ---------------------------------------------------------------- Device

  plug(bus: Bus): void {
    const clock = bus.clock;
    this.clock = clock;
    this.line = bus.irq.line(this.resources.irq, this.id);
    this.updateTimer = clock.timer(`${this.id}.update`, (now) => this.onTimer(now));
    this.periodicTimer = clock.timer(`${this.id}.periodic`, (now) => this.onTimer(now));
    this.claim = bus.io.claim(this.id, this.resources.iobase, 2, {
      read8: (o) => (o === PORT_INDEX ? 0xff : this.readData()),
      write8: (o, v) => (o === PORT_INDEX ? this.writeIndex(v) : this.writeData(v)),
    });
    if (this.hasUpperBank)
      this.upperClaim = bus.io.claim(this.id, this.resources.upperBase, 2, {
        read8: (o) => (o === PORT_INDEX ? 0xff : this.state.upper[this.state.upperIndex]!),
        write8: (o, v) => {
          if (o === PORT_INDEX) this.state.upperIndex = v & UPPER_INDEX_MASK;
          else this.state.upper[this.state.upperIndex] = v & 0xff;
        },
      });
    // The divider has been running on the battery: the next update ends when the start time
    // reaches its next whole second.
    const now = clock.now;
    const ms = ((this.startTime % 1000) + 1000) % 1000;
    this.state.synced = now;
    this.state.nextUpdateEnd = now + Math.round((1000 - ms) * 1e6);
    this.refresh();
  }

  unplug(): void {
    this.claim?.release();
    this.upperClaim?.release();
    this.claim = this.upperClaim = undefined;
    if (this.updateTimer) this.clock?.disposeTimer(this.updateTimer);
    if (this.periodicTimer) this.clock?.disposeTimer(this.periodicTimer);
    this.updateTimer = this.periodicTimer = undefined;
    this.line?.lower();
  }

  /** The RESET pin: clears PIE, AIE, UIE, SQWE and every flag; time, divider and RAM are kept. */
  reset(): void {
    this.sync();
    const c = this.state.cmos;
    c[REG_B] = c[REG_B]! & ~(B_PIE | B_AIE | B_UIE | B_SQWE);
    c[REG_C] = 0;
    this.refresh();
  }

  // ---------------------------------------------------------------- host API

  /** Whether port 70h bit 7 masks NMI. */
  get nmiMasked(): boolean {
    return this.state.nmiMasked;
  }

  /** Whether the machine gave this clock the chipset's upper 128-byte bank. */
  get hasUpperBank(): boolean {
    return this.resources.upperBase !== undefined && this.resources.upperBase >= 0;
  }

  /**
   * The clock registers and RAM as they are now (register A without UIP, C's flags as stored):
   * 128 bytes, or 256 with the upper bank.
   */
  cmosImage(): Uint8Array {
    this.sync();
    if (!this.hasUpperBank) return this.state.cmos.slice();
    const image = new Uint8Array(CMOS_SIZE + UPPER_SIZE);
    image.set(this.state.cmos);
    image.set(this.state.upper, CMOS_SIZE);
    return image;
  }

  /**
   * Load a CMOS image: the RAM (0Eh-7Fh, and 80h-FFh from a 256-byte image when this clock has the
   * upper bank), and with `clock` the clock registers too (UIP, register C's flags and register D
   * are not taken from an image). Refused whole with a CmosImageError for any other size.
   */
  loadCmosImage(image: Uint8Array, options: CmosLoadOptions = {}): void {
    const sizes = this.hasUpperBank ? [CMOS_SIZE, CMOS_SIZE + UPPER_SIZE] : [CMOS_SIZE];
    if (!(image instanceof Uint8Array) || !sizes.includes(image.length))
      throw new CmosImageError(
        `a CMOS image is ${sizes.join(' or ')} bytes${this.hasUpperBank ? '' : ' (this clock has no upper bank)'}, got ${image instanceof Uint8Array ? image.length : typeof image}`,
      );
    this.sync();
    const c = this.state.cmos;
    const oldA = c[REG_A]!;
    c.set(image.subarray(0x0e, CMOS_SIZE), 0x0e);
    if (image.length > CMOS_SIZE) this.state.upper.set(image.subarray(CMOS_SIZE));
    if (options.clock) {
      c.set(image.subarray(0, REG_C));
      c[REG_A] = image[REG_A]! & ~A_UIP;
      this.dividerChanged(oldA);
    }
    this.refresh();
  }

  // ---------------------------------------------------------------- Migratable

  saveState(): RtcState {
    this.sync();
    return copyState(rtcState, this.state);
  }

  loadState(state: RtcState): void {
    validate(rtcState, state);
    const next = copyState(rtcState, state);
    const now = this.now();
    if (next.synced > now) next.synced = now;
    this.state = Object.seal(next);
    this.nmiMask.set(next.nmiMasked);
    this.refresh();
  }

  // ---------------------------------------------------------------- ports

  private writeIndex(v: number): void {
    this.state.index = v & INDEX_MASK;
    this.state.nmiMasked = (v & INDEX_NMI_MASK) !== 0;
    this.nmiMask.set(this.state.nmiMasked);
  }

  private readData(): number {
    const now = this.sync();
    const s = this.state;
    const c = s.cmos;
    switch (s.index) {
      case REG_A:
        return c[REG_A]! | (this.updateInProgress(now) ? A_UIP : 0);
      case REG_C: {
        const v = c[REG_C]!;
        c[REG_C] = 0;
        this.line?.lower();
        return v;
      }
      case REG_D:
        return D_VRT;
      default:
        return c[s.index]!;
    }
  }

  private writeData(v: number): void {
    this.sync();
    const s = this.state;
    const c = s.cmos;
    v &= 0xff;
    switch (s.index) {
      case REG_A: {
        const old = c[REG_A]!;
        c[REG_A] = v & ~A_UIP;
        this.dividerChanged(old);
        break;
      }
      case REG_B:
        c[REG_B] = v & B_SET ? v & ~B_UIE : v; // setting SET clears UIE
        break;
      case REG_C:
      case REG_D:
        return; // read only
      default:
        c[s.index] = v;
        return;
    }
    this.refresh();
  }

  // ---------------------------------------------------------------- time

  private now(): number {
    return this.clock?.now ?? this.state.synced;
  }

  /** UIP: from 244 us before an update cycle begins until it ends; never while SET or the divider is stopped. */
  private updateInProgress(now: number): boolean {
    const e = this.state.nextUpdateEnd;
    return e >= 0 && !(this.state.cmos[REG_B]! & B_SET) && now >= e - UPDATE_CYCLE_NS - UIP_LEAD_NS;
  }

  /** Register A's divider bits changed from `oldA`: start, keep or stop the divider chain. */
  private dividerChanged(oldA: number): void {
    const s = this.state;
    const running = (s.cmos[REG_A]! & A_DV_MASK) === DV_32768;
    const wasRunning = (oldA & A_DV_MASK) === DV_32768 && s.nextUpdateEnd >= 0;
    if (!running) s.nextUpdateEnd = -1;
    else if (!wasRunning) s.nextUpdateEnd = this.now() + FIRST_UPDATE_NS + UPDATE_CYCLE_NS;
  }

  /** Apply every update cycle and periodic instant due by now; returns now. */
  private sync(): number {
    const now = this.now();
    const s = this.state;
    if (now <= s.synced) return now;
    const c = s.cmos;
    if (s.nextUpdateEnd >= 0) {
      const cycles = PERIODIC_CYCLES[c[REG_A]! & A_RS_MASK]!;
      if (cycles !== 0) {
        const u = s.nextUpdateEnd - UPDATE_CYCLE_NS;
        if (periodicIndex(now, u, cycles) > periodicIndex(s.synced, u, cycles)) c[REG_C] = c[REG_C]! | C_PF;
      }
      const b = c[REG_B]!;
      let fallBack = s.fallBackDone;
      while (s.nextUpdateEnd <= now) {
        if (!(b & B_SET)) {
          fallBack = advanceSecond(c, b, fallBack);
          c[REG_C] = c[REG_C]! | C_UF | (alarmMatches(c) ? C_AF : 0);
        }
        s.nextUpdateEnd += SECOND_NS;
      }
      s.fallBackDone = fallBack;
    }
    s.synced = now;
    return now;
  }

  private onTimer(now: number): void {
    void now;
    this.sync();
    this.refresh();
  }

  /** Recompute IRQF and the IRQ line, and arm the timers for the next events that matter. */
  private refresh(): void {
    const s = this.state;
    const c = s.cmos;
    const flags = c[REG_C]! & C_FLAGS;
    const irqf = (flags & c[REG_B]! & C_FLAGS) !== 0;
    c[REG_C] = flags | (irqf ? C_IRQF : 0);
    this.line?.set(irqf);
    const e = s.nextUpdateEnd;
    if (e < 0) {
      this.updateTimer?.cancel();
      this.periodicTimer?.cancel();
      return;
    }
    this.updateTimer?.armAt(e);
    const cycles = PERIODIC_CYCLES[c[REG_A]! & A_RS_MASK]!;
    if (cycles !== 0 && c[REG_B]! & B_PIE) {
      const u = e - UPDATE_CYCLE_NS;
      this.periodicTimer?.armAt(periodicTime(periodicIndex(s.synced, u, cycles) + 1, u, cycles));
    } else this.periodicTimer?.cancel();
  }
}

