import { describe, expect, it } from 'vitest';
import { Bus } from './bus';
import { BackingStoreError, BusError, MemoryConflictError } from './errors';
import { BusRangeError } from './errors';
import { DIRECT_READ, DIRECT_WRITE, MemorySpace, PageKind } from './memory';

function pc(): MemorySpace {
  const m = new MemorySpace({ backingSize: 0x200000, addressBits: 24 });
  m.mapRam('ram', 0, 0xa0000);
  m.mapRam('ram-high', 0x100000, 0x100000);
  return m;
}

describe('RAM', () => {
  it('stores bytes, words and dwords little-endian and exposes them in the typed array', () => {
    const m = pc();
    m.write32(0x1000, 0x12345678);
    expect([...m.ram.subarray(0x1000, 0x1004)]).toEqual([0x78, 0x56, 0x34, 0x12]);
    expect(m.read16(0x1001)).toBe(0x3456);
    expect(m.read8(0x1003)).toBe(0x12);
  });

  it('handles accesses that straddle a page boundary', () => {
    const m = pc();
    m.write32(0x1ffe, 0xaabbccdd);
    expect(m.read32(0x1ffe)).toBe(0xaabbccdd);
    expect(m.read16(0x1fff)).toBe(0xbbcc);
  });

  it('marks written pages dirty and clears the marks when taken', () => {
    const m = pc();
    m.takeDirty();
    m.write8(0x5123, 1);
    m.write16(0x100000, 2);
    expect(m.takeDirty()).toEqual([0x5, 0x100]);
    expect(m.takeDirty()).toEqual([]);
  });
});

describe('ROM', () => {
  it('reads its image and ignores writes (the BIOS at F0000)', () => {
    const m = pc();
    const image = new Uint8Array(0x10000).map((_, i) => i & 0xff);
    m.mapRom('bios', 0xf0000, image);
    expect(m.read8(0xffff0)).toBe(0xf0);
    m.write8(0xffff0, 0x00);
    m.write16(0xf0000, 0x1234);
    expect(m.read8(0xffff0)).toBe(0xf0);
    expect(m.read16(0xf0000)).toBe(0x0100);
    expect(m.kindAt(0xf1234)).toBe(PageKind.Rom);
  });

  it('may live beyond the backing store (the 286 BIOS alias below 16 MiB)', () => {
    const m = pc();
    const image = new Uint8Array(0x10000).fill(0xea);
    m.mapRom('bios-alias', 0xff0000, image);
    expect(m.read8(0xfffff0)).toBe(0xea);
    m.write8(0xfffff0, 0);
    expect(m.read8(0xfffff0)).toBe(0xea);
  });

  it('reads 0xFF in the unused part of its last page', () => {
    const m = pc();
    m.mapRom('option-rom', 0xc8000, new Uint8Array(0x800).fill(0x55));
    expect(m.read8(0xc87ff)).toBe(0x55);
    expect(m.read8(0xc8800)).toBe(0xff);
  });
});

describe('unmapped space', () => {
  it('reads all ones and ignores writes', () => {
    const m = pc();
    expect(m.read8(0xd0000)).toBe(0xff);
    expect(m.read16(0xd0000)).toBe(0xffff);
    m.write8(0xd0000, 0);
    expect(m.read8(0xd0000)).toBe(0xff);
  });
});

describe('memory-mapped I/O', () => {
  it('calls the region\'s handlers with the offset from its base', () => {
    const m = pc();
    const cells = new Uint8Array(0x8000);
    const log: string[] = [];
    m.mapMmio('vga-text', 0xb8000, 0x8000, {
      read8: (o) => (log.push(`r${o.toString(16)}`), cells[o]!),
      write8: (o, v) => {
        log.push(`w${o.toString(16)}`);
        cells[o] = v;
      },
    });
    m.write16(0xb8000, 0x0741); // 'A', light grey on black
    expect([...cells.subarray(0, 2)]).toEqual([0x41, 0x07]);
    expect(m.read16(0xb8000)).toBe(0x0741);
    expect(log).toEqual(['w0', 'w1', 'r0', 'r1']);
  });

  it('uses wide handlers when the region has them', () => {
    const m = pc();
    const log: string[] = [];
    m.mapMmio('regs', 0xe0000, 0x1000, {
      read8: () => 0,
      write8: () => {},
      read32: (o) => (log.push(`r32@${o}`), 0xcafef00d),
    });
    expect(m.read32(0xe0010)).toBe(0xcafef00d);
    expect(log).toEqual(['r32@16']);
  });

  it('refuses a region overlapping another, naming both owners', () => {
    const m = pc();
    expect(() => m.mapMmio('vga', 0x9f000, 0x2000, { read8: () => 0, write8: () => {} })).toThrow(MemoryConflictError);
    expect(() => m.mapMmio('vga', 0x9f000, 0x2000, { read8: () => 0, write8: () => {} })).toThrow(/vga.*ram/);
  });
});

describe('A20 gate', () => {
  it('wraps FFFF:0010 (physical 0x100000) to 0 while the gate is closed, as on an 8086', () => {
    const m = pc();
    m.write8(0x000000, 0x11);
    m.write8(0x100000, 0x22);
    m.setA20(false);
    expect(m.read8(0xffff * 16 + 0x10)).toBe(0x11);
    m.write8(0x10fff0, 0x33);
    expect(m.read8(0x00fff0)).toBe(0x33);
    m.setA20(true);
    expect(m.read8(0x100000)).toBe(0x22);
  });

  it('tells listeners when the gate changes', () => {
    const m = pc();
    const seen: boolean[] = [];
    m.onA20((on) => seen.push(on));
    m.setA20(false);
    m.setA20(false);
    m.setA20(true);
    expect(seen).toEqual([false, true]);
    expect(m.addressMask).toBe(0xffffff);
  });

  it('keeps to the address lines: a 24-bit bus wraps at 16 MiB', () => {
    const m = pc();
    m.write8(0x5, 0x99);
    expect(m.read8(0x1000005)).toBe(0x99);
  });
});

describe('write watch (a CPU caching code translated from a page)', () => {
  function watched() {
    const m = pc();
    const seen: [number, number][] = [];
    m.onWatchedWrite((address, length) => seen.push([address, length]));
    m.watchWrites(0x5);
    return { m, seen };
  }

  it('takes DIRECT_WRITE from a watched RAM page, keeps DIRECT_READ, and gives it back when unwatched', () => {
    const { m } = watched();
    expect(m.direct[0x5]).toBe(DIRECT_READ);
    expect(m.isWatched(0x5)).toBe(true);
    m.unwatchWrites(0x5);
    expect(m.direct[0x5]).toBe(DIRECT_READ | DIRECT_WRITE);
    expect(m.isWatched(0x5)).toBe(false);
  });

  it('performs every write to a watched page, marks it dirty, then reports address and length', () => {
    const { m, seen } = watched();
    m.takeDirty();
    m.write8(0x5010, 0xaa);
    m.write16(0x5020, 0x1234);
    m.write32(0x5030, 0xdeadbeef);
    m.writeBytes(0x5040, new Uint8Array([1, 2]));
    expect(m.read8(0x5010)).toBe(0xaa);
    expect(m.read16(0x5020)).toBe(0x1234);
    expect(m.read32(0x5030)).toBe(0xdeadbeef);
    expect(m.read16(0x5040)).toBe(0x0201);
    expect(m.takeDirty()).toEqual([0x5]);
    expect(seen).toEqual([
      [0x5010, 1],
      [0x5020, 1],
      [0x5021, 1],
      [0x5030, 1],
      [0x5031, 1],
      [0x5032, 1],
      [0x5033, 1],
      [0x5040, 1],
      [0x5041, 1],
    ]);
  });

  it('reports nothing for writes to other pages, and nothing after unwatch', () => {
    const { m, seen } = watched();
    m.write8(0x6000, 1);
    m.write16(0x4fff, 0x0102); // straddles into page 5: its second byte is reported
    expect(seen).toEqual([[0x5000, 1]]);
    m.unwatchWrites(0x5);
    m.write8(0x5000, 3);
    expect(seen).toHaveLength(1);
  });

  it('reports markDirty on a watched page as a write of the whole page (RAM written directly, e.g. by DMA)', () => {
    const { m, seen } = watched();
    m.ram[0x5123] = 7;
    m.markDirty(0x5123);
    m.markDirty(0x6000);
    expect(seen).toEqual([[0x5000, 0x1000]]);
  });

  it('reports a remap over a watched page as a write of the whole page and ends the watch', () => {
    const { m, seen } = watched();
    m.unmap('ram', 0);
    expect(seen).toEqual([[0x5000, 0x1000]]);
    expect(m.isWatched(0x5)).toBe(false);
    m.mapRam('ram', 0, 0xa0000);
    expect(m.direct[0x5]).toBe(DIRECT_READ | DIRECT_WRITE);
    expect(seen).toHaveLength(1);
  });

  it('counts watches: the page stays watched until each watch is taken back', () => {
    const { m, seen } = watched();
    m.watchWrites(0x5);
    expect(m.watchCount(0x5)).toBe(2);
    m.unwatchWrites(0x5);
    expect(m.watchCount(0x5)).toBe(1);
    m.write8(0x5000, 1);
    expect(seen).toEqual([[0x5000, 1]]);
    m.unwatchWrites(0x5);
    m.unwatchWrites(0x5); // one too many: ignored
    expect(m.direct[0x5]).toBe(DIRECT_READ | DIRECT_WRITE);
    m.write8(0x5000, 2);
    expect(seen).toHaveLength(1);
  });

  it('ROM stays read-only and unreported while watched (its bytes cannot change)', () => {
    const m = pc();
    m.mapRom('bios', 0xf0000, new Uint8Array(0x10000).fill(0x90));
    const seen: number[] = [];
    m.onWatchedWrite((a) => seen.push(a));
    m.watchWrites(0xf0);
    m.write8(0xf0000, 0);
    expect(m.read8(0xf0000)).toBe(0x90);
    expect(seen).toEqual([]);
    m.unwatchWrites(0xf0);
    expect(m.direct[0xf0]).toBe(DIRECT_READ);
  });

  it('refuses a page beyond the address lines (BusRangeError)', () => {
    const m = pc();
    expect(() => m.watchWrites(0x1000)).toThrow(BusRangeError);
    expect(() => m.watchWrites(-1)).toThrow(BusRangeError);
  });
});

describe('allocate option (the creator makes the backing store)', () => {
  /** Backing store inside a WebAssembly memory, 64 KiB in (as vmstate's allocateRam places RAM). */
  function wasmBacking(size: number): Uint8Array {
    // The package's TypeScript lib has no WebAssembly types; the runtime has it.
    const { WebAssembly } = globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => { buffer: ArrayBuffer } } };
    const memory = new WebAssembly.Memory({ initial: size / 0x10000 + 1, maximum: size / 0x10000 + 1 });
    return new Uint8Array(memory.buffer, 0x10000, size);
  }

  it('guest writes through the space, ROM images and the direct path land in the supplied array', () => {
    const sizes: number[] = [];
    let supplied: Uint8Array | undefined;
    const m = new MemorySpace({
      backingSize: 0x200000,
      addressBits: 24,
      allocate: (size) => {
        sizes.push(size);
        return (supplied = wasmBacking(size));
      },
    });
    expect(sizes).toEqual([0x200000]);
    expect(m.ram).toBe(supplied);
    m.mapRam('ram', 0, 0xa0000);
    m.mapRam('ram-high', 0x100000, 0x100000);
    m.mapRom('bios', 0xf0000, new Uint8Array(0x10000).fill(0xea));
    m.write32(0x1000, 0x12345678);
    m.write16(0x1ffffe, 0xbeef);
    m.writeBytes(0x100000, new Uint8Array([1, 2, 3]));
    const view = new Uint8Array(supplied!.buffer, 0x10000, 0x200000);
    expect([...view.subarray(0x1000, 0x1004)]).toEqual([0x78, 0x56, 0x34, 0x12]);
    expect([...view.subarray(0x1ffffe)]).toEqual([0xef, 0xbe]);
    expect([...view.subarray(0x100000, 0x100003)]).toEqual([1, 2, 3]);
    expect(view[0xffff0]).toBe(0xea);
    supplied![0x2000] = 0x5a; // and what the creator writes there, the guest reads
    expect(m.read8(0x2000)).toBe(0x5a);
  });

  it('is passed through by the Bus', () => {
    const backing = new Uint8Array(0x100000);
    const bus = new Bus({ allocate: () => backing });
    expect(bus.memory.ram).toBe(backing);
    bus.memory.mapRam('ram', 0, 0xa0000);
    bus.memory.write8(0x7c00, 0xfa);
    expect(backing[0x7c00]).toBe(0xfa);
  });

  it('refuses a result of another size, a non-Uint8Array, a subclass or a resizable buffer (BackingStoreError)', () => {
    const make = (allocate: (size: number) => Uint8Array) => () => new MemorySpace({ backingSize: 0x100000, allocate });
    expect(make((size) => new Uint8Array(size - 0x1000))).toThrow(BackingStoreError);
    expect(make((size) => new Uint8Array(size - 0x1000))).toThrow(
      'allocate(1048576) must return a plain, fixed-length Uint8Array of 1048576 bytes for the memory space\'s backing store, got a Uint8Array of 1044480 bytes',
    );
    expect(make((size) => new Uint8Array(size + 1))).toThrow(BackingStoreError);
    expect(make((size) => new Uint16Array(size / 2) as unknown as Uint8Array)).toThrow(/got a Uint16Array$/);
    expect(make(() => undefined as unknown as Uint8Array)).toThrow(/got undefined$/);
    expect(make((size) => Buffer.alloc(size))).toThrow(/got a Buffer$/);
    const resizable = (size: number) => new Uint8Array(new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer)(size, { maxByteLength: size * 2 }));
    expect(make(resizable)).toThrow(/resizable or growable/);
    let error: unknown;
    try {
      new Bus({ allocate: () => new Uint8Array(16) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BusError);
    expect(error).toMatchObject({ name: 'BackingStoreError', size: 0x100000 });
  });
});
