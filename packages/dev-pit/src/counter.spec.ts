import { SeededRandom } from '@backplane/bus';
import { describe, expect, it } from 'vitest';
import { step, type StepState } from '../test/reference';
import { newView, nextOutEdge, project } from './counter';
import { programmedCounter, type CounterState } from './state';

// The closed forms (count and OUT after n edges, next OUT edge) against the clock-by-clock
// reference model, from random states of every mode, binary and BCD, across wrap-arounds,
// reloads and counts written mid-period.

const COUNTS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 17, 100, 255, 256, 0x1001, 0x9999, 0xfffe, 0xffff];

function randomCounter(rnd: SeededRandom): CounterState {
  const mode = rnd.below(8);
  const bcd = rnd.below(4) === 0 ? 1 : 0;
  const c = programmedCounter(0x30 | (mode << 1) | bcd, rnd.below(3) !== 0, 0, 0);
  const m = bcd ? 10000 : 0x10000;
  const pick = () => COUNTS[rnd.below(COUNTS.length)]!;
  c.cr = bcd ? pick() & 0x9999 : pick();
  c.counting = rnd.below(5) !== 0;
  c.loadPending = !c.counting || rnd.below(4) === 0;
  c.out = rnd.below(2) === 1;
  c.armed = rnd.below(2) === 1;
  c.nullCount = rnd.below(2) === 1;
  let ce = pick() % m;
  const effective = mode >= 6 ? mode - 4 : mode;
  if (effective === 3) {
    ce &= ~1; // CE is always even in mode 3
    c.odd = rnd.below(2) === 1;
    if (ce === 0 && !(c.out && c.odd)) ce = 0; // 0 stands for the modulus here
  }
  if (effective === 2 && ce === 1 && rnd.below(2)) c.out = false; // the one CLK low
  c.ce = ce;
  return c;
}

describe('counter maths against the clock-by-clock reference', () => {
  it('count, OUT, null count agree after every edge for 3000 random states', () => {
    const rnd = new SeededRandom(2024);
    const v = newView();
    for (let trial = 0; trial < 3000; trial++) {
      const c = randomCounter(rnd);
      const s: StepState = { ce: c.ce, out: c.out, nullCount: c.nullCount, counting: c.counting, armed: c.armed, odd: c.odd, loadPending: c.loadPending };
      const horizon = 40 + rnd.below(40);
      for (let n = 1; n <= horizon; n++) {
        step(c, s);
        project(c, 0, n, v);
        if (v.ce !== s.ce || v.out !== s.out || v.nullCount !== s.nullCount)
          expect.fail(`trial ${trial} control ${c.control.toString(16)} cr ${c.cr} after ${n}: got ce ${v.ce} out ${v.out} null ${v.nullCount}, reference ce ${s.ce} out ${s.out} null ${s.nullCount}`);
      }
    }
  });

  it('the next OUT edge is the first edge where the reference changes OUT (1200 random states)', () => {
    const rnd = new SeededRandom(31);
    const v = newView();
    let checked = 0;
    // A prediction of "never" is checked over two full wraps of the counter (up to 131074 edges).
    for (let trial = 0; trial < 1200; trial++) {
      const c = randomCounter(rnd);
      // Keep CE small so the change happens within the horizon.
      const s: StepState = { ce: c.ce, out: c.out, nullCount: c.nullCount, counting: c.counting, armed: c.armed, odd: c.odd, loadPending: c.loadPending };
      const s0 = { ...s };
      const start = rnd.below(5);
      for (let n = 0; n < start; n++) step(c, s);
      project(c, 0, start, v);
      const predicted = nextOutEdge(c, start, v);
      let actual = -1;
      const before = s.out;
      for (let n = start + 1; n <= start + 0x10002 * 2 && actual < 0; n++) {
        step(c, s);
        if (s.out !== before) actual = n;
      }
      if (predicted !== actual) expect.fail(`trial ${trial} control ${c.control.toString(16)} cr ${c.cr} gate ${c.gate} start ${start} state ${JSON.stringify(s0)}: predicted ${predicted}, reference ${actual}`);
      checked++;
    }
    expect(checked).toBe(1200);
  });

  it('jumps of millions of edges land where stepping does (periodic modes and wraps)', () => {
    const rnd = new SeededRandom(99);
    const v = newView();
    for (let trial = 0; trial < 40; trial++) {
      const c = randomCounter(rnd);
      const s: StepState = { ce: c.ce, out: c.out, nullCount: c.nullCount, counting: c.counting, armed: c.armed, odd: c.odd, loadPending: c.loadPending };
      const n = 200_000 + rnd.below(300_000);
      for (let k = 0; k < n; k++) step(c, s);
      project(c, 0, n, v);
      expect([v.ce, v.out]).toEqual([s.ce, s.out]);
    }
  });
});
