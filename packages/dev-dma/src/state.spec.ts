// Saving and loading the DMA pair through its vmstate descriptor.
import { ValidationError, loadSection, saveSection } from '@backplane/vmstate';
import { describe, expect, it } from 'vitest';
import { ADDRESS_PORT, DMA1, DMA2, FakeDevice, bytes, program, readCurrent, setup } from '../test/helpers';
import { MODE_AUTO_INIT, MODE_BLOCK, MODE_DEMAND, MODE_SINGLE, TRANSFER_READ, TRANSFER_WRITE } from './registers';
import { dmaState } from './state';

type Bench = ReturnType<typeof setup>['bench'];

/** A fresh bench with the saved section loaded and the same RAM (the machine migrates RAM itself). */
function reload(from: Bench, section: Uint8Array): ReturnType<typeof setup> {
  const b = setup({ cascade: false });
  b.bench.memory.ram.set(from.memory.ram);
  b.dma.loadState(loadSection(dmaState, section, { now: b.bench.clock.now }));
  return b;
}

function devices(bench: Bench, src: Uint8Array): { d2: FakeDevice; d5: FakeDevice; d1: FakeDevice } {
  return {
    d2: new FakeDevice(bench, 2, bytes(12, 2)),
    d5: new FakeDevice(bench, 5, src),
    d1: new FakeDevice(bench, 1, bytes(64, 1)),
  };
}

/** What the guest sees from now on: registers, status, and the memory the transfers touch. */
function finish(bench: Bench, d: ReturnType<typeof devices>): unknown[] {
  const seen: unknown[] = [];
  bench.outb(ADDRESS_PORT[0], 0x12); // completes the address the guest was halfway through writing
  d.d2.supply(7);
  d.d5.supply(10);
  d.d1.supply(6);
  seen.push(readCurrent(bench, 0), readCurrent(bench, 1), readCurrent(bench, 2), readCurrent(bench, 5));
  seen.push(bench.inb(DMA1.status), bench.inb(DMA1.status), bench.inb(DMA2.status));
  seen.push(d.d5.received, d.d2.terminalCounts, d.d1.terminalCounts);
  seen.push(Array.from(bench.memory.ram.subarray(0x21000, 0x21010)), Array.from(bench.memory.ram.subarray(0x30000, 0x30010)));
  return seen;
}

describe('save in the middle of transfers', () => {
  it('a fresh instance loaded from the section continues exactly like one that never stopped', () => {
    const a = setup();
    const src = bytes(16, 5);
    a.bench.memory.ram.set(src, 0x40000);
    const da = devices(a.bench, src);
    program(a.bench, 2, { address: 0x21000, count: 12, mode: MODE_DEMAND | TRANSFER_WRITE });
    program(a.bench, 5, { address: 0x40000, count: 8, mode: MODE_SINGLE | TRANSFER_READ });
    program(a.bench, 1, { address: 0x30000, count: 4, mode: MODE_SINGLE | TRANSFER_WRITE | MODE_AUTO_INIT });
    da.d2.supply(5); // 5 of 12 bytes: DREQ dropped mid-block
    da.d5.perCall = 2;
    da.d5.supply(6); // 3 of 8 words
    da.d1.supply(2);
    program(a.bench, 3, { address: 0x50000, count: 1, mode: MODE_BLOCK | TRANSFER_WRITE });
    a.bench.outb(DMA1.request, 0x04 | 3); // channel 3 reaches TC: status bit 3 pending
    a.bench.outb(DMA1.flipFlop, 0);
    a.bench.outb(ADDRESS_PORT[0], 0x34); // flip-flop left pointing at the high byte

    const section = saveSection(dmaState, a.dma.saveState(), { now: a.bench.clock.now });
    const b = reload(a.bench, section);
    const db = devices(b.bench, src);
    db.d2.sent = da.d2.sent; // the devices' own state travels in their own sections
    db.d5.sent = da.d5.sent;
    db.d5.perCall = 2;
    db.d5.received.push(...da.d5.received);
    db.d1.sent = da.d1.sent;

    const expected = finish(a.bench, da);
    expect(finish(b.bench, db)).toEqual(expected);
    // TC on 3 (pending across the save), on 2 and on 1 (autoinitialised); channel 1 still requests
    expect(expected[4]).toBe(0x20 | 0x08 | 0x04 | 0x02);
  });
});

describe('descriptor and subsections', () => {
  it('leaves the block-transfer subsection out in the usual state', () => {
    const { dma } = setup();
    const section = saveSection(dmaState, dma.saveState(), { now: 0 });
    expect(Buffer.from(section).includes('block-transfer')).toBe(false);
  });

  it('carries a block transfer stalled by its device, which then runs to TC on the loading side', () => {
    const a = setup();
    const da = new FakeDevice(a.bench, 1, bytes(8));
    program(a.bench, 1, { address: 0x6000, count: 8, mode: MODE_BLOCK | TRANSFER_WRITE });
    da.supply(3); // the device runs dry after 3 bytes: the block is started but not finished
    expect(a.dma.state.blockActive).toBe(2);
    const section = saveSection(dmaState, a.dma.saveState(), { now: 0 });
    expect(Buffer.from(section).includes('block-transfer')).toBe(true);

    const b = reload(a.bench, section);
    const db = new FakeDevice(b.bench, 1, bytes(8));
    db.sent = 3;
    db.perCall = 1;
    db.releaseEarly = true; // DREQ drops after one byte: block mode carries on regardless
    db.supply(5);
    expect(db.terminalCounts).toBe(1);
    expect(Array.from(b.bench.memory.ram.subarray(0x6000, 0x6008))).toEqual(Array.from(bytes(8)));
  });

  it('refuses an invalid state object before adopting any of it', () => {
    const { bench, dma } = setup();
    const bad = dma.saveState();
    bad.channels[3]!.mode = 0x41; // names channel 1
    bad.pages[0] = 0x77;
    expect(() => dma.loadState(bad)).toThrow(ValidationError);
    expect(bench.inb(0x80)).toBe(0);
  });
});
