import type { IrqLine } from '@backplane/bus';
import { createTestBench, type TestBench } from '@backplane/bus/testing';
import { PIC, picModule } from '../src/module';
import type { Pic } from '../src/Pic';

export const MASTER = 0x20;
export const SLAVE = 0xa0;

/** The PIC pair alone on a bus, with one device line per ISA IRQ wire. */
export class PicBench {
  readonly bench: TestBench;
  readonly pic: Pic;
  readonly lines: IrqLine[];

  constructor(bench?: TestBench) {
    this.bench = bench ?? createTestBench([picModule()]);
    this.pic = this.bench.get(PIC);
    this.lines = Array.from({ length: 16 }, (_, n) => this.bench.bus.irq.line(n, `dev${n}`));
  }

  /** The PC BIOS initialization: master vectors 08h, slave 70h, cascade on IR2, 8086 mode. */
  initPc(icw4 = 0x01, slaveIcw4 = icw4): void {
    this.bench.outb(MASTER, 0x11);
    this.bench.outb(MASTER + 1, 0x08);
    this.bench.outb(MASTER + 1, 0x04);
    this.bench.outb(MASTER + 1, icw4);
    this.bench.outb(SLAVE, 0x11);
    this.bench.outb(SLAVE + 1, 0x70);
    this.bench.outb(SLAVE + 1, 0x02);
    this.bench.outb(SLAVE + 1, slaveIcw4);
  }

  get intr(): boolean {
    return this.pic.intr.level;
  }

  ack(): number {
    return this.pic.acknowledge();
  }

  /** A request on wire n: a rising edge, and the line held high (as ISA devices hold it until serviced). */
  request(n: number): void {
    this.lines[n]!.lower();
    this.lines[n]!.raise();
  }

  irr(base = MASTER): number {
    this.bench.outb(base, 0x0a);
    return this.bench.inb(base);
  }

  isr(base = MASTER): number {
    this.bench.outb(base, 0x0b);
    return this.bench.inb(base);
  }

  eoi(base = MASTER): void {
    this.bench.outb(base, 0x20);
  }

  imr(base: number, value: number): void {
    this.bench.outb(base + 1, value);
  }
}
