// Saving and loading a channel through its vmstate descriptor, in the middle of PIO transfers:
// the run that was saved, loaded into a fresh bench and finished gives what a run that never
// stopped gives.
import { MemoryImage } from '@backplane/block';
import { VmstateError, defineState, field, loadSection, saveSection } from '@backplane/vmstate';
import { describe, expect, it } from 'vitest';
import { P, type Rig, firstDifference, issue, lba28, packet, patternedCopy, readData, rig, waitNotBusy, writeData } from '../test/helpers';
import { IdeStateError } from './errors';
import { Cmd, Status } from './registers';
import { channelDescriptor, driveDescriptor } from './state';

const SECTORS = 4096;

function save(r: Rig): Uint8Array {
  return saveSection(channelDescriptor, r.ch.saveState(), { now: r.tb.clock.now });
}

function load(r: Rig, bytes: Uint8Array): void {
  r.ch.loadState(loadSection(channelDescriptor, bytes, { now: r.tb.clock.now }));
}

function hasPioSubsection(bytes: Uint8Array): boolean {
  return Buffer.from(bytes).includes('pio');
}

/** Read `sectors` sectors of READ SECTORS block by block, optionally stopping after `stopAfterBytes` (returns what was read). */
function readSectors(r: Rig, sectors: number, stopAfterBytes = Infinity, startAt = 0): Uint8Array {
  const out: number[] = [];
  let done = startAt;
  for (let s = 0; done < sectors * 512; s++) {
    const st = waitNotBusy(r.tb);
    if (!(st & Status.DRQ)) break;
    if (done % 512 === 0) r.tb.inb(P.status);
    while (done < sectors * 512) {
      if (done - startAt >= stopAfterBytes) return Uint8Array.from(out);
      const w = r.tb.inw(P.data);
      out.push(w & 0xff, w >>> 8);
      done += 2;
      if (done % 512 === 0) break;
    }
  }
  return Uint8Array.from(out);
}

describe('state descriptor: PIO subsection', () => {
  it('is absent while no data is pending and present while DRQ is set', () => {
    const a = rig({ master: { kind: 'disk', image: patternedCopy(SECTORS) } });
    expect(hasPioSubsection(save(a))).toBe(false);
    issue(a.tb, Cmd.ReadSectors, lba28(10, 2));
    expect(hasPioSubsection(save(a))).toBe(true);
    readData(a.tb, 512);
    waitNotBusy(a.tb);
    readData(a.tb, 512);
    waitNotBusy(a.tb);
    expect(hasPioSubsection(save(a))).toBe(false);
  });

  it('carries only the bytes of the block in flight, not the whole 64 KiB buffer', () => {
    const a = rig({ master: { kind: 'disk', image: patternedCopy(SECTORS) } });
    issue(a.tb, Cmd.ReadSectors, lba28(10, 2));
    expect(save(a).length).toBeLessThan(2 * 1024);
  });
});

describe('migration in the middle of a multi-sector PIO read (READ SECTORS)', () => {
  const COUNT = 12;
  const LBA = 777;

  function reference(): { data: Uint8Array; regs: number[] } {
    const a = rig({ master: { kind: 'disk', image: patternedCopy(SECTORS) } });
    issue(a.tb, Cmd.ReadSectors, lba28(LBA, COUNT));
    const data = readSectors(a, COUNT);
    return { data, regs: [P.status, P.error, P.count, P.lbaLow, P.lbaMid, P.lbaHigh, P.device].map((p) => a.tb.inb(p)) };
  }

  it('saved with DRQ set half-way through a sector, loaded into a fresh bench, finishes with the same data and registers', () => {
    const ref = reference();
    const a = rig({ master: { kind: 'disk', image: patternedCopy(SECTORS) } });
    issue(a.tb, Cmd.ReadSectors, lba28(LBA, COUNT));
    const first = readSectors(a, COUNT, 5 * 512 + 256);
    const bytes = save(a);
    expect(hasPioSubsection(bytes)).toBe(true);

    const b = rig({ master: { kind: 'disk', image: patternedCopy(SECTORS) } });
    b.tb.advance(123_456); // the loading machine's clock is elsewhere
    load(b, bytes);
    const rest = readSectors(b, COUNT, Infinity, first.length);
    const all = new Uint8Array(first.length + rest.length);
    all.set(first);
    all.set(rest, first.length);
    expect(firstDifference(all, ref.data)).toBe(-1);
    expect([P.status, P.error, P.count, P.lbaLow, P.lbaMid, P.lbaHigh, P.device].map((p) => b.tb.inb(p))).toEqual(ref.regs);
  });

  it('saved while BSY between two blocks (the busy timer pending), the loaded drive goes on after the remaining busy time', () => {
    const ref = reference();
    const a = rig({ master: { kind: 'disk', image: patternedCopy(SECTORS) } });
    issue(a.tb, Cmd.ReadSectors, lba28(LBA, COUNT));
    const parts: Uint8Array[] = [];
    for (let k = 0; k < 3; k++) {
      waitNotBusy(a.tb);
      a.tb.inb(P.status);
      parts.push(readData(a.tb, 512));
    }
    const first = Uint8Array.from(parts.flatMap((p) => [...p]));
    expect(a.tb.inb(P.altStatus) & Status.BSY).toBe(Status.BSY);
    const bytes = save(a);

    const b = rig({ master: { kind: 'disk', image: patternedCopy(SECTORS) } });
    load(b, bytes);
    expect(b.tb.inb(P.altStatus) & Status.BSY).toBe(Status.BSY);
    const rest = readSectors(b, COUNT, Infinity, first.length);
    const all = new Uint8Array([...first, ...rest]);
    expect(firstDifference(all, ref.data)).toBe(-1);
  });

  it('a pending interrupt is restored on the IRQ line', () => {
    const a = rig({ master: { kind: 'disk', image: patternedCopy(SECTORS) } });
    issue(a.tb, Cmd.ReadSectors, lba28(LBA, COUNT));
    expect(a.tb.irq(14).level).toBe(true);
    const b = rig({ master: { kind: 'disk', image: patternedCopy(SECTORS) } });
    const irq = b.tb.irq(14);
    load(b, save(a));
    expect(irq.level).toBe(true);
  });
});

describe('migration in the middle of a PIO write (WRITE MULTIPLE)', () => {
  it('the loaded drive commits the data the host had sent before the save', () => {
    const data = new Uint8Array(8 * 512).map((_, i) => (i * 11) & 0xff);
    const imgA = new MemoryImage(SECTORS * 512);
    const a = rig({ master: { kind: 'disk', image: imgA } });
    issue(a.tb, Cmd.SetMultipleMode, { count: 4, device: 0xa0 });
    issue(a.tb, Cmd.WriteMultiple, lba28(50, 8));
    writeData(a.tb, data.subarray(0, 4 * 512));
    waitNotBusy(a.tb);
    a.tb.inb(P.status);
    writeData(a.tb, data.subarray(4 * 512, 6 * 512)); // half of the second block
    const bytes = save(a);

    const imgB = new MemoryImage(imgA.bytes.slice());
    const b = rig({ master: { kind: 'disk', image: imgB } });
    load(b, bytes);
    writeData(b.tb, data.subarray(6 * 512));
    waitNotBusy(b.tb);
    expect(b.tb.inb(P.status)).toBe(Status.DRDY | Status.DSC);
    expect(firstDifference(imgB.bytes.subarray(50 * 512, 58 * 512), data)).toBe(-1);
  });
});

describe('migration in the middle of an ATAPI READ(10)', () => {
  it('the loaded drive sends the rest of the chunks', () => {
    const cd = new MemoryImage(64 * 2048, { readOnly: true });
    for (let i = 0; i < cd.bytes.length; i++) cd.bytes[i] = (i * 5 + (i >> 11)) & 0xff;
    const a = rig({ master: { kind: 'cdrom', image: cd } });
    packet(a.tb, [0x03, 0, 0, 0, 18]);
    a.tb.outb(P.lbaMid, 0x00);
    a.tb.outb(P.lbaHigh, 0x10); // 4096-byte chunks
    a.tb.outb(P.command, Cmd.Packet);
    waitNotBusy(a.tb);
    writeData(a.tb, Uint8Array.from([0x28, 0, 0, 0, 0, 8, 0, 0, 6, 0, 0, 0]));
    waitNotBusy(a.tb);
    const chunk1 = readData(a.tb, 4096);
    waitNotBusy(a.tb);
    const first = Uint8Array.from([...chunk1, ...readData(a.tb, 1000)]);
    const bytes = save(a);

    const b = rig({ master: { kind: 'cdrom', image: cd } });
    load(b, bytes);
    const rest: number[] = [];
    let left = 4096 - 1000;
    for (;;) {
      rest.push(...readData(b.tb, left));
      const st = waitNotBusy(b.tb);
      if (!(st & Status.DRQ)) break;
      left = b.tb.inb(P.lbaMid) | (b.tb.inb(P.lbaHigh) << 8);
    }
    const all = Uint8Array.from([...first, ...rest]);
    expect(firstDifference(all, cd.bytes.subarray(8 * 2048, 14 * 2048))).toBe(-1);
    expect(b.tb.inb(P.status)).toBe(Status.DRDY);
  });
});

describe('loading a state that does not fit', () => {
  it('a state saved with a CD-ROM drive is refused by a channel with a hard disk there, and nothing changes', () => {
    const a = rig({ master: { kind: 'cdrom' } });
    const b = rig({ master: { kind: 'disk', image: patternedCopy(SECTORS) } });
    issue(b.tb, Cmd.ReadSectors, lba28(1, 1));
    const before = save(b);
    expect(() => load(b, save(a))).toThrow(IdeStateError);
    expect(firstDifference(save(b), before)).toBe(-1);
  });

  it('a corrupted stream is a typed vmstate error before the channel is touched', () => {
    const a = rig({ master: { kind: 'disk', image: patternedCopy(SECTORS) } });
    issue(a.tb, Cmd.ReadSectors, lba28(1, 4));
    const bytes = save(a);
    bytes[bytes.length >> 1] ^= 0x40;
    const b = rig({ master: { kind: 'disk', image: patternedCopy(SECTORS) } });
    expect(() => load(b, bytes)).toThrow(VmstateError);
    expect(b.tb.inb(P.status)).toBe(Status.DRDY | Status.DSC);
  });
});

describe('a reader without the PIO subsection (an older build that could not migrate transfers)', () => {
  const oldDrive = defineState({ name: 'ide-drive', version: 1, fields: driveDescriptor.fields });
  const oldChannel = defineState({ name: 'ide-channel', version: 1, fields: { ...channelDescriptor.fields, drives: field.array(field.struct(oldDrive), 2) } });

  it('loads a stream saved while idle', () => {
    const a = rig({ master: { kind: 'disk', image: patternedCopy(SECTORS) } });
    issue(a.tb, Cmd.SetMultipleMode, { count: 8, device: 0xa0 });
    const loaded = loadSection(oldChannel, save(a), { now: 0 });
    expect(loaded.drives[0]!.multiple).toBe(8);
  });

  it('refuses a stream saved with data pending, rather than losing the transfer', () => {
    const a = rig({ master: { kind: 'disk', image: patternedCopy(SECTORS) } });
    issue(a.tb, Cmd.ReadSectors, lba28(0, 2));
    expect(() => loadSection(oldChannel, save(a), { now: 0 })).toThrow(VmstateError);
  });
});
