import type { ServiceIdentifier } from 'inversify';
import type { Bus, Device } from '../bus';
import type { Timer } from '../clock';
import type { PortClaim } from '../io';
import type { IrqLine } from '../irq';
import { deviceModule } from '../module';

/**
 * Example devices for the bus's own tests, the test kit's documentation and the packaging
 * check. They are deliberately small, but behave completely as documented here.
 */

/** Resources of the POST code latch. */
export interface PostCodeResources {
  /** I/O port (PC default 0x80, the POST diagnostic port). */
  readonly iobase: number;
}

/**
 * A POST code latch: every byte written to the port is recorded; a read returns the last
 * code written (0xFF before any).
 */
export class PostCodeLatch implements Device {
  readonly codes: number[] = [];
  private claim: PortClaim | undefined;

  constructor(
    readonly id: string,
    readonly resources: PostCodeResources,
  ) {}

  plug(bus: Bus): void {
    this.claim = bus.io.claim(this.id, this.resources.iobase, 1, {
      read8: () => (this.codes.length === 0 ? 0xff : this.codes[this.codes.length - 1]!),
      write8: (_offset, value) => {
        this.codes.push(value);
      },
    });
  }

  unplug(): void {
    this.claim?.release();
  }

  reset(): void {
    this.codes.length = 0;
  }
}

export const POST_CODE_LATCH: ServiceIdentifier<PostCodeLatch> = Symbol.for('@backplane/bus:example/PostCodeLatch');

export function postCodeLatchModule(resources: Partial<PostCodeResources> = {}, id = 'post'): ReturnType<typeof deviceModule> {
  return deviceModule(POST_CODE_LATCH, () => new PostCodeLatch(id, { iobase: 0x80, ...resources }));
}

/** Resources of the countdown timer. */
export interface CountdownResources {
  readonly iobase: number;
  readonly irq: number;
}

/** Register offsets of the countdown timer. */
export const CountdownRegister = {
  /** 16-bit reload value in microseconds (byte or word access). */
  Reload: 0,
  /** Write: bit 0 start (1) / stop (0), bit 1 interrupt enable. Read: the last control value. */
  Control: 2,
  /** Read: bit 0 expired; the read clears it and lowers the IRQ line. */
  Status: 3,
} as const;

/**
 * A countdown timer: after `reload` microseconds of virtual time it sets the expired bit and,
 * if enabled, raises its IRQ line (level-held until status is read). It re-arms itself, so it
 * is periodic while started. Word access to the reload register is native; byte access works too.
 */
export class CountdownTimer implements Device {
  /** All guest-visible state, in one plain object. */
  readonly state = { reload: 0, control: 0, expired: false };
  private timer: Timer | undefined;
  private line: IrqLine | undefined;
  private claim: PortClaim | undefined;

  constructor(
    readonly id: string,
    readonly resources: CountdownResources,
  ) {}

  plug(bus: Bus): void {
    this.line = bus.irq.line(this.resources.irq, this.id);
    this.timer = bus.clock.timer(`${this.id}.expiry`, () => this.expire());
    this.claim = bus.io.claim(this.id, this.resources.iobase, 4, {
      read8: (o) => this.read8(o),
      write8: (o, v) => this.write8(o, v),
      read16: (o) => (o === CountdownRegister.Reload ? this.state.reload : this.read8(o) | (this.read8(o + 1) << 8)),
      write16: (o, v) => {
        if (o === CountdownRegister.Reload) this.state.reload = v;
        else {
          this.write8(o, v & 0xff);
          this.write8(o + 1, v >>> 8);
        }
      },
    });
  }

  unplug(): void {
    this.claim?.release();
    this.timer?.cancel();
  }

  reset(): void {
    this.state.reload = 0;
    this.state.control = 0;
    this.state.expired = false;
    this.timer?.cancel();
    this.line?.lower();
  }

  private read8(o: number): number {
    switch (o) {
      case 0:
        return this.state.reload & 0xff;
      case 1:
        return this.state.reload >>> 8;
      case CountdownRegister.Control:
        return this.state.control;
      default: {
        const v = this.state.expired ? 1 : 0;
        this.state.expired = false;
        this.line?.lower();
        return v;
      }
    }
  }

  private write8(o: number, v: number): void {
    switch (o) {
      case 0:
        this.state.reload = (this.state.reload & 0xff00) | v;
        break;
      case 1:
        this.state.reload = (this.state.reload & 0x00ff) | (v << 8);
        break;
      case CountdownRegister.Control:
        this.state.control = v & 3;
        if (v & 1) this.timer?.armAfter(Math.max(1, this.state.reload) * 1000);
        else this.timer?.cancel();
        break;
      default:
        break; // status is read-only
    }
  }

  private expire(): void {
    this.state.expired = true;
    if (this.state.control & 2) this.line?.raise();
    this.timer?.armAfter(Math.max(1, this.state.reload) * 1000);
  }
}

export const COUNTDOWN_TIMER: ServiceIdentifier<CountdownTimer> = Symbol.for('@backplane/bus:example/CountdownTimer');

export function countdownTimerModule(resources: Partial<CountdownResources> = {}, id = 'countdown'): ReturnType<typeof deviceModule> {
  return deviceModule(COUNTDOWN_TIMER, () => new CountdownTimer(id, { iobase: 0x300, irq: 5, ...resources }));
}
