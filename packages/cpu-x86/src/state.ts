// All guest-visible CPU state, in one plain object, and its descriptor.
import { defineState, field, subsection, type StateOf } from '@backplane/vmstate';
import { CS, FLAGS_FIXED_ONE, FLAGS_8086_HIGH, MODEL_80286, MSW_RESERVED } from './registers';

/**
 * The processor's state. Registers are stored 32 bits wide and segment registers with their
 * hidden descriptor caches (base, limit, access rights), so the 80386 can grow into the same
 * shape; real mode keeps base = selector * 16 and limit = 0xFFFF.
 *
 * Arithmetic flags may be held lazily: bits set in `lazy` are not valid in `flags` and are
 * derived from the last ALU operation (`lop1`, `lop2`, `lres`, `lbits`, `lkind`). Read
 * the architectural value with `X86Cpu.flags`; a save writes the derived value.
 */
export interface CpuState {
  /** EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI (encoding order). */
  readonly gpr: Uint32Array;
  /** ES, CS, SS, DS, FS, GS selectors. */
  readonly seg: Uint16Array;
  /** Hidden descriptor caches: linear base of each segment. */
  readonly segBase: Int32Array;
  /** Hidden descriptor caches: limit (0xFFFF in real mode). */
  readonly segLimit: Uint32Array;
  /** Hidden descriptor caches: access rights byte (80286 format). */
  readonly segRights: Uint8Array;
  /** Instruction pointer (EIP). */
  ip: number;
  /** FLAGS (architectural bits; those in `lazy` are stale). */
  flags: number;
  /** Arithmetic flag bits to derive from the last ALU operation instead of `flags`. */
  lazy: number;
  /** Last ALU operation: kind (0 add, 1 subtract, 2 logic), width in bits, operands, unmasked result. */
  lkind: number;
  lbits: number;
  lop1: number;
  lop2: number;
  lres: number;
  /** 80286 machine status word. */
  msw: number;
  /** 80286 GDTR / IDTR (IDTR locates the real-mode vector table). */
  gdtBase: number;
  gdtLimit: number;
  idtBase: number;
  idtLimit: number;
  /** 80286 LDTR and TR selectors (only LOADALL reaches them in real mode). */
  ldtr: number;
  tr: number;
  /** HLT executed and no interrupt taken since. */
  halted: boolean;
  /**
   * Interrupt shadow: 1 after MOV SS / POP SS / STI; the next instruction runs before any
   * interrupt (or single-step trap) is taken.
   */
  shadow: number;
  /** An NMI edge was seen and not yet taken. */
  nmiPending: boolean;
  /** 80286: an NMI handler is running (further NMIs wait for IRET). */
  nmiBlocked: boolean;
}

/** Lazy-flag operation kinds. */
export const LAZY_ADD = 0;
export const LAZY_SUB = 1;
export const LAZY_LOGIC = 2;

/** A fresh state in the processor's reset configuration. */
export function createCpuState(model: number): CpuState {
  const state: CpuState = {
    gpr: new Uint32Array(8),
    seg: new Uint16Array(6),
    segBase: new Int32Array(6),
    segLimit: new Uint32Array(6),
    segRights: new Uint8Array(6),
    ip: 0,
    flags: 0,
    lazy: 0,
    lkind: 0,
    lbits: 16,
    lop1: 0,
    lop2: 0,
    lres: 0,
    msw: 0,
    gdtBase: 0,
    gdtLimit: 0,
    idtBase: 0,
    idtLimit: 0,
    ldtr: 0,
    tr: 0,
    halted: false,
    shadow: 0,
    nmiPending: false,
    nmiBlocked: false,
  };
  resetCpuState(state, model);
  return Object.seal(state);
}

/**
 * RESET: 8086/80186 start at FFFF:0000; the 80286 at F000:FFF0 with the CS base at FF0000
 * (286 manual 10.1: "CS = F000H, base FF0000H, IP = FFF0H, MSW = FFF0H").
 */
export function resetCpuState(s: CpuState, model: number): void {
  s.gpr.fill(0);
  s.seg.fill(0);
  s.segBase.fill(0);
  s.segLimit.fill(0xffff);
  s.segRights.fill(0x93);
  s.segRights[CS] = 0x9b;
  s.lazy = 0;
  s.lkind = 0;
  s.lbits = 16;
  s.lop1 = s.lop2 = s.lres = 0;
  s.halted = false;
  s.shadow = 0;
  s.nmiPending = false;
  s.nmiBlocked = false;
  s.gdtBase = 0;
  s.gdtLimit = 0xffff;
  s.idtBase = 0;
  s.idtLimit = 0x3ff;
  s.ldtr = 0;
  s.tr = 0;
  if (model >= MODEL_80286) {
    s.seg[CS] = 0xf000;
    s.segBase[CS] = 0xff0000;
    s.ip = 0xfff0;
    s.flags = FLAGS_FIXED_ONE;
    s.msw = MSW_RESERVED;
  } else {
    s.seg[CS] = 0xffff;
    s.segBase[CS] = 0xffff0;
    s.ip = 0;
    s.flags = FLAGS_8086_HIGH | FLAGS_FIXED_ONE;
    s.msw = 0;
  }
}

// ---------------------------------------------------------------------------------------
// The saved form (vmstate descriptor)
// ---------------------------------------------------------------------------------------

const u8 = field.u8;
const u16 = field.u16;
const u32 = field.u32;

/**
 * The processor's state as it travels in a snapshot or migration stream. Flags are saved
 * materialised (no lazy-flag internals); segment registers with their descriptor caches.
 *
 * Version history: 1 = first version (8086 / 80186 / 80286 real mode).
 */
export const cpuStateDescriptor = defineState({
  name: 'cpu-x86',
  version: 1,
  fields: {
    /** 0 = 8086, 1 = 80186, 2 = 80286: a state loads only into the same model. */
    model: u8({ oneOf: [0, 1, 2] }),
    /** EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI. */
    gpr: field.array(u32(), 8),
    /** ES, CS, SS, DS, FS, GS selectors. */
    seg: field.array(u16(), 6),
    /** Descriptor caches: base, limit, access rights. */
    segBase: field.array(u32(), 6),
    segLimit: field.array(u32(), 6),
    segRights: field.array(u8(), 6),
    ip: u32(),
    /** FLAGS as the program reads them (PUSHF). */
    flags: u32({ check: (v) => (v & 0x0002) !== 0 || 'FLAGS bit 1 must be set' }),
    msw: u16(),
    gdtBase: u32({ range: [0, 0xffffff] }),
    gdtLimit: u16(),
    idtBase: u32({ range: [0, 0xffffff] }),
    idtLimit: u16(),
    ldtr: u16(),
    tr: u16(),
    /** HLT executed, waiting for an interrupt. */
    halted: field.bool(),
    /** 1: the next instruction runs before any interrupt (after MOV SS / POP SS / STI). */
    shadow: u8({ range: [0, 1] }),
    /** An NMI edge not yet taken. */
    nmiPending: field.bool(),
    /** 80286: inside an NMI handler (NMIs wait for IRET). */
    nmiBlocked: field.bool(),
  },
  subsections: [
    // Rare: an 80286 that faulted while delivering a fault has shut down and executes nothing
    // until RESET (the AT resets it at once; a bare processor stays so). Readers without this
    // subsection never see a shut-down processor.
    subsection({
      name: 'shutdown',
      version: 1,
      needed: (s) => s.shutdown === true,
      fields: { shutdown: field.bool({ default: false }) },
    }),
  ],
  validate: (s) => {
    if (s.shutdown && s.model !== 2) return 'only an 80286 shuts down';
    if (s.model < 2 && (s.msw !== 0 || s.gdtBase !== 0 || s.ldtr !== 0 || s.tr !== 0)) return '8086 / 80186 state with 80286 system registers';
    if (s.ip > 0xffff) return `IP ${s.ip} beyond 16 bits in real mode`;
    for (let i = 0; i < 6; i++) if (s.segLimit[i]! > 0xffff) return `segment ${i} limit beyond 64 KiB in real mode`;
    return true;
  },
});

export type CpuSavedState = StateOf<typeof cpuStateDescriptor>;
