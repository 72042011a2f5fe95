// A clock-by-clock reference model of one 8254 counter, written straight from the datasheet's
// mode definitions (one CLK at a time, no closed forms). The pure maths in src/counter.ts must
// agree with it edge for edge.
import type { CounterState } from '../src/state';

export interface StepState {
  ce: number;
  out: boolean;
  nullCount: boolean;
  counting: boolean;
  armed: boolean;
  odd: boolean;
  loadPending: boolean;
}

function mode(c: CounterState): number {
  const m = (c.control >> 1) & 7;
  return m >= 6 ? m - 4 : m;
}

function bcdValue(raw: number): number {
  return ((raw & 0xf) + ((raw >> 4) & 0xf) * 10 + ((raw >> 8) & 0xf) * 100 + ((raw >> 12) & 0xf) * 1000) % 10000;
}

/** One CLK edge. */
export function step(c: CounterState, s: StepState): void {
  const m = c.control & 1 ? 10000 : 0x10000;
  const n = c.control & 1 ? bcdValue(c.cr) : c.cr; // CR as a number; 0 stands for m
  const full = n === 0 ? m : n;
  const md = mode(c);
  if (s.loadPending) {
    // The load CLK: CR -> CE, no decrement.
    s.loadPending = false;
    s.counting = true;
    s.nullCount = false;
    if (md === 0) s.ce = n;
    else if (md === 1) {
      s.ce = n;
      s.out = false;
      s.armed = true;
    } else if (md === 2) {
      s.ce = n;
      s.out = true;
    } else if (md === 3) {
      s.odd = full % 2 === 1;
      s.ce = full % 2 === 1 ? full - 1 : full % m;
      s.out = true;
    } else {
      s.ce = n;
      s.out = true;
      s.armed = true;
    }
    return;
  }
  if (!s.counting) return;
  const gated = md === 0 || md === 2 || md === 3 || md === 4;
  if (gated && !c.gate) {
    if (md === 4) s.out = true;
    return;
  }
  switch (md) {
    case 0:
      s.ce = (s.ce + m - 1) % m;
      if (s.ce === 0) s.out = true;
      return;
    case 1:
      s.ce = (s.ce + m - 1) % m;
      if (s.ce === 0 && s.armed) {
        s.armed = false;
        s.out = true;
      }
      return;
    case 4:
    case 5:
      if (!s.out) s.out = true;
      s.ce = (s.ce + m - 1) % m;
      if (s.ce === 0 && s.armed) {
        s.armed = false;
        s.out = false;
      }
      return;
    case 2: {
      const cur = s.ce === 0 ? m : s.ce;
      if (cur === 1) {
        // Reload from CR.
        s.nullCount = false;
        s.ce = full === 1 ? 1 : full % m;
        s.out = true;
      } else {
        s.ce = cur - 1;
        s.out = s.ce !== 1;
      }
      return;
    }
    default: {
      const cur = s.ce === 0 && !(s.out && s.odd) ? m : s.ce;
      const endOfHalf = s.out && s.odd ? cur === 0 : cur === 2;
      if (!endOfHalf) {
        s.ce = (cur - 2 + m) % m;
        return;
      }
      s.nullCount = false;
      s.odd = full % 2 === 1;
      if (full === 1) {
        s.out = true;
        s.ce = 0;
        return;
      }
      s.out = !s.out;
      s.ce = (full - (full % 2)) % m;
    }
  }
}
