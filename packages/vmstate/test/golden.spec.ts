// Golden streams: bytes written by earlier builds that this and every later build must load.
// See docs/compatibility.md, "Golden streams". Never regenerate a golden file to make this pass.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VersionError, crc32c, inspectStream, loadMachine, saveMachineToBytes, type AnyDescriptor } from '../src/index';
import { Dev } from './devices';
import { GOLDEN_NOW, goldenRam, goldenStateV1, goldenStateV2, goldenV1, goldenV2 } from './golden/fixture';

const here = dirname(fileURLToPath(import.meta.url));
const golden = (f: string) => new Uint8Array(readFileSync(join(here, 'golden', f)));

async function load(desc: AnyDescriptor, bytes: Uint8Array, now: number) {
  const dev = new Dev(desc, {} as never);
  const ram = new Uint8Array(16 * 4096).fill(0xcc);
  await loadMachine(bytes, { machineType: 'golden', now, devices: [{ device: 'golden', target: dev }], ram: [{ name: 'ram', bytes: ram }] });
  return { state: dev.state as Record<string, unknown>, ram };
}

describe('golden stream: format 1, golden-device v1', () => {
  const bytes = golden('format1-golden-device-v1.bpstate');
  it('starts with the format-1 header and the manifest record', () => {
    expect([...bytes.subarray(0, 12)]).toEqual([0x89, 0x42, 0x50, 0x53, 0x54, 0x0d, 0x0a, 0x1a, 1, 0, 0, 0]);
    expect(bytes[12]).toBe(0x01);
  });
  it('loads into the v1 descriptor: every value, timers relative to the new now, RAM', async () => {
    const { state, ram } = await load(goldenV1, bytes, 5_000);
    expect(state).toEqual({ ...goldenStateV1(), expiry: 5_000 + 12_345 });
    expect(ram).toEqual(goldenRam());
  });
  it('loads into the v2 descriptor: the new field takes its default, the new subsection its default', async () => {
    const { state } = await load(goldenV2, bytes, GOLDEN_NOW);
    expect(state).toEqual({ ...goldenStateV1(), rate: 2, wide: 0 });
  });
  it('inspects without the descriptor package (description in the stream)', async () => {
    const r = await inspectStream(bytes);
    expect(r.ok).toBe(true);
    expect(r.sections[0]!.values).toMatchObject({ u64: { bigint: '18364758544493064720' }, mode: 5, extra: 126, latched: 4660, data: { hex: '55aa00' } });
  });
});

describe('golden stream: format 1, golden-device v2', () => {
  const bytes = golden('format1-golden-device-v2.bpstate');
  it('loads into the v2 descriptor, including a subsection of version 300', async () => {
    const { state } = await load(goldenV2, bytes, GOLDEN_NOW);
    expect(state).toEqual(goldenStateV2());
  });
  it('is refused by the v1 descriptor before anything is touched', async () => {
    const dev = new Dev(goldenV1, { untouched: true } as never);
    const ram = new Uint8Array(16 * 4096).fill(0xcc);
    await expect(loadMachine(bytes, { now: 0, devices: [{ device: 'golden', target: dev }], ram: [{ name: 'ram', bytes: ram }] })).rejects.toThrow(VersionError);
    expect(dev.state).toEqual({ untouched: true });
    expect(ram.every((b) => b === 0xcc)).toBe(true);
  });
});

/** The RAM digest by its definition (docs/stream-format.md), in BigInt: a[i mod 4] += w, c[i mod 16] = c[i mod 16] * 33 + w, mod 2^64. */
function referenceDigest(data: Uint8Array): Uint8Array {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const mask = (1n << 64n) - 1n;
  const a = Array<bigint>(4).fill(0n);
  const c = Array<bigint>(16).fill(0n);
  for (let i = 0; i < data.length / 4; i++) {
    const w = BigInt(v.getUint32(i * 4, true));
    a[i & 3] = (a[i & 3]! + w) & mask;
    c[i & 15] = (c[i & 15]! * 33n + w) & mask;
  }
  const out = new Uint8Array(160);
  const o = new DataView(out.buffer);
  [...a, ...c].forEach((x, i) => o.setBigUint64(i * 8, x, true));
  return out;
}

/** [start, end) of each framed record after the 12-byte header. */
function recordsOf(b: Uint8Array): { type: number; start: number; end: number }[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: { type: number; start: number; end: number }[] = [];
  for (let o = 12; o < b.length; ) {
    const end = o + 9 + v.getUint32(o + 5, true) + 5;
    out.push({ type: b[o]!, start: o, end });
    o = end;
  }
  return out;
}

/**
 * The stream as hex, without its description record: that record carries the source text of
 * check functions, which depends on the TypeScript transformer that built the fixture.
 */
const withoutDescription = (b: Uint8Array): string[] => [
  Buffer.from(b.subarray(0, 12)).toString('hex'),
  ...recordsOf(b)
    .filter((r) => r.type !== 0x02)
    .map((r) => Buffer.from(b.subarray(r.start, r.end)).toString('hex')),
];

const saveGolden = (desc: AnyDescriptor, state: unknown, streamFormat: 1 | 2) =>
  saveMachineToBytes({
    machineType: 'golden',
    now: GOLDEN_NOW,
    devices: [{ device: 'golden', target: { descriptor: desc, saveState: () => state as never, loadState: () => {} } }],
    ram: [{ name: 'ram', bytes: goldenRam() }],
    streamFormat,
  });

describe('golden stream: format 2, golden-device v2', () => {
  const bytes = golden('format2-golden-device-v2.bpstate');
  it('starts with the format-2 header; its RAM travels in type-0x21 records', () => {
    expect([...bytes.subarray(0, 12)]).toEqual([0x89, 0x42, 0x50, 0x53, 0x54, 0x0d, 0x0a, 0x1a, 2, 0, 0, 0]);
    const types = recordsOf(bytes).map((r) => r.type);
    expect(types[0]).toBe(0x01);
    expect(types[1]).toBe(0x02);
    expect(types.filter((t) => t === 0x21)).toHaveLength(2); // round "all" and the empty final round
    expect(types).not.toContain(0x20);
    expect(types.at(-1)).toBe(0x7f);
  });
  it('loads into the v2 descriptor: every value, timers relative to the new now, RAM', async () => {
    const { state, ram } = await load(goldenV2, bytes, 5_000);
    expect(state).toEqual({ ...goldenStateV2(), expiry: 5_000 + 12_345 });
    expect(Buffer.compare(ram, goldenRam())).toBe(0);
  });
  it('the RAM record: page table under the CRC-32C, the digest of the two data pages (3 and 9) by its definition', () => {
    const rec = recordsOf(bytes).find((r) => r.type === 0x21)!;
    const p = bytes.subarray(rec.start + 9, rec.end - 5);
    const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
    expect([p[0], p[1], v.getUint16(2, true), v.getUint32(4, true)]).toEqual([1, 12, 0, 16]); // round all, 4 KiB pages, 16 entries
    const flags = [...p.subarray(8 + 16 * 4, 8 + 16 * 5)];
    expect(flags.map((f, i) => (f === 0 ? i : -1)).filter((i) => i >= 0)).toEqual([3, 9]);
    const digestAt = (8 + 16 * 5 + 7) & ~7;
    const ram = goldenRam();
    const data = new Uint8Array(2 * 4096);
    data.set(ram.subarray(3 * 4096, 4 * 4096));
    data.set(ram.subarray(9 * 4096, 10 * 4096), 4096);
    expect(Buffer.compare(p.subarray(digestAt + 160), data)).toBe(0);
    expect([...p.subarray(digestAt, digestAt + 160)]).toEqual([...referenceDigest(data)]);
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(rec.end - 5, true)).toBe(crc32c(bytes, 0, rec.start, rec.start + 9 + digestAt + 160));
  });
  it('inspects without the descriptor package, counting the RAM pages', async () => {
    const r = await inspectStream(bytes);
    expect(r.ok).toBe(true);
    expect(r.formatVersion).toBe(2);
    expect(r.ram[0]).toMatchObject({ name: 'ram', pages: { all: 16, zero: 14 } });
  });
  it('this build still writes these exact bytes (format 2 is pinned; the description record aside)', async () => {
    expect(withoutDescription(await saveGolden(goldenV2, goldenStateV2(), 2))).toEqual(withoutDescription(bytes));
  });
});

describe('format 1 written by this build (streamFormat: 1, for destinations that read only format 1)', () => {
  it('is byte-identical to the format-1 golden streams the first release wrote', async () => {
    expect(withoutDescription(await saveGolden(goldenV1, goldenStateV1(), 1))).toEqual(withoutDescription(golden('format1-golden-device-v1.bpstate')));
    expect(withoutDescription(await saveGolden(goldenV2, goldenStateV2(), 1))).toEqual(withoutDescription(golden('format1-golden-device-v2.bpstate')));
  });
});
