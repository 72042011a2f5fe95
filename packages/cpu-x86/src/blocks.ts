// The translated-code cache: blocks of guest code compiled to JavaScript functions
// (translate.ts), found by physical address, dropped when their bytes are written.
//
// Invalidation goes through the memory space's write watch: every page a block was read from
// is watched, so each write to it (by this CPU, a DMA controller, a device, a loader that
// calls markDirty, a remap) is reported, and the blocks covering the written bytes go. The
// processor's own translated code never writes a watched page (it leaves the block and the
// interpreter writes through the space), so a block never runs on after its bytes changed.
import { PageKind, type MemorySpace } from '@backplane/bus';
import type { X86Cpu } from './Cpu';
import { PARITY } from './Cpu';
import { dispatch, shift } from './ops';
import { translate } from './translate';

export type BlockFn = (c: X86Cpu) => number;

/** One translated block (or, with `fn` null, a start address the interpreter keeps). */
export class Block {
  constructor(
    /** Physical address, IP and CS base it was translated for. */
    readonly pa: number,
    readonly ip: number,
    readonly base: number,
    /** Instructions of its longest pass: it runs only with at least this many left in the slice. */
    readonly n: number,
    readonly fn: BlockFn | null,
    /** Physical bytes it was made from: [lo, hi). */
    readonly lo: number,
    readonly hi: number,
    /** One past its highest linear address. */
    readonly linHi: number,
  ) {}
}

const TABLE_BITS = 14;
export const TABLE_MASK = (1 << TABLE_BITS) - 1;
/**
 * Reach counters: one per slot, tagged with the physical address it counts (a 64 KiB
 * window of code has a counter per address; an address from elsewhere that lands on a taken
 * slot starts it over, so counts are never pooled between addresses).
 */
const HIT_BITS = 16;
const HIT_MASK = (1 << HIT_BITS) - 1;
/**
 * How much more an arrival by a jump back (a loop) counts than one by falling through or
 * jumping forward. A new block is expensive: making and compiling its function costs about
 * as much as interpreting 100 000 instructions, and the engine runs a function that does not
 * loop at bytecode speed (several times slower than the interpreter) for its first thousands
 * of calls. A block that loops inside itself is compiled for speed during its first call, so
 * a loop head is translated after `threshold` passes; straight-line code (a start reached by
 * falling through, as in code run once per pass of an outer loop or a program running astray
 * through zeroed memory) only after `threshold * LOOP_WEIGHT` passes.
 */
export const LOOP_WEIGHT = 64;
/** Reach count of an address whose block is held (the map is looked up when the table misses). */
const HELD = 0xffffffff;
const PAGE = 0x1000;
/** Blocks at or above this linear address depend on the A20 gate. */
const HMA = 0x100000;
/** A page whose code was overwritten this many times waits longer before translation again. */
const PENALTY_MAX = 8;
/** A safety bound: past this many blocks the cache starts over. */
const MAX_BLOCKS = 50_000;

interface CodePage {
  readonly blocks: Set<Block>;
  /** Per byte: how many blocks were made from it. */
  readonly cover: Uint16Array;
}

/** Helpers the generated code calls (made at first use: the modules import each other). */
interface Helpers {
  readonly PARITY: Uint8Array;
  readonly shift: typeof shift;
  readonly dispatch: typeof dispatch;
}
let helpers: Helpers | undefined;

export interface CodeCacheOptions {
  /** Times a start address is reached by a jump back before it is translated (otherwise `LOOP_WEIGHT` times more). */
  readonly threshold: number;
  /** Most instructions per block. */
  readonly maxInstructions: number;
}

export class CodeCache {
  /** Direct-mapped by physical address: the run loop's first look. */
  readonly table: (Block | undefined)[] = new Array<Block | undefined>(TABLE_MASK + 1).fill(undefined);
  private readonly byPa = new Map<number, Block>();
  private readonly hits = new Uint32Array(HIT_MASK + 1);
  private readonly hitPa = new Int32Array(HIT_MASK + 1).fill(-1);
  private readonly pages = new Map<number, CodePage>();
  private readonly high = new Set<Block>();
  private readonly penalty = new Map<number, number>();
  private readonly unsubscribe: () => void;
  /** Per page: 1 while this cache watches it and it is RAM (see `store8`). */
  readonly watch: Uint8Array;
  /** Set when a write dropped blocks; translated code that stored to a watched page checks it. */
  hit = 0;
  threshold: number;
  maxInstructions: number;
  /** Blocks translated since the cache was made (for tests and benchmarks). */
  translated = 0;

  constructor(
    private readonly cpu: X86Cpu,
    private readonly memory: MemorySpace,
    options: CodeCacheOptions,
  ) {
    this.threshold = options.threshold;
    this.maxInstructions = options.maxInstructions;
    this.watch = new Uint8Array(memory.direct.length);
    this.unsubscribe = memory.onWatchedWrite((address, length) => this.written(address, length));
  }

  /** Number of blocks held (translated or kept for the interpreter). */
  get size(): number {
    return this.byPa.size;
  }

  dispose(): void {
    this.clear();
    this.unsubscribe();
  }

  /**
   * The block for CS base `base`, IP `ip` at physical `pa` when the table missed: from the
   * map, or translated once the address has been reached often enough (`back`: reached by a
   * jump back, see `LOOP_WEIGHT`); undefined meanwhile.
   */
  miss(pa: number, ip: number, base: number, back: boolean): Block | undefined {
    const h = pa & HIT_MASK;
    const count = this.hits[h]!;
    const need = this.threshold * LOOP_WEIGHT;
    if (this.hitPa[h] === pa) {
      // Counting (no block here yet, or one dropped since): the common case of code interpreted.
      if (count < need) {
        this.hits[h] = count + (back ? LOOP_WEIGHT : 1);
        return undefined;
      }
    } else {
      this.hitPa[h] = pa;
      this.hits[h] = 0;
    }
    const known = this.byPa.get(pa);
    if (known !== undefined && known.ip === ip && known.base === base) {
      this.table[pa & TABLE_MASK] = known;
      this.hits[h] = HELD;
      return known;
    }
    const n = this.hits[h]!;
    const penalty = this.penalty.size > 0 ? (this.penalty.get(pa >>> 12) ?? 0) : 0;
    if (n < (penalty === 0 ? need : (Math.max(this.threshold, 2) << penalty) * LOOP_WEIGHT)) {
      this.hits[h] = n + (back ? LOOP_WEIGHT : 1);
      return undefined;
    }
    return this.translate(pa, ip, base);
  }

  private translate(pa: number, ip: number, base: number): Block {
    const c = this.cpu;
    if (this.byPa.size >= MAX_BLOCKS) this.clear();
    const t = translate({ ram: this.memory.ram, direct: this.memory.direct, amask: c.amask, base, ip, model: c.m, maxInstructions: this.maxInstructions });
    let b: Block;
    if (t === undefined) b = new Block(pa, ip, base, 0, null, pa, pa + 1, base + ip + 1);
    else {
      const factory = new Function('h', 'c0', `"use strict"; const { PARITY, shift, dispatch } = h; const r16 = c0.r16, ram = c0.ram, direct = c0.direct, dirty = c0.dirty, sbase = c0.sbase, code = c0.code;\nreturn function block_${pa.toString(16)}_${ip.toString(16)}(c) {\n${t.body}\n};`) as (h: Helpers, c0: X86Cpu) => BlockFn;
      helpers ??= { PARITY, shift, dispatch };
      b = new Block(pa, ip, base, t.n, factory(helpers, c), t.lo, t.hi, t.linHi);
      this.translated++;
    }
    this.install(b);
    return b;
  }

  private install(b: Block): void {
    const old = this.byPa.get(b.pa);
    if (old !== undefined) this.remove(old);
    this.byPa.set(b.pa, b);
    this.table[b.pa & TABLE_MASK] = b;
    this.hitPa[b.pa & HIT_MASK] = b.pa;
    this.hits[b.pa & HIT_MASK] = HELD;
    if (b.linHi > HMA) this.high.add(b);
    for (let p = b.lo >>> 12; p <= (b.hi - 1) >>> 12; p++) {
      let page = this.pages.get(p);
      if (page === undefined) {
        page = { blocks: new Set(), cover: new Uint16Array(PAGE) };
        this.pages.set(p, page);
        this.memory.watchWrites(p);
        if (this.memory.kindAt(p * PAGE) === PageKind.Ram) this.watch[p] = 1;
      }
      page.blocks.add(b);
      const from = Math.max(b.lo, p * PAGE) - p * PAGE;
      const to = Math.min(b.hi, (p + 1) * PAGE) - p * PAGE;
      for (let i = from; i < to; i++) page.cover[i]!++;
    }
  }

  private remove(b: Block): void {
    if (this.byPa.get(b.pa) === b) this.byPa.delete(b.pa);
    if (this.table[b.pa & TABLE_MASK] === b) this.table[b.pa & TABLE_MASK] = undefined;
    this.high.delete(b);
    for (let p = b.lo >>> 12; p <= (b.hi - 1) >>> 12; p++) {
      const page = this.pages.get(p);
      if (page === undefined || !page.blocks.delete(b)) continue;
      const from = Math.max(b.lo, p * PAGE) - p * PAGE;
      const to = Math.min(b.hi, (p + 1) * PAGE) - p * PAGE;
      for (let i = from; i < to; i++) page.cover[i]!--;
      if (page.blocks.size === 0) {
        this.pages.delete(p);
        this.watch[p] = 0;
        this.memory.unwatchWrites(p);
      }
    }
  }

  /** Bytes [address, address + length) were written: drop the blocks made from them. */
  private written(address: number, length: number): void {
    const end = address + length;
    for (let p = address >>> 12; p <= (end - 1) >>> 12; p++) {
      const page = this.pages.get(p);
      if (page === undefined) {
        // A remap ends the watch; a page no longer held must not stay watched.
        continue;
      }
      const from = Math.max(address, p * PAGE) - p * PAGE;
      const to = Math.min(end, (p + 1) * PAGE) - p * PAGE;
      let hit = false;
      for (let i = from; i < to; i++) {
        if (page.cover[i] !== 0) {
          hit = true;
          break;
        }
      }
      if (!hit) continue;
      for (const b of [...page.blocks]) {
        if (b.lo < end && b.hi > address) {
          this.remove(b);
          if (this.hitPa[b.pa & HIT_MASK] === b.pa) this.hits[b.pa & HIT_MASK] = 0;
          this.hit = 1;
        }
      }
      this.penalty.set(p, Math.min(PENALTY_MAX, (this.penalty.get(p) ?? 0) + 1));
    }
  }

  /**
   * A byte store to physical `a` in a RAM page this cache watches (`watch[a >>> 12]`): when
   * it lands on bytes blocks were made from, or another watcher wants the report, it goes
   * through the memory space (reported; blocks dropped, `hit` set); otherwise straight into
   * RAM, dirty page marked, as a store to an unwatched page.
   */
  store8(a: number, v: number): void {
    const p = a >>> 12;
    const page = this.pages.get(p);
    if (page === undefined || page.cover[a & 0xfff] !== 0 || this.memory.watchCount(p) !== 1) {
      this.memory.write8(a, v);
      return;
    }
    this.memory.ram[a] = v;
    this.memory.dirty[p] = 1;
  }

  /** A word store inside one watched RAM page (`a & 0xFFF` below 0xFFF), as `store8`. */
  store16(a: number, v: number): void {
    const p = a >>> 12;
    const page = this.pages.get(p);
    if (page === undefined || page.cover[a & 0xfff] !== 0 || page.cover[(a & 0xfff) + 1] !== 0 || this.memory.watchCount(p) !== 1) {
      this.memory.write8(a, v & 0xff);
      this.memory.write8(a + 1, (v >>> 8) & 0xff);
      return;
    }
    this.memory.ram[a] = v;
    this.memory.ram[a + 1] = v >>> 8;
    this.memory.dirty[p] = 1;
  }

  /** The A20 gate changed: blocks reaching 1 MiB were read through the old address mask. */
  a20Changed(): void {
    for (const b of [...this.high]) this.remove(b);
  }

  /** Forget every block (reset, state load). */
  clear(): void {
    this.hits.fill(0);
    this.hitPa.fill(-1);
    if (this.byPa.size === 0 && this.pages.size === 0) return;
    for (const p of this.pages.keys()) {
      this.watch[p] = 0;
      this.memory.unwatchWrites(p);
    }
    this.pages.clear();
    this.byPa.clear();
    this.high.clear();
    this.penalty.clear();
    this.table.fill(undefined);
  }
}
