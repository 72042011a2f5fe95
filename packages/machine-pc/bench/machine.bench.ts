// Whole-machine benchmarks, each against its baseline in the same run.
// Run: npm run bench -w @backplane/machine-pc
import { performance } from 'node:perf_hooks';
import { Bus } from '@backplane/bus';
import { X86Cpu } from '@backplane/cpu-x86';
import { PcMachine, demoDiskImage, demoFloppyImage, memoryDisk } from '../src/index';

// A CPU-bound guest loop (mixed ALU, memory and branch), as a boot sector:
//   sti
//   top: add ax,bx / mov [si],ax / inc si / and si,0FFFh / xor dx,ax / dec cx / jnz top / jmp top
const LOOP = [0xfb, 0x01, 0xd8, 0x89, 0x04, 0x46, 0x81, 0xe6, 0xff, 0x0f, 0x31, 0xc2, 0x49, 0x75, 0xf3, 0xeb, 0xf1];
const bootSector = new Uint8Array(1_474_560);
bootSector.set(LOOP);
bootSector[510] = 0x55;
bootSector[511] = 0xaa;

const N = 100_000_000;

function rate(label: string, run: () => number): number {
  run(); // warm-up
  const rates: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const n = run();
    rates.push(n / ((performance.now() - t0) / 1000) / 1e6);
  }
  rates.sort((a, b) => a - b);
  const median = rates[2]!;
  console.log(`  ${label.padEnd(58)} ${median.toFixed(1).padStart(7)} MIPS`);
  return median;
}

// Bare CPU: the loop alone on a bus with RAM, no devices, no timers.
const bus = new Bus({ backingSize: 0x100000, addressBits: 24 });
bus.memory.mapRam('ram', 0, 0xa0000);
bus.memory.ram.set(LOOP, 0x7c00);
const bare = new X86Cpu(bus, { model: '80286' });
bare.reset();
bare.setSegment(1 /* CS */, 0);
bare.state.ip = 0x7c00;

// Whole machine: the BIOS boots the same loop from a floppy; the PIT ticks IRQ 0 at 18.2 Hz
// into the BIOS's handler, every device is plugged.
const machine = new PcMachine({ fda: memoryDisk(bootSector), startTime: 0 });
machine.run({ maxInstructions: 50_000_000, until: () => (machine.cpu.state.seg[1] === 0 && machine.cpu.state.ip >= 0x7c00 && machine.cpu.state.ip < 0x7c20) });

console.log('\nInstruction rate on the guest loop (median of 5 runs of 100M instructions)');
const bareRate = rate('bare CPU (baseline)', () => {
  let left = N;
  while (left > 0) {
    const before = bus.clock.instructions;
    bare.run(Math.min(left, 1_000_000));
    left -= bus.clock.instructions - before;
  }
  return N;
});
const machineRate = rate('whole machine (BIOS tick, all devices)', () => machine.run({ maxInstructions: N }).instructions);
console.log(`  ratio: ${(machineRate / bareRate).toFixed(2)} of the bare CPU (goal >= 0.8)`);

// Reset to the demo's first output on COM1, built-in firmware.
console.log('\nReset to first output (built-in BIOS, demo floppy), host time');
const times: number[] = [];
for (let i = 0; i < 7; i++) {
  const t0 = performance.now();
  const m = new PcMachine({ fda: memoryDisk(demoFloppyImage()), hda: memoryDisk(demoDiskImage()), startTime: 0 });
  m.run({ until: () => m.serialOutput.length > 0, sliceInstructions: 20_000 });
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(`  construct + POST + boot to the first COM1 byte: median ${times[3]!.toFixed(1)} ms (goal < 100 ms)`);

// Save and load of machines with random RAM: 1 MiB (the fixed share: device sections, disks,
// the CPU's translation cache) and 16 MiB less the BIOS alias (the 80286's limit), against a
// plain copy of the same RAM.
const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1]!;
for (const kib of [1024, 16 * 1024 - 64]) {
  console.log(`\nSave and load, ${kib} KiB of random RAM${kib > 1024 ? ' (the most an 80286 machine holds)' : ''}`);
  const big = new PcMachine({ memoryKiB: kib, startTime: 0 });
  const ram = big.bus.memory.ram;
  let x = 12345;
  for (let i = 0; i < ram.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    ram[i] = x;
    ram[i + 1] = x >> 8;
    ram[i + 2] = x >> 16;
    ram[i + 3] = x >> 24;
  }
  const copy = new Uint8Array(ram.length);
  const t0 = performance.now();
  for (let i = 0; i < 5; i++) copy.set(ram);
  const copyMs = (performance.now() - t0) / 5;
  const dest = new PcMachine({ memoryKiB: kib, startTime: 0 });
  const saveOnce = async (views: boolean): Promise<{ ms: number; chunks: Uint8Array[] }> => {
    const chunks: Uint8Array[] = [];
    const ts = performance.now();
    for await (const c of big.save({ views })) chunks.push(c);
    return { ms: performance.now() - ts, chunks };
  };
  const saveViews: number[] = [];
  const saveCopies: number[] = [];
  const loads: number[] = [];
  const freshLoads: number[] = [];
  const freshBuilds: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 7; i++) {
    saveViews.push((await saveOnce(true)).ms);
    const s = await saveOnce(false);
    saveCopies.push(s.ms);
    bytes = s.chunks.reduce((n, c) => n + c.length, 0);
    const ts = performance.now();
    await dest.load(s.chunks); // chunks in memory: every record checked before RAM is written
    loads.push(performance.now() - ts);
    // A machine just built (RAM zero but the BIOS), as `backplane run --load FILE` loads into.
    const tb = performance.now();
    const fresh = new PcMachine({ memoryKiB: kib, startTime: 0 });
    const tf = performance.now();
    await fresh.load(s.chunks);
    freshLoads.push(performance.now() - tf);
    freshBuilds.push(tf - tb);
  }
  console.log(`  TypedArray.set copy of the same RAM (baseline): ${copyMs.toFixed(1)} ms`);
  console.log(`  save, RAM as views (what the CLI writes to a file or pipe): median ${median(saveViews).toFixed(1)} ms of 7`);
  console.log(`  save, RAM copied into the chunks: median ${median(saveCopies).toFixed(1)} ms of 7 (${bytes} bytes)`);
  console.log(`  load from the chunks in memory (over the same RAM): median ${median(loads).toFixed(1)} ms of 7`);
  console.log(`  load from the chunks in memory into a machine just built: median ${median(freshLoads).toFixed(1)} ms of 7 (building it: median ${median(freshBuilds).toFixed(1)} ms)`);
}
