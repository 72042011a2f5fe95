// The built-in firmware on an independent PC: QEMU's isapc machine (its own 8259A, 8254, 8237A,
// 82077AA, ATA and 16550A models, a 486 CPU without APIC) runs our BIOS and demo disks.
// This pins the firmware's behaviour against chips we did not write. Skipped, with a message,
// where qemu-system-i386 is not installed (CI installs it: tools/scripts/install-system-deps.sh).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bootQemu, type QemuOutput } from './qemu';

const firmware = resolve(import.meta.dirname, '../firmware');
const qemu = (() => {
  try {
    execFileSync('qemu-system-i386', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!qemu) console.warn('firmware-qemu: qemu-system-i386 is not installed; skipping (apt-get install qemu-system-x86)');

const work = mkdtempSync(join(tmpdir(), 'bp-fw-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function image(name: string, source: string, size: number): string {
  const bytes = readFileSync(join(firmware, source));
  const out = Buffer.alloc(size);
  bytes.copy(out);
  const path = join(work, name);
  writeFileSync(path, out);
  return path;
}

const boot = (args: string[], until: (o: QemuOutput) => boolean) => bootQemu(work, args, until);

describe.skipIf(!qemu)('built-in BIOS on QEMU isapc', () => {
  const floppy = image('demo-fd.img', 'demo-floppy.bin', 1_474_560);
  const disk = image('demo-hd.img', 'demo-disk.bin', 16 * 63 * 20 * 512);

  it('POST reports memory from CMOS and the ATA disk from IDENTIFY, then boots the demo floppy', async () => {
    const { serial, debug } = await boot(
      ['-drive', `file=${floppy},if=floppy,format=raw`, '-drive', `file=${disk},if=ide,format=raw`, '-boot', 'a'],
      (o) => o.serial.includes('Demo finished'),
    );
    expect(debug).toContain('Backplane BIOS');
    expect(debug).toContain('640 KiB base memory, 15360 KiB extended memory'); // -m 16
    expect(debug).toContain('Hard disk 0: 9 MiB'); // 20160 sectors
    expect(debug).toContain('Booting from floppy...');
    // The demo program, through INT 10h/13h/14h/1Ah on QEMU's chips:
    expect(serial).toContain('booted from the built-in floppy image');
    // IRQ 0 at 18.2 Hz through the 8259A. QEMU runs on host time: under load the program may see
    // the count move by two between its checks, so one dot per change, and at least 18 ticks.
    const ticks = /(\.+)(\d+) ticks/.exec(serial);
    expect(ticks).not.toBeNull();
    expect(Number(ticks![2])).toBeGreaterThanOrEqual(18);
    expect(serial).toContain('512 of 512 bytes match'); // 82077AA + 8237A channel 2
    expect(serial).toContain('"Hello from the hard disk."'); // ATA PIO through INT 13h
    expect(serial).toContain('Demo finished');
  }, 90_000);

  it('follows the CMOS boot order: QEMU\'s default puts the hard disk first', async () => {
    const { serial, debug } = await boot(
      ['-drive', `file=${floppy},if=floppy,format=raw`, '-drive', `file=${disk},if=ide,format=raw`],
      (o) => o.serial.includes('booted from the built-in hard disk') && o.debug.includes('Booting from hard disk...'),
    );
    expect(debug).toContain('Booting from hard disk...');
    expect(serial).toContain('booted from the built-in hard disk image');
  }, 90_000);

  it('says so clearly when nothing can boot', async () => {
    const { debug } = await boot([], (o) => o.debug.includes('No bootable device.'));
    expect(debug).toContain('No bootable device.');
  }, 90_000);

  it('refuses a disk without the boot signature', async () => {
    const blank = join(work, 'blank.img');
    writeFileSync(blank, Buffer.alloc(1_474_560));
    const { debug } = await boot(['-drive', `file=${blank},if=floppy,format=raw`, '-boot', 'a'], (o) => o.debug.includes('No bootable device.'));
    expect(debug).toContain('Boot failed: not a bootable disk');
  }, 90_000);
});
