// Instruction handlers, one per opcode, gathered into a 256-entry table per processor model.
// 16-bit operand and address size (real mode); the 80386 adds tables for 32-bit sizes.
import type { CodeCache } from './blocks';
import { TABLE_MASK } from './blocks';
import type { X86Cpu } from './Cpu';
import { REG8_INDEX } from './Cpu';
import { LAZY_ADD, LAZY_LOGIC, LAZY_SUB } from './state';
import {
  AF,
  ARITH_FLAGS,
  AX,
  BP,
  BX,
  CF,
  CS,
  CX,
  DF,
  DI,
  DS,
  DX,
  ES,
  IF,
  MODEL_80186,
  MODEL_80286,
  MODEL_8086,
  MSW_EM,
  MSW_PE,
  MSW_TS,
  OF,
  PF,
  SF,
  SI,
  SP,
  SS,
  VEC_BOUND,
  VEC_BREAKPOINT,
  VEC_DIVIDE,
  VEC_GP,
  VEC_INVALID_OPCODE,
  VEC_NO_FPU,
  VEC_OVERFLOW,
  ZF,
} from './registers';

/** An opcode handler: `op` is the opcode byte (the prefix handler passes it along). */
export type OpHandler = (c: X86Cpu, op: number) => void;

// Register slots in the 16-bit view (each 32-bit register is two 16-bit slots).
const rAX = AX << 1;
const rCX = CX << 1;
const rDX = DX << 1;
const rBX = BX << 1;
const rSP = SP << 1;
const rBP = BP << 1;
const rSI = SI << 1;
const rDI = DI << 1;

// ---------------------------------------------------------------------------------------
// Operand helpers
// ---------------------------------------------------------------------------------------

/** Fetch a ModR/M byte and decode its memory operand, if any. */
function modrm(c: X86Cpu): number {
  const m = c.fetch8();
  if (m < 0xc0) c.decodeEA(m);
  return m;
}

function getRm8(c: X86Cpu, m: number): number {
  return m >= 0xc0 ? c.r8[REG8_INDEX[m & 7]!]! : c.rb(c.eaSeg, c.eaOff);
}

function setRm8(c: X86Cpu, m: number, v: number): void {
  if (m >= 0xc0) c.r8[REG8_INDEX[m & 7]!] = v;
  else c.wb(c.eaSeg, c.eaOff, v);
}

function getRm16(c: X86Cpu, m: number): number {
  return m >= 0xc0 ? c.r16[(m & 7) << 1]! : c.rw(c.eaSeg, c.eaOff);
}

function setRm16(c: X86Cpu, m: number, v: number): void {
  if (m >= 0xc0) c.r16[(m & 7) << 1] = v;
  else c.ww(c.eaSeg, c.eaOff, v);
}

function getReg8(c: X86Cpu, m: number): number {
  return c.r8[REG8_INDEX[(m >> 3) & 7]!]!;
}

function setReg8(c: X86Cpu, m: number, v: number): void {
  c.r8[REG8_INDEX[(m >> 3) & 7]!] = v;
}

/** The word after the memory operand (far pointers, BOUND limits). */
function eaWord2(c: X86Cpu): number {
  return c.rw(c.eaSeg, (c.eaOff + 2) & 0xffff);
}

function jumpRel(c: X86Cpu, d: number): void {
  c.state.ip = (c.state.ip + d) & 0xffff;
}

function farJump(c: X86Cpu, cs: number, ip: number): void {
  c.loadSeg(CS, cs);
  c.state.ip = ip;
}

function invalid(c: X86Cpu): void {
  c.raise(VEC_INVALID_OPCODE);
}

// ---------------------------------------------------------------------------------------
// 00-3F: ALU, segment push/pop, prefixes, BCD adjust
// ---------------------------------------------------------------------------------------

/** ALU r/m8, r8 (op&7 = 0), r/m16, r16 (1), r8, r/m8 (2), r16, r/m16 (3), AL, imm8 (4), AX, imm16 (5). */
const aluForms: OpHandler = (c, op) => {
  const kind = op >> 3;
  switch (op & 7) {
    case 0: {
      const m = modrm(c);
      const r = c.alu(kind, getRm8(c, m), getReg8(c, m), 8);
      if (kind !== 7) setRm8(c, m, r);
      return;
    }
    case 1: {
      const m = modrm(c);
      const r = c.alu(kind, getRm16(c, m), c.r16[(m >> 2) & 14]!, 16);
      if (kind !== 7) setRm16(c, m, r);
      return;
    }
    case 2: {
      const m = modrm(c);
      const r = c.alu(kind, getReg8(c, m), getRm8(c, m), 8);
      if (kind !== 7) setReg8(c, m, r);
      return;
    }
    case 3: {
      const m = modrm(c);
      const r = c.alu(kind, c.r16[(m >> 2) & 14]!, getRm16(c, m), 16);
      if (kind !== 7) c.r16[(m >> 2) & 14] = r;
      return;
    }
    case 4: {
      const r = c.alu(kind, c.r8[0]!, c.fetch8(), 8);
      if (kind !== 7) c.r8[0] = r;
      return;
    }
    default: {
      const r = c.alu(kind, c.r16[rAX]!, c.fetch16(), 16);
      if (kind !== 7) c.r16[rAX] = r;
    }
  }
};

/** PUSH ES/CS/SS/DS (06, 0E, 16, 1E). */
const pushSeg: OpHandler = (c, op) => {
  c.push16(c.state.seg[(op >> 3) & 3]!);
};

/** POP ES/SS/DS (07, 17, 1F) and, on the 8086, POP CS (0F). */
const popSeg: OpHandler = (c, op) => {
  const seg = (op >> 3) & 3;
  c.loadSeg(seg, c.pop16());
  if (seg === SS) {
    c.state.shadow = 1;
    c.stop();
  }
};

/** Prefix bytes: segment overrides, LOCK, REPNE, REP; then the instruction they modify. */
const prefix: OpHandler = (c, first) => {
  const dseg = c.dseg;
  const sseg = c.sseg;
  const rep = c.rep;
  let op = first;
  let count = 0;
  for (;;) {
    switch (op) {
      case 0x26:
        c.dseg = c.sseg = ES;
        break;
      case 0x2e:
        c.dseg = c.sseg = CS;
        break;
      case 0x36:
        c.dseg = c.sseg = SS;
        break;
      case 0x3e:
        c.dseg = c.sseg = DS;
        break;
      case 0xf2:
        c.rep = 1;
        break;
      case 0xf3:
        c.rep = 2;
        break;
      case 0xf0:
      case 0xf1:
        break;
      default:
        // The 80286 refuses instructions longer than 10 bytes (#GP); the shortest that can
        // exceed the limit has five prefixes.
        if (count >= 5 && c.m >= MODEL_80286 && count + instructionLength(c, (c.state.ip - 1) & 0xffff) > 10) c.raise(VEC_GP);
        dispatch(c, op);
        c.dseg = dseg;
        c.sseg = sseg;
        c.rep = rep;
        return;
    }
    op = c.fetch8();
    count++;
  }
};

/** Bytes of immediate data after the opcode (and ModR/M), for 16-bit operands; -1 marks ModR/M opcodes. */
const IMM_BYTES = new Int8Array(256);
const HAS_MODRM = new Uint8Array(256);
for (let row = 0; row < 8; row++) {
  for (let i = 0; i < 4; i++) HAS_MODRM[row * 8 + i] = 1;
  IMM_BYTES[row * 8 + 4] = 1;
  IMM_BYTES[row * 8 + 5] = 2;
}
for (const op of [0x62, 0x63, 0x69, 0x6b, 0xc0, 0xc1, 0xc4, 0xc5, 0xc6, 0xc7, 0xd0, 0xd1, 0xd2, 0xd3, 0xf6, 0xf7, 0xfe, 0xff]) HAS_MODRM[op] = 1;
for (let op = 0x80; op <= 0x8f; op++) HAS_MODRM[op] = 1;
for (let op = 0xd8; op <= 0xdf; op++) HAS_MODRM[op] = 1;
for (const op of [0x6a, 0x6b, 0x80, 0x82, 0x83, 0xa8, 0xc0, 0xc1, 0xc6, 0xcd, 0xd4, 0xd5, 0xe4, 0xe5, 0xe6, 0xe7, 0xeb]) IMM_BYTES[op] = 1;
for (let op = 0x70; op <= 0x7f; op++) IMM_BYTES[op] = 1;
for (let op = 0xb0; op <= 0xb7; op++) IMM_BYTES[op] = 1;
for (let op = 0xe0; op <= 0xe3; op++) IMM_BYTES[op] = 1;
for (const op of [0x68, 0x69, 0x81, 0xa0, 0xa1, 0xa2, 0xa3, 0xa9, 0xc2, 0xc7, 0xca, 0xe8, 0xe9]) IMM_BYTES[op] = 2;
for (let op = 0xb8; op <= 0xbf; op++) IMM_BYTES[op] = 2;
IMM_BYTES[0x9a] = IMM_BYTES[0xea] = 4;
IMM_BYTES[0xc8] = 3;

/** Length in bytes of the (unprefixed) instruction at CS:ip, read without side effects. */
function instructionLength(c: X86Cpu, ip: number): number {
  let op = c.rb(CS, ip);
  let len = 1;
  let imm: number;
  if (op === 0x0f) {
    op = c.rb(CS, (ip + 1) & 0xffff);
    len = 2;
    if (op > 3) return len;
    imm = 0;
  } else {
    if (!HAS_MODRM[op]) return len + IMM_BYTES[op]!;
    imm = IMM_BYTES[op]!;
  }
  const m = c.rb(CS, (ip + len) & 0xffff);
  len++;
  if (m < 0xc0) len += m >= 0x80 || (m < 0x40 && (m & 7) === 6) ? 2 : m >= 0x40 ? 1 : 0;
  // TEST r/m, imm is the only group 3 form with an immediate.
  if (op === 0xf6 || op === 0xf7) imm = (m & 0x30) === 0 ? 1 + (op & 1) : 0;
  return len + imm;
}

/**
 * DAA (27) / DAS (2F), as the Intel manuals define them: adjust the low digit when it is
 * above 9 or AF is set (CF also takes the carry or borrow of that step), then the high digit
 * when the original AL was above 99h or CF was set. The 8086 compares the original AL with
 * 9Fh instead of 99h when AF was set.
 */
const daaDas: OpHandler = (c, op) => {
  const al = c.r8[0]!;
  const oldCf = c.cf();
  const oldAf = (c.getFlags() & AF) !== 0;
  let v = al;
  let cf = 0;
  let af = 0;
  const sub = op === 0x2f;
  if ((al & 0x0f) > 9 || oldAf) {
    v = sub ? v - 6 : v + 6;
    // The 80186+ also carry or borrow out of this step into CF; the 8086 does not.
    cf = oldCf | (c.m !== MODEL_8086 && v >> 8 ? CF : 0);
    af = AF;
  }
  const limit = oldAf && c.m === MODEL_8086 ? 0x9f : 0x99;
  if (al > limit || oldCf) {
    v = sub ? v - 0x60 : v + 0x60;
    cf = CF;
  }
  v &= 0xff;
  c.r8[0] = v;
  // OF is undefined; it follows the signed overflow of the adjustment.
  const of = sub ? (al & ~v & 0x80 ? OF : 0) : (~al & v & 0x80 ? OF : 0);
  c.setSZP(v, 8, cf | af | of);
};

/** AAA (37) / AAS (3F). The 80286 adjusts AX as a whole (carry into AH); the 8086 adjusts AL and AH separately. */
const aaaAas: OpHandler = (c, op) => {
  const sub = op === 0x3f;
  const al = c.r8[0]!;
  const adjust = (al & 0x0f) > 9 || (c.getFlags() & AF) !== 0;
  let af = 0;
  if (adjust) {
    if (c.m >= MODEL_80286) {
      const ax = c.r16[rAX]!;
      c.r16[rAX] = sub ? ax - 6 - 0x100 : ax + 0x106;
    } else {
      c.r8[0] = sub ? al - 6 : al + 6;
      c.r8[1] = sub ? c.r8[1]! - 1 : c.r8[1]! + 1;
    }
    af = AF | CF;
  }
  c.r8[0] = c.r8[0]! & 0x0f;
  // SF, ZF, PF, OF are undefined; set them from the adjusted AL as an ADD of 6 would.
  const res = adjust ? (sub ? al - 6 : al + 6) & 0xff : al;
  const of = adjust && !sub && (~al & res & 0x80) !== 0 ? OF : adjust && sub && (al & ~res & 0x80) !== 0 ? OF : 0;
  c.setSZP(res, 8, af | of);
};

// ---------------------------------------------------------------------------------------
// 40-5F: INC/DEC/PUSH/POP register
// ---------------------------------------------------------------------------------------

const incReg: OpHandler = (c, op) => {
  const i = (op & 7) << 1;
  c.r16[i] = c.inc(c.r16[i]!, 16);
};

const decReg: OpHandler = (c, op) => {
  const i = (op & 7) << 1;
  c.r16[i] = c.dec(c.r16[i]!, 16);
};

/** PUSH r16. PUSH SP: the 8086 and 80186 push the decremented SP, the 80286 the value before the push. */
const pushReg: OpHandler = (c, op) => {
  const i = (op & 7) << 1;
  if (i === rSP && c.m < MODEL_80286) {
    const sp = (c.r16[rSP]! - 2) & 0xffff;
    c.ww(SS, sp, sp);
    c.r16[rSP] = sp;
    return;
  }
  c.push16(c.r16[i]!);
};

const popReg: OpHandler = (c, op) => {
  const v = c.pop16();
  c.r16[(op & 7) << 1] = v;
};

// ---------------------------------------------------------------------------------------
// 60-6F: 80186 additions (on the 8086: aliases of 70-7F)
// ---------------------------------------------------------------------------------------

const pusha: OpHandler = (c) => {
  const sp = c.r16[rSP]!;
  for (let i = 0; i < 8; i++) c.push16(i === SP ? sp : c.r16[i << 1]!);
};

const popa: OpHandler = (c) => {
  for (let i = 7; i >= 0; i--) {
    const v = c.pop16();
    if (i !== SP) c.r16[i << 1] = v;
  }
};

const bound: OpHandler = (c) => {
  const m = c.fetch8();
  if (m >= 0xc0) return invalid(c);
  c.decodeEA(m);
  const idx = (c.r16[(m >> 2) & 14]! << 16) >> 16;
  const lo = (c.rw(c.eaSeg, c.eaOff) << 16) >> 16;
  const hi = (eaWord2(c) << 16) >> 16;
  if (idx < lo || idx > hi) c.raise(VEC_BOUND);
};

const pushImm16: OpHandler = (c) => {
  c.push16(c.fetch16());
};

const pushImm8: OpHandler = (c) => {
  c.push16(c.fetch8s() & 0xffff);
};

/** IMUL r16, r/m16, imm16 (69) / imm8 sign-extended (6B). */
const imulImm: OpHandler = (c, op) => {
  const m = modrm(c);
  const a = (getRm16(c, m) << 16) >> 16;
  const b = op === 0x69 ? (c.fetch16() << 16) >> 16 : c.fetch8s();
  const r = a * b;
  c.r16[(m >> 2) & 14] = r;
  const over = r !== (r << 16) >> 16 ? CF | OF : 0;
  c.setSZP(r, 16, over);
};

// ---------------------------------------------------------------------------------------
// Strings (A4-A7, AA-AF, 6C-6F), with REP
// ---------------------------------------------------------------------------------------

/**
 * Run one string iteration function under the REP prefix. Each iteration after the first
 * takes one instruction of the slice; when the slice is spent with CX != 0, IP goes back to
 * the instruction so it resumes after any interrupt. The 8086 resumes at the last prefix byte
 * only (the documented loss of earlier prefixes); later models at the first.
 */
function repeat(c: X86Cpu, iteration: (c: X86Cpu, w: number) => void, w: number, cmp: boolean): void {
  if (c.rep === 0) {
    iteration(c, w);
    return;
  }
  const r = c.r16;
  if (r[rCX] === 0) return;
  const opIp = (c.state.ip - 1) & 0xffff;
  for (;;) {
    if (c.m >= MODEL_80286) repeatIteration286(c, iteration, w);
    else iteration(c, w);
    const cx = (r[rCX]! - 1) & 0xffff;
    r[rCX] = cx;
    if (cx === 0) return;
    if (cmp && (c.zf() !== 0) !== (c.rep === 2)) return;
    if (c.left <= 0 && !c.stepping) {
      c.state.ip = c.m === MODEL_8086 ? (opIp - 1) & 0xffff : c.start;
      return;
    }
    c.left--;
  }
}

/**
 * One REP iteration on the 80286. When its memory access faults, CX has already been counted
 * down: once for a fault while reading, twice for a fault while writing (the decrement of
 * the next iteration overlaps the write), as the SingleStepTests 80286 captures show.
 */
function repeatIteration286(c: X86Cpu, iteration: (c: X86Cpu, w: number) => void, w: number): void {
  c.strWrite = 0;
  try {
    iteration(c, w);
  } catch (e) {
    c.r16[rCX] = c.r16[rCX]! - 1 - c.strWrite;
    throw e;
  }
}

function stepSI(c: X86Cpu, w: number): void {
  const d = c.state.flags & DF ? -1 - w : 1 + w;
  c.r16[rSI] = c.r16[rSI]! + d;
}

function stepDI(c: X86Cpu, w: number): void {
  const d = c.state.flags & DF ? -1 - w : 1 + w;
  c.r16[rDI] = c.r16[rDI]! + d;
}

// Each index register moves just before its own memory access. The 80286 keeps the update of
// an access that faults (a word at offset FFFFh); nothing else can observe the order.
// `c.strWrite` marks the write phase (see `repeat`).

function movsIter(c: X86Cpu, w: number): void {
  const si = c.r16[rSI]!;
  stepSI(c, w);
  const v = w ? c.rw(c.dseg, si) : c.rb(c.dseg, si);
  const di = c.r16[rDI]!;
  stepDI(c, w);
  c.strWrite = 1;
  if (w) c.ww(ES, di, v);
  else c.wb(ES, di, v);
}

function cmpsIter(c: X86Cpu, w: number): void {
  c.strWrite = -1; // a fault in REPE/REPNE CMPS leaves CX as it was
  const di = c.r16[rDI]!;
  stepDI(c, w);
  const b = w ? c.rw(ES, di) : c.rb(ES, di);
  const si = c.r16[rSI]!;
  stepSI(c, w);
  const a = w ? c.rw(c.dseg, si) : c.rb(c.dseg, si);
  c.alu(7, a, b, 8 << w);
}

function stosIter(c: X86Cpu, w: number): void {
  const di = c.r16[rDI]!;
  stepDI(c, w);
  c.strWrite = 1;
  if (w) c.ww(ES, di, c.r16[rAX]!);
  else c.wb(ES, di, c.r8[0]!);
}

function lodsIter(c: X86Cpu, w: number): void {
  const si = c.r16[rSI]!;
  stepSI(c, w);
  if (w) c.r16[rAX] = c.rw(c.dseg, si);
  else c.r8[0] = c.rb(c.dseg, si);
}

function scasIter(c: X86Cpu, w: number): void {
  const di = c.r16[rDI]!;
  stepDI(c, w);
  if (w) c.alu(7, c.r16[rAX]!, c.rw(ES, di), 16);
  else c.alu(7, c.r8[0]!, c.rb(ES, di), 8);
}

function insIter(c: X86Cpu, w: number): void {
  const port = c.r16[rDX]!;
  const di = c.r16[rDI]!;
  stepDI(c, w);
  const v = w ? c.io.in16(port) : c.io.in8(port);
  c.strWrite = 1;
  if (w) c.ww(ES, di, v);
  else c.wb(ES, di, v);
}

function outsIter(c: X86Cpu, w: number): void {
  const port = c.r16[rDX]!;
  const si = c.r16[rSI]!;
  stepSI(c, w);
  if (w) c.io.out16(port, c.rw(c.dseg, si));
  else c.io.out8(port, c.rb(c.dseg, si));
}

const movs: OpHandler = (c, op) => repeat(c, movsIter, op & 1, false);
const cmps: OpHandler = (c, op) => repeat(c, cmpsIter, op & 1, true);
const stos: OpHandler = (c, op) => repeat(c, stosIter, op & 1, false);
const lods: OpHandler = (c, op) => repeat(c, lodsIter, op & 1, false);
const scas: OpHandler = (c, op) => repeat(c, scasIter, op & 1, true);
const ins: OpHandler = (c, op) => repeat(c, insIter, op & 1, false);
const outs: OpHandler = (c, op) => repeat(c, outsIter, op & 1, false);

// ---------------------------------------------------------------------------------------
// 70-7F: Jcc
// ---------------------------------------------------------------------------------------

const jcc: OpHandler = (c, op) => {
  const d = c.fetch8s();
  if (c.cond(op & 15)) jumpRel(c, d);
};

/** JZ/JNZ, the loop-closing branches, without the general condition switch. */
const jz: OpHandler = (c) => {
  const d = c.fetch8s();
  if (c.zf() !== 0) jumpRel(c, d);
};

const jnz: OpHandler = (c) => {
  const d = c.fetch8s();
  if (c.zf() === 0) jumpRel(c, d);
};

// ---------------------------------------------------------------------------------------
// 80-8F
// ---------------------------------------------------------------------------------------

/** Group 1: ALU r/m, imm (80 imm8, 81 imm16, 82 = 80 alias, 83 imm8 sign-extended). */
const group1: OpHandler = (c, op) => {
  const m = modrm(c);
  const kind = (m >> 3) & 7;
  if (op === 0x81 || op === 0x83) {
    const a = getRm16(c, m);
    const b = op === 0x81 ? c.fetch16() : c.fetch8s() & 0xffff;
    const r = c.alu(kind, a, b, 16);
    if (kind !== 7) setRm16(c, m, r);
  } else {
    const a = getRm8(c, m);
    const r = c.alu(kind, a, c.fetch8(), 8);
    if (kind !== 7) setRm8(c, m, r);
  }
};

const test8: OpHandler = (c) => {
  const m = modrm(c);
  c.alu(4, getRm8(c, m), getReg8(c, m), 8);
};

const test16: OpHandler = (c) => {
  const m = modrm(c);
  c.alu(4, getRm16(c, m), c.r16[(m >> 2) & 14]!, 16);
};

const xchg8: OpHandler = (c) => {
  const m = modrm(c);
  const a = getRm8(c, m);
  setRm8(c, m, getReg8(c, m));
  setReg8(c, m, a);
};

const xchg16: OpHandler = (c) => {
  const m = modrm(c);
  const a = getRm16(c, m);
  setRm16(c, m, c.r16[(m >> 2) & 14]!);
  c.r16[(m >> 2) & 14] = a;
};

const movRmR8: OpHandler = (c) => {
  const m = modrm(c);
  setRm8(c, m, getReg8(c, m));
};

const movRmR16: OpHandler = (c) => {
  const m = modrm(c);
  setRm16(c, m, c.r16[(m >> 2) & 14]!);
};

const movRRm8: OpHandler = (c) => {
  const m = modrm(c);
  setReg8(c, m, getRm8(c, m));
};

const movRRm16: OpHandler = (c) => {
  const m = modrm(c);
  c.r16[(m >> 2) & 14] = getRm16(c, m);
};

/** MOV r/m16, Sreg. The 8086 decodes only reg bits 0-1; the 80286 rejects reg 4-7. */
const movRmSeg: OpHandler = (c) => {
  const m = c.fetch8();
  const sr = (m >> 3) & 7;
  if (sr > 3 && c.m >= MODEL_80286) return invalid(c);
  if (m < 0xc0) c.decodeEA(m);
  setRm16(c, m, c.state.seg[sr & 3]!);
};

/** LEA. With a register operand: invalid opcode on the 80186+, the 8086 keeps its last address. */
const lea: OpHandler = (c) => {
  const m = c.fetch8();
  if (m >= 0xc0) {
    if (c.m >= MODEL_80186) return invalid(c);
    c.r16[(m >> 2) & 14] = c.eaOff;
    return;
  }
  c.decodeEA(m);
  c.r16[(m >> 2) & 14] = c.eaOff;
};

/** MOV Sreg, r/m16. The 8086 loads CS too (8E /1); the 80286 rejects CS and reg 4-7. */
const movSegRm: OpHandler = (c) => {
  const m = c.fetch8();
  let sr = (m >> 3) & 7;
  if (c.m >= MODEL_80286 && (sr === CS || sr > 3)) return invalid(c);
  sr &= 3;
  if (m < 0xc0) c.decodeEA(m);
  c.loadSeg(sr, getRm16(c, m));
  if (sr === SS) {
    c.state.shadow = 1;
    c.stop();
  }
};

/** POP r/m16 (8F /0; on the 8086 every reg value acts as /0, later models reject them). */
const popRm: OpHandler = (c) => {
  const m = c.fetch8();
  if ((m & 0x38) !== 0 && c.m >= MODEL_80186) return invalid(c);
  const v = c.pop16();
  if (m < 0xc0) c.decodeEA(m);
  setRm16(c, m, v);
};

// ---------------------------------------------------------------------------------------
// 90-9F
// ---------------------------------------------------------------------------------------

const xchgAx: OpHandler = (c, op) => {
  const i = (op & 7) << 1;
  const t = c.r16[i]!;
  c.r16[i] = c.r16[rAX]!;
  c.r16[rAX] = t;
};

const cbw: OpHandler = (c) => {
  c.r8[1] = c.r8[0]! & 0x80 ? 0xff : 0;
};

const cwd: OpHandler = (c) => {
  c.r16[rDX] = c.r16[rAX]! & 0x8000 ? 0xffff : 0;
};

const callFar: OpHandler = (c) => {
  const ip = c.fetch16();
  const cs = c.fetch16();
  c.push16(c.state.seg[CS]!);
  c.push16(c.state.ip);
  farJump(c, cs, ip);
};

/** WAIT: no coprocessor is attached, so BUSY is never active; the 80286 checks MSW.MP + TS. */
const wait: OpHandler = (c) => {
  if (c.m >= MODEL_80286 && (c.state.msw & 0xa) === 0xa) c.raise(VEC_NO_FPU);
};

const pushf: OpHandler = (c) => {
  c.push16(c.getFlags());
};

const popf: OpHandler = (c) => {
  c.setFlags(c.pop16());
};

const sahf: OpHandler = (c) => {
  c.setArith(SF | ZF | AF | PF | CF, c.r8[1]!);
};

const lahf: OpHandler = (c) => {
  c.r8[1] = c.getFlags() & 0xff;
};

// ---------------------------------------------------------------------------------------
// A0-BF
// ---------------------------------------------------------------------------------------

const movAlMoffs: OpHandler = (c) => {
  c.r8[0] = c.rb(c.dseg, c.fetch16());
};

const movAxMoffs: OpHandler = (c) => {
  c.r16[rAX] = c.rw(c.dseg, c.fetch16());
};

const movMoffsAl: OpHandler = (c) => {
  c.wb(c.dseg, c.fetch16(), c.r8[0]!);
};

const movMoffsAx: OpHandler = (c) => {
  c.ww(c.dseg, c.fetch16(), c.r16[rAX]!);
};

const testAlImm: OpHandler = (c) => {
  c.alu(4, c.r8[0]!, c.fetch8(), 8);
};

const testAxImm: OpHandler = (c) => {
  c.alu(4, c.r16[rAX]!, c.fetch16(), 16);
};

const movR8Imm: OpHandler = (c, op) => {
  c.r8[REG8_INDEX[op & 7]!] = c.fetch8();
};

const movR16Imm: OpHandler = (c, op) => {
  c.r16[(op & 7) << 1] = c.fetch16();
};

// ---------------------------------------------------------------------------------------
// Shifts and rotates (C0, C1, D0-D3)
// ---------------------------------------------------------------------------------------

/**
 * ROL ROR RCL RCR SHL SHR (SAL/SETMO) SAR of `v` by `count` (already masked on the 80186+),
 * with the flags as each step would leave them. Count 0 changes nothing.
 */
export function shift(c: X86Cpu, kind: number, v: number, count: number, bits: number): number {
  if (count === 0) return v;
  const mask = bits === 8 ? 0xff : 0xffff;
  const top = bits - 1;
  let r: number;
  let cf: number;
  let of: number;
  switch (kind) {
    case 0: {
      const n = count & top;
      r = n === 0 ? v : ((v << n) | (v >>> (bits - n))) & mask;
      cf = r & 1;
      of = (r >> top) ^ cf;
      c.setArith(CF | OF, cf | (of ? OF : 0));
      return r;
    }
    case 1: {
      const n = count & top;
      r = n === 0 ? v : ((v >>> n) | (v << (bits - n))) & mask;
      cf = r >> top;
      of = cf ^ ((r >> (top - 1)) & 1);
      c.setArith(CF | OF, cf | (of ? OF : 0));
      return r;
    }
    case 2: {
      const n = count % (bits + 1);
      let x = v | (c.cf() << bits);
      if (n !== 0) x = ((x << n) | (x >>> (bits + 1 - n))) & ((mask << 1) | 1);
      r = x & mask;
      cf = x >> bits;
      of = (r >> top) ^ cf;
      c.setArith(CF | OF, cf | (of ? OF : 0));
      return r;
    }
    case 3: {
      const n = count % (bits + 1);
      let x = v | (c.cf() << bits);
      if (n !== 0) x = ((x >>> n) | (x << (bits + 1 - n))) & ((mask << 1) | 1);
      r = x & mask;
      cf = x >> bits;
      of = (r >> top) ^ ((r >> (top - 1)) & 1);
      c.setArith(CF | OF, cf | (of ? OF : 0));
      return r;
    }
    case 4:
    case 6: {
      if (kind === 6 && c.m === MODEL_8086) {
        // SETMO / SETMOC (undocumented): the operand becomes all ones.
        c.setSZP(mask, bits, 0);
        return mask;
      }
      // SHL, and SAL (reg 6) on the 80186+.
      if (count <= bits) {
        const x = v << count;
        r = x & mask;
        cf = (x >> bits) & 1;
      } else {
        r = 0;
        cf = 0;
      }
      of = (r >> top) ^ cf;
      c.setSZP(r, bits, cf | (of ? OF : 0));
      return r;
    }
    case 5: {
      if (count <= bits) {
        cf = (v >> (count - 1)) & 1;
        r = v >>> count;
      } else {
        r = 0;
        cf = 0;
      }
      of = count === 1 ? v >> top : 0;
      c.setSZP(r, bits, cf | (of ? OF : 0));
      return r;
    }
    default: {
      const sv = bits === 8 ? (v << 24) >> 24 : (v << 16) >> 16;
      if (count >= bits) {
        r = sv < 0 ? mask : 0;
        cf = sv < 0 ? 1 : 0;
      } else {
        cf = (sv >> (count - 1)) & 1;
        r = (sv >> count) & mask;
      }
      c.setSZP(r, bits, cf);
      return r;
    }
  }
}

/** D0-D3 (by 1 or CL) and C0/C1 (by imm8, 80186+). The 80186+ mask the count to 5 bits. */
const group2: OpHandler = (c, op) => {
  const m = modrm(c);
  const kind = (m >> 3) & 7;
  const w = op & 1;
  let count: number;
  if (op >= 0xd0) count = op & 2 ? c.r8[4]! : 1;
  else count = c.fetch8();
  if (c.m >= MODEL_80186) count &= 0x1f;
  else if (kind === 6 && count === 0) return; // SETMOC with CL = 0 does nothing
  if (w) {
    const v = getRm16(c, m);
    const r = shift(c, kind, v, count, 16);
    if (count !== 0) setRm16(c, m, r);
  } else {
    const v = getRm8(c, m);
    const r = shift(c, kind, v, count, 8);
    if (count !== 0) setRm8(c, m, r);
  }
};

// ---------------------------------------------------------------------------------------
// C0-CF
// ---------------------------------------------------------------------------------------

const retImm: OpHandler = (c) => {
  const n = c.fetch16();
  c.state.ip = c.pop16();
  c.r16[rSP] = c.r16[rSP]! + n;
};

const ret: OpHandler = (c) => {
  c.state.ip = c.pop16();
};

/** LES (C4) / LDS (C5). A register operand: invalid opcode on the 80186+. */
const loadFarPtr: OpHandler = (c, op) => {
  const m = c.fetch8();
  if (m >= 0xc0) {
    if (c.m >= MODEL_80186) return invalid(c);
  } else c.decodeEA(m);
  const off = c.rw(c.eaSeg, c.eaOff);
  const seg = eaWord2(c);
  c.r16[(m >> 2) & 14] = off;
  c.loadSeg(op === 0xc4 ? ES : DS, seg);
};

/** MOV r/m, imm (C6 /0, C7 /0; other reg values: 8086 the same, 80186+ invalid). */
const movRmImm8: OpHandler = (c) => {
  const m = c.fetch8();
  if ((m & 0x38) !== 0 && c.m >= MODEL_80186) return invalid(c);
  if (m < 0xc0) c.decodeEA(m);
  setRm8(c, m, c.fetch8());
};

const movRmImm16: OpHandler = (c) => {
  const m = c.fetch8();
  if ((m & 0x38) !== 0 && c.m >= MODEL_80186) return invalid(c);
  if (m < 0xc0) c.decodeEA(m);
  setRm16(c, m, c.fetch16());
};

/** ENTER imm16, imm8 (80186+; 286 manual). */
const enter: OpHandler = (c) => {
  const size = c.fetch16();
  const level = c.fetch8() & 0x1f;
  c.push16(c.r16[rBP]!);
  const frame = c.r16[rSP]!;
  if (level > 0) {
    for (let i = 1; i < level; i++) {
      const bp = (c.r16[rBP]! - 2) & 0xffff;
      c.r16[rBP] = bp;
      c.push16(c.rw(SS, bp));
    }
    c.push16(frame);
  }
  c.r16[rBP] = frame;
  c.r16[rSP] = c.r16[rSP]! - size;
};

const leave: OpHandler = (c) => {
  const bp = c.r16[rBP]!;
  const v = c.rw(SS, bp);
  c.r16[rSP] = bp + 2;
  c.r16[rBP] = v;
};

const retfImm: OpHandler = (c) => {
  const n = c.fetch16();
  const ip = c.pop16();
  const cs = c.pop16();
  farJump(c, cs, ip);
  c.r16[rSP] = c.r16[rSP]! + n;
};

const retf: OpHandler = (c) => {
  const ip = c.pop16();
  const cs = c.pop16();
  farJump(c, cs, ip);
};

const int3: OpHandler = (c) => {
  c.interrupt(VEC_BREAKPOINT, c.state.ip);
};

const intImm: OpHandler = (c) => {
  const v = c.fetch8();
  c.interrupt(v, c.state.ip);
};

const into: OpHandler = (c) => {
  if (c.of()) c.interrupt(VEC_OVERFLOW, c.state.ip);
};

const iret: OpHandler = (c) => {
  const ip = c.pop16();
  const cs = c.pop16();
  const f = c.pop16();
  farJump(c, cs, ip);
  c.setFlags(f);
  c.state.nmiBlocked = false;
};

// ---------------------------------------------------------------------------------------
// D4-DF
// ---------------------------------------------------------------------------------------

const aam: OpHandler = (c) => {
  const base = c.fetch8();
  if (base === 0) c.raise(VEC_DIVIDE);
  const al = c.r8[0]!;
  c.r8[1] = (al / base) | 0;
  c.r8[0] = al % base;
  c.setSZP(c.r8[0]!, 8, 0);
};

const aad: OpHandler = (c) => {
  const base = c.fetch8();
  const al = c.r8[0]!;
  const prod = (c.r8[1]! * base) & 0xff;
  // Flags as the ADD of AL and AH * base that the microcode performs.
  const r = c.alu(0, al, prod, 8);
  c.r16[rAX] = r;
};

const salc: OpHandler = (c) => {
  c.r8[0] = c.cf() ? 0xff : 0;
};

const xlat: OpHandler = (c) => {
  c.r8[0] = c.rb(c.dseg, (c.r16[rBX]! + c.r8[0]!) & 0xffff);
};

/**
 * ESC (D8-DF): coprocessor instructions. No coprocessor is attached: the 8086 performs the
 * operand read for it and goes on; the 80286 raises exception 7 when MSW.EM or MSW.TS says so.
 */
const esc: OpHandler = (c) => {
  const m = c.fetch8();
  if (c.m >= MODEL_80286 && c.state.msw & (MSW_EM | MSW_TS)) c.raise(VEC_NO_FPU);
  if (m < 0xc0) {
    c.decodeEA(m);
    if (c.m >= MODEL_80286) c.rw(c.eaSeg, c.eaOff);
    else c.rb(c.eaSeg, c.eaOff);
  }
};

// ---------------------------------------------------------------------------------------
// E0-EF
// ---------------------------------------------------------------------------------------

const loopnz: OpHandler = (c) => {
  const d = c.fetch8s();
  const cx = (c.r16[rCX]! - 1) & 0xffff;
  c.r16[rCX] = cx;
  if (cx !== 0 && c.zf() === 0) jumpRel(c, d);
};

const loopz: OpHandler = (c) => {
  const d = c.fetch8s();
  const cx = (c.r16[rCX]! - 1) & 0xffff;
  c.r16[rCX] = cx;
  if (cx !== 0 && c.zf() !== 0) jumpRel(c, d);
};

const loop: OpHandler = (c) => {
  const d = c.fetch8s();
  const cx = (c.r16[rCX]! - 1) & 0xffff;
  c.r16[rCX] = cx;
  if (cx !== 0) jumpRel(c, d);
};

const jcxz: OpHandler = (c) => {
  const d = c.fetch8s();
  if (c.r16[rCX] === 0) jumpRel(c, d);
};

const inAlImm: OpHandler = (c) => {
  c.r8[0] = c.io.in8(c.fetch8());
};

const inAxImm: OpHandler = (c) => {
  c.r16[rAX] = c.io.in16(c.fetch8());
};

const outImmAl: OpHandler = (c) => {
  c.io.out8(c.fetch8(), c.r8[0]!);
};

const outImmAx: OpHandler = (c) => {
  c.io.out16(c.fetch8(), c.r16[rAX]!);
};

const callRel: OpHandler = (c) => {
  const d = c.fetch16();
  c.push16(c.state.ip);
  jumpRel(c, d);
};

const jmpRel16: OpHandler = (c) => {
  const d = c.fetch16();
  jumpRel(c, d);
};

const jmpFar: OpHandler = (c) => {
  const ip = c.fetch16();
  const cs = c.fetch16();
  farJump(c, cs, ip);
};

const jmpRel8: OpHandler = (c) => {
  const d = c.fetch8s();
  jumpRel(c, d);
};

const inAlDx: OpHandler = (c) => {
  c.r8[0] = c.io.in8(c.r16[rDX]!);
};

const inAxDx: OpHandler = (c) => {
  c.r16[rAX] = c.io.in16(c.r16[rDX]!);
};

const outDxAl: OpHandler = (c) => {
  c.io.out8(c.r16[rDX]!, c.r8[0]!);
};

const outDxAx: OpHandler = (c) => {
  c.io.out16(c.r16[rDX]!, c.r16[rAX]!);
};

// ---------------------------------------------------------------------------------------
// F4-FF
// ---------------------------------------------------------------------------------------

const hlt: OpHandler = (c) => {
  c.state.halted = true;
  c.stop();
};

const cmc: OpHandler = (c) => {
  c.setArith(CF, c.cf() ^ 1);
};

/** Group 3: TEST, NOT, NEG, MUL, IMUL, DIV, IDIV. */
const group3: OpHandler = (c, op) => {
  const m = modrm(c);
  const kind = (m >> 3) & 7;
  if (op & 1) group3w(c, m, kind);
  else group3b(c, m, kind);
};

/**
 * The 8086 microcode negates the result of IMUL and IDIV when a REP prefix is present (it
 * uses the prefix's internal flag to track the sign).
 */
function repNegates(c: X86Cpu): boolean {
  return c.m === MODEL_8086 && c.rep !== 0;
}

/**
 * DIV overflow (the quotient would not fit, divisor 0 included): the microcode finds it by
 * subtracting the divisor from the high half of the dividend before the loop, so the flags
 * pushed for the divide error are those of that subtraction.
 */
function divideOverflow(c: X86Cpu, high: number, divisor: number, bits: number): never {
  c.alu(5, high, divisor, bits);
  c.getFlags();
  return c.raise(VEC_DIVIDE);
}

/**
 * 8086 IDIV overflow, as its microcode finds it: it divides the magnitudes, so a quotient
 * magnitude of 80h (8000h) or more faults (the 8086 cannot return -128 / -32768), and the
 * divide error pushes the flags of the microcode's last subtraction: the high half minus the
 * divisor when the check before the loop fails; otherwise that of the loop's last step
 * (partial remainder minus divisor), with CF clear.
 */
function idivCheck8086(c: X86Cpu, dividend: number, divisor: number, bits: number): void {
  const ad = Math.abs(dividend);
  const av = Math.abs(divisor);
  const mask = bits === 8 ? 0xff : 0xffff;
  const high = Math.floor(ad / (mask + 1));
  if (high >= av) divideOverflow(c, high, av, bits);
  const q = Math.floor(ad / av);
  if (q > mask >> 1) {
    const r = ad % av;
    c.alu(5, q & 1 ? (r + av) & mask : r, av, bits);
    c.setArith(CF, 0);
    c.raise(VEC_DIVIDE);
  }
}

function group3b(c: X86Cpu, m: number, kind: number): void {
  const v = getRm8(c, m);
  switch (kind) {
    case 0:
    case 1:
      c.alu(4, v, c.fetch8(), 8);
      return;
    case 2:
      setRm8(c, m, ~v & 0xff);
      return;
    case 3: {
      const r = c.alu(5, 0, v, 8);
      setRm8(c, m, r);
      return;
    }
    case 4: {
      const r = c.r8[0]! * v;
      c.r16[rAX] = r;
      const hi = r >> 8 ? CF | OF : 0;
      c.setSZP(c.m === MODEL_8086 ? r >> 8 : r, c.m === MODEL_8086 ? 8 : 16, hi);
      return;
    }
    case 5: {
      let r = ((c.r8[0]! << 24) >> 24) * ((v << 24) >> 24);
      if (repNegates(c)) r = -r;
      c.r16[rAX] = r;
      const over = r !== (r << 24) >> 24 ? CF | OF : 0;
      c.setSZP(c.m === MODEL_8086 ? r >> 8 : r, c.m === MODEL_8086 ? 8 : 16, over);
      return;
    }
    case 6: {
      const ax = c.r16[rAX]!;
      if (ax >> 8 >= v) divideOverflow(c, ax >> 8, v, 8);
      const q = (ax / v) | 0;
      c.r8[0] = q;
      c.r8[1] = ax % v;
      return;
    }
    default: {
      const ax = (c.r16[rAX]! << 16) >> 16;
      const d = (v << 24) >> 24;
      if (c.m === MODEL_8086) idivCheck8086(c, ax, d, 8);
      else if (d === 0) c.raise(VEC_DIVIDE);
      let q = (ax / d) | 0;
      const rem = ax % d;
      if (q > 0x7f || q < -0x80) c.raise(VEC_DIVIDE);
      if (repNegates(c)) q = -q;
      c.r8[0] = q;
      c.r8[1] = rem;
    }
  }
}

function group3w(c: X86Cpu, m: number, kind: number): void {
  const v = getRm16(c, m);
  switch (kind) {
    case 0:
    case 1:
      c.alu(4, v, c.fetch16(), 16);
      return;
    case 2:
      setRm16(c, m, ~v & 0xffff);
      return;
    case 3: {
      const r = c.alu(5, 0, v, 16);
      setRm16(c, m, r);
      return;
    }
    case 4: {
      const r = c.r16[rAX]! * v;
      c.r16[rAX] = r;
      const hi = r >>> 16;
      c.r16[rDX] = hi;
      c.setSZP(c.m === MODEL_8086 ? hi : r, 16, hi ? CF | OF : 0);
      return;
    }
    case 5: {
      let r = ((c.r16[rAX]! << 16) >> 16) * ((v << 16) >> 16);
      if (repNegates(c)) r = -r;
      c.r16[rAX] = r;
      c.r16[rDX] = r >> 16;
      const over = r !== (r << 16) >> 16 ? CF | OF : 0;
      c.setSZP(c.m === MODEL_8086 ? r >> 16 : r, 16, over);
      return;
    }
    case 6: {
      const num = c.r16[rDX]! * 0x10000 + c.r16[rAX]!;
      if (c.r16[rDX]! >= v) divideOverflow(c, c.r16[rDX]!, v, 16);
      const q = Math.floor(num / v);
      c.r16[rAX] = q;
      c.r16[rDX] = num % v;
      return;
    }
    default: {
      const num = (c.r16[rDX]! << 16) | c.r16[rAX]!;
      const d = (v << 16) >> 16;
      if (c.m === MODEL_8086) idivCheck8086(c, num, d, 16);
      else if (d === 0) c.raise(VEC_DIVIDE);
      let q = Math.trunc(num / d);
      const rem = num % d;
      if (q > 0x7fff || q < -0x8000) c.raise(VEC_DIVIDE);
      if (repNegates(c)) q = -q;
      c.r16[rAX] = q;
      c.r16[rDX] = rem;
    }
  }
}

const clc: OpHandler = (c) => c.setArith(CF, 0);
const stc: OpHandler = (c) => c.setArith(CF, CF);
const cli: OpHandler = (c) => {
  c.state.flags &= ~IF;
};
/** STI: interrupts are recognised only after the next instruction. */
const sti: OpHandler = (c) => {
  const s = c.state;
  if (!(s.flags & IF)) {
    s.flags |= IF;
    s.shadow = 1;
    c.stop();
  }
};
const cld: OpHandler = (c) => {
  c.state.flags &= ~DF;
};
const std: OpHandler = (c) => {
  c.state.flags |= DF;
};

/** Group 4: INC/DEC r/m8 (FE /0, /1). Other reg values: the 8086 acts as FF on the operand, later models reject them. */
const group4: OpHandler = (c) => {
  const m = c.fetch8();
  const kind = (m >> 3) & 7;
  if (kind > 1) {
    if (c.m >= MODEL_80186) return invalid(c);
    if (m < 0xc0) c.decodeEA(m);
    group5Ops(c, m, kind);
    return;
  }
  if (m < 0xc0) c.decodeEA(m);
  const v = getRm8(c, m);
  setRm8(c, m, kind === 0 ? c.inc(v, 8) : c.dec(v, 8));
};

/** Group 5: INC, DEC, CALL, CALL far, JMP, JMP far, PUSH (FF /7: PUSH on the 8086, invalid later). */
const group5: OpHandler = (c) => {
  const m = c.fetch8();
  const kind = (m >> 3) & 7;
  if (c.m >= MODEL_80186 && (kind === 7 || ((kind === 3 || kind === 5) && m >= 0xc0))) return invalid(c);
  if (m < 0xc0) c.decodeEA(m);
  group5Ops(c, m, kind);
};

function group5Ops(c: X86Cpu, m: number, kind: number): void {
  switch (kind) {
    case 0:
      setRm16(c, m, c.inc(getRm16(c, m), 16));
      return;
    case 1:
      setRm16(c, m, c.dec(getRm16(c, m), 16));
      return;
    case 2: {
      const target = getRm16(c, m);
      c.push16(c.state.ip);
      c.state.ip = target;
      return;
    }
    case 3: {
      const ip = getRm16(c, m);
      const cs = eaWord2(c);
      c.push16(c.state.seg[CS]!);
      c.push16(c.state.ip);
      farJump(c, cs, ip);
      return;
    }
    case 4:
      c.state.ip = getRm16(c, m);
      return;
    case 5: {
      const ip = getRm16(c, m);
      farJump(c, eaWord2(c), ip);
      return;
    }
    default: {
      // PUSH r/m16. PUSH SP on the 8086 / 80186 pushes the decremented value.
      if (m >= 0xc0 && (m & 7) === SP && c.m < MODEL_80286) {
        const sp = (c.r16[rSP]! - 2) & 0xffff;
        c.ww(SS, sp, sp);
        c.r16[rSP] = sp;
        return;
      }
      c.push16(getRm16(c, m));
    }
  }
}

// ---------------------------------------------------------------------------------------
// 0F: 80286 system instructions (real mode)
// ---------------------------------------------------------------------------------------

const twoByte: OpHandler = (c) => {
  const op2 = c.fetch8();
  switch (op2) {
    case 0x01:
      return group7(c);
    case 0x05:
      return loadall(c);
    case 0x06:
      c.state.msw &= ~MSW_TS;
      return;
    default:
      // 0F 00 (SLDT ... VERW), LAR, LSL: protected mode only; the rest are not defined.
      return invalid(c);
  }
};

/** 0F 01: SGDT, SIDT, LGDT, LIDT, SMSW, LMSW (all usable in real mode). */
function group7(c: X86Cpu): void {
  const s = c.state;
  const m = c.fetch8();
  const kind = (m >> 3) & 7;
  if (kind === 5 || kind === 7 || (kind < 4 && m >= 0xc0)) return invalid(c);
  if (m < 0xc0) c.decodeEA(m);
  switch (kind) {
    case 0:
    case 1: {
      const base = kind === 0 ? s.gdtBase : s.idtBase;
      const limit = kind === 0 ? s.gdtLimit : s.idtLimit;
      c.ww(c.eaSeg, c.eaOff, limit);
      c.ww(c.eaSeg, (c.eaOff + 2) & 0xffff, base & 0xffff);
      // The 80286 stores only 24 address bits; the sixth byte reads 0xFF.
      c.ww(c.eaSeg, (c.eaOff + 4) & 0xffff, ((base >>> 16) & 0xff) | 0xff00);
      return;
    }
    case 2:
    case 3: {
      const limit = c.rw(c.eaSeg, c.eaOff);
      const base = c.rw(c.eaSeg, (c.eaOff + 2) & 0xffff) | ((c.rw(c.eaSeg, (c.eaOff + 4) & 0xffff) & 0xff) << 16);
      if (kind === 2) {
        s.gdtBase = base;
        s.gdtLimit = limit;
      } else {
        s.idtBase = base;
        s.idtLimit = limit;
      }
      return;
    }
    case 4:
      setRm16(c, m, s.msw);
      return;
    default: {
      // LMSW: loads PE, MP, EM, TS; PE cannot be cleared once set.
      const v = getRm16(c, m);
      s.msw = (s.msw & ~0xe) | (v & 0xe) | (v & MSW_PE) | (s.msw & MSW_PE);
      if (v & MSW_PE) c.enterProtectedMode();
    }
  }
}

/**
 * LOADALL (0F 05, 80286): every register and descriptor cache from the table at physical
 * 0x800 (Intel's undocumented 286 LOADALL layout: MSW at 806, TR 816, FLAGS 818, IP 81A,
 * LDTR 81C, DS SS CS ES 81E-825, DI SI BP SP BX DX CX AX 826-835, caches for ES CS SS DS
 * at 836, 83C, 842, 848 (base 24 bits, rights, limit), GDTR 84E, LDT 854, IDTR 85A, TSS 860).
 */
function loadall(c: X86Cpu): void {
  const s = c.state;
  const w = (a: number): number => c.readPhys16(a);
  const b = (a: number): number => c.mem.read8(a & c.amask);
  s.msw = (s.msw & MSW_PE) | w(0x806);
  s.tr = w(0x816);
  const flags = w(0x818);
  s.ip = w(0x81a);
  s.ldtr = w(0x81c);
  s.seg[DS] = w(0x81e);
  s.seg[SS] = w(0x820);
  s.seg[CS] = w(0x822);
  s.seg[ES] = w(0x824);
  const order = [DI, SI, BP, SP, BX, DX, CX, AX];
  for (let i = 0; i < 8; i++) c.r16[order[i]! << 1] = w(0x826 + i * 2);
  const caches: [number, number][] = [
    [ES, 0x836],
    [CS, 0x83c],
    [SS, 0x842],
    [DS, 0x848],
  ];
  for (const [seg, at] of caches) {
    s.segBase[seg] = b(at) | (b(at + 1) << 8) | (b(at + 2) << 16);
    s.segRights[seg] = b(at + 3);
    s.segLimit[seg] = w(at + 4);
  }
  s.gdtBase = b(0x84e) | (b(0x84f) << 8) | (b(0x850) << 16);
  s.gdtLimit = w(0x852);
  s.idtBase = b(0x85a) | (b(0x85b) << 8) | (b(0x85c) << 16);
  s.idtLimit = w(0x85e);
  c.setFlags(flags);
  if (s.msw & MSW_PE) c.enterProtectedMode();
}

// ---------------------------------------------------------------------------------------
// The tables
// ---------------------------------------------------------------------------------------

const BASE: OpHandler[] = new Array<OpHandler>(256);

function set(from: number, to: number, h: OpHandler): void {
  for (let i = from; i <= to; i++) BASE[i] = h;
}

for (let row = 0; row < 8; row++) set(row * 8, row * 8 + 5, aluForms);
BASE[0x06] = BASE[0x0e] = BASE[0x16] = BASE[0x1e] = pushSeg;
BASE[0x07] = BASE[0x17] = BASE[0x1f] = popSeg;
BASE[0x26] = BASE[0x2e] = BASE[0x36] = BASE[0x3e] = prefix;
BASE[0x27] = BASE[0x2f] = daaDas;
BASE[0x37] = BASE[0x3f] = aaaAas;
set(0x40, 0x47, incReg);
set(0x48, 0x4f, decReg);
set(0x50, 0x57, pushReg);
set(0x58, 0x5f, popReg);
set(0x70, 0x7f, jcc);
BASE[0x74] = jz;
BASE[0x75] = jnz;
set(0x80, 0x83, group1);
BASE[0x84] = test8;
BASE[0x85] = test16;
BASE[0x86] = xchg8;
BASE[0x87] = xchg16;
BASE[0x88] = movRmR8;
BASE[0x89] = movRmR16;
BASE[0x8a] = movRRm8;
BASE[0x8b] = movRRm16;
BASE[0x8c] = movRmSeg;
BASE[0x8d] = lea;
BASE[0x8e] = movSegRm;
BASE[0x8f] = popRm;
set(0x90, 0x97, xchgAx);
BASE[0x98] = cbw;
BASE[0x99] = cwd;
BASE[0x9a] = callFar;
BASE[0x9b] = wait;
BASE[0x9c] = pushf;
BASE[0x9d] = popf;
BASE[0x9e] = sahf;
BASE[0x9f] = lahf;
BASE[0xa0] = movAlMoffs;
BASE[0xa1] = movAxMoffs;
BASE[0xa2] = movMoffsAl;
BASE[0xa3] = movMoffsAx;
BASE[0xa4] = BASE[0xa5] = movs;
BASE[0xa6] = BASE[0xa7] = cmps;
BASE[0xa8] = testAlImm;
BASE[0xa9] = testAxImm;
BASE[0xaa] = BASE[0xab] = stos;
BASE[0xac] = BASE[0xad] = lods;
BASE[0xae] = BASE[0xaf] = scas;
set(0xb0, 0xb7, movR8Imm);
set(0xb8, 0xbf, movR16Imm);
BASE[0xc2] = retImm;
BASE[0xc3] = ret;
BASE[0xc4] = BASE[0xc5] = loadFarPtr;
BASE[0xc6] = movRmImm8;
BASE[0xc7] = movRmImm16;
BASE[0xca] = retfImm;
BASE[0xcb] = retf;
BASE[0xcc] = int3;
BASE[0xcd] = intImm;
BASE[0xce] = into;
BASE[0xcf] = iret;
set(0xd0, 0xd3, group2);
BASE[0xd4] = aam;
BASE[0xd5] = aad;
BASE[0xd6] = salc;
BASE[0xd7] = xlat;
set(0xd8, 0xdf, esc);
BASE[0xe0] = loopnz;
BASE[0xe1] = loopz;
BASE[0xe2] = loop;
BASE[0xe3] = jcxz;
BASE[0xe4] = inAlImm;
BASE[0xe5] = inAxImm;
BASE[0xe6] = outImmAl;
BASE[0xe7] = outImmAx;
BASE[0xe8] = callRel;
BASE[0xe9] = jmpRel16;
BASE[0xea] = jmpFar;
BASE[0xeb] = jmpRel8;
BASE[0xec] = inAlDx;
BASE[0xed] = inAxDx;
BASE[0xee] = outDxAl;
BASE[0xef] = outDxAx;
BASE[0xf0] = BASE[0xf1] = BASE[0xf2] = BASE[0xf3] = prefix;
BASE[0xf4] = hlt;
BASE[0xf5] = cmc;
BASE[0xf6] = BASE[0xf7] = group3;
BASE[0xf8] = clc;
BASE[0xf9] = stc;
BASE[0xfa] = cli;
BASE[0xfb] = sti;
BASE[0xfc] = cld;
BASE[0xfd] = std;
BASE[0xfe] = group4;
BASE[0xff] = group5;

/** The opcode table of one model: the common set plus that model's own rows. */
export function buildOpcodeTable(model: number): OpHandler[] {
  const t = BASE.slice();
  if (model === MODEL_8086) {
    // Undocumented 8086 decodings: 60-6F repeat 70-7F, C0/C1 = RET imm/RET,
    // C8/C9 = RETF imm/RETF, 0F = POP CS.
    for (let i = 0x60; i <= 0x6f; i++) t[i] = t[i + 0x10]!;
    t[0xc0] = retImm;
    t[0xc1] = ret;
    t[0xc8] = retfImm;
    t[0xc9] = retf;
    t[0x0f] = popSeg;
  } else {
    t[0x60] = pusha;
    t[0x61] = popa;
    t[0x62] = bound;
    for (let i = 0x63; i <= 0x67; i++) t[i] = invalid;
    t[0x68] = pushImm16;
    t[0x69] = imulImm;
    t[0x6a] = pushImm8;
    t[0x6b] = imulImm;
    t[0x6c] = t[0x6d] = ins;
    t[0x6e] = t[0x6f] = outs;
    t[0xc0] = t[0xc1] = group2;
    t[0xc8] = enter;
    t[0xc9] = leave;
    t[0x0f] = model >= MODEL_80286 ? twoByte : invalid;
  }
  for (let i = 0; i < 256; i++) if (!t[i]) throw new Error(`opcode table has no handler for ${i.toString(16)}`);
  return t;
}

/**
 * Execute opcode `op` (already fetched). The opcode table is the decoder; this switch only
 * turns the table's indirect call into direct calls for the opcodes every model shares, so
 * the JIT can inline the hot handlers into the loop. Model-specific rows go through the table.
 */
export function dispatch(c: X86Cpu, op: number): void {
  switch (op) {
    case 0x00: case 0x01: case 0x02: case 0x03: case 0x04: case 0x05:
    case 0x08: case 0x09: case 0x0a: case 0x0b: case 0x0c: case 0x0d:
    case 0x10: case 0x11: case 0x12: case 0x13: case 0x14: case 0x15:
    case 0x18: case 0x19: case 0x1a: case 0x1b: case 0x1c: case 0x1d:
    case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25:
    case 0x28: case 0x29: case 0x2a: case 0x2b: case 0x2c: case 0x2d:
    case 0x30: case 0x31: case 0x32: case 0x33: case 0x34: case 0x35:
    case 0x38: case 0x39: case 0x3a: case 0x3b: case 0x3c: case 0x3d:
      return aluForms(c, op);
    case 0x26: case 0x2e: case 0x36: case 0x3e: case 0xf0: case 0xf1: case 0xf2: case 0xf3:
      return prefix(c, op);
    case 0x40: case 0x41: case 0x42: case 0x43: case 0x44: case 0x45: case 0x46: case 0x47:
      return incReg(c, op);
    case 0x48: case 0x49: case 0x4a: case 0x4b: case 0x4c: case 0x4d: case 0x4e: case 0x4f:
      return decReg(c, op);
    case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57:
      return pushReg(c, op);
    case 0x58: case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f:
      return popReg(c, op);
    case 0x74:
      return jz(c, op);
    case 0x75:
      return jnz(c, op);
    case 0x70: case 0x71: case 0x72: case 0x73: case 0x76: case 0x77:
    case 0x78: case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f:
      return jcc(c, op);
    case 0x80: case 0x81: case 0x82: case 0x83:
      return group1(c, op);
    case 0x84:
      return test8(c, op);
    case 0x85:
      return test16(c, op);
    case 0x88:
      return movRmR8(c, op);
    case 0x89:
      return movRmR16(c, op);
    case 0x8a:
      return movRRm8(c, op);
    case 0x8b:
      return movRRm16(c, op);
    case 0x8d:
      return lea(c, op);
    case 0xa4: case 0xa5:
      return movs(c, op);
    case 0xaa: case 0xab:
      return stos(c, op);
    case 0xac: case 0xad:
      return lods(c, op);
    case 0xb0: case 0xb1: case 0xb2: case 0xb3: case 0xb4: case 0xb5: case 0xb6: case 0xb7:
      return movR8Imm(c, op);
    case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe: case 0xbf:
      return movR16Imm(c, op);
    case 0xc3:
      return ret(c, op);
    case 0xd0: case 0xd1: case 0xd2: case 0xd3:
      return group2(c, op);
    case 0xe2:
      return loop(c, op);
    case 0xe8:
      return callRel(c, op);
    case 0xe9:
      return jmpRel16(c, op);
    case 0xeb:
      return jmpRel8(c, op);
    case 0xf6: case 0xf7:
      return group3(c, op);
    case 0xfe:
      return group4(c, op);
    case 0xff:
      return group5(c, op);
    default:
      return c.ops[op]!(c, op);
  }
}

/**
 * The run loop's inner part: up to `c.left` instructions. With a code cache, translated
 * blocks run where they exist and the interpreter runs the rest one instruction at a time;
 * without, the interpreter runs them all. A raised exception leaves the loop, is delivered,
 * and the loop goes on.
 */
export function runSlice(c: X86Cpu): void {
  for (;;) {
    try {
      if (c.code !== undefined) runBlocks(c, c.code);
      else interpret(c);
      return;
    } catch (e) {
      c.deliverFault(e);
    }
  }
}


/**
 * Translated blocks where they exist: a block runs when the slice has room for its longest
 * pass; otherwise, and where there is no block (yet), the interpreter takes one instruction.
 */
function runBlocks(c: X86Cpu, code: CodeCache): void {
  const s = c.state;
  const sbase = c.sbase;
  const table = code.table;
  // Linear address where the last instruction or block began: a start at or below it was
  // reached by a jump back (a loop), which makes it hot sooner (see LOOP_WEIGHT).
  let last = -1;
  while (c.left > 0) {
    const ip = s.ip;
    const base = sbase[CS]!;
    const pa = (base + ip) & c.amask;
    let b = table[pa & TABLE_MASK];
    if (b === undefined || b.pa !== pa || b.ip !== ip || b.base !== base) b = code.miss(pa, ip, base, base + ip <= last);
    if (b !== undefined && b.fn !== null && c.left >= b.n) {
      last = base + ip;
      if (b.fn(c) === 0) continue;
    }
    // One instruction through the handlers (the interpreter loop's written-out cases are
    // the same handlers, inlined). A block that stopped before an instruction moved IP.
    c.left--;
    const at = s.ip;
    c.start = at;
    last = sbase[CS]! + at;
    const a = (sbase[CS]! + at) & c.amask;
    const op = c.direct[a >>> 12]! & 1 ? c.ram[a]! : c.mem.read8(a);
    s.ip = (at + 1) & 0xffff;
    dispatch(c, op);
  }
}

/**
 * The interpreter: the whole slice (`c.left` instructions). The commonest simple
 * instructions (INC/DEC/PUSH/POP r16, MOV r16 imm, JZ/JNZ, JMP short, LOOP ...) are written
 * out here so the JIT keeps them in the loop; everything else goes through `dispatch`.
 */
function interpret(c: X86Cpu): void {
  const s = c.state;
  const r16 = c.r16;
  const ram = c.ram;
  const direct = c.direct;
  const sbase = c.sbase;
  while (c.left > 0) {
    c.left--;
    const ip = s.ip;
    c.start = ip;
    const a = (sbase[CS]! + ip) & c.amask;
    const op = direct[a >>> 12]! & 1 ? ram[a]! : c.mem.read8(a);
    s.ip = (ip + 1) & 0xffff;
    switch (op) {
      case 0x40: case 0x41: case 0x42: case 0x43: case 0x44: case 0x45: case 0x46: case 0x47:
      case 0x48: case 0x49: case 0x4a: case 0x4b: case 0x4c: case 0x4d: case 0x4e: case 0x4f: {
        // INC / DEC r16: CF is kept, the other arithmetic flags are left lazy.
        if (s.lazy & CF) s.flags = (s.flags & ~CF) | c.cf();
        const i = (op & 7) << 1;
        const v = r16[i]!;
        const r = op < 0x48 ? v + 1 : v - 1;
        s.lkind = op < 0x48 ? LAZY_ADD : LAZY_SUB;
        s.lop1 = v;
        s.lop2 = 1;
        s.lres = r;
        s.lbits = 16;
        s.lazy = ARITH_FLAGS & ~CF;
        r16[i] = r;
        // Loop closing: a JZ/JNZ right after runs in the same dispatch (both are counted,
        // nothing can come between them: slices of one instruction never get here twice).
        if (c.left > 0) {
          const ip2 = s.ip;
          const a2 = (sbase[CS]! + ip2) & c.amask;
          if (direct[a2 >>> 12]! & 1 && ip2 !== 0xffff && (a2 & 0xfff) !== 0xfff) {
            const op2 = ram[a2]!;
            if ((op2 & 0xfe) === 0x74) {
              c.left--;
              c.start = ip2;
              const d = (ram[a2 + 1]! << 24) >> 24;
              const next = ip2 + 2;
              s.ip = (((r & 0xffff) === 0) === (op2 === 0x74) ? next + d : next) & 0xffff;
            }
          }
        }
        break;
      }
      case 0x74:
      case 0x75: {
        let d: number;
        {
          // fetch, written out (the run loop's inlining budget is spent)
          const fip = s.ip;
          const fa = (sbase[CS]! + fip) & c.amask;
          d = direct[fa >>> 12]! & 1 ? ram[fa]! : c.mem.read8(fa);
          s.ip = (fip + 1) & 0xffff;
        }
        d = (d << 24) >> 24;
        const zero = s.lazy & ZF ? (s.lres & (s.lbits === 8 ? 0xff : 0xffff)) === 0 : (s.flags & ZF) !== 0;
        if (zero === (op === 0x74)) s.ip = (s.ip + d) & 0xffff;
        break;
      }
      case 0xeb: {
        let d: number;
        {
          // fetch, written out (the run loop's inlining budget is spent)
          const fip = s.ip;
          const fa = (sbase[CS]! + fip) & c.amask;
          d = direct[fa >>> 12]! & 1 ? ram[fa]! : c.mem.read8(fa);
          s.ip = (fip + 1) & 0xffff;
        }
        d = (d << 24) >> 24;
        s.ip = (s.ip + d) & 0xffff;
        break;
      }
      case 0xe2: {
        let d: number;
        {
          // fetch, written out (the run loop's inlining budget is spent)
          const fip = s.ip;
          const fa = (sbase[CS]! + fip) & c.amask;
          d = direct[fa >>> 12]! & 1 ? ram[fa]! : c.mem.read8(fa);
          s.ip = (fip + 1) & 0xffff;
        }
        d = (d << 24) >> 24;
        const cx = (r16[rCX]! - 1) & 0xffff;
        r16[rCX] = cx;
        if (cx !== 0) s.ip = (s.ip + d) & 0xffff;
        break;
      }
      case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe: case 0xbf:
        r16[(op & 7) << 1] = c.fetch16();
        break;
      case 0x70: case 0x71: case 0x76: case 0x77:
      case 0x78: case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f: {
        let d: number;
        {
          // fetch, written out (the run loop's inlining budget is spent)
          const fip = s.ip;
          const fa = (sbase[CS]! + fip) & c.amask;
          d = direct[fa >>> 12]! & 1 ? ram[fa]! : c.mem.read8(fa);
          s.ip = (fip + 1) & 0xffff;
        }
        d = (d << 24) >> 24;
        if (c.cond(op & 15)) s.ip = (s.ip + d) & 0xffff;
        break;
      }
      case 0x50: case 0x51: case 0x52: case 0x53: case 0x55: case 0x56: case 0x57: {
        // PUSH r16: straight into RAM when the word lies inside one direct page.
        const sp = (r16[rSP]! - 2) & 0xffff;
        const v = r16[(op & 7) << 1]!;
        const a = (sbase[SS]! + sp) & c.amask;
        const p = a >>> 12;
        if (sp !== 0xffff && (a & 0xfff) !== 0xfff && direct[p]! & 2) {
          ram[a] = v;
          ram[a + 1] = v >>> 8;
          c.dirty[p] = 1;
        } else c.ww(SS, sp, v);
        r16[rSP] = sp;
        break;
      }
      case 0x58: case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f: {
        // POP r16 (POP SP keeps the popped value).
        const sp = r16[rSP]!;
        const a = (sbase[SS]! + sp) & c.amask;
        const v = sp !== 0xffff && (a & 0xfff) !== 0xfff && direct[a >>> 12]! & 1 ? ram[a]! | (ram[a + 1]! << 8) : c.rw(SS, sp);
        r16[rSP] = sp + 2;
        r16[(op & 7) << 1] = v;
        break;
      }
      case 0x72:
      case 0x73: {
        // JB / JAE: CF only.
        let d: number;
        {
          // fetch, written out (the run loop's inlining budget is spent)
          const fip = s.ip;
          const fa = (sbase[CS]! + fip) & c.amask;
          d = direct[fa >>> 12]! & 1 ? ram[fa]! : c.mem.read8(fa);
          s.ip = (fip + 1) & 0xffff;
        }
        const carry = s.lazy & CF ? (s.lkind === LAZY_LOGIC ? 0 : (s.lres >> s.lbits) & 1) : s.flags & CF;
        if ((carry !== 0) === (op === 0x72)) s.ip = (s.ip + ((d << 24) >> 24)) & 0xffff;
        break;
      }
      case 0x89: {
        let m: number;
        {
          // fetch, written out (the run loop's inlining budget is spent)
          const fip = s.ip;
          const fa = (sbase[CS]! + fip) & c.amask;
          m = direct[fa >>> 12]! & 1 ? ram[fa]! : c.mem.read8(fa);
          s.ip = (fip + 1) & 0xffff;
        }
        if (m >= 0xc0) r16[(m & 7) << 1] = r16[(m >> 2) & 14]!;
        else {
          c.decodeEA(m);
          const off = c.eaOff;
          const v = r16[(m >> 2) & 14]!;
          const a = (sbase[c.eaSeg]! + off) & c.amask;
          const p = a >>> 12;
          if (off !== 0xffff && (a & 0xfff) !== 0xfff && direct[p]! & 2) {
            ram[a] = v;
            ram[a + 1] = v >>> 8;
            c.dirty[p] = 1;
          } else c.ww(c.eaSeg, off, v);
        }
        break;
      }
      case 0x8b: {
        let m: number;
        {
          // fetch, written out (the run loop's inlining budget is spent)
          const fip = s.ip;
          const fa = (sbase[CS]! + fip) & c.amask;
          m = direct[fa >>> 12]! & 1 ? ram[fa]! : c.mem.read8(fa);
          s.ip = (fip + 1) & 0xffff;
        }
        if (m >= 0xc0) r16[(m >> 2) & 14] = r16[(m & 7) << 1]!;
        else {
          c.decodeEA(m);
          const off = c.eaOff;
          const a = (sbase[c.eaSeg]! + off) & c.amask;
          r16[(m >> 2) & 14] =
            off !== 0xffff && (a & 0xfff) !== 0xfff && direct[a >>> 12]! & 1 ? ram[a]! | (ram[a + 1]! << 8) : c.rw(c.eaSeg, off);
        }
        break;
      }
      case 0x01: case 0x03: case 0x09: case 0x0b: case 0x11: case 0x13: case 0x19: case 0x1b:
      case 0x21: case 0x23: case 0x29: case 0x2b: case 0x31: case 0x33: case 0x39: case 0x3b: {
        // ALU between 16-bit registers, written out; memory forms through the handler.
        let m: number;
        {
          // fetch, written out (the run loop's inlining budget is spent)
          const fip = s.ip;
          const fa = (sbase[CS]! + fip) & c.amask;
          m = direct[fa >>> 12]! & 1 ? ram[fa]! : c.mem.read8(fa);
          s.ip = (fip + 1) & 0xffff;
        }
        if (m >= 0xc0) {
          const kind = op >> 3;
          const rm = (m & 7) << 1;
          const reg = (m >> 2) & 14;
          if (op & 2) {
            const r = c.alu(kind, r16[reg]!, r16[rm]!, 16);
            if (kind !== 7) r16[reg] = r;
          } else {
            const r = c.alu(kind, r16[rm]!, r16[reg]!, 16);
            if (kind !== 7) r16[rm] = r;
          }
        } else {
          s.ip = (s.ip - 1) & 0xffff;
          aluForms(c, op);
        }
        break;
      }
      case 0x04: case 0x0c: case 0x14: case 0x1c: case 0x24: case 0x2c: case 0x34: case 0x3c: {
        // ALU AL, imm8
        const kind = op >> 3;
        const r = c.alu(kind, c.r8[0]!, c.fetch8(), 8);
        if (kind !== 7) c.r8[0] = r;
        break;
      }
      case 0x05: case 0x0d: case 0x15: case 0x1d: case 0x25: case 0x2d: case 0x35: case 0x3d: {
        // ALU AX, imm16
        const kind = op >> 3;
        const r = c.alu(kind, r16[rAX]!, c.fetch16(), 16);
        if (kind !== 7) r16[rAX] = r;
        break;
      }
      case 0x00: case 0x02:
      case 0x08: case 0x0a:
      case 0x10: case 0x12:
      case 0x18: case 0x1a:
      case 0x20: case 0x22:
      case 0x28: case 0x2a:
      case 0x30: case 0x32:
      case 0x38: case 0x3a:
        aluForms(c, op);
        break;
      case 0x81:
      case 0x83: {
        // ALU r/m16, imm: register operands here, memory through the handler.
        let m: number;
        {
          // fetch, written out (the run loop's inlining budget is spent)
          const fip = s.ip;
          const fa = (sbase[CS]! + fip) & c.amask;
          m = direct[fa >>> 12]! & 1 ? ram[fa]! : c.mem.read8(fa);
          s.ip = (fip + 1) & 0xffff;
        }
        if (m >= 0xc0) {
          const kind = (m >> 3) & 7;
          const i = (m & 7) << 1;
          const r = c.alu(kind, r16[i]!, op === 0x81 ? c.fetch16() : c.fetch8s() & 0xffff, 16);
          if (kind !== 7) r16[i] = r;
        } else {
          c.decodeEA(m);
          const kind = (m >> 3) & 7;
          const r = c.alu(kind, c.rw(c.eaSeg, c.eaOff), op === 0x81 ? c.fetch16() : c.fetch8s() & 0xffff, 16);
          if (kind !== 7) c.ww(c.eaSeg, c.eaOff, r);
        }
        break;
      }
      case 0x80: case 0x82:
        group1(c, op);
        break;
      case 0xd1:
      case 0xd3: {
        // Shift/rotate r16 by 1 or CL, written out for registers; memory through the handler.
        let m: number;
        {
          // fetch, written out (the run loop's inlining budget is spent)
          const fip = s.ip;
          const fa = (sbase[CS]! + fip) & c.amask;
          m = direct[fa >>> 12]! & 1 ? ram[fa]! : c.mem.read8(fa);
          s.ip = (fip + 1) & 0xffff;
        }
        if (m >= 0xc0 && (c.m !== MODEL_8086 || (m & 0x38) !== 0x30)) {
          let count = op === 0xd1 ? 1 : c.r8[4]!;
          if (c.m !== MODEL_8086) count &= 0x1f;
          const i = (m & 7) << 1;
          r16[i] = shift(c, (m >> 3) & 7, r16[i]!, count, 16);
        } else {
          s.ip = (s.ip - 1) & 0xffff;
          group2(c, op);
        }
        break;
      }
      case 0xd0: case 0xd2:
        group2(c, op);
        break;
      case 0xab:
        if (c.rep !== 0) stos(c, op);
        else {
          const di = r16[rDI]!;
          r16[rDI] = s.flags & DF ? di - 2 : di + 2;
          c.ww(ES, di, r16[rAX]!);
        }
        break;
      case 0xad:
        if (c.rep !== 0) lods(c, op);
        else {
          const si = r16[rSI]!;
          r16[rSI] = s.flags & DF ? si - 2 : si + 2;
          r16[rAX] = c.rw(c.dseg, si);
        }
        break;
      case 0xaa:
        if (c.rep !== 0) stos(c, op);
        else {
          const di = r16[rDI]!;
          r16[rDI] = s.flags & DF ? di - 1 : di + 1;
          const a = (sbase[ES]! + di) & c.amask;
          const p = a >>> 12;
          if (direct[p]! & 2) {
            ram[a] = c.r8[0]!;
            c.dirty[p] = 1;
          } else c.wb(ES, di, c.r8[0]!);
        }
        break;
      case 0xac:
        if (c.rep !== 0) lods(c, op);
        else {
          const si = r16[rSI]!;
          r16[rSI] = s.flags & DF ? si - 1 : si + 1;
          const a = (sbase[c.dseg]! + si) & c.amask;
          c.r8[0] = direct[a >>> 12]! & 1 ? ram[a]! : c.rb(c.dseg, si);
        }
        break;
      default:
        dispatch(c, op);
    }
  }
}
