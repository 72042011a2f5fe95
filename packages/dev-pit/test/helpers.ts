import type { IrqLine } from '@backplane/bus';
import { createTestBench, type TestBench } from '@backplane/bus/testing';
import { PIT, pitModule } from '../src/module';
import type { Pit } from '../src/Pit';
import { edgeTime, ticksAt } from '../src/timebase';

export const CONTROL = 0x43;
export const COUNTER = [0x40, 0x41, 0x42] as const;

/** A PIT alone on a bus, with helpers that speak in CLK pulses of the 1.193182 MHz input. */
export class PitBench {
  readonly bench: TestBench;
  readonly pit: Pit;

  constructor(bench?: TestBench) {
    this.bench = bench ?? createTestBench([pitModule()]);
    this.pit = this.bench.get(PIT);
  }

  /** Current PIT clock edge number. */
  get tick(): number {
    return ticksAt(this.bench.clock.now);
  }

  /** Move to half-way between two CLK edges (so a write happens strictly between edges). */
  settle(): void {
    const t = this.tick;
    this.bench.advanceTo(Math.floor((edgeTime(t + 1) + edgeTime(t + 2)) / 2));
  }

  /** Let `n` CLK pulses happen (stops just after the n-th edge). */
  clk(n = 1): void {
    this.bench.advanceTo(edgeTime(this.tick + n));
  }

  control(value: number): void {
    this.bench.outb(CONTROL, value);
  }

  /** Program counter `i`: control word (counter select added), then the count in its format. */
  program(i: number, rwModeBcd: number, count?: number): void {
    this.control((i << 6) | rwModeBcd);
    if (count === undefined) return;
    this.writeCount(i, count, (rwModeBcd >> 4) & 3);
  }

  writeCount(i: number, count: number, rw = 3): void {
    if (rw === 1) this.bench.outb(COUNTER[i]!, count & 0xff);
    else if (rw === 2) this.bench.outb(COUNTER[i]!, count >>> 8);
    else {
      this.bench.outb(COUNTER[i]!, count & 0xff);
      this.bench.outb(COUNTER[i]!, count >>> 8);
    }
  }

  /** Read counter `i` in LSB-then-MSB format, unlatched (two reads at the same instant). */
  read16(i: number): number {
    const lo = this.bench.inb(COUNTER[i]!);
    const hi = this.bench.inb(COUNTER[i]!);
    return lo | (hi << 8);
  }

  /** The count after each of the next `n` CLK pulses. */
  sequence(i: number, n: number): number[] {
    const out: number[] = [];
    for (let k = 0; k < n; k++) {
      this.clk();
      out.push(this.read16(i));
    }
    return out;
  }

  /** OUT (from the read-back status) after each of the next `n` CLK pulses, as 0/1. */
  outSequence(i: number, n: number): number[] {
    const out: number[] = [];
    for (let k = 0; k < n; k++) {
      this.clk();
      out.push(this.status(i) >> 7);
    }
    return out;
  }

  /** Read-back status of counter `i`. */
  status(i: number): number {
    this.control(0xe0 | (2 << i));
    return this.bench.inb(COUNTER[i]!);
  }
}

/** Records a line's level changes as (clock edge, level). */
export function recordEdges(line: IrqLine, bench: TestBench): { tick: number; level: boolean }[] {
  const edges: { tick: number; level: boolean }[] = [];
  let first = true;
  line.connect((level) => {
    if (first) {
      first = false;
      return;
    }
    edges.push({ tick: ticksAt(bench.clock.now), level });
  });
  return edges;
}
