import { IrqLine, type Bus, type Device, type PortClaim, type Timer, type VirtualClock } from '@backplane/bus';
import { displayCount, materialize, modeOf, newView, nextOutEdge, project, type CounterView } from './counter';
import { validate } from '@backplane/vmstate';
import {
  CW_COUNTER_BITS,
  CW_RW_SHIFT,
  CW_SELECT_READBACK,
  CW_SELECT_SHIFT,
  MODE_HARDWARE_STROBE,
  MODE_INTERRUPT_ON_TERMINAL_COUNT,
  MODE_ONE_SHOT,
  MODE_RATE_GENERATOR,
  MODE_SOFTWARE_STROBE,
  MODE_SQUARE_WAVE,
  PIT_IOBASE,
  PIT_IRQ,
  PORT_CONTROL,
  PORT_COUNT,
  RB_COUNTER0,
  RB_NOT_COUNT,
  RB_NOT_STATUS,
  RW_LATCH,
  RW_LSB,
  RW_MSB,
  STATUS_NULL_COUNT,
  STATUS_OUT,
} from './registers';
import { initialPitState, pitState, programmedCounter, type PitState } from './state';
import { edgeTime, ticksAt } from './timebase';

export interface PitResources {
  /** I/O base of the four ports (PC/AT: 0x40). */
  readonly iobase: number;
  /** ISA IRQ wire counter 0's OUT drives (PC/AT: 0); -1 leaves counter 0's OUT unconnected. */
  readonly irq: number;
}

/** Counter number 0-2. */
export type PitCounter = 0 | 1 | 2;

/**
 * The Intel 8254. Three counters clocked at 1.193182 MHz from the virtual clock. Counter 0's
 * OUT drives an ISA IRQ wire; counter 2's OUT is the standalone line `out2` (the speaker and
 * port 61h bit 5 observe it); counter 1's OUT (DRAM refresh on the PC) has no line, but reads
 * through the read-back status. GATE inputs are set by the machine with `setGate` (counter 2's
 * from port 61h bit 0; counters 0 and 1 are tied high on the PC/AT).
 *
 * Reads compute CE and OUT from the state and the current clock edge; a timer is armed only for
 * the next OUT change of a counter that has a line.
 */
export class Pit implements Device {
  /** All guest-visible state. */
  state: PitState = initialPitState();
  /** Counter 2's OUT (speaker / port 61h bit 5). */
  readonly out2: IrqLine;
  private irq0: IrqLine | undefined;
  private clock: VirtualClock | undefined;
  private claim: PortClaim | undefined;
  private timers: (Timer | undefined)[] = [undefined, undefined, undefined];
  private readonly view: CounterView = newView();
  /** Host-side caches of ticksAt(): the clock's now, and each counter's refTime. */
  private lastNow = -1;
  private lastTick = 0;
  private readonly refTimes = [-1, -1, -1];
  private readonly refTicks = [0, 0, 0];

  constructor(
    readonly id: string,
    readonly resources: PitResources = { iobase: PIT_IOBASE, irq: PIT_IRQ },
  ) {
    this.out2 = new IrqLine(`${id}.out2`);
  }

  plug(bus: Bus): void {
    this.clock = bus.clock;
    if (this.resources.irq >= 0) this.irq0 = bus.irq.line(this.resources.irq, this.id);
    this.timers[0] = bus.clock.timer(`${this.id}.out0`, () => this.refresh(0));
    this.timers[2] = bus.clock.timer(`${this.id}.out2`, () => this.refresh(2));
    this.claim = bus.io.claim(this.id, this.resources.iobase, PORT_COUNT, {
      read8: (offset) => this.read(offset),
      write8: (offset, value) => this.write(offset, value),
    });
    this.refreshAll();
  }

  unplug(): void {
    this.claim?.release();
    this.claim = undefined;
    for (const t of this.timers) if (t) this.clock?.disposeTimer(t);
    this.timers = [undefined, undefined, undefined];
    this.irq0?.lower();
    this.irq0 = undefined;
  }

  /** Hardware reset: every counter back to its power-on state (GATE inputs keep their levels). */
  reset(): void {
    const c = this.state.counters;
    this.state = initialPitState([c[0]!.gate, c[1]!.gate, c[2]!.gate], this.now());
    this.refreshAll();
  }

  /** Drive counter `counter`'s GATE input (the machine: counter 2 from port 61h bit 0). */
  setGate(counter: PitCounter, level: boolean): void {
    const c = this.state.counters[counter]!;
    if (c.gate === level) return;
    this.materialize(counter);
    c.gate = level;
    const mode = modeOf(c);
    if (!level) {
      // Modes 2 and 3: GATE low sets OUT high immediately.
      if (mode === MODE_RATE_GENERATOR || mode === MODE_SQUARE_WAVE) c.out = true;
    } else if (c.countWritten && (mode === MODE_ONE_SHOT || mode === MODE_RATE_GENERATOR || mode === MODE_SQUARE_WAVE || mode === MODE_HARDWARE_STROBE)) {
      // Rising edge (trigger): CR is loaded into CE on the next CLK.
      c.loadPending = true;
    }
    this.refresh(counter);
  }

  /** OUT of a counter now (what the pin shows; counter 1 included). */
  outLevel(counter: PitCounter): boolean {
    return this.project(counter).out;
  }

  /** The state to save: every counter brought forward to now first, so the saved times are "now". */
  saveState(): PitState {
    for (let i = 0; i < 3; i++) this.materialize(i);
    return structuredClone(this.state);
  }

  /**
   * Adopt a loaded state (checked against the descriptor first: an invalid object throws a
   * ValidationError and nothing is applied), then drive the OUT lines and re-arm the timers
   * from it. A reference time after the loading side's now is taken as now.
   */
  loadState(state: PitState): void {
    validate(pitState, state);
    const next = structuredClone(state);
    const now = this.now();
    for (const c of next.counters) if (c.refTime > now) c.refTime = now;
    this.state = next;
    this.refreshAll();
  }

  private now(): number {
    return this.clock?.now ?? 0;
  }

  private tick(): number {
    const now = this.now();
    if (now !== this.lastNow) {
      this.lastNow = now;
      this.lastTick = ticksAt(now);
    }
    return this.lastTick;
  }

  private refTick(counter: number): number {
    const t = this.state.counters[counter]!.refTime;
    if (t !== this.refTimes[counter]) {
      this.refTimes[counter] = t;
      this.refTicks[counter] = ticksAt(t);
    }
    return this.refTicks[counter]!;
  }

  /** Counter `counter` as of now, in the scratch view. */
  private project(counter: number): CounterView {
    return project(this.state.counters[counter]!, this.refTick(counter), this.tick(), this.view);
  }

  private materialize(counter: number): void {
    materialize(this.state.counters[counter]!, this.refTick(counter), this.now(), this.tick(), this.view);
  }

  private read(offset: number): number {
    if (offset === PORT_CONTROL) return 0xff; // no-operation: the data bus floats
    const c = this.state.counters[offset]!;
    if (c.statusLatched) {
      c.statusLatched = false;
      return c.status;
    }
    const value = c.latchReads > 0 ? c.latched : displayCount(c, this.project(offset).ce);
    if (c.latchReads > 0) c.latchReads--;
    switch ((c.control >> CW_RW_SHIFT) & 3) {
      case RW_LSB:
        return value & 0xff;
      case RW_MSB:
        return value >>> 8;
      default: {
        const msb = c.readMsb;
        c.readMsb = !msb;
        return msb ? value >>> 8 : value & 0xff;
      }
    }
  }

  private write(offset: number, value: number): void {
    if (offset === PORT_CONTROL) this.writeControl(value);
    else this.writeCount(offset as PitCounter, value);
  }

  private writeControl(value: number): void {
    const select = value >> CW_SELECT_SHIFT;
    if (select === CW_SELECT_READBACK) {
      this.readBack(value);
      return;
    }
    const counter = select as PitCounter;
    if (((value >> CW_RW_SHIFT) & 3) === RW_LATCH) {
      this.latchCount(counter);
      return;
    }
    this.materialize(counter);
    const c = this.state.counters[counter]!;
    this.state.counters[counter] = programmedCounter(value & CW_COUNTER_BITS, c.gate, c.ce, c.refTime);
    this.refresh(counter);
  }

  /** Counter latch command (and the read-back command's count latch): ignored while a latched count is unread. */
  private latchCount(counter: number): void {
    const c = this.state.counters[counter]!;
    if (c.latchReads > 0) return;
    c.latched = displayCount(c, this.project(counter).ce);
    c.latchReads = ((c.control >> CW_RW_SHIFT) & 3) === 3 ? 2 : 1;
  }

  /** Read-back command: bits 3-1 select counters 2-0; bit 5 = 0 latches counts, bit 4 = 0 latches status. */
  private readBack(value: number): void {
    for (let i = 0; i < 3; i++) {
      if (!(value & (RB_COUNTER0 << i))) continue;
      const c = this.state.counters[i]!;
      if (!(value & RB_NOT_COUNT)) this.latchCount(i);
      if (!(value & RB_NOT_STATUS) && !c.statusLatched) {
        const v = this.project(i);
        c.status = (v.out ? STATUS_OUT : 0) | (v.nullCount ? STATUS_NULL_COUNT : 0) | (c.control & CW_COUNTER_BITS);
        c.statusLatched = true;
      }
    }
  }

  private writeCount(counter: PitCounter, value: number): void {
    this.materialize(counter);
    const c = this.state.counters[counter]!;
    const mode = modeOf(c);
    switch ((c.control >> CW_RW_SHIFT) & 3) {
      case RW_LSB:
        c.cr = value;
        break;
      case RW_MSB:
        c.cr = value << 8;
        break;
      default:
        if (!c.writeMsb) {
          c.cr = (c.cr & 0xff00) | value;
          c.writeMsb = true;
          if (mode === MODE_INTERRUPT_ON_TERMINAL_COUNT) {
            // Mode 0: writing the first byte disables counting; OUT goes low at once.
            c.counting = false;
            c.loadPending = false;
            c.out = false;
            this.refresh(counter);
          }
          return;
        }
        c.cr = (c.cr & 0x00ff) | (value << 8);
        c.writeMsb = false;
    }
    // A complete count is in CR.
    c.countWritten = true;
    c.nullCount = true;
    switch (mode) {
      case MODE_INTERRUPT_ON_TERMINAL_COUNT:
        c.out = false;
        c.loadPending = true;
        break;
      case MODE_SOFTWARE_STROBE:
        c.loadPending = true;
        break;
      case MODE_RATE_GENERATOR:
      case MODE_SQUARE_WAVE:
        // The first count after a control word loads on the next CLK; later ones at the end of
        // the current period (or half-cycle), or on a GATE trigger.
        if (!c.counting) c.loadPending = true;
        break;
      default:
        break; // modes 1 and 5 wait for a GATE trigger
    }
    this.refresh(counter);
  }

  private refreshAll(): void {
    this.refresh(0);
    this.refresh(1);
    this.refresh(2);
  }

  /** Drive the counter's OUT line to its level now and arm its timer for the next change. */
  private refresh(counter: number): void {
    const line = counter === 0 ? this.irq0 : counter === 2 ? this.out2 : undefined;
    const timer = this.timers[counter];
    if (!line) return;
    const v = this.project(counter);
    line.set(v.out);
    if (!timer) return;
    const next = nextOutEdge(this.state.counters[counter]!, this.tick(), v);
    if (next < 0) timer.cancel();
    else timer.armAt(edgeTime(next));
  }
}
