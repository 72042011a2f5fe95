// Golden stream: the version-1 section of a known DMA state, committed as bytes. A later build
// must still load it (version skew between saver and loader is normal) and, while the descriptor
// is at version 1, must encode the same state to the same bytes.
// Regenerate only on purpose: UPDATE_GOLDEN=1 npx vitest run --project dev-dma golden
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadSection, saveSection } from '@backplane/vmstate';
import { describe, expect, it } from 'vitest';
import { ADDRESS_PORT, DMA1, FakeDevice, bytes, program, readCurrent, setup } from '../test/helpers';
import { MODE_BLOCK, MODE_SINGLE, TRANSFER_READ, TRANSFER_WRITE } from './registers';
import { dmaState } from './state';

const GOLDEN = fileURLToPath(new URL('../test/golden/dma-8237-pair-v1.bin', import.meta.url));

/**
 * Channel 1: block write of 8 bytes at 0x16000 stalled after 3 (block-transfer subsection);
 * channel 6: single read of 4 words at 0x48000, not started, DREQ low; channel 3 reached TC
 * (status not read); page 80h = 0x5A; DMA1 flip-flop at the high byte; rotating priority on DMA1.
 */
function scenario(): Uint8Array {
  const { bench, dma } = setup();
  const dev = new FakeDevice(bench, 1, bytes(8));
  bench.outb(DMA1.command, 0x10);
  program(bench, 1, { address: 0x16000, count: 8, mode: MODE_BLOCK | TRANSFER_WRITE });
  dev.supply(3);
  program(bench, 6, { address: 0x48000, count: 4, mode: MODE_SINGLE | TRANSFER_READ });
  program(bench, 3, { address: 0x50000, count: 1, mode: MODE_BLOCK | TRANSFER_WRITE });
  bench.outb(DMA1.request, 0x04 | 3);
  bench.outb(0x80, 0x5a);
  bench.outb(DMA1.flipFlop, 0);
  bench.outb(ADDRESS_PORT[0], 0x00);
  return saveSection(dmaState, dma.saveState(), { now: bench.clock.now });
}

describe('golden stream dma-8237-pair v1', () => {
  it('loads into a fresh pair that shows the saved registers and resumes the stalled block', () => {
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, scenario());
    expect(existsSync(GOLDEN)).toBe(true);
    const { bench, dma } = setup({ cascade: false });
    dma.loadState(loadSection(dmaState, new Uint8Array(readFileSync(GOLDEN)), { now: 0 }));
    expect(bench.inb(0x80)).toBe(0x5a);
    expect(bench.inb(ADDRESS_PORT[0])).toBe(0x00); // the high byte: the flip-flop was left set
    expect(bench.inb(DMA1.status)).toBe(0x08);
    expect(readCurrent(bench, 1)).toEqual({ address: 0x6003, count: 4 });
    expect(readCurrent(bench, 6)).toEqual({ address: 0x4000, count: 3 });
    expect(dma.state.blockActive).toBe(0x02);
    expect(dma.state.controllers[0]!.command).toBe(0x10);
    const dev = new FakeDevice(bench, 1, bytes(8));
    dev.sent = 3;
    dev.supply(5);
    expect(dev.terminalCounts).toBe(1);
    expect(Array.from(bench.memory.ram.subarray(0x16003, 0x16008))).toEqual(Array.from(bytes(8).subarray(3)));
  });

  it('is what this build writes for the same state', () => {
    expect(Buffer.from(scenario()).equals(readFileSync(GOLDEN))).toBe(true);
  });
});
