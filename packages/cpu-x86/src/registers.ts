// Named constants of the x86 programming model (Intel 8086 Family User's Manual, 1979;
// iAPX 286 Programmer's Reference Manual, 1983).

/** The processor models this package emulates. */
export type CpuModel = '8086' | '80186' | '80286';

/** Internal model numbers, in order of capability. */
export const MODEL_8086 = 0;
export const MODEL_80186 = 1;
export const MODEL_80286 = 2;

export function modelNumber(model: CpuModel): number {
  switch (model) {
    case '8086':
      return MODEL_8086;
    case '80186':
      return MODEL_80186;
    case '80286':
      return MODEL_80286;
  }
}

// --- FLAGS (8086 manual, fig. 2-32; 286 adds IOPL and NT, bits 12-14) -------------------
/** Carry: unsigned overflow or borrow. */
export const CF = 0x0001;
/** Parity: the low byte of the result has an even number of 1 bits. */
export const PF = 0x0004;
/** Auxiliary carry: carry or borrow out of bit 3 (BCD). */
export const AF = 0x0010;
/** Zero. */
export const ZF = 0x0040;
/** Sign: the top bit of the result. */
export const SF = 0x0080;
/** Trap: single-step interrupt (vector 1) after each instruction. */
export const TF = 0x0100;
/** Interrupt enable: INTR is accepted. */
export const IF = 0x0200;
/** Direction: string instructions decrement SI/DI. */
export const DF = 0x0400;
/** Overflow: signed overflow. */
export const OF = 0x0800;
/** The six arithmetic status flags. */
export const ARITH_FLAGS = CF | PF | AF | ZF | SF | OF;
/** Every flag a program can write in real mode (bits 1, 3, 5 and 12-15 are fixed). */
export const WRITABLE_FLAGS = ARITH_FLAGS | TF | IF | DF;
/** Bit 1 always reads as 1. */
export const FLAGS_FIXED_ONE = 0x0002;
/** 8086/80186: bits 12-15 always read as 1. The 80286 in real mode reads them as 0. */
export const FLAGS_8086_HIGH = 0xf000;

// --- General registers: encoding order in ModR/M and in the opcode's low 3 bits --------
export const AX = 0;
export const CX = 1;
export const DX = 2;
export const BX = 3;
export const SP = 4;
export const BP = 5;
export const SI = 6;
export const DI = 7;

/** Names of the 16-bit registers in encoding order. */
export const REG16_NAMES = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'] as const;

// --- Segment registers: encoding order in MOV Sreg (reg field) --------------------------
export const ES = 0;
export const CS = 1;
export const SS = 2;
export const DS = 3;
/** FS and GS arrive with the 80386; their slots exist so state is shaped for it. */
export const FS = 4;
export const GS = 5;
export const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;

// --- Interrupt vectors (8086 manual, "Interrupts"; 286 manual, table 9-1) ----------------
export const VEC_DIVIDE = 0;
export const VEC_SINGLE_STEP = 1;
export const VEC_NMI = 2;
export const VEC_BREAKPOINT = 3;
export const VEC_OVERFLOW = 4;
/** 80186+: BOUND range exceeded. */
export const VEC_BOUND = 5;
/** 80186+: invalid opcode. */
export const VEC_INVALID_OPCODE = 6;
/** 80286: processor extension not available (ESC with MSW.EM or TS). */
export const VEC_NO_FPU = 7;
/** 80286: general protection; in real mode, an operand that wraps past offset 0xFFFF. */
export const VEC_GP = 13;

// --- 80286 machine status word (286 manual, 10.1) ------------------------------------
export const MSW_PE = 0x0001;
export const MSW_MP = 0x0002;
export const MSW_EM = 0x0004;
export const MSW_TS = 0x0008;
/** Bits 4-15 of the MSW read as 1 on the 80286. */
export const MSW_RESERVED = 0xfff0;
