// Guest-side fuzz: random register writes, commands (ATA and ATAPI packets), data-port traffic of
// every width, Device Control (SRST, nIEN, HOB), clock advances, and host media changes. Nothing
// may throw, no access may leave an image or a buffer, the state must stay valid for its
// descriptor, and a software reset must bring every drive back to a working state.
import type { BlockDevice } from '@backplane/block';
import { MemoryImage } from '@backplane/block';
import { SeededRandom } from '@backplane/bus';
import { saveSection, validate } from '@backplane/vmstate';
import { describe, expect, it } from 'vitest';
import { P, type Rig, issue, pioIn, rig } from '../test/helpers';
import { Cmd, Status } from './registers';
import { BUFFER_SIZE, channelDescriptor } from './state';

/** Passes accesses through, recording any that leave the image. */
class GuardedImage implements BlockDevice {
  readonly violations: string[] = [];
  constructor(private readonly inner: MemoryImage) {}
  get size(): number {
    return this.inner.size;
  }
  get readOnly(): boolean {
    return this.inner.readOnly;
  }
  private check(op: string, offset: number, buf: Uint8Array, start: number, length: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + length > this.inner.size || start < 0 || start + length > buf.length || length < 0)
      this.violations.push(`${op} offset ${offset} length ${length} start ${start} (image ${this.inner.size}, buffer ${buf.length})`);
  }
  read(offset: number, target: Uint8Array, targetStart = 0, length = target.length - targetStart): void {
    this.check('read', offset, target, targetStart, length);
    this.inner.read(offset, target, targetStart, length);
  }
  write(offset: number, source: Uint8Array, sourceStart = 0, length = source.length - sourceStart): void {
    this.check('write', offset, source, sourceStart, length);
    this.inner.write(offset, source, sourceStart, length);
  }
  flush(): void {}
}

const ATA_COMMANDS = [
  Cmd.ReadSectors, Cmd.ReadSectorsExt, Cmd.ReadMultiple, Cmd.ReadMultipleExt, Cmd.WriteSectors, Cmd.WriteSectorsExt,
  Cmd.WriteMultiple, Cmd.WriteMultipleExt, Cmd.ReadVerifySectors, Cmd.ReadVerifySectorsExt, Cmd.Seek, Cmd.Recalibrate,
  Cmd.ExecuteDeviceDiagnostic, Cmd.InitializeDeviceParameters, Cmd.Packet, Cmd.IdentifyPacketDevice, Cmd.IdentifyDevice,
  Cmd.SetMultipleMode, Cmd.StandbyImmediate, Cmd.IdleImmediate, Cmd.Standby, Cmd.Idle, Cmd.CheckPowerMode, Cmd.Sleep,
  Cmd.FlushCache, Cmd.FlushCacheExt, Cmd.SetFeatures, Cmd.DeviceReset,
];
const SCSI = [0x00, 0x03, 0x12, 0x1b, 0x1e, 0x25, 0x28, 0x43, 0x4a, 0x5a, 0xa8, 0x1a, 0x46, 0xbe];

interface Setup {
  readonly name: string;
  make(rnd: SeededRandom): { r: Rig; images: GuardedImage[]; cdPositions: (0 | 1)[] };
}

function disk(sectors: number): GuardedImage {
  return new GuardedImage(new MemoryImage(sectors * 512));
}

function iso(bytes: number): GuardedImage {
  return new GuardedImage(new MemoryImage(bytes, { readOnly: true }));
}

const SETUPS: readonly Setup[] = [
  {
    name: 'disk master, CD-ROM slave with a medium',
    make: () => {
      const images = [disk(97), iso(40 * 2048)];
      return { r: rig({ master: { kind: 'disk', image: images[0]! }, slave: { kind: 'cdrom', image: images[1]! } }), images, cdPositions: [1] };
    },
  },
  {
    name: 'empty CD-ROM master, tiny disk slave',
    make: () => {
      const images = [disk(3)];
      return { r: rig({ master: { kind: 'cdrom' }, slave: { kind: 'disk', image: images[0]! } }), images, cdPositions: [0] };
    },
  },
  {
    name: 'CD-ROM whose image is not a whole number of blocks, alone',
    make: () => {
      const images = [iso(5 * 2048 + 700)];
      return { r: rig({ master: { kind: 'cdrom', image: images[0]! } }), images, cdPositions: [0] };
    },
  },
];

const DATA_COMMANDS = [
  Cmd.ReadSectors, Cmd.ReadSectorsExt, Cmd.ReadMultiple, Cmd.ReadMultipleExt, Cmd.WriteSectors, Cmd.WriteSectorsExt,
  Cmd.WriteMultiple, Cmd.WriteMultipleExt, Cmd.ReadVerifySectors, Cmd.ReadVerifySectorsExt, Cmd.Seek, Cmd.SetMultipleMode,
  Cmd.InitializeDeviceParameters, Cmd.IdentifyDevice, Cmd.IdentifyPacketDevice,
];
const BYTE_LIMITS = [0, 1, 2, 100, 2047, 2048, 4096, 0xfffe, 0xffff];

/** A plausible ATA command: device 0 or 1, LBA (or CHS) near the disk sizes used here, a small count. */
function plausibleAta(r: Rig, rnd: SeededRandom): void {
  const tb = r.tb;
  const dev = rnd.below(2);
  const lba = rnd.below(4) === 0 ? rnd.below(256) : rnd.below(110);
  const mode = rnd.below(3); // LBA28, CHS, LBA48 task file
  if (mode === 2) {
    tb.outb(P.count, 0);
    tb.outb(P.lbaLow, 0);
    tb.outb(P.lbaMid, 0);
    tb.outb(P.lbaHigh, 0);
  }
  tb.outb(P.features, rnd.below(8) === 0 ? rnd.below(256) : 0);
  tb.outb(P.count, rnd.below(6) === 0 ? rnd.below(256) : 1 + rnd.below(20));
  tb.outb(P.lbaLow, mode === 1 ? 1 + rnd.below(63) : lba & 0xff);
  tb.outb(P.lbaMid, mode === 1 ? rnd.below(3) : 0);
  tb.outb(P.lbaHigh, 0);
  tb.outb(P.device, (mode === 1 ? 0xa0 | rnd.below(16) : 0xe0) | (dev << 4));
  tb.outb(P.command, DATA_COMMANDS[rnd.below(DATA_COMMANDS.length)]!);
  tb.advance(rnd.below(2) === 0 ? 25_000 : rnd.below(30_000));
}

/** A PACKET command and, once the device asks for it, a plausible CDB (LBAs and lengths near the media sizes). */
function plausiblePacket(r: Rig, rnd: SeededRandom): void {
  const tb = r.tb;
  const limit = BYTE_LIMITS[rnd.below(BYTE_LIMITS.length)]!;
  tb.outb(P.device, rnd.below(2) << 4);
  tb.outb(P.features, rnd.below(10) === 0 ? 1 : 0);
  tb.outb(P.lbaMid, limit & 0xff);
  tb.outb(P.lbaHigh, limit >>> 8);
  tb.outb(P.command, Cmd.Packet);
  tb.advance(25_000);
  const cdb = new Array<number>(12).fill(0);
  cdb[0] = SCSI[rnd.below(SCSI.length)]!;
  cdb[1] = rnd.below(4) === 0 ? rnd.below(256) : rnd.below(4);
  cdb[2] = rnd.below(3) === 0 ? rnd.below(256) : [0x01, 0x0d, 0x0e, 0x2a, 0x3f, 0][rnd.below(6)]!;
  cdb[4] = rnd.below(3) === 0 ? rnd.below(256) : [0, 1, 2, 3, 8, 18, 36, 0x10][rnd.below(8)]!;
  cdb[5] = rnd.below(45);
  cdb[6] = rnd.below(3) === 0 ? rnd.below(256) : [0, 1, 2, 0xaa][rnd.below(4)]!;
  cdb[7] = rnd.below(4) === 0 ? rnd.below(256) : 0;
  cdb[8] = rnd.below(40);
  cdb[9] = rnd.below(4) === 0 ? rnd.below(256) : rnd.below(6);
  for (let i = 0; i < 12; i += 2) tb.outw(P.data, cdb[i]! | (cdb[i + 1]! << 8));
  tb.advance(rnd.below(2) === 0 ? 25_000 : rnd.below(30_000));
}

function step(r: Rig, rnd: SeededRandom, images: GuardedImage[], cds: (0 | 1)[]): void {
  const tb = r.tb;
  const op = rnd.below(100);
  if (op < 12) {
    tb.outb(P.data + 1 + rnd.below(6), rnd.below(256));
  } else if (op < 18) {
    tb.outb(P.command, rnd.below(4) === 0 ? rnd.below(256) : ATA_COMMANDS[rnd.below(ATA_COMMANDS.length)]!);
  } else if (op < 30) {
    plausibleAta(r, rnd);
  } else if (op < 42) {
    plausiblePacket(r, rnd);
  } else if (op < 45) {
    // a packet: 12 bytes with a plausible opcode and random fields, whatever the phase
    const cdb = Array.from({ length: 12 }, () => (rnd.below(3) === 0 ? 0 : rnd.below(256)));
    cdb[0] = SCSI[rnd.below(SCSI.length)]!;
    for (let i = 0; i < 12; i += 2) tb.outw(P.data, cdb[i]! | (cdb[i + 1]! << 8));
  } else if (op < 60) {
    const n = 1 + rnd.below(600);
    const w = rnd.below(3);
    for (let i = 0; i < n; i++) (w === 0 ? tb.inw(P.data) : w === 1 ? tb.inl(P.data) : tb.inb(P.data));
    if (rnd.below(2) === 0) tb.inb(P.status);
  } else if (op < 68) {
    const n = 1 + rnd.below(600);
    const w = rnd.below(3);
    for (let i = 0; i < n; i++) (w === 0 ? tb.outw(P.data, rnd.below(0x10000)) : w === 1 ? tb.outl(P.data, rnd.nextUint32()) : tb.outb(P.data, rnd.below(256)));
  } else if (op < 76) {
    tb.inb(P.data + rnd.below(8));
    tb.inb(P.altStatus);
    tb.inw(P.data + 1 + rnd.below(6));
    tb.inl(P.data + rnd.below(5));
  } else if (op < 80) {
    // Device Control: mostly nIEN/HOB; SRST asserted now and then, usually released again
    const v = rnd.below(256) & ~(rnd.below(6) === 0 ? 0 : 0x04);
    tb.outb(P.control, v);
    if (v & 0x04 && rnd.below(4) !== 0) tb.outb(P.control, v & ~0x04);
  } else if (op < 92) {
    tb.advance(rnd.below(8) === 0 ? rnd.below(10_000_000_000) : rnd.below(100_000));
  } else if (op < 96) {
    tb.outb(P.device, rnd.below(256));
  } else if (cds.length > 0) {
    const pos = cds[rnd.below(cds.length)]!;
    const what = rnd.below(3);
    if (what === 0) r.ch.ejectMedia(pos);
    else if (what === 1) r.ch.requestEject(pos);
    else {
      const img = iso(rnd.below(2) === 0 ? 30 * 2048 : 2048 * rnd.below(4) + rnd.below(2048));
      images.push(img);
      r.ch.insertMedia(pos, img);
    }
  }
}

/** SRST, then each present drive must answer IDENTIFY (PACKET) DEVICE with valid data. */
function recovers(r: Rig, kinds: readonly ('disk' | 'cdrom' | undefined)[]): void {
  const tb = r.tb;
  tb.outb(P.control, 0x04);
  tb.outb(P.control, 0x00);
  // Status answers for the selected device only (00h for an absent one): give the reset its time.
  tb.advance(1_000_000);
  for (let dev = 0; dev < 2; dev++) {
    const kind = kinds[dev];
    if (!kind) continue;
    tb.outb(P.device, dev << 4);
    const st = tb.inb(P.status);
    expect(st & (Status.BSY | Status.DRQ)).toBe(0);
    const res = pioIn(tb, kind === 'disk' ? Cmd.IdentifyDevice : Cmd.IdentifyPacketDevice, { device: dev << 4, features: 0 }, 1);
    expect(res.data.length).toBe(512);
    expect(res.data[510]).toBe(0xa5);
    expect(res.data.reduce((a, x) => a + x, 0) % 256).toBe(0);
    if (kind === 'disk') expect(issue(tb, Cmd.ReadVerifySectors, { count: 1, lbaLow: 0, lbaMid: 0, lbaHigh: 0, device: 0xe0 | (dev << 4) }) & Status.ERR).toBe(0);
  }
}

/** Sequences per setup (raise with DEV_IDE_FUZZ_SEQUENCES for a longer run). */
const SEQUENCES = Number(process.env.DEV_IDE_FUZZ_SEQUENCES ?? 50);
const STEPS = 250;

describe('guest-side fuzz', () => {
  for (const [index, setup] of SETUPS.entries()) {
    it(`${setup.name}: ${SEQUENCES} sequences of ${STEPS} random guest operations never throw, stay inside images and buffers, and SRST recovers`, () => {
      let sequences = 0;
      for (let seq = 0; seq < SEQUENCES; seq++) {
        const rnd = new SeededRandom(0x1de0000 + index * 10_000 + seq);
        const { r, images, cdPositions } = setup.make(rnd);
        for (let s = 0; s < STEPS; s++) {
          step(r, rnd, images, cdPositions);
          for (const d of r.ch.state.drives)
            if (!(d.pos >= 0 && d.pos <= d.end && d.end <= BUFFER_SIZE && d.replyPos <= d.replyEnd && d.replyEnd <= BUFFER_SIZE))
              expect.fail(`seed ${seq} step ${s}: buffer positions ${d.pos}/${d.end}, reply ${d.replyPos}/${d.replyEnd}`);
        }
        validate(channelDescriptor, r.ch.saveState());
        saveSection(channelDescriptor, r.ch.saveState(), { now: r.tb.clock.now });
        for (const img of images) expect(img.violations).toEqual([]);
        // put a medium back where the fuzz took it out, so IDENTIFY PACKET and friends have a full drive to talk to
        const kinds = r.ch.state.drives.map((d) => (d.kind === 1 ? 'disk' : d.kind === 2 ? 'cdrom' : undefined));
        recovers(r, kinds);
        sequences++;
      }
      console.log(`dev-ide fuzz (${setup.name}): ${sequences} sequences x ${STEPS} operations`);
      expect(sequences).toBe(SEQUENCES);
    }, Math.max(60_000, SEQUENCES * 2_000)); // a shared 2-core machine runs about 4 sequences a second
  }
});

describe('determinism', () => {
  it('the same seed gives a bit-identical saved state (timers as offsets from virtual now)', () => {
    const run = (): Uint8Array => {
      const rnd = new SeededRandom(424242);
      const { r, images, cdPositions } = SETUPS[0]!.make(rnd);
      for (let s = 0; s < 2000; s++) step(r, rnd, images, cdPositions);
      return saveSection(channelDescriptor, r.ch.saveState(), { now: r.tb.clock.now });
    };
    const a = run();
    const b = run();
    expect(Buffer.compare(a, b)).toBe(0);
  });
});
