// The RAM digest of stream format 2: the check over the page data of a RAM record (the record's
// head, page table and the digest itself stay under the frame's CRC-32C).
//
// Definition. The data is read as 32-bit little-endian words w[0..n), n a multiple of 16. Word i
// is added to a sum lane L = i mod 4 and to a polynomial lane M = i mod 16; all values are 64-bit
// (mod 2^64) and start at 0:
//   a[L] = a[L] + w          (a plain sum: exact, it cannot wrap for the 2^26 words of the largest record)
//   c[M] = c[M] * 33 + w     (a polynomial in 33 over the lane's words, in order)
// The digest is a[0..3] then c[0..15], twenty u64 little-endian: 160 bytes.
//
// What it detects, for certain (proof in docs/stream-format.md): every change that alters at most
// two words of each sum lane in one record's data, so every 1- and 2-bit error, every burst of up
// to 225 bits (8 consecutive words), any change of one or two words. Beyond that (pages swapped or
// duplicated inside a record, larger damage) a change goes unseen only if it cancels mod 2^64 in
// the lane sums and in all sixteen base-33 polynomials at once: position matters (a reordering
// changes c), so swapped pages are caught unless their data are equal.
//
// Speed: a WebAssembly SIMD loop (4 words per 16-byte vector, 64 bytes per iteration, each of the
// 4 vectors with its own polynomial accumulators so that no multiply-add waits on the previous
// one), hand-written below with the encoder of ./wasm; the data is copied into the module's
// memory in 64 KiB slices first. A plain JavaScript version (same result, about 20x slower) is
// used where WebAssembly SIMD is missing.
import { T, assemble, op, type ValType, type WasmFunction } from './wasm';

export const RAM_DIGEST_BYTES = 160;
/** Bytes per slice copied into the module's memory; the data length must be a multiple of 64. */
const SLICE = 64 * 1024;
/**
 * Three sets of 160 bytes of accumulators (slot k at 256 k): slot 0 for digests taken in one go
 * (a save), slots 1 and 2 for a load that keeps one record's digest open while the next starts.
 */
const STATE_BYTES = 256;
const SCRATCH = 3 * STATE_BYTES;

// ---- the WebAssembly module ---------------------------------------------------------------------

// hash(ptr, end, state): process [ptr, end) (a multiple of 64 bytes) into the accumulators at state:
// a[0..3] as two i64x2 at 0 and 16, then c[0..15] as eight i64x2 at 32 + 16j holding c[2j] and
// c[2j+1] (vector k of each 64-byte block, k = 0..3, updates c[4k..4k+3]).
// hashZero(ptr, end, state, z) -> i32: the same, and in the same loop ORs together the bytes of
// [z, z + (end - ptr)): returns 1 when they are all zero. One pass that hashes RAM already in cache
// while it pulls in the next RAM to be tested (the test no longer costs a pass of its own).
interface Locals {
  P: number;
  E: number;
  S: number;
  /** hashZero only: the pointer of the range tested for zero, and its OR accumulator. */
  Z?: number;
  ZA?: number;
  A0: number;
  A1: number;
  C: number;
  LO: number;
  HI: number;
}
const HASH_LOCALS: Locals = { P: 0, E: 1, S: 2, A0: 3, A1: 4, C: 5, LO: 13, HI: 14 };
const HASH_ZERO_LOCALS: Locals = { P: 0, E: 1, S: 2, Z: 3, A0: 4, A1: 5, C: 6, LO: 14, HI: 15, ZA: 16 };
function step(k: number, l: Locals): number[] {
  const { P, A0, A1, LO, HI } = l;
  const c0 = l.C + 2 * k;
  const c1 = c0 + 1;
  return [
    // lo = words 0,1 of vector k widened to u64; hi = words 2,3
    op.localGet(P), op.v128Load(16 * k), op.localTee(HI), op.i64x2ExtendLowI32x4U(), op.localSet(LO),
    op.localGet(HI), op.i64x2ExtendHighI32x4U(), op.localSet(HI),
    // a += w
    op.localGet(A0), op.localGet(LO), op.i64x2Add(), op.localSet(A0),
    op.localGet(A1), op.localGet(HI), op.i64x2Add(), op.localSet(A1),
    // c = (c << 5) + (c + w) = c * 33 + w
    op.localGet(c0), op.i32Const(5), op.i64x2Shl(), op.localGet(c0), op.localGet(LO), op.i64x2Add(), op.i64x2Add(), op.localSet(c0),
    op.localGet(c1), op.i32Const(5), op.i64x2Shl(), op.localGet(c1), op.localGet(HI), op.i64x2Add(), op.i64x2Add(), op.localSet(c1),
    // the zero test of the other range: za |= z[16k, 16k + 16)
    ...(l.Z === undefined ? [] : [op.localGet(l.ZA!), op.localGet(l.Z), op.v128Load(16 * k), op.v128Or(), op.localSet(l.ZA!)]),
  ].flat();
}
function hashFunction(name: string, l: Locals): WasmFunction {
  const acc = [l.A0, l.A1, ...Array.from({ length: 8 }, (_, j) => l.C + j)]; // local of the i64x2 at state + 16 * index
  const zero = l.Z !== undefined;
  return {
    name,
    params: zero ? [T.i32, T.i32, T.i32, T.i32] : [T.i32, T.i32, T.i32],
    results: zero ? [T.i32] : [],
    locals: Array<ValType>(zero ? 13 : 12).fill(T.v128),
    body: [
      ...acc.map((local, i) => [...op.localGet(l.S), ...op.v128Load(16 * i), ...op.localSet(local)]),
      op.block(),
      op.localGet(l.P), op.localGet(l.E), op.i32LtU(), op.i32Eqz(), op.brIf(0),
      op.loop(),
      step(0, l), step(1, l), step(2, l), step(3, l),
      zero ? [...op.localGet(l.Z!), ...op.i32Const(64), ...op.i32Add(), ...op.localSet(l.Z!)] : [],
      op.localGet(l.P), op.i32Const(64), op.i32Add(), op.localTee(l.P), op.localGet(l.E), op.i32LtU(), op.brIf(0),
      op.end(),
      op.end(),
      ...acc.map((local, i) => [...op.localGet(l.S), ...op.localGet(local), ...op.v128Store(16 * i)]),
      zero ? [...op.localGet(l.ZA!), ...op.v128AnyTrue(), ...op.i32Eqz()] : [],
    ],
  };
}
const HASH = hashFunction('hash', HASH_LOCALS);
const HASH_ZERO = hashFunction('hashZero', HASH_ZERO_LOCALS);

// zero(ptr, end) -> 1 when [ptr, end) (a multiple of 64 bytes) is all zero bytes, else 0 (it stops
// at the first 64-byte block holding a set bit).
const ZERO: WasmFunction = {
  name: 'zero',
  params: [T.i32, T.i32],
  results: [T.i32],
  locals: [],
  body: [
    op.block(),
    op.loop(),
    op.localGet(0), op.localGet(1), op.i32LtU(), op.i32Eqz(), op.brIf(1),
    op.localGet(0), op.v128Load(0), op.localGet(0), op.v128Load(16), op.v128Or(),
    op.localGet(0), op.v128Load(32), op.v128Or(), op.localGet(0), op.v128Load(48), op.v128Or(),
    op.v128AnyTrue(), op.if(), op.i32Const(0), op.return(), op.end(),
    op.localGet(0), op.i32Const(64), op.i32Add(), op.localSet(0),
    op.br(0),
    op.end(),
    op.end(),
    op.i32Const(1),
  ],
};

/** The module's bytes (2 pages of memory: the state, then one 64 KiB slice). */
export function ramDigestModule(): Uint8Array {
  return assemble(2, [HASH, ZERO]);
}

/** The same functions on an imported memory (guest RAM made by `allocateRam`). */
export function ramDigestModuleImported(): Uint8Array {
  return assemble({ importMin: 2 }, [HASH, ZERO, HASH_ZERO]);
}

/** The part of the WebAssembly JS API used here (the package's TypeScript lib has no DOM types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (desc: { initial: number; maximum?: number }) => { buffer: ArrayBuffer };
}
interface WasmExports {
  hash: (ptr: number, end: number, state: number) => void;
  zero: (ptr: number, end: number) => number;
  /** In the module on imported memory only. */
  hashZero?: (ptr: number, end: number, state: number, z: number) => number;
  memory: { buffer: ArrayBuffer };
}

interface Backend {
  reset(): void;
  /** Add data[start, end); (end - start) a multiple of 64. */
  add(data: Uint8Array, start: number, end: number): void;
  /** Write the 160-byte digest. */
  result(out: Uint8Array, at: number): void;
}

class WasmBackend implements Backend {
  private readonly hash: (ptr: number, end: number, state: number) => void;
  private readonly zero: (ptr: number, end: number) => number;
  private readonly hz: (ptr: number, end: number, state: number, z: number) => number;
  private readonly mem: Uint8Array;
  private readonly buffer: ArrayBuffer;
  constructor(ex: WasmExports, buffer: ArrayBuffer = ex.memory.buffer) {
    this.hash = ex.hash;
    this.zero = ex.zero;
    this.hz = ex.hashZero ?? (() => {
      throw new Error('hashZero exists only in the module bound to guest RAM');
    });
    this.buffer = buffer;
    this.mem = new Uint8Array(buffer);
  }
  reset(slot = 0): void {
    this.mem.fill(0, slot * STATE_BYTES, slot * STATE_BYTES + RAM_DIGEST_BYTES);
  }
  /** Whether data[start, end) is all zero bytes; `data` must lie in this module's memory, the length a multiple of 64. */
  isZero(data: Uint8Array, start: number, end: number): boolean {
    return this.zero(data.byteOffset + start, data.byteOffset + end) === 1;
  }
  add(data: Uint8Array, start: number, end: number, slot = 0): void {
    const state = slot * STATE_BYTES;
    if (data.buffer === this.buffer) {
      this.hash(data.byteOffset + start, data.byteOffset + end, state);
      return;
    }
    const mem = this.mem;
    for (let o = start; o < end; o += SLICE) {
      const n = Math.min(SLICE, end - o);
      mem.set(data.subarray(o, o + n), SCRATCH);
      this.hash(SCRATCH, SCRATCH + n, state);
    }
  }
  hashAndTestZero(data: Uint8Array, start: number, end: number, slot: number, zeroAt: number): boolean {
    const base = data.byteOffset;
    return this.hz(base + start, base + end, slot * STATE_BYTES, base + zeroAt) === 1;
  }
  result(out: Uint8Array, at: number, slot = 0): void {
    out.set(this.mem.subarray(slot * STATE_BYTES, slot * STATE_BYTES + RAM_DIGEST_BYTES), at);
  }
}

const TWO32 = 4294967296;

/** The same digest in plain JavaScript: each u64 as two u32 halves held in doubles. */
export class JsBackend implements Backend {
  private readonly aLo = new Float64Array(4);
  private readonly aHi = new Float64Array(4);
  private readonly cLo = new Float64Array(16);
  private readonly cHi = new Float64Array(16);
  reset(): void {
    this.aLo.fill(0);
    this.aHi.fill(0);
    this.cLo.fill(0);
    this.cHi.fill(0);
  }
  add(data: Uint8Array, start: number, end: number): void {
    const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const { aLo, aHi, cLo, cHi } = this;
    for (let i = start, m = 0; i < end; i += 4, m = (m + 1) & 15) {
      const w = v.getUint32(i, true);
      const l = m & 3;
      let lo = aLo[l]! + w;
      if (lo >= TWO32) {
        lo -= TWO32;
        aHi[l] = (aHi[l]! + 1) >>> 0;
      }
      aLo[l] = lo;
      const cl = cLo[m]! * 33 + w; // < 2^38: exact
      const carry = Math.floor(cl / TWO32);
      cLo[m] = cl - carry * TWO32;
      cHi[m] = (cHi[m]! * 33 + carry) % TWO32;
    }
  }
  result(out: Uint8Array, at: number): void {
    const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
    for (let l = 0; l < 4; l++) {
      v.setUint32(at + l * 8, this.aLo[l]!, true);
      v.setUint32(at + l * 8 + 4, this.aHi[l]!, true);
    }
    for (let m = 0; m < 16; m++) {
      v.setUint32(at + 32 + m * 8, this.cLo[m]!, true);
      v.setUint32(at + 32 + m * 8 + 4, this.cHi[m]!, true);
    }
  }
}

function createBackend(): Backend {
  try {
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    const bytes = ramDigestModule();
    if (wasm && wasm.validate(bytes)) return new WasmBackend(new wasm.Instance(new wasm.Module(bytes)).exports as unknown as WasmExports);
  } catch {
    /* no WebAssembly (or no SIMD, or compilation refused by a content security policy) */
  }
  return new JsBackend();
}

let backend: Backend | null = null;
const be = (): Backend => (backend ??= createBackend());

// ---- guest RAM inside WebAssembly memory ----------------------------------------------------------

/** Where guest RAM starts in a memory made by `allocateRam`: after the state page and the slice page. */
const RAM_BASE = 2 * SLICE;
const WASM_PAGE = 65536;
/** Digest modules bound to the memories `allocateRam` made, by the memory's buffer. */
const bound = new WeakMap<ArrayBuffer, WasmBackend>();
let importedModule: object | null | undefined;

/** Options of `allocateRam`. */
export interface AllocateRamOptions {
  /**
   * Write every page once now (zeros), so that the system backs all of the RAM with memory at
   * allocation instead of at each page's first use. A load into the RAM then never pays a page's
   * first touch, and pays it only once: without this, its zero test reads a page the system has
   * not backed yet (which maps the shared zero page) and its write then replaces that mapping, two
   * faults where a plain write takes one (measured: a 16 MiB load into fresh RAM 26 to 31 ms,
   * into committed RAM 4 to 8 ms after 9 to 12 ms of committing). The cost: the whole size is
   * resident from the start (about 9 ms per 16 MiB here), where untouched RAM would cost nothing.
   */
  readonly commit?: boolean;
}

/**
 * Allocate zeroed guest RAM of `size` bytes inside a WebAssembly memory, with a RAM digest module
 * bound to it: saving reads the RAM in place instead of copying it into the digest's memory, and
 * loading into RAM that is still zero writes each page once and checks it in place (see
 * `loadMachine`). The result is an ordinary Uint8Array (never grown, never detached). Where
 * WebAssembly SIMD is missing, or the memory cannot be had, a plain `new Uint8Array(size)`.
 */
export function allocateRam(size: number, options: AllocateRamOptions = {}): Uint8Array {
  const ram = allocate(size);
  if (options.commit === true) ram.fill(0);
  return ram;
}

function allocate(size: number): Uint8Array {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`RAM size must be a non-negative integer, got ${String(size)}`);
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  const pages = Math.ceil((RAM_BASE + size) / WASM_PAGE);
  if (!wasm || !(be() instanceof WasmBackend) || size === 0 || pages > 65536) return new Uint8Array(size);
  try {
    importedModule ??= new wasm.Module(ramDigestModuleImported());
    const memory = new wasm.Memory({ initial: pages, maximum: pages });
    const inst = new wasm.Instance(importedModule, { env: { memory } });
    const buffer = memory.buffer;
    bound.set(buffer, new WasmBackend(inst.exports as unknown as WasmExports, buffer));
    return new Uint8Array(buffer, RAM_BASE, size);
  } catch {
    return new Uint8Array(size); // out of memory for a WebAssembly memory: a plain array still works
  }
}

/** The digest bound to the memory holding `ram`, when `allocateRam` made it. */
export function boundDigest(ram: Uint8Array): BoundDigest | undefined {
  return ram.byteOffset >= RAM_BASE ? bound.get(ram.buffer as ArrayBuffer) : undefined;
}

/**
 * A digest bound to one guest RAM (from `allocateRam`): `reset`, `add` and `result` work as
 * `ramDigestState`'s begin, add and end, reading that RAM in place (other data through its slice); `isZero` checks RAM
 * in place. Its state is its own, not shared with `ramDigestState`, and has three slots: 0, the
 * default, for a digest taken in one synchronous stretch (a save), 1 and 2 for a load, where one
 * record's digest can still take data while the next one's starts.
 */
export interface BoundDigest {
  isZero(data: Uint8Array, start: number, end: number): boolean;
  reset(slot?: number): void;
  add(data: Uint8Array, start: number, end: number, slot?: number): void;
  /**
   * Add data[start, end) (in the bound memory) to the digest in `slot` and, in the same pass, test
   * whether data[zeroAt, zeroAt + end - start) is all zero bytes (the two ranges may be anywhere).
   */
  hashAndTestZero(data: Uint8Array, start: number, end: number, slot: number, zeroAt: number): boolean;
  result(out: Uint8Array, at: number, slot?: number): void;
}

/** The digest to use over `ram`: its bound one (in place) or the shared one (`ramDigestState`). */
export function digestFor(ram: Uint8Array): Pick<BoundDigest, 'reset' | 'add' | 'result'> {
  return boundDigest(ram) ?? be();
}

/** Whether `ram` was made by `allocateRam` with a bound digest (saves and loads then read it in place). */
export function isWasmRam(ram: Uint8Array): boolean {
  return boundDigest(ram) !== undefined;
}

/** Which implementation computes digests here: 'wasm-simd' or 'js'. */
export function ramDigestBackend(): 'wasm-simd' | 'js' {
  return be() instanceof WasmBackend ? 'wasm-simd' : 'js';
}

/**
 * Incremental digest over several ranges. The state is shared: call `begin`, the `add`s and
 * `end` in one synchronous stretch (no await in between).
 */
export const ramDigestState = {
  begin(): void {
    be().reset();
  },
  /** Add bytes[start, end); the length must be a multiple of 64 (any page size is). */
  add(bytes: Uint8Array, start: number, end: number): void {
    if (((end - start) & 63) !== 0) throw new RangeError(`RAM digest input must be a multiple of 64 bytes, got ${end - start}`);
    be().add(bytes, start, end);
  },
  end(out: Uint8Array, at = 0): void {
    be().result(out, at);
  },
};

/** The 160-byte RAM digest of bytes[start, end) (a multiple of 64 bytes). */
export function ramDigest(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  const out = new Uint8Array(RAM_DIGEST_BYTES);
  ramDigestState.begin();
  ramDigestState.add(bytes, start, end);
  ramDigestState.end(out);
  return out;
}
