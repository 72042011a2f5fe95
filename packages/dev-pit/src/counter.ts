import {
  BCD_MODULUS,
  BINARY_MODULUS,
  CW_BCD,
  CW_MODE_SHIFT,
  MODE_HARDWARE_STROBE,
  MODE_INTERRUPT_ON_TERMINAL_COUNT,
  MODE_ONE_SHOT,
  MODE_RATE_GENERATOR,
  MODE_SOFTWARE_STROBE,
  MODE_SQUARE_WAVE,
} from './registers';
import type { CounterState } from './state';

// Pure counter maths: the counting element and OUT of an 8254 counter at any clock edge, and
// the edge of its next OUT change, as functions of its state object and the edge number.
// Nothing here mutates a CounterState except `materialize`; nothing allocates.
//
// Conventions (datasheet 231164, "Mode definitions"): the state holds CE and OUT as of the
// clock edge refTick = ticksAt(refTime); a pending count is loaded into CE on edge refTick + 1
// (the first CLK after the write or the GATE trigger), and that edge does not decrement. GATE
// is a level held since `refTime`
// (every GATE change materializes the state first), so between refTick and now counting is
// either enabled on every edge or on none.

/** The dynamic part of a counter at some edge (a reusable scratch object). */
export interface CounterView {
  ce: number;
  out: boolean;
  nullCount: boolean;
  counting: boolean;
  armed: boolean;
  odd: boolean;
  loadAt: number;
}

export function newView(): CounterView {
  return { ce: 0, out: false, nullCount: false, counting: false, armed: false, odd: false, loadAt: -1 };
}

/** The counter's mode 0-5 (M2 is "don't care" for modes 2 and 3: 6 and 7 are 2 and 3). */
export function modeOf(c: CounterState): number {
  const m = (c.control >> CW_MODE_SHIFT) & 7;
  return m >= 6 ? m - 4 : m;
}

export function modulusOf(c: CounterState): number {
  return c.control & CW_BCD ? BCD_MODULUS : BINARY_MODULUS;
}

/** Four BCD digits as a number; a nibble above 9 counts at its binary weight (the datasheet leaves it undefined). */
export function fromBcd(raw: number): number {
  return ((raw & 0xf) + ((raw >> 4) & 0xf) * 10 + ((raw >> 8) & 0xf) * 100 + ((raw >> 12) & 0xf) * 1000) % BCD_MODULUS;
}

export function toBcd(n: number): number {
  return (n % 10) | ((Math.floor(n / 10) % 10) << 4) | ((Math.floor(n / 100) % 10) << 8) | ((Math.floor(n / 1000) % 10) << 12);
}

/** The initial count in CR as a number (0 stands for the modulus). */
export function initialCount(c: CounterState): number {
  return c.control & CW_BCD ? fromBcd(c.cr) : c.cr & 0xffff;
}

/** What a read of CE shows: 16 bits, BCD-encoded in BCD mode. */
export function displayCount(c: CounterState, ce: number): number {
  return c.control & CW_BCD ? toBcd(ce) : ce & 0xffff;
}

/** Modes in which GATE low disables counting (GATE pin operations summary: 0, 2, 3, 4). */
function levelGated(mode: number): boolean {
  return mode === MODE_INTERRUPT_ON_TERMINAL_COUNT || mode === MODE_RATE_GENERATOR || mode === MODE_SQUARE_WAVE || mode === MODE_SOFTWARE_STROBE;
}

function wrap(x: number, m: number): number {
  const r = x % m;
  return r < 0 ? r + m : r;
}

/** Mode 3: edges from now to the end of the current half-cycle (always >= 1). */
function halfRemaining(v: CounterView, m: number): number {
  // Odd count, OUT high: CE runs N-1, N-3, ..., 2, 0, and OUT falls one CLK after it reaches 0.
  if (v.out && v.odd) return (v.ce >> 1) + 1;
  // Even count, or the low half of an odd one: CE runs N, N-2, ..., 2; OUT changes on the CLK
  // that would take it to 0, and the count is reloaded.
  const c = v.ce === 0 ? m : v.ce;
  return (c + 1) >> 1;
}

/** CR -> CE on a load edge (after a write, or a GATE trigger in modes 1, 2, 3, 5). */
function load(c: CounterState, v: CounterView): void {
  const n = initialCount(c);
  v.counting = true;
  v.nullCount = false;
  switch (modeOf(c)) {
    case MODE_INTERRUPT_ON_TERMINAL_COUNT:
      v.ce = n; // OUT stays low (it went low when the count was written)
      break;
    case MODE_ONE_SHOT:
      v.ce = n;
      v.out = false;
      v.armed = true;
      break;
    case MODE_RATE_GENERATOR:
      v.ce = n;
      v.out = true;
      break;
    case MODE_SQUARE_WAVE: {
      const full = n === 0 ? modulusOf(c) : n;
      v.odd = (full & 1) === 1;
      v.ce = n & ~1;
      v.out = true;
      break;
    }
    default: // modes 4 and 5
      v.ce = n;
      v.out = true;
      v.armed = true;
      break;
  }
}

/** Advance the view by `n` CLK edges (n >= 0) with no write and no GATE change in between. */
function run(c: CounterState, v: CounterView, n: number): void {
  if (n <= 0 || !v.counting) return;
  const mode = modeOf(c);
  const m = modulusOf(c);
  if (levelGated(mode) && !c.gate) {
    // Counting disabled. A mode 4 strobe still ends after its one CLK (GATE has no effect on OUT).
    if (mode === MODE_SOFTWARE_STROBE) v.out = true;
    return;
  }
  switch (mode) {
    case MODE_RATE_GENERATOR: {
      const c0 = v.ce === 0 ? m : v.ce;
      if (n < c0) {
        v.ce = c0 - n;
        v.out = v.ce !== 1; // OUT is low for the one CLK while CE is 1
        return;
      }
      // CE reached 1 and was reloaded from CR (the new count, if one was written meanwhile).
      const rest = n - c0;
      const full = initialCount(c) || m;
      v.nullCount = false;
      if (full === 1) {
        // Count of 1 (illegal per the datasheet): CE reloads on every CLK and OUT stays high.
        v.ce = 1;
        v.out = true;
        return;
      }
      const k = rest % full;
      v.ce = (full - k) % m;
      v.out = full - k !== 1;
      return;
    }
    case MODE_SQUARE_WAVE: {
      const rem = halfRemaining(v, m);
      if (n < rem) {
        v.ce = wrap(v.ce - 2 * n, m);
        return;
      }
      // End of the half-cycle: OUT changes and CE is reloaded from CR.
      let rest = n - rem;
      const n0 = initialCount(c);
      const full = n0 || m;
      v.nullCount = false;
      v.odd = (full & 1) === 1;
      if (full === 1) {
        // Count of 1 (illegal): the low half is zero CLKs long; OUT stays high and CE reads 0.
        v.out = true;
        v.ce = 0;
        return;
      }
      v.out = !v.out;
      rest %= full;
      const len = v.out ? (full + 1) >> 1 : full >> 1;
      if (rest >= len) {
        rest -= len;
        v.out = !v.out;
      }
      v.ce = ((full & ~1) - 2 * rest) % m;
      return;
    }
    default: {
      // Modes 0, 1, 4, 5: CE decrements by one per CLK and wraps (FFFF / 9999) after 0.
      const d = v.ce === 0 ? m : v.ce;
      const wasLow = !v.out;
      v.ce = wrap(v.ce - n, m);
      if (mode === MODE_INTERRUPT_ON_TERMINAL_COUNT) {
        if (n >= d) v.out = true; // and stays high until a new count or control word
      } else if (mode === MODE_ONE_SHOT) {
        if (v.armed && n >= d) {
          v.out = true;
          v.armed = false;
        }
      } else {
        if (wasLow) v.out = true; // the strobe lasts one CLK
        if (v.armed && n >= d) {
          v.armed = false;
          v.out = n > d;
        }
      }
    }
  }
}

/**
 * The counter's CE, OUT and flags at edge `tick`, written into `v`. `refTick` is
 * ticksAt(c.refTime) (callers cache it) and `tick` >= refTick.
 */
export function project(c: CounterState, refTick: number, tick: number, v: CounterView): CounterView {
  let t = refTick;
  v.ce = c.ce;
  v.out = c.out;
  v.nullCount = c.nullCount;
  v.counting = c.counting;
  v.armed = c.armed;
  v.odd = c.odd;
  v.loadAt = c.loadPending ? t + 1 : -1;
  if (v.loadAt >= 0 && v.loadAt <= tick) {
    run(c, v, v.loadAt - 1 - t);
    load(c, v);
    t = v.loadAt;
    v.loadAt = -1;
  }
  run(c, v, tick - t);
  return v;
}

/**
 * Bring the state itself forward to virtual time `now` (before a write or a GATE change);
 * `refTick` = ticksAt(c.refTime), `tick` = ticksAt(now).
 */
export function materialize(c: CounterState, refTick: number, now: number, tick: number, v: CounterView): void {
  if (now <= c.refTime) return;
  project(c, refTick, tick, v);
  c.ce = v.ce;
  c.out = v.out;
  c.nullCount = v.nullCount;
  c.counting = v.counting;
  c.armed = v.armed;
  c.odd = v.odd;
  c.loadPending = v.loadAt >= 0;
  c.refTime = now;
}

/** Edges from the view's edge to OUT's next change, or -1 if OUT will not change by itself. */
function edgesToChange(c: CounterState, v: CounterView): number {
  if (!v.counting) return -1;
  const mode = modeOf(c);
  const m = modulusOf(c);
  if (levelGated(mode) && !c.gate) return mode === MODE_SOFTWARE_STROBE && !v.out ? 1 : -1;
  const d = v.ce === 0 ? m : v.ce;
  switch (mode) {
    case MODE_INTERRUPT_ON_TERMINAL_COUNT:
      return v.out ? -1 : d;
    case MODE_ONE_SHOT:
      return v.armed && !v.out ? d : -1;
    case MODE_RATE_GENERATOR: {
      // OUT is low only while CE is 1 (then it rises on the reload); from any other CE it
      // rises on the next decrement, unless that decrement reaches 1.
      if (!v.out) return d === 2 ? 2 : 1;
      if (d >= 2) return d - 1;
      const full = initialCount(c) || m; // CE is 1 with OUT high: a count of 1 reloading each CLK
      return full === 1 ? -1 : full;
    }
    case MODE_SQUARE_WAVE: {
      const full = initialCount(c) || m;
      let next = !v.out;
      if (!next && full === 1) next = true;
      return next !== v.out ? halfRemaining(v, m) : -1;
    }
    default:
      // A strobe ends after one CLK (unless that CLK is itself the terminal count of an armed load).
      if (!v.out) return v.armed && d === 1 ? 2 : 1;
      return v.armed ? d : -1;
  }
}

/**
 * The clock edge (> tick) of OUT's next change, or -1 if none will happen without a write or
 * GATE change. `v` must hold project(c, refTick, tick); it is used as scratch.
 */
export function nextOutEdge(c: CounterState, tick: number, v: CounterView): number {
  if (v.loadAt > tick) {
    // A load is pending on the next edge (loads are always set for the edge after a write).
    const before = v.out;
    load(c, v);
    if (v.out !== before) return v.loadAt;
    const e = edgesToChange(c, v);
    return e < 0 ? -1 : v.loadAt + e;
  }
  const e = edgesToChange(c, v);
  return e < 0 ? -1 : tick + e;
}
