import { IrqLine, type Bus, type Device, type PortClaim, type VirtualClock } from '@backplane/bus';
import {
  A_A20,
  A_FAST_RESET,
  B_REFRESH,
  B_SPEAKER_DATA,
  B_TIMER2_GATE,
  B_TIMER2_OUT,
  B_WRITABLE,
  PORT_A,
  PORT_B,
  REFRESH_PERIOD_NS,
} from './registers';
import type { Migratable } from '@backplane/vmstate';
import { initialState, systemControlState, type SystemControlState } from './state';

export interface SystemControlResources {
  /** Port B (default 61h). */
  readonly portB: number;
  /** Port A (default 92h); -1 for a PC/AT without it. */
  readonly portA: number;
}

/**
 * Ports 61h and 92h. Outputs are lines the machine wires: `timer2Gate` to PIT counter 2's gate,
 * `speakerData` to the speaker, `a20` to the memory space's A20 gate (ORed with the keyboard
 * controller's), `resetRequest` pulsed on a fast reset. Input: `setTimer2Out` from PIT counter 2.
 */
export class SystemControl implements Device, Migratable<typeof systemControlState> {
  readonly descriptor = systemControlState;
  readonly state: SystemControlState = Object.seal(initialState());
  readonly timer2Gate: IrqLine;
  readonly speakerData: IrqLine;
  readonly a20: IrqLine;
  readonly resetRequest: IrqLine;
  private out2 = false;
  private clock: VirtualClock | undefined;
  private claims: PortClaim[] = [];

  constructor(
    readonly id: string,
    readonly resources: SystemControlResources = { portB: PORT_B, portA: PORT_A },
  ) {
    this.timer2Gate = new IrqLine(`${id}.timer2-gate`);
    this.speakerData = new IrqLine(`${id}.speaker-data`);
    this.a20 = new IrqLine(`${id}.a20`);
    this.resetRequest = new IrqLine(`${id}.reset`);
  }

  plug(bus: Bus): void {
    this.clock = bus.clock;
    this.claims.push(
      bus.io.claim(this.id, this.resources.portB, 1, {
        read8: () => this.readB(),
        write8: (_o, v) => this.writeB(v),
      }),
    );
    if (this.resources.portA >= 0)
      this.claims.push(
        bus.io.claim(`${this.id}.port-a`, this.resources.portA, 1, {
          read8: () => this.state.portA,
          write8: (_o, v) => this.writeA(v),
        }),
      );
  }

  unplug(): void {
    for (const c of this.claims) c.release();
    this.claims = [];
  }

  /** Hardware reset: ports cleared (A20 off through port A, gate and speaker off). */
  reset(): void {
    this.state.portB = 0;
    this.state.portA = 0;
    this.drive();
  }

  /** PIT counter 2's OUT, as the machine reports it. */
  setTimer2Out(level: boolean): void {
    this.out2 = level;
  }

  saveState(): SystemControlState {
    return this.state;
  }

  /** Adopt a validated state and drive the outputs from it. */
  loadState(state: SystemControlState): void {
    this.state.portB = state.portB & B_WRITABLE;
    this.state.portA = state.portA & 0xff;
    this.drive();
  }

  private readB(): number {
    const now = this.clock?.now ?? 0;
    const refresh = Math.floor(now / REFRESH_PERIOD_NS) & 1 ? B_REFRESH : 0;
    return this.state.portB | refresh | (this.out2 ? B_TIMER2_OUT : 0);
  }

  private writeB(value: number): void {
    this.state.portB = value & B_WRITABLE;
    this.drive();
  }

  private writeA(value: number): void {
    const before = this.state.portA;
    this.state.portA = value & 0xff;
    this.a20.set((value & A_A20) !== 0);
    if (value & A_FAST_RESET && !(before & A_FAST_RESET)) this.resetRequest.pulse();
  }

  private drive(): void {
    this.timer2Gate.set((this.state.portB & B_TIMER2_GATE) !== 0);
    this.speakerData.set((this.state.portB & B_SPEAKER_DATA) !== 0);
    this.a20.set((this.state.portA & A_A20) !== 0);
  }
}
