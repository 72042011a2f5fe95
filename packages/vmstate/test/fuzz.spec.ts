// Property-based fuzzing of the stream reader: mutate valid streams (bit flips, truncation,
// edited lengths and counts with the CRC fixed so the decoder sees them, huge counts,
// duplicated, reordered, missing and inserted records). Every case must end in a correct load
// or a typed VmstateError, and after every failed load the destination must be byte-identical.
//
// CI: 10,000 cases (default). Longer: VMSTATE_FUZZ_RUNS=1000000 npm run fuzz -w @backplane/vmstate
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateRam, crc32c, copyState, isWasmRam, loadMachine, ramDigest, saveMachineToBytes, validate, VmstateError, type AnyDescriptor, type DeviceEntry } from '../src/index';
import { Dev, fillRandom, timerDesc, uartDesc } from './devices';
import { GOLDEN_NOW, goldenStateV2, goldenV2 } from './golden/fixture';

const RUNS = Number(process.env.VMSTATE_FUZZ_RUNS ?? 10_000);
const PAGES = 8;

function devices(seed: number): { devs: Dev<AnyDescriptor>[]; entries: DeviceEntry[]; ram: Uint8Array } {
  const timer = new Dev(timerDesc, { count: seed & 0xffff, mode: seed % 6, expiry: seed & 1 ? -1 : GOLDEN_NOW + seed });
  const uart = new Dev(uartDesc, { lcr: seed & 0xff, fifo: Uint8Array.from({ length: seed % 17 }, (_, i) => i), head: 0, scratch: 7, msr: seed & 2 ? 0x10 : 0 });
  const g = goldenStateV2();
  if (seed & 4) g.drives = [];
  if (seed & 8) g.flag = false;
  const golden = new Dev(goldenV2, g);
  const ram = new Uint8Array(PAGES * 4096);
  fillRandom(ram.subarray(0, (seed % PAGES) * 4096), seed + 1);
  const devs = [timer, uart, golden] as Dev<AnyDescriptor>[];
  return { devs, ram, entries: [{ device: 'pit', target: timer }, { device: 'uart', target: uart }, { device: 'golden', target: golden }] };
}

// Format 2 (written by default) and format 1 (still read, still writable).
const bases = await Promise.all(
  ([[1, 2], [6, 2], [13, 2], [6, 1], [13, 1]] as const).map(([seed, streamFormat]) => {
    const m = devices(seed);
    return saveMachineToBytes({ machineType: 'fuzz', now: GOLDEN_NOW, devices: m.entries, ram: [{ name: 'ram', bytes: m.ram }], pagesPerRecord: 3, streamFormat });
  }),
);

/** Record boundaries: [start, end) of each framed record after the 12-byte header. */
function records(b: Uint8Array): [number, number][] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: [number, number][] = [];
  for (let o = 12; o + 9 <= b.length; ) {
    const end = o + 9 + v.getUint32(o + 5, true) + 5;
    if (end > b.length) break;
    out.push([o, end]);
    o = end;
  }
  return out;
}

/** Make a record's checks match its (edited) bytes, so the decoder meets the edit. */
function fixCrc(b: Uint8Array, [start, end]: [number, number]): void {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let checked = end - 5;
  if (b[start] === 0x21 && end - start >= 9 + 8 + 5) {
    // format-2 RAM record: the digest over the data, the CRC-32C up to the end of the digest
    const count = v.getUint32(start + 13, true);
    const dataAt = start + 9 + ((8 + count * 5 + 7) & ~7) + 160;
    if (count <= 4096 && dataAt <= end - 5 && ((end - 5 - dataAt) & 63) === 0) {
      b.set(ramDigest(b, dataAt, end - 5), dataAt - 160);
      checked = dataAt;
    }
  }
  v.setUint32(end - 5, crc32c(b, 0, start, checked), true);
}

type Mutation =
  | { k: 'flip'; pos: number; bit: number }
  | { k: 'payloadByte'; rec: number; pos: number; value: number }
  | { k: 'payloadU32'; rec: number; pos: number; value: number }
  | { k: 'length'; rec: number; value: number; fix: boolean }
  | { k: 'truncate'; at: number }
  | { k: 'truncateAtBoundary'; rec: number }
  | { k: 'duplicate'; rec: number }
  | { k: 'drop'; rec: number }
  | { k: 'swap'; a: number; b: number }
  | { k: 'insert'; pos: number; bytes: Uint8Array };

const u32 = fc.oneof(fc.constantFrom(0, 1, 2, 0x7f, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff), fc.nat({ max: 0xffffffff }));
const idx = fc.nat({ max: 1 << 20 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ k: fc.constant('flip' as const), pos: idx, bit: fc.nat({ max: 7 }) }),
  fc.record({ k: fc.constant('payloadByte' as const), rec: fc.nat(), pos: idx, value: fc.nat({ max: 255 }) }),
  fc.record({ k: fc.constant('payloadU32' as const), rec: fc.nat(), pos: idx, value: u32 }),
  fc.record({ k: fc.constant('length' as const), rec: fc.nat(), value: u32, fix: fc.boolean() }),
  fc.record({ k: fc.constant('truncate' as const), at: idx }),
  fc.record({ k: fc.constant('truncateAtBoundary' as const), rec: fc.nat() }),
  fc.record({ k: fc.constant('duplicate' as const), rec: fc.nat() }),
  fc.record({ k: fc.constant('drop' as const), rec: fc.nat() }),
  fc.record({ k: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ k: fc.constant('insert' as const), pos: idx, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
);

function apply(src: Uint8Array, m: Mutation): Uint8Array {
  const recs = records(src);
  const pick = (i: number) => recs[i % recs.length]!;
  const b = src.slice();
  const v = new DataView(b.buffer);
  if (recs.length === 0 && m.k !== 'flip' && m.k !== 'truncate' && m.k !== 'insert') return b;
  switch (m.k) {
    case 'flip':
      b[m.pos % b.length] ^= 1 << m.bit;
      return b;
    case 'payloadByte':
    case 'payloadU32': {
      const r = pick(m.rec);
      const len = r[1] - r[0] - 14;
      const width = m.k === 'payloadU32' ? 4 : 1;
      if (len < width) return b;
      const at = r[0] + 9 + (m.pos % (len - width + 1));
      if (width === 4) v.setUint32(at, m.value, true);
      else b[at] = m.value;
      fixCrc(b, r); // so the decoder, not the checksum, meets the edit
      return b;
    }
    case 'length': {
      const r = pick(m.rec);
      v.setUint32(r[0] + 5, m.value, true);
      if (m.fix) fixCrc(b, r);
      return b;
    }
    case 'truncate':
      return b.subarray(0, m.at % (b.length + 1));
    case 'truncateAtBoundary':
      return b.subarray(0, pick(m.rec)[0]);
    case 'duplicate': {
      const r = pick(m.rec);
      return concat(b.subarray(0, r[1]), b.subarray(r[0], r[1]), b.subarray(r[1]));
    }
    case 'drop': {
      const r = pick(m.rec);
      return concat(b.subarray(0, r[0]), b.subarray(r[1]));
    }
    case 'swap': {
      const [x, y] = [pick(m.a), pick(m.b)].sort((p, q) => p[0] - q[0]) as [[number, number], [number, number]];
      if (x[0] === y[0]) return b;
      return concat(b.subarray(0, x[0]), b.subarray(y[0], y[1]), b.subarray(x[1], y[0]), b.subarray(x[0], x[1]), b.subarray(y[1]));
    }
    case 'insert': {
      const at = m.pos % (b.length + 1);
      return concat(b.subarray(0, at), m.bytes, b.subarray(at));
    }
  }
}

async function* chunksOf(b: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let o = 0; o < b.length; o += size) yield b.subarray(o, o + size);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('fuzz: mutated streams load correctly or are refused with nothing changed', () => {
  // One destination RAM inside WebAssembly memory, reused by every case that takes it.
  const wasmRam = allocateRam(PAGES * 4096);

  it('has its WebAssembly-memory destination (RAM digest by WebAssembly SIMD here)', () => {
    expect(isWasmRam(wasmRam)).toBe(true);
  });

  it(`${RUNS} cases`, async () => {
    const outcomes = new Map<string, number>();
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: bases.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.nat(), async (base, muts, seed) => {
        cases++;
        let bytes = bases[base]!;
        for (const m of muts) bytes = apply(bytes, m);
        const dest = devices(seed % 97);
        if (seed & 2) {
          // RAM from allocateRam: pages over zero RAM are written at once and checked in place.
          wasmRam.set(dest.ram);
          dest.ram = wasmRam;
        }
        const before = dest.devs.map((d) => ({ ref: d.state, copy: copyState(d.descriptor, d.state) }));
        const ramBefore = dest.ram.slice();
        try {
          // Half the cases from memory (RAM over non-zero pages written last), half streamed (RAM journaled).
          const source = seed & 1 ? bytes : chunksOf(bytes, 1 + (seed % 5000));
          await loadMachine(source, { machineType: 'fuzz', now: GOLDEN_NOW, devices: dest.entries, ram: [{ name: 'ram', bytes: dest.ram }] });
          outcomes.set('loaded', (outcomes.get('loaded') ?? 0) + 1);
          for (const d of dest.devs) validate(d.descriptor, d.state); // whatever loaded obeys its declaration
        } catch (e) {
          if (!(e instanceof VmstateError)) throw new Error(`untyped error: ${e instanceof Error ? e.stack : String(e)}`);
          outcomes.set(e.code, (outcomes.get(e.code) ?? 0) + 1);
          dest.devs.forEach((d, i) => {
            expect(d.state).toBe(before[i]!.ref);
            expect(d.state).toEqual(before[i]!.copy);
            expect(d.loads).toBe(0);
          });
          expect(Buffer.compare(dest.ram, ramBefore)).toBe(0);
        }
      }),
      { numRuns: RUNS, seed: process.env.VMSTATE_FUZZ_SEED ? Number(process.env.VMSTATE_FUZZ_SEED) : undefined },
    );
    console.log(`vmstate fuzz: ${cases} cases; outcomes ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`);
    expect(cases).toBeGreaterThanOrEqual(RUNS);
  }, 600_000);

  it('every truncation point of every base stream is refused with a typed error', async () => {
    for (const b of bases) {
      for (let n = 0; n < b.length; n += n < 200 ? 1 : 37) {
        const dest = devices(3);
        await expect(loadMachine(b.subarray(0, n), { now: 0, devices: dest.entries, ram: [{ name: 'ram', bytes: dest.ram }] })).rejects.toBeInstanceOf(VmstateError);
      }
    }
  });
});
