// Golden streams: bytes written by earlier builds that this and every later build must load.
// See docs/compatibility.md, "Golden streams". Never regenerate a golden file to make this pass.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VersionError, inspectStream, loadMachine, type AnyDescriptor } from '../src/index';
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
