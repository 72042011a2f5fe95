// Real software on the whole machine: a floppy formatted by Debian's mkfs.fat (a tool we did not
// write) boots on the built-in BIOS, and the message its boot sector prints reaches the screen.
// Skipped, with a message, where mkfs.fat is not installed (CI installs dosfstools).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PcMachine, memoryDisk } from '../src/index';

const mkfs = (() => {
  for (const cmd of ['mkfs.fat', '/usr/sbin/mkfs.fat', '/sbin/mkfs.fat'])
    try {
      execFileSync(cmd, ['--help'], { stdio: 'ignore' });
      return cmd;
    } catch (e) {
      if ((e as { status?: number }).status !== undefined) return cmd; // ran, just exited non-zero
    }
  return undefined;
})();
if (!mkfs) console.warn('real-software: mkfs.fat is not installed; skipping (apt-get install dosfstools)');

const dir = mkdtempSync(join(tmpdir(), 'bp-real-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!mkfs)('a floppy formatted by mkfs.fat', () => {
  it('boots: its boot sector prints the "not a bootable disk" message on the screen and waits for a key', () => {
    const path = join(dir, 'fat.img');
    execFileSync(mkfs!, ['-C', path, '1440'], { stdio: 'ignore' });
    const m = new PcMachine({ fda: memoryDisk(new Uint8Array(readFileSync(path))), startTime: 0 });
    const r = m.run({ maxInstructions: 100_000_000, until: () => m.screenText().includes('press any key') });
    expect(r.reason).toBe('until');
    // dosfstools' boot code (mkfs.fat.c, "This is not a bootable disk...") printed through INT 10h
    expect(m.screenText()).toContain('This is not a bootable disk.  Please insert a bootable floppy and');
    expect(m.screenText()).toContain('press any key to try again ...');
  });
});
