// The processor as the machine sees it: the run loop, interrupts, NMI, halt, breakpoints,
// address lines and the saved state. Instruction semantics are checked against real chips by
// test/singlestep.spec.ts (SingleStepTests).
import { IoSpace, IrqLine, MemorySpace, VirtualClock, type InterruptController } from '@backplane/bus';
import { ChecksumError, ValidationError, loadSection, saveSection } from '@backplane/vmstate';
import { describe, expect, it } from 'vitest';
import { CpuStateError, X86Cpu } from './Cpu';
import { CF, CS, DS, ES, IF, SS, TF } from './registers';
import { cpuStateDescriptor } from './state';

const CODE = 0x1000;
const STACK = 0x2000;
const DATA = 0x3000;
const HANDLER = 0x0500;

/** A bare machine: 1 MiB of RAM, one instruction per microsecond, code at 1000:0000. */
function machine(code: number[], model: '8086' | '80186' | '80286' = '8086') {
  const memory = new MemorySpace({ backingSize: 0x100000, addressBits: model === '8086' ? 20 : 24 });
  memory.mapRam('ram', 0, 0x100000);
  const io = new IoSpace();
  const clock = new VirtualClock({ instructionsPerMicrosecond: 1 });
  const cpu = new X86Cpu({ memory, io, clock }, { model });
  memory.ram.set(code, CODE * 16);
  cpu.setSegment(CS, CODE);
  cpu.setSegment(SS, STACK);
  cpu.setSegment(DS, DATA);
  cpu.setSegment(ES, DATA);
  cpu.state.ip = 0;
  cpu.state.gpr[4] = 0x1000;
  return { cpu, memory, io, clock, s: cpu.state };
}

/** Point interrupt vector `v` at HANDLER:0000 and put `code` there. */
function handler(memory: MemorySpace, v: number, code: number[]): void {
  memory.ram[v * 4] = 0;
  memory.ram[v * 4 + 1] = 0;
  memory.ram[v * 4 + 2] = HANDLER & 0xff;
  memory.ram[v * 4 + 3] = HANDLER >> 8;
  memory.ram.set(code, HANDLER * 16);
}

/** An interrupt controller with one request: INTA returns `vector` and drops INTR. */
class FakePic implements InterruptController {
  readonly intr = new IrqLine('intr');
  acks = 0;
  constructor(private readonly vector: number) {}
  acknowledge(): number {
    this.acks++;
    this.intr.lower();
    return this.vector;
  }
}

const NOPS = (n: number): number[] => new Array<number>(n).fill(0x90);
const INC_BX = 0x43;
const IRET = 0xcf;
const HLT = 0xf4;
const STI = 0xfb;
const CLI = 0xfa;

function word(memory: MemorySpace, seg: number, off: number): number {
  const a = seg * 16 + off;
  return memory.ram[a]! | (memory.ram[a + 1]! << 8);
}

describe('run: why it returns', () => {
  it('"budget" after exactly the budget; the clock is told every instruction', () => {
    const { cpu, clock, s } = machine(NOPS(1000));
    expect(cpu.run(100)).toBe('budget');
    expect(s.ip).toBe(100);
    expect(clock.instructions).toBe(100);
    expect(clock.now).toBe(100_000);
  });

  it('"event" when a clock event is due, after it fired, at the instruction count it asked for', () => {
    const { cpu, clock, s } = machine(NOPS(1000));
    let firedAt = -1;
    clock.timer('t', (now) => (firedAt = now)).armAt(50_000);
    expect(cpu.run(1000)).toBe('event');
    expect(firedAt).toBe(50_000);
    expect(s.ip).toBe(50);
    expect(cpu.run(20)).toBe('budget');
    expect(s.ip).toBe(70);
  });

  it('"halt" at HLT; idle time passes on the clock up to the next event', () => {
    const { cpu, clock, s } = machine([0x90, HLT, 0x90]);
    clock.timer('t', () => {}).armAt(30_000);
    expect(cpu.run(1000)).toBe('event'); // halted at 2 instructions, idle until the timer
    expect(s.halted).toBe(true);
    expect(s.ip).toBe(2);
    expect(clock.now).toBe(30_000);
    // Still halted, nothing pending: the rest of the budget passes idle.
    expect(cpu.run(100)).toBe('halt');
    expect(clock.instructions).toBe(130);
  });

  it('"breakpoint" before the instruction at a breakpoint; the next run executes it', () => {
    const { cpu, s } = machine(NOPS(100));
    cpu.addBreakpoint(CODE * 16 + 5);
    expect(cpu.run(50)).toBe('breakpoint');
    expect(s.ip).toBe(5);
    expect(cpu.run(10)).toBe('budget');
    expect(s.ip).toBe(15);
    cpu.removeBreakpoint(CODE * 16 + 5);
  });

  it('refuses a budget that is not a whole number of instructions (RangeError), so a caller cannot ask for forever', () => {
    const { cpu, s } = machine(NOPS(10));
    for (const bad of [Infinity, -1, 1.5, Number.NaN]) expect(() => cpu.run(bad)).toThrow(RangeError);
    expect(s.ip).toBe(0);
    expect(cpu.run(0)).toBe('budget');
  });

  it('"unsupported" when the 80286 program turns protected mode on (LMSW with PE), not emulated yet', () => {
    // mov ax,1 / lmsw ax / nop
    const { cpu } = machine([0xb8, 0x01, 0x00, 0x0f, 0x01, 0xf0, 0x90], '80286');
    expect(cpu.run(10)).toBe('unsupported');
    expect(cpu.unsupported).toContain('protected mode');
  });
});

describe('INTR / INTA (maskable interrupts)', () => {
  it('with IF set: acknowledged between instructions, vectored through the IVT; FLAGS, CS, IP pushed, IF and TF cleared', () => {
    const { cpu, memory, s } = machine(NOPS(100));
    handler(memory, 0x20, [INC_BX, IRET]);
    const pic = new FakePic(0x20);
    cpu.connectInterrupts(pic);
    cpu.flags = IF | CF;
    cpu.run(3);
    pic.intr.raise();
    cpu.run(1); // takes the interrupt, then INC BX
    expect(pic.acks).toBe(1);
    expect(s.seg[CS]).toBe(HANDLER);
    expect(s.ip).toBe(1);
    expect(s.gpr[3]).toBe(1);
    expect(cpu.flags & (IF | TF)).toBe(0);
    expect(s.gpr[4]).toBe(0x1000 - 6);
    expect(word(memory, STACK, 0x1000 - 6)).toBe(3); // IP
    expect(word(memory, STACK, 0x1000 - 4)).toBe(CODE); // CS
    expect(word(memory, STACK, 0x1000 - 2)).toBe(0xf000 | 0x0002 | IF | CF); // 8086 FLAGS image
    cpu.run(1); // IRET
    expect(s.seg[CS]).toBe(CODE);
    expect(s.ip).toBe(3);
    expect(cpu.flags & IF).toBe(IF);
  });

  it('with IF clear the request waits; STI lets one more instruction run before it is taken', () => {
    const { cpu, memory, s } = machine([CLI, 0x90, 0x90, STI, 0x90, 0x90, 0x90]);
    handler(memory, 0x21, [INC_BX, HLT]);
    const pic = new FakePic(0x21);
    cpu.connectInterrupts(pic);
    pic.intr.raise();
    cpu.run(4); // CLI, NOP, NOP, STI
    expect(pic.acks).toBe(0);
    expect(s.ip).toBe(4);
    cpu.run(1); // the NOP after STI
    expect(pic.acks).toBe(0);
    expect(s.ip).toBe(5);
    cpu.run(1); // now the interrupt, and the handler's first instruction
    expect(pic.acks).toBe(1);
    expect(s.gpr[3]).toBe(1);
  });

  it('HLT waits for the interrupt; the handler returns after the HLT', () => {
    const { cpu, memory, clock, s } = machine([STI, HLT, 0x41, 0x90]);
    handler(memory, 0x22, [INC_BX, IRET]);
    const pic = new FakePic(0x22);
    cpu.connectInterrupts(pic);
    clock.timer('irq', () => pic.intr.raise()).armAt(20_000);
    expect(cpu.run(1000)).toBe('event'); // halted until the timer raised INTR
    expect(cpu.run(3)).toBe('budget'); // INC BX, IRET, INC CX
    expect(s.gpr[3]).toBe(1);
    expect(s.gpr[1]).toBe(1);
    expect(s.halted).toBe(false);
  });

  it('MOV SS holds interrupts off for one instruction (so SS:SP can be set as a pair)', () => {
    // mov ss,ax / mov sp,0800h / nop
    const { cpu, memory, s } = machine([0x8e, 0xd0, 0xbc, 0x00, 0x08, 0x90]);
    s.gpr[0] = STACK;
    cpu.flags = IF;
    handler(memory, 0x23, [INC_BX, IRET]);
    const pic = new FakePic(0x23);
    cpu.connectInterrupts(pic);
    cpu.run(1);
    pic.intr.raise();
    cpu.run(1); // MOV SP runs first
    expect(s.gpr[4]).toBe(0x0800);
    expect(pic.acks).toBe(0);
    cpu.run(1);
    expect(pic.acks).toBe(1);
    expect(s.gpr[4]).toBe(0x0800 - 6);
  });
});

describe('NMI', () => {
  it('vector 2 is taken at the next instruction boundary even with IF clear', () => {
    const { cpu, memory, s } = machine(NOPS(10));
    handler(memory, 2, [INC_BX, IRET]);
    cpu.flags = 0;
    cpu.run(2);
    cpu.nmi();
    cpu.run(1);
    expect(s.seg[CS]).toBe(HANDLER);
    expect(s.gpr[3]).toBe(1);
  });
});

describe('TF (single step)', () => {
  it('traps through vector 1 after each instruction run with TF set', () => {
    // pushf / pop ax / or ah,1 / push ax / popf / nop / nop
    const { cpu, memory, s } = machine([0x9c, 0x58, 0x80, 0xcc, 0x01, 0x50, 0x9d, 0x90, 0x90]);
    handler(memory, 1, [INC_BX, IRET]);
    cpu.run(5); // up to POPF, which sets TF: no trap after POPF itself
    expect(s.gpr[3]).toBe(0);
    cpu.run(1); // NOP, then the trap
    expect(s.seg[CS]).toBe(HANDLER);
    expect(s.ip).toBe(0);
    expect(word(memory, STACK, s.gpr[4]!)).toBe(8); // returns to the second NOP
  });
});

describe('REP string instructions and interrupts', () => {
  // rep movsb / inc cx (marker) ; handler: inc bx / iret
  function repMachine(model: '8086' | '80286', code: number[]) {
    const m = machine(code, model);
    m.s.gpr[1] = 1000; // CX
    m.s.gpr[6] = 0; // SI
    m.s.gpr[7] = 0x8000; // DI
    for (let i = 0; i < 1000; i++) m.memory.ram[DATA * 16 + i] = i & 0xff;
    handler(m.memory, 0x24, [INC_BX, IRET]);
    const pic = new FakePic(0x24);
    m.cpu.connectInterrupts(pic);
    m.cpu.flags = IF;
    m.clock.timer('irq', () => pic.intr.raise()).armAt(100_000);
    return { ...m, pic };
  }

  it('each iteration counts as an instruction; an interrupt between iterations returns to the instruction, which resumes with the count left', () => {
    const { cpu, memory, s, pic } = repMachine('80286', [0xf3, 0xa4, HLT]);
    expect(cpu.run(100_000)).toBe('event');
    expect(s.gpr[1]).toBe(900); // 100 iterations done when the timer fired
    expect(cpu.run(100_000)).toBe('halt');
    expect(pic.acks).toBe(1);
    expect(s.gpr[3]).toBe(1); // the handler ran
    expect(s.gpr[1]).toBe(0);
    expect(s.ip).toBe(3);
    for (let i = 0; i < 1000; i++) expect(memory.ram[DATA * 16 + 0x8000 + i]).toBe(i & 0xff);
  });

  it('8086: with two prefixes (REP ES: MOVSB) only the last survives the interrupt, as documented', () => {
    const { cpu, s, pic } = repMachine('8086', [0xf3, 0x26, 0xa4, HLT]);
    expect(cpu.run(100_000)).toBe('event');
    expect(s.gpr[1]).toBe(900);
    expect(cpu.run(100_000)).toBe('halt');
    expect(pic.acks).toBe(1);
    // Resumed at the ES: prefix without REP: one more byte moved, then on to the NOP.
    expect(s.gpr[1]).toBe(900);
    expect(s.gpr[6]).toBe(101);
    expect(s.ip).toBe(4);
  });
});

describe('address lines and A20', () => {
  it('8086: FFFF:0010 wraps to physical 0 (20 address lines)', () => {
    // mov al,[0010h] with DS = FFFF
    const { cpu, memory, s } = machine([0xa0, 0x10, 0x00]);
    cpu.setSegment(DS, 0xffff);
    memory.ram[0] = 0x5a;
    cpu.run(1);
    expect(s.gpr[0]! & 0xff).toBe(0x5a);
  });

  it('80286: FFFF:0010 reaches 100000h while A20 is on, and wraps to 0 when it is off', () => {
    const memory = new MemorySpace({ backingSize: 0x200000, addressBits: 24 });
    memory.mapRam('ram', 0, 0x200000);
    const cpu = new X86Cpu({ memory, io: new IoSpace(), clock: new VirtualClock() }, { model: '80286' });
    memory.ram.set([0xa0, 0x10, 0x00, 0xa0, 0x10, 0x00], CODE * 16);
    cpu.setSegment(CS, CODE);
    cpu.setSegment(DS, 0xffff);
    cpu.state.ip = 0;
    memory.ram[0] = 0x11;
    memory.ram[0x100000] = 0x22;
    cpu.run(1);
    expect(cpu.state.gpr[0]! & 0xff).toBe(0x22);
    memory.setA20(false);
    cpu.run(1);
    expect(cpu.state.gpr[0]! & 0xff).toBe(0x11);
  });
});

describe('saved state (cpu-x86 descriptor, version 1)', () => {
  // A loop that touches registers, flags and memory: add ax,cx / adc [si],al / inc si / loop
  const PROGRAM = [0x01, 0xc8, 0x10, 0x04, 0x46, 0xe2, 0xf9, 0xeb, 0xf7];

  it('round-trips through a section: the loaded processor continues bit-identically', () => {
    const a = machine(PROGRAM, '80286');
    a.s.gpr[1] = 5000;
    a.cpu.run(1234);
    const bytes = saveSection(cpuStateDescriptor, a.cpu.saveState(), { now: 0 });
    const b = machine([], '80286');
    b.memory.ram.set(a.memory.ram);
    b.cpu.loadState(loadSection(cpuStateDescriptor, bytes, { now: 0 }));
    expect(b.cpu.saveState()).toEqual(a.cpu.saveState());
    a.cpu.run(777);
    b.cpu.run(777);
    expect(b.cpu.saveState()).toEqual(a.cpu.saveState());
    expect(Buffer.compare(b.memory.ram, a.memory.ram)).toBe(0);
  });

  it('keeps halt, the interrupt shadow and a pending NMI', () => {
    const a = machine([STI, HLT]);
    a.cpu.run(1);
    a.cpu.nmi();
    const saved = loadSection(cpuStateDescriptor, saveSection(cpuStateDescriptor, a.cpu.saveState(), { now: 0 }), { now: 0 });
    expect(saved.shadow).toBe(1);
    expect(saved.nmiPending).toBe(true);
    const b = machine([STI, HLT]);
    b.cpu.loadState(saved);
    expect(b.s.shadow).toBe(1);
    expect(b.s.nmiPending).toBe(true);
  });

  it('refuses a state of another model (CpuStateError) and leaves the processor unchanged', () => {
    const a = machine(PROGRAM, '8086');
    a.cpu.run(10);
    const b = machine(PROGRAM, '80286');
    const before = b.cpu.saveState();
    expect(() => b.cpu.loadState(a.cpu.saveState())).toThrow(CpuStateError);
    expect(b.cpu.saveState()).toEqual(before);
  });

  it('refuses a corrupt stream (ChecksumError) and an invalid state (ValidationError) without change', () => {
    const a = machine(PROGRAM);
    a.cpu.run(10);
    const bytes = saveSection(cpuStateDescriptor, a.cpu.saveState(), { now: 0 });
    bytes[bytes.length - 6] ^= 0x40;
    expect(() => loadSection(cpuStateDescriptor, bytes, { now: 0 })).toThrow(ChecksumError);
    const b = machine(PROGRAM);
    const before = b.cpu.saveState();
    expect(() => b.cpu.loadState({ ...a.cpu.saveState(), ip: 0x12345 })).toThrow(ValidationError);
    expect(() => b.cpu.loadState({ ...a.cpu.saveState(), flags: 0 })).toThrow(ValidationError);
    expect(b.cpu.saveState()).toEqual(before);
  });
});

// Intel 80286 Programmer's Reference Manual: an exception while invoking the handler of a prior
// exception is a double fault (8); a further one makes the processor shut down (it executes
// nothing until RESET; the IBM AT turns the shutdown cycle into a processor reset). In real mode
// a push at SP = 1 faults (the word would cross the segment's end), and the double fault's own
// pushes fail the same way. The 8086 wraps such a push inside the segment instead.
describe('80286 shutdown (a fault while delivering a fault)', () => {
  it('INT with SP = 1 shuts the processor down: run returns "shutdown", executes nothing more, and nothing is thrown', () => {
    const { cpu, s } = machine([0xcd, 0x03, INC_BX, INC_BX], '80286');
    s.gpr[4] = 1;
    expect(cpu.run(10)).toBe('shutdown');
    expect(cpu.shutdown).toBe(true);
    const ip = s.ip;
    expect(cpu.run(10)).toBe('shutdown');
    expect(s.ip).toBe(ip);
    expect(s.gpr[3]).toBe(0);
  });

  it('a maskable interrupt taken with SP = 1 shuts it down too, from the run loop', () => {
    const { cpu, s } = machine(NOPS(10), '80286');
    const pic = new FakePic(0x20);
    cpu.connectInterrupts(pic);
    cpu.flags = IF;
    s.gpr[4] = 1;
    pic.intr.raise();
    expect(cpu.run(5)).toBe('shutdown');
  });

  it('the shut-down state travels in the saved state (subsection "shutdown") and RESET ends it', () => {
    const { cpu, s, clock } = machine([0xcd, 0x03], '80286');
    s.gpr[4] = 1;
    cpu.run(1);
    const bytes = saveSection(cpuStateDescriptor, cpu.saveState(), { now: clock.now });
    const other = machine(NOPS(4), '80286');
    other.cpu.loadState(loadSection(cpuStateDescriptor, bytes, { now: 0 }));
    expect(other.cpu.run(3)).toBe('shutdown');
    other.cpu.reset();
    expect(other.cpu.shutdown).toBe(false);
    expect(other.cpu.run(1)).toBe('budget');
  });

  it('an 8086 wraps the same push inside the stack segment and runs the handler', () => {
    const { cpu, memory, s } = machine([0xcd, 0x03, INC_BX], '8086');
    handler(memory, 3, [INC_BX, HLT]);
    s.gpr[4] = 1;
    cpu.run(2);
    expect(cpu.shutdown).toBe(false);
    expect(s.seg[CS]).toBe(HANDLER);
    expect(s.gpr[3]).toBe(1);
  });
});

describe('80186 (iAPX 186 data sheet: instruction set additions)', () => {
  it('PUSHA pushes AX CX DX BX, the original SP, BP SI DI; POPA restores all but SP', () => {
    // pusha / popa
    const { cpu, memory, s } = machine([0x60, 0x61], '80186');
    for (let i = 0; i < 8; i++) if (i !== 4) s.gpr[i] = 0x1111 * (i + 1);
    cpu.run(1);
    expect(s.gpr[4]).toBe(0x1000 - 16);
    const pushed = Array.from({ length: 8 }, (_, i) => word(memory, STACK, 0x1000 - 2 - i * 2));
    expect(pushed).toEqual([0x1111, 0x2222, 0x3333, 0x4444, 0x1000, 0x6666, 0x7777, 0x8888]);
    s.gpr[0] = 0;
    cpu.run(1);
    expect(s.gpr[0]).toBe(0x1111);
    expect(s.gpr[4]).toBe(0x1000);
  });

  it('shift counts are masked to 5 bits (SHL AX, 33 shifts by 1)', () => {
    // shl ax, 33
    const { cpu, s } = machine([0xc1, 0xe0, 0x21], '80186');
    s.gpr[0] = 0x0003;
    cpu.run(1);
    expect(s.gpr[0]).toBe(0x0006);
  });

  it('an undefined opcode raises exception 6 with the return address at the opcode', () => {
    const { cpu, memory, s } = machine([0x90, 0x0f, 0x90], '80186');
    handler(memory, 6, [HLT]);
    cpu.run(2);
    expect(s.seg[CS]).toBe(HANDLER);
    expect(word(memory, STACK, s.gpr[4]!)).toBe(1);
  });

  it('FLAGS bits 12-15 read as 1, as on the 8086', () => {
    const { cpu } = machine([0x90], '80186');
    expect(cpu.flags & 0xf000).toBe(0xf000);
  });
});

describe('run and step agree (the run loop against the single-instruction path the SingleStepTests check)', () => {
  // Nested loops with DEC/INC + JNZ/JZ pairs (which the run loop executes together), memory,
  // string and stack instructions:
  //   mov cx,300 / L1: mov dx,5 / L2: mov ax,[si] / add ax,dx / stosw / dec dx / jnz L2
  //   inc si / push cx / pop bx / dec cx / jz END / jmp L1 / END: hlt
  const PROGRAM = [
    0xb9, 0x2c, 0x01, 0xba, 0x05, 0x00, 0x8b, 0x04, 0x01, 0xd0, 0xab, 0x4a, 0x75, 0xf8, 0x46, 0x51, 0x5b, 0x49, 0x74, 0x02,
    0xeb, 0xed, 0xf4,
  ];

  for (const model of ['8086', '80286'] as const) {
    it(`${model}: the same state after every slice length`, () => {
      const stepped = machine(PROGRAM, model);
      let steps = 0;
      while (!stepped.s.halted && steps < 100_000) {
        stepped.cpu.step();
        steps++;
      }
      expect(stepped.s.halted).toBe(true);
      for (const slice of [1, 2, 3, 7, 1000, 100_000]) {
        const ran = machine(PROGRAM, model);
        let total = 0;
        while (!ran.s.halted && total < 200_000) {
          ran.cpu.run(slice);
          total = ran.clock.instructions;
        }
        // (the clock also counts the idle time after HLT, so it is not compared here)
        expect(ran.cpu.saveState(), `slice ${slice}`).toEqual(stepped.cpu.saveState());
        expect(Buffer.compare(ran.memory.ram, stepped.memory.ram), `slice ${slice}`).toBe(0);
      }
      // Every instruction is counted: a budget of exactly that many ends on the HLT.
      const exact = machine(PROGRAM, model);
      expect(exact.cpu.run(steps)).toBe('budget');
      expect(exact.s.halted).toBe(true);
      expect(exact.clock.instructions).toBe(steps);
    });
  }
});

describe('80286 LOADALL (0F 05; Intel "Undocumented iAPX 286 Test Instruction": table at 800h)', () => {
  it('loads registers, selectors and descriptor caches from 800h-865h; a real-mode DS can then reach above 1 MiB', () => {
    const memory = new MemorySpace({ backingSize: 0x200000, addressBits: 24 });
    memory.mapRam('ram', 0, 0x200000);
    const cpu = new X86Cpu({ memory, io: new IoSpace(), clock: new VirtualClock() }, { model: '80286' });
    const w16 = (a: number, v: number) => {
      memory.ram[a] = v & 0xff;
      memory.ram[a + 1] = v >> 8;
    };
    const cache = (a: number, base: number, rights: number, limit: number) => {
      memory.ram[a] = base & 0xff;
      memory.ram[a + 1] = (base >> 8) & 0xff;
      memory.ram[a + 2] = base >> 16;
      memory.ram[a + 3] = rights;
      w16(a + 4, limit);
    };
    memory.ram.set([0x0f, 0x05], 0x10000); // LOADALL at 1000:0000
    cpu.setSegment(CS, 0x1000);
    cpu.state.ip = 0;
    w16(0x806, 0xfff0); // MSW (real mode)
    w16(0x818, 0x0002 | CF); // FLAGS
    w16(0x81a, 0x0010); // IP
    w16(0x81e, 0x1234); // DS selector
    w16(0x820, 0x2000); // SS
    w16(0x822, 0x3000); // CS
    w16(0x824, 0x4000); // ES
    const regs = [0x1111, 0x2222, 0x3333, 0x0800, 0x5555, 0x6666, 0x7777, 0x8888]; // DI SI BP SP BX DX CX AX
    regs.forEach((v, i) => w16(0x826 + i * 2, v));
    cache(0x836, 0x040000, 0x93, 0xffff); // ES
    cache(0x83c, 0x030000, 0x9b, 0xffff); // CS
    cache(0x842, 0x020000, 0x93, 0xffff); // SS
    cache(0x848, 0x123450, 0x93, 0xffff); // DS: base above 1 MiB, not selector * 16
    cache(0x84e, 0x001000, 0, 0x00ff); // GDTR
    cache(0x85a, 0x000000, 0, 0x03ff); // IDTR
    memory.ram[0x030010] = 0xa0; // at the new CS:IP: mov al,[0000h]
    memory.ram[0x030011] = 0x00;
    memory.ram[0x030012] = 0x00;
    memory.ram[0x123450] = 0x77;
    cpu.run(1);
    const s = cpu.state;
    expect(s.seg[DS]).toBe(0x1234);
    expect(s.segBase[DS]).toBe(0x123450);
    expect(s.segBase[CS]).toBe(0x030000);
    expect(s.seg[CS]).toBe(0x3000);
    expect(s.ip).toBe(0x10);
    expect(Array.from(s.gpr, (v) => v & 0xffff)).toEqual([0x8888, 0x7777, 0x6666, 0x5555, 0x0800, 0x3333, 0x2222, 0x1111]);
    expect(cpu.flags & CF).toBe(CF);
    expect(s.gdtBase).toBe(0x1000);
    expect(s.gdtLimit).toBe(0xff);
    cpu.run(1);
    expect(s.gpr[0]! & 0xff).toBe(0x77);
  });
});
