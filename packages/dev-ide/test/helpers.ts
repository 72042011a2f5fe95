// Test helpers: drive an IDE channel through its ports the way a guest driver does (ATA-6
// clause 9 protocols: PIO data-in, PIO data-out, non-data, PACKET), and make real images
// with tools we did not write.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryImage } from '@backplane/block';
import { type TestBench, createTestBench } from '@backplane/bus/testing';
import { IDE_PRIMARY, type IdeChannel, type IdeChannelDrives, idePrimaryModule } from '../src/index';
import { Status } from '../src/registers';

/** Primary channel ports. */
export const P = {
  data: 0x1f0,
  error: 0x1f1,
  features: 0x1f1,
  count: 0x1f2,
  lbaLow: 0x1f3,
  lbaMid: 0x1f4,
  lbaHigh: 0x1f5,
  device: 0x1f6,
  status: 0x1f7,
  command: 0x1f7,
  altStatus: 0x3f6,
  control: 0x3f6,
} as const;

export interface Rig {
  readonly tb: TestBench;
  readonly ch: IdeChannel;
}

/** A primary channel alone on a test bench. */
export function rig(drives: IdeChannelDrives): Rig {
  const tb = createTestBench([idePrimaryModule(drives)]);
  return { tb, ch: tb.get(IDE_PRIMARY) };
}

/** A hard disk image of `sectors` sectors whose every sector starts with its LBA (32-bit LE) and is filled with a pattern. */
export function patternedDisk(sectors: number): MemoryImage {
  const img = new MemoryImage(sectors * 512);
  for (let s = 0; s < sectors; s++) {
    const o = s * 512;
    for (let k = 0; k < 512; k++) img.bytes[o + k] = (s * 7 + k) & 0xff;
    img.bytes[o] = s & 0xff;
    img.bytes[o + 1] = (s >>> 8) & 0xff;
    img.bytes[o + 2] = (s >>> 16) & 0xff;
    img.bytes[o + 3] = (s >>> 24) & 0xff;
  }
  return img;
}

/** Advance virtual time until BSY is clear (alternate status, so no interrupt is acknowledged). */
export function waitNotBusy(tb: TestBench, altStatus: number = P.altStatus): number {
  for (let guard = 0; guard < 10_000; guard++) {
    const st = tb.inb(altStatus);
    if ((st & Status.BSY) === 0) return st;
    const next = tb.clock.nextDeadline();
    if (next === Infinity) throw new Error(`BSY stays set with nothing scheduled (status ${st.toString(16)})`);
    tb.advanceTo(next);
  }
  throw new Error('BSY never cleared');
}

export interface TaskFile {
  features?: number;
  count?: number;
  lbaLow?: number;
  lbaMid?: number;
  lbaHigh?: number;
  device?: number;
  /** Previous ("HOB") bytes, written first for LBA48 commands. */
  hobFeatures?: number;
  hobCount?: number;
  hobLbaLow?: number;
  hobLbaMid?: number;
  hobLbaHigh?: number;
}

/** Write the task file (HOB bytes first when given), then the command; wait until BSY clears. Returns the alternate status. */
export function issue(tb: TestBench, command: number, tf: TaskFile = {}): number {
  if (tf.device !== undefined) tb.outb(P.device, tf.device);
  if (tf.hobFeatures !== undefined) tb.outb(P.features, tf.hobFeatures);
  if (tf.hobCount !== undefined) tb.outb(P.count, tf.hobCount);
  if (tf.hobLbaLow !== undefined) tb.outb(P.lbaLow, tf.hobLbaLow);
  if (tf.hobLbaMid !== undefined) tb.outb(P.lbaMid, tf.hobLbaMid);
  if (tf.hobLbaHigh !== undefined) tb.outb(P.lbaHigh, tf.hobLbaHigh);
  if (tf.features !== undefined) tb.outb(P.features, tf.features);
  if (tf.count !== undefined) tb.outb(P.count, tf.count);
  if (tf.lbaLow !== undefined) tb.outb(P.lbaLow, tf.lbaLow);
  if (tf.lbaMid !== undefined) tb.outb(P.lbaMid, tf.lbaMid);
  if (tf.lbaHigh !== undefined) tb.outb(P.lbaHigh, tf.lbaHigh);
  tb.outb(P.command, command);
  return waitNotBusy(tb);
}

/** LBA28 task file for `lba` on device 0 (or 1). */
export function lba28(lba: number, count: number, dev = 0): TaskFile {
  return { count: count & 0xff, lbaLow: lba & 0xff, lbaMid: (lba >>> 8) & 0xff, lbaHigh: (lba >>> 16) & 0xff, device: 0xe0 | (dev << 4) | ((lba >>> 24) & 0x0f) };
}

/** LBA48 task file. */
export function lba48(lba: number, count: number, dev = 0): TaskFile {
  const hi = Math.floor(lba / 0x1000000);
  return {
    hobCount: (count >>> 8) & 0xff,
    hobLbaLow: hi & 0xff,
    hobLbaMid: (hi >>> 8) & 0xff,
    hobLbaHigh: (hi >>> 16) & 0xff,
    count: count & 0xff,
    lbaLow: lba & 0xff,
    lbaMid: (lba >>> 8) & 0xff,
    lbaHigh: (lba >>> 16) & 0xff,
    device: 0x40 | (dev << 4),
  };
}

/** Read `bytes` from the data port with 16-bit accesses (or 32-bit). */
export function readData(tb: TestBench, bytes: number, width: 16 | 32 = 16): Uint8Array {
  const out = new Uint8Array(bytes);
  if (width === 16)
    for (let i = 0; i < bytes; i += 2) {
      const w = tb.inw(P.data);
      out[i] = w & 0xff;
      if (i + 1 < bytes) out[i + 1] = w >>> 8;
    }
  else
    for (let i = 0; i < bytes; i += 4) {
      const v = tb.inl(P.data);
      for (let k = 0; k < 4 && i + k < bytes; k++) out[i + k] = (v >>> (8 * k)) & 0xff;
    }
  return out;
}

export function writeData(tb: TestBench, data: Uint8Array, width: 16 | 32 = 16): void {
  if (width === 16) for (let i = 0; i < data.length; i += 2) tb.outw(P.data, data[i]! | ((data[i + 1] ?? 0) << 8));
  else for (let i = 0; i < data.length; i += 4) tb.outl(P.data, (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) >>> 0);
}

/**
 * PIO data-in (ATA-6 9.7): for each DRQ block, wait for BSY clear, check DRQ, read the block,
 * then read Status (acknowledging the interrupt). Returns the bytes read and the final status.
 */
export function pioIn(tb: TestBench, command: number, tf: TaskFile, blocks: number, blockBytes = 512, width: 16 | 32 = 16): { data: Uint8Array; status: number; error: number } {
  const data = new Uint8Array(blocks * blockBytes);
  let st = issue(tb, command, tf);
  for (let b = 0; b < blocks; b++) {
    st = waitNotBusy(tb);
    if (st & Status.ERR || !(st & Status.DRQ)) return { data: data.subarray(0, b * blockBytes), status: tb.inb(P.status), error: tb.inb(P.error) };
    tb.inb(P.status);
    data.set(readData(tb, blockBytes, width), b * blockBytes);
  }
  st = waitNotBusy(tb);
  return { data, status: tb.inb(P.status), error: tb.inb(P.error) };
}

/** PIO data-out (ATA-6 9.8): DRQ for each block (interrupt after each but before the first), then completion. */
export function pioOut(tb: TestBench, command: number, tf: TaskFile, data: Uint8Array, blockBytes = 512): { status: number; error: number; blocks: number } {
  let st = issue(tb, command, tf);
  let blocks = 0;
  for (let o = 0; o < data.length; o += blockBytes) {
    st = waitNotBusy(tb);
    if (st & Status.ERR || !(st & Status.DRQ)) break;
    writeData(tb, data.subarray(o, o + blockBytes));
    blocks++;
    waitNotBusy(tb);
    tb.inb(P.status);
  }
  st = waitNotBusy(tb);
  return { status: tb.inb(P.status), error: tb.inb(P.error), blocks };
}

export interface PacketResult {
  data: Uint8Array;
  status: number;
  error: number;
  /** Interrupt reason at completion. */
  reason: number;
  /** Byte counts of the DRQ chunks. */
  chunks: number[];
}

/** PACKET protocol (ATA-6 9.10) with PIO data-in: packet out, then chunks of the byte count the device puts in LBA Mid/High. */
export function packet(tb: TestBench, cdb: readonly number[], byteLimit = 0xfffe, dev = 0): PacketResult {
  const cmd = new Uint8Array(12);
  cmd.set(cdb.slice(0, 12));
  tb.outb(P.device, dev << 4);
  tb.outb(P.features, 0);
  tb.outb(P.lbaMid, byteLimit & 0xff);
  tb.outb(P.lbaHigh, byteLimit >>> 8);
  tb.outb(P.command, 0xa0);
  let st = waitNotBusy(tb);
  if (!(st & Status.DRQ)) return { data: new Uint8Array(0), status: tb.inb(P.status), error: tb.inb(P.error), reason: tb.inb(P.count), chunks: [] };
  writeData(tb, cmd);
  const parts: Uint8Array[] = [];
  const chunks: number[] = [];
  for (;;) {
    st = waitNotBusy(tb);
    if (!(st & Status.DRQ)) break;
    const n = tb.inb(P.lbaMid) | (tb.inb(P.lbaHigh) << 8);
    tb.inb(P.status);
    chunks.push(n);
    parts.push(readData(tb, n));
  }
  const total = parts.reduce((a, p) => a + p.length, 0);
  const data = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    data.set(p, o);
    o += p.length;
  }
  return { data, status: tb.inb(P.status), error: tb.inb(P.error), reason: tb.inb(P.count), chunks };
}

/** Whether a host tool is on PATH. */
export function hasTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A fresh temporary directory and its remover. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function run(tool: string, args: readonly string[], cwd?: string): void {
  execFileSync(tool, args, { stdio: 'pipe', cwd });
}

/**
 * A large disk that stores nothing: every sector reads as its LBA (48-bit LE in bytes 0-5) and
 * zeros; writes are recorded by offset. For capacities no test can hold in memory.
 */
export class SyntheticDisk {
  readonly readOnly = false;
  readonly writes: { offset: number; data: Uint8Array }[] = [];
  flushes = 0;
  constructor(readonly size: number) {}
  read(offset: number, target: Uint8Array, targetStart = 0, length = target.length - targetStart): void {
    if (offset < 0 || offset + length > this.size) throw new RangeError('outside the synthetic disk');
    target.fill(0, targetStart, targetStart + length);
    for (let o = offset; o < offset + length; o++) {
      const inSector = o % 512;
      if (inSector < 6) target[targetStart + o - offset] = Math.floor(Math.floor(o / 512) / 2 ** (8 * inSector)) & 0xff;
    }
  }
  write(offset: number, source: Uint8Array, sourceStart = 0, length = source.length - sourceStart): void {
    if (offset < 0 || offset + length > this.size) throw new RangeError('outside the synthetic disk');
    this.writes.push({ offset, data: source.slice(sourceStart, sourceStart + length) });
  }
  flush(): void {
    this.flushes++;
  }
}

/** The 512-byte IDENTIFY block as 256 words. */
export function words(block: Uint8Array): number[] {
  const w: number[] = [];
  for (let i = 0; i < 256; i++) w.push(block[2 * i]! | (block[2 * i + 1]! << 8));
  return w;
}

/** Offset of the first byte where `a` and `b` differ (or the shorter length), -1 when equal. Fast on large buffers. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length === b.length && Buffer.compare(a, b) === 0) return -1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

const patternCache = new Map<number, Uint8Array>();

/** `patternedDisk(sectors)`, built once per size and copied. */
export function patternedCopy(sectors: number): MemoryImage {
  let bytes = patternCache.get(sectors);
  if (!bytes) {
    bytes = patternedDisk(sectors).bytes;
    patternCache.set(sectors, bytes);
  }
  return new MemoryImage(bytes.slice());
}
