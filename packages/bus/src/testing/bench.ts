import 'reflect-metadata';
import { Container, type ContainerModule, type ServiceIdentifier } from 'inversify';
import type { Bus, BusOptions } from '../bus';
import { BUS, busModule, plugDevices } from '../module';
import { FakeDmaController } from './fake-dma';

/** One level change seen on an IRQ wire: the virtual time and the new level. */
export interface IrqChange {
  readonly time: number;
  readonly level: boolean;
}

/** Watches one IRQ wire of the test bench. */
export class IrqProbe {
  readonly history: IrqChange[] = [];
  private current = false;

  constructor(readonly irq: number) {}

  /** @internal */
  see(time: number, level: boolean): void {
    if (level === this.current) return;
    this.current = level;
    this.history.push({ time, level });
  }

  get level(): boolean {
    return this.current;
  }

  /** Rising edges seen since the last `clear()`. */
  get rises(): number {
    return this.history.filter((c) => c.level).length;
  }

  get falls(): number {
    return this.history.filter((c) => !c.level).length;
  }

  clear(): void {
    this.history.length = 0;
  }
}

export interface TestBenchOptions extends BusOptions {
  /** Map RAM over the whole backing store (default true), so DMA has somewhere to go. */
  readonly ram?: boolean;
  /** Put the fake DMA controller on the bus (default true). */
  readonly fakeDma?: boolean;
}

/**
 * A device alone on a bus: port helpers, a controllable clock, IRQ probes, RAM and a fake DMA
 * controller. The way every device package tests itself in isolation.
 */
export class TestBench {
  readonly container: Container;
  readonly bus: Bus;
  readonly dma: FakeDmaController;
  private readonly probes = new Map<number, IrqProbe>();

  constructor(modules: readonly ContainerModule[], options: TestBenchOptions = {}) {
    this.container = new Container({ defaultScope: 'Singleton' });
    this.container.load(busModule(options), ...modules);
    const bus = this.container.get(BUS);
    this.dma = new FakeDmaController(bus.memory);
    if (options.fakeDma ?? true) bus.provideDma(this.dma);
    if (options.ram ?? true) bus.memory.mapRam('test-bench', 0, bus.memory.ram.length);
    bus.irq.connect((irq, level) => this.probes.get(irq)?.see(bus.clock.now, level));
    this.bus = plugDevices(this.container);
  }

  get clock() {
    return this.bus.clock;
  }

  get memory() {
    return this.bus.memory;
  }

  get io() {
    return this.bus.io;
  }

  /** Resolve something from the container (a device by its token). */
  get<T>(token: ServiceIdentifier<T>): T {
    return this.container.get(token);
  }

  /** A probe on IRQ wire `irq`, recording every level change from now on. */
  irq(irq: number): IrqProbe {
    let p = this.probes.get(irq);
    if (!p) {
      p = new IrqProbe(irq);
      p.see(this.clock.now, this.bus.irq.level(irq));
      p.clear();
      this.probes.set(irq, p);
    }
    return p;
  }

  inb(port: number): number {
    return this.bus.io.in8(port);
  }

  inw(port: number): number {
    return this.bus.io.in16(port);
  }

  inl(port: number): number {
    return this.bus.io.in32(port);
  }

  outb(port: number, value: number): void {
    this.bus.io.out8(port, value);
  }

  outw(port: number, value: number): void {
    this.bus.io.out16(port, value);
  }

  outl(port: number, value: number): void {
    this.bus.io.out32(port, value);
  }

  /** Move virtual time forward by `ns`, firing due events. */
  advance(ns: number): void {
    this.bus.clock.advanceBy(ns);
  }

  advanceTo(ns: number): void {
    this.bus.clock.advanceTo(ns);
  }
}

/** Put the devices of `modules` alone on a bus. */
export function createTestBench(modules: readonly ContainerModule[], options: TestBenchOptions = {}): TestBench {
  return new TestBench(modules, options);
}

