// The channel's registers (ATA/ATAPI-6 clause 7) and protocols that are not a single command:
// device selection, HOB, Device Control (nIEN, SRST), alternate status, data port widths.
import { MemoryImage } from '@backplane/block';
import { describe, expect, it } from 'vitest';
import { P, issue, lba28, patternedCopy, patternedDisk, readData, rig, waitNotBusy } from '../test/helpers';
import { Cmd, Status } from './registers';

const disk = () => ({ kind: 'disk' as const, image: patternedCopy(2048) });

describe('PC resources', () => {
  it('claims 0x1F0-0x1F7 and 0x3F6 on the primary channel, and leaves 0x3F7 (the floppy DIR) alone', () => {
    const { tb } = rig({ master: disk() });
    for (let p = 0x1f0; p <= 0x1f7; p++) expect(tb.io.owner(p)).toBe('ide0');
    expect(tb.io.owner(0x3f6)).toBe('ide0.control');
    expect(tb.io.owner(0x3f7)).toBeUndefined();
  });
});

describe('task file registers', () => {
  it('read back what was written (Sector Count, LBA Low/Mid/High, Device)', () => {
    const { tb } = rig({ master: disk() });
    tb.outb(P.count, 0x55);
    tb.outb(P.lbaLow, 0xaa);
    tb.outb(P.lbaMid, 0x12);
    tb.outb(P.lbaHigh, 0x34);
    tb.outb(P.device, 0xe5);
    expect([tb.inb(P.count), tb.inb(P.lbaLow), tb.inb(P.lbaMid), tb.inb(P.lbaHigh), tb.inb(P.device)]).toEqual([0x55, 0xaa, 0x12, 0x34, 0xe5]);
  });

  it('are two deep: with HOB set in Device Control, reads return the previously written byte (48-bit feature set)', () => {
    const { tb } = rig({ master: disk() });
    for (const [port, first, second] of [
      [P.count, 0x01, 0x02],
      [P.lbaLow, 0x11, 0x12],
      [P.lbaMid, 0x21, 0x22],
      [P.lbaHigh, 0x31, 0x32],
    ] as const) {
      tb.outb(port, first);
      tb.outb(port, second);
    }
    expect(tb.inb(P.lbaLow)).toBe(0x12);
    tb.outb(P.control, 0x80);
    expect([tb.inb(P.count), tb.inb(P.lbaLow), tb.inb(P.lbaMid), tb.inb(P.lbaHigh)]).toEqual([0x01, 0x11, 0x21, 0x31]);
  });

  it('a write to any command block register clears HOB (ATA-6 7.9)', () => {
    const { tb, ch } = rig({ master: disk() });
    tb.outb(P.lbaLow, 0x11);
    tb.outb(P.lbaLow, 0x12);
    tb.outb(P.control, 0x80);
    tb.outb(P.count, 5);
    expect(ch.state.control & 0x80).toBe(0);
    expect(tb.inb(P.lbaLow)).toBe(0x12);
  });
});

describe('device selection', () => {
  it('an absent device 1 reads 00h as status and alternate status, and ignores commands (ATA-6 9.16.1)', () => {
    const { tb } = rig({ master: disk() });
    tb.outb(P.device, 0xb0);
    expect(tb.inb(P.status)).toBe(0);
    expect(tb.inb(P.altStatus)).toBe(0);
    tb.outb(P.command, Cmd.IdentifyDevice);
    tb.advance(1_000_000);
    expect(tb.inb(P.status)).toBe(0);
    tb.outb(P.device, 0xa0);
    expect(tb.inb(P.status)).toBe(Status.DRDY | Status.DSC);
  });

  it('each device keeps its own status: a command to device 1 leaves device 0 untouched', () => {
    const { tb } = rig({ master: disk(), slave: disk() });
    tb.outb(P.device, 0xb0);
    issue(tb, 0xff);
    expect(tb.inb(P.status) & Status.ERR).toBe(Status.ERR);
    tb.outb(P.device, 0xa0);
    expect(tb.inb(P.status) & Status.ERR).toBe(0);
  });

  it('a channel without devices floats: status 7Fh (DD7 pulled down), other registers FFh', () => {
    const { tb } = rig({});
    expect(tb.inb(P.status)).toBe(0x7f);
    expect(tb.inb(P.altStatus)).toBe(0x7f);
    tb.outb(P.count, 0x55);
    expect(tb.inb(P.count)).toBe(0xff);
  });
});

describe('interrupts (INTRQ) and nIEN', () => {
  it('a command completion asserts IRQ 14; reading Status clears it, reading Alternate Status does not', () => {
    const { tb } = rig({ master: disk() });
    const irq = tb.irq(14);
    issue(tb, Cmd.CheckPowerMode);
    expect(irq.level).toBe(true);
    tb.inb(P.altStatus);
    expect(irq.level).toBe(true);
    tb.inb(P.status);
    expect(irq.level).toBe(false);
  });

  it('nIEN keeps INTRQ deasserted; clearing it shows the pending interrupt', () => {
    const { tb } = rig({ master: disk() });
    const irq = tb.irq(14);
    tb.outb(P.control, 0x02);
    issue(tb, Cmd.CheckPowerMode);
    expect(irq.level).toBe(false);
    tb.outb(P.control, 0x00);
    expect(irq.level).toBe(true);
  });

  it('only the selected device drives INTRQ', () => {
    const { tb } = rig({ master: disk(), slave: disk() });
    const irq = tb.irq(14);
    issue(tb, Cmd.CheckPowerMode, { device: 0xa0 });
    expect(irq.level).toBe(true);
    tb.outb(P.device, 0xb0);
    expect(irq.level).toBe(false);
    tb.outb(P.device, 0xa0);
    expect(irq.level).toBe(true);
  });

  it('the secondary channel uses 0x170-0x177, 0x376 and IRQ 15', async () => {
    const { createTestBench } = await import('@backplane/bus/testing');
    const { ideSecondaryModule } = await import('./module');
    const tb = createTestBench([ideSecondaryModule({ master: disk() })]);
    const irq = tb.irq(15);
    tb.outb(0x176, 0xa0);
    tb.outb(0x177, Cmd.CheckPowerMode);
    waitNotBusy(tb, 0x376);
    expect(irq.level).toBe(true);
    expect(tb.inb(0x177)).toBe(Status.DRDY | Status.DSC);
    expect(irq.level).toBe(false);
  });
});

describe('SRST (software reset)', () => {
  it('sets BSY while held; after release both devices post the signature and diagnostic code 01h without an interrupt (ATA-6 9.12)', () => {
    const cd = { kind: 'cdrom' as const };
    const { tb } = rig({ master: disk(), slave: cd });
    const irq = tb.irq(14);
    tb.outb(P.count, 0x33);
    tb.outb(P.device, 0xb0);
    tb.outb(P.control, 0x04);
    expect(tb.inb(P.altStatus) & Status.BSY).toBe(Status.BSY);
    tb.advance(1_000_000);
    expect(tb.inb(P.altStatus) & Status.BSY).toBe(Status.BSY);
    tb.outb(P.control, 0x00);
    waitNotBusy(tb);
    expect(irq.rises).toBe(0);
    // Device register is 00h after reset: device 0 is selected.
    expect(tb.inb(P.device)).toBe(0);
    expect([tb.inb(P.count), tb.inb(P.lbaLow), tb.inb(P.lbaMid), tb.inb(P.lbaHigh)]).toEqual([1, 1, 0x00, 0x00]);
    expect(tb.inb(P.error)).toBe(0x01);
    expect(tb.inb(P.status)).toBe(Status.DRDY | Status.DSC);
    tb.outb(P.device, 0x10);
    expect([tb.inb(P.count), tb.inb(P.lbaLow), tb.inb(P.lbaMid), tb.inb(P.lbaHigh)]).toEqual([1, 1, 0x14, 0xeb]);
    expect(tb.inb(P.error)).toBe(0x01);
    expect(tb.inb(P.status)).toBe(0x00); // packet device: DRDY clear after reset
  });

  it('the registers of an absent device 1 read back 01h/01h/FFh/FFh after the reset, unlike any device signature', () => {
    const { tb } = rig({ master: disk() });
    tb.outb(P.count, 0x55);
    tb.outb(P.lbaLow, 0xaa);
    tb.outb(P.control, 0x04);
    tb.outb(P.control, 0x00);
    tb.advance(1_000_000);
    tb.outb(P.device, 0xb0);
    expect([tb.inb(P.count), tb.inb(P.lbaLow), tb.inb(P.lbaMid), tb.inb(P.lbaHigh)]).toEqual([1, 1, 0xff, 0xff]);
    expect(tb.inb(P.status)).toBe(0);
  });

  it('abandons a transfer in progress', () => {
    const { tb } = rig({ master: disk() });
    issue(tb, Cmd.ReadSectors, lba28(0, 4));
    expect(tb.inb(P.status) & Status.DRQ).toBe(Status.DRQ);
    tb.outb(P.control, 0x04);
    tb.outb(P.control, 0x00);
    expect(waitNotBusy(tb) & Status.DRQ).toBe(0);
    expect(tb.inw(P.data)).toBe(0xffff);
  });
});

describe('data port widths', () => {
  it('16-bit, 32-bit and 8-bit reads deliver the same sector bytes in order', () => {
    const image = patternedDisk(64);
    const expected = image.bytes.subarray(512 * 9, 512 * 10);
    const { tb } = rig({ master: { kind: 'disk', image } });
    issue(tb, Cmd.ReadSectors, lba28(9, 1));
    expect(readData(tb, 512, 16)).toEqual(expected);
    issue(tb, Cmd.ReadSectors, lba28(9, 1));
    expect(readData(tb, 512, 32)).toEqual(expected);
    issue(tb, Cmd.ReadSectors, lba28(9, 1));
    const bytes = new Uint8Array(512);
    for (let i = 0; i < 512; i++) bytes[i] = tb.inb(P.data);
    expect(bytes).toEqual(expected);
    expect(tb.inb(P.status) & Status.DRQ).toBe(0);
  });

  it('32-bit writes land as two little-endian words', () => {
    const image = new MemoryImage(64 * 512);
    const { tb } = rig({ master: { kind: 'disk', image } });
    issue(tb, Cmd.WriteSectors, lba28(3, 1));
    for (let i = 0; i < 128; i++) tb.outl(P.data, 0x04030201 + i);
    waitNotBusy(tb);
    expect(Array.from(image.bytes.subarray(3 * 512, 3 * 512 + 8))).toEqual([1, 2, 3, 4, 2, 2, 3, 4]);
  });

  it('reading the data port without DRQ returns all ones and changes nothing', () => {
    const { tb } = rig({ master: disk() });
    expect(tb.inw(P.data)).toBe(0xffff);
    expect(tb.inl(P.data)).toBe(0xffffffff);
    expect(tb.inb(P.status)).toBe(Status.DRDY | Status.DSC);
  });
});

describe('hardware reset (RESET-)', () => {
  it('brings both devices to their power-on state: signature, multiple mode off, default geometry, no pending interrupt', () => {
    const { tb } = rig({ master: disk() });
    const irq = tb.irq(14);
    issue(tb, Cmd.SetMultipleMode, { count: 8, device: 0xa0 });
    issue(tb, Cmd.InitializeDeviceParameters, { count: 17, device: 0xa3 });
    issue(tb, Cmd.ReadSectors, lba28(5, 3));
    expect(irq.level).toBe(true);
    tb.bus.reset();
    expect(irq.level).toBe(false);
    expect(tb.inb(P.status)).toBe(Status.DRDY | Status.DSC);
    expect([tb.inb(P.count), tb.inb(P.lbaLow), tb.inb(P.lbaMid), tb.inb(P.lbaHigh), tb.inb(P.error)]).toEqual([1, 1, 0, 0, 1]);
    issue(tb, Cmd.IdentifyDevice, { device: 0xa0 });
    const id = readData(tb, 512);
    const w = (n: number) => id[2 * n]! | (id[2 * n + 1]! << 8);
    expect(w(59) & 0x100).toBe(0);
    expect([w(54), w(55), w(56)]).toEqual([w(1), w(3), w(6)]);
    expect(issue(tb, Cmd.ReadMultiple, lba28(0, 1)) & Status.ERR).toBe(Status.ERR);
  });
});

describe('host configuration errors', () => {
  it('a disk image that is not a whole number of sectors is an IdeConfigError naming the drive', async () => {
    const { IdeConfigError } = await import('./errors');
    expect(() => rig({ master: { kind: 'disk', image: new MemoryImage(1000) } })).toThrow(IdeConfigError);
    expect(() => rig({ master: { kind: 'disk', image: new MemoryImage(1000) } })).toThrow(/ide0-master/);
  });

  it('media operations on a position without a CD-ROM drive are refused', async () => {
    const { IdeConfigError } = await import('./errors');
    const { ch } = rig({ master: disk() });
    expect(() => ch.insertMedia(0, new MemoryImage(2048))).toThrow(IdeConfigError);
    expect(() => ch.ejectMedia(1)).toThrow(IdeConfigError);
  });
});
