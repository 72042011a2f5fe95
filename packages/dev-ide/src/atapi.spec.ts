// The ATAPI CD-ROM drive: the PACKET protocol (ATA/ATAPI-6 9.10), IDENTIFY PACKET DEVICE, and one
// describe per SCSI/MMC command (SPC-3, MMC-2, SFF-8020i), through the ports.
import { MemoryImage } from '@backplane/block';
import { describe, expect, it } from 'vitest';
import { P, firstDifference, issue, packet, pioIn, rig, waitNotBusy, words } from '../test/helpers';
import { Cmd, ErrorBit, InterruptReason, Status } from './registers';

const BLOCKS = 300;

function cdImage(blocks = BLOCKS): MemoryImage {
  const img = new MemoryImage(blocks * 2048, { readOnly: true });
  for (let b = 0; b < blocks; b++) for (let k = 0; k < 2048; k++) img.bytes[b * 2048 + k] = (b * 31 + k * 7 + (k >> 8)) & 0xff;
  return img;
}

function cdRig(image: MemoryImage | null = cdImage()) {
  const r = rig({ master: { kind: 'cdrom', image: image ?? undefined, model: 'TEST CDROM', firmware: 'R1' } });
  return { ...r, image };
}

/** REQUEST SENSE: [sense key, ASC, ASCQ]. */
function sense(tb: ReturnType<typeof rig>['tb']): [number, number, number] {
  const r = packet(tb, [0x03, 0, 0, 0, 18]);
  return [r.data[2]! & 0x0f, r.data[12]!, r.data[13]!];
}

/** A drive past its power-on unit attention. */
function readyRig(image: MemoryImage | null = cdImage()) {
  const r = cdRig(image);
  sense(r.tb);
  return r;
}

const read10 = (lba: number, blocks: number) => [0x28, 0, lba >>> 24, (lba >>> 16) & 0xff, (lba >>> 8) & 0xff, lba & 0xff, 0, blocks >>> 8, blocks & 0xff, 0, 0, 0];

describe('signature and IDENTIFY PACKET DEVICE (A1h)', () => {
  it('after power-on the registers hold the packet signature (LBA Mid 14h, High EBh) and status is 00h', () => {
    const { tb } = cdRig();
    expect([tb.inb(P.count), tb.inb(P.lbaLow), tb.inb(P.lbaMid), tb.inb(P.lbaHigh)]).toEqual([1, 1, 0x14, 0xeb]);
    expect(tb.inb(P.status)).toBe(0);
  });

  it('word 0: packet device (bits 15-14 = 10b), CD-ROM (12-8 = 05h), removable, 12-byte packets; word 82 bit 4 PACKET; checksum', () => {
    const { tb } = cdRig();
    const r = pioIn(tb, Cmd.IdentifyPacketDevice, { device: 0xa0 }, 1);
    const w = words(r.data);
    expect(w[0]! >>> 14).toBe(2);
    expect((w[0]! >>> 8) & 0x1f).toBe(5);
    expect(w[0]! & 0x80).toBe(0x80);
    expect(w[0]! & 3).toBe(0);
    expect(w[82]! & 0x10).toBe(0x10);
    expect(w[49]! & 0x200).toBe(0x200);
    expect(r.data[510]).toBe(0xa5);
    expect(r.data.reduce((a, x) => a + x, 0) % 256).toBe(0);
    let model = '';
    for (let i = 54; i < 94; i += 2) model += String.fromCharCode(r.data[i + 1]!, r.data[i]!);
    expect(model.trimEnd()).toBe('TEST CDROM');
    expect(r.status & Status.DRDY).toBe(Status.DRDY);
  });

  it('ATA commands a packet device does not implement are aborted (READ SECTORS also posts the signature)', () => {
    const { tb } = cdRig();
    const st = issue(tb, Cmd.ReadSectors, { count: 1, lbaLow: 0, lbaMid: 0, lbaHigh: 0, device: 0xe0 });
    expect(st & Status.ERR).toBe(Status.ERR);
    expect(tb.inb(P.error)).toBe(ErrorBit.ABRT);
    expect([tb.inb(P.lbaMid), tb.inb(P.lbaHigh)]).toEqual([0x14, 0xeb]);
    expect(issue(tb, Cmd.WriteSectors, { device: 0xe0 }) & Status.ERR).toBe(Status.ERR);
  });
});

describe('PACKET (A0h)', () => {
  it('asks for the packet with DRQ, Interrupt Reason CoD = 1 and IO = 0, and no interrupt', () => {
    const { tb } = readyRig();
    const irq = tb.irq(14);
    tb.inb(P.status);
    irq.clear();
    tb.outb(P.features, 0);
    tb.outb(P.lbaMid, 0);
    tb.outb(P.lbaHigh, 0x08);
    tb.outb(P.command, Cmd.Packet);
    const st = waitNotBusy(tb);
    expect(st & (Status.DRQ | Status.BSY)).toBe(Status.DRQ);
    expect(tb.inb(P.count) & 3).toBe(InterruptReason.CoD);
    expect(irq.rises).toBe(0);
  });

  it('aborts the DMA (Features bit 0) and overlap (bit 1) variants, which the drive does not offer', () => {
    const { tb } = readyRig();
    for (const f of [1, 2]) {
      const st = issue(tb, Cmd.Packet, { features: f, lbaMid: 0, lbaHigh: 8, device: 0xa0 });
      expect(st & Status.ERR).toBe(Status.ERR);
      expect(tb.inb(P.error) & ErrorBit.ABRT).toBe(ErrorBit.ABRT);
    }
  });

  it('a completed command ends with Interrupt Reason IO = 1, CoD = 1, DRDY, and an interrupt', () => {
    const { tb } = readyRig();
    const irq = tb.irq(14);
    const r = packet(tb, [0x00]);
    expect(r.reason & 3).toBe(InterruptReason.IO | InterruptReason.CoD);
    expect(r.status).toBe(Status.DRDY);
    expect(irq.rises).toBeGreaterThan(0);
  });

  it('an unknown operation code: CHECK CONDITION, ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE (20h), sense key in Error bits 7-4', () => {
    const { tb } = readyRig();
    const r = packet(tb, [0xff]);
    expect(r.status & Status.ERR).toBe(Status.ERR);
    expect(r.error >>> 4).toBe(0x5);
    expect(sense(tb)).toEqual([0x5, 0x20, 0x00]);
  });
});

describe('TEST UNIT READY (00h)', () => {
  it('reports the power-on unit attention (29h) once, then GOOD', () => {
    const { tb } = cdRig();
    const first = packet(tb, [0x00]);
    expect(first.status & Status.ERR).toBe(Status.ERR);
    expect(first.error >>> 4).toBe(0x6);
    expect(sense(tb)).toEqual([0x6, 0x29, 0x00]);
    expect(packet(tb, [0x00]).status & Status.ERR).toBe(0);
  });

  it('without a medium: NOT READY, MEDIUM NOT PRESENT (3Ah)', () => {
    const { tb } = readyRig(null);
    expect(packet(tb, [0x00]).error >>> 4).toBe(0x2);
    expect(sense(tb)).toEqual([0x2, 0x3a, 0x00]);
  });
});

describe('REQUEST SENSE (03h)', () => {
  it('returns fixed-format sense data (70h, key, additional length 10, ASC, ASCQ) and clears it', () => {
    const { tb } = readyRig(null);
    packet(tb, [0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const r = packet(tb, [0x03, 0, 0, 0, 18]);
    expect(r.data.length).toBe(18);
    expect(r.data[0]).toBe(0x70);
    expect(r.data[2]).toBe(0x02);
    expect(r.data[7]).toBe(10);
    expect([r.data[12], r.data[13]]).toEqual([0x3a, 0x00]);
    expect(sense(tb)).toEqual([0, 0, 0]);
  });

  it('returns no more than the allocation length', () => {
    const { tb } = readyRig();
    expect(packet(tb, [0x03, 0, 0, 0, 8]).data.length).toBe(8);
    const none = packet(tb, [0x03, 0, 0, 0, 0]);
    expect(none.data.length).toBe(0);
    expect(none.status & Status.ERR).toBe(0);
  });
});

describe('INQUIRY (12h)', () => {
  it('answers even with a unit attention pending: type 05h (CD/DVD), removable, vendor/product/revision strings', () => {
    const { tb } = cdRig();
    const r = packet(tb, [0x12, 0, 0, 0, 36]);
    expect(r.status & Status.ERR).toBe(0);
    expect(r.data.length).toBe(36);
    expect(r.data[0]! & 0x1f).toBe(0x05);
    expect(r.data[1]! & 0x80).toBe(0x80);
    expect(r.data[4]).toBe(31);
    expect(Buffer.from(r.data.subarray(16, 32)).toString('latin1').trimEnd()).toBe('TEST CDROM');
    // The unit attention is still there for the next command.
    expect(packet(tb, [0x00]).error >>> 4).toBe(0x6);
  });

  it('honours the allocation length and refuses EVPD (no vital product data pages): INVALID FIELD IN CDB (24h)', () => {
    const { tb } = readyRig();
    expect(packet(tb, [0x12, 0, 0, 0, 5]).data.length).toBe(5);
    expect(packet(tb, [0x12, 1, 0x80, 0, 36]).status & Status.ERR).toBe(Status.ERR);
    expect(sense(tb)).toEqual([0x5, 0x24, 0]);
  });
});

describe('READ CAPACITY (25h)', () => {
  it('returns the last block address and the block length 2048, big-endian', () => {
    const { tb } = readyRig();
    const r = packet(tb, [0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const v = Buffer.from(r.data);
    expect(v.readUInt32BE(0)).toBe(BLOCKS - 1);
    expect(v.readUInt32BE(4)).toBe(2048);
  });
});

describe('READ(10) (28h)', () => {
  it('returns the blocks, chunked by the byte count limit in whole blocks', () => {
    const { tb, image } = readyRig();
    const r = packet(tb, read10(17, 5), 4096);
    expect(r.chunks).toEqual([4096, 4096, 2048]);
    expect(firstDifference(r.data, image!.bytes.subarray(17 * 2048, 22 * 2048))).toBe(-1);
    expect(r.status).toBe(Status.DRDY);
  });

  it('with a byte count limit below one block, sends chunks of the limit (rounded to even)', () => {
    const { tb, image } = readyRig();
    const r = packet(tb, read10(3, 1), 1001);
    expect(r.chunks).toEqual([1000, 1000, 48]);
    expect(firstDifference(r.data, image!.bytes.subarray(3 * 2048, 4 * 2048))).toBe(-1);
  });

  it('signals each chunk with DRQ, IO = 1, CoD = 0, the byte count in LBA Mid/High, and an interrupt', () => {
    const { tb } = readyRig();
    tb.outb(P.lbaMid, 0x00);
    tb.outb(P.lbaHigh, 0x08);
    tb.outb(P.command, Cmd.Packet);
    waitNotBusy(tb);
    for (const b of read10(0, 2)) void b;
    const cdb = read10(0, 2);
    for (let i = 0; i < 12; i += 2) tb.outw(P.data, cdb[i]! | (cdb[i + 1]! << 8));
    const irq = tb.irq(14);
    irq.clear();
    waitNotBusy(tb);
    expect(irq.level).toBe(true);
    expect(tb.inb(P.count) & 3).toBe(InterruptReason.IO);
    expect(tb.inb(P.lbaMid) | (tb.inb(P.lbaHigh) << 8)).toBe(2048);
  });

  it('a transfer length of 0 completes without data', () => {
    const { tb } = readyRig();
    const r = packet(tb, read10(5, 0));
    expect(r.data.length).toBe(0);
    expect(r.status).toBe(Status.DRDY);
  });

  it('beyond the last block: ILLEGAL REQUEST, LOGICAL BLOCK ADDRESS OUT OF RANGE (21h)', () => {
    const { tb } = readyRig();
    expect(packet(tb, read10(BLOCKS - 1, 2)).status & Status.ERR).toBe(Status.ERR);
    expect(sense(tb)).toEqual([0x5, 0x21, 0]);
    expect(packet(tb, read10(0xffffffff, 1)).status & Status.ERR).toBe(Status.ERR);
  });

  it('without a medium: NOT READY (3Ah)', () => {
    const { tb } = readyRig(null);
    expect(packet(tb, read10(0, 1)).error >>> 4).toBe(0x2);
  });
});

describe('READ(12) (A8h)', () => {
  it('takes a 32-bit transfer length in bytes 6-9', () => {
    const { tb, image } = readyRig();
    const r = packet(tb, [0xa8, 0, 0, 0, 0, 40, 0, 0, 0, 3, 0, 0]);
    expect(firstDifference(r.data, image!.bytes.subarray(40 * 2048, 43 * 2048))).toBe(-1);
  });
});

describe('MODE SENSE(10) (5Ah)', () => {
  const modeSense = (tb: ReturnType<typeof rig>['tb'], pcPage: number, alloc = 0x100) => packet(tb, [0x5a, 0, pcPage, 0, 0, 0, 0, alloc >>> 8, alloc & 0xff, 0]);

  it('page 2Ah (capabilities and mechanical status): header with the mode data length, then the page', () => {
    const { tb } = readyRig();
    const r = modeSense(tb, 0x2a);
    const len = (r.data[0]! << 8) | r.data[1]!;
    expect(len).toBe(r.data.length - 2);
    expect((r.data[6]! << 8) | r.data[7]!).toBe(0); // no block descriptors
    expect(r.data[8]! & 0x3f).toBe(0x2a);
    expect(r.data[9]).toBe(r.data.length - 10);
    expect(r.data[8 + 6]! & 0x08).toBe(0x08); // eject supported
  });

  it('page 01h, 0Dh, 0Eh each, and 3Fh returns all of them', () => {
    const { tb } = readyRig();
    const pages: number[] = [];
    for (const p of [0x01, 0x0d, 0x0e]) {
      const r = modeSense(tb, p);
      expect(r.data[8]! & 0x3f).toBe(p);
      pages.push(r.data.length - 8);
    }
    const all = modeSense(tb, 0x3f);
    const seen: number[] = [];
    for (let i = 8; i < all.data.length; i += all.data[i + 1]! + 2) seen.push(all.data[i]! & 0x3f);
    expect(seen).toEqual([0x01, 0x0d, 0x0e, 0x2a]);
  });

  it('cuts at the allocation length; saved values (PC 11b) are not supported (39h); an unknown page is INVALID FIELD (24h)', () => {
    const { tb } = readyRig();
    expect(modeSense(tb, 0x2a, 8).data.length).toBe(8);
    expect(modeSense(tb, 0xc0 | 0x2a).status & Status.ERR).toBe(Status.ERR);
    expect(sense(tb)).toEqual([0x5, 0x39, 0]);
    modeSense(tb, 0x05);
    expect(sense(tb)).toEqual([0x5, 0x24, 0]);
  });
});

describe('START STOP UNIT (1Bh)', () => {
  it('LoEj with Start = 0 ejects (then NOT READY); LoEj with Start = 1 loads (then a unit attention 28h)', () => {
    const { tb, ch } = readyRig();
    expect(packet(tb, [0x1b, 0, 0, 0, 0x02]).status & Status.ERR).toBe(0);
    expect(ch.trayOpen(0)).toBe(true);
    packet(tb, [0x00]);
    expect(sense(tb)).toEqual([0x2, 0x3a, 0]);
    packet(tb, [0x1b, 0, 0, 0, 0x03]);
    expect(ch.trayOpen(0)).toBe(false);
    packet(tb, [0x00]);
    expect(sense(tb)).toEqual([0x6, 0x28, 0]);
    expect(packet(tb, [0x00]).status & Status.ERR).toBe(0);
  });
});

describe('PREVENT ALLOW MEDIUM REMOVAL (1Eh)', () => {
  it('prevent makes an eject fail with MEDIUM REMOVAL PREVENTED (53h/02h) and shows in page 2Ah; allow lets it eject', () => {
    const { tb, ch } = readyRig();
    packet(tb, [0x1e, 0, 0, 0, 1]);
    const page = packet(tb, [0x5a, 0, 0x2a, 0, 0, 0, 0, 0, 0xff, 0]);
    expect(page.data[8 + 6]! & 0x02).toBe(0x02);
    expect(packet(tb, [0x1b, 0, 0, 0, 0x02]).status & Status.ERR).toBe(Status.ERR);
    expect(sense(tb)).toEqual([0x5, 0x53, 0x02]);
    expect(ch.trayOpen(0)).toBe(false);
    packet(tb, [0x1e, 0, 0, 0, 0]);
    expect(packet(tb, [0x1b, 0, 0, 0, 0x02]).status & Status.ERR).toBe(0);
    expect(ch.trayOpen(0)).toBe(true);
  });
});

describe('GET EVENT STATUS NOTIFICATION (4Ah)', () => {
  const gesn = (tb: ReturnType<typeof rig>['tb'], classes = 0x10, polled = 1) => packet(tb, [0x4a, polled, 0, 0, classes, 0, 0, 0, 8, 0]);

  it('media class: a new medium is reported once (event 2, media present), then "no change"', () => {
    const { tb, ch } = readyRig(null);
    let r = gesn(tb);
    expect(r.data[2]! & 7).toBe(4);
    expect(r.data[3]).toBe(0x10);
    expect(r.data[4]! & 0x0f).toBe(0);
    expect(r.data[5]! & 0x02).toBe(0);
    ch.insertMedia(0, cdImage());
    r = gesn(tb);
    expect(r.data[4]! & 0x0f).toBe(2);
    expect(r.data[5]! & 0x02).toBe(0x02);
    expect((r.data[0]! << 8) | r.data[1]!).toBe(6);
    expect(gesn(tb).data[4]! & 0x0f).toBe(0);
  });

  it('a medium taken out is event 3 (media removal)', () => {
    const { tb, ch } = readyRig();
    ch.ejectMedia(0);
    const r = gesn(tb);
    expect(r.data[4]! & 0x0f).toBe(3);
    expect(r.data[5]! & 0x02).toBe(0);
  });

  it('the eject button on a locked drive is an eject request (event 1) and the tray stays closed; unlocked, it opens', () => {
    const { tb, ch } = readyRig();
    packet(tb, [0x1e, 0, 0, 0, 1]);
    expect(ch.requestEject(0)).toBe(false);
    expect(gesn(tb).data[4]! & 0x0f).toBe(1);
    expect(ch.trayOpen(0)).toBe(false);
    packet(tb, [0x1e, 0, 0, 0, 0]);
    expect(ch.requestEject(0)).toBe(true);
    expect(ch.trayOpen(0)).toBe(true);
    expect(gesn(tb).data[5]! & 0x01).toBe(0x01); // door or tray open
  });

  it('no requested class supported: NEA set; asynchronous (Polled = 0) is INVALID FIELD IN CDB', () => {
    const { tb } = readyRig();
    expect(gesn(tb, 0x02).data[2]! & 0x80).toBe(0x80);
    expect(gesn(tb, 0x10, 0).status & Status.ERR).toBe(Status.ERR);
    expect(sense(tb)).toEqual([0x5, 0x24, 0]);
  });
});

describe('READ TOC (43h)', () => {
  const toc = (tb: ReturnType<typeof rig>['tb'], msf: boolean, start = 0, format = 0) => packet(tb, [0x43, msf ? 2 : 0, format, 0, 0, 0, start, 0, 0xff, 0, 0, 0]);

  it('format 0, LBA: track 1 (data, control 4) at 0 and the lead-out (AAh) at the capacity', () => {
    const { tb } = readyRig();
    const r = toc(tb, false);
    const b = Buffer.from(r.data);
    expect(b.readUInt16BE(0)).toBe(18);
    expect([b[2], b[3]]).toEqual([1, 1]);
    expect([b[5]! & 0x0f, b[6]]).toEqual([4, 1]);
    expect(b.readUInt32BE(8)).toBe(0);
    expect(b[14]).toBe(0xaa);
    expect(b.readUInt32BE(16)).toBe(BLOCKS);
  });

  it('format 0, MSF: track 1 at 00:02:00 and the lead-out at the capacity + 150 frames', () => {
    const { tb } = readyRig();
    const b = toc(tb, true).data;
    expect(Array.from(b.subarray(8, 12))).toEqual([0, 0, 2, 0]);
    const f = BLOCKS + 150;
    expect(Array.from(b.subarray(16, 20))).toEqual([0, Math.floor(f / 4500), Math.floor(f / 75) % 60, f % 75]);
  });

  it('starting track AAh gives the lead-out only; a track after the last is INVALID FIELD IN CDB', () => {
    const { tb } = readyRig();
    const r = toc(tb, false, 0xaa);
    expect(r.data.length).toBe(12);
    expect(r.data[6]).toBe(0xaa);
    expect(toc(tb, false, 2).status & Status.ERR).toBe(Status.ERR);
    expect(sense(tb)).toEqual([0x5, 0x24, 0]);
  });

  it('format 1 (session information): one session, first track 1 at 0', () => {
    const { tb } = readyRig();
    const b = toc(tb, false, 0, 1).data;
    expect(b.length).toBe(12);
    expect([b[2], b[3], b[6]]).toEqual([1, 1, 1]);
  });

  it('without a medium: NOT READY', () => {
    const { tb } = readyRig(null);
    expect(toc(tb, false).error >>> 4).toBe(0x2);
  });
});

describe('media change', () => {
  it('inserting a medium makes the next command report UNIT ATTENTION, MEDIUM MAY HAVE CHANGED (28h), then reads work', () => {
    const { tb, ch } = readyRig(null);
    const img = cdImage(20);
    ch.insertMedia(0, img);
    const r = packet(tb, read10(0, 1));
    expect(r.error >>> 4).toBe(0x6);
    expect(sense(tb)).toEqual([0x6, 0x28, 0]);
    expect(firstDifference(packet(tb, read10(19, 1)).data, img.bytes.subarray(19 * 2048))).toBe(-1);
  });
});

describe('DEVICE RESET (08h)', () => {
  it('resets the packet device even while it is busy: signature, status 00h', () => {
    const { tb } = readyRig();
    tb.outb(P.lbaMid, 0);
    tb.outb(P.lbaHigh, 8);
    tb.outb(P.command, Cmd.Packet);
    tb.outb(P.command, Cmd.DeviceReset);
    waitNotBusy(tb);
    expect([tb.inb(P.lbaMid), tb.inb(P.lbaHigh)]).toEqual([0x14, 0xeb]);
    expect(tb.inb(P.status)).toBe(0);
  });
});

describe('power commands on a packet device', () => {
  it('CHECK POWER MODE after STANDBY IMMEDIATE reports 00h', () => {
    const { tb } = readyRig();
    issue(tb, Cmd.StandbyImmediate, { device: 0xa0 });
    issue(tb, Cmd.CheckPowerMode, { device: 0xa0 });
    expect(tb.inb(P.count)).toBe(0);
  });
});
