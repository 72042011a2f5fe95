// The golden-stream fixture device: every field kind, a nested struct, a subsection, a timer.
// FROZEN: the v1 and v2 declarations below are what the checked-in golden streams were made
// with. Never edit them; add a v3 (and a golden stream for it) instead.
import { defineState, field, subsection, type StateOf } from '../../src/index';

export const goldenDrive = defineState({
  name: 'golden-drive',
  version: 1,
  fields: { track: field.u8({ range: [0, 83] }), head: field.u8({ range: [0, 1] }), label: field.bytes(4) },
  subsections: [subsection({ name: 'changed', version: 1, needed: (s) => s.changed, fields: { changed: field.bool() } })],
});

const v1Fields = {
  u8: field.u8(),
  u16: field.u16(),
  u32: field.u32(),
  u64: field.u64(),
  i8: field.i8(),
  i16: field.i16(),
  i32: field.i32(),
  i64: field.i64(),
  flag: field.bool(),
  mode: field.u8({ range: [0, 5] }),
  kind: field.u8({ oneOf: [1, 2, 4] }),
  fifo: field.bytes(8),
  data: field.varBytes({ max: 64 }),
  pos: field.u16({ check: (v, s) => v <= s.data.length || 'pos beyond data' }),
  regs: field.array(field.u16(), 4),
  drives: field.varArray(field.struct(goldenDrive), { max: 4 }),
  expiry: field.timer(),
  idle: field.timer(),
  extra: field.u8({ when: (s) => s.flag }),
};

export const goldenV1 = defineState({
  name: 'golden-device',
  version: 1,
  fields: v1Fields,
  subsections: [subsection({ name: 'latched', version: 1, needed: (s) => s.latched !== 0, fields: { latched: field.u16({ default: 0 }) } })],
});

/** v2: adds a field (since 2) and a subsection with a version wider than a byte. */
export const goldenV2 = defineState({
  name: 'golden-device',
  version: 2,
  minVersion: 1,
  fields: { ...v1Fields, rate: field.u8({ since: 2, oneOf: [0, 1, 2, 3], default: 2 }) },
  subsections: [
    subsection({ name: 'latched', version: 1, needed: (s) => s.latched !== 0, fields: { latched: field.u16({ default: 0 }) } }),
    subsection({ name: 'wide', version: 300, needed: (s) => s.wide !== 0, fields: { wide: field.u32({ default: 0 }) } }),
  ],
});

export type GoldenV1 = StateOf<typeof goldenV1>;
export type GoldenV2 = StateOf<typeof goldenV2>;

export const GOLDEN_NOW = 1_000_000_000;

export function goldenStateV1(): GoldenV1 {
  return {
    u8: 0xab,
    u16: 0xbeef,
    u32: 0xdeadbeef,
    u64: 0xfedcba9876543210n,
    i8: -2,
    i16: -300,
    i32: -70000,
    i64: -(2n ** 40n),
    flag: true,
    mode: 5,
    kind: 4,
    fifo: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
    data: Uint8Array.of(0x55, 0xaa, 0x00),
    pos: 3,
    regs: [0, 1, 0x8000, 0xffff],
    drives: [
      { track: 79, head: 1, label: Uint8Array.of(0x41, 0x3a, 0, 0), changed: true },
      { track: 0, head: 0, label: new Uint8Array(4), changed: false },
    ],
    expiry: GOLDEN_NOW + 12_345,
    idle: -1,
    extra: 0x7e,
    latched: 0x1234,
  };
}

export function goldenStateV2(): GoldenV2 {
  return { ...goldenStateV1(), rate: 1, wide: 0x12345678 };
}

/** RAM of the golden streams: 16 pages, page 3 holds a pattern, page 9 one byte, others zero. */
export function goldenRam(): Uint8Array {
  const ram = new Uint8Array(16 * 4096);
  for (let i = 0; i < 4096; i++) ram[3 * 4096 + i] = (i * 7) & 0xff;
  ram[9 * 4096 + 100] = 0x99;
  return ram;
}
