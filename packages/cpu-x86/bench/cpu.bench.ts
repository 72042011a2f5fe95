// Instruction throughput on real-mode guest loops, against the same loop written in plain
// JavaScript (the baseline: what the work costs without any emulation).
// Run: npm run bench -w @backplane/cpu-x86
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { IoSpace, MemorySpace, VirtualClock } from '@backplane/bus';
import { X86Cpu, type CpuModel } from '../src/index';

interface Result {
  readonly name: string;
  readonly mips: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Time `body(n)` (n instructions or loop steps) over several rounds; median rate in millions per second. */
function measure(name: string, n: number, body: (n: number) => number, rounds = 7): Result {
  let sink = 0;
  for (let i = 0; i < 3; i++) sink ^= body(Math.floor(n / 4));
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    sink ^= body(n);
    rates.push(n / ((performance.now() - t0) * 1000));
  }
  if (sink === 0.5) console.log(sink);
  return { name, mips: median(rates) };
}

const CODE_SEG = 0x1000;

function machine(model: CpuModel, code: number[], translate = true): X86Cpu {
  const memory = new MemorySpace({ backingSize: 0x100000, addressBits: model === '80286' ? 24 : 20 });
  memory.mapRam('ram', 0, 0x100000);
  memory.ram.set(code, CODE_SEG * 16);
  const cpu = new X86Cpu({ memory, io: new IoSpace(), clock: new VirtualClock() }, { model, translate });
  cpu.setSegment(1, CODE_SEG);
  cpu.setSegment(0, 0x2000);
  cpu.setSegment(2, 0x3000);
  cpu.setSegment(3, 0x2000);
  cpu.state.gpr[4] = 0xfffe;
  cpu.state.ip = 0;
  return cpu;
}

// Tight loop: start: mov cx,0 / L: dec cx / jnz L / jmp start  (2 instructions per iteration)
const TIGHT = [0xb9, 0x00, 0x00, 0x49, 0x75, 0xfd, 0xeb, 0xf8];

// Mixed loop (15 instructions per iteration): loads, stores, ALU, string, stack, shifts and
// branches over a 4 KiB window.
//   start: mov cx,0 / mov si,100h / mov di,200h
//   L:     mov ax,[si] / add ax,bx / mov [di],ax / xor bx,ax / lodsb / stosb
//          and si,0FFFh / and di,0FFFh / shl ax,1 / push ax / pop dx
//          cmp al,80h / jb S / inc dx / S: loop L / jmp start
const MIXED = [
  0xb9, 0x00, 0x00, 0xbe, 0x00, 0x01, 0xbf, 0x00, 0x02,
  // L (offset 9):
  0x8b, 0x04, 0x01, 0xd8, 0x89, 0x05, 0x31, 0xc3, 0xac, 0xaa, 0x81, 0xe6, 0xff, 0x0f, 0x81, 0xe7, 0xff, 0x0f, 0xd1, 0xe0, 0x50, 0x5a, 0x3c,
  0x80, 0x72, 0x01, 0x42,
  // S (offset 36): loop L
  0xe2, 0xe3,
  // jmp start
  0xeb, 0xd8,
];

function tightBaseline(n: number): number {
  // The same loop in JavaScript: a 16-bit counter in a typed array, decrement and test.
  const regs = new Uint16Array(8);
  let flagsZero = 0;
  for (let i = 0; i < n; i += 2) {
    regs[1] = regs[1]! - 1;
    flagsZero = regs[1] === 0 ? 1 : 0;
  }
  return regs[1]! + flagsZero;
}

function mixedBaseline(n: number): number {
  // The mixed loop's work in JavaScript (15 guest instructions per iteration).
  const mem = new Uint8Array(0x10000);
  const r = new Uint16Array(8);
  let cf = 0;
  r[6] = 0x100;
  r[7] = 0x200;
  for (let i = 0; i < n; i += 15) {
    let ax = mem[r[6]!]! | (mem[r[6]! + 1]! << 8);
    ax = (ax + r[3]!) & 0xffff;
    mem[r[7]!] = ax;
    mem[r[7]! + 1] = ax >> 8;
    r[3] = r[3]! ^ ax;
    ax = (ax & 0xff00) | mem[r[6]!]!;
    r[6] = (r[6]! + 1) & 0xfff;
    mem[r[7]!] = ax;
    r[7] = (r[7]! + 1) & 0xfff;
    cf = ax >> 15;
    ax = (ax << 1) & 0xffff;
    r[2] = ax;
    if ((ax & 0xff) < 0x80) r[2] = r[2]! + 1;
    r[0] = ax;
    r[1] = r[1]! - 1;
  }
  return r[0]! + r[2]! + cf;
}

function runGuest(cpu: X86Cpu): (n: number) => number {
  return (n) => {
    cpu.run(n);
    return cpu.state.gpr[1]!;
  };
}

// Straight-line code run a few dozen times: zero-filled memory is `add [bx+si],al` (00 00)
// over and over, run through a whole 64 KiB code segment and round again (each address about
// 61 times in 2M instructions), as a program that runs astray into zeroed memory does. The
// store lands beside the code (page 0) or in the page being run (9400h, code at 9000h).
// Each round starts from a fresh processor and zeroed memory, so nothing translated is reused.
function linearGuest(translate: boolean, target: number): (n: number) => number {
  const memory = new MemorySpace({ backingSize: 0x100000, addressBits: 24 });
  memory.mapRam('ram', 0, 0x100000);
  const cpu = new X86Cpu({ memory, io: new IoSpace(), clock: new VirtualClock() }, { model: '80286', translate });
  return (n) => {
    memory.ram.fill(0);
    cpu.reset();
    for (let i = 0; i < 4; i++) cpu.setSegment(i, 0);
    cpu.state.ip = 0x9000;
    cpu.state.gpr[3] = target;
    cpu.state.gpr[0] = 1;
    cpu.run(n);
    return cpu.state.ip;
  };
}

const N = 60_000_000;
const results: Result[] = [];
const tightBase = measure('tight loop in plain JS (baseline)', N, tightBaseline);
results.push(tightBase);
for (const model of ['8086', '80286'] as const) results.push(measure(`tight dec/jnz loop, ${model}`, N, runGuest(machine(model, TIGHT))));
results.push(measure('tight loop, 8086, interpreter only', N / 4, runGuest(machine('8086', TIGHT, false))));
const mixedBase = measure('mixed loop in plain JS (baseline)', N, mixedBaseline);
results.push(mixedBase);
for (const model of ['8086', '80286'] as const) results.push(measure(`mixed ALU/memory/string/branch loop, ${model}`, N, runGuest(machine(model, MIXED))));
results.push(measure('mixed loop, 8086, interpreter only', N / 4, runGuest(machine('8086', MIXED, false))));
const linear: Result[] = [];
for (const target of [0, 0x9400]) {
  const where = target === 0 ? 'store beside' : 'store into code page';
  linear.push(measure(`linear 00 00 code, ${where}, interpreter only`, 2_000_000, linearGuest(false, target)));
  linear.push(measure(`linear 00 00 code, ${where}, translated`, 2_000_000, linearGuest(true, target)));
}

console.log(`\ncpu-x86: millions of guest instructions per second (median of 7 rounds; load average ${loadavg()[0]!.toFixed(1)})`);
for (const r of results) {
  const base = r.name.startsWith('tight') ? tightBase : mixedBase;
  const ratio = r === base ? '(baseline)' : `${(base.mips / r.mips).toFixed(1)}x baseline time`;
  console.log(`  ${r.name.padEnd(48)} ${r.mips.toFixed(1).padStart(8)} MIPS  ${ratio}`);
}
for (let i = 0; i < linear.length; i += 2) {
  const [interp, translated] = [linear[i]!, linear[i + 1]!];
  console.log(`  ${interp.name.padEnd(60)} ${interp.mips.toFixed(1).padStart(8)} MIPS  (baseline)`);
  console.log(`  ${translated.name.padEnd(60)} ${translated.mips.toFixed(1).padStart(8)} MIPS  ${(interp.mips / translated.mips).toFixed(2)}x interpreter time`);
}
