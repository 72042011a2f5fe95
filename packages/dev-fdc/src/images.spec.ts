// Real floppy images made by tools we did not write (Debian's mkfs.fat and mtools), read and
// written through the controller's ports, compared with the image file's own bytes.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OverlayImage, RawFileImage } from '@backplane/block';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CCR,
  DIO,
  FIFO,
  MSR,
  RQM,
  dmaRead,
  dmaWrite,
  hasMformat,
  hasMkfsFat,
  mformat,
  mkfsFat,
  ready,
  resetController,
  result,
  rig,
  rwCommand,
  seekTo,
  send,
  specify,
  tempDir,
  waitIrq,
} from '../test/helpers';

const tools = hasMkfsFat && hasMformat;
if (!tools) console.warn('images.spec: mkfs.fat (dosfstools) or mformat/mcopy (mtools) missing; real-image tests skipped. Install them with tools/scripts/install-system-deps.sh');

/** Where the FAT layout puts things, from the boot sector's BIOS parameter block. */
function bpb(bytes: Uint8Array) {
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  const reserved = v.getUint16(0x0e, true);
  const fats = v.getUint8(0x10);
  const rootEntries = v.getUint16(0x11, true);
  const fatSectors = v.getUint16(0x16, true);
  const spt = v.getUint16(0x18, true);
  const heads = v.getUint16(0x1a, true);
  return { reserved, fats, fatSectors, spt, heads, dataStart: reserved + fats * fatSectors + (rootEntries * 32) / 512 };
}

function chs(lba: number, spt: number, heads: number) {
  return { c: Math.floor(lba / (spt * heads)), head: Math.floor(lba / spt) % heads, r: (lba % spt) + 1 };
}

describe.skipIf(!tools)('a 1.44M FAT12 image made by mkfs.fat', () => {
  let t: ReturnType<typeof tempDir>;
  let path: string;
  let file: Uint8Array;
  const text = 'Backplane reads this through an 82077AA.\r\n'.repeat(30);
  beforeAll(() => {
    t = tempDir();
    path = join(t.dir, 'dos.img');
    mkfsFat(path, 1440);
    writeFileSync(join(t.dir, 'hello.txt'), text);
    const r = spawnSync('mcopy', ['-i', path, join(t.dir, 'hello.txt'), '::HELLO.TXT']);
    expect(r.status, r.stderr.toString()).toBe(0);
    file = new Uint8Array(readFileSync(path));
  });
  afterAll(() => t.remove());

  function controllerOn(device: RawFileImage | OverlayImage) {
    const r = rig();
    r.fdc.insert(0, device);
    resetController(r.bench);
    specify(r.bench);
    r.bench.outb(CCR, 0x00);
    return r;
  }

  it('reads the boot sector and the first FAT by DMA, equal to the file', () => {
    const { bench } = controllerOn(RawFileImage.open(path, { readOnly: true }));
    const b = bpb(file);
    expect([b.spt, b.heads, b.reserved]).toEqual([18, 2, 1]);
    const sectors = b.reserved + b.fatSectors;
    const r = dmaRead(bench, { c: 0, r: 1, sectors });
    expect(r).toEqual([0x00, 0x00, 0x00, 0, 0, sectors + 1, 2]);
    expect(bench.memory.ram.subarray(0x10000, 0x10000 + sectors * 512)).toEqual(file.subarray(0, sectors * 512));
    expect(bench.memory.ram[0x10000 + 510]).toBe(0x55);
    expect(bench.memory.ram[0x10000 + 511]).toBe(0xaa);
  });

  it('reads the second FAT and the root directory through the FIFO in non-DMA mode, across both sides with MT', () => {
    const { bench } = controllerOn(RawFileImage.open(path, { readOnly: true }));
    specify(bench, true);
    const b = bpb(file);
    const first = b.reserved + b.fatSectors; // LBA 10: cylinder 0, head 0, sector 11
    const at = chs(first, 18, 2);
    send(bench, ...rwCommand(0x06, { c: at.c, head: at.head, r: at.r, eot: 18, mt: true }));
    const sectors = 18 - at.r + 1 + 18; // to the end of side 1
    const got = new Uint8Array(sectors * 512);
    for (let i = 0; i < got.length; i++) {
      if (!(bench.inb(MSR) & RQM)) waitIrq(bench);
      got[i] = bench.inb(FIFO);
    }
    expect(got).toEqual(file.subarray(first * 512, (first + sectors) * 512));
    expect(result(bench)).toEqual([0x44, 0x80, 0x00, 1, 0, 1, 2]); // EOT of side 1 reached without TC
  });

  it('reads the file mcopy put there from its first data cluster', () => {
    const { bench } = controllerOn(RawFileImage.open(path, { readOnly: true }));
    const b = bpb(file);
    const at = chs(b.dataStart, 18, 2); // the first file gets cluster 2, the first data cluster
    dmaRead(bench, { c: at.c, head: at.head, r: at.r, mt: true, sectors: 1 });
    expect(new TextDecoder().decode(bench.memory.ram.subarray(0x10000, 0x10000 + 512))).toBe(text.slice(0, 512));
  });

  it('writes through the controller into an overlay: the base file is untouched, the overlay holds the data at the right offset', () => {
    const base = RawFileImage.open(path, { readOnly: true });
    const overlay = new OverlayImage(base, { clusterSize: 512 });
    const { bench } = controllerOn(overlay);
    seekTo(bench, 40);
    const data = new Uint8Array(1024).map((_, i) => (i * 11) & 0xff);
    expect(dmaWrite(bench, data, { c: 40, head: 1, r: 17 })).toEqual([0x04, 0, 0, 41, 1, 1, 2]);
    expect(Buffer.compare(readFileSync(path), file)).toBe(0);
    const back = new Uint8Array(1024);
    overlay.read(((40 * 2 + 1) * 18 + 16) * 512, back);
    expect(back).toEqual(data);
    expect(overlay.dirtyClusters).toBe(2);
  });

  it('writes a file\'s cluster through the controller, and mtools reads the new text from the image', () => {
    const copy = join(t.dir, 'rw.img');
    writeFileSync(copy, file);
    const image = RawFileImage.open(copy);
    const { bench } = controllerOn(image);
    const b = bpb(file);
    const at = chs(b.dataStart, 18, 2);
    seekTo(bench, at.c);
    const sector = new Uint8Array(512);
    sector.set(new TextEncoder().encode(text.slice(0, 512).toUpperCase()));
    expect(dmaWrite(bench, sector, { c: at.c, head: at.head, r: at.r }).slice(0, 3)).toEqual([at.head << 2, 0, 0]);
    // The result phase came after the sector reached the file: another reader sees it already.
    expect(readFileSync(copy).subarray(b.dataStart * 512, b.dataStart * 512 + 512)).toEqual(Buffer.from(sector));
    image.close();
    const typed = spawnSync('mtype', ['-i', copy, '::HELLO.TXT']);
    expect(typed.status, typed.stderr.toString()).toBe(0);
    expect(typed.stdout.toString()).toBe(text.slice(0, 512).toUpperCase() + text.slice(512));
  });
});

describe.skipIf(!tools)('other formats made by mformat, read at their data rates', () => {
  let t: ReturnType<typeof tempDir>;
  beforeAll(() => {
    t = tempDir();
  });
  afterAll(() => t.remove());

  const cases: [name: string, args: string[], rate: number, lastCylinder: number][] = [
    ['720K', ['-f', '720'], 0x02, 79],
    ['360K (in a 1.2M drive, 300 kbps)', ['-f', '360'], 0x01, 39],
    ['1.2M', ['-f', '1200'], 0x00, 79],
    ['2.88M (1 Mbps)', ['-f', '2880'], 0x03, 79],
  ];
  for (const [name, args, rate, lastCylinder] of cases) {
    it(`${name}: boot sector, and the last sector of the disk, equal to the file`, () => {
      const path = join(t.dir, `${args[1]}.img`);
      mformat(path, args);
      const file = new Uint8Array(readFileSync(path));
      const b = bpb(file);
      const { bench, fdc } = ready();
      fdc.insert(0, RawFileImage.open(path, { readOnly: true }));
      bench.outb(CCR, rate);
      expect(dmaRead(bench, { c: 0, r: 1, eot: b.spt, sectors: 1 }).slice(0, 3)).toEqual([0, 0, 0]);
      expect(bench.memory.ram.subarray(0x10000, 0x10200)).toEqual(file.subarray(0, 512));
      seekTo(bench, lastCylinder);
      expect(dmaRead(bench, { c: lastCylinder, head: 1, r: b.spt, eot: b.spt, sectors: 1 }).slice(0, 3)).toEqual([0x04, 0, 0]);
      expect(bench.memory.ram.subarray(0x10000, 0x10200)).toEqual(file.subarray(file.length - 512));
      expect(bench.inb(MSR) & DIO).toBe(0);
    });
  }
});
