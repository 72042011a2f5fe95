// Translated blocks: they must be invisible. The interpreter is the reference here (it is the
// path the SingleStepTests check instruction by instruction, and test/singlestep.spec.ts
// also runs every sample instruction as a translated block of its own); these tests check
// what only sequences show: instruction counting, interrupt boundaries, flags carried
// between instructions, side exits, self-modifying code and code written by others.
import { IoSpace, IrqLine, MemorySpace, SeededRandom, VirtualClock, type InterruptController } from '@backplane/bus';
import { describe, expect, it } from 'vitest';
import { X86Cpu } from './Cpu';
import { CS, DS, ES, IF, SS } from './registers';

type Model = '8086' | '80186' | '80286';

const CODE = 0x1000;
const HANDLER = 0x0050;
/** No port is claimed, so every machine can share one port space (reads float to FFh). */
const NO_DEVICES = new IoSpace();

class TimerPic implements InterruptController {
  readonly intr = new IrqLine('intr');
  acknowledge(): number {
    this.intr.lower();
    return 0x20;
  }
}

interface Machine {
  readonly cpu: X86Cpu;
  readonly memory: MemorySpace;
  readonly clock: VirtualClock;
}

/**
 * 1 MiB (8086, 80186) or 2 MiB (80286) of RAM. Every vector points at an IRET, except the
 * faults that return to the faulting instruction (divide error, BOUND, invalid opcode, #GP):
 * their handler drops the frame and restarts the program at CODE:0000; so does INT 3, which
 * fills the code segment around the program (code that runs away comes back).
 */
function machine(model: Model, translate: boolean, setup: (m: Machine) => void): Machine {
  const big = model === '80286';
  const memory = new MemorySpace({ backingSize: big ? 0x200000 : 0x100000, addressBits: big ? 24 : 20 });
  memory.mapRam('ram', 0, big ? 0x200000 : 0x100000);
  const clock = new VirtualClock({ instructionsPerMicrosecond: 1 });
  const cpu = new X86Cpu({ memory, io: NO_DEVICES, clock }, { model, translate });
  for (let v = 0; v < 256; v++) {
    memory.ram[v * 4 + 2] = HANDLER & 0xff;
    memory.ram[v * 4 + 3] = HANDLER >> 8;
  }
  memory.ram[HANDLER * 16] = 0xcf; // IRET
  for (const v of [0, 3, 5, 6, 13]) {
    memory.ram[v * 4] = 0x10;
    // add sp,6 / jmp far CODE:0000
    memory.ram.set([0x83, 0xc4, 0x06, 0xea, 0x00, 0x00, CODE & 0xff, CODE >> 8], HANDLER * 16 + 0x10);
  }
  const m = { cpu, memory, clock };
  setup(m);
  return m;
}

function expectSame(a: Machine, b: Machine, what: string): void {
  const sa = a.cpu.saveState();
  const sb = b.cpu.saveState();
  if (JSON.stringify(sb) !== JSON.stringify(sa)) expect(sb, `${what}: state`).toEqual(sa);
  expect(b.clock.instructions, `${what}: instructions`).toBe(a.clock.instructions);
  expect(Buffer.compare(b.memory.ram, a.memory.ram), `${what}: memory`).toBe(0);
  expect(Buffer.compare(b.memory.dirty, a.memory.dirty), `${what}: dirty pages`).toBe(0);
}

// ---------------------------------------------------------------------------------------
// Random programs
// ---------------------------------------------------------------------------------------

class Gen {
  constructor(
    readonly rnd: SeededRandom,
    readonly model: Model,
  ) {}

  n(k: number): number {
    return this.rnd.below(k);
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.n(xs.length)]!;
  }

  /** A ModR/M byte with its displacement (memory forms mostly; displacements near FFFFh often). */
  modrm(reg: number): number[] {
    const mod = this.n(4) === 0 ? 3 : this.n(3);
    const rm = this.n(8);
    const m = (mod << 6) | (reg << 3) | rm;
    const hi = (): number => (this.n(3) === 0 ? 0xff : this.n(256));
    if (mod === 0 && rm === 6) return [m, this.n(256), hi()];
    if (mod === 1) return [m, this.n(256)];
    if (mod === 2) return [m, this.n(256), hi()];
    return [m];
  }

  imm(w: boolean): number[] {
    return w ? [this.n(256), this.n(256)] : [this.n(256)];
  }

  /** One instruction (or a short sequence), as bytes. */
  insn(): number[] {
    const w = this.n(2) === 1;
    const r = this.n(8);
    const is186 = this.model !== '8086';
    switch (this.n(34)) {
      case 0:
      case 1:
      case 2: {
        const kind = this.n(8);
        const form = this.n(6);
        const op = kind * 8 + form;
        if (form < 4) return [op, ...this.modrm(r)];
        return [op, ...this.imm(form === 5)];
      }
      case 3: {
        const op = 0x80 + this.n(4);
        return [op, ...this.modrm(r), ...this.imm(op === 0x81)];
      }
      case 4:
        return [0x40 + this.n(16)];
      case 5:
        return [0x50 + this.n(8), 0x58 + this.n(8)];
      case 6:
        return [this.pick([0x50, 0x51, 0x52, 0x53, 0x55, 0x56, 0x57, 0x06, 0x0e, 0x16, 0x1e, 0x9c])];
      case 7:
        return [0x58 + this.pick([0, 1, 2, 3, 5, 6, 7])];
      case 8:
      case 9:
        return [0x88 + this.n(4), ...this.modrm(r)];
      case 10:
        return [0xc6 + (w ? 1 : 0), ...this.modrm(0), ...this.imm(w)];
      case 11:
        return w ? [0xb8 + r, ...this.imm(true)] : [0xb0 + r, ...this.imm(false)];
      case 12: {
        const m = this.modrm(r);
        if (m[0]! >= 0xc0) m[0] = m[0]! & 0x3f;
        return [0x8d, ...m];
      }
      case 13:
        return [0x86 + this.n(2), ...this.modrm(r)];
      case 14:
        return [0x90 + this.n(8)];
      case 15:
        return [0x84 + this.n(2), ...this.modrm(r)];
      case 16:
        return [0xa8 + (w ? 1 : 0), ...this.imm(w)];
      case 17: {
        const op = 0xf6 + (w ? 1 : 0);
        const m = this.modrm(r);
        return r < 2 ? [op, ...m, ...this.imm(w)] : [op, ...m];
      }
      case 18:
      case 19: {
        const op = is186 && this.n(3) === 0 ? 0xc0 + (w ? 1 : 0) : 0xd0 + this.n(4);
        return op < 0xd0 ? [op, ...this.modrm(r), this.n(40)] : [op, ...this.modrm(r)];
      }
      case 20: {
        // string instructions, sometimes with a segment override or REP (CX kept small)
        const op = this.pick([0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf]);
        const pre = this.n(3) === 0 ? [this.pick([0x26, 0x2e, 0x36, 0x3e])] : [];
        if (this.n(4) === 0) return [0xb9, this.n(8), 0, this.pick([0xf2, 0xf3]), ...pre, op];
        return [...pre, op];
      }
      case 21:
        return [this.pick([0x98, 0x99, 0xf8, 0xf9, 0xf5, 0xfc, 0xfd, 0xfc, 0x9e, 0x9f, 0xfa, 0xfb])];
      case 22: {
        const op = this.pick([0x26, 0x2e, 0x36, 0x3e]);
        return [op, 0x88 + this.n(4), ...this.modrm(r)];
      }
      case 23:
        return [0xa0 + this.n(4), ...this.imm(true)];
      case 24:
        return [0xfe, ...this.modrm(this.n(2))];
      case 25:
        return [0xff, ...this.modrm(this.pick([0, 1, 6]))];
      case 26:
        // PUSHF / POPF (flags round trip; TF may come on: single-step traps to the IRET)
        return [0x9c, 0x9d];
      case 27:
        return is186 ? [this.pick([0x68, 0x6a]), ...this.imm(true)].slice(0, this.n(2) === 0 ? 2 : 3) : [0x27 + 8 * this.n(4)];
      case 28:
        // multiply / divide (the interpreter's, with divide errors)
        return [0xf6 + (w ? 1 : 0), ...this.modrm(4 + this.n(4))];
      case 29:
        return [0xd4, this.n(3) === 0 ? 0 : this.n(256)];
      case 30:
        return [0xe4 + this.n(4), this.n(256)];
      case 31:
        return [0xcd, 0x21];
      case 32:
        return [0x8c, ...this.modrm(this.n(4))];
      default:
        return [0xd6];
    }
  }
}

/**
 * A program of loops: `L: body1 / Jcc M / body2 / M: body3 / JMP L`, where the bodies may
 * hold forward branches over their next instruction and end with LOOP/LOOPZ/JCXZ tails.
 */
function program(g: Gen): number[] {
  const body = (count: number): number[] => {
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const next = g.insn();
      if (g.n(6) === 0) {
        const after = g.insn();
        const cc = g.model === '8086' && g.n(4) === 0 ? 0x60 + g.n(16) : 0x70 + g.n(16);
        out.push(...next, g.pick([cc, cc, 0xe0, 0xe1, 0xe3]), after.length, ...after);
      } else out.push(...next);
    }
    return out;
  };
  const b1 = body(2 + g.n(10));
  const b2 = body(1 + g.n(6));
  const b3 = body(1 + g.n(8));
  const cc = 0x70 + g.n(16);
  const code = [...b1, cc, b2.length, ...b2, ...b3];
  // CALL SUB (patched below), then JMP back to L (short when it reaches)
  const call = code.length;
  code.push(0xe8, 0, 0);
  const back = -(code.length + 2);
  if (back >= -128) code.push(0xeb, back & 0xff);
  else code.push(0xe9, (back - 1) & 0xff, ((back - 1) >> 8) & 0xff);
  // SUB: a body, then RET (RET imm16 0, or on the 8086 the C0 / C1 aliases)
  const sub = code.length;
  code.push(...body(1 + g.n(6)));
  const rets = g.model === '8086' ? [[0xc3], [0xc2, 0, 0], [0xc1], [0xc0, 0, 0]] : [[0xc3], [0xc2, 0, 0]];
  code.push(...g.pick(rets));
  const rel = sub - (call + 3);
  code[call + 1] = rel & 0xff;
  code[call + 2] = rel >> 8;
  return code;
}

function randomSetup(seed: number, model: Model, overlap: boolean): (m: Machine) => void {
  return ({ cpu, memory }) => {
    const rnd = new SeededRandom(seed);
    const code = program(new Gen(rnd, model));
    // data everywhere the program may reach
    for (let a = 0x20000; a < 0x50000; a++) memory.ram[a] = rnd.below(256);
    memory.ram.fill(0xcc, CODE * 16, CODE * 16 + 0x10000);
    memory.ram.set(code, CODE * 16);
    // data segments on and off page boundaries
    cpu.setSegment(CS, CODE);
    cpu.setSegment(DS, overlap ? CODE : 0x2000 + rnd.below(2) * rnd.below(0x100));
    cpu.setSegment(ES, overlap && rnd.below(2) ? CODE : 0x3000 + rnd.below(2) * rnd.below(0x100));
    cpu.setSegment(SS, 0x4000 + rnd.below(2) * rnd.below(0x100));
    cpu.state.ip = 0;
    // registers at the edges (offset FFFFh, page ends) as often as anywhere
    const edge = (): number => (rnd.below(2) ? rnd.below(0x10000) : [0, 1, 2, 0x7fff, 0x8000, 0xfff, 0x1000, 0xfffe, 0xffff][rnd.below(9)]!);
    for (let i = 0; i < 8; i++) cpu.state.gpr[i] = edge();
    cpu.state.gpr[4] = [0x8000 + rnd.below(0x7ff0), 1, 2, 3, 0, 0xffff, 0x1001, 0x1000][rnd.below(8)]!;
    cpu.flags = rnd.below(2) ? IF : 0;
  };
}

/** What `run` did: its stop reason, or what it threw. */
function outcome(run: () => string): string | { threw: unknown } {
  try {
    return run();
  } catch (e) {
    return { threw: e };
  }
}

/** Run both machines through the same slices (random lengths), with periodic interrupts. */
function race(model: Model, seed: number, overlap: boolean, tune: [number, number], total: number): void {
  const setup = randomSetup(seed, model, overlap);
  const a = machine(model, false, setup);
  const b = machine(model, true, setup);
  b.cpu.tuneTranslation(tune[0], tune[1]);
  for (const m of [a, b]) {
    const pic = new TimerPic();
    m.cpu.connectInterrupts(pic);
    const t = m.clock.timer('irq', () => {
      pic.intr.raise();
      t.armAfter(3_777_000); // every 3777 instructions
    });
    t.armAfter(3_777_000);
  }
  const rnd = new SeededRandom(seed ^ 0x5a5a);
  let done = 0;
  let step = 0;
  while (done < total) {
    const n = rnd.below(4) === 0 ? 1 + rnd.below(5) : 1 + rnd.below(3000);
    const before = a.clock.instructions;
    const ra = outcome(() => a.cpu.run(n));
    const rb = outcome(() => b.cpu.run(n));
    expect(rb, `seed ${seed} slice ${step}: stop reason`).toEqual(ra);
    expectSame(a, b, `seed ${seed} slice ${step}`);
    // An 80286 that must push at SP = 1 while delivering an interrupt faults again and shuts
    // down (run returns 'shutdown' and runs nothing more until reset): both must do it alike.
    if (typeof ra !== 'string' || ra === 'shutdown') break;
    done += a.clock.instructions - before;
    step++;
    if (ra === 'halt') {
      a.cpu.state.halted = false;
      b.cpu.state.halted = false;
    }
  }
}

describe('translated blocks against the interpreter: random loops', () => {
  for (const model of ['8086', '80186', '80286'] as const) {
    it(`${model}: same state, memory, dirty pages and stop reasons after every slice (data apart from code)`, () => {
      for (let seed = 1; seed <= 24; seed++) race(model, seed, false, [seed % 3, [48, 3, 1, 16][seed % 4]!], 20_000);
    });

    it(`${model}: the same when the program writes over its own code (DS and ES on the code)`, () => {
      for (let seed = 101; seed <= 124; seed++) race(model, seed, true, [seed % 3, [48, 5, 2][seed % 3]!], 20_000);
    });
  }
});

describe('side exits: accesses the translated fast path leaves to the interpreter', () => {
  // Each loop is run from the start translated at first sight and interpreted; the 8086 and
  // 80186 wrap a word at offset FFFFh to offset 0, the 80286 raises #GP (the handler restarts).
  const cases: [string, number[], Partial<Record<'ax' | 'bx' | 'cx' | 'sp' | 'si' | 'di', number>>][] = [
    ['word load at offset FFFFh', [0x8b, 0x07, 0x41, 0xeb, 0xfb], { bx: 0xffff }],
    ['word store at offset FFFFh', [0x89, 0x07, 0x40, 0xeb, 0xfb], { bx: 0xffff, ax: 0x1234 }],
    ['word read-modify-write at FFFFh', [0x01, 0x07, 0x40, 0xeb, 0xfb], { bx: 0xffff, ax: 0x1234 }],
    ['word at a page end', [0x8b, 0x07, 0x89, 0x47, 0x10, 0x41, 0xeb, 0xf8], { bx: 0x0fef }],
    ['direct address FFFFh', [0xa1, 0xff, 0xff, 0xa3, 0xff, 0xff, 0x41, 0xeb, 0xf6], {}],
    ['PUSH/POP across a page end', [0x50, 0x5a, 0xe8, 0x02, 0x00, 0xeb, 0xf9, 0xc3], { sp: 0x0fb1, ax: 0xbeef }],
    ['PUSH/POP and CALL/RET at SP = 1 (wraps on the 8086 and 80186)', [0x50, 0x5a, 0xe8, 0x02, 0x00, 0xeb, 0xf9, 0xc3], { sp: 1, ax: 0xbeef }],
    ['string words at FFFFh', [0xad, 0xab, 0xa7, 0xaf, 0xa5, 0xeb, 0xf9], { si: 0xffff, di: 0xffff }],
  ];
  for (const model of ['8086', '80186', '80286'] as const) {
    for (const [name, code, regs] of cases) {
      if (model === '80286' && regs.sp === 1) continue; // a push at SP = 1 shuts an 80286 down (see above)
      it(`${model}: ${name}`, () => {
        const setup = (m: Machine): void => {
          m.memory.ram.fill(0xcc, CODE * 16, CODE * 16 + 0x10000);
          m.memory.ram.set(code, CODE * 16);
          for (let a = 0x20000; a < 0x40000; a++) m.memory.ram[a] = (a * 7) & 0xff;
          // segment bases off page boundaries: offset FFFFh is not the end of a page
          m.cpu.setSegment(CS, CODE);
          m.cpu.setSegment(DS, 0x2001);
          m.cpu.setSegment(ES, 0x2803);
          m.cpu.setSegment(SS, 0x3005);
          m.cpu.state.ip = 0;
          const g = m.cpu.state.gpr;
          g[0] = regs.ax ?? 0;
          g[1] = regs.cx ?? 0;
          g[3] = regs.bx ?? 0;
          g[4] = regs.sp ?? 0x800;
          g[6] = regs.si ?? 0;
          g[7] = regs.di ?? 0;
        };
        const a = machine(model, false, setup);
        const b = machine(model, true, setup);
        b.cpu.tuneTranslation(0, 48);
        for (const n of [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144]) {
          a.cpu.run(n);
          b.cpu.run(n);
          expectSame(a, b, `${name} after ${n}`);
        }
        expect(b.cpu.code!.translated).toBeGreaterThan(0);
      });
    }
  }

  it('writes to ROM are dropped and reads from memory-mapped I/O reach the device, as interpreted', () => {
    // L: mov [bx],al (DS: ROM at F000:0000) / es: mov al,[si] (MMIO at E000:0000) / inc ax / jmp L
    const code = [0x88, 0x07, 0x26, 0x8a, 0x04, 0x40, 0xeb, 0xf8];
    const reads: number[][] = [];
    const results: Machine[] = [];
    for (const translate of [false, true]) {
      const seen: number[] = [];
      const m = machine('8086', translate, ({ cpu, memory }) => {
        memory.unmap('ram', 0);
        memory.mapRam('ram', 0, 0xe0000);
        memory.mapMmio('dev', 0xe0000, 0x1000, { read8: (o) => (seen.push(o), 0x40 + (seen.length & 0x0f)), write8: () => {} });
        memory.mapRom('rom', 0xf0000, new Uint8Array(0x10000).fill(0x5a));
        memory.ram.set(code, CODE * 16);
        memory.ram[HANDLER * 16] = 0xcf;
        cpu.setSegment(CS, CODE);
        cpu.setSegment(DS, 0xf000);
        cpu.setSegment(SS, 0x3000);
        cpu.state.ip = 0;
        cpu.state.gpr[3] = 0x10;
      });
      m.cpu.tuneTranslation(0, 48);
      m.cpu.setSegment(ES, 0xe000);
      m.cpu.run(4000);
      reads.push(seen);
      results.push(m);
    }
    expect(results[1]!.memory.ram[0xf0010]).toBe(0x5a);
    expect(reads[1]).toEqual(reads[0]);
    expect(reads[0]).toHaveLength(1000);
    expectSame(results[0]!, results[1]!, 'ROM and MMIO loop');
  });
});

// ---------------------------------------------------------------------------------------
// Behaviour that specific programs pin down
// ---------------------------------------------------------------------------------------

function bare(model: Model, code: number[], translate = true): Machine {
  return machine(model, translate, ({ cpu, memory }) => {
    memory.ram.set(code, CODE * 16);
    cpu.setSegment(CS, CODE);
    cpu.setSegment(DS, 0x2000);
    cpu.setSegment(ES, 0x2000);
    cpu.setSegment(SS, 0x3000);
    cpu.state.ip = 0;
    cpu.state.gpr[4] = 0x1000;
  });
}

describe('instruction counting', () => {
  // mov cx,1000 / L: add ax,cx / inc bx / loop L / hlt: 1 + 3 * 1000 instructions, then HLT
  const LOOP = [0xb9, 0xe8, 0x03, 0x01, 0xc8, 0x43, 0xe2, 0xfb, 0xf4];

  it('run(n) executes exactly n instructions, whatever the blocks (every budget from 1 to 40 after warm-up)', () => {
    for (let n = 1; n <= 40; n++) {
      const m = bare('8086', LOOP);
      m.cpu.tuneTranslation(0, 48);
      expect(m.cpu.run(n)).toBe('budget');
      expect(m.clock.instructions).toBe(n);
      // after 1 + 3k instructions IP is back at L with BX = k
      if ((n - 1) % 3 === 0) {
        expect(m.cpu.state.ip).toBe(3);
        expect(m.cpu.state.gpr[3]).toBe((n - 1) / 3);
      }
    }
  });

  it('the loop runs inside its block and still ends at the HLT after exactly 3002 instructions', () => {
    const m = bare('80286', LOOP);
    expect(m.cpu.run(3002)).toBe('budget');
    expect(m.cpu.state.halted).toBe(true);
    expect(m.cpu.state.gpr[3]).toBe(1000);
    expect(m.cpu.state.gpr[0]).toBe((1000 * 1001) / 2 & 0xffff);
    expect(m.cpu.code!.translated).toBeGreaterThan(0);
  });
});

describe('straight-line code run a few dozen times (a program astray in zeroed memory)', () => {
  // Zeroed memory decodes as ADD [BX+SI],AL (00 00) again and again: run from 0000:9000 for
  // 2M instructions it goes through the whole 64 KiB segment and round again, each address
  // about 61 times. The store lands beside the code (BX = 0: byte 0, itself code run once a
  // pass) or in the page being run (BX = 9400h). Translating all of it would cost far more
  // than it saves (a block is only worth making for code reached thousands of times, or for
  // a loop), so the translator must leave nearly all of it to the interpreter, and change
  // nothing.
  for (const model of ['8086', '80286'] as const) {
    for (const target of [0, 0x9400]) {
      it(`${model}, store at ${target.toString(16).padStart(4, '0')}h: the same state as the interpreter, and at most a few blocks made`, () => {
        const results: Machine[] = [];
        for (const translate of [false, true]) {
          const m = machine(model, translate, ({ cpu, memory }) => {
            memory.ram.fill(0);
            for (const sr of [ES, CS, SS, DS]) cpu.setSegment(sr, 0);
            cpu.state.ip = 0x9000;
            cpu.state.gpr[3] = target;
            cpu.state.gpr[0] = 1;
          });
          expect(m.cpu.run(2_000_000)).toBe('budget');
          results.push(m);
        }
        const [interp, translated] = results as [Machine, Machine];
        expectSame(interp, translated, 'zeroed memory');
        // 2M instructions of 2 bytes: 61 passes through the 64 KiB segment, ending at 9000h + 4M mod 64 Ki
        expect(interp.cpu.state.ip).toBe((0x9000 + 2 * 2_000_000) & 0xffff);
        // The code reached by a jump back (the wrap from FFFEh to 0000h) may be translated;
        // the rest (32 768 start addresses) stays interpreted.
        expect(translated.cpu.code!.translated).toBeLessThanOrEqual(4);
      });
    }
  }
});

describe('interrupts in translated code', () => {
  it('are taken at the same instruction boundary as in the interpreter (a timer every 1000 instructions)', () => {
    // L: inc ax / add bx,ax / jmp L ; the handler counts in DX: inc dx / iret
    const code = [0x40, 0x01, 0xc3, 0xeb, 0xfb];
    const results: number[][] = [];
    for (const translate of [false, true]) {
      const m = bare('8086', code, translate);
      m.memory.ram.set([0x42, 0xcf], HANDLER * 16);
      const pic = new TimerPic();
      m.cpu.connectInterrupts(pic);
      m.cpu.flags = IF;
      const t = m.clock.timer('irq', () => {
        pic.intr.raise();
        t.armAfter(1_000_000);
      });
      t.armAfter(1_000_000);
      while (m.clock.instructions < 100_000) if (m.cpu.run(100_000 - m.clock.instructions) === 'shutdown') break;
      results.push([m.cpu.state.gpr[0]!, m.cpu.state.gpr[2]!, m.cpu.state.gpr[3]!, m.cpu.state.ip]);
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[0]![1]).toBe(99); // 99 interrupts in 100 000 instructions
  });
});

describe('self-modifying code and code written by others', () => {
  it('a loop that rewrites its own immediate operand sees the new value on the next pass', () => {
    //   L: mov al,00        (B0 xx at offset 0; the immediate at offset 1)
    //      inc byte [cs:0001] ; 2E FE 06 01 00
    //      add bx,ax (16-bit, AH = 0)
    //      dec cx / jnz L
    const code = [0xb0, 0x00, 0x2e, 0xfe, 0x06, 0x01, 0x00, 0x01, 0xc3, 0x49, 0x75, 0xf4, 0xf4];
    for (const model of ['8086', '80286'] as const) {
      const m = bare(model, code);
      m.cpu.state.gpr[1] = 200;
      m.cpu.run(1001);
      expect(m.cpu.state.halted).toBe(true);
      // AL took 0, 1, ..., 199 on successive passes
      expect(m.cpu.state.gpr[3]).toBe((199 * 200) / 2);
    }
  });

  it('code written through the memory space between runs replaces the translated block (a loader, DMA)', () => {
    // L: inc ax / jmp L   -- then overwritten with   L: dec ax / jmp L
    const m = bare('8086', [0x40, 0xeb, 0xfd]);
    m.cpu.run(10_000);
    expect(m.cpu.state.gpr[0]).toBe(5000);
    m.memory.write8(CODE * 16, 0x48);
    m.cpu.run(10_000);
    expect(m.cpu.state.gpr[0]).toBe(0);
    m.memory.writeBytes(CODE * 16, new Uint8Array([0x43]));
    m.cpu.run(10_000);
    expect(m.cpu.state.gpr[3]).toBe(5000);
  });

  it('RAM written directly and reported with markDirty (a DMA controller) is seen', () => {
    const m = bare('80286', [0x40, 0xeb, 0xfd]);
    m.cpu.run(10_000);
    m.memory.ram[CODE * 16] = 0x41; // inc cx
    m.memory.markDirty(CODE * 16);
    m.cpu.run(10_000);
    expect(m.cpu.state.gpr[1]).toBe(5000);
  });

  it('a REP MOVSB that copies new code over the loop is seen when the loop comes round', () => {
    // L: inc ax / cmp ax,100 / jnz L / mov si,0100 / mov di,0000 / mov cx,1 / cs: rep movsb ... (DS=ES=CS)
    // The copied byte (at 0100) is DEC BX: the loop's INC AX becomes DEC BX.
    const code = [0x40, 0x3d, 0x64, 0x00, 0x75, 0xfa, 0xbe, 0x00, 0x01, 0xbf, 0x00, 0x00, 0xb9, 0x01, 0x00, 0xf3, 0xa4, 0xeb, 0xed];
    const m = bare('8086', code);
    m.cpu.setSegment(DS, CODE);
    m.cpu.setSegment(ES, CODE);
    m.memory.ram[CODE * 16 + 0x100] = 0x4b;
    // 100 passes of 3, the copy (5 with the JMP), then rounds of 8: DEC BX / CMP / JNZ (AX
    // stays 100: falls through) / MOV / MOV / MOV / REP MOVSB / JMP
    m.cpu.run(100 * 3 + 5 + 4 * 8);
    expect(m.memory.ram[CODE * 16]).toBe(0x4b);
    expect(m.cpu.state.gpr[0]).toBe(100);
    expect(m.cpu.state.gpr[3]).toBe(0x10000 - 4);
  });

  it('writes to data that shares a page with translated code leave the code translated', () => {
    // L: inc word [0800] / jmp L, with DS = CS: the data word lies in the code page
    const m = bare('8086', [0xff, 0x06, 0x00, 0x08, 0xeb, 0xfa]);
    m.cpu.setSegment(DS, CODE);
    m.cpu.run(20_000);
    expect(m.memory.ram[CODE * 16 + 0x800]! | (m.memory.ram[CODE * 16 + 0x801]! << 8)).toBe(10_000);
    expect(m.cpu.code!.size).toBeGreaterThan(0);
  });
});

describe('stores into a page that holds translated code', () => {
  // L: inc word [0800] / jmp L, with DS = CS: the data word lies in the code page
  const code = [0xff, 0x06, 0x00, 0x08, 0xeb, 0xfa];

  it('still reach every other watcher of the page (the memory space reports each one)', () => {
    const m = bare('8086', code);
    m.cpu.setSegment(DS, CODE);
    m.cpu.tuneTranslation(0, 48);
    const seen: number[] = [];
    m.cpu.run(2); // translated, the page watched by the CPU
    m.memory.onWatchedWrite((a) => seen.push(a));
    m.memory.watchWrites((CODE * 16) >>> 12);
    m.cpu.run(2000);
    expect(seen.filter((a) => a === CODE * 16 + 0x800)).toHaveLength(1000);
    expect(m.memory.ram[CODE * 16 + 0x800]! | (m.memory.ram[CODE * 16 + 0x801]! << 8)).toBe(1001);
  });

  it('mark the page dirty as any store does', () => {
    const m = bare('8086', code);
    m.cpu.setSegment(DS, CODE);
    m.cpu.tuneTranslation(0, 48);
    m.cpu.run(100);
    m.memory.takeDirty();
    m.cpu.run(100);
    expect(m.memory.takeDirty()).toContain((CODE * 16) >>> 12);
  });
});

describe('the A20 gate and translated code above 1 MiB', () => {
  it('code at FFFF:0010 runs from 100000h while A20 is on and from 0 once it is off', () => {
    const memory = new MemorySpace({ backingSize: 0x200000, addressBits: 24 });
    memory.mapRam('ram', 0, 0x200000);
    const cpu = new X86Cpu({ memory, io: new IoSpace(), clock: new VirtualClock() }, { model: '80286' });
    cpu.tuneTranslation(0, 48);
    memory.ram.set([0x40, 0xeb, 0xfd], 0x100000); // inc ax / jmp
    memory.ram.set([0x43, 0xeb, 0xfd], 0x000000); // inc bx / jmp
    cpu.setSegment(CS, 0xffff);
    cpu.state.ip = 0x10;
    cpu.run(1000);
    expect(cpu.state.gpr[0]).toBe(500);
    memory.setA20(false);
    cpu.run(1000);
    expect(cpu.state.gpr[3]).toBe(500);
    memory.setA20(true);
    cpu.run(1000);
    expect(cpu.state.gpr[0]).toBe(1000);
  });
});

describe('translation off', () => {
  it('keeps no cache and gives the same results', () => {
    const code = [0xb9, 0xe8, 0x03, 0x01, 0xc8, 0x43, 0xe2, 0xfb, 0xf4];
    const a = bare('8086', code, false);
    const b = bare('8086', code, true);
    expect(a.cpu.code).toBeUndefined();
    a.cpu.run(5000);
    b.cpu.run(5000);
    expectSame(a, b, 'loop');
  });
});
