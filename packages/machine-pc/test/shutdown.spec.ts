// A guest that shuts the 80286 down (a fault while delivering a fault: INT with SP = 1 in real
// mode) does not stop the host: as on the IBM AT, the shutdown cycle resets the processor, and
// the BIOS runs its POST again (the AT's way back from protected mode relied on it).
import { MemoryImage } from '@backplane/block';
import { describe, expect, it } from 'vitest';
import { PcMachine } from '../src/Machine';

/** Boot sector: mov sp, 1 (BC 01 00); int 3 (CD 03); then halt (FA F4) if it ever came back. */
function shutdownFloppy(): MemoryImage {
  const image = new Uint8Array(1_474_560);
  image.set([0xbc, 0x01, 0x00, 0xcd, 0x03, 0xfa, 0xf4]);
  image[510] = 0x55;
  image[511] = 0xaa;
  return new MemoryImage(image);
}

describe('80286 shutdown on the AT', () => {
  it('resets the processor; the BIOS starts over and boots the same floppy again', () => {
    const m = new PcMachine({ fda: shutdownFloppy(), startTime: Date.UTC(2026, 0, 1) });
    const r = m.run({ maxInstructions: 30_000_000 });
    expect(r.reason).toBe('budget');
    const posts = m.debugOutput.split('Backplane BIOS').length - 1;
    expect(posts).toBeGreaterThanOrEqual(2);
    expect(m.debugOutput.split('Booting from floppy...').length - 1).toBeGreaterThanOrEqual(2);
  });
});
