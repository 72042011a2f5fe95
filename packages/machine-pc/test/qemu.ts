// Shared by the QEMU cross-checks: boot QEMU's isapc machine (its own 8259A, 8254, 8237A,
// 82077AA, ATA/ATAPI and 16550A models, a 486 without APIC) on our BIOS and watch its serial
// port and debug console.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const firmware = resolve(import.meta.dirname, '../firmware');

/** What the guest wrote to COM1 and to the debug console (port 402h/E9h). */
export interface QemuOutput {
  serial: string;
  debug: string;
}

/**
 * Boot QEMU with our bios.bin and `args` until `until` holds for what the serial port and the
 * debug console have received, or `seconds` of host time pass (QEMU runs on host time). The two
 * are separate files written as the guest goes: wait for the text a test asserts on, in the
 * output it asserts on. Files go to `work`.
 */
export async function bootQemu(work: string, args: string[], until: (o: QemuOutput) => boolean, seconds = 50): Promise<QemuOutput> {
  const serial = join(work, `serial-${Math.random().toString(36).slice(2)}.txt`);
  const debug = serial.replace('serial-', 'debug-');
  const child = spawn(
    'qemu-system-i386',
    ['-M', 'isapc', '-cpu', '486', '-m', '16', '-bios', join(firmware, 'bios.bin'), '-display', 'none', '-no-reboot', '-nic', 'none',
      '-serial', `file:${serial}`, '-debugcon', `file:${debug}`, ...args],
    { stdio: 'ignore' },
  );
  const read = (p: string) => (existsSync(p) ? readFileSync(p, 'latin1') : '');
  const deadline = Date.now() + seconds * 1000;
  try {
    while (Date.now() < deadline) {
      if (until({ serial: read(serial), debug: read(debug) })) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    child.kill('SIGKILL');
  }
  return { serial: read(serial), debug: read(debug) };
}
