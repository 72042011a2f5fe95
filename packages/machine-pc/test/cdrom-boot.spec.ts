// Booting from the ATAPI CD-ROM (boot order d) on the built-in BIOS, per the El Torito Bootable
// CD-ROM Format Specification 1.0 (Phoenix/IBM, 1995): ISOs made by Debian's genisoimage (a tool
// we did not write) with a no-emulation boot image assembled here from test/fixtures/cdboot.asm,
// or a 1.44 MB diskette image (diskette emulation: the demo floppy, test/fixtures/emuboot.asm).
// The images report what the BIOS handed them and read the disc through INT 13h; every
// expectation comes from the specification or from the ISO genisoimage wrote (its boot catalog
// and files, parsed here independently of the BIOS). The same ISOs also boot on QEMU's isapc
// machine (an ATAPI drive we did not write). Skipped, with a message, where genisoimage,
// nasm or (for the QEMU part) qemu-system-i386 is missing (tools/scripts/install-system-deps.sh).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bootQemu, type QemuOutput } from './qemu';
import { PC_1_1, PcMachine, demoDiskImage, demoFloppyImage, deriveMachineType, memoryDisk } from '../src/index';

function has(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const genisoimage = has('genisoimage', ['-version']);
const nasm = has('nasm', ['-v']);
const qemu = has('qemu-system-i386', ['--version']);
const tools = genisoimage && nasm;
if (!genisoimage) console.warn('cdrom-boot: genisoimage is not installed; skipping (apt-get install genisoimage)');
if (!nasm) console.warn('cdrom-boot: nasm is not installed; skipping (apt-get install nasm)');
if (tools && !qemu) console.warn('cdrom-boot: qemu-system-i386 is not installed; skipping the QEMU cross-check (apt-get install qemu-system-x86)');

const fixtures = resolve(import.meta.dirname, 'fixtures');
const work = mkdtempSync(join(tmpdir(), 'bp-cd-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const HELLO = 'Hello from an ISO 9660 file written by genisoimage.';
const BLOCK = 2048;

/** A test program, assembled from its source in test/fixtures. */
function assemble(name: string): Buffer {
  const out = join(work, `${name}.bin`);
  if (!existsSync(out)) execFileSync('nasm', ['-f', 'bin', '-o', out, join(fixtures, `${name}.asm`)]);
  return readFileSync(out);
}
const bootImage = () => assemble('cdboot');

const DISKETTE_TEXT = 'Text at cylinder 1, head 1, sector 18.';
/** A 1.44 MB diskette: the emuboot boot sector, and DISKETTE_TEXT at C/H/S 1/1/18 (LBA (1 * 2 + 1) * 18 + 17 = 71). */
function emulatedDiskette(): Uint8Array {
  const d = new Uint8Array(1_474_560);
  d.set(assemble('emuboot'));
  d.set(new TextEncoder().encode(DISKETTE_TEXT), 71 * 512);
  return d;
}

let isoCount = 0;
/** An ISO of HELLO.TXT (and the boot image, when `-b cdboot.bin` is among the options). */
function iso(options: string[], extra: Record<string, Uint8Array> = {}): Uint8Array {
  const n = isoCount++;
  const root = join(work, `root${n}`);
  mkdirSync(root);
  writeFileSync(join(root, 'hello.txt'), HELLO);
  writeFileSync(join(root, 'cdboot.bin'), bootImage());
  for (const [name, bytes] of Object.entries(extra)) writeFileSync(join(root, name), bytes);
  const out = join(work, `cd${n}.iso`);
  execFileSync('genisoimage', ['-quiet', '-o', out, ...options, root]);
  return new Uint8Array(readFileSync(out));
}

const le32 = (b: Uint8Array, i: number) => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
const le16 = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
const hex = (v: number, digits: number) => v.toString(16).toUpperCase().padStart(digits, '0');

/** The boot catalog genisoimage wrote: its block, and the initial/default entry (El Torito 2.0, 2.1, 2.2). */
function catalog(image: Uint8Array): { block: number; media: number; loadSegment: number; sectors: number; rba: number } {
  const record = image.subarray(17 * BLOCK, 18 * BLOCK);
  expect(String.fromCharCode(...record.subarray(7, 30))).toBe('EL TORITO SPECIFICATION');
  const block = le32(record, 0x47);
  const entry = image.subarray(block * BLOCK + 0x20, block * BLOCK + 0x40);
  return { block, media: entry[1]!, loadSegment: le16(entry, 2), sectors: le16(entry, 6), rba: le32(entry, 8) };
}

/** A 10-cylinder, 16-head, 63-sector disk with one partition in its MBR (what -hard-disk-boot asks for). */
function mbrDiskImage(): Uint8Array {
  const [cylinders, heads, sectors] = [10, 16, 63];
  const disk = new Uint8Array(cylinders * heads * sectors * 512);
  const e = 446; // partition entry 1 (a PC MBR)
  disk.set([0x80, 1, 1, 0, 0x01, heads - 1, sectors | (((cylinders - 1) >> 8) << 6), (cylinders - 1) & 0xff], e);
  new DataView(disk.buffer).setUint32(e + 8, sectors, true); // first sector (LBA)
  new DataView(disk.buffer).setUint32(e + 12, cylinders * heads * sectors - sectors, true);
  disk[510] = 0x55;
  disk[511] = 0xaa;
  return disk;
}

const START = Date.UTC(2026, 10, 28, 12, 0, 0);

/** Boot a machine with this CD until the boot program finishes or the BIOS gives up. */
function boot(
  cd: Uint8Array | undefined,
  order: string,
  more: { fda?: Uint8Array; hda?: Uint8Array; type?: typeof PC_1_1; until?: string; cpu?: '8086'; memoryKiB?: number } = {},
) {
  const m = new PcMachine({
    ...(more.cpu ? { cpu: more.cpu } : {}),
    ...(more.memoryKiB ? { memoryKiB: more.memoryKiB } : {}),
    ...(cd ? { cdrom: memoryDisk(cd, true) } : {}),
    ...(more.fda ? { fda: memoryDisk(more.fda) } : {}),
    ...(more.hda ? { hda: memoryDisk(more.hda) } : {}),
    ...(more.type ? { type: more.type } : {}),
    boot: order,
    startTime: START,
  });
  const done = () =>
    m.serialOutput.includes('CD boot test done') ||
    m.debugOutput.includes('No bootable device.') ||
    m.serialOutput.includes(more.until ?? 'booted from the built-in floppy image');
  const r = m.run({ maxInstructions: 200_000_000, until: done });
  if (!done()) console.log(r, '\nDEBUG:\n' + m.debugOutput, '\nSERIAL:\n' + m.serialOutput, '\nSCREEN:\n' + m.screenText());
  return m;
}

describe.skipIf(!tools)('El Torito no-emulation boot (CMOS boot order d)', () => {
  const cd = tools ? iso(['-b', 'cdboot.bin', '-no-emul-boot', '-boot-load-size', '4', '-c', 'boot.cat']) : new Uint8Array();
  const m = tools ? boot(cd, 'd') : undefined!;

  it('POST finds the ATAPI drive by IDENTIFY PACKET DEVICE and names it', () => {
    expect(m.debugOutput).toContain('CD-ROM drive: Backplane ATAPI CD-ROM');
    expect(m.debugOutput).toContain('Booting from CD-ROM...');
  });

  it('loads the boot image at the default load segment 07C0h and runs it at 07C0:0000 with DL = E0h', () => {
    const entry = catalog(cd);
    expect(entry.media).toBe(0); // no emulation
    expect(entry.loadSegment).toBe(0); // 0: the traditional 07C0h
    expect(m.serialOutput).toContain('CD boot image running, DL=E0 CS=07C0\r\n');
    expect(m.screenText()).toContain('CD boot image running, DL=E0 CS=07C0');
  });

  it('loads the sector count of the default entry: -boot-load-size 4 puts all four 512-byte sectors in memory', () => {
    expect(catalog(cd).sectors).toBe(4);
    expect(m.serialOutput).toContain('sectors in memory: 1 2 3 4 \r\n');
  });

  it('the boot program reads the disc with INT 13h AH=42h (2048-byte blocks): HELLO.TXT as genisoimage wrote it', () => {
    expect(m.serialOutput).toContain(`HELLO.TXT: ${HELLO}\r\n`);
    expect(m.screenText()).toContain(`HELLO.TXT: ${HELLO}`);
    expect(m.serialOutput).toContain('CD boot test done');
  });

  it('-boot-load-size 3 loads exactly three 512-byte sectors, not the whole 2048-byte block', () => {
    const three = iso(['-b', 'cdboot.bin', '-no-emul-boot', '-boot-load-size', '3', '-c', 'boot.cat']);
    expect(catalog(three).sectors).toBe(3);
    const m3 = boot(three, 'd');
    expect(m3.serialOutput).toContain('sectors in memory: 1 2 3 \r\n');
    expect(m3.serialOutput).toContain(`HELLO.TXT: ${HELLO}`);
  });

  it('on an 8086 machine (the BIOS is 8086 code) the same ISO boots the same way', () => {
    const m86 = boot(cd, 'd', { cpu: '8086', memoryKiB: 640 });
    expect(m86.serialOutput).toContain('CD boot image running, DL=E0 CS=07C0\r\n');
    expect(m86.serialOutput).toContain(`HELLO.TXT: ${HELLO}\r\n`);
    expect(m86.serialOutput).toContain('CD boot test done');
  });

  it('-boot-load-seg 2000h: the image runs at the load segment of the catalog entry', () => {
    const high = iso(['-b', 'cdboot.bin', '-no-emul-boot', '-boot-load-size', '4', '-boot-load-seg', '0x2000', '-c', 'boot.cat']);
    expect(catalog(high).loadSegment).toBe(0x2000);
    const mh = boot(high, 'd');
    expect(mh.serialOutput).toContain('CD boot image running, DL=E0 CS=2000');
    expect(mh.serialOutput).toContain(`HELLO.TXT: ${HELLO}`);
  });
});

describe.skipIf(!tools)('INT 13h on the CD drive (E0h) after a no-emulation boot', () => {
  const cd = tools ? iso(['-b', 'cdboot.bin', '-no-emul-boot', '-boot-load-size', '4', '-c', 'boot.cat']) : new Uint8Array();
  const m = tools ? boot(cd, 'd') : undefined!;

  it('AH=41h: installed (BX = AA55h), extended disk access (CX bit 0)', () => {
    const r = /INT 13h 41h: version ([0-9A-F]{2}) subsets ([0-9A-F]{4})/.exec(m.serialOutput);
    expect(r).not.toBeNull();
    expect(Number.parseInt(r![2]!, 16) & 1).toBe(1);
  });

  it('AH=48h: 2048 bytes per sector and the number of blocks on the disc', () => {
    expect(cd.length % BLOCK).toBe(0);
    expect(m.serialOutput).toContain(`INT 13h 48h: bytes per sector 0800 blocks ${hex(cd.length / BLOCK, 8)}\r\n`);
  });

  it('AX=4B01h: the 13h-byte specification packet: no emulation, drive E0h, image block, load segment, sector count', () => {
    const r = /INT 13h 4B01h: ((?:[0-9A-F]{2} ){19})/.exec(m.serialOutput);
    expect(r).not.toBeNull();
    const p = r![1]!.trim().split(' ').map((h) => Number.parseInt(h, 16));
    const entry = catalog(cd);
    expect(p[0]).toBe(0x13); // packet size
    expect(p[1]).toBe(0); // boot media type: no emulation
    expect(p[2]).toBe(0xe0); // drive number
    expect(le32(Uint8Array.from(p), 4)).toBe(entry.rba); // the boot image's first block
    expect(le16(Uint8Array.from(p), 12)).toBe(0x07c0); // load segment
    expect(le16(Uint8Array.from(p), 14)).toBe(entry.sectors); // virtual sectors loaded
  });

  it('AH=42h past the end of the disc: error 04h (sector not found) and a block count of 0 in the packet', () => {
    expect(m.serialOutput).toContain('read past the end: status 04 blocks read 0000\r\n');
  });
});

describe.skipIf(!tools)('a CD that cannot boot: a clear message, then the next device in the boot order', () => {
  it('no medium in the drive: says so, then boots the floppy (boot order d, a)', () => {
    const m = boot(undefined, 'da', { fda: demoFloppyImage() });
    const d = m.debugOutput;
    expect(d).toContain('Booting from CD-ROM...\r\nBoot failed: no medium in the CD-ROM drive\r\nBooting from floppy...');
    expect(m.serialOutput).toContain('booted from the built-in floppy image');
  });

  it('an ISO without a boot record (genisoimage without -b): not bootable, then "No bootable device."', () => {
    const m = boot(iso([]), 'd');
    expect(m.debugOutput).toContain('Boot failed: not a bootable CD (no El Torito boot record)\r\nNo bootable device.');
  });

  it('a boot catalog whose validation entry does not sum to zero is refused', () => {
    const cd = iso(['-b', 'cdboot.bin', '-no-emul-boot', '-boot-load-size', '4', '-c', 'boot.cat']);
    cd[catalog(cd).block * BLOCK + 4] ^= 0x01; // one bit of the ID string: the words no longer sum to 0
    const m = boot(cd, 'd');
    expect(m.debugOutput).toContain('Boot failed: bad El Torito boot catalog (checksum)');
    expect(m.serialOutput).not.toContain('CD boot image running');
  });

  it('a validation entry without the key bytes 55h AAh is refused', () => {
    const cd = iso(['-b', 'cdboot.bin', '-no-emul-boot', '-boot-load-size', '4', '-c', 'boot.cat']);
    const at = catalog(cd).block * BLOCK;
    expect([cd[at + 0x1e], cd[at + 0x1f]]).toEqual([0x55, 0xaa]);
    cd[at + 0x1f] = 0;
    const m = boot(cd, 'd');
    expect(m.debugOutput).toContain('Boot failed: bad El Torito boot catalog (key is not 55 AA)');
  });

  it('a default entry that is not bootable (indicator 00h) is refused', () => {
    const cd = iso(['-b', 'cdboot.bin', '-no-emul-boot', '-boot-load-size', '4', '-c', 'boot.cat']);
    const at = catalog(cd).block * BLOCK;
    expect(cd[at + 0x20]).toBe(0x88);
    cd[at + 0x20] = 0x00;
    const m = boot(cd, 'd');
    expect(m.debugOutput).toContain("Boot failed: the CD's default boot entry is not bootable");
  });

  describe('a default entry whose image cannot be loaded', () => {
    /** The ISO with its default entry patched: `at` is the offset in the entry, a 16- or 32-bit value. */
    function patched(at: number, value: number, bytes: 2 | 4): Uint8Array {
      const cd = iso(['-b', 'cdboot.bin', '-no-emul-boot', '-boot-load-size', '4', '-c', 'boot.cat']);
      const view = new DataView(cd.buffer, catalog(cd).block * BLOCK + 0x20);
      if (bytes === 2) view.setUint16(at, value, true);
      else view.setUint32(at, value, true);
      return cd;
    }

    it('its first block lies past the end of the disc: the read fails, and the BIOS says so', () => {
      const m = boot(patched(8, 0x00ff_0000, 4), 'd');
      expect(m.debugOutput).toContain("Boot failed: could not read the CD's boot image\r\nNo bootable device.");
    });

    it('0FFFFh sectors cannot fit below 640 KiB: refused before anything is read', () => {
      const m = boot(patched(6, 0xffff, 2), 'd');
      expect(m.debugOutput).toContain("Boot failed: the CD's boot image does not fit in conventional memory");
    });

    it('a sector count of 0: nothing to load, refused', () => {
      const m = boot(patched(6, 0, 2), 'd');
      expect(m.debugOutput).toContain("Boot failed: the CD's boot image has no sectors to load");
    });

    it('a load segment of 0050h would overwrite the BIOS data and stack: refused', () => {
      const m = boot(patched(2, 0x0050, 2), 'd');
      expect(m.debugOutput).toContain("Boot failed: the CD's boot image load segment is below 0700h");
    });
  });

  it('hard-disk emulation (genisoimage -hard-disk-boot) is refused, naming the mode', () => {
    const cd = iso(['-hard-disk-boot', '-b', 'hd.img', '-c', 'boot.cat'], { 'hd.img': mbrDiskImage() });
    expect(catalog(cd).media).toBe(4); // hard disk emulation
    const m = boot(cd, 'd');
    expect(m.debugOutput).toContain('Boot failed: El Torito hard disk emulation is not supported (no-emulation and diskette images only)');
  });

  it('a machine type without the secondary IDE channel has no CD-ROM drive, and says so', () => {
    const type = deriveMachineType(PC_1_1, { name: 'pc-no-cd', remove: ['ide1'] });
    const m = boot(undefined, 'da', { fda: demoFloppyImage(), type });
    expect(m.debugOutput).not.toContain('CD-ROM drive:');
    expect(m.debugOutput).toContain('Boot failed: no CD-ROM drive\r\nBooting from floppy...');
  });
});

describe.skipIf(!tools)('El Torito diskette emulation: the image on the CD is drive 00h', () => {
  // genisoimage -b with a 1.44 MB file and no -no-emul-boot: 1.44 MB diskette emulation, one
  // 512-byte sector loaded. The image is the built-in demo floppy: its boot sector reads the
  // program from the boot drive (CHS, INT 13h AH=02h), then reads its boot sector again and
  // compares it with the copy the BIOS loaded, and reads the hard disk.
  const cd = tools ? iso(['-b', 'floppy.img', '-c', 'boot.cat'], { 'floppy.img': demoFloppyImage() }) : new Uint8Array();

  it('the 1.44 MB image boots with DL = 00h and reads its own sectors through INT 13h AH=02h', () => {
    const entry = catalog(cd);
    expect(entry.media).toBe(2); // 1.44 MB diskette
    expect(entry.sectors).toBe(1);
    const m = boot(cd, 'd', { hda: demoDiskImage(), until: 'Demo finished' });
    expect(m.debugOutput).toContain('Booting from CD-ROM...\r\nCD-ROM: El Torito 1.44 MiB floppy emulation, drive 00h\r\n');
    expect(m.serialOutput).toContain('booted from the built-in floppy image'); // program sectors 2.. read from drive 00h
    expect(m.serialOutput).toContain('512 of 512 bytes match'); // CHS 0/0/1 read again = what the BIOS loaded
    expect(m.serialOutput).toContain('"Hello from the hard disk."'); // the hard disk is still 80h
    expect(m.serialOutput).toContain('Demo finished');
  });

  describe('INT 13h on the emulated drive 00h', () => {
    const disk = tools ? iso(['-b', 'floppy.img', '-c', 'boot.cat'], { 'floppy.img': emulatedDiskette() }) : new Uint8Array();
    const m = tools ? boot(disk, 'd', { until: 'emulation test done' }) : undefined!;
    const out = () => m.serialOutput;

    it('the boot sector runs with DL = 00h', () => {
      expect(out()).toContain('emulated diskette boot, DL=00\r\n');
    });

    it('AH=08h: a 1.44 MB drive (type 4), 80 cylinders (CH = 79), 18 sectors, 2 heads (DH = 1)', () => {
      expect(out()).toContain('AH=08h: 0000 0004 4F12 0101 \r\n'); // AX BX CX DX; DL = one drive
    });

    it('AH=02h reads C/H/S 1/1/18 of the image: the text at its 72nd sector', () => {
      expect(out()).toContain(`C/H/S 1/1/18: status 00\r\n${DISKETTE_TEXT}\r\n`);
    });

    it('AH=03h is refused (03h: write protected); sector 19 of an 18-sector track is not found (04h)', () => {
      expect(out()).toContain('write: status 03\r\n');
      expect(out()).toContain('sector 19: status 04\r\n');
    });

    it('AX=4B01h: media 02h (1.44 MB), drive 00h, the image block, 07C0h, 1 sector, 80 cylinders, 18 sectors, 2 heads', () => {
      const r = /AX=4B01h: ((?:[0-9A-F]{2} ){19})/.exec(out());
      expect(r).not.toBeNull();
      const p = Uint8Array.from(r![1]!.trim().split(' ').map((h) => Number.parseInt(h, 16)));
      const entry = catalog(disk);
      expect([p[0], p[1], p[2]]).toEqual([0x13, 2, 0x00]);
      expect(le32(p, 4)).toBe(entry.rba);
      expect([le16(p, 12), le16(p, 14)]).toEqual([0x07c0, entry.sectors]);
      expect([p[16], p[17], p[18]]).toEqual([80, 18, 2]);
    });

    it('AX=4B00h ends the emulation: drive 00h is the real diskette drive again (none here: 80h)', () => {
      expect(out()).toContain('AX=4B00h: status 00\r\nAH=08h: 80');
      expect(out()).toContain('emulation test done');
    });
  });
});

/** Boot QEMU isapc on our BIOS until `until` appears on the serial port or the debug console. */
/** Boot QEMU until `until` matches the output named by `where`. */
function qemuBoot(args: string[], until: RegExp, where: 'serial' | 'debug' = 'serial'): Promise<QemuOutput> {
  return bootQemu(work, args, (o) => until.test(o[where]));
}

describe.skipIf(!tools || !qemu)('the same ISO and BIOS on QEMU isapc (an ATAPI drive we did not write)', () => {
  it('POST names QEMU\'s drive, the image boots with DL = E0h and reads HELLO.TXT through INT 13h', async () => {
    const cd = iso(['-b', 'cdboot.bin', '-no-emul-boot', '-boot-load-size', '4', '-c', 'boot.cat']);
    const path = join(work, 'qemu.iso');
    writeFileSync(path, cd);
    const { serial, debug } = await qemuBoot(['-cdrom', path, '-boot', 'd'], /CD boot test done/);
    expect(debug).toContain('CD-ROM drive: QEMU DVD-ROM'); // QEMU's IDENTIFY PACKET DEVICE model
    expect(debug).toContain('Booting from CD-ROM...');
    expect(serial).toContain('CD boot image running, DL=E0 CS=07C0\r\n');
    expect(serial).toContain('sectors in memory: 1 2 3 4 \r\n');
    expect(serial).toContain(`INT 13h 48h: bytes per sector 0800 blocks ${hex(cd.length / BLOCK, 8)}\r\n`);
    expect(serial).toContain(`HELLO.TXT: ${HELLO}\r\n`);
    expect(serial).toContain('read past the end: status 04 blocks read 0000\r\n');
    expect(serial).toContain('CD boot test done');
  }, 90_000);

  it('diskette emulation on QEMU: the demo floppy image on the CD boots and reads its sectors', async () => {
    const cd = iso(['-b', 'floppy.img', '-c', 'boot.cat'], { 'floppy.img': demoFloppyImage() });
    const path = join(work, 'qemu-emu.iso');
    writeFileSync(path, cd);
    const { serial, debug } = await qemuBoot(['-cdrom', path, '-boot', 'd'], /Demo finished/);
    expect(debug).toContain('CD-ROM: El Torito 1.44 MiB floppy emulation, drive 00h');
    expect(serial).toContain('booted from the built-in floppy image');
    expect(serial).toContain('512 of 512 bytes match');
    expect(serial).toContain('Demo finished');
  }, 90_000);

  it('diskette emulation on QEMU: INT 13h on drive 00h answers as on our machine', async () => {
    const path = join(work, 'qemu-emu2.iso');
    writeFileSync(path, iso(['-b', 'floppy.img', '-c', 'boot.cat'], { 'floppy.img': emulatedDiskette() }));
    const { serial } = await qemuBoot(['-cdrom', path, '-boot', 'd'], /emulation test done/);
    expect(serial).toContain('emulated diskette boot, DL=00\r\n');
    expect(serial).toContain('AH=08h: 0000 0004 4F12 0101 \r\n');
    expect(serial).toContain(`C/H/S 1/1/18: status 00\r\n${DISKETTE_TEXT}\r\n`);
    expect(serial).toContain('write: status 03\r\nsector 19: status 04\r\n');
    expect(serial).toMatch(/AX=4B00h: status 00\r\nAH=08h: 0000 000[1-5] /); // QEMU's own diskette drive answers
  }, 90_000);

  it('QEMU\'s empty CD drive: "no medium", then "No bootable device."', async () => {
    const { debug } = await qemuBoot(['-boot', 'd'], /No bootable device\./, 'debug');
    expect(debug).toContain('Boot failed: no medium in the CD-ROM drive\r\nNo bootable device.');
  }, 90_000);
});
