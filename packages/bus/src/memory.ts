import { BackingStoreError, BusRangeError, MemoryConflictError } from './errors';

/** Memory-mapped I/O handlers; `offset` is the address minus the region's base. */
export interface MmioHandlers {
  read8(offset: number): number;
  write8(offset: number, value: number): void;
  /** Optional wider accesses; without them the bus splits into bytes (little-endian). */
  read16?(offset: number): number;
  write16?(offset: number, value: number): void;
  read32?(offset: number): number;
  write32?(offset: number, value: number): void;
}

/** What occupies a page of the physical address space. */
export const PageKind = { Unmapped: 0, Ram: 1, Rom: 2, Mmio: 3 } as const;
export type PageKind = (typeof PageKind)[keyof typeof PageKind];

/** Page flags in `MemorySpace.direct`: the CPU may read / write `ram` directly. */
export const DIRECT_READ = 1;
export const DIRECT_WRITE = 2;

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;

interface Region {
  readonly owner: string;
  readonly kind: PageKind;
  readonly base: number;
  readonly size: number;
  /** ROM contents when the ROM lies beyond the RAM backing store (e.g. a high BIOS alias). */
  readonly bytes?: Uint8Array;
  readonly mmio?: MmioHandlers;
}

export interface MemoryOptions {
  /**
   * Bytes of backing store, from physical address 0: RAM and ROM that lie below this
   * address live in `ram` (at least 1 MiB: the PC's first megabyte, holes included).
   */
  readonly backingSize: number;
  /** Physical address lines: 20 (8086), 24 (80286) or 32. */
  readonly addressBits?: 20 | 24 | 32;
  /**
   * Makes the backing store (`ram`): called once, with `backingSize`, while the space is
   * constructed. Lets the creator choose where guest RAM lives, e.g. inside a
   * `WebAssembly.Memory` (a machine passes vmstate's `allocateRam`, so saves and loads read
   * and write the RAM in place); the bus itself knows nothing of what it gets. The result
   * must be a plain `Uint8Array` (not a subclass such as Node's `Buffer`, and not on a
   * resizable or growable buffer: either would give the array another shape and make every
   * RAM access site polymorphic) of exactly `size` bytes, zero-filled (the power-on
   * contents; not checked, as that would touch every page), and must stay attached for the
   * space's life (a `WebAssembly.Memory` behind it must not grow). A result that is not such
   * an array, or of another length, is refused with a `BackingStoreError`.
   * Default: `(size) => new Uint8Array(size)`.
   */
  readonly allocate?: (size: number) => Uint8Array;
}

/**
 * The physical memory space: RAM, ROM (writes ignored) and memory-mapped I/O, mapped in
 * 4 KiB pages, with the A20 gate. RAM and ROM below `backingSize` live in one `Uint8Array`
 * (`ram`, made by `allocate` when given) that the CPU may index directly where `direct` allows; every write through the
 * space marks its page dirty (for pre-copy migration).
 */
export class MemorySpace {
  /** The backing store: guest RAM and low ROM, indexed by physical address. */
  readonly ram: Uint8Array;
  /** Per page: DIRECT_READ | DIRECT_WRITE when `ram` may be used directly. */
  readonly direct: Uint8Array;
  /** Per page: 1 when written since the last `takeDirty`. */
  readonly dirty: Uint8Array;
  readonly addressBits: 20 | 24 | 32;
  /** Address mask: the address lines, with A20 masked off while the gate is closed. */
  private mask: number;
  private readonly lineMask: number;
  private readonly kinds: Uint8Array;
  private readonly regionOf: Uint16Array;
  private readonly regions: (Region | undefined)[] = [undefined];
  private a20 = true;
  private readonly a20Listeners = new Set<(enabled: boolean) => void>();
  /** Per page: how many times `watchWrites` asked for reports (see there); 0 = not watched. */
  private readonly watched: Uint16Array;
  private readonly writeWatchers = new Set<(address: number, length: number) => void>();

  constructor(options: MemoryOptions) {
    const bits = options.addressBits ?? 24;
    if (bits !== 20 && bits !== 24 && bits !== 32) throw new BusRangeError(`unsupported address width ${String(bits)}`);
    this.addressBits = bits;
    this.lineMask = bits === 32 ? 0xffffffff : (1 << bits) - 1;
    this.mask = this.lineMask;
    const size = options.backingSize;
    if (!Number.isInteger(size) || size < 0x100000 || size % PAGE_SIZE !== 0 || size - 1 > this.lineMask)
      throw new BusRangeError(`backing size ${size} must be a whole number of 4 KiB pages, at least 1 MiB and within the address lines`);
    this.ram = allocateBacking(options.allocate, size);
    const pages = bits === 32 ? 0x100000 : 1 << (bits - PAGE_SHIFT);
    this.direct = new Uint8Array(pages);
    this.dirty = new Uint8Array(pages);
    this.kinds = new Uint8Array(pages);
    this.regionOf = new Uint16Array(pages);
    this.watched = new Uint16Array(pages);
  }

  /** Whether address line 20 is passed through (true) or forced to 0 (false). */
  get a20Enabled(): boolean {
    return this.a20;
  }

  /** The mask applied to every physical address (A20 and the address lines). */
  get addressMask(): number {
    return this.mask;
  }

  setA20(enabled: boolean): void {
    if (enabled === this.a20) return;
    this.a20 = enabled;
    this.mask = enabled ? this.lineMask : this.lineMask & ~0x100000;
    for (const l of this.a20Listeners) l(enabled);
  }

  /** Be told when the A20 gate changes (a CPU caching the mask). Returns an unsubscribe function. */
  onA20(listener: (enabled: boolean) => void): () => void {
    this.a20Listeners.add(listener);
    return () => this.a20Listeners.delete(listener);
  }

  /**
   * Report every write to page `page` to the write watchers (a CPU that keeps code translated
   * from that page). While watched, the page loses DIRECT_WRITE, so writes reach it only
   * through the space (write8/16/32, writeBytes), which performs them and then reports the
   * address and length; `markDirty` on the page and a remap over it are reported as a write
   * of the whole page (a remap also ends the watch). Reads are unaffected. Watches are
   * counted: each `watchWrites` needs its `unwatchWrites`.
   */
  watchWrites(page: number): void {
    const n = this.watched[page];
    if (n === undefined) throw new BusRangeError(`page 0x${page.toString(16)} lies beyond the address lines`);
    if (n === 0xffff) throw new BusRangeError(`page 0x${page.toString(16)} is watched 65535 times`);
    this.watched[page] = n + 1;
    this.direct[page] = this.direct[page]! & ~DIRECT_WRITE;
  }

  /** Take back one `watchWrites`; at the last, RAM takes the direct path again. */
  unwatchWrites(page: number): void {
    const n = this.watched[page];
    if (!n) return;
    this.watched[page] = n - 1;
    if (n === 1) this.direct[page] = this.directFlags(page);
  }

  /** Whether writes to `page` are being reported. */
  isWatched(page: number): boolean {
    return (this.watched[page] ?? 0) > 0;
  }

  /** How many watches `page` has (a watcher that writes the page itself knows whether others need the report). */
  watchCount(page: number): number {
    return this.watched[page] ?? 0;
  }

  /** Be told of writes to watched pages (after they happened). Returns an unsubscribe function. */
  onWatchedWrite(listener: (address: number, length: number) => void): () => void {
    this.writeWatchers.add(listener);
    return () => this.writeWatchers.delete(listener);
  }

  /** Map RAM from the backing store. */
  mapRam(owner: string, base: number, size: number): void {
    this.checkBacking(owner, base, size);
    this.add({ owner, kind: PageKind.Ram, base, size }, DIRECT_READ | DIRECT_WRITE);
  }

  /**
   * Map a ROM image at `base` (page-aligned; the rest of the last page reads 0xFF).
   * Inside the backing store its bytes are copied there; beyond it they are kept aside.
   */
  mapRom(owner: string, base: number, image: Uint8Array): void {
    const size = roundUp(image.length);
    if (base + size <= this.ram.length) {
      this.checkBacking(owner, base, size);
      this.ram.fill(0xff, base, base + size);
      this.ram.set(image, base);
      this.add({ owner, kind: PageKind.Rom, base, size }, DIRECT_READ);
    } else {
      const bytes = new Uint8Array(size).fill(0xff);
      bytes.set(image);
      this.add({ owner, kind: PageKind.Rom, base, size, bytes }, 0);
    }
  }

  /** Map a memory-mapped I/O window (a video buffer, a device's registers). */
  mapMmio(owner: string, base: number, size: number, handlers: MmioHandlers): void {
    this.add({ owner, kind: PageKind.Mmio, base, size, mmio: handlers }, 0);
  }

  /** Remove whatever `owner` mapped at `base`. */
  unmap(owner: string, base: number): void {
    const page = base >>> PAGE_SHIFT;
    const idx = this.regionOf[page]!;
    const r = this.regions[idx];
    if (!r || r.owner !== owner || r.base !== base) throw new BusRangeError(`${owner} has no region at 0x${base.toString(16)}`);
    for (let p = page; p < page + (r.size >>> PAGE_SHIFT); p++) {
      this.regionOf[p] = 0;
      this.kinds[p] = PageKind.Unmapped;
      this.direct[p] = 0;
    }
    this.regions[idx] = undefined;
    this.remapped(page, page + (r.size >>> PAGE_SHIFT) - 1);
  }

  /** What occupies the page of a physical address. */
  kindAt(address: number): PageKind {
    return this.kinds[(address & this.lineMask) >>> PAGE_SHIFT]! as PageKind;
  }

  read8(address: number): number {
    const a = (address & this.mask) >>> 0;
    if (this.direct[a >>> PAGE_SHIFT]! & DIRECT_READ) return this.ram[a]!;
    return this.slowRead8(a);
  }

  read16(address: number): number {
    const a = (address & this.mask) >>> 0;
    if ((a & (PAGE_SIZE - 1)) !== PAGE_SIZE - 1 && this.direct[a >>> PAGE_SHIFT]! & DIRECT_READ)
      return this.ram[a]! | (this.ram[a + 1]! << 8);
    const m = this.region(a)?.mmio;
    if (m?.read16 && (a & (PAGE_SIZE - 1)) !== PAGE_SIZE - 1) return m.read16(a - this.region(a)!.base) & 0xffff;
    return this.read8(a) | (this.read8(a + 1) << 8);
  }

  read32(address: number): number {
    const a = (address & this.mask) >>> 0;
    if ((a & (PAGE_SIZE - 1)) <= PAGE_SIZE - 4 && this.direct[a >>> PAGE_SHIFT]! & DIRECT_READ) {
      const ram = this.ram;
      return (ram[a]! | (ram[a + 1]! << 8) | (ram[a + 2]! << 16) | (ram[a + 3]! << 24)) >>> 0;
    }
    const r = this.region(a);
    if (r?.mmio?.read32 && (a & (PAGE_SIZE - 1)) <= PAGE_SIZE - 4) return r.mmio.read32(a - r.base) >>> 0;
    return (this.read16(a) | (this.read16(a + 2) << 16)) >>> 0;
  }

  write8(address: number, value: number): void {
    const a = (address & this.mask) >>> 0;
    const page = a >>> PAGE_SHIFT;
    if (this.direct[page]! & DIRECT_WRITE) {
      this.ram[a] = value;
      this.dirty[page] = 1;
      return;
    }
    this.slowWrite8(a, value & 0xff);
  }

  write16(address: number, value: number): void {
    const a = (address & this.mask) >>> 0;
    const page = a >>> PAGE_SHIFT;
    if ((a & (PAGE_SIZE - 1)) !== PAGE_SIZE - 1 && this.direct[page]! & DIRECT_WRITE) {
      this.ram[a] = value;
      this.ram[a + 1] = value >>> 8;
      this.dirty[page] = 1;
      return;
    }
    const r = this.region(a);
    if (r?.mmio?.write16 && (a & (PAGE_SIZE - 1)) !== PAGE_SIZE - 1) return r.mmio.write16(a - r.base, value & 0xffff);
    this.write8(a, value);
    this.write8(a + 1, value >>> 8);
  }

  write32(address: number, value: number): void {
    const a = (address & this.mask) >>> 0;
    const page = a >>> PAGE_SHIFT;
    if ((a & (PAGE_SIZE - 1)) <= PAGE_SIZE - 4 && this.direct[page]! & DIRECT_WRITE) {
      const ram = this.ram;
      ram[a] = value;
      ram[a + 1] = value >>> 8;
      ram[a + 2] = value >>> 16;
      ram[a + 3] = value >>> 24;
      this.dirty[page] = 1;
      return;
    }
    const r = this.region(a);
    if (r?.mmio?.write32 && (a & (PAGE_SIZE - 1)) <= PAGE_SIZE - 4) return r.mmio.write32(a - r.base, value >>> 0);
    this.write16(a, value);
    this.write16(a + 2, value >>> 16);
  }

  /** Copy guest memory into `target` (DMA, loaders), through the same rules as the CPU. */
  readBytes(address: number, target: Uint8Array, start = 0, length = target.length - start): void {
    for (let i = 0; i < length; i++) target[start + i] = this.read8(address + i);
  }

  /** Copy `source` into guest memory (DMA, loaders); ROM ignores it, MMIO sees each byte. */
  writeBytes(address: number, source: Uint8Array, start = 0, length = source.length - start): void {
    for (let i = 0; i < length; i++) this.write8(address + i, source[start + i]!);
  }

  /** Page numbers written since the last call, in order; clears the marks. */
  takeDirty(): number[] {
    const out: number[] = [];
    const d = this.dirty;
    for (let p = 0; p < d.length; p++) {
      if (d[p]) {
        out.push(p);
        d[p] = 0;
      }
    }
    return out;
  }

  /**
   * Mark a page dirty: whoever writes `ram` directly (a CPU, a DMA controller, a loader) calls
   * this for each page it wrote, so migration and the write watchers see the change.
   */
  markDirty(address: number): void {
    const page = (address & this.lineMask) >>> PAGE_SHIFT;
    this.dirty[page] = 1;
    if (this.watched[page]) this.reportWrite(page << PAGE_SHIFT, PAGE_SIZE);
  }

  private region(a: number): Region | undefined {
    return this.regions[this.regionOf[a >>> PAGE_SHIFT]!];
  }

  private slowRead8(a: number): number {
    const r = this.region(a);
    if (!r) return 0xff;
    if (r.mmio) return r.mmio.read8(a - r.base) & 0xff;
    if (r.bytes) return r.bytes[a - r.base]!;
    return this.ram[a]!;
  }

  private slowWrite8(a: number, v: number): void {
    const r = this.region(a);
    if (r?.mmio) r.mmio.write8(a - r.base, v);
    else if (r?.kind === PageKind.Ram) {
      // A watched RAM page: write, then report.
      const page = a >>> PAGE_SHIFT;
      this.ram[a] = v;
      this.dirty[page] = 1;
      if (this.watched[page]) this.reportWrite(a, 1);
    }
    // ROM and unmapped space ignore writes.
  }

  private reportWrite(address: number, length: number): void {
    for (const l of this.writeWatchers) l(address, length);
  }

  /** The direct-access flags the mapping of `page` allows. */
  private directFlags(page: number): number {
    const r = this.regions[this.regionOf[page]!];
    if (!r || r.mmio || r.bytes) return 0;
    return r.kind === PageKind.Ram ? DIRECT_READ | DIRECT_WRITE : DIRECT_READ;
  }

  /** Pages first..last changed mapping: watched ones are reported whole and no longer watched. */
  private remapped(first: number, last: number): void {
    for (let p = first; p <= last; p++) {
      if (this.watched[p]) {
        this.watched[p] = 0;
        this.reportWrite(p << PAGE_SHIFT, PAGE_SIZE);
      }
    }
  }

  private checkBacking(owner: string, base: number, size: number): void {
    if (base + size > this.ram.length)
      throw new BusRangeError(`${owner}: 0x${base.toString(16)}+0x${size.toString(16)} lies beyond the ${this.ram.length}-byte backing store`);
  }

  private add(region: Region, direct: number): void {
    const { owner, base, size } = region;
    if (!Number.isInteger(base) || base < 0 || base % PAGE_SIZE !== 0)
      throw new BusRangeError(`${owner}: region base 0x${base.toString(16)} is not 4 KiB aligned`);
    if (!Number.isInteger(size) || size <= 0 || size % PAGE_SIZE !== 0 || base + size - 1 > this.lineMask)
      throw new BusRangeError(`${owner}: region size 0x${size.toString(16)} is not a whole number of pages within the address space`);
    const first = base >>> PAGE_SHIFT;
    const last = first + (size >>> PAGE_SHIFT) - 1;
    for (let p = first; p <= last; p++) {
      const other = this.regions[this.regionOf[p]!];
      if (other) throw new MemoryConflictError(owner, other.owner, Math.max(base, other.base), Math.min(base + size, other.base + other.size) - 1);
    }
    let idx = this.regions.indexOf(undefined, 1);
    if (idx < 0) idx = this.regions.push(region) - 1;
    else this.regions[idx] = region;
    if (idx > 0xffff) throw new BusRangeError('too many memory regions');
    for (let p = first; p <= last; p++) {
      this.regionOf[p] = idx;
      this.kinds[p] = region.kind;
      this.direct[p] = direct;
    }
    this.remapped(first, last);
  }
}

/** The backing store from `allocate` (or a fresh array), checked as `MemoryOptions.allocate` says. */
function allocateBacking(allocate: ((size: number) => Uint8Array) | undefined, size: number): Uint8Array {
  if (!allocate) return new Uint8Array(size);
  const bytes: unknown = allocate(size);
  if (!(bytes instanceof Uint8Array)) throw new BackingStoreError(size, kindOf(bytes));
  if (Object.getPrototypeOf(bytes) !== Uint8Array.prototype)
    throw new BackingStoreError(size, `a ${(bytes.constructor as { name?: string } | undefined)?.name ?? 'subclass of Uint8Array'}`);
  const buffer = bytes.buffer as ArrayBufferLike & { readonly resizable?: boolean; readonly growable?: boolean };
  if (buffer.resizable === true || buffer.growable === true) throw new BackingStoreError(size, 'a Uint8Array on a resizable or growable buffer');
  if (bytes.length !== size) throw new BackingStoreError(size, `a Uint8Array of ${bytes.length} bytes`);
  return bytes;
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value !== 'object') return `a ${typeof value}`;
  const name = (value.constructor as { name?: string } | undefined)?.name;
  return name ? `a ${name}` : 'an object';
}

function roundUp(n: number): number {
  return Math.max(PAGE_SIZE, Math.ceil(n / PAGE_SIZE) * PAGE_SIZE);
}
