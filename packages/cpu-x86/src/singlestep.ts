// Runner for the SingleStepTests 8086 / 80286 suites (https://github.com/SingleStepTests):
// one instruction per test, initial and final registers and memory, flags compared under
// each opcode's `flags-mask` from the suite's metadata.json. Takes parsed JSON; file access
// is the caller's (the CLI, the test suite).
import { IoSpace, MemorySpace, VirtualClock } from '@backplane/bus';
import { X86Cpu } from './Cpu';
import { REG16_NAMES, SEG_NAMES, type CpuModel } from './registers';

/** A test file or metadata document that does not have the suite's shape. */
export class SingleStepFormatError extends Error {
  override readonly name = 'SingleStepFormatError';
}

export type SingleStepStatus = 'normal' | 'undocumented' | 'alias' | 'undefined' | 'fpu' | 'prefix' | 'extension' | 'unknown';

interface OpcodeInfo {
  readonly status: SingleStepStatus;
  readonly flagsMask: number;
}

/** The suite's metadata.json: status and flags mask per opcode (and per ModR/M reg for groups). */
export class SingleStepMetadata {
  private readonly plain = new Map<string, OpcodeInfo>();
  private readonly groups = new Map<string, OpcodeInfo[]>();

  constructor(json: unknown) {
    const opcodes = isObject(json) ? json.opcodes : undefined;
    if (!isObject(opcodes)) throw new SingleStepFormatError('metadata: no "opcodes" object');
    for (const [key, value] of Object.entries(opcodes)) {
      if (!isObject(value)) throw new SingleStepFormatError(`metadata: opcode ${key} is not an object`);
      if (isObject(value.reg)) {
        const regs: OpcodeInfo[] = [];
        for (let r = 0; r < 8; r++) regs.push(info(value.reg[String(r)], `${key}.${r}`));
        this.groups.set(key.toUpperCase(), regs);
      } else this.plain.set(key.toUpperCase(), info(value, key));
    }
  }

  /** Status and flags mask of the instruction in `bytes` (prefixes skipped, group reg decoded). */
  lookup(bytes: readonly number[]): OpcodeInfo & { readonly key: string } {
    let i = 0;
    while (i < bytes.length && PREFIXES.has(bytes[i]!)) i++;
    let key = hex(bytes[i] ?? 0);
    if (bytes[i] === 0x0f && this.groups.has(key + hex(bytes[i + 1] ?? 0))) key += hex(bytes[++i] ?? 0);
    else if (bytes[i] === 0x0f && this.plain.has(key + hex(bytes[i + 1] ?? 0))) key += hex(bytes[++i] ?? 0);
    const group = this.groups.get(key);
    if (group) {
      const reg = ((bytes[i + 1] ?? 0) >> 3) & 7;
      return { key: `${key}.${reg}`, ...group[reg]! };
    }
    const plain = this.plain.get(key);
    return { key, ...(plain ?? { status: 'unknown', flagsMask: 0xffff }) };
  }
}

const PREFIXES = new Set([0x26, 0x2e, 0x36, 0x3e, 0xf0, 0xf1, 0xf2, 0xf3]);

function info(v: unknown, key: string): OpcodeInfo {
  if (!isObject(v) || typeof v.status !== 'string') throw new SingleStepFormatError(`metadata: opcode ${key} has no status`);
  const mask = v['flags-mask'];
  if (mask !== undefined && (typeof mask !== 'number' || !Number.isInteger(mask))) throw new SingleStepFormatError(`metadata: opcode ${key} has a bad flags-mask`);
  return { status: v.status as SingleStepStatus, flagsMask: (mask as number | undefined) ?? 0xffff };
}

type Regs = Record<string, number>;

/** One test, checked. */
export interface SingleStepTest {
  readonly name: string;
  readonly bytes: readonly number[];
  readonly initialRegs: Regs;
  readonly initialRam: readonly (readonly [number, number])[];
  readonly finalRegs: Regs;
  readonly finalRam: readonly (readonly [number, number])[];
  readonly hash: string | undefined;
  readonly index: number;
  /** 80286 suite: the exception the instruction raised, and where FLAGS were pushed. */
  readonly exception: { readonly number: number; readonly flagAddress: number } | undefined;
}

const REG_NAMES = [...REG16_NAMES, 'cs', 'ss', 'ds', 'es', 'ip', 'flags'] as const;

/** Validate a parsed test file (a JSON array of tests). */
export function parseSingleStepFile(json: unknown, source: string): SingleStepTest[] {
  if (!Array.isArray(json)) throw new SingleStepFormatError(`${source}: not a JSON array of tests`);
  return json.map((t, i) => parseTest(t, `${source} #${i}`, i));
}

function parseTest(t: unknown, where: string, i: number): SingleStepTest {
  if (!isObject(t) || !isObject(t.initial) || !isObject(t.final)) throw new SingleStepFormatError(`${where}: test needs initial and final`);
  const bytes = t.bytes;
  if (!Array.isArray(bytes) || !bytes.every(isByte)) throw new SingleStepFormatError(`${where}: bad "bytes"`);
  const initialRegs = regs(t.initial.regs, where, true);
  const finalRegs = regs(t.final.regs, where, false);
  return {
    name: typeof t.name === 'string' ? t.name : '',
    bytes,
    initialRegs,
    initialRam: ram(t.initial.ram, where),
    finalRegs,
    finalRam: ram(t.final.ram, where),
    hash: typeof t.hash === 'string' ? t.hash : typeof t.test_hash === 'string' ? t.test_hash : undefined,
    index: typeof t.idx === 'number' ? t.idx : typeof t.test_num === 'number' ? t.test_num : i,
    exception: exception(t.exception, where),
  };
}

function exception(v: unknown, where: string): SingleStepTest['exception'] {
  if (v === undefined) return undefined;
  if (!isObject(v) || typeof v.number !== 'number' || typeof v.flag_address !== 'number') throw new SingleStepFormatError(`${where}: bad exception`);
  return { number: v.number, flagAddress: v.flag_address };
}

function regs(v: unknown, where: string, complete: boolean): Regs {
  if (!isObject(v)) throw new SingleStepFormatError(`${where}: bad regs`);
  const out: Regs = {};
  for (const name of REG_NAMES) {
    const x = v[name];
    if (x === undefined) {
      if (complete) throw new SingleStepFormatError(`${where}: initial regs lack ${name}`);
      continue;
    }
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 0xffff) throw new SingleStepFormatError(`${where}: register ${name} = ${String(x)}`);
    out[name] = x;
  }
  return out;
}

function ram(v: unknown, where: string): [number, number][] {
  if (!Array.isArray(v)) throw new SingleStepFormatError(`${where}: bad ram list`);
  return v.map((e) => {
    if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'number' || !Number.isInteger(e[0]) || e[0] < 0 || e[0] > 0xffffff || !isByte(e[1]))
      throw new SingleStepFormatError(`${where}: bad ram entry ${JSON.stringify(e)}`);
    return [e[0], e[1]] as [number, number];
  });
}

/** Why a test failed: the first differing register or byte. */
export interface SingleStepMismatch {
  /** For people: `ax 1234 != 1235`, `byte [01234] 12 != 13`, `flags ...`. */
  readonly what: string;
  /** The physical address, when the difference is a byte of memory. */
  readonly address?: number;
}

export interface SingleStepRunnerOptions {
  /**
   * Run each instruction as a translated block of its own, translated at first sight, to
   * check the block translator against the suite (default false: the interpreter runs it).
   */
  readonly translated?: boolean;
}

/**
 * A machine for running tests: a CPU of the chosen model on a bare bus (RAM everywhere,
 * no devices: port reads float to 0xFF).
 */
export class SingleStepRunner {
  readonly cpu: X86Cpu;
  readonly memory: MemorySpace;
  private readonly is286: boolean;

  constructor(
    readonly model: CpuModel,
    options: SingleStepRunnerOptions = {},
  ) {
    this.is286 = model === '80286';
    const size = this.is286 ? 0x110000 : 0x100000;
    this.memory = new MemorySpace({ backingSize: size, addressBits: this.is286 ? 24 : 20 });
    this.memory.mapRam('test', 0, size);
    this.cpu = new X86Cpu({ memory: this.memory, io: new IoSpace(), clock: new VirtualClock() }, { model, translate: options.translated === true });
    if (options.translated === true) this.cpu.tuneTranslation(0, 1);
  }

  /** Run one test; returns undefined when it passes, else the first difference. */
  run(test: SingleStepTest, flagsMask: number): SingleStepMismatch | undefined {
    const cpu = this.cpu;
    const mem = this.memory;
    const ram = mem.ram;
    // Clear what the previous test touched.
    const dirty = mem.dirty;
    for (let p = 0, pages = ram.length >>> 12; p < pages; p++) {
      if (dirty[p]) {
        ram.fill(0, p << 12, (p + 1) << 12);
        dirty[p] = 0;
      }
    }
    cpu.reset();
    const s = cpu.state;
    const r = test.initialRegs;
    for (let i = 0; i < 8; i++) s.gpr[i] = r[REG16_NAMES[i]!]!;
    for (let i = 0; i < 4; i++) cpu.setSegment(i, r[SEG_NAMES[i]!]!);
    s.ip = r.ip!;
    cpu.flags = this.is286 ? r.flags! & 0x0fff : r.flags!;
    for (const [a, v] of test.initialRam) {
      if (a < ram.length) {
        ram[a] = v;
        dirty[a >>> 12] = 1;
      }
    }
    if (this.is286) {
      // The instruction is followed by HLT: run until the processor halts.
      for (let n = 0; n < 8 && !s.halted; n++) cpu.step();
      if (!s.halted) return { what: 'did not reach the HLT after the instruction' };
    } else cpu.step();
    const f = test.finalRegs;
    for (const name of REG_NAMES) {
      const want = f[name] ?? r[name]!;
      let got: number;
      const gi = REG16_NAMES.indexOf(name as (typeof REG16_NAMES)[number]);
      const si = SEG_NAMES.indexOf(name as (typeof SEG_NAMES)[number]);
      if (gi >= 0) got = s.gpr[gi]! & 0xffff;
      else if (si >= 0) got = s.seg[si]!;
      else if (name === 'ip') got = s.ip;
      else {
        got = cpu.flags;
        const wantFlags = this.is286 && f.flags === undefined ? want & 0x0fff : want;
        if ((got & flagsMask) !== (wantFlags & flagsMask)) return { what: `flags ${hex4(got)} != ${hex4(wantFlags)} (mask ${hex4(flagsMask)}: ${flagDiff(got, wantFlags, flagsMask)})` };
        continue;
      }
      if (got !== want) return { what: `${name} ${hex4(got)} != ${hex4(want)}` };
    }
    // The FLAGS image an exception pushed is compared under the same mask as FLAGS (the
    // suite gives its address for that: undefined flags are undefined there too).
    // The suite's flag_address is the even (bus word) address; with an odd SP the image
    // starts one byte higher, which the final SS:SP (SP + 4 after FLAGS, CS, IP) shows.
    const e = test.exception;
    let flagsAt = -1;
    if (e !== undefined) {
      const ss = f.ss ?? r.ss!;
      const sp = f.sp ?? r.sp!;
      const derived = ss * 16 + ((sp + 4) & 0xffff);
      flagsAt = (derived & ~1) === (e.flagAddress & ~1) ? derived : e.flagAddress;
    }
    for (const [a, v] of test.finalRam) {
      const got = a < ram.length ? ram[a]! : 0xff;
      let mask = 0xff;
      if (a === flagsAt) mask = flagsMask & 0xff;
      else if (flagsAt >= 0 && a === flagsAt + 1) mask = flagsMask >>> 8;
      if ((got & mask) !== (v & mask)) return { what: `byte [${a.toString(16).padStart(5, '0')}] ${hex(got)} != ${hex(v)}${mask !== 0xff ? ` (pushed FLAGS, mask ${hex(mask)})` : ''}`, address: a };
    }
    return undefined;
  }
}

const FLAG_LETTERS: [number, string][] = [
  [0x800, 'o'],
  [0x400, 'd'],
  [0x200, 'i'],
  [0x100, 't'],
  [0x80, 's'],
  [0x40, 'z'],
  [0x10, 'a'],
  [0x4, 'p'],
  [0x1, 'c'],
];

function flagDiff(got: number, want: number, mask: number): string {
  const d = (got ^ want) & mask;
  const names = FLAG_LETTERS.filter(([bit]) => d & bit).map(([, n]) => n);
  if (d & 0xf000) names.push('bits 12-15');
  return names.join('') || '?';
}

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isByte(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 255;
}
