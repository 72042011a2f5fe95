// The x86 processor core: memory and port access through the bus, flags, interrupts and the
// run loop. Instruction behaviour lives in ops.ts (one handler per opcode, in tables).
import type { InterruptController, IoSpace, MemorySpace, VirtualClock } from '@backplane/bus';
import { CodeCache } from './blocks';
import { buildOpcodeTable, runSlice, type OpHandler } from './ops';
import {
  AF,
  ARITH_FLAGS,
  CF,
  CS,
  DS,
  FLAGS_8086_HIGH,
  FLAGS_FIXED_ONE,
  IF,
  MODEL_80186,
  MODEL_80286,
  MODEL_8086,
  MSW_PE,
  OF,
  PF,
  SF,
  SP,
  SS,
  TF,
  VEC_DIVIDE,
  VEC_GP,
  VEC_NMI,
  VEC_SINGLE_STEP,
  WRITABLE_FLAGS,
  ZF,
  modelNumber,
  type CpuModel,
} from './registers';
import { validate } from '@backplane/vmstate';
import { LAZY_ADD, LAZY_LOGIC, LAZY_SUB, cpuStateDescriptor, createCpuState, resetCpuState, type CpuSavedState, type CpuState } from './state';

/** What the processor is connected to: a `Bus` satisfies this. */
export interface CpuBus {
  readonly memory: MemorySpace;
  readonly io: IoSpace;
  readonly clock: VirtualClock;
}

export interface CpuOptions {
  /** Which processor: selects the documented differences (default 8086). */
  readonly model?: CpuModel;
  /**
   * Translate code that runs often into JavaScript functions (default true). The results are
   * the same either way, instruction for instruction; off, every instruction is interpreted.
   */
  readonly translate?: boolean;
}

/** How often a start address is reached before its block is translated. */
const TRANSLATE_THRESHOLD = 24;
/** Most instructions in one translated block. */
const BLOCK_INSTRUCTIONS = 48;

/** Why `run` returned. */
export type StopReason =
  /** The instruction budget is spent. */
  | 'budget'
  /** A clock event became due (it has fired). */
  | 'event'
  /** The processor is halted (HLT) with no interrupt to wake it; idle time has passed. */
  | 'halt'
  /** The next instruction starts at a breakpoint (it has not executed). */
  | 'breakpoint'
  /** The program asked for something this emulation does not provide (see `unsupported`). */
  | 'unsupported'
  /**
   * An 80286 faulted while delivering a fault (a push at SP = 1 in real mode: the double fault's
   * own push fails the same way) and shut down. It executes nothing until `reset()`; the IBM AT
   * decodes the shutdown cycle and resets the processor.
   */
  | 'shutdown';

/** A saved state that this processor cannot take (another model). Nothing was changed. */
export class CpuStateError extends Error {
  override readonly name = 'CpuStateError';
}

/** Thrown (as this one preallocated object) to abandon an instruction that raised an exception. */
export const FAULT = { fault: true } as const;

/** Parity flag for each byte value (PF set when the number of 1 bits is even). */
export const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let b = i;
  b ^= b >> 4;
  b ^= b >> 2;
  b ^= b >> 1;
  PARITY[i] = b & 1 ? 0 : PF;
}

/** ModR/M register number -> index of that 8-bit register in the byte view of `gpr`. */
export const REG8_INDEX = new Uint8Array([0, 4, 8, 12, 1, 5, 9, 13]);

const SLICE_UNBOUNDED = 0x3fffffff;

/**
 * An 8086 / 80186 / 80286 in real mode. It reaches memory and ports only through the bus,
 * takes interrupts from an `InterruptController` and NMI edges, and reports each slice of
 * retired instructions to the virtual clock.
 *
 * Members marked internal are used by the instruction handlers; they are not API.
 */
export class X86Cpu {
  readonly model: CpuModel;
  /** All guest-visible state. */
  readonly state: CpuState;

  /** @internal model number (MODEL_8086 ...). */
  readonly m: number;
  /** @internal 8-bit and 16-bit views of the general registers. */
  readonly r8: Uint8Array;
  readonly r16: Uint16Array;
  /** @internal segment bases (alias of state.segBase). */
  readonly sbase: Int32Array;
  /** @internal the bus. */
  readonly mem: MemorySpace;
  readonly io: IoSpace;
  readonly clock: VirtualClock;
  readonly ram: Uint8Array;
  readonly direct: Uint8Array;
  readonly dirty: Uint8Array;
  /** @internal physical address mask (address lines and A20). */
  amask: number;
  /** @internal the opcode table for this model. */
  readonly ops: OpHandler[];
  /** @internal translated blocks (absent when translation is off). */
  readonly code: CodeCache | undefined;

  // ---- per-instruction decode state (internal) ----
  /** Default segment for data operands (DS, or the override). */
  dseg = DS;
  /** Default segment for BP-based operands (SS, or the override). */
  sseg = SS;
  /** REP prefix: 0 none, 1 REPNE/REPNZ (F2), 2 REP/REPE (F3). */
  rep = 0;
  /** Offset of the first byte of the current instruction (prefixes included). */
  start = 0;
  /** Effective address of the memory operand decoded last. */
  eaOff = 0;
  eaSeg = DS;
  /** String instruction iteration has reached its write (80286 REP fault accounting). */
  strWrite = 0;
  /** Exception vector being raised (with FAULT). */
  faultVec = 0;

  // ---- run-loop accounting (internal) ----
  /** Instructions the current slice may still start. */
  left = 0;
  /** Instructions of the slice given back by `stop()`. */
  rest = 0;
  /** `step()`: a REP string instruction runs to its end. */
  stepping = false;

  private pic: InterruptController | undefined;
  private intrLevel = false;
  private unsubscribeIntr: (() => void) | undefined;
  private readonly breakpoints = new Set<number>();
  private skipBreakpointAt = -1;
  private readonly unsubscribeA20: () => void;
  /** Set when the program used something not emulated (protected mode). */
  unsupported: string | undefined;
  /** Shut down (see StopReason 'shutdown'): nothing runs until reset. */
  shutdown = false;

  constructor(bus: CpuBus, options: CpuOptions = {}) {
    this.model = options.model ?? '8086';
    this.m = modelNumber(this.model);
    this.state = createCpuState(this.m);
    this.r8 = new Uint8Array(this.state.gpr.buffer);
    this.r16 = new Uint16Array(this.state.gpr.buffer);
    this.sbase = this.state.segBase;
    this.mem = bus.memory;
    this.io = bus.io;
    this.clock = bus.clock;
    this.ram = bus.memory.ram;
    this.direct = bus.memory.direct;
    this.dirty = bus.memory.dirty;
    this.amask = bus.memory.addressMask;
    this.unsubscribeA20 = bus.memory.onA20(() => {
      this.amask = this.mem.addressMask;
      this.code?.a20Changed();
    });
    this.ops = buildOpcodeTable(this.m);
    this.code = (options.translate ?? true) ? new CodeCache(this, bus.memory, { threshold: TRANSLATE_THRESHOLD, maxInstructions: BLOCK_INSTRUCTIONS }) : undefined;
  }

  /** Stop listening to the bus (the machine is being torn down). */
  dispose(): void {
    this.unsubscribeA20();
    this.unsubscribeIntr?.();
    this.code?.dispose();
  }

  /**
   * @internal Translation settings, for tests that drive the translator through the
   * SingleStepTests: `threshold` 0 translates at first sight, `maxInstructions` 1 makes each
   * instruction its own block.
   */
  tuneTranslation(threshold: number, maxInstructions: number): void {
    if (this.code === undefined) return;
    this.code.clear();
    this.code.threshold = threshold;
    this.code.maxInstructions = maxInstructions;
  }

  /** RESET: registers to their power-on values; memory is untouched. */
  reset(): void {
    this.code?.clear();
    resetCpuState(this.state, this.m);
    this.dseg = DS;
    this.sseg = SS;
    this.rep = 0;
    this.unsupported = undefined;
    this.shutdown = false;
  }

  /** Take maskable interrupts from `pic` (its INTR line and INTA cycle). */
  connectInterrupts(pic: InterruptController): void {
    this.unsubscribeIntr?.();
    this.pic = pic;
    this.unsubscribeIntr = pic.intr.connect((level) => {
      this.intrLevel = level;
      if (level) this.stop();
    });
  }

  /** An edge on the NMI input: vector 2 is taken before the next instruction. */
  nmi(): void {
    this.state.nmiPending = true;
    this.stop();
  }

  addBreakpoint(linear: number): void {
    this.breakpoints.add(linear >>> 0);
  }

  removeBreakpoint(linear: number): void {
    this.breakpoints.delete(linear >>> 0);
  }

  // ---------------------------------------------------------------------------------
  // Register access for hosts and tests
  // ---------------------------------------------------------------------------------

  /** FLAGS as the program sees them (lazy bits derived, fixed bits applied). */
  get flags(): number {
    return this.getFlags();
  }

  set flags(value: number) {
    this.setFlags(value);
  }

  /** The state in its saved form (`cpuStateDescriptor`), flags materialised. */
  saveState(): CpuSavedState {
    const s = this.state;
    return {
      model: this.m,
      gpr: Array.from(s.gpr),
      seg: Array.from(s.seg),
      segBase: Array.from(s.segBase, (b) => b >>> 0),
      segLimit: Array.from(s.segLimit),
      segRights: Array.from(s.segRights),
      ip: s.ip,
      flags: this.getFlags(),
      msw: s.msw,
      gdtBase: s.gdtBase,
      gdtLimit: s.gdtLimit,
      idtBase: s.idtBase,
      idtLimit: s.idtLimit,
      ldtr: s.ldtr,
      tr: s.tr,
      halted: s.halted,
      shadow: s.shadow,
      nmiPending: s.nmiPending,
      nmiBlocked: s.nmiBlocked,
      shutdown: this.shutdown,
    };
  }

  /**
   * Take a saved state. It is checked completely first (descriptor rules, same model): on a
   * refusal (`ValidationError`, `CpuStateError`) the processor is unchanged.
   */
  loadState(saved: CpuSavedState): void {
    validate(cpuStateDescriptor, saved);
    if (saved.model !== this.m) throw new CpuStateError(`the state is of processor model ${saved.model}, this processor is an ${this.model}`);
    // Memory is usually loaded with the state, behind the write watch: start the cache over.
    this.code?.clear();
    const s = this.state;
    s.gpr.set(saved.gpr);
    s.seg.set(saved.seg);
    s.segBase.set(saved.segBase);
    s.segLimit.set(saved.segLimit);
    s.segRights.set(saved.segRights);
    s.ip = saved.ip;
    s.lazy = 0;
    s.flags = saved.flags;
    s.flags = this.getFlags();
    s.msw = saved.msw;
    s.gdtBase = saved.gdtBase;
    s.gdtLimit = saved.gdtLimit;
    s.idtBase = saved.idtBase;
    s.idtLimit = saved.idtLimit;
    s.ldtr = saved.ldtr;
    s.tr = saved.tr;
    s.halted = saved.halted;
    s.shadow = saved.shadow;
    s.nmiPending = saved.nmiPending;
    s.nmiBlocked = saved.nmiBlocked;
    this.shutdown = saved.shutdown;
    this.dseg = DS;
    this.sseg = SS;
    this.rep = 0;
    this.unsupported = (s.msw & MSW_PE) !== 0 ? 'protected mode (MSW.PE set)' : undefined;
  }

  /** Load a segment register as real mode does (base = selector * 16). */
  setSegment(index: number, selector: number): void {
    this.loadSeg(index, selector & 0xffff);
  }

  // ---------------------------------------------------------------------------------
  // The run loop
  // ---------------------------------------------------------------------------------

  /**
   * Execute up to `budget` instructions; stop earlier when a clock event becomes due (after
   * it fired), at HLT, or before an instruction at a breakpoint. Interrupts are taken between
   * instructions. A REP string instruction counts one instruction per iteration and can be
   * interrupted between iterations (it resumes where it stopped).
   */
  run(budget: number): StopReason {
    if (!Number.isSafeInteger(budget) || budget < 0) throw new RangeError(`run(): the budget must be a whole number of instructions >= 0, got ${budget}`);
    const s = this.state;
    const clock = this.clock;
    let done = 0;
    while (done < budget) {
      if (this.unsupported !== undefined) return 'unsupported';
      if (this.shutdown) return 'shutdown';
      if (s.shadow === 0) {
        if (s.nmiPending && !s.nmiBlocked) {
          s.nmiPending = false;
          s.halted = false;
          if (this.m >= MODEL_80286) s.nmiBlocked = true;
          this.enterInterrupt(VEC_NMI, s.ip);
        } else if (this.intrLevel && s.flags & IF && this.pic) {
          s.halted = false;
          const vector = this.pic.acknowledge() & 0xff;
          this.enterInterrupt(vector, s.ip);
        }
        if (this.shutdown) return 'shutdown';
      }
      const untilEvent = clock.instructionsUntilNextEvent();
      if (s.halted) {
        // Halted: time passes to the next event (or the end of the budget), as if idle.
        const idle = Math.min(budget - done, untilEvent);
        clock.advanceInstructions(idle);
        return idle === untilEvent ? 'event' : 'halt';
      }
      // Slices are small integers (V8 keeps `left` unboxed); a longer budget takes several.
      let n = budget - done;
      if (untilEvent < n) n = untilEvent;
      if (n > SLICE_UNBOUNDED) n = SLICE_UNBOUNDED;
      const trap = s.flags & TF && s.shadow === 0;
      if (s.shadow !== 0 || trap) n = 1;
      if (this.breakpoints.size > 0) {
        const at = (this.sbase[CS]! + s.ip) >>> 0;
        if (this.breakpoints.has(at) && this.skipBreakpointAt !== at) {
          this.skipBreakpointAt = at;
          return 'breakpoint';
        }
        this.skipBreakpointAt = -1;
        n = 1;
      }
      s.shadow = 0;
      this.left = n;
      this.rest = 0;
      this.slice();
      const ran = n - this.rest;
      done += ran;
      if (trap && ran > 0 && !s.halted && !this.shutdown) this.enterInterrupt(VEC_SINGLE_STEP, s.ip);
      clock.advanceInstructions(ran);
      if (ran === untilEvent && ran < budget) return 'event';
    }
    return 'budget';
  }

  /**
   * Execute exactly one instruction (prefixes included, a REP string instruction to the end),
   * delivering any exception it raises, with no interrupt check and no clock. For tests and
   * debuggers.
   */
  step(): void {
    this.state.shadow = 0;
    this.left = 1;
    this.rest = 0;
    this.stepping = true;
    try {
      runSlice(this);
    } finally {
      this.stepping = false;
    }
  }

  /** Give the rest of the current slice back (something needs the run loop's attention). */
  stop(): void {
    if (this.left > 0) {
      this.rest += this.left;
      this.left = 0;
    }
  }

  private slice(): void {
    runSlice(this);
  }

  /** @internal */
  deliverFault(e: unknown): void {
    if (e !== FAULT) throw e;
    this.dseg = DS;
    this.sseg = SS;
    this.rep = 0;
    // The 8086 pushes the address of the next instruction for a divide error; the 80186 and
    // 80286 push the address of the faulting instruction (prefixes included), so it can restart.
    const ret = this.m === MODEL_8086 && this.faultVec === VEC_DIVIDE ? this.state.ip : this.start;
    try {
      this.interrupt(this.faultVec, ret);
    } catch (e2) {
      if (e2 !== FAULT) throw e2;
      // A fault while delivering a fault. The 80286 would raise a double fault (8), whose own
      // pushes fail the same way in real mode (the stack is what failed), and a fault then
      // shuts the processor down.
      this.shutdown = true;
      this.state.halted = false;
      this.stop();
    }
  }

  /** An interrupt taken between instructions (NMI, INTR, single step); a fault while pushing is delivered. */
  private enterInterrupt(vector: number, returnIp: number): void {
    try {
      this.interrupt(vector, returnIp);
    } catch (e) {
      this.deliverFault(e);
    }
  }

  /** @internal Abandon the current instruction with exception `vector`. */
  raise(vector: number): never {
    this.faultVec = vector;
    throw FAULT;
  }

  /** @internal Emulation cannot continue (protected mode requested). */
  unsupportedFeature(what: string): void {
    this.unsupported = what;
    this.stop();
  }

  // ---------------------------------------------------------------------------------
  // Interrupts
  // ---------------------------------------------------------------------------------

  /** @internal Real-mode interrupt: push FLAGS, CS, IP; clear IF and TF; vector through the IVT. */
  interrupt(vector: number, returnIp: number): void {
    const s = this.state;
    const f = this.getFlags();
    this.push16(f);
    this.push16(s.seg[CS]!);
    this.push16(returnIp & 0xffff);
    s.flags = f & ~(IF | TF);
    const entry = (s.idtBase + vector * 4) >>> 0;
    const ip = this.readPhys16(entry);
    const cs = this.readPhys16(entry + 2);
    this.loadSeg(CS, cs);
    s.ip = ip;
  }

  // ---------------------------------------------------------------------------------
  // Flags
  // ---------------------------------------------------------------------------------

  /** @internal */
  getFlags(): number {
    const s = this.state;
    let f = s.flags;
    const lz = s.lazy;
    if (lz !== 0) {
      f &= ~lz;
      if (lz & CF) f |= this.cf();
      if (lz & PF) f |= PARITY[s.lres & 0xff]!;
      if (lz & AF) f |= s.lkind === LAZY_LOGIC ? 0 : (s.lop1 ^ s.lop2 ^ s.lres) & AF;
      if (lz & ZF) f |= this.zf();
      if (lz & SF) f |= (s.lres >> (s.lbits - 8)) & SF;
      if (lz & OF) f |= this.of();
      s.flags = f;
      s.lazy = 0;
    }
    return this.m >= MODEL_80286 ? (f & WRITABLE_FLAGS) | FLAGS_FIXED_ONE : (f & WRITABLE_FLAGS) | FLAGS_8086_HIGH | FLAGS_FIXED_ONE;
  }

  /** @internal Write FLAGS (POPF, IRET); stops the slice when IF or TF turns on. */
  setFlags(v: number): void {
    const s = this.state;
    const old = s.flags;
    s.lazy = 0;
    s.flags = (v & WRITABLE_FLAGS) | FLAGS_FIXED_ONE | (this.m >= MODEL_80286 ? 0 : FLAGS_8086_HIGH);
    if ((~old & s.flags & IF) !== 0 || (s.flags & TF) !== 0) this.stop();
  }

  /** @internal Write only the arithmetic flags in `mask` (eagerly computed results). */
  setArith(mask: number, values: number): void {
    // Bits being written stop being lazy; the others stay derived from the last operation.
    const s = this.state;
    s.lazy &= ~mask;
    s.flags = (s.flags & ~mask) | (values & mask);
  }

  /** @internal */
  cf(): number {
    const s = this.state;
    if (!(s.lazy & CF)) return s.flags & CF;
    if (s.lkind === LAZY_LOGIC) return 0;
    return (s.lres >> s.lbits) & 1;
  }

  /** @internal ZF as 0 or ZF (0x40). */
  zf(): number {
    const s = this.state;
    if (!(s.lazy & ZF)) return s.flags & ZF;
    return (s.lres & (s.lbits === 8 ? 0xff : 0xffff)) === 0 ? ZF : 0;
  }

  /** @internal SF as 0 or SF. */
  sf(): number {
    const s = this.state;
    if (!(s.lazy & SF)) return s.flags & SF;
    return (s.lres >> (s.lbits - 8)) & SF;
  }

  /** @internal OF as 0 or OF. */
  of(): number {
    const s = this.state;
    if (!(s.lazy & OF)) return s.flags & OF;
    const sh = s.lbits - 1;
    if (s.lkind === LAZY_ADD) return (((s.lop1 ^ s.lres) & (s.lop2 ^ s.lres)) >> sh) & 1 ? OF : 0;
    if (s.lkind === LAZY_SUB) return (((s.lop1 ^ s.lop2) & (s.lop1 ^ s.lres)) >> sh) & 1 ? OF : 0;
    return 0;
  }

  /** @internal PF as 0 or PF. */
  pf(): number {
    const s = this.state;
    if (!(s.lazy & PF)) return s.flags & PF;
    return PARITY[s.lres & 0xff]!;
  }

  /** @internal Condition code `cc` (the low nibble of Jcc) is true. */
  cond(cc: number): boolean {
    let r: boolean;
    switch (cc >> 1) {
      case 0:
        r = this.of() !== 0;
        break;
      case 1:
        r = this.cf() !== 0;
        break;
      case 2:
        r = this.zf() !== 0;
        break;
      case 3:
        r = this.cf() !== 0 || this.zf() !== 0;
        break;
      case 4:
        r = this.sf() !== 0;
        break;
      case 5:
        r = this.pf() !== 0;
        break;
      case 6:
        r = (this.sf() !== 0) !== (this.of() !== 0);
        break;
      default:
        r = this.zf() !== 0 || (this.sf() !== 0) !== (this.of() !== 0);
        break;
    }
    return (cc & 1) === 0 ? r : !r;
  }

  // ---- ALU with lazy flags (8 and 16 bits; `bits` is 8 or 16) ----

  /** @internal ADD/ADC/SUB/SBB/CMP/AND/OR/XOR by ModR/M group index (0-7); returns the masked result. */
  alu(op: number, a: number, b: number, bits: number): number {
    const s = this.state;
    const mask = bits === 8 ? 0xff : 0xffff;
    let r: number;
    switch (op) {
      case 0:
        r = a + b;
        s.lkind = LAZY_ADD;
        break;
      case 1:
        r = a | b;
        s.lkind = LAZY_LOGIC;
        break;
      case 2:
        r = a + b + this.cf();
        s.lkind = LAZY_ADD;
        break;
      case 3:
        r = a - b - this.cf();
        s.lkind = LAZY_SUB;
        break;
      case 4:
        r = a & b;
        s.lkind = LAZY_LOGIC;
        break;
      case 5:
      case 7:
        r = a - b;
        s.lkind = LAZY_SUB;
        break;
      default:
        r = a ^ b;
        s.lkind = LAZY_LOGIC;
        break;
    }
    s.lop1 = a;
    s.lop2 = b;
    s.lres = r;
    s.lbits = bits;
    s.lazy = ARITH_FLAGS;
    return r & mask;
  }

  /** @internal INC: CF is kept. */
  inc(a: number, bits: number): number {
    const s = this.state;
    if (s.lazy & CF) {
      const cf = this.cf();
      this.getFlags();
      s.flags = (s.flags & ~CF) | cf;
    }
    const r = a + 1;
    s.lkind = LAZY_ADD;
    s.lop1 = a;
    s.lop2 = 1;
    s.lres = r;
    s.lbits = bits;
    s.lazy = ARITH_FLAGS & ~CF;
    return r & (bits === 8 ? 0xff : 0xffff);
  }

  /** @internal DEC: CF is kept. */
  dec(a: number, bits: number): number {
    const s = this.state;
    if (s.lazy & CF) {
      const cf = this.cf();
      this.getFlags();
      s.flags = (s.flags & ~CF) | cf;
    }
    const r = a - 1;
    s.lkind = LAZY_SUB;
    s.lop1 = a;
    s.lop2 = 1;
    s.lres = r;
    s.lbits = bits;
    s.lazy = ARITH_FLAGS & ~CF;
    return r & (bits === 8 ? 0xff : 0xffff);
  }

  /**
   * @internal Flags of a result: SF, ZF, PF from `r` (left lazy, `bits` wide), CF, OF and AF
   * as given in `rest`.
   */
  setSZP(r: number, bits: number, rest: number): void {
    const s = this.state;
    s.flags = (s.flags & ~(CF | OF | AF)) | (rest & (CF | OF | AF));
    s.lkind = LAZY_LOGIC;
    s.lres = r;
    s.lbits = bits;
    s.lazy = SF | ZF | PF;
  }

  // ---------------------------------------------------------------------------------
  // Instruction stream
  // ---------------------------------------------------------------------------------

  /** @internal */
  fetch8(): number {
    const s = this.state;
    const ip = s.ip;
    s.ip = (ip + 1) & 0xffff;
    const a = (this.sbase[CS]! + ip) & this.amask;
    if (this.direct[a >>> 12]! & 1) return this.ram[a]!;
    return this.mem.read8(a);
  }

  /** @internal */
  fetch8s(): number {
    return (this.fetch8() << 24) >> 24;
  }

  /** @internal */
  fetch16(): number {
    const s = this.state;
    const ip = s.ip;
    if (ip !== 0xffff) {
      const a = (this.sbase[CS]! + ip) & this.amask;
      if ((a & 0xfff) !== 0xfff && this.direct[a >>> 12]! & 1) {
        s.ip = (ip + 2) & 0xffff;
        return this.ram[a]! | (this.ram[a + 1]! << 8);
      }
    }
    const lo = this.fetch8();
    return lo | (this.fetch8() << 8);
  }

  /**
   * @internal Decode the memory operand of ModR/M byte `m` (mod != 3) into eaSeg:eaOff,
   * fetching any displacement (16-bit addressing).
   */
  decodeEA(m: number): void {
    let off: number;
    let seg = this.dseg;
    const r = this.r16;
    switch (m & 7) {
      case 0:
        off = r[6]! + r[12]!;
        break;
      case 1:
        off = r[6]! + r[14]!;
        break;
      case 2:
        off = r[10]! + r[12]!;
        seg = this.sseg;
        break;
      case 3:
        off = r[10]! + r[14]!;
        seg = this.sseg;
        break;
      case 4:
        off = r[12]!;
        break;
      case 5:
        off = r[14]!;
        break;
      case 6:
        if (m < 0x40) {
          this.eaOff = this.fetch16();
          this.eaSeg = seg;
          return;
        }
        off = r[10]!;
        seg = this.sseg;
        break;
      default:
        off = r[6]!;
        break;
    }
    if (m >= 0x80) off += this.fetch16();
    else if (m >= 0x40) off += this.fetch8s();
    this.eaOff = off & 0xffff;
    this.eaSeg = seg;
  }

  // ---------------------------------------------------------------------------------
  // Memory (segment index + offset)
  // ---------------------------------------------------------------------------------

  /** @internal */
  rb(seg: number, off: number): number {
    const a = (this.sbase[seg]! + off) & this.amask;
    if (this.direct[a >>> 12]! & 1) return this.ram[a]!;
    return this.mem.read8(a);
  }

  /** @internal */
  wb(seg: number, off: number, v: number): void {
    const a = (this.sbase[seg]! + off) & this.amask;
    const p = a >>> 12;
    if (this.direct[p]! & 2) {
      this.ram[a] = v;
      this.dirty[p] = 1;
    } else if (this.code !== undefined && this.code.watch[p] === 1) this.code.store8(a, v & 0xff);
    else this.mem.write8(a, v & 0xff);
  }

  /** @internal A word at offset 0xFFFF wraps to offset 0 (8086) or raises #GP (80286). */
  rw(seg: number, off: number): number {
    if (off === 0xffff) {
      if (this.m >= MODEL_80286) this.raise(VEC_GP);
      return this.rb(seg, 0xffff) | (this.rb(seg, 0) << 8);
    }
    const a = (this.sbase[seg]! + off) & this.amask;
    if ((a & 0xfff) !== 0xfff && this.direct[a >>> 12]! & 1) return this.ram[a]! | (this.ram[a + 1]! << 8);
    return this.mem.read8(a) | (this.mem.read8((a + 1) & this.amask) << 8);
  }

  /** @internal */
  ww(seg: number, off: number, v: number): void {
    if (off === 0xffff) {
      if (this.m >= MODEL_80286) this.raise(VEC_GP);
      this.wb(seg, 0xffff, v & 0xff);
      this.wb(seg, 0, (v >>> 8) & 0xff);
      return;
    }
    const a = (this.sbase[seg]! + off) & this.amask;
    const p = a >>> 12;
    if ((a & 0xfff) !== 0xfff && this.direct[p]! & 2) {
      this.ram[a] = v;
      this.ram[a + 1] = v >>> 8;
      this.dirty[p] = 1;
      return;
    }
    if ((a & 0xfff) !== 0xfff && this.code !== undefined && this.code.watch[p] === 1) {
      this.code.store16(a, v & 0xffff);
      return;
    }
    this.mem.write8(a, v & 0xff);
    this.mem.write8((a + 1) & this.amask, (v >>> 8) & 0xff);
  }

  /** @internal A word at a physical address (vector table). */
  readPhys16(a: number): number {
    return this.mem.read8(a & this.amask) | (this.mem.read8((a + 1) & this.amask) << 8);
  }

  /** @internal */
  push16(v: number): void {
    const r = this.r16;
    const sp = (r[SP << 1]! - 2) & 0xffff;
    this.ww(SS, sp, v);
    r[SP << 1] = sp;
  }

  /** @internal */
  pop16(): number {
    const r = this.r16;
    const sp = r[SP << 1]!;
    const v = this.rw(SS, sp);
    r[SP << 1] = sp + 2;
    return v;
  }

  /** @internal Real-mode segment load. */
  loadSeg(index: number, sel: number): void {
    const s = this.state;
    s.seg[index] = sel;
    s.segBase[index] = sel << 4;
  }

  /** @internal Turn protected mode on: not emulated yet (80286 LMSW with PE). */
  enterProtectedMode(): void {
    this.state.msw |= MSW_PE;
    this.unsupportedFeature('protected mode (MSW.PE set by LMSW)');
  }

  /** @internal model predicates */
  get is186(): boolean {
    return this.m >= MODEL_80186;
  }
}
