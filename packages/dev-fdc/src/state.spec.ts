// Saving and loading the controller with @backplane/vmstate: mid-transfer migration, the seed's
// media-changed scenario across descriptor versions, and hostile streams.
import { MemoryImage } from '@backplane/block';
import { ChecksumError, UnknownSubsectionError, ValidationError, defineState, field, loadSection, saveSection, validate } from '@backplane/vmstate';
import { describe, expect, it } from 'vitest';
import { DIR, dmaRead, ready, result, rwCommand, seekTo, send, step, waitIrq } from '../test/helpers';
import { fdcDriveState, fdcState, Phase, Stage } from './state';

type Rig = ReturnType<typeof ready>;

/** The medium every rig starts with (the same patterned 1.44M image). */
function r0Image(): Uint8Array {
  return ready().image.bytes;
}

function save(r: Rig): { bytes: Uint8Array; clock: ReturnType<Rig['bench']['clock']['save']>; ram: Uint8Array } {
  return {
    bytes: saveSection(fdcState, r.fdc.saveState(), { now: r.bench.clock.now }),
    clock: r.bench.clock.save(),
    ram: r.bench.memory.ram.slice(),
  };
}

/** A fresh machine with the same medium (the same bytes), the saved clock, RAM and controller state. */
function restore(saved: ReturnType<typeof save>, image: MemoryImage): Rig {
  const r = ready();
  r.fdc.insert(0, new MemoryImage(image.bytes.slice()));
  r.bench.clock.restore(saved.clock);
  r.bench.memory.ram.set(saved.ram);
  r.fdc.loadState(loadSection(fdcState, saved.bytes, { now: r.bench.clock.now }));
  return { ...r, image };
}

/** The subsections a saved controller section carries (names as they appear in the stream). */
function carried(bytes: Uint8Array): string[] {
  const text = new TextDecoder('latin1').decode(bytes);
  return ['media-changed', 'deleted-marks', 'command-bytes', 'execution', 'pending-result'].filter((n) => text.includes(n));
}

describe('state: the idle controller', () => {
  it('carries no subsection in the common idle state (media in, stepped over; other drives empty)', () => {
    const r = ready();
    seekTo(r.bench, 1);
    const bytes = saveSection(fdcState, r.fdc.saveState(), { now: r.bench.clock.now });
    expect(carried(bytes)).toEqual([]);
  });

  it('round-trips every field through a fresh controller', () => {
    const r = ready();
    seekTo(r.bench, 9);
    send(r.bench, 0x13, 0x00, 0x57, 0x21);
    send(r.bench, 0x94);
    result(r.bench);
    const saved = save(r);
    const q = restore(saved, r.image);
    expect(saveSection(fdcState, q.fdc.saveState(), { now: q.bench.clock.now })).toEqual(saved.bytes);
    send(q.bench, 0x0e);
    expect(result(q.bench)).toEqual([9, 0, 0, 0, 0x8f, 0x02, 0, 0x80, 0x57, 0x21]);
  });
});

describe('state: migration in the middle of a DMA read', () => {
  const SECTORS = 7;

  function start(): Rig {
    const r = ready();
    seekTo(r.bench, 3);
    r.bench.dma.program(2, { address: 0x10000, length: SECTORS * 512, direction: 'write' });
    send(r.bench, ...rwCommand(0x06, { c: 3, head: 0, r: 14, mt: true }));
    return r;
  }

  function finish(r: Rig, transferred: number): { result: number[]; data: number[]; time: number } {
    if (transferred > 0 || r.fdc.state.phase === Phase.EXECUTION) {
      // The DMA controller carries on with the rest of its block (its own state migrates with it).
      r.bench.dma.program(2, { address: 0x10000 + transferred, length: SECTORS * 512 - transferred, direction: 'write' });
    }
    waitIrq(r.bench);
    return { result: result(r.bench), data: [...r.bench.memory.ram.subarray(0x10000, 0x10000 + SECTORS * 512)], time: r.bench.clock.now };
  }

  it('between sectors (waiting for the next one under the head): the loaded run ends exactly like one that never stopped', () => {
    const reference = finish(start(), 0);
    // Sectors 14-18 of side 0, then 1-2 of side 1 (MT); TC with the last: next is side 1 sector 3.
    expect(reference.result).toEqual([0x04, 0, 0, 3, 1, 3, 2]);
    expect(reference.data).toEqual([...r0Image().subarray(((3 * 2 + 0) * 18 + 13) * 512, ((3 * 2 + 0) * 18 + 13 + SECTORS) * 512)]);
    for (let stopAfter = 1; stopAfter < SECTORS; stopAfter++) {
      const a = start();
      while (a.bench.dma.position(2) < stopAfter * 512) step(a.bench);
      expect(a.fdc.state.xfer.stage).toBe(Stage.SEARCHING);
      const saved = save(a);
      expect(carried(saved.bytes)).toEqual(['execution']);
      const b = restore(saved, a.image);
      expect(finish(b, a.bench.dma.position(2))).toEqual(reference);
    }
  });

  it('with a sector in the buffer while the DMA channel is masked: DREQ is raised again after the load', () => {
    const reference = finish(start(), 0);
    const a = start();
    while (a.bench.dma.position(2) < 2 * 512) step(a.bench);
    a.bench.dma.mask(2, true);
    while (a.fdc.state.xfer.stage !== Stage.TO_HOST) step(a.bench);
    expect(a.bench.dma.requested(2)).toBe(true);
    const saved = save(a);
    const b = restore(saved, a.image);
    expect(b.bench.dma.requested(2)).toBe(true);
    expect(finish(b, 2 * 512)).toEqual(reference);
  });
});

describe('state: the media-changed subsection across descriptor versions (the seed\'s scenario)', () => {
  // The drive descriptor as a release that predates the media-changed subsection had it.
  const { changed: _c, deleted: _d, ...oldDriveFields } = { changed: 0, deleted: 0, ...fdcDriveState.fields };
  const oldDrive = defineState({ name: 'fdc-drive', version: 1, fields: oldDriveFields as typeof fdcDriveState.fields, subsections: fdcDriveState.subsections.filter((s) => s.name !== 'media-changed') });
  const oldFdc = defineState({ name: 'fdc-82077aa', version: 1, fields: { ...fdcState.fields, drives: field.array(field.struct(oldDrive), 4) }, subsections: fdcState.subsections });

  it('an older reader loads a stream where the subsection was not needed (disk in and stepped over, empty drives)', () => {
    const r = ready();
    seekTo(r.bench, 2);
    expect(r.bench.inb(DIR) & 0x80).toBe(0);
    const bytes = saveSection(fdcState, r.fdc.saveState(), { now: r.bench.clock.now });
    expect(carried(bytes)).toEqual([]);
    const old = loadSection(oldFdc, bytes, { now: 0 });
    expect(old.drives[0]!.pcn).toBe(2);
  });

  it('an older reader refuses a stream where it was needed (a disk went in and the guest has not stepped yet)', () => {
    const r = ready();
    r.fdc.insert(1, new MemoryImage(1474560));
    const bytes = saveSection(fdcState, r.fdc.saveState(), { now: r.bench.clock.now });
    expect(carried(bytes)).toEqual(['media-changed']);
    expect(() => loadSection(oldFdc, bytes, { now: 0 })).toThrow(UnknownSubsectionError);
  });

  it('this reader loads an older stream and derives the line: active for empty drives, clear for loaded ones', () => {
    const r = ready();
    seekTo(r.bench, 2);
    const oldBytes = saveSection(oldFdc, r.fdc.saveState() as never, { now: r.bench.clock.now });
    const loaded = loadSection(fdcState, oldBytes, { now: 0 });
    expect(loaded.drives.map((d) => d.changed)).toEqual([false, true, true, true]);
  });
});

describe('state: bad streams and bad states', () => {
  it('a flipped byte is a ChecksumError and a state with a position outside its buffer is refused', () => {
    const r = ready();
    r.bench.dma.program(2, { address: 0x10000, length: 1024, direction: 'write' });
    send(r.bench, ...rwCommand(0x06, { c: 0, r: 1 }));
    const bytes = saveSection(fdcState, r.fdc.saveState(), { now: r.bench.clock.now });
    const bad = bytes.slice();
    bad[bad.length - 3]! ^= 0x40;
    expect(() => loadSection(fdcState, bad, { now: 0 })).toThrow(ChecksumError);
    const s = structuredClone(r.fdc.saveState());
    s.xfer.pos = 600;
    expect(() => validate(fdcState, s)).toThrow(ValidationError);
    const t = structuredClone(r.fdc.saveState());
    t.xfer.drive = 7;
    expect(() => saveSection(fdcState, t, { now: 0 })).toThrow(ValidationError);
    const u = structuredClone(r.fdc.saveState());
    u.xfer.stage = Stage.FROM_HOST; // a READ DATA taking data from the host: it would write it to the disk
    u.xfer.need = 512;
    expect(() => validate(fdcState, u)).toThrow(/takes none/);
  });

  it('loading onto a machine whose drive holds another medium reports a disk change', () => {
    const r = ready();
    seekTo(r.bench, 2);
    const bytes = saveSection(fdcState, r.fdc.saveState(), { now: r.bench.clock.now });
    const q = ready();
    q.fdc.insert(0, new MemoryImage(737280));
    q.fdc.loadState(loadSection(fdcState, bytes, { now: q.bench.clock.now }));
    expect(q.bench.inb(DIR) & 0x80).toBe(0x80);
    expect(q.fdc.state.drives[0]!.mediaSize).toBe(737280);
    expect(dmaRead(q.bench, { c: 2, r: 1, sectors: 1 }).slice(0, 3)).toEqual([0x40, 0x01, 0x00]); // 500 kbps: a 720K disk does not read
  });
});
