// Small test devices: plain state objects behind the Migratable contract.
import { defineState, field, subsection, type AnyDescriptor, type Migratable, type StateOf } from '../src/index';

export const timerDesc = defineState({
  name: 'test-timer',
  version: 1,
  fields: {
    count: field.u16(),
    mode: field.u8({ range: [0, 5] }),
    expiry: field.timer(),
  },
});

export const uartDesc = defineState({
  name: 'test-uart',
  version: 2,
  minVersion: 1,
  fields: {
    lcr: field.u8(),
    fifo: field.varBytes({ max: 16 }),
    head: field.u8({ check: (v, s) => v <= s.fifo.length || 'head beyond fifo' }),
    scratch: field.u8({ since: 2, default: 0xff }),
  },
  subsections: [
    subsection({ name: 'modem', version: 1, needed: (s) => s.msr !== 0, fields: { msr: field.u8({ default: 0 }) } }),
  ],
});

/** A device holding a state object; loadState adopts the given object. */
export class Dev<D extends AnyDescriptor> implements Migratable<D> {
  loads = 0;
  constructor(
    readonly descriptor: D,
    public state: StateOf<D>,
  ) {}
  saveState(): StateOf<D> {
    return this.state;
  }
  loadState(s: StateOf<D>): void {
    this.loads++;
    this.state = s;
  }
}

/** Deterministic pseudo-random bytes (xorshift32), for RAM contents. */
export function fillRandom(b: Uint8Array, seed = 0x12345678): Uint8Array {
  let x = seed >>> 0 || 1;
  for (let i = 0; i < b.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/** Split bytes into chunks of the given sizes (cycled), as a network or file reader would deliver them. */
export async function* chunked(bytes: Uint8Array, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  let o = 0;
  let i = 0;
  while (o < bytes.length) {
    const n = sizes[i++ % sizes.length]!;
    yield bytes.subarray(o, o + n);
    o += n;
  }
}
