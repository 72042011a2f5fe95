import { BehaviorSubject, Observable, distinctUntilChanged } from 'rxjs';
import { BusRangeError } from './errors';

/** Something an interrupt line drives: an interrupt controller input, a speaker, a probe. */
export type LineSink = (level: boolean) => void;

/**
 * An output line owned by a device, driven at a level. Connected sinks are called directly
 * (no RxJS) on every change; `level$` is for tracing and tests.
 */
export class IrqLine {
  private current = false;
  private sinks: LineSink[] = [];
  private subject: BehaviorSubject<boolean> | undefined;

  constructor(readonly name: string) {}

  get level(): boolean {
    return this.current;
  }

  /** The level now and every change after it. */
  get level$(): Observable<boolean> {
    this.subject ??= new BehaviorSubject(this.current);
    return this.subject.pipe(distinctUntilChanged());
  }

  set(level: boolean): void {
    if (level === this.current) return;
    this.current = level;
    const sinks = this.sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i]!(level);
    this.subject?.next(level);
  }

  raise(): void {
    this.set(true);
  }

  lower(): void {
    this.set(false);
  }

  /**
   * A rising then a falling edge, leaving the line low: for outputs whose observers count edges
   * (a speaker, a trace). Not an interrupt request: an 8259A samples IR again at INTA, so a
   * device requesting an interrupt holds its line high until it is serviced (raise / lower).
   */
  pulse(): void {
    this.set(false);
    this.set(true);
    this.set(false);
  }

  /** Drive `sink` from this line; it is called with the current level at once. */
  connect(sink: LineSink): () => void {
    this.sinks = [...this.sinks, sink];
    sink(this.current);
    return () => {
      this.sinks = this.sinks.filter((s) => s !== sink);
    };
  }
}

/** An interrupt controller's view of the board: input `irq` changed to `level`. */
export type IrqInputSink = (irq: number, level: boolean) => void;

/**
 * The board's interrupt request wires (ISA IRQ 0-15 by default). Devices get output lines on
 * a wire by number; the wire's level is the OR of its lines. The machine connects the wires to
 * an interrupt controller, which is the only party that sees levels by number.
 */
export class IrqRouter {
  private readonly counts: Int32Array;
  private sinks: IrqInputSink[] = [];
  private readonly owners: string[][];
  private readonly levelsSubject = new BehaviorSubject<{ readonly irq: number; readonly level: boolean } | undefined>(undefined);

  constructor(readonly wires = 16) {
    this.counts = new Int32Array(wires);
    this.owners = Array.from({ length: wires }, () => []);
  }

  /** A new output line owned by `owner`, driving wire `irq`. */
  line(irq: number, owner: string): IrqLine {
    if (!Number.isInteger(irq) || irq < 0 || irq >= this.wires)
      throw new BusRangeError(`${owner}: IRQ ${irq} is not one of the board's ${this.wires} wires`);
    const line = new IrqLine(`${owner}.irq${irq}`);
    this.owners[irq]!.push(owner);
    let previous = false;
    line.connect((level) => {
      if (level === previous) return;
      previous = level;
      this.drive(irq, level);
    });
    return line;
  }

  /** The devices driving each wire. */
  ownersOf(irq: number): readonly string[] {
    return this.owners[irq] ?? [];
  }

  level(irq: number): boolean {
    return this.counts[irq]! > 0;
  }

  /** Connect an interrupt controller (or a probe); it is told the current level of every wire. */
  connect(sink: IrqInputSink): () => void {
    this.sinks = [...this.sinks, sink];
    for (let i = 0; i < this.wires; i++) sink(i, this.counts[i]! > 0);
    return () => {
      this.sinks = this.sinks.filter((s) => s !== sink);
    };
  }

  /** Every wire level change. */
  get levels$(): Observable<{ readonly irq: number; readonly level: boolean }> {
    return new Observable((subscriber) =>
      this.levelsSubject.subscribe((e) => {
        if (e) subscriber.next(e);
      }),
    );
  }

  private drive(irq: number, level: boolean): void {
    const before = this.counts[irq]! > 0;
    this.counts[irq] = this.counts[irq]! + (level ? 1 : -1);
    const after = this.counts[irq]! > 0;
    if (before === after) return;
    const sinks = this.sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i]!(irq, after);
    if (this.levelsSubject.observed) this.levelsSubject.next({ irq, level: after });
  }
}
