import { describe, expect, it } from 'vitest';
import { demoDiskImage } from './firmware';
import { PcMachine, memoryDisk } from './Machine';
import { PC_1_0, deriveMachineType } from './machine-types';

// The example of docs/custom-machine.md.
const serverBox = deriveMachineType(PC_1_0, {
  name: 'server-box-1',
  description: 'no floppy controller, two UARTs, a third ATA channel at 1E8h/3EEh on IRQ 11',
  remove: ['fdc'],
  add: [{ kind: 'ide', id: 'ide2', resources: { iobase: 0x1e8, ctrlbase: 0x3ee, irq: 11 } }],
});

describe('a custom machine type in a few lines', () => {
  it('has the devices it lists, at their resources, and boots from its hard disk', () => {
    const m = new PcMachine({ type: serverBox, hda: memoryDisk(demoDiskImage()), boot: 'c', startTime: 0 });
    expect([...m.devices.keys()]).not.toContain('fdc');
    expect(m.bus.io.owner(0x3f5)).toBeUndefined(); // no floppy controller: its ports float
    expect(m.bus.io.in8(0x3f4)).toBe(0xff);
    expect(m.bus.io.owner(0x1ef)).toBe('ide2');
    expect(m.bus.io.owner(0x2f8)).toBe('com2');
    const r = m.run({ maxInstructions: 50_000_000, until: () => m.serialOutput.includes('hard disk image.') });
    expect(r.reason).toBe('until');
    expect(m.serialOutput).toContain('Backplane demo: booted from the built-in hard disk image.');
  });

  it('refuses resources that collide, naming both devices', () => {
    const clash = deriveMachineType(PC_1_0, { name: 'clash', add: [{ kind: 'uart', id: 'com3', resources: { iobase: 0x3f8, irq: 4 } }] });
    expect(() => new PcMachine({ type: clash })).toThrow(/com3.*com1/);
  });
});
