import { describe, expect, it } from 'vitest';
import { demoDiskImage, demoFloppyImage } from './firmware';
import { PcMachine, memoryDisk } from './Machine';

const START = Date.UTC(2026, 10, 28, 12, 0, 0);

describe('the built-in BIOS boots the built-in demo', () => {
  it('from floppy: PIT ticks, floppy and hard-disk reads, COM1 and the screen', () => {
    const m = new PcMachine({ fda: memoryDisk(demoFloppyImage()), hda: memoryDisk(demoDiskImage()), startTime: START });
    const r = m.run({ maxInstructions: 200_000_000, until: () => m.serialOutput.includes('Demo finished') });
    if (!m.serialOutput.includes('Demo finished')) {
      console.log(r, '\nDEBUG:\n' + m.debugOutput, '\nSERIAL:\n' + m.serialOutput, '\nSCREEN:\n' + m.screenText());
      console.log('CS:IP', m.cpu.state);
    }
    expect(m.debugOutput).toContain('Backplane BIOS');
    expect(m.serialOutput).toContain('booted from the built-in floppy image');
    expect(m.serialOutput).toMatch(/\.{18}18 ticks/);
    expect(m.serialOutput).toContain('512 of 512 bytes match');
    expect(m.serialOutput).toContain('"Hello from the hard disk."');
    expect(m.screenText()).toContain('Demo finished');
  });
});
