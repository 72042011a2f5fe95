// The RAM digest of stream format 2: the check over the page data of a RAM record (the record's
// head, page table and the digest itself stay under the frame's CRC-32C).
//
// Definition. The data is read as 32-bit little-endian words w[0..n), n a multiple of 4; word i
// belongs to lane L = i mod 4. Per lane, two 64-bit accumulators (mod 2^64), both starting at 0:
//   a[L] = a[L] + w          (a plain sum: exact, it cannot wrap for the 2^26 words of the largest record)
//   c[L] = c[L] * 33 + w     (a polynomial in 33 over the lane's words, in order)
// The digest is a[0..3] then c[0..3], eight u64 little-endian: 64 bytes.
//
// What it detects, for certain (proof in docs/stream-format.md): every change that alters at most
// two words of each lane in one record's data, so every 1- and 2-bit error, every burst of up to
// 225 bits (8 consecutive words), any change of one or two words. Beyond that (pages swapped or
// duplicated inside a record, larger damage) a change goes unseen only if it is a multiple of
// 2^64 in both the lane sums and the base-33 polynomials of every lane: position matters (a
// reordering changes c), so swapped pages are caught unless their data are equal.
//
// Speed: a WebAssembly SIMD loop (4 lanes per 16 bytes, 64 bytes per iteration), hand-written
// below with the encoder of ./wasm; the data is copied into the module's memory in 64 KiB
// slices first (the copy is from cache-hot or soon-written memory, cheaper than the hash). A
// plain JavaScript version (same result, 20x slower) is used where WebAssembly SIMD is missing.
import { T, assemble, op, type WasmFunction } from './wasm';

export const RAM_DIGEST_BYTES = 64;
/** Bytes per slice copied into the module's memory; the data length must be a multiple of 64. */
const SLICE = 64 * 1024;
const STATE = 0; // 64 bytes of accumulators
const SCRATCH = 64;

// ---- the WebAssembly module ---------------------------------------------------------------------

// hash(ptr, end, state): process [ptr, end) (a multiple of 64 bytes) into the accumulators at state.
const P = 0, E = 1, S = 2, A0 = 3, A1 = 4, C0 = 5, C1 = 6, LO = 7, HI = 8;
function step(offset: number): number[] {
  return [
    // lo = words 0,1 widened to u64; hi = words 2,3
    op.localGet(P), op.v128Load(offset), op.localTee(HI), op.i64x2ExtendLowI32x4U(), op.localSet(LO),
    op.localGet(HI), op.i64x2ExtendHighI32x4U(), op.localSet(HI),
    // a += w
    op.localGet(A0), op.localGet(LO), op.i64x2Add(), op.localSet(A0),
    op.localGet(A1), op.localGet(HI), op.i64x2Add(), op.localSet(A1),
    // c = (c << 5) + (c + w) = c * 33 + w
    op.localGet(C0), op.i32Const(5), op.i64x2Shl(), op.localGet(C0), op.localGet(LO), op.i64x2Add(), op.i64x2Add(), op.localSet(C0),
    op.localGet(C1), op.i32Const(5), op.i64x2Shl(), op.localGet(C1), op.localGet(HI), op.i64x2Add(), op.i64x2Add(), op.localSet(C1),
  ].flat();
}
const HASH: WasmFunction = {
  name: 'hash',
  params: [T.i32, T.i32, T.i32],
  results: [],
  locals: [T.v128, T.v128, T.v128, T.v128, T.v128, T.v128],
  body: [
    op.localGet(S), op.v128Load(0), op.localSet(A0),
    op.localGet(S), op.v128Load(16), op.localSet(A1),
    op.localGet(S), op.v128Load(32), op.localSet(C0),
    op.localGet(S), op.v128Load(48), op.localSet(C1),
    op.block(),
    op.localGet(P), op.localGet(E), op.i32LtU(), op.i32Eqz(), op.brIf(0),
    op.loop(),
    step(0), step(16), step(32), step(48),
    op.localGet(P), op.i32Const(64), op.i32Add(), op.localTee(P), op.localGet(E), op.i32LtU(), op.brIf(0),
    op.end(),
    op.end(),
    op.localGet(S), op.localGet(A0), op.v128Store(0),
    op.localGet(S), op.localGet(A1), op.v128Store(16),
    op.localGet(S), op.localGet(C0), op.v128Store(32),
    op.localGet(S), op.localGet(C1), op.v128Store(48),
  ],
};

/** The module's bytes (2 pages of memory: the state, then one 64 KiB slice). */
export function ramDigestModule(): Uint8Array {
  return assemble(2, [HASH]);
}

/** The part of the WebAssembly JS API used here (the package's TypeScript lib has no DOM types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}
interface WasmExports {
  hash: (ptr: number, end: number, state: number) => void;
  memory: { buffer: ArrayBuffer };
}

interface Backend {
  reset(): void;
  /** Add data[start, end); (end - start) a multiple of 64. */
  add(data: Uint8Array, start: number, end: number): void;
  /** Write the 64-byte digest. */
  result(out: Uint8Array, at: number): void;
}

class WasmBackend implements Backend {
  private readonly hash: (ptr: number, end: number, state: number) => void;
  private readonly mem: Uint8Array;
  constructor(ex: WasmExports) {
    this.hash = ex.hash;
    this.mem = new Uint8Array(ex.memory.buffer);
  }
  reset(): void {
    this.mem.fill(0, STATE, STATE + RAM_DIGEST_BYTES);
  }
  add(data: Uint8Array, start: number, end: number): void {
    const mem = this.mem;
    for (let o = start; o < end; o += SLICE) {
      const n = Math.min(SLICE, end - o);
      mem.set(data.subarray(o, o + n), SCRATCH);
      this.hash(SCRATCH, SCRATCH + n, STATE);
    }
  }
  result(out: Uint8Array, at: number): void {
    out.set(this.mem.subarray(STATE, STATE + RAM_DIGEST_BYTES), at);
  }
}

const TWO32 = 4294967296;

/** The same digest in plain JavaScript: each u64 as two u32 halves held in doubles. */
export class JsBackend implements Backend {
  private readonly aLo = new Float64Array(4);
  private readonly aHi = new Float64Array(4);
  private readonly cLo = new Float64Array(4);
  private readonly cHi = new Float64Array(4);
  reset(): void {
    this.aLo.fill(0);
    this.aHi.fill(0);
    this.cLo.fill(0);
    this.cHi.fill(0);
  }
  add(data: Uint8Array, start: number, end: number): void {
    const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const { aLo, aHi, cLo, cHi } = this;
    for (let i = start, l = 0; i < end; i += 4, l = (l + 1) & 3) {
      const w = v.getUint32(i, true);
      let lo = aLo[l]! + w;
      if (lo >= TWO32) {
        lo -= TWO32;
        aHi[l] = (aHi[l]! + 1) >>> 0;
      }
      aLo[l] = lo;
      const cl = cLo[l]! * 33 + w; // < 2^38: exact
      const carry = Math.floor(cl / TWO32);
      cLo[l] = cl - carry * TWO32;
      cHi[l] = (cHi[l]! * 33 + carry) % TWO32;
    }
  }
  result(out: Uint8Array, at: number): void {
    const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
    for (let l = 0; l < 4; l++) {
      v.setUint32(at + l * 8, this.aLo[l]!, true);
      v.setUint32(at + l * 8 + 4, this.aHi[l]!, true);
      v.setUint32(at + 32 + l * 8, this.cLo[l]!, true);
      v.setUint32(at + 32 + l * 8 + 4, this.cHi[l]!, true);
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

/** The 64-byte RAM digest of bytes[start, end) (a multiple of 64 bytes). */
export function ramDigest(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  const out = new Uint8Array(RAM_DIGEST_BYTES);
  ramDigestState.begin();
  ramDigestState.add(bytes, start, end);
  ramDigestState.end(out);
  return out;
}
