import { PIT_HZ } from './registers';

// Exact, drift-free conversion between the bus clock's integer nanoseconds and PIT input clock
// edges. Both directions are computed from absolute virtual time (never by adding rounded
// periods), so a long run, or a run saved and restored at any point, lands on the same edges.
//
// Clock edge k (k = 1, 2, ...) happens at the first whole nanosecond at or after k / PIT_HZ s.
// `ticksAt(ns)` is the number of edges at or before `ns`; `edgeTime(k)` is the time of edge k;
// ticksAt(edgeTime(k)) === k for every k, and edgeTime(ticksAt(ns)) <= ns < edgeTime(ticksAt(ns) + 1).

const NS_PER_S = 1_000_000_000;

/** floor(a / b) for non-negative safe integers a, b with a < 2^53 (corrected for float rounding). */
function divFloor(a: number, b: number): number {
  let q = Math.floor(a / b);
  if (q * b > a) q--;
  else if ((q + 1) * b <= a) q++;
  return q;
}

/** PIT clock edges that have happened at or before virtual time `ns` (an integer >= 0). */
export function ticksAt(ns: number): number {
  const seconds = divFloor(ns, NS_PER_S);
  const rest = ns - seconds * NS_PER_S; // < 1e9, so rest * PIT_HZ < 1.2e15 is exact
  return seconds * PIT_HZ + divFloor(rest * PIT_HZ, NS_PER_S);
}

/** The virtual time (integer ns) of PIT clock edge `tick` (an integer >= 0). */
export function edgeTime(tick: number): number {
  const seconds = divFloor(tick, PIT_HZ);
  const rest = tick - seconds * PIT_HZ; // < PIT_HZ, so rest * 1e9 < 1.2e15 is exact
  const scaled = rest * NS_PER_S;
  const q = divFloor(scaled, PIT_HZ);
  return seconds * NS_PER_S + (q * PIT_HZ === scaled ? q : q + 1);
}
