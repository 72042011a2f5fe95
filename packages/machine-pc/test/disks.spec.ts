// The machine stream refers to its disks and carries their overlays (machine-pc issue): a guest
// writes its hard disk through INT 13h; the writes land in a copy-on-write overlay, the base
// image stays untouched; a machine loaded from the stream in place of the first, over the same
// base image, reads what the guest wrote. A stream is refused, naming the drive, when the
// images attached to the loading machine are not the ones it was saved with.
import { MemoryImage, OverlayImage } from '@backplane/block';
import { SectionMismatchError, ValidationError } from '@backplane/vmstate';
import { describe, expect, it } from 'vitest';
import { MachineStateError } from '../src/errors';
import { PcMachine } from '../src/Machine';

/**
 * A boot sector (8086 code, hand-assembled; Intel SDM opcode tables) that writes itself to
 * sector 2 of the first hard disk through INT 13h AH=03h, then halts:
 *   31 C0     xor ax, ax
 *   8E C0     mov es, ax
 *   BB 00 7C  mov bx, 7C00h        ; ES:BX = the boot sector in memory
 *   B8 01 03  mov ax, 0301h        ; write one sector
 *   B9 02 00  mov cx, 0002h        ; cylinder 0, sector 2
 *   BA 80 00  mov dx, 0080h        ; head 0, drive 80h
 *   CD 13     int 13h
 *   FA F4     cli ; hlt
 */
const MARKER = 'written by the guest through INT 13h';
function writerFloppy(): MemoryImage {
  const image = new Uint8Array(1_474_560);
  image.set([0x31, 0xc0, 0x8e, 0xc0, 0xbb, 0x00, 0x7c, 0xb8, 0x01, 0x03, 0xb9, 0x02, 0x00, 0xba, 0x80, 0x00, 0xcd, 0x13, 0xfa, 0xf4]);
  image.set(Buffer.from(MARKER, 'latin1'), 0x40);
  image[510] = 0x55;
  image[511] = 0xaa;
  return new MemoryImage(image);
}

/** A 10 MB hard disk base image whose sectors hold their own number. */
function baseDisk(): MemoryImage {
  const bytes = new Uint8Array(16 * 63 * 20 * 512);
  for (let s = 0; s < bytes.length / 512; s++) bytes[s * 512] = s & 0xff;
  return new MemoryImage(bytes);
}

async function bytesOf(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

const sector = (d: { read(o: number, b: Uint8Array): void }, n: number) => {
  const b = new Uint8Array(512);
  d.read(n * 512, b);
  return Buffer.from(b);
};

const START = Date.UTC(2026, 10, 28, 12, 0, 0);

async function guestWrites(): Promise<{ base: MemoryImage; overlay: OverlayImage; stream: Uint8Array }> {
  const base = baseDisk();
  const overlay = new OverlayImage(base);
  const m = new PcMachine({ fda: writerFloppy(), hda: overlay, startTime: START });
  expect(m.run({ maxInstructions: 20_000_000 }).reason).toBe('halted');
  return { base, overlay, stream: await bytesOf(m.save()) };
}

describe('disk overlays in the machine stream (pc-1.1)', () => {
  it('the guest\'s writes reach the overlay, not the base image, and travel in the stream to a fresh machine over the same base', async () => {
    const { base, overlay, stream } = await guestWrites();
    expect(sector(overlay, 1).toString('latin1', 0x40, 0x40 + MARKER.length)).toBe(MARKER);
    expect(sector(base, 1)[0]).toBe(1); // untouched
    const fresh = new OverlayImage(base);
    const m = new PcMachine({ fda: writerFloppy(), hda: fresh, startTime: START });
    await m.load(stream);
    expect(sector(fresh, 1).equals(sector(overlay, 1))).toBe(true);
    expect(sector(fresh, 2)[0]).toBe(2);
    expect(fresh.dirtyClusters).toBe(overlay.dirtyClusters);
  });

  it('refuses a stream whose disk is not the attached one, naming the drive, and changes nothing', async () => {
    const { stream } = await guestWrites();
    const other = baseDisk();
    other.write(0, new Uint8Array(512).fill(0xee)); // a different image of the same size
    const fresh = new OverlayImage(other);
    const m = new PcMachine({ fda: writerFloppy(), hda: fresh, startTime: START });
    const before = await bytesOf(m.save());
    await expect(m.load(stream)).rejects.toThrow(ValidationError);
    await expect(m.load(stream)).rejects.toThrow(/disk hda: the image attached here is not the one the stream was saved with/);
    expect(fresh.dirtyClusters).toBe(0);
    expect(Buffer.from(await bytesOf(m.save())).equals(Buffer.from(before))).toBe(true);
  });

  it('refuses a stream saved with a hard disk in a machine without one, and the other way round', async () => {
    const { stream } = await guestWrites();
    const none = new PcMachine({ fda: writerFloppy(), startTime: START });
    await expect(none.load(stream)).rejects.toThrow(/disk hda: the stream was saved with an image of 10321920 bytes here; this machine has none/);
    const plain = new PcMachine({ fda: writerFloppy(), startTime: START });
    plain.run({ maxInstructions: 1_000_000 });
    const extra = new PcMachine({ fda: writerFloppy(), hda: new OverlayImage(baseDisk()), startTime: START });
    await expect(extra.load(await bytesOf(plain.save()))).rejects.toThrow(/disk hda: this machine has an image here; the stream was saved without one/);
  });

  it('an overlay stream into a drive that writes straight to its image is refused (the writes would have nowhere to go)', async () => {
    const { base, stream } = await guestWrites();
    const m = new PcMachine({ fda: writerFloppy(), hda: base, startTime: START });
    await expect(m.load(stream)).rejects.toThrow(/disk hda: the stream carries an overlay of guest writes, but this drive writes straight to its image/);
  });
});

describe('pc-1.0 streams carry no disks (as the first release)', () => {
  it('a pc-1.0 machine whose guest wrote to an overlay refuses to save rather than drop the writes', async () => {
    const m = new PcMachine({ type: 'pc-1.0', fda: writerFloppy(), hda: new OverlayImage(baseDisk()), startTime: START });
    expect(m.run({ maxInstructions: 20_000_000 }).reason).toBe('halted');
    expect(() => m.save()).toThrow(MachineStateError);
    expect(() => m.save()).toThrow(/pc-1\.0 cannot carry disk overlays.*1 cluster/);
  });

  it('a pc-1.1 stream does not load into pc-1.0', async () => {
    const { stream } = await guestWrites();
    const m = new PcMachine({ type: 'pc-1.0', fda: writerFloppy(), hda: new OverlayImage(baseDisk()), startTime: START });
    await expect(m.load(stream)).rejects.toThrow(SectionMismatchError);
  });
});
