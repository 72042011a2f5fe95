import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ChecksumError,
  DescriptorError,
  LimitError,
  StreamFormatError,
  UnknownSubsectionError,
  ValidationError,
  VersionError,
  VmstateError,
  defaultState,
  defineState,
  field,
  loadSection,
  saveSection,
  subsection,
  type StateOf,
} from './index';

const drive = defineState({
  name: 'drive',
  version: 1,
  fields: { track: field.u8({ range: [0, 79] }), head: field.u8({ range: [0, 1] }) },
});
const other = defineState({ name: 'other', version: 1, fields: { x: field.i32(), big: field.i64() } });

const channel = defineState({
  name: 'pit-channel',
  version: 2,
  minVersion: 1,
  fields: {
    count: field.u16(),
    mode: field.u8({ range: [0, 5] }),
    rwMode: field.u8({ oneOf: [1, 2, 3], default: 3 }),
    latch: field.u16({ since: 2, default: 0 }),
    fifo: field.bytes(16),
    data: field.varBytes({ max: 65536 }),
    regs: field.array(field.u8(), 8),
    pos: field.u16({ check: (v, s) => v <= s.data.length || 'pos beyond data' }),
    drives: field.varArray(field.struct(drive), { max: 4 }),
    nested: field.struct(other),
    expiry: field.timer(),
    wide: field.u64(),
  },
  subsections: [
    subsection({
      name: 'readback-status',
      version: 1,
      needed: (s) => s.statusLatched,
      fields: { statusLatched: field.bool({ default: false }), status: field.u8({ default: 0 }) },
    }),
  ],
});
type Channel = StateOf<typeof channel>;

function sample(): Channel {
  const s = defaultState(channel);
  s.count = 0x1234;
  s.mode = 3;
  s.rwMode = 2;
  s.latch = 0xbeef;
  s.fifo = Uint8Array.from({ length: 16 }, (_, i) => i * 3);
  s.data = new Uint8Array([9, 8, 7]);
  s.regs = [1, 2, 3, 4, 5, 6, 7, 255];
  s.pos = 3;
  s.drives = [
    { track: 79, head: 1 },
    { track: 0, head: 0 },
  ];
  s.nested = { x: -5, big: -(2n ** 62n) };
  s.expiry = 1_000_500;
  s.wide = 2n ** 64n - 1n;
  return s;
}

describe('defineState: the declaration gives the state type', () => {
  it('derives field types, subsection fields included', () => {
    expectTypeOf<Channel['count']>().toEqualTypeOf<number>();
    expectTypeOf<Channel['wide']>().toEqualTypeOf<bigint>();
    expectTypeOf<Channel['fifo']>().toEqualTypeOf<Uint8Array>();
    expectTypeOf<Channel['regs']>().toEqualTypeOf<number[]>();
    expectTypeOf<Channel['drives']>().toEqualTypeOf<{ track: number; head: number }[]>();
    expectTypeOf<Channel['nested']>().toEqualTypeOf<{ x: number; big: bigint }>();
    expectTypeOf<Channel['statusLatched']>().toEqualTypeOf<boolean>();
  });
  it('builds a default state from declared defaults', () => {
    const s = defaultState(channel);
    expect(s.rwMode).toBe(3);
    expect(s.expiry).toBe(-1);
    expect(s.fifo).toEqual(new Uint8Array(16));
    expect(s.regs).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(s.nested).toEqual({ x: 0, big: 0n });
    expect(s.statusLatched).toBe(false);
    expect(Object.keys(s)).toEqual([...Object.keys(channel.fields), 'statusLatched', 'status']);
  });
  it('refuses bad declarations with DescriptorError', () => {
    expect(() => defineState({ name: 'x', version: 1, minVersion: 2, fields: {} })).toThrow(DescriptorError);
    expect(() => defineState({ name: 'x', version: 1, fields: { a: field.u8({ since: 2 }) } })).toThrow(DescriptorError);
    expect(() => field.u8({ range: [0, 300] })).toThrow(DescriptorError);
    expect(() =>
      defineState({
        name: 'x',
        version: 1,
        fields: { a: field.u8() },
        subsections: [subsection({ name: 's', version: 1, needed: () => true, fields: { a: field.u8() } })],
      }),
    ).toThrow(/declared twice/);
  });
});

describe('saveSection / loadSection', () => {
  it('round-trips every field kind into a fresh object', () => {
    const s = sample();
    const bytes = saveSection(channel, s, { now: 1_000_000 });
    const back = loadSection(channel, bytes, { now: 1_000_000 });
    expect(back).toEqual(s);
    expect(back).not.toBe(s);
    expect(back.fifo).not.toBe(s.fifo);
  });
  it('saves timers as offsets from now: a deadline 500 ns ahead stays 500 ns ahead', () => {
    const bytes = saveSection(channel, sample(), { now: 1_000_000 });
    expect(loadSection(channel, bytes, { now: 7_000 }).expiry).toBe(7_500);
    const idle = { ...sample(), expiry: -1 };
    expect(loadSection(channel, saveSection(channel, idle, { now: 5 }), { now: 99 }).expiry).toBe(-1);
  });
  it('sends a subsection only when needed; absent, its fields take their defaults', () => {
    const plain = saveSection(channel, sample(), { now: 0 });
    const latched = saveSection(channel, { ...sample(), statusLatched: true, status: 0x35 }, { now: 0 });
    expect(latched.length).toBeGreaterThan(plain.length);
    expect(loadSection(channel, latched, { now: 0 })).toMatchObject({ statusLatched: true, status: 0x35 });
    expect(loadSection(channel, plain, { now: 0 })).toMatchObject({ statusLatched: false, status: 0 });
  });
  it('refuses to save a state that breaks its declaration', () => {
    expect(() => saveSection(channel, { ...sample(), mode: 6 }, { now: 0 })).toThrow(ValidationError);
    expect(() => saveSection(channel, { ...sample(), rwMode: 0 }, { now: 0 })).toThrow(/not one of 1, 2, 3/);
    expect(() => saveSection(channel, { ...sample(), pos: 4 }, { now: 0 })).toThrow(/pos beyond data/);
    expect(() => saveSection(channel, { ...sample(), fifo: new Uint8Array(15) }, { now: 0 })).toThrow(/16 bytes/);
    expect(() => saveSection(channel, { ...sample(), drives: [{ track: 80, head: 0 }] }, { now: 0 })).toThrow(/drives\[0\]\.track/);
  });
});

describe('loadSection refuses bad bytes with typed errors', () => {
  const bytes = saveSection(channel, sample(), { now: 0 });
  it('a flipped payload bit is a ChecksumError naming the section', () => {
    const bad = bytes.slice();
    bad[20] ^= 0x10;
    expect(() => loadSection(channel, bad, { now: 0 })).toThrow(ChecksumError);
    expect(() => loadSection(channel, bad, { now: 0 })).toThrow(/section "pit-channel"/);
  });
  it('truncation is a StreamFormatError', () => {
    for (const n of [0, 5, 9, bytes.length - 1]) expect(() => loadSection(channel, bytes.subarray(0, n), { now: 0 })).toThrow(StreamFormatError);
  });
  it('a stream newer than the descriptor is refused naming both versions', () => {
    const v3 = defineState({ ...channel, version: 3, subsections: channel.subsections });
    const b = saveSection(v3, sample(), { now: 0 });
    expect(() => loadSection(channel, b, { now: 0 })).toThrow(VersionError);
    expect(() => loadSection(channel, b, { now: 0 })).toThrow(/version 3, newer than this build's version 2/);
  });
  it('an unknown subsection is refused naming it and its version', () => {
    const noSub = defineState({ name: 'pit-channel', version: 2, fields: channel.fields });
    const b = saveSection(channel, { ...sample(), statusLatched: true }, { now: 0 });
    expect(() => loadSection(noSub, b, { now: 0 })).toThrow(UnknownSubsectionError);
    expect(() => loadSection(noSub, b, { now: 0 })).toThrow(/subsection "readback-status" version 1/);
  });
  it('a hostile count above the declared max is refused before allocating', () => {
    const small = defineState({ name: 'vb', version: 1, fields: { d: field.varBytes({ max: 4 }) } });
    const big = defineState({ name: 'vb', version: 1, fields: { d: field.varBytes({ max: 1 << 20 }) } });
    const b = saveSection(big, { d: new Uint8Array(100) }, { now: 0 });
    expect(() => loadSection(small, b, { now: 0 })).toThrow(LimitError);
  });
  it('every error is a VmstateError', () => {
    const bad = bytes.slice();
    bad[bad.length - 1] = 0;
    try {
      loadSection(channel, bad, { now: 0 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(VmstateError);
      expect((e as VmstateError).message).toMatch(/end marker/);
    }
  });
});

describe('versions: older streams load into newer descriptors', () => {
  const v1 = defineState({ name: 'dev', version: 1, fields: { a: field.u8() } });
  const v2 = defineState({
    name: 'dev',
    version: 2,
    fields: { a: field.u8(), b: field.u16({ since: 2, default: 7 }), c: field.u8({ since: 2 }) },
    postLoad: (s, info) => {
      if (info.version < 2) s.c = s.a * 2;
    },
  });
  it('fields added later keep their default or are filled by postLoad', () => {
    expect(loadSection(v2, saveSection(v1, { a: 21 }, { now: 0 }), { now: 0 })).toEqual({ a: 21, b: 7, c: 42 });
  });
  it('minVersion refuses streams that are too old', () => {
    const v3 = defineState({ name: 'dev', version: 3, minVersion: 2, fields: { a: field.u8() } });
    expect(() => loadSection(v3, saveSection(v1, { a: 1 }, { now: 0 }), { now: 0 })).toThrow(/older than the oldest version this build reads \(2\)/);
  });
});

describe('a relation check that throws', () => {
  it('refuses the value with a ValidationError instead of escaping', () => {
    const d = defineState({ name: 'thrower', version: 1, fields: { a: field.u8({ check: (v) => { if (v > 3) throw new Error('boom'); return true; } }) } });
    expect(loadSection(d, saveSection(d, { a: 1 }, { now: 0 }), { now: 0 })).toEqual({ a: 1 });
    const good = saveSection(defineState({ name: 'thrower', version: 1, fields: { a: field.u8() } }), { a: 9 }, { now: 0 });
    expect(() => loadSection(d, good, { now: 0 })).toThrow(ValidationError);
    expect(() => loadSection(d, good, { now: 0 })).toThrow(/check threw: boom/);
  });
});
