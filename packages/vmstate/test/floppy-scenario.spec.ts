// The seed's scenario (issue 3): a floppy-controller-like device released three times.
//   v1: descriptor version 1.
//   v2: same descriptor version; adds subsection "media-changed", needed only when the
//       media-changed line differs from its default (QEMU's fdc keeps such data in subsections).
//   v3: descriptor version 2; adds a field (since 2).
import { describe, expect, it } from 'vitest';
import { Dev } from './devices';
import { UnknownSubsectionError, ValidationError, VersionError, defineState, type VersionPins, field, loadMachine, saveMachineToBytes, subsection, type AnyDescriptor, type StateOf } from '../src/index';

const v1Fields = {
  dor: field.u8(),
  msr: field.u8(),
  track: field.u8({ range: [0, 83] }),
  fifo: field.bytes(16),
  fifoPos: field.u8({ check: (v: number) => v <= 16 || 'fifo position beyond the 16-byte FIFO' }),
};
const fdcV1 = defineState({ name: 'fdc', version: 1, fields: v1Fields });
const mediaChanged = subsection({
  name: 'media-changed',
  version: 1,
  // Default (what a v1 reader assumes): the line is not asserted.
  needed: (s) => s.mediaChanged !== false,
  fields: { mediaChanged: field.bool({ default: false }) },
});
const fdcV2 = defineState({ name: 'fdc', version: 1, fields: v1Fields, subsections: [mediaChanged] });
const fdcV3 = defineState({
  name: 'fdc',
  version: 2,
  minVersion: 1,
  fields: { ...v1Fields, dataRate: field.u8({ since: 2, oneOf: [0, 1, 2, 3], default: 2 }) },
  subsections: [mediaChanged],
});

type V1 = StateOf<typeof fdcV1>;
const base: V1 = { dor: 0x1c, msr: 0x80, track: 40, fifo: Uint8Array.from({ length: 16 }, (_, i) => i), fifoPos: 3 };

async function save(desc: AnyDescriptor, state: object, versions?: VersionPins): Promise<Uint8Array> {
  return saveMachineToBytes({ machineType: 'pc', now: 0, devices: [{ device: 'fdc', target: new Dev(desc, state as never) }], ...(versions ? { versions } : {}) });
}
async function load<D extends AnyDescriptor>(desc: D, bytes: Uint8Array): Promise<Dev<D>> {
  const dev = new Dev(desc, { marker: 'untouched' } as never);
  await loadMachine(bytes, { machineType: 'pc', now: 0, devices: [{ device: 'fdc', target: dev }] });
  return dev;
}
async function refused(desc: AnyDescriptor, bytes: Uint8Array, err: unknown): Promise<void> {
  const dev = new Dev(desc, { marker: 'untouched' } as never);
  await expect(loadMachine(bytes, { machineType: 'pc', now: 0, devices: [{ device: 'fdc', target: dev }] })).rejects.toThrow(err as Error);
  expect(dev.state).toEqual({ marker: 'untouched' });
  expect(dev.loads).toBe(0);
}

describe('v1 -> v2: a newer build adds a subsection', () => {
  it('v1 streams load into v2; the media-changed line takes its default', async () => {
    const dev = await load(fdcV2, await save(fdcV1, base));
    expect(dev.state).toEqual({ ...base, mediaChanged: false });
  });
});

describe('v2 -> v1: an older build reads a newer stream', () => {
  it('loads when the subsection was not needed (line at its default)', async () => {
    const dev = await load(fdcV1, await save(fdcV2, { ...base, mediaChanged: false }));
    expect(dev.state).toEqual(base);
  });
  it('is refused, naming the subsection, when it was needed', async () => {
    const bytes = await save(fdcV2, { ...base, mediaChanged: true });
    await refused(fdcV1, bytes, UnknownSubsectionError);
    await refused(fdcV1, bytes, /subsection "media-changed" version 1.*device fdc#0, section "fdc"/);
  });
});

describe('v3: a new field with a version bump', () => {
  it('reads v1 streams (the new field keeps its default)', async () => {
    expect((await load(fdcV3, await save(fdcV1, base))).state).toEqual({ ...base, dataRate: 2, mediaChanged: false });
  });
  it('reads v2 streams, with and without the subsection', async () => {
    expect((await load(fdcV3, await save(fdcV2, { ...base, mediaChanged: true }))).state).toEqual({ ...base, dataRate: 2, mediaChanged: true });
    expect((await load(fdcV3, await save(fdcV2, { ...base, mediaChanged: false }))).state).toEqual({ ...base, dataRate: 2, mediaChanged: false });
  });
  it('round-trips its own streams', async () => {
    const s = { ...base, dataRate: 0, mediaChanged: true };
    expect((await load(fdcV3, await save(fdcV3, s))).state).toEqual(s);
  });
  it('v2 refuses v3 streams before touching state', async () => {
    const bytes = await save(fdcV3, { ...base, dataRate: 1, mediaChanged: false });
    await refused(fdcV2, bytes, VersionError);
    await refused(fdcV2, bytes, /stream has version 2, newer than this build's version 1.*device fdc#0, section "fdc"/);
  });
});

// QEMU's answer to the seed's problem: a machine type of the older release carries compat
// properties, and under them the newer device writes what the older release reads.
describe('compatibility pins: v3 writes what v1 and v2 read', () => {
  it('pinned to version 1, v3 writes a stream v2 loads, the new field left out', async () => {
    const bytes = await save(fdcV3, { ...base, dataRate: 2, mediaChanged: true }, { fdc: 1 });
    expect((await load(fdcV2, bytes)).state).toEqual({ ...base, mediaChanged: true });
    // and v3 itself reads it back, the field at its default
    expect((await load(fdcV3, bytes)).state).toEqual({ ...base, dataRate: 2, mediaChanged: true });
  });
  it('pinned to version 1 and the subsection to 0, v3 writes a stream v1 loads', async () => {
    const bytes = await save(fdcV3, { ...base, dataRate: 2, mediaChanged: false }, new Map([['fdc', 1], ['media-changed', 0]]));
    expect((await load(fdcV1, bytes)).state).toEqual(base);
  });
  it('refuses to save when the pinned version would lose a field that holds state', async () => {
    await expect(save(fdcV3, { ...base, dataRate: 0, mediaChanged: false }, { fdc: 1 })).rejects.toThrow(ValidationError);
    await expect(save(fdcV3, { ...base, dataRate: 0, mediaChanged: false }, { fdc: 1 })).rejects.toThrow(
      /field "dataRate" \(since version 2\) holds a value that version 1 cannot carry.*device fdc#0, section "fdc"/,
    );
  });
  it('refuses to save when a subsection the pinned release lacks is needed', async () => {
    await expect(save(fdcV3, { ...base, dataRate: 2, mediaChanged: true }, { fdc: 1, 'media-changed': 0 })).rejects.toThrow(
      /subsection "media-changed" is needed, but the version being written .*has no such subsection/,
    );
  });
  it('refuses a pin outside the versions the descriptor can write', async () => {
    await expect(save(fdcV3, { ...base, dataRate: 2, mediaChanged: false }, { fdc: 3 })).rejects.toThrow(/"fdc" cannot be written as version 3: this build writes versions 1 to 2/);
    await expect(save(fdcV3, { ...base, dataRate: 2, mediaChanged: false }, { fdc: 0 })).rejects.toThrow(/cannot be written as version 0/);
  });
});
