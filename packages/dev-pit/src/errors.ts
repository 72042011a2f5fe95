import type { CounterState, PitState } from './state';

/** A PIT state object that cannot be loaded (corrupt or hostile input); nothing was applied. */
export class PitStateError extends Error {
  override readonly name = 'PitStateError';
}

const BOOLEANS = ['writeMsb', 'readMsb', 'statusLatched', 'countWritten', 'gate', 'out', 'nullCount', 'counting', 'armed', 'odd'] as const;

function checkInt(where: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max)
    throw new PitStateError(`${where} must be an integer in ${min}..${max}, got ${String(value)}`);
}

/**
 * Check that `state` is a complete, consistent PIT state whose clock edges are not after
 * `nowTick` (the state must be loaded with the clock at or after the saved time).
 */
export function validatePitState(state: PitState, nowTick: number): void {
  if (typeof state !== 'object' || state === null || !Array.isArray(state.counters) || state.counters.length !== 3)
    throw new PitStateError('PIT state must have exactly three counters');
  state.counters.forEach((c: CounterState, i) => {
    const at = `counter ${i}`;
    if (typeof c !== 'object' || c === null) throw new PitStateError(`${at} is missing`);
    checkInt(`${at}.control`, c.control, 0, 0x3f);
    if ((c.control & 0x30) === 0) throw new PitStateError(`${at}.control has no read/write format`);
    checkInt(`${at}.cr`, c.cr, 0, 0xffff);
    checkInt(`${at}.latched`, c.latched, 0, 0xffff);
    checkInt(`${at}.latchReads`, c.latchReads, 0, 2);
    checkInt(`${at}.status`, c.status, 0, 0xff);
    checkInt(`${at}.refTick`, c.refTick, 0, nowTick);
    checkInt(`${at}.ce`, c.ce, 0, c.control & 1 ? 9999 : 0xffff);
    checkInt(`${at}.loadAt`, c.loadAt, -1, Number.MAX_SAFE_INTEGER);
    if (c.loadAt !== -1 && c.loadAt !== c.refTick + 1)
      throw new PitStateError(`${at}.loadAt ${c.loadAt} is not after its reference edge ${c.refTick}`);
    for (const k of BOOLEANS) if (typeof c[k] !== 'boolean') throw new PitStateError(`${at}.${k} must be a boolean`);
  });
}
