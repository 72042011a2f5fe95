// Real images made by tools we did not write: a FAT hard disk from mkfs.fat (+ mtools), an ISO 9660
// CD from genisoimage. Read through the controller and compared with the files' bytes; written
// through the controller and found in the file (or the overlay) at the right offset.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OverlayImage, RawFileImage } from '@backplane/block';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { P, firstDifference, hasTool, issue, lba28, packet, pioIn, pioOut, rig, run, tempDir } from '../test/helpers';
import { Cmd, Status } from './registers';

const READY = Status.DRDY | Status.DSC;
const haveMkfs = hasTool('mkfs.fat');
const haveMtools = hasTool('mcopy');
const haveIso = hasTool('genisoimage');
const HELLO = 'Hello from a FAT file system made by mkfs.fat and mtools.\r\n'.repeat(40);

const fatSuite = haveMkfs && haveMtools ? describe : describe.skip;
const isoSuite = haveIso ? describe : describe.skip;

if (!haveMkfs || !haveMtools)
  describe('FAT hard-disk image', () => it.skip('needs mkfs.fat and mcopy (Debian dosfstools, mtools; tools/scripts/install-system-deps.sh)', () => {}));
if (!haveIso) describe('ISO 9660 image', () => it.skip('needs genisoimage (Debian genisoimage; tools/scripts/install-system-deps.sh)', () => {}));

fatSuite('a FAT16 hard disk made by mkfs.fat', () => {
  const tmp = tempDir('dev-ide-fat-');
  const path = join(tmp.dir, 'disk.img');
  let file: Uint8Array;

  beforeAll(() => {
    run('mkfs.fat', ['-C', '-F', '16', '-n', 'BACKPLANE', '-i', '12345678', path, String(32 * 1024)]);
    writeFileSync(join(tmp.dir, 'HELLO.TXT'), HELLO);
    run('mcopy', ['-i', path, join(tmp.dir, 'HELLO.TXT'), '::HELLO.TXT']);
    file = new Uint8Array(readFileSync(path));
  });
  afterAll(() => tmp.remove());

  it('the boot sector read with READ SECTORS (LBA 0) equals the first 512 bytes of the file, 55AAh at its end', () => {
    const { tb } = rig({ master: { kind: 'disk', image: RawFileImage.open(path, { readOnly: true }) } });
    const r = pioIn(tb, Cmd.ReadSectors, lba28(0, 1), 1);
    expect(firstDifference(r.data, file.subarray(0, 512))).toBe(-1);
    expect([r.data[510], r.data[511]]).toEqual([0x55, 0xaa]);
    expect(Buffer.from(r.data.subarray(43, 54)).toString('latin1')).toBe('BACKPLANE  ');
  });

  it('the first FAT, located from the BPB, read with READ MULTIPLE and 32-bit accesses equals the file', () => {
    const { tb } = rig({ master: { kind: 'disk', image: RawFileImage.open(path, { readOnly: true }) } });
    const bpb = Buffer.from(file.subarray(0, 512));
    const reserved = bpb.readUInt16LE(14);
    const fatSectors = bpb.readUInt16LE(22);
    expect(bpb.readUInt16LE(11)).toBe(512);
    issue(tb, Cmd.SetMultipleMode, { count: 16, device: 0xa0 });
    const blocks = Math.ceil(fatSectors / 16);
    const r = pioIn(tb, Cmd.ReadMultiple, lba28(reserved, fatSectors), blocks, 16 * 512, 32);
    // the last block may be partial: compare what the FAT holds
    expect(firstDifference(r.data.subarray(0, fatSectors * 512), file.subarray(reserved * 512, (reserved + fatSectors) * 512))).toBe(-1);
    expect([r.data[0], r.data[1]]).toEqual([0xf8, 0xff]); // media descriptor F8h (fixed disk) in FAT entry 0
  });

  it('the same sectors read in CHS mode (default geometry from IDENTIFY) equal the file', () => {
    const { tb } = rig({ master: { kind: 'disk', image: RawFileImage.open(path, { readOnly: true }) } });
    const id = pioIn(tb, Cmd.IdentifyDevice, { device: 0xa0 }, 1).data;
    const heads = id[6]! | (id[7]! << 8);
    const spt = id[12]! | (id[13]! << 8);
    const lba = 200;
    const c = Math.floor(lba / (heads * spt));
    const h = Math.floor(lba / spt) % heads;
    const s = (lba % spt) + 1;
    const r = pioIn(tb, Cmd.ReadSectors, { count: 2, lbaLow: s, lbaMid: c & 0xff, lbaHigh: c >> 8, device: 0xa0 | h }, 2);
    expect(firstDifference(r.data, file.subarray(lba * 512, (lba + 2) * 512))).toBe(-1);
  });

  it('a file mcopy wrote reads back through the controller at the cluster its directory entry names', () => {
    const { tb } = rig({ master: { kind: 'disk', image: RawFileImage.open(path, { readOnly: true }) } });
    const bpb = Buffer.from(file.subarray(0, 512));
    const perCluster = bpb[13]!;
    const reserved = bpb.readUInt16LE(14);
    const fats = bpb[16]!;
    const rootEntries = bpb.readUInt16LE(17);
    const fatSectors = bpb.readUInt16LE(22);
    const rootLba = reserved + fats * fatSectors;
    const rootSectors = (rootEntries * 32) / 512;
    const root = pioIn(tb, Cmd.ReadSectors, lba28(rootLba, rootSectors), rootSectors).data;
    let cluster = -1;
    let size = 0;
    for (let o = 0; o < root.length; o += 32) {
      if (Buffer.from(root.subarray(o, o + 11)).toString('latin1') === 'HELLO   TXT') {
        cluster = root[o + 26]! | (root[o + 27]! << 8);
        size = Buffer.from(root).readUInt32LE(o + 28);
      }
    }
    expect(cluster).toBeGreaterThanOrEqual(2);
    expect(size).toBe(HELLO.length);
    const first = rootLba + rootSectors + (cluster - 2) * perCluster;
    const n = Math.ceil(size / 512);
    const data = pioIn(tb, Cmd.ReadSectorsExt, { hobCount: 0, hobLbaLow: 0, hobLbaMid: 0, hobLbaHigh: 0, count: n, lbaLow: first & 0xff, lbaMid: (first >> 8) & 0xff, lbaHigh: first >> 16, device: 0x40 }, n).data;
    // contiguous on a fresh file system
    expect(Buffer.from(data.subarray(0, size)).toString('latin1')).toBe(HELLO);
  });

  it('WRITE SECTORS lands in the image file at LBA x 512, and mtools still reads the file system', () => {
    const copy = join(tmp.dir, 'write.img');
    writeFileSync(copy, file);
    const image = RawFileImage.open(copy);
    const { tb } = rig({ master: { kind: 'disk', image } });
    const lba = 60000; // in the free data area of a 32 MiB FAT16 volume
    const data = new Uint8Array(1024).map((_, i) => (i * 3 + 5) & 0xff);
    const r = pioOut(tb, Cmd.WriteSectors, lba28(lba, 2), data);
    expect(r.status).toBe(READY);
    issue(tb, Cmd.FlushCache, { device: 0xa0 });
    image.close();
    const after = new Uint8Array(readFileSync(copy));
    expect(firstDifference(after.subarray(lba * 512, lba * 512 + 1024), data)).toBe(-1);
    expect(firstDifference(after.subarray(0, lba * 512), file.subarray(0, lba * 512))).toBe(-1);
    run('mcopy', ['-i', copy, '::HELLO.TXT', join(tmp.dir, 'back.txt')]);
    expect(readFileSync(join(tmp.dir, 'back.txt'), 'latin1')).toBe(HELLO);
  });

  it('a write through an overlay lands in the overlay; the base file is unchanged and reads see the new data', () => {
    const base = RawFileImage.open(path, { readOnly: true });
    const overlay = new OverlayImage(base);
    const { tb } = rig({ master: { kind: 'disk', image: overlay } });
    const data = new Uint8Array(512).fill(0xc3);
    pioOut(tb, Cmd.WriteSectors, lba28(0, 1), data);
    const back = pioIn(tb, Cmd.ReadSectors, lba28(0, 2), 2).data;
    expect(firstDifference(back.subarray(0, 512), data)).toBe(-1);
    expect(firstDifference(back.subarray(512), file.subarray(512, 1024))).toBe(-1);
    expect(firstDifference(new Uint8Array(readFileSync(path)).subarray(0, 512), file.subarray(0, 512))).toBe(-1);
    const check = new Uint8Array(512);
    overlay.read(0, check);
    expect(check).toEqual(data);
  });
});

isoSuite('an ISO 9660 CD made by genisoimage', () => {
  const tmp = tempDir('dev-ide-iso-');
  const path = join(tmp.dir, 'cd.iso');
  const text = 'A file on a CD made by genisoimage.\n'.repeat(200);
  let file: Uint8Array;

  beforeAll(() => {
    const src = join(tmp.dir, 'root');
    run('mkdir', ['-p', src]);
    writeFileSync(join(src, 'README.TXT'), text);
    run('genisoimage', ['-quiet', '-V', 'BACKPLANE_CD', '-o', path, src]);
    file = new Uint8Array(readFileSync(path));
  });
  afterAll(() => tmp.remove());

  function cd() {
    const r = rig({ master: { kind: 'cdrom', image: RawFileImage.open(path, { readOnly: true }) } });
    packet(r.tb, [0x03, 0, 0, 0, 18]); // take the power-on unit attention
    return r;
  }

  it('READ CAPACITY gives the file size in 2048-byte blocks, which the volume descriptor also states', () => {
    const { tb } = cd();
    const r = Buffer.from(packet(tb, [0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0]).data);
    expect(r.readUInt32BE(0)).toBe(file.length / 2048 - 1);
    expect(r.readUInt32BE(4)).toBe(2048);
    expect(Buffer.from(file).readUInt32LE(16 * 2048 + 80)).toBe(file.length / 2048);
  });

  it('READ(10) of block 16 is the primary volume descriptor: type 1, "CD001", the volume id, equal to the file bytes', () => {
    const { tb } = cd();
    const pvd = packet(tb, [0x28, 0, 0, 0, 0, 16, 0, 0, 1, 0, 0, 0]).data;
    expect(firstDifference(pvd, file.subarray(16 * 2048, 17 * 2048))).toBe(-1);
    expect(pvd[0]).toBe(1);
    expect(Buffer.from(pvd.subarray(1, 6)).toString('latin1')).toBe('CD001');
    expect(Buffer.from(pvd.subarray(40, 72)).toString('latin1').trimEnd()).toBe('BACKPLANE_CD');
  });

  it('a file found through the root directory reads back with READ(12), in byte-count-limited chunks', () => {
    const { tb } = cd();
    const pvd = Buffer.from(packet(tb, [0x28, 0, 0, 0, 0, 16, 0, 0, 1, 0, 0, 0]).data);
    const rootLba = pvd.readUInt32LE(156 + 2);
    const rootSize = pvd.readUInt32LE(156 + 10);
    const dir = Buffer.from(packet(tb, [0xa8, 0, 0, 0, rootLba >> 8, rootLba & 0xff, 0, 0, 0, Math.ceil(rootSize / 2048), 0, 0]).data);
    let extent = -1;
    let size = 0;
    for (let o = 0; o < rootSize && dir[o]! > 0; o += dir[o]!) {
      const name = dir.subarray(o + 33, o + 33 + dir[o + 32]!).toString('latin1');
      if (name.startsWith('README.TXT')) {
        extent = dir.readUInt32LE(o + 2);
        size = dir.readUInt32LE(o + 10);
      }
    }
    expect(size).toBe(text.length);
    const blocks = Math.ceil(size / 2048);
    const r = packet(tb, [0xa8, 0, 0, 0, extent >> 8, extent & 0xff, 0, 0, 0, blocks, 0, 0], 2048);
    expect(r.chunks.every((c) => c === 2048)).toBe(true);
    expect(Buffer.from(r.data.subarray(0, size)).toString('latin1')).toBe(text);
  });

  it('READ TOC gives the lead-out at the capacity', () => {
    const { tb } = cd();
    const b = Buffer.from(packet(tb, [0x43, 0, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0]).data);
    expect(b.readUInt32BE(16)).toBe(file.length / 2048);
  });

  it('the image is read-only to the guest: ATA writes to a packet device are aborted', () => {
    const { tb } = cd();
    expect(issue(tb, Cmd.WriteSectors, lba28(0, 1)) & Status.ERR).toBe(Status.ERR);
    expect(tb.inb(P.error) & 0x04).toBe(0x04);
  });
});
