import { Observable, Subject } from 'rxjs';
import { VirtualClock } from './clock';
import type { DmaController } from './dma';
import { BusError, DuplicateDeviceError } from './errors';
import { IoSpace } from './io';
import { IrqRouter } from './irq';
import { MemorySpace, type MemoryOptions } from './memory';

/**
 * A device on the backplane. `plug` claims its ports, memory, IRQ lines, DMA channel and
 * timers from the bus; it keeps no reference to other devices or the CPU.
 */
export interface Device {
  /** Unique per bus, e.g. "pit", "uart1". */
  readonly id: string;
  plug(bus: Bus): void;
  /** Give back everything `plug` took. */
  unplug?(): void;
  /** Hardware reset (RESET line asserted). */
  reset?(): void;
}

export interface DeviceEvent {
  readonly kind: 'plugged' | 'unplugged';
  readonly id: string;
}

/**
 * How to build a bus. The memory options are those of `MemoryOptions`: `backingSize` (default
 * 1 MiB), `addressBits` (default 24) and `allocate` (what makes the RAM backing store).
 */
export interface BusOptions extends Partial<MemoryOptions> {
  /** Instructions per microsecond for the virtual clock (default 10). */
  readonly instructionsPerMicrosecond?: number;
  /** Interrupt request wires on the board (default 16, the ISA IRQs). */
  readonly irqWires?: number;
}

/** Raised when a device needs a DMA controller and none is on the bus. */
export class NoDmaControllerError extends BusError {
  override readonly name = 'NoDmaControllerError';
  constructor(readonly device: string) {
    super(`${device} needs a DMA controller, but none is on this bus`);
  }
}

/** The backplane: port I/O space, memory space, IRQ wires, DMA, the virtual clock, the devices. */
export class Bus {
  readonly io: IoSpace;
  readonly memory: MemorySpace;
  readonly clock: VirtualClock;
  readonly irq: IrqRouter;
  private dmaController: DmaController | undefined;
  private readonly plugged = new Map<string, Device>();
  private readonly events = new Subject<DeviceEvent>();
  /** Devices plugged and unplugged. */
  readonly devices$: Observable<DeviceEvent> = this.events.asObservable();

  constructor(options: BusOptions = {}) {
    this.io = new IoSpace();
    this.memory = new MemorySpace({
      backingSize: options.backingSize ?? 0x100000,
      addressBits: options.addressBits ?? 24,
      ...(options.allocate ? { allocate: options.allocate } : {}),
    });
    this.clock = new VirtualClock({ instructionsPerMicrosecond: options.instructionsPerMicrosecond ?? 10 });
    this.irq = new IrqRouter(options.irqWires ?? 16);
  }

  /** The DMA controller devices attach to (set by the controller device, or the test kit). */
  get dma(): DmaController {
    return this.dmaController ?? missingDma;
  }

  get hasDma(): boolean {
    return this.dmaController !== undefined;
  }

  /** Offer a DMA controller to the devices on this bus. */
  provideDma(controller: DmaController): void {
    if (this.dmaController && this.dmaController !== controller) throw new BusError('this bus already has a DMA controller');
    this.dmaController = controller;
  }

  plug(device: Device): void {
    if (this.plugged.has(device.id)) throw new DuplicateDeviceError(device.id);
    this.plugged.set(device.id, device);
    try {
      device.plug(this);
    } catch (e) {
      this.plugged.delete(device.id);
      throw e;
    }
    this.events.next({ kind: 'plugged', id: device.id });
  }

  unplug(id: string): void {
    const d = this.plugged.get(id);
    if (!d) return;
    d.unplug?.();
    this.plugged.delete(id);
    this.events.next({ kind: 'unplugged', id });
  }

  /** Plugged devices, in plug order. */
  get devices(): readonly Device[] {
    return [...this.plugged.values()];
  }

  device<T extends Device = Device>(id: string): T | undefined {
    return this.plugged.get(id) as T | undefined;
  }

  /** Reset every device, in plug order. */
  reset(): void {
    for (const d of this.plugged.values()) d.reset?.();
  }
}

const missingDma: DmaController = {
  attach(_channel, owner) {
    throw new NoDmaControllerError(owner);
  },
};
