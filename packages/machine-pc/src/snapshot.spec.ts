import { createHash } from 'node:crypto';
import { isWasmRam } from '@backplane/vmstate';
import { describe, expect, it } from 'vitest';
import { demoDiskImage, demoFloppyImage } from './firmware';
import { PcMachine, memoryDisk, type MachineOptions } from './Machine';

const START = Date.UTC(2026, 10, 28, 12, 0, 0);

function options(): MachineOptions {
  return { fda: memoryDisk(demoFloppyImage()), hda: memoryDisk(demoDiskImage()), startTime: START };
}

async function bytesOf(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

async function stateHash(m: PcMachine): Promise<string> {
  return createHash('sha256').update(await bytesOf(m.save())).digest('hex');
}

describe('whole-machine save and load', () => {
  it('run to N, save, load into a fresh machine, run on: output and final state equal one uninterrupted run (N at every tenth)', async () => {
    const reference = new PcMachine(options());
    const ref = reference.run({});
    expect(ref.reason).toBe('halted');
    const total = reference.instructions;
    const refHash = await stateHash(reference);
    expect(reference.serialOutput).toContain('Demo finished');

    for (let k = 1; k <= 9; k++) {
      const n = Math.floor((total * k) / 10);
      const a = new PcMachine(options());
      a.run({ maxInstructions: n });
      expect(a.instructions).toBe(n);
      const snapshot = await bytesOf(a.save());
      const b = new PcMachine(options());
      await b.load(snapshot);
      expect(b.instructions).toBe(n);
      const r = b.run({});
      expect(r.reason).toBe('halted');
      expect(b.instructions, `split at ${k}/10`).toBe(total);
      expect(a.serialOutput + b.serialOutput, `split at ${k}/10`).toBe(reference.serialOutput);
      expect(b.screenText(), `split at ${k}/10`).toBe(reference.screenText());
      expect(await stateHash(b), `split at ${k}/10`).toBe(refHash);
    }
  }, 120_000);

  it('a corrupt stream is refused with a typed error and the machine keeps running as before', async () => {
    const a = new PcMachine(options());
    a.run({ maxInstructions: 3_000_000 });
    const snapshot = await bytesOf(a.save());
    const b = new PcMachine(options());
    b.run({ maxInstructions: 1_000_000 });
    const before = await stateHash(b);
    const corrupt = snapshot.slice();
    corrupt[corrupt.length - 100] ^= 0x40;
    await expect(b.load(corrupt)).rejects.toThrow();
    expect(await stateHash(b)).toBe(before);
    await expect(b.load(snapshot.subarray(0, snapshot.length / 2))).rejects.toThrow();
    expect(await stateHash(b)).toBe(before);
  });
});

describe('RAM in WebAssembly memory (vmstate allocateRam)', () => {
  it('the machine\'s RAM is isWasmRam and is the region save reads in place; a round trip gives identical RAM and state', async () => {
    const a = new PcMachine(options());
    const ram = a.bus.memory.ram;
    expect(isWasmRam(ram)).toBe(true);
    expect(a.cpu.ram).toBe(ram);
    a.run({ maxInstructions: 3_000_000 });
    // With views, vmstate's page data are views of the region it was given: of this very array.
    const views: Uint8Array[] = [];
    for await (const c of a.save({ views: true })) views.push(c);
    expect(views.some((c) => c.buffer === ram.buffer)).toBe(true);
    const snapshot = await bytesOf(a.save());
    expect(Buffer.concat(views).equals(snapshot)).toBe(true);

    // Into a fresh machine (RAM zero but the BIOS) and over one that has run elsewhere.
    const b = new PcMachine(options());
    const c = new PcMachine(options());
    c.run({ maxInstructions: 1_000_000 });
    for (const m of [b, c]) {
      const mine = m.bus.memory.ram;
      expect(isWasmRam(mine)).toBe(true);
      expect(mine.buffer).not.toBe(ram.buffer);
      await m.load(snapshot);
      expect(m.bus.memory.ram).toBe(mine); // loaded in place, not replaced
      expect(Buffer.from(mine.buffer, mine.byteOffset, mine.length).equals(Buffer.from(ram.buffer, ram.byteOffset, ram.length))).toBe(true);
      expect(m.instructions).toBe(a.instructions);
      expect(await stateHash(m)).toBe(await stateHash(a));
    }

    // And they run on alike.
    for (const m of [a, b, c]) expect(m.run({}).reason).toBe('halted');
    expect(b.screenText()).toBe(a.screenText());
    expect(c.screenText()).toBe(a.screenText());
    expect(await stateHash(b)).toBe(await stateHash(a));
    expect(await stateHash(c)).toBe(await stateHash(a));
  }, 60_000);
});
