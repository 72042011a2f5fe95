// Test helpers in the manner of QEMU's fdc-test: talk to the controller through its ports only.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestBench, createTestBench } from '@backplane/bus/testing';
import { MemoryImage } from '@backplane/block';
import { FDC, type Fdc, type FdcResources, fdcModule } from '../src/index';

export const BASE = 0x3f0;
export const SRA = BASE + 0;
export const SRB = BASE + 1;
export const DOR = BASE + 2;
export const TDR = BASE + 3;
export const MSR = BASE + 4;
export const DSR = BASE + 4;
export const FIFO = BASE + 5;
export const DIR = BASE + 7;
export const CCR = BASE + 7;

export const RQM = 0x80;
export const DIO = 0x40;
export const NDMA = 0x20;
export const CB = 0x10;

/** DOR: drive 0 selected, motor 0 on, DMA gate open, out of reset. */
export const DOR_DRIVE0 = 0x1c;

export interface Rig {
  readonly bench: TestBench;
  readonly fdc: Fdc;
}

export function rig(resources: Partial<FdcResources> = {}): Rig {
  const bench = createTestBench([fdcModule(resources)]);
  return { bench, fdc: bench.get(FDC) };
}

/** Move virtual time to the next pending event, if any. Returns false when nothing is pending. */
export function step(b: TestBench): boolean {
  const next = b.clock.nextDeadline();
  if (!Number.isFinite(next)) return false;
  b.clock.advanceTo(next);
  return true;
}

/** Wait (in virtual time) until the FIFO is ready for the host. */
export function waitRqm(b: TestBench): number {
  for (let i = 0; i < 10_000; i++) {
    const msr = b.inb(MSR);
    if (msr & RQM) return msr;
    if (!step(b)) break;
  }
  throw new Error(`RQM never set (MSR ${hex(b.inb(MSR))})`);
}

/** Send a command: each byte after RQM with DIO = 0, as the datasheet's command phase asks. */
export function send(b: TestBench, ...bytes: number[]): void {
  for (const v of bytes) {
    const msr = waitRqm(b);
    if (msr & DIO) throw new Error(`controller wants to be read (MSR ${hex(msr)}) while sending ${hex(v)}`);
    b.outb(FIFO, v);
  }
}

/** Wait (in virtual time) for IRQ 6. */
export function waitIrq(b: TestBench): void {
  const irq = b.irq(6);
  for (let i = 0; i < 10_000 && !irq.level; i++) if (!step(b)) break;
  if (!irq.level) throw new Error(`IRQ 6 never rose (MSR ${hex(b.inb(MSR))})`);
}

/** Read the result phase: bytes while RQM and DIO are set. */
export function result(b: TestBench): number[] {
  const out: number[] = [];
  for (let i = 0; i < 16; i++) {
    const msr = waitRqm(b);
    if (!(msr & DIO)) break;
    out.push(b.inb(FIFO));
  }
  return out;
}

/** SENSE INTERRUPT STATUS: [ST0, PCN] (or [0x80]). */
export function senseInterrupt(b: TestBench): number[] {
  send(b, 0x08);
  return result(b);
}

/** Reset through DOR (0 then DOR_DRIVE0) and take the four "ready changed" statuses. */
export function resetController(b: TestBench, dor = DOR_DRIVE0): number[][] {
  b.outb(DOR, 0x00);
  b.outb(DOR, dor);
  waitIrq(b);
  return [senseInterrupt(b), senseInterrupt(b), senseInterrupt(b), senseInterrupt(b)];
}

/** SPECIFY with SRT = 8 ms, HUT, HLT, and ND (non-DMA) as asked. */
export function specify(b: TestBench, nonDma = false): void {
  send(b, 0x03, 0x8f, nonDma ? 0x03 : 0x02);
}

/** SEEK drive/head to a cylinder, wait for the interrupt, SENSE INTERRUPT: [ST0, PCN]. */
export function seekTo(b: TestBench, cylinder: number, drive = 0, head = 0): number[] {
  send(b, 0x0f, (head << 2) | drive, cylinder);
  waitIrq(b);
  return senseInterrupt(b);
}

export function recalibrate(b: TestBench, drive = 0): number[] {
  send(b, 0x07, drive);
  waitIrq(b);
  return senseInterrupt(b);
}

export function hex(v: number): string {
  return '0x' + v.toString(16).padStart(2, '0');
}

/** 1.44M geometry maths from the PC standard (18 sectors, 2 heads): the byte offset of C/H/R. */
export function offset144(c: number, h: number, r: number): number {
  return ((c * 2 + h) * 18 + (r - 1)) * 512;
}

export const hasMkfsFat = spawnSync('mkfs.fat', ['--help']).status === 0;
export const hasMformat = spawnSync('mformat', ['--version']).status === 0;

/** A temporary directory for images, removed by the returned function. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bp-fdc-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Make a FAT12 1.44M image with Debian's mkfs.fat. */
export function mkfsFat(path: string, kib = 1440, label = 'BACKPLANE'): void {
  const r = spawnSync('mkfs.fat', ['-C', '-n', label, '-i', '12345678', path, String(kib)]);
  if (r.status !== 0) throw new Error(`mkfs.fat failed: ${r.stderr.toString()}`);
}

/** Make a floppy image with mtools' mformat. */
export function mformat(path: string, args: string[]): void {
  const r = spawnSync('mformat', ['-C', ...args, '-i', path, '::']);
  if (r.status !== 0) throw new Error(`mformat failed: ${r.stderr.toString()}`);
}

export interface RwArgs {
  drive?: number;
  head?: number;
  c: number;
  h?: number;
  r: number;
  n?: number;
  eot?: number;
  mt?: boolean;
  sk?: boolean;
}

/** The nine bytes of READ/WRITE-type commands: opcode (MT, MFM, SK added), HDS|DS, C, H, R, N, EOT, GPL, DTL. */
export function rwCommand(opcode: number, a: RwArgs): number[] {
  const head = a.head ?? 0;
  return [
    opcode | 0x40 | (a.mt ? 0x80 : 0) | (a.sk ? 0x20 : 0),
    (head << 2) | (a.drive ?? 0),
    a.c,
    a.h ?? head,
    a.r,
    a.n ?? 2,
    a.eot ?? 18,
    0x1b,
    0xff,
  ];
}

/** Program DMA channel 2 for `sectors` sectors at `address` and run a READ-type command; returns the result bytes. */
export function dmaRead(b: TestBench, a: RwArgs & { sectors: number; address?: number; opcode?: number }): number[] {
  b.dma.program(2, { address: a.address ?? 0x10000, length: a.sectors * 512, direction: 'write' });
  send(b, ...rwCommand(a.opcode ?? 0x06, a));
  waitIrq(b);
  return result(b);
}

/** Put `data` at `address` and run a WRITE-type command through DMA; returns the result bytes. */
export function dmaWrite(b: TestBench, data: Uint8Array, a: RwArgs & { address?: number; opcode?: number }): number[] {
  const address = a.address ?? 0x20000;
  b.memory.ram.set(data, address);
  b.dma.program(2, { address, length: data.length, direction: 'read' });
  send(b, ...rwCommand(a.opcode ?? 0x05, a));
  waitIrq(b);
  return result(b);
}

/** A 1.44M image whose every byte says where it is: byte i of LBA s is (s * 7 + i * 3 + 1) & 0xff. */
export function patterned144(): Uint8Array {
  const bytes = new Uint8Array(1474560);
  for (let s = 0; s < 2880; s++) for (let i = 0; i < 512; i++) bytes[s * 512 + i] = (s * 7 + i * 3 + 1) & 0xff;
  return bytes;
}

/** A controller with a patterned 1.44M medium in drive 0, reset, specified, at 500 kbps. */
export function ready(options: { nonDma?: boolean; readOnly?: boolean; resources?: Partial<FdcResources> } = {}): Rig & { image: MemoryImage } {
  const r = rig(options.resources);
  const image = new MemoryImage(patterned144(), { readOnly: options.readOnly ?? false });
  r.fdc.insert(0, image);
  resetController(r.bench);
  specify(r.bench, options.nonDma);
  r.bench.outb(CCR, 0x00);
  return { ...r, image };
}
