import type { Bus, Device, PortClaim } from '@backplane/bus';
import { Observable, Subject } from 'rxjs';
import { DEBUGCON_READBACK } from './registers';

export interface DebugConsoleResources {
  /** I/O port (0xE9 by default; 0x402 for SeaBIOS's log). */
  readonly iobase: number;
  /** Value a read returns (0xE9: the guest can tell the console is there). */
  readonly readback: number;
}

/**
 * A debug console port: every byte the guest writes is passed to the host on `output$`
 * (and kept in `text` up to `limit` bytes for tests and reports). It has no guest-visible
 * state besides its fixed readback value, so it needs no state descriptor.
 */
export class DebugConsole implements Device {
  private readonly bytes = new Subject<number>();
  private claim: PortClaim | undefined;
  private captured: number[] = [];
  /** Bytes written by the guest, as they arrive. */
  readonly output$: Observable<number> = this.bytes.asObservable();

  constructor(
    readonly id: string,
    readonly resources: DebugConsoleResources = { iobase: 0xe9, readback: DEBUGCON_READBACK },
    private readonly limit = 1 << 20,
  ) {}

  plug(bus: Bus): void {
    this.claim = bus.io.claim(this.id, this.resources.iobase, 1, {
      read8: () => this.resources.readback,
      write8: (_offset, value) => {
        if (this.captured.length < this.limit) this.captured.push(value);
        if (this.bytes.observed) this.bytes.next(value);
      },
    });
  }

  unplug(): void {
    this.claim?.release();
  }

  /** What the guest wrote so far, as Latin-1 text. */
  get text(): string {
    return String.fromCharCode(...this.captured);
  }

  /** Forget the captured bytes. */
  clear(): void {
    this.captured = [];
  }
}
