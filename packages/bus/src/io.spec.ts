import { describe, expect, it } from 'vitest';
import { PortConflictError } from './errors';
import { IoSpace, type IoTraceEvent } from './io';

/** An 8-bit register file: what an ISA device without IOCS16 looks like. */
function byteDevice(size: number) {
  const regs = new Uint8Array(size);
  const log: string[] = [];
  return {
    regs,
    log,
    handlers: {
      read8: (o: number) => {
        log.push(`r${o}`);
        return regs[o]!;
      },
      write8: (o: number, v: number) => {
        log.push(`w${o}=${v.toString(16)}`);
        regs[o] = v;
      },
    },
  };
}

describe('port claims', () => {
  it('gives handlers the offset from the claimed base, not the port', () => {
    const io = new IoSpace();
    const d = byteDevice(8);
    io.claim('uart', 0x3f8, 8, d.handlers);
    io.out8(0x3ff, 0x5a);
    expect(d.regs[7]).toBe(0x5a);
    expect(io.in8(0x3ff)).toBe(0x5a);
    expect(io.owner(0x3fa)).toBe('uart');
  });

  it('refuses an overlapping claim, naming both devices and the ports', () => {
    const io = new IoSpace();
    io.claim('pic-master', 0x20, 2, byteDevice(2).handlers);
    let error: unknown;
    try {
      io.claim('rogue', 0x1e, 4, byteDevice(4).handlers);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PortConflictError);
    const message = (error as Error).message;
    expect(message).toContain('rogue');
    expect(message).toContain('pic-master');
    expect(message).toContain('0x0020');
    expect(message).toContain('0x0021');
    // The refused claim took nothing.
    expect(io.owner(0x1e)).toBeUndefined();
    expect(io.owner(0x1f)).toBeUndefined();
  });

  it('refuses ranges that do not fit in the 64 KiB port space', () => {
    const io = new IoSpace();
    expect(() => io.claim('x', 0xfffe, 4, byteDevice(4).handlers)).toThrow(/does not fit/);
    expect(() => io.claim('x', -1, 1, byteDevice(1).handlers)).toThrow(/outside/);
  });

  it('gives ports back on release, and they read as unclaimed again', () => {
    const io = new IoSpace();
    const d = byteDevice(1);
    d.regs[0] = 0x12;
    const claim = io.claim('post', 0x80, 1, d.handlers);
    expect(io.in8(0x80)).toBe(0x12);
    claim.release();
    expect(io.in8(0x80)).toBe(0xff);
    io.claim('other', 0x80, 1, byteDevice(1).handlers);
    expect(io.owner(0x80)).toBe('other');
  });
});

describe('unclaimed ports', () => {
  it('read as all ones at every width (the ISA data lines float high)', () => {
    const io = new IoSpace();
    expect(io.in8(0x2e8)).toBe(0xff);
    expect(io.in16(0x2e8)).toBe(0xffff);
    expect(io.in32(0x2e8)).toBe(0xffffffff);
  });

  it('ignore writes and are reported through the trace stream with no owner', () => {
    const io = new IoSpace();
    const seen: IoTraceEvent[] = [];
    const sub = io.trace$.subscribe((e) => seen.push(e));
    io.out8(0x2e8, 0x41);
    expect(io.in8(0x2e8)).toBe(0xff);
    sub.unsubscribe();
    expect(seen).toEqual([
      { kind: 'out', port: 0x2e8, width: 8, value: 0x41, owner: undefined },
      { kind: 'in', port: 0x2e8, width: 8, value: 0xff, owner: undefined },
    ]);
  });
});

describe('width splitting (little-endian byte lanes, as an x86 I/O access to port p uses p, p+1, ...)', () => {
  it('splits a 16-bit in on an 8-bit device into port p (low byte) then p+1 (high byte)', () => {
    const io = new IoSpace();
    const d = byteDevice(4);
    d.regs.set([0x34, 0x12, 0x78, 0x56]);
    io.claim('dev', 0x100, 4, d.handlers);
    expect(io.in16(0x100)).toBe(0x1234);
    expect(d.log).toEqual(['r0', 'r1']);
    expect(io.in32(0x100)).toBe(0x56781234);
  });

  it('splits a 16-bit out on an 8-bit device low byte first', () => {
    const io = new IoSpace();
    const d = byteDevice(2);
    io.claim('dev', 0x100, 2, d.handlers);
    io.out16(0x100, 0xbeef);
    expect(d.log).toEqual(['w0=ef', 'w1=be']);
  });

  it('lets a split access straddle two devices and unclaimed space', () => {
    const io = new IoSpace();
    const a = byteDevice(1);
    const b = byteDevice(1);
    a.regs[0] = 0x11;
    b.regs[0] = 0x22;
    io.claim('a', 0x200, 1, a.handlers);
    io.claim('b', 0x201, 1, b.handlers);
    expect(io.in16(0x200)).toBe(0x2211);
    expect(io.in32(0x200)).toBe(0xffff2211);
  });

  it('uses a device\'s own 16- and 32-bit handlers where it has them (an IDE data port)', () => {
    const io = new IoSpace();
    const log: string[] = [];
    io.claim('ide-data', 0x1f0, 1, {
      read8: () => (log.push('r8'), 0xaa),
      read16: () => (log.push('r16'), 0x1234),
      read32: () => (log.push('r32'), 0x89abcdef),
    });
    // A 16-bit access at the last port of a range cannot be the device's own 16-bit cycle.
    expect(io.in16(0x1f0)).toBe(0xffaa);
    io.claim('ide-data-wide', 0x1e0, 4, {
      read16: () => (log.push('w16'), 0x1234),
      read32: () => (log.push('w32'), 0x89abcdef),
    });
    expect(io.in16(0x1e0)).toBe(0x1234);
    expect(io.in32(0x1e0)).toBe(0x89abcdef);
    expect(log.slice(-2)).toEqual(['w16', 'w32']);
  });

  it('serves a byte read of a 16-bit-only register from its byte lane', () => {
    const io = new IoSpace();
    io.claim('wide', 0x300, 2, { read16: () => 0xa55a });
    expect(io.in8(0x300)).toBe(0x5a);
    expect(io.in8(0x301)).toBe(0xa5);
  });

  it('delivers a byte write to a 16-bit-only register in its lane, other lane zero', () => {
    const io = new IoSpace();
    const writes: number[] = [];
    io.claim('wide', 0x300, 2, { write16: (_o, v) => writes.push(v) });
    io.out8(0x301, 0x7f);
    expect(writes).toEqual([0x7f00]);
  });

  it('joins a 32-bit access on a 16-bit device from two word accesses', () => {
    const io = new IoSpace();
    const words: string[] = [];
    io.claim('wordy', 0x400, 4, {
      read16: (o) => (words.push(`r${o}`), o === 0 ? 0x1111 : 0x2222),
      write16: (o, v) => void words.push(`w${o}=${v.toString(16)}`),
    });
    expect(io.in32(0x400)).toBe(0x22221111);
    io.out32(0x400, 0xdeadbeef);
    expect(words).toEqual(['r0', 'r2', 'w0=beef', 'w2=dead']);
  });

  it('wraps at the top of the port space', () => {
    const io = new IoSpace();
    const top = byteDevice(1);
    const bottom = byteDevice(1);
    top.regs[0] = 0x01;
    bottom.regs[0] = 0x02;
    io.claim('top', 0xffff, 1, top.handlers);
    io.claim('bottom', 0x0000, 1, bottom.handlers);
    expect(io.in16(0xffff)).toBe(0x0201);
  });
});

describe('trace stream', () => {
  it('reports accesses only while subscribed, with the owner and width', () => {
    const io = new IoSpace();
    io.claim('dev', 0x100, 2, byteDevice(2).handlers);
    const seen: IoTraceEvent[] = [];
    io.out8(0x100, 1);
    const sub = io.trace$.subscribe((e) => seen.push(e));
    io.out16(0x100, 0x0302);
    sub.unsubscribe();
    io.out8(0x100, 4);
    expect(seen).toEqual([{ kind: 'out', port: 0x100, width: 16, value: 0x0302, owner: 'dev' }]);
  });
});
