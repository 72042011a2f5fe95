// DMA throughput: a device moving a 64 KiB block through the 8237A pair (ports programmed as a
// BIOS does, one transfer() call per block), against the bus's own block copy into guest memory
// (MemorySpace.writeBytes, the baseline) and the test kit's fake controller.
// Run: npm run bench -w @backplane/dev-dma
import { performance } from 'node:perf_hooks';
import type { DmaChannel } from '@backplane/bus';
import { createTestBench } from '@backplane/bus/testing';
import { dmaModule } from '../src/index';

const BLOCK = 0x10000;
const data = Uint8Array.from({ length: BLOCK }, (_, i) => (i * 31) & 0xff);

function measure(name: string, blocks: number, body: (n: number) => number): { name: string; mbps: number } {
  let sink = 0;
  sink ^= body(Math.max(1, blocks >> 2));
  const rates: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    sink ^= body(blocks);
    rates.push((blocks * BLOCK) / ((performance.now() - t0) / 1000) / 1e6);
  }
  rates.sort((a, b) => a - b);
  if (sink === 0.5) console.log(sink);
  return { name, mbps: rates[3]! };
}

// Baseline: a plain typed-array copy into the RAM backing store (the upper bound for any DMA).
const base = createTestBench([], { fakeDma: false });
const baseline = measure('Uint8Array.set into RAM (baseline)', 64, (n) => {
  for (let i = 0; i < n; i++) base.memory.ram.set(data, 0x20000);
  return base.memory.ram[0x20000]!;
});
// For reference: the bus's byte-by-byte block copy through its access rules.
const bytewise = measure('MemorySpace.writeBytes (byte by byte)', 16, (n) => {
  for (let i = 0; i < n; i++) base.memory.writeBytes(0x20000, data);
  return base.memory.ram[0x20000]!;
});

// The 8237A pair, channel 2 (the floppy's), write transfer, single mode.
const bench = createTestBench([dmaModule()], { fakeDma: false });
bench.outb(0xd6, 0xc0);
bench.outb(0xd4, 0x00);
let ch: DmaChannel;
ch = bench.bus.dma.attach(2, 'bench', {
  transfer: (position, length) => position + ch.writeMemory(data, position, position, length - position),
});
const real8 = measure('8237A channel 2, 64 KiB write transfer', 64, (n) => {
  for (let i = 0; i < n; i++) {
    bench.outb(0x0a, 0x06);
    bench.outb(0x0b, 0x46);
    bench.outb(0x0c, 0);
    bench.outb(0x04, 0x00);
    bench.outb(0x04, 0x00);
    bench.outb(0x81, 0x02);
    bench.outb(0x05, 0xff);
    bench.outb(0x05, 0xff);
    bench.outb(0x0a, 0x02);
    ch.request();
  }
  return bench.memory.ram[0x20000]!;
});

// The 16-bit side, channel 5, word transfer of the same 64 KiB (32 Ki words).
let ch5: DmaChannel;
ch5 = bench.bus.dma.attach(5, 'bench16', {
  transfer: (position, length) => position + ch5.writeMemory(data, position, position, length - position),
});
const real16 = measure('8237A channel 5, 64 KiB write transfer (words)', 64, (n) => {
  for (let i = 0; i < n; i++) {
    bench.outb(0xd4, 0x05);
    bench.outb(0xd6, 0x45);
    bench.outb(0xd8, 0);
    bench.outb(0xc4, 0x00);
    bench.outb(0xc4, 0x00);
    bench.outb(0x8b, 0x02);
    bench.outb(0xc6, 0xff);
    bench.outb(0xc6, 0x7f);
    bench.outb(0xd4, 0x01);
    ch5.request();
  }
  return bench.memory.ram[0x20000]!;
});

// The test kit's fake controller (physical address, no registers).
const fake = createTestBench([]);
let fch: DmaChannel;
fch = fake.bus.dma.attach(2, 'bench', {
  transfer: (position, length) => position + fch.writeMemory(data, position, position, length - position),
});
const fakeResult = measure('FakeDmaController, 64 KiB write transfer', 64, (n) => {
  for (let i = 0; i < n; i++) {
    fake.dma.program(2, { address: 0x20000, length: BLOCK, direction: 'write' });
    fch.request();
  }
  return fake.memory.ram[0x20000]!;
});

console.log('\nDMA throughput (64 KiB blocks into RAM)');
for (const r of [baseline, real8, real16, fakeResult, bytewise])
  console.log(`  ${r.name.padEnd(48)} ${r.mbps.toFixed(0).padStart(6)} MB/s  ${(baseline.mbps / r.mbps).toFixed(2)}x baseline time`);
