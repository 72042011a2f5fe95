import { describe, expect, it } from 'vitest';
import { VirtualClock } from './clock';
import { SeededRandom } from './random';

describe('virtual clock: explicit time', () => {
  it('fires events in deadline order, each at its own time', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    const a = clock.timer('a', (t) => fired.push(`a@${t}`));
    const b = clock.timer('b', (t) => fired.push(`b@${t}`));
    b.armAt(300);
    a.armAt(100);
    clock.advanceTo(250);
    expect(fired).toEqual(['a@100']);
    expect(clock.now).toBe(250);
    clock.advanceBy(100);
    expect(fired).toEqual(['a@100', 'b@300']);
    expect(clock.now).toBe(350);
  });

  it('fires events with equal deadlines in the order they were armed', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    for (const n of ['x', 'y', 'z']) clock.timer(n, () => fired.push(n)).armAt(50);
    clock.get('x')!.armAt(50); // re-arming moves x behind the others
    clock.advanceTo(50);
    expect(fired).toEqual(['y', 'z', 'x']);
  });

  it('cancels and re-arms, and a callback may re-arm its own timer', () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    const t = clock.timer('periodic', (now) => {
      fired.push(now);
      if (fired.length < 3) t.armAfter(10);
    });
    t.armAfter(10);
    clock.advanceTo(100);
    expect(fired).toEqual([10, 20, 30]);
    const c = clock.timer('cancelled', () => fired.push(-1));
    c.armAfter(5);
    c.cancel();
    clock.advanceBy(10);
    expect(fired).toEqual([10, 20, 30]);
    expect(c.armed).toBe(false);
  });

  it('rounds deadlines up to whole nanoseconds and clamps past deadlines to now', () => {
    const clock = new VirtualClock();
    clock.advanceTo(1000);
    const t = clock.timer('t', () => {});
    t.armAt(1500.2);
    expect(t.deadline).toBe(1501);
    t.armAt(10);
    expect(t.deadline).toBe(1000);
  });

  it('refuses to go back in time and refuses duplicate timer names', () => {
    const clock = new VirtualClock();
    clock.advanceTo(10);
    expect(() => clock.advanceTo(5)).toThrow(/back/);
    clock.timer('dup', () => {});
    expect(() => clock.timer('dup', () => {})).toThrow(/already exists/);
  });

  it('lists pending events as offsets from now, in firing order', () => {
    const clock = new VirtualClock();
    clock.advanceTo(1000);
    clock.timer('late', () => {}).armAt(5000);
    clock.timer('soon', () => {}).armAfter(20);
    expect(clock.pending()).toEqual([
      { name: 'soon', deadline: 1020, offset: 20 },
      { name: 'late', deadline: 5000, offset: 4000 },
    ]);
  });
});

describe('virtual clock: time from retired instructions', () => {
  it('advances time at the configured rate', () => {
    const clock = new VirtualClock({ instructionsPerMicrosecond: 4 });
    clock.advanceInstructions(4000);
    expect(clock.now).toBe(1_000_000);
    expect(clock.instructions).toBe(4000);
  });

  it('does not drift when time is advanced one instruction at a time', () => {
    const clock = new VirtualClock({ instructionsPerMicrosecond: 3 });
    for (let i = 0; i < 3000; i++) clock.advanceInstructions(1);
    expect(clock.now).toBe(1_000_000);
  });

  it('says how many instructions may run before the next event, and the event fires on the last one', () => {
    const clock = new VirtualClock({ instructionsPerMicrosecond: 10 });
    const fired: number[] = [];
    clock.timer('t', (now) => fired.push(now)).armAt(1050);
    const n = clock.instructionsUntilNextEvent();
    expect(n).toBe(11); // 10.5 instructions -> the 11th reaches 1.1 us >= 1.05 us
    clock.advanceInstructions(n - 1);
    expect(fired).toEqual([]);
    clock.advanceInstructions(1);
    expect(fired).toEqual([1050]);
    expect(clock.instructionsUntilNextEvent()).toBe(Infinity);
  });

  it('keeps time continuous across a rate change', () => {
    const clock = new VirtualClock({ instructionsPerMicrosecond: 1 });
    clock.advanceInstructions(10);
    clock.instructionsPerMicrosecond = 100;
    clock.advanceInstructions(100);
    expect(clock.now).toBe(11_000);
  });

  it('saves and restores its time and rate; pending events are dropped for their owners to re-arm', () => {
    const clock = new VirtualClock({ instructionsPerMicrosecond: 5 });
    clock.advanceInstructions(12345);
    const t = clock.timer('t', () => {});
    t.armAfter(777);
    const saved = clock.save();
    const other = new VirtualClock();
    const t2 = other.timer('t', () => {});
    t2.armAt(99);
    other.restore(saved);
    expect(other.now).toBe(clock.now);
    expect(t2.armed).toBe(false);
    other.advanceInstructions(5);
    clock.advanceInstructions(5);
    expect(other.now).toBe(clock.now);
    expect(() => other.restore({ now: -1, instructions: 0, instructionsPerMicrosecond: 1 })).toThrow();
  });
});

describe('determinism', () => {
  function run(seed: number): string[] {
    const rng = new SeededRandom(seed);
    const clock = new VirtualClock({ instructionsPerMicrosecond: 7 });
    const log: string[] = [];
    const timers = Array.from({ length: 20 }, (_, i) =>
      clock.timer(`t${i}`, (now) => {
        log.push(`${i}@${now}`);
        timers[rng.below(20)]!.armAfter(rng.below(5000));
      }),
    );
    for (const t of timers) t.armAfter(rng.below(5000));
    for (let step = 0; step < 500; step++) clock.advanceInstructions(1 + rng.below(50));
    return log;
  }

  it('gives the same event order for the same seed', () => {
    const a = run(42);
    expect(a.length).toBeGreaterThan(100);
    expect(run(42)).toEqual(a);
    expect(run(43)).not.toEqual(a);
  });
});
