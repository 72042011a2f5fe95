import { BusRangeError } from './errors';

/** Nanoseconds per microsecond: rates are given in instructions per microsecond. */
const NS_PER_US = 1000;

/** What a timer does when it fires: `now` is its deadline, which is also the clock's time. */
export type TimerCallback = (now: number) => void;

/** A pending event, as it would be saved: an offset from virtual now, never an absolute host time. */
export interface PendingEvent {
  readonly name: string;
  readonly deadline: number;
  readonly offset: number;
}

/**
 * A named event source on the virtual clock. A device creates its timers once and arms,
 * re-arms and cancels them; the clock fires them in deadline order.
 */
export class Timer {
  /** Absolute virtual deadline in ns, or -1 when not armed. */
  deadline = -1;
  /** Position in the clock's heap, or -1. */
  heapIndex = -1;
  /** Arming order, the tie-breaker between equal deadlines. */
  seq = 0;

  constructor(
    private readonly clock: VirtualClock,
    readonly name: string,
    readonly callback: TimerCallback,
  ) {}

  get armed(): boolean {
    return this.deadline >= 0;
  }

  /** ns until the deadline (0 if due), or -1 when not armed. */
  get remaining(): number {
    return this.deadline < 0 ? -1 : Math.max(0, this.deadline - this.clock.now);
  }

  /** Arm at an absolute virtual time (rounded up to whole ns; a time in the past fires at once). */
  armAt(deadline: number): void {
    this.clock.schedule(this, deadline);
  }

  /** Arm `delay` ns from now. */
  armAfter(delay: number): void {
    this.clock.schedule(this, this.clock.now + delay);
  }

  cancel(): void {
    this.clock.unschedule(this);
  }
}

/** The clock's own state, enough to restore it exactly (timers are re-armed by their owners). */
export interface ClockState {
  readonly now: number;
  readonly instructions: number;
  readonly instructionsPerMicrosecond: number;
}

/**
 * The deterministic virtual clock and event scheduler. Time is an integer count of
 * nanoseconds that advances only when instructions are retired (at a configurable rate)
 * or when a test moves it explicitly. Events with equal deadlines fire in the order they
 * were armed, so the same inputs always give the same order.
 */
export class VirtualClock {
  private nowNs = 0;
  private heap: Timer[] = [];
  private seqCounter = 0;
  private readonly names = new Map<string, Timer>();
  /** Instruction count, and the point (instructions, ns) the rate is measured from. */
  private icount = 0;
  private baseIcount = 0;
  private baseNs = 0;
  private ipus: number;

  constructor(options: { instructionsPerMicrosecond?: number } = {}) {
    this.ipus = checkRate(options.instructionsPerMicrosecond ?? 10);
  }

  /** Virtual time in ns. */
  get now(): number {
    return this.nowNs;
  }

  /** Instructions retired so far (as reported through `advanceInstructions`). */
  get instructions(): number {
    return this.icount;
  }

  get instructionsPerMicrosecond(): number {
    return this.ipus;
  }

  set instructionsPerMicrosecond(rate: number) {
    this.ipus = checkRate(rate);
    this.rebase();
  }

  /** Create a named timer. Names are unique per clock so pending events can be saved by name. */
  timer(name: string, callback: TimerCallback): Timer {
    if (this.names.has(name)) throw new BusRangeError(`a timer named "${name}" already exists on this clock`);
    const t = new Timer(this, name, callback);
    this.names.set(name, t);
    return t;
  }

  /** Remove a timer (a device being unplugged). */
  disposeTimer(timer: Timer): void {
    this.unschedule(timer);
    this.names.delete(timer.name);
  }

  /** The earliest pending deadline, or Infinity. */
  nextDeadline(): number {
    return this.heap.length === 0 ? Infinity : this.heap[0]!.deadline;
  }

  /** Fire, in order, every event due at or before `t`, then set the time to `t`. */
  advanceTo(t: number): void {
    if (!(t >= this.nowNs)) throw new BusRangeError(`cannot move the clock back from ${this.nowNs} ns to ${t} ns`);
    const target = Math.floor(t);
    this.fireUntil(target);
    this.nowNs = Math.max(this.nowNs, target);
    this.rebase();
  }

  advanceBy(dt: number): void {
    this.advanceTo(this.nowNs + dt);
  }

  /** Fire every event due now or earlier without moving time forward. */
  runDue(): void {
    this.fireUntil(this.nowNs);
  }

  /**
   * Account for `n` retired instructions: time becomes a pure function of the instruction
   * count since the last rate change; events due by then fire in order.
   */
  advanceInstructions(n: number): void {
    this.icount += n;
    const t = this.baseNs + Math.floor(((this.icount - this.baseIcount) * NS_PER_US) / this.ipus);
    if (t > this.nowNs || this.heap.length > 0) {
      this.fireUntil(t);
      if (t > this.nowNs) this.nowNs = t;
    }
  }

  /** How many instructions may run before the next event is due (at least 1; Infinity if none). */
  instructionsUntilNextEvent(): number {
    const d = this.nextDeadline();
    if (d === Infinity) return Infinity;
    const need = Math.ceil(((d - this.baseNs) * this.ipus) / NS_PER_US) - (this.icount - this.baseIcount);
    return need > 1 ? need : 1;
  }

  /** Every armed timer, in firing order, with offsets from now. */
  pending(): PendingEvent[] {
    return [...this.heap]
      .sort(compare)
      .map((t) => ({ name: t.name, deadline: t.deadline, offset: t.deadline - this.nowNs }));
  }

  /** A timer by name (to re-arm it after a restore). */
  get(name: string): Timer | undefined {
    return this.names.get(name);
  }

  save(): ClockState {
    return { now: this.nowNs, instructions: this.icount, instructionsPerMicrosecond: this.ipus };
  }

  /** Restore time; every pending event is dropped (owners re-arm theirs from their own state). */
  restore(state: ClockState): void {
    if (!Number.isSafeInteger(state.now) || state.now < 0) throw new BusRangeError(`invalid clock time ${state.now}`);
    if (!Number.isSafeInteger(state.instructions) || state.instructions < 0)
      throw new BusRangeError(`invalid instruction count ${state.instructions}`);
    const rate = checkRate(state.instructionsPerMicrosecond);
    for (const t of this.heap) t.heapIndex = -1, (t.deadline = -1);
    this.heap = [];
    this.nowNs = state.now;
    this.icount = state.instructions;
    this.ipus = rate;
    this.rebase();
  }

  /** @internal used by Timer */
  schedule(timer: Timer, deadline: number): void {
    if (Number.isNaN(deadline)) throw new BusRangeError(`timer ${timer.name}: deadline is not a number`);
    let d = Math.ceil(deadline);
    if (d < this.nowNs) d = this.nowNs;
    if (d > Number.MAX_SAFE_INTEGER) throw new BusRangeError(`timer ${timer.name}: deadline ${deadline} is out of range`);
    if (timer.heapIndex >= 0) this.remove(timer.heapIndex);
    timer.deadline = d;
    timer.seq = this.seqCounter++;
    timer.heapIndex = this.heap.length;
    this.heap.push(timer);
    this.up(timer.heapIndex);
  }

  /** @internal used by Timer */
  unschedule(timer: Timer): void {
    if (timer.heapIndex >= 0) this.remove(timer.heapIndex);
    timer.deadline = -1;
  }

  private rebase(): void {
    this.baseNs = this.nowNs;
    this.baseIcount = this.icount;
  }

  private fireUntil(t: number): void {
    const heap = this.heap;
    while (heap.length > 0 && heap[0]!.deadline <= t) {
      const timer = heap[0]!;
      this.remove(0);
      const d = timer.deadline;
      timer.deadline = -1;
      if (d > this.nowNs) this.nowNs = d;
      timer.callback(this.nowNs);
    }
  }

  private remove(i: number): void {
    const heap = this.heap;
    const last = heap.pop()!;
    const removed = i < heap.length ? heap[i]! : last;
    removed.heapIndex = -1;
    if (i < heap.length) {
      heap[i] = last;
      last.heapIndex = i;
      this.down(i);
      this.up(last.heapIndex);
    }
  }

  private up(i: number): void {
    const heap = this.heap;
    const t = heap[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p]!;
      if (compare(parent, t) <= 0) break;
      heap[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    heap[i] = t;
    t.heapIndex = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const t = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && compare(heap[r]!, heap[l]!) < 0 ? r : l;
      if (compare(heap[c]!, t) >= 0) break;
      heap[i] = heap[c]!;
      heap[i]!.heapIndex = i;
      i = c;
    }
    heap[i] = t;
    t.heapIndex = i;
  }
}

function compare(a: Timer, b: Timer): number {
  return a.deadline - b.deadline || a.seq - b.seq;
}

function checkRate(rate: number): number {
  if (!(rate > 0) || !Number.isFinite(rate)) throw new BusRangeError(`instruction rate must be a positive number, got ${rate}`);
  return rate;
}
