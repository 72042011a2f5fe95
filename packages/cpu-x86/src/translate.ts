// Block translation: a run of guest instructions becomes the body of one JavaScript function.
//
// The generated code is the interpreter's fast path written out for one particular stretch
// of code: operands, displacements and jump targets are constants, registers live in locals,
// arithmetic flags stay in locals until something reads them or the block leaves. Everything
// the fast path does not cover leaves the block *before* the instruction, with the state
// exactly as the interpreter would have it there (a side exit), and the interpreter runs
// that instruction. So a translated instruction never faults, never calls a device and never
// stops the slice half-way; the exceptions, I/O, segment loads, REP strings and everything
// rare stay in one place (ops.ts).
//
// Contract of a block function `(c) => 0 | 1`:
// - it is entered only with `c.left >= n` (n = the instructions of its longest pass);
// - it returns with `c.left` reduced by the instructions it executed and `state` complete
//   (registers, IP, flags in the interpreter's lazy form);
// - 1 means "stopped before an instruction it does not handle here": the caller interprets
//   that one instruction before looking up a block again;
// - a block may end with one instruction it hands to the interpreter (`dispatch`), with the
//   state written back first; that one may fault, do I/O or stop the slice, as usual.
//
// A block whose jump goes back to its own start loops inside the function while a whole
// pass still fits in `c.left`.
import { MODEL_80186, MODEL_80286, MODEL_8086 } from './registers';
import { LAZY_ADD, LAZY_LOGIC, LAZY_SUB } from './state';

export interface TranslateInput {
  readonly ram: Uint8Array;
  readonly direct: Uint8Array;
  readonly amask: number;
  /** CS base (linear). */
  readonly base: number;
  readonly ip: number;
  readonly model: number;
  /** Most instructions in one block. */
  readonly maxInstructions: number;
}

export interface Translation {
  /** Body of `function (c)`; parameters and helpers are named in blocks.ts. */
  readonly body: string;
  /** Instructions of the longest pass through the block. */
  readonly n: number;
  /** Physical bytes the translation was made from: [lo, hi). */
  readonly lo: number;
  readonly hi: number;
  /** One past the highest linear address read (a block at or above 1 MiB depends on A20). */
  readonly linHi: number;
}

// Flag bits (registers.ts), as literals for the generated code.
const ARITH = 0x8d5; // CF PF AF ZF SF OF
const ARITH_NO_CF = ARITH & ~1;
const SZP = 0xc4; // SF ZF PF
const SAHF_MASK = 0xd5; // SF ZF AF PF CF

/** Where the arithmetic flags are while the block runs. */
type Flags =
  /** In `state` (flags + lazy fields), as the interpreter keeps them. */
  | null
  /** ADD/ADC/SUB/SBB/CMP/AND/OR/XOR/TEST/NEG: operands and unmasked result in locals. */
  | { readonly t: 'alu'; readonly kind: number; readonly bits: number; readonly a: string; readonly b: string; readonly r: string }
  /** INC/DEC: like ALU with b = 1; CF kept (in local `cf`, or already in state.flags when null). */
  | { readonly t: 'incdec'; readonly kind: number; readonly bits: number; readonly a: string; readonly r: string; readonly cf: string | null };

/** Thrown by the reader when the next byte cannot be part of this block. */
const NO_BYTE = { noByte: true } as const;

class Reader {
  ip: number;
  count = 0;
  linHi = 0;
  readonly lo: number;

  constructor(private readonly inp: TranslateInput) {
    this.ip = inp.ip;
    this.lo = (inp.base + inp.ip) & inp.amask;
  }

  /** The next instruction byte: same page run, no IP wrap, readable RAM or ROM. */
  byte(): number {
    const ip = this.ip;
    if (ip > 0xffff) throw NO_BYTE;
    const lin = this.inp.base + ip;
    const pa = lin & this.inp.amask;
    if (pa !== this.lo + this.count || (this.inp.direct[pa >>> 12]! & 1) === 0) throw NO_BYTE;
    this.count++;
    this.ip = ip + 1;
    if (lin + 1 > this.linHi) this.linHi = lin + 1;
    return this.inp.ram[pa]!;
  }

  sbyte(): number {
    return (this.byte() << 24) >> 24;
  }

  word(): number {
    const lo = this.byte();
    return lo | (this.byte() << 8);
  }
}

/** One decoded instruction. `x` marks one left to the interpreter (op = its first byte). */
interface Insn {
  ip: number;
  next: number;
  op: number;
  x: boolean;
  /** Segment override (ES CS SS DS index) or -1. */
  seg: number;
  m: number;
  disp: number;
  imm: number;
}

/** Opcodes translated here, per model; the others end the block through the interpreter. */
function translatable(op: number, model: number): boolean {
  if (op < 0x40) {
    const low = op & 7;
    if (low < 6) return true;
    return low === 6 && op !== 0x26 && op !== 0x2e && op !== 0x36 && op !== 0x3e; // PUSH seg
  }
  if (op < 0x60) return true;
  if (op < 0x70) return model === MODEL_8086 || op === 0x68 || op === 0x6a;
  if (op < 0x8d) return op !== 0x8c;
  switch (op) {
    case 0x8d:
    case 0x98:
    case 0x99:
    case 0x9c:
    case 0x9e:
    case 0x9f:
    case 0xc2:
    case 0xc3:
    case 0xc6:
    case 0xc7:
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3:
    case 0xe0:
    case 0xe1:
    case 0xe2:
    case 0xe3:
    case 0xe8:
    case 0xe9:
    case 0xeb:
    case 0xf5:
    case 0xf6:
    case 0xf7:
    case 0xf8:
    case 0xf9:
    case 0xfa:
    case 0xfc:
    case 0xfd:
    case 0xfe:
    case 0xff:
      return true;
    case 0xc0:
    case 0xc1:
      return true; // RET imm / RET on the 8086, shifts by imm8 later
    default:
      return (op >= 0x90 && op <= 0x97) || (op >= 0xa0 && op <= 0xaf) || (op >= 0xb0 && op <= 0xbf);
  }
}

function modrm(r: Reader, ins: Insn): void {
  const m = r.byte();
  ins.m = m;
  if (m >= 0xc0) return;
  if (m < 0x40) {
    if ((m & 7) === 6) ins.disp = r.word();
  } else if (m < 0x80) ins.disp = r.sbyte();
  else ins.disp = r.word();
}

/** Decode one instruction, or mark it for the interpreter. Throws NO_BYTE. */
function decode(r: Reader, model: number): Insn {
  const ins: Insn = { ip: r.ip, next: 0, op: 0, x: false, seg: -1, m: -1, disp: 0, imm: 0 };
  const first = r.byte();
  let op = first;
  let prefixes = 0;
  while (op === 0x26 || op === 0x2e || op === 0x36 || op === 0x3e) {
    ins.seg = (op >> 3) & 3;
    if (++prefixes > 3) break;
    op = r.byte();
  }
  if (prefixes > 3 || !translatable(op, model)) {
    ins.x = true;
    ins.op = first;
    return ins;
  }
  ins.op = op;
  if ((op === 0xc0 || op === 0xc1) && model === MODEL_8086) {
    // RET imm16 / RET (the 8086 decodes C0 / C1 as C2 / C3)
    if (op === 0xc0) ins.imm = r.word();
    ins.next = r.ip;
    return ins;
  }
  if (op < 0x40) {
    const low = op & 7;
    if (low < 4) modrm(r, ins);
    else if (low === 4) ins.imm = r.byte();
    else if (low === 5) ins.imm = r.word();
  } else if (op >= 0x60 && op < 0x80) {
    if (op === 0x68 && model !== MODEL_8086) ins.imm = r.word();
    else if (op === 0x6a && model !== MODEL_8086) ins.imm = r.sbyte() & 0xffff;
    else ins.imm = r.sbyte();
  } else if (op >= 0x80 && op <= 0x8d) {
    modrm(r, ins);
    if (op === 0x80 || op === 0x82) ins.imm = r.byte();
    else if (op === 0x81) ins.imm = r.word();
    else if (op === 0x83) ins.imm = r.sbyte() & 0xffff;
  } else if (op >= 0xa0 && op <= 0xa3) ins.imm = r.word();
  else if (op === 0xa8 || (op >= 0xb0 && op <= 0xb7)) ins.imm = r.byte();
  else if (op === 0xa9 || op >= 0xb8) {
    switch (op) {
      case 0xa9:
      case 0xb8:
      case 0xb9:
      case 0xba:
      case 0xbb:
      case 0xbc:
      case 0xbd:
      case 0xbe:
      case 0xbf:
      case 0xc2:
      case 0xe8:
      case 0xe9:
        ins.imm = r.word();
        break;
      case 0xc0:
      case 0xc1:
        modrm(r, ins);
        ins.imm = r.byte();
        break;
      case 0xc6:
        modrm(r, ins);
        ins.imm = r.byte();
        break;
      case 0xc7:
        modrm(r, ins);
        ins.imm = r.word();
        break;
      case 0xd0:
      case 0xd1:
      case 0xd2:
      case 0xd3:
      case 0xfe:
      case 0xff:
        modrm(r, ins);
        break;
      case 0xf6:
      case 0xf7:
        modrm(r, ins);
        if ((ins.m & 0x30) === 0) ins.imm = op === 0xf6 ? r.byte() : r.word();
        break;
      case 0xe0:
      case 0xe1:
      case 0xe2:
      case 0xe3:
      case 0xeb:
        ins.imm = r.sbyte();
        break;
      default:
        break;
    }
  }
  ins.next = r.ip;
  if (!formTranslatable(ins, model)) {
    ins.x = true;
    ins.op = first;
  }
  return ins;
}

/** Operand forms of translatable opcodes that still go to the interpreter. */
function formTranslatable(ins: Insn, model: number): boolean {
  const m = ins.m;
  const reg = (m >> 3) & 7;
  switch (ins.op) {
    case 0x8d:
      return m < 0xc0; // LEA with a register operand: 8086 quirk / invalid opcode
    case 0xc6:
    case 0xc7:
      return reg === 0;
    case 0xf6:
    case 0xf7:
      return reg < 4; // MUL/IMUL/DIV/IDIV: interpreter
    case 0xfe:
      return reg < 2;
    case 0xff:
      if (reg < 2 || reg === 2 || reg === 4) return true;
      // PUSH r/m16 (PUSH SP has model differences: interpreter)
      return reg === 6 && (m < 0xc0 || (m & 7) !== 4);
    case 0xc0:
    case 0xc1:
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3:
      // the 8086's SETMO/SETMOC (reg 6) stays with the interpreter
      return reg !== 6 || model >= MODEL_80186;
    default:
      return true;
  }
}

/** A memory operand: its offset (expression) and physical address (local). */
interface Mem {
  readonly mem: true;
  readonly o: string;
  /** Offset known at translation time (direct address), or -1. */
  readonly oc: number;
  readonly a: string;
}

interface RegOp {
  readonly mem: false;
  readonly i: number;
}

type Operand = Mem | RegOp;

class Emitter {
  private readonly lines: string[] = [];
  /** 16-bit registers read or written (loaded at entry), and written (stored at every exit). */
  used = 0;
  written = 0;
  segs = 0;
  F: Flags = null;
  /** Instructions executed so far on this pass. */
  k = 0;
  loops = false;
  /** The current instruction stored to memory (see `hitCheck`). */
  stored = false;
  private v = 0;

  constructor(
    readonly startIp: number,
    readonly model: number,
  ) {}

  line(s: string): void {
    this.lines.push(s);
  }

  id(p: string): string {
    return `${p}${this.v++}`;
  }

  // ---- registers ----

  g16(i: number): string {
    this.used |= 1 << i;
    return `R${i}`;
  }

  s16(i: number, e: string): void {
    this.used |= 1 << i;
    this.written |= 1 << i;
    this.line(`R${i} = ${e};`);
  }

  g8(i: number): string {
    const w = i & 3;
    this.used |= 1 << w;
    return i < 4 ? `(R${w} & 255)` : `(R${w} >> 8)`;
  }

  /** `e` must be 0..255. */
  s8(i: number, e: string): void {
    const w = i & 3;
    this.used |= 1 << w;
    this.written |= 1 << w;
    this.line(i < 4 ? `R${w} = (R${w} & 65280) | ${e};` : `R${w} = (R${w} & 255) | (${e} << 8);`);
  }

  segBase(sr: number): string {
    this.segs |= 1 << sr;
    return `B${sr}`;
  }

  // ---- exits ----

  /** Leave the block with IP = `ipExpr` after `k` instructions; `ret` 1 = interpret the next one. */
  exit(ipExpr: string, k: number, ret: 0 | 1): string {
    return `{ s.ip = ${ipExpr}; @WB@${this.mat()} c.left = left - ${k}; return ${ret}; }`;
  }

  /** Leave before `ins` (it has changed nothing): the interpreter runs it. */
  side(ins: Insn): string {
    return this.exit(String(ins.ip), this.k, 1);
  }

  /** A jump to `target` taken after this instruction: back to the start loops, else leave. */
  jump(target: number): string {
    const k = this.k + 1;
    if (target === this.startIp) {
      this.loops = true;
      return `{ ${this.mat()} left -= ${k}; if (left >= @N@) continue; s.ip = ${target}; @WB@ c.left = left; return 0; }`;
    }
    return this.exit(String(target), k, 0);
  }

  // ---- flags ----

  /** Statements that put the flags held in locals into `state`. */
  mat(): string {
    const F = this.F;
    if (F === null) return '';
    if (F.t === 'alu') return `s.lkind = ${F.kind}; s.lop1 = ${F.a}; s.lop2 = ${F.b}; s.lres = ${F.r}; s.lbits = ${F.bits}; s.lazy = ${ARITH};`;
    const cf = F.cf !== null ? `s.flags = (s.flags & -2) | ${F.cf}; ` : '';
    return `${cf}s.lkind = ${F.kind}; s.lop1 = ${F.a}; s.lop2 = 1; s.lres = ${F.r}; s.lbits = ${F.bits}; s.lazy = ${ARITH_NO_CF};`;
  }

  /** Flags into `state` now (before a helper reads or merges into them). */
  flush(): void {
    const m = this.mat();
    if (m) this.line(m);
    this.F = null;
  }

  /** CF as 0 or 1. */
  cf(): string {
    const F = this.F;
    if (F === null) return 'c.cf()';
    if (F.t === 'incdec') return F.cf ?? '(s.flags & 1)';
    if (F.kind === LAZY_LOGIC) return '0';
    return `((${F.r} >> ${F.bits}) & 1)`;
  }

  /** Condition code `cc` (Jcc low nibble) as a boolean expression. */
  cond(cc: number): string {
    const F = this.F;
    if (F === null) return `c.cond(${cc})`;
    const bits = F.bits;
    const mask = bits === 8 ? 0xff : 0xffff;
    const sign = 1 << (bits - 1);
    const r = F.r;
    const b = F.t === 'alu' ? F.b : '1';
    let cf: string;
    let of: string;
    if (F.t === 'incdec') cf = F.cf !== null ? `(${F.cf} !== 0)` : '((s.flags & 1) !== 0)';
    else cf = F.kind === LAZY_ADD ? `(${r} > ${mask})` : F.kind === LAZY_SUB ? `(${r} < 0)` : 'false';
    if (F.kind === LAZY_ADD) of = `((((${F.a} ^ ${r}) & (${b} ^ ${r})) & ${sign}) !== 0)`;
    else if (F.kind === LAZY_SUB) of = `((((${F.a} ^ ${b}) & (${F.a} ^ ${r})) & ${sign}) !== 0)`;
    else of = 'false';
    const zf = `((${r} & ${mask}) === 0)`;
    const sf = `((${r} & ${sign}) !== 0)`;
    const pf = `(PARITY[${r} & 255] !== 0)`;
    let e: string;
    switch (cc >> 1) {
      case 0:
        e = of;
        break;
      case 1:
        e = cf;
        break;
      case 2:
        e = zf;
        break;
      case 3:
        e = `(${cf} || ${zf})`;
        break;
      case 4:
        e = sf;
        break;
      case 5:
        e = pf;
        break;
      case 6:
        e = `(${sf} !== ${of})`;
        break;
      default:
        e = `(${zf} || ${sf} !== ${of})`;
        break;
    }
    return cc & 1 ? `!${e}` : e;
  }

  /** ADD..CMP (group index `kind`) of two expressions; returns the masked result. */
  alu(kind: number, aE: string, bE: string, bits: number): string {
    let carry = '';
    if (kind === 2 || kind === 3) {
      carry = this.id('c');
      this.line(`const ${carry} = ${this.cf()};`);
    }
    const a = this.id('a');
    const b = this.id('b');
    const r = this.id('q');
    let e: string;
    let lk: number;
    switch (kind) {
      case 0:
        e = `${a} + ${b}`;
        lk = LAZY_ADD;
        break;
      case 1:
        e = `${a} | ${b}`;
        lk = LAZY_LOGIC;
        break;
      case 2:
        e = `${a} + ${b} + ${carry}`;
        lk = LAZY_ADD;
        break;
      case 3:
        e = `${a} - ${b} - ${carry}`;
        lk = LAZY_SUB;
        break;
      case 4:
        e = `${a} & ${b}`;
        lk = LAZY_LOGIC;
        break;
      case 6:
        e = `${a} ^ ${b}`;
        lk = LAZY_LOGIC;
        break;
      default:
        e = `${a} - ${b}`;
        lk = LAZY_SUB;
        break;
    }
    this.line(`const ${a} = ${aE}; const ${b} = ${bE}; const ${r} = ${e};`);
    this.F = { t: 'alu', kind: lk, bits, a, b, r };
    return `(${r} & ${bits === 8 ? 255 : 65535})`;
  }

  /** INC / DEC: CF is kept. Returns the masked result. */
  incdec(dec: boolean, vE: string, bits: number): string {
    let cf: string | null = null;
    const F = this.F;
    if (F === null) this.line('if (s.lazy & 1) s.flags = (s.flags & -2) | c.cf();');
    else if (F.t === 'incdec') cf = F.cf;
    else {
      cf = this.id('c');
      this.line(`const ${cf} = ${this.cf()};`);
    }
    const a = this.id('a');
    const r = this.id('q');
    this.line(`const ${a} = ${vE}; const ${r} = ${a} ${dec ? '-' : '+'} 1;`);
    this.F = { t: 'incdec', kind: dec ? LAZY_SUB : LAZY_ADD, bits, a, r, cf };
    return `(${r} & ${bits === 8 ? 255 : 65535})`;
  }

  // ---- memory ----

  /** The memory operand of ModR/M `ins.m` (mod != 3): offset and address locals. */
  ea(ins: Insn): Mem {
    const m = ins.m;
    const rm = m & 7;
    let seg = 3;
    let base: string;
    switch (rm) {
      case 0:
        base = `${this.g16(3)} + ${this.g16(6)}`;
        break;
      case 1:
        base = `${this.g16(3)} + ${this.g16(7)}`;
        break;
      case 2:
        base = `${this.g16(5)} + ${this.g16(6)}`;
        seg = 2;
        break;
      case 3:
        base = `${this.g16(5)} + ${this.g16(7)}`;
        seg = 2;
        break;
      case 4:
        base = this.g16(6);
        break;
      case 5:
        base = this.g16(7);
        break;
      case 6:
        if (m < 0x40) return this.addr(ins.seg >= 0 ? ins.seg : 3, '', ins.disp & 0xffff);
        base = this.g16(5);
        seg = 2;
        break;
      default:
        base = this.g16(3);
        break;
    }
    if (ins.seg >= 0) seg = ins.seg;
    return this.addr(seg, m >= 0x40 && ins.disp !== 0 ? `(${base} + ${ins.disp}) & 65535` : m >= 0x40 || rm < 4 ? `(${base}) & 65535` : base, -1);
  }

  /** Address local for segment `seg` at offset expression `oE` (or constant `oc`). */
  addr(seg: number, oE: string, oc: number): Mem {
    const a = this.id('p');
    if (oc >= 0) {
      this.line(`const ${a} = (${this.segBase(seg)} + ${oc}) & am;`);
      return { mem: true, o: String(oc), oc, a };
    }
    const o = this.id('o');
    this.line(`const ${o} = ${oE}; const ${a} = (${this.segBase(seg)} + ${o}) & am;`);
    return { mem: true, o, oc: -1, a };
  }

  operand(ins: Insn): Operand {
    return ins.m >= 0xc0 ? { mem: false, i: ins.m & 7 } : this.ea(ins);
  }

  /** Side exit unless the access is plain RAM (or ROM, for reads) the block may touch directly. */
  check(ins: Insn, p: Operand, word: boolean, write: boolean): void {
    if (!p.mem) return;
    // A write may also go to a RAM page watched for translated code (code.store8 / store16).
    let cond = write ? `((direct[${p.a} >>> 12] & 2) === 0 && code.watch[${p.a} >>> 12] === 0)` : `(direct[${p.a} >>> 12] & 1) === 0`;
    if (word) {
      cond = `(${p.a} & 4095) === 4095 || ${cond}`;
      if (p.oc < 0) cond = `${p.o} === 65535 || ${cond}`;
      else if (p.oc === 0xffff) cond = 'true';
    }
    this.line(`if (${cond}) ${this.side(ins)}`);
  }

  get(p: Operand, word: boolean): string {
    if (!p.mem) return word ? this.g16(p.i) : this.g8(p.i);
    return word ? `(ram[${p.a}] | (ram[${p.a} + 1] << 8))` : `ram[${p.a}]`;
  }

  /** Store `e` (masked to the width). */
  set(p: Operand, word: boolean, e: string): void {
    if (!p.mem) {
      if (word) this.s16(p.i, e);
      else this.s8(p.i, e);
      return;
    }
    const v = this.id('w');
    this.line(`const ${v} = ${e};`);
    this.store(p.a, word, v);
  }

  /**
   * Store local `v` at physical `a` (checked): straight into RAM, or through the cache when
   * the page holds translated code (which may drop blocks: see `hitCheck`).
   */
  store(a: string, word: boolean, v: string): void {
    const fast = word ? `ram[${a}] = ${v}; ram[${a} + 1] = ${v} >>> 8;` : `ram[${a}] = ${v};`;
    this.line(`if ((direct[${a} >>> 12] & 2) !== 0) { ${fast} dirty[${a} >>> 12] = 1; } else code.${word ? 'store16' : 'store8'}(${a}, ${v});`);
    this.stored = true;
  }

  /**
   * After an instruction that stored: if the store dropped translated code (perhaps this
   * block's), leave the block now, after the instruction.
   */
  hitCheck(next: number): void {
    if (!this.stored) return;
    this.stored = false;
    this.line(`if (code.hit !== 0) { code.hit = 0; ${this.exit(String(next & 0xffff), this.k + 1, 0)} }`);
  }

  /** The ModR/M reg field as an operand. */
  reg(ins: Insn): RegOp {
    return { mem: false, i: (ins.m >> 3) & 7 };
  }

  /** Check a PUSH; returns the new SP and address locals. */
  pushCheck(ins: Insn): { sp: string; a: string } {
    const sp = this.id('sp');
    const a = this.id('p');
    this.line(`const ${sp} = (${this.g16(4)} - 2) & 65535; const ${a} = (${this.segBase(2)} + ${sp}) & am;`);
    this.line(`if (${sp} === 65535 || (${a} & 4095) === 4095 || ((direct[${a} >>> 12] & 2) === 0 && code.watch[${a} >>> 12] === 0)) ${this.side(ins)}`);
    return { sp, a };
  }

  push(at: { sp: string; a: string }, e: string): void {
    const v = this.id('w');
    this.line(`const ${v} = ${e};`);
    this.store(at.a, true, v);
    this.s16(4, at.sp);
  }

  /** Check a POP; returns the address local. */
  popCheck(ins: Insn): string {
    const a = this.id('p');
    const sp = this.g16(4);
    this.line(`const ${a} = (${this.segBase(2)} + ${sp}) & am;`);
    this.line(`if (${sp} === 65535 || (${a} & 4095) === 4095 || (direct[${a} >>> 12] & 1) === 0) ${this.side(ins)}`);
    return a;
  }

  /** The popped word (SP moves on); returns its local. */
  pop(a: string): string {
    const v = this.id('w');
    this.line(`const ${v} = ram[${a}] | (ram[${a} + 1] << 8);`);
    this.s16(4, `(${this.g16(4)} + 2) & 65535`);
    return v;
  }

  /** Direction step of a string instruction: a local holding +-1 or +-2. */
  step(w: boolean): string {
    const d = this.id('d');
    this.line(`const ${d} = (s.flags & 1024) ? ${w ? -2 : -1} : ${w ? 2 : 1};`);
    return d;
  }

  /** String operand at seg:SI or ES:DI. */
  strAt(seg: number, index: number): Mem {
    return this.addr(seg, this.g16(index), -1);
  }

  // ---- the function ----

  source(n: number): string {
    let wb = '';
    for (let i = 0; i < 8; i++) if (this.written & (1 << i)) wb += `r16[${i * 2}] = R${i}; `;
    let head = 'const s = c.state; let left = c.left; const am = c.amask;';
    for (let i = 0; i < 4; i++) if (this.segs & (1 << i)) head += ` const B${i} = sbase[${i}];`;
    for (let i = 0; i < 8; i++) if (this.used & (1 << i)) head += ` let R${i} = r16[${i * 2}];`;
    let body = this.lines.join('\n');
    body = body.replaceAll('@WB@', wb).replaceAll('@N@', String(n));
    return this.loops ? `${head}\nfor (;;) {\n${body}\n}` : `${head}\n${body}`;
  }
}

/**
 * Translate the code at CS base `base`, IP `ip` into a block function body, or return
 * undefined when the first instruction is one the interpreter must run.
 */
export function translate(inp: TranslateInput): Translation | undefined {
  const r = new Reader(inp);
  const e = new Emitter(inp.ip, inp.model);
  let count = 0;
  for (;;) {
    if (count >= inp.maxInstructions) {
      e.line(e.exit(String(r.ip & 0xffff), e.k, 0));
      break;
    }
    const at = { ip: r.ip, count: r.count, linHi: r.linHi };
    let ins: Insn;
    try {
      ins = decode(r, inp.model);
    } catch (err) {
      if (err !== NO_BYTE) throw err;
      r.ip = at.ip;
      r.count = at.count;
      r.linHi = at.linHi;
      if (count === 0) return undefined;
      e.line(e.exit(String(at.ip & 0xffff), e.k, 0));
      break;
    }
    if (ins.x) {
      if (count === 0) return undefined;
      // The interpreter takes this one: state written back, counted, then dispatched.
      r.count = at.count + 1;
      e.line(`{ @WB@${e.mat()} c.left = left - ${e.k + 1}; c.start = ${ins.ip}; s.ip = ${(ins.ip + 1) & 0xffff}; dispatch(c, ${ins.op}); return 0; }`);
      count++;
      break;
    }
    const ends = emit(e, ins, inp.model);
    if (!ends) e.hitCheck(ins.next);
    e.k++;
    count++;
    if (ends) break;
  }
  return { body: e.source(count), n: count, lo: r.lo, hi: r.lo + r.count, linHi: r.linHi };
}

/** Emit one instruction; true when it ends the block. */
function emit(e: Emitter, ins: Insn, model: number): boolean {
  const op = ins.op;
  const next = ins.next & 0xffff;
  if (op < 0x40) {
    const kind = op >> 3;
    switch (op & 7) {
      case 0:
      case 1: {
        const w = (op & 1) === 1;
        const dst = e.operand(ins);
        e.check(ins, dst, w, kind !== 7);
        const r = e.alu(kind, e.get(dst, w), e.get(e.reg(ins), w), w ? 16 : 8);
        if (kind !== 7) e.set(dst, w, r);
        return false;
      }
      case 2:
      case 3: {
        const w = (op & 1) === 1;
        const src = e.operand(ins);
        e.check(ins, src, w, false);
        const dst = e.reg(ins);
        const r = e.alu(kind, e.get(dst, w), e.get(src, w), w ? 16 : 8);
        if (kind !== 7) e.set(dst, w, r);
        return false;
      }
      case 4: {
        const r = e.alu(kind, e.g8(0), String(ins.imm), 8);
        if (kind !== 7) e.s8(0, r);
        return false;
      }
      case 5: {
        const r = e.alu(kind, e.g16(0), String(ins.imm), 16);
        if (kind !== 7) e.s16(0, r);
        return false;
      }
      default: {
        // PUSH ES/CS/SS/DS
        const at = e.pushCheck(ins);
        e.push(at, `s.seg[${kind & 3}]`);
        return false;
      }
    }
  }
  if (op < 0x50) {
    const i = op & 7;
    e.s16(i, e.incdec(op >= 0x48, e.g16(i), 16));
    return false;
  }
  if (op < 0x58) {
    const i = op & 7;
    const at = e.pushCheck(ins);
    // PUSH SP: the 8086 and 80186 push the decremented value, the 80286 the value before.
    e.push(at, i === 4 && model < MODEL_80286 ? at.sp : e.g16(i));
    return false;
  }
  if (op < 0x60) {
    const a = e.popCheck(ins);
    const v = e.pop(a);
    e.s16(op & 7, v);
    return false;
  }
  if ((op === 0x68 || op === 0x6a) && model !== MODEL_8086) {
    // PUSH imm16 / imm8 sign-extended (80186+)
    const at = e.pushCheck(ins);
    e.push(at, String(ins.imm));
    return false;
  }
  if (op < 0x80) {
    // Jcc (60-6F: the 8086's aliases of 70-7F)
    e.line(`if (${e.cond(op & 15)}) ${e.jump((next + ins.imm) & 0xffff)}`);
    return false;
  }
  switch (op) {
    case 0x80:
    case 0x81:
    case 0x82:
    case 0x83: {
      const kind = (ins.m >> 3) & 7;
      const w = op === 0x81 || op === 0x83;
      const dst = e.operand(ins);
      e.check(ins, dst, w, kind !== 7);
      const r = e.alu(kind, e.get(dst, w), String(ins.imm), w ? 16 : 8);
      if (kind !== 7) e.set(dst, w, r);
      return false;
    }
    case 0x84:
    case 0x85: {
      const w = op === 0x85;
      const src = e.operand(ins);
      e.check(ins, src, w, false);
      e.alu(4, e.get(src, w), e.get(e.reg(ins), w), w ? 16 : 8);
      return false;
    }
    case 0x86:
    case 0x87: {
      const w = op === 0x87;
      const p = e.operand(ins);
      e.check(ins, p, w, true);
      const x = e.id('x');
      const y = e.id('y');
      const reg = e.reg(ins);
      e.line(`const ${x} = ${e.get(p, w)}; const ${y} = ${e.get(reg, w)};`);
      e.set(p, w, y);
      e.set(reg, w, x);
      return false;
    }
    case 0x88:
    case 0x89: {
      const w = op === 0x89;
      const dst = e.operand(ins);
      e.check(ins, dst, w, true);
      e.set(dst, w, e.get(e.reg(ins), w));
      return false;
    }
    case 0x8a:
    case 0x8b: {
      const w = op === 0x8b;
      const src = e.operand(ins);
      e.check(ins, src, w, false);
      const v = e.id('v');
      e.line(`const ${v} = ${e.get(src, w)};`);
      e.set(e.reg(ins), w, v);
      return false;
    }
    case 0x8d: {
      const p = e.ea(ins);
      e.s16((ins.m >> 3) & 7, p.o);
      return false;
    }
    case 0x98:
      e.s16(0, `(${e.g16(0)} & 255) | ((${e.g16(0)} & 128) !== 0 ? 65280 : 0)`);
      return false;
    case 0x99:
      e.s16(2, `(${e.g16(0)} & 32768) !== 0 ? 65535 : 0`);
      return false;
    case 0x9c: {
      const at = e.pushCheck(ins);
      e.flush();
      e.push(at, 'c.getFlags()');
      return false;
    }
    case 0x9e: {
      e.flush();
      e.line(`s.lazy &= ${~SAHF_MASK}; s.flags = (s.flags & ${~SAHF_MASK}) | (${e.g8(4)} & ${SAHF_MASK});`);
      return false;
    }
    case 0x9f:
      e.flush();
      e.s8(4, '(c.getFlags() & 255)');
      return false;
    case 0xa0:
    case 0xa1:
    case 0xa2:
    case 0xa3: {
      const w = (op & 1) === 1;
      const p = e.addr(ins.seg >= 0 ? ins.seg : 3, '', ins.imm);
      const store = op >= 0xa2;
      e.check(ins, p, w, store);
      const acc: RegOp = { mem: false, i: 0 };
      if (store) e.set(p, w, e.get(acc, w));
      else {
        const v = e.id('v');
        e.line(`const ${v} = ${e.get(p, w)};`);
        e.set(acc, w, v);
      }
      return false;
    }
    case 0xa4:
    case 0xa5: {
      // MOVS
      const w = op === 0xa5;
      const src = e.strAt(ins.seg >= 0 ? ins.seg : 3, 6);
      const dst = e.strAt(0, 7);
      e.check(ins, src, w, false);
      e.check(ins, dst, w, true);
      const d = e.step(w);
      const v = e.id('v');
      e.line(`const ${v} = ${e.get(src, w)};`);
      e.set(dst, w, v);
      e.s16(6, `(${e.g16(6)} + ${d}) & 65535`);
      e.s16(7, `(${e.g16(7)} + ${d}) & 65535`);
      return false;
    }
    case 0xa6:
    case 0xa7: {
      // CMPS: [seg:SI] - [ES:DI]
      const w = op === 0xa7;
      const src = e.strAt(ins.seg >= 0 ? ins.seg : 3, 6);
      const dst = e.strAt(0, 7);
      e.check(ins, src, w, false);
      e.check(ins, dst, w, false);
      const d = e.step(w);
      e.alu(7, e.get(src, w), e.get(dst, w), w ? 16 : 8);
      e.s16(6, `(${e.g16(6)} + ${d}) & 65535`);
      e.s16(7, `(${e.g16(7)} + ${d}) & 65535`);
      return false;
    }
    case 0xa8:
      e.alu(4, e.g8(0), String(ins.imm), 8);
      return false;
    case 0xa9:
      e.alu(4, e.g16(0), String(ins.imm), 16);
      return false;
    case 0xaa:
    case 0xab: {
      // STOS
      const w = op === 0xab;
      const dst = e.strAt(0, 7);
      e.check(ins, dst, w, true);
      const d = e.step(w);
      e.set(dst, w, e.get({ mem: false, i: 0 }, w));
      e.s16(7, `(${e.g16(7)} + ${d}) & 65535`);
      return false;
    }
    case 0xac:
    case 0xad: {
      // LODS
      const w = op === 0xad;
      const src = e.strAt(ins.seg >= 0 ? ins.seg : 3, 6);
      e.check(ins, src, w, false);
      const d = e.step(w);
      const v = e.id('v');
      e.line(`const ${v} = ${e.get(src, w)};`);
      e.set({ mem: false, i: 0 }, w, v);
      e.s16(6, `(${e.g16(6)} + ${d}) & 65535`);
      return false;
    }
    case 0xae:
    case 0xaf: {
      // SCAS: AL/AX - [ES:DI]
      const w = op === 0xaf;
      const dst = e.strAt(0, 7);
      e.check(ins, dst, w, false);
      const d = e.step(w);
      e.alu(7, e.get({ mem: false, i: 0 }, w), e.get(dst, w), w ? 16 : 8);
      e.s16(7, `(${e.g16(7)} + ${d}) & 65535`);
      return false;
    }
    case 0xc0:
    case 0xc1:
      if (model === MODEL_8086) {
        // RET imm16 / RET (aliases of C2 / C3)
        return ret(e, ins, op === 0xc0 ? ins.imm : -1);
      }
      return shiftOp(e, ins, model);
    case 0xc2:
      return ret(e, ins, ins.imm);
    case 0xc3:
      return ret(e, ins, -1);
    case 0xc6:
    case 0xc7: {
      const w = op === 0xc7;
      const dst = e.operand(ins);
      e.check(ins, dst, w, true);
      e.set(dst, w, String(ins.imm));
      return false;
    }
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3:
      return shiftOp(e, ins, model);
    case 0xe0:
    case 0xe1:
    case 0xe2: {
      // LOOPNZ / LOOPZ / LOOP
      const cx = e.id('n');
      e.line(`const ${cx} = (${e.g16(1)} - 1) & 65535;`);
      e.s16(1, cx);
      const cond = op === 0xe2 ? `${cx} !== 0` : `${cx} !== 0 && ${op === 0xe1 ? '' : '!'}${e.cond(4)}`;
      e.line(`if (${cond}) ${e.jump((next + ins.imm) & 0xffff)}`);
      return false;
    }
    case 0xe3:
      e.line(`if (${e.g16(1)} === 0) ${e.jump((next + ins.imm) & 0xffff)}`);
      return false;
    case 0xe8: {
      const at = e.pushCheck(ins);
      e.push(at, String(next));
      e.hitCheck((next + ins.imm) & 0xffff);
      e.line(e.jump((next + ins.imm) & 0xffff));
      return true;
    }
    case 0xe9:
    case 0xeb:
      e.line(e.jump((next + ins.imm) & 0xffff));
      return true;
    case 0xf5: {
      e.flush();
      e.line('{ const cf = c.cf(); s.lazy &= -2; s.flags = (s.flags & -2) | (cf ^ 1); }');
      return false;
    }
    case 0xf6:
    case 0xf7: {
      const w = op === 0xf7;
      const kind = (ins.m >> 3) & 7;
      const p = e.operand(ins);
      e.check(ins, p, w, kind >= 2);
      if (kind < 2) e.alu(4, e.get(p, w), String(ins.imm), w ? 16 : 8);
      else if (kind === 2) e.set(p, w, `(~${e.get(p, w)} & ${w ? 65535 : 255})`);
      else {
        const r = e.alu(5, '0', e.get(p, w), w ? 16 : 8);
        e.set(p, w, r);
      }
      return false;
    }
    case 0xf8:
    case 0xf9:
      e.flush();
      e.line(`s.lazy &= -2; s.flags = ${op === 0xf8 ? '(s.flags & -2)' : '(s.flags | 1)'};`);
      return false;
    case 0xfa:
      e.line('s.flags &= -513;');
      return false;
    case 0xfc:
      e.line('s.flags &= -1025;');
      return false;
    case 0xfd:
      e.line('s.flags |= 1024;');
      return false;
    case 0xfe: {
      const p = e.operand(ins);
      e.check(ins, p, false, true);
      e.set(p, false, e.incdec(((ins.m >> 3) & 7) === 1, e.get(p, false), 8));
      return false;
    }
    case 0xff: {
      const kind = (ins.m >> 3) & 7;
      const p = e.operand(ins);
      if (kind < 2) {
        e.check(ins, p, true, true);
        e.set(p, true, e.incdec(kind === 1, e.get(p, true), 16));
        return false;
      }
      e.check(ins, p, true, false);
      const v = e.id('t');
      if (kind === 6) {
        const at = e.pushCheck(ins);
        e.line(`const ${v} = ${e.get(p, true)};`);
        e.push(at, v);
        return false;
      }
      if (kind === 2) {
        const at = e.pushCheck(ins);
        e.line(`const ${v} = ${e.get(p, true)};`);
        e.push(at, String(next));
        e.stored = false; // the block leaves right after, at the target
        e.line(e.exit(v, e.k + 1, 0));
        return true;
      }
      // JMP r/m16
      e.line(`const ${v} = ${e.get(p, true)};`);
      e.line(e.exit(v, e.k + 1, 0));
      return true;
    }
    default:
      if (op >= 0x90 && op <= 0x97) {
        const i = op & 7;
        if (i !== 0) {
          const t = e.id('x');
          e.line(`const ${t} = ${e.g16(i)};`);
          e.s16(i, e.g16(0));
          e.s16(0, t);
        }
        return false;
      }
      if (op >= 0xb0 && op <= 0xb7) {
        e.s8(op & 7, String(ins.imm));
        return false;
      }
      if (op >= 0xb8 && op <= 0xbf) {
        e.s16(op & 7, String(ins.imm));
        return false;
      }
      throw new Error(`translate: opcode ${op.toString(16)} marked translatable but not emitted`);
  }
}

/** RET / RET imm16 (`n` < 0: none): leaves the block at the popped IP. */
function ret(e: Emitter, ins: Insn, n: number): boolean {
  const a = e.popCheck(ins);
  const v = e.pop(a);
  if (n > 0) e.s16(4, `(${e.g16(4)} + ${n}) & 65535`);
  e.line(e.exit(v, e.k + 1, 0));
  return true;
}

/** D0-D3, C0/C1 (80186+): through the interpreter's `shift`, flags in state. */
function shiftOp(e: Emitter, ins: Insn, model: number): boolean {
  const op = ins.op;
  const kind = (ins.m >> 3) & 7;
  const w = (op & 1) === 1;
  const p = e.operand(ins);
  e.check(ins, p, w, true);
  let count: string;
  let constant = -1;
  if (op >= 0xd2) count = model >= MODEL_80186 ? `(${e.g8(1)} & 31)` : e.g8(1);
  else {
    constant = op >= 0xd0 ? 1 : model >= MODEL_80186 ? ins.imm & 31 : ins.imm;
    count = String(constant);
  }
  e.flush();
  if (constant === 0) {
    // Count 0: the operand is read and nothing changes.
    return false;
  }
  const n = e.id('n');
  const v = e.id('v');
  e.line(`const ${n} = ${count}; const ${v} = shift(c, ${kind}, ${e.get(p, w)}, ${n}, ${w ? 16 : 8});`);
  if (constant > 0) e.set(p, w, v);
  else {
    e.line(`if (${n} !== 0) {`);
    e.set(p, w, v);
    e.line('}');
  }
  return false;
}
