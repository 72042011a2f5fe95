// Versioned machine types, as QEMU answered the seed's problem: pc-1.0 is pc-1.1 plus compat
// properties (the RTC without the later chipsets' upper CMOS bank) and state pins (the RTC
// section at version 1). Two independent witnesses of what the first release accepts:
//   - golden/pc-1.0.schema.json: the descriptors the first release's build carried in its
//     streams (`backplane state schema --stream`), rebuilt here with vmstate's schema reader;
//   - golden/pc-1.0.bps.gz: a stream that release wrote (`backplane run --max-instructions
//     3000000 --save`), which every later build must load.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { SectionMismatchError, VersionError, descriptorFromSchema, loadMachine, parseSchema, type AnyDescriptor, type DeviceEntry } from '@backplane/vmstate';
import { describe, expect, it } from 'vitest';
import type { Rtc } from '@backplane/dev-rtc';
import { demoDiskImage, demoFloppyImage } from '../src/firmware';
import { PcMachine, memoryDisk, type MachineOptions } from '../src/Machine';
import { DEFAULT_MACHINE_TYPE, MACHINE_TYPES, PC_1_0, PC_1_1 } from '../src/machine-types';

const golden = (name: string) => readFileSync(new URL(`./golden/${name}`, import.meta.url));
const START = Date.UTC(2026, 10, 28, 12, 0, 0);

function demo(type: string): MachineOptions {
  return { type, fda: memoryDisk(demoFloppyImage()), hda: memoryDisk(demoDiskImage()), startTime: START };
}

async function bytesOf(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

/**
 * The first release's loader, as far as state goes: every section's descriptor rebuilt from the
 * schema that release carried, each device a plain holder of what it is given.
 */
function firstReleaseLoader(): { devices: DeviceEntry[]; loaded: Map<string, unknown> } {
  const doc = parseSchema(golden('pc-1.0.schema.json').toString('utf8'));
  const byName = new Map<string, AnyDescriptor>(doc.states.map((s) => [s.name, descriptorFromSchema(s)]));
  const loaded = new Map<string, unknown>();
  const devices = doc.devices!.map((d) => ({
    device: d.device,
    instance: d.instance,
    target: {
      descriptor: byName.get(d.state)!,
      saveState: () => {
        throw new Error('not used');
      },
      loadState: (s: unknown) => void loaded.set(d.device, s),
    },
  }));
  return { devices, loaded };
}

async function loadAsFirstRelease(bytes: Uint8Array): Promise<Map<string, unknown>> {
  const { devices, loaded } = firstReleaseLoader();
  await loadMachine(bytes, { machineType: 'pc-1.0', now: 0, devices, ram: [{ name: 'memory', bytes: new Uint8Array(1 << 20) }] });
  return loaded;
}

describe('machine types: pc-1.1 is the newest, pc-1.0 the first release', () => {
  it('lists both, the newest first and default', () => {
    expect([...MACHINE_TYPES.keys()]).toEqual(['pc-1.1', 'pc-1.0']);
    expect(DEFAULT_MACHINE_TYPE).toBe('pc-1.1');
    expect(PC_1_0.compat).toEqual([{ kind: 'rtc', property: 'upperBase', value: -1 }]);
    expect(PC_1_0.stateVersions).toEqual({ 'rtc-mc146818': 1, 'pc-disks': 0 });
    expect(PC_1_1.stateVersions).toEqual({});
    expect(PC_1_0.streamFormat).toBe(1);
  });

  it('pc-1.1 has the upper CMOS bank at ports 72h/73h; pc-1.0, by its compat property, does not', () => {
    for (const [type, value] of [
      ['pc-1.1', 0x3c],
      ['pc-1.0', 0xff],
    ] as const) {
      const m = new PcMachine(demo(type));
      m.bus.io.out8(0x72, 0x05);
      m.bus.io.out8(0x73, 0x3c);
      expect(m.bus.io.in8(0x73), type).toBe(value);
    }
  });
});

describe('pc-1.0 under this build: streams the first release loads', () => {
  it('a stream this build writes under pc-1.0 loads with the first release\'s descriptors (rtc-mc146818 at version 1)', async () => {
    const m = new PcMachine(demo('pc-1.0'));
    m.run({ maxInstructions: 3_000_000 });
    const bytes = await bytesOf(m.save());
    // The first release's vmstate read stream format 1 only (docs/stream-format.md: the format
    // version is the u16 after the 8-byte magic).
    expect(bytes[8] | (bytes[9]! << 8)).toBe(1);
    expect(Buffer.from(gunzipSync(golden('pc-1.0.bps.gz')).subarray(8, 10))).toEqual(Buffer.from([1, 0]));
    const loaded = await loadAsFirstRelease(bytes);
    expect(loaded.size).toBe(firstReleaseLoader().devices.length);
    // The CMOS RAM the machine configured (memory sizes, drives, boot order) travelled intact.
    const rtc = loaded.get('rtc') as { cmos: Uint8Array };
    expect(rtc.cmos.length).toBe(128);
    expect(Buffer.from(rtc.cmos.subarray(0x0e))).toEqual(Buffer.from(m.first<Rtc>('rtc')!.cmosImage().subarray(0x0e, 0x80)));
  });

  it('the same machine under pc-1.1 writes rtc-mc146818 version 2, which the first release refuses by name before touching anything', async () => {
    const m = new PcMachine(demo('pc-1.1'));
    m.run({ maxInstructions: 3_000_000 });
    const bytes = await bytesOf(m.save());
    const { devices, loaded } = firstReleaseLoader();
    const ram = new Uint8Array(1 << 20).fill(0xaa);
    const attempt = loadMachine(bytes, { machineType: 'pc-1.1', now: 0, devices, ram: [{ name: 'memory', bytes: ram }] });
    await expect(attempt).rejects.toThrow(VersionError);
    await expect(loadMachine(bytes, { machineType: 'pc-1.1', now: 0, devices, ram: [{ name: 'memory', bytes: ram }] })).rejects.toThrow(
      /stream has version 2, newer than this build's version 1.*device rtc#0, section "rtc-mc146818"/,
    );
    expect(loaded.size).toBe(0);
    expect(ram.every((b) => b === 0xaa)).toBe(true);
  });
});

describe('pc-1.0: what the first release wrote loads in this build', () => {
  it('the golden pc-1.0 stream loads and the demo runs on from it to its end', async () => {
    const bytes = gunzipSync(golden('pc-1.0.bps.gz'));
    const m = new PcMachine(demo('pc-1.0'));
    await m.load(bytes);
    expect(m.instructions).toBe(3_000_000);
    const r = m.run({});
    expect(r.reason).toBe('halted');
    expect(m.serialOutput).toContain('512 of 512 bytes match');
    expect(m.serialOutput).toContain('Demo finished');
  });

  it('the firmware travels with it: after a reset the loaded machine runs the BIOS it was saved with, at both of its addresses', async () => {
    const bytes = gunzipSync(golden('pc-1.0.bps.gz'));
    const m = new PcMachine(demo('pc-1.0'));
    await m.load(bytes);
    expect(m.run({}).reason).toBe('halted');
    const before = m.serialOutput.split('booted from the built-in floppy image').length;
    m.reset(); // the 80286 starts at FFFFF0h, the BIOS's alias at the top of 16 MiB
    expect(m.run({}).reason).toBe('halted');
    expect(m.serialOutput.split('booted from the built-in floppy image').length).toBe(before + 1);
    expect(m.serialOutput.endsWith('Demo finished: the machine halts now.\r\n')).toBe(true);
    for (const o of [0, 0x1234, 0xfff0]) expect(m.bus.memory.read8(0xff0000 + o)).toBe(m.bus.memory.read8(0xf0000 + o));
  });

  it('a pc-1.1 machine refuses it, naming both machine types, and stays as it was', async () => {
    const bytes = gunzipSync(golden('pc-1.0.bps.gz'));
    const m = new PcMachine(demo('pc-1.1'));
    m.run({ maxInstructions: 1_000_000 });
    const before = await bytesOf(m.save());
    await expect(m.load(bytes)).rejects.toThrow(SectionMismatchError);
    await expect(m.load(bytes)).rejects.toThrow(/pc-1\.0.*pc-1\.1|pc-1\.1.*pc-1\.0/);
    expect(Buffer.from(await bytesOf(m.save())).equals(Buffer.from(before))).toBe(true);
  });
});
