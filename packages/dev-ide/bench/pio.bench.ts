// Sequential PIO read throughput through the IDE controller, in MB/s of guest data, against
// reading the same backend directly in the same run.
//
//   npm run bench -w @backplane/dev-ide
//
// Guest side: READ MULTIPLE EXT (16-sector blocks, 2048 sectors per command) over the whole disk,
// BSY waited out on the virtual clock, Status read per block, the data port read with 16-bit
// (REP INSW) or 32-bit (REP INSD) accesses through the bus's IoSpace, every word added to a checksum.
// Baseline: `image.read()` of the same 8 KiB blocks into a buffer, every word added to a checksum.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type BlockDevice, MemoryImage, RawFileImage } from '@backplane/block';
import { P, lba48, rig } from '../test/helpers';
import { Cmd, Status } from '../src/registers';

const DISK_MIB = 32;
const SECTORS = (DISK_MIB * 1024 * 1024) / 512;
const BLOCK = 16;
const PER_COMMAND = 2048;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Run the cases interleaved (one of each per round, so a machine busy with other work slows
 * them alike), after a warm-up round; returns each case's median MB/s and its checksum.
 */
function measureInterleaved(bytes: number, cases: readonly (() => number)[], rounds = 9): { mbps: number; sum: number }[] {
  const sums = cases.map((c) => c());
  const rates: number[][] = cases.map(() => []);
  for (let r = 0; r < rounds; r++)
    cases.forEach((c, i) => {
      const t0 = performance.now();
      sums[i] = c();
      const t1 = performance.now();
      rates[i]!.push(bytes / 1e6 / ((t1 - t0) / 1000));
    });
  return cases.map((_, i) => ({ mbps: median(rates[i]!), sum: sums[i]! }));
}

function direct(image: BlockDevice): number {
  const buf = new Uint8Array(BLOCK * 512);
  let sum = 0;
  for (let lba = 0; lba < SECTORS; lba += BLOCK) {
    image.read(lba * 512, buf, 0, buf.length);
    for (let i = 0; i < buf.length; i += 2) sum = (sum + (buf[i]! | (buf[i + 1]! << 8))) | 0;
  }
  return sum;
}

function throughController(image: BlockDevice, width: 16 | 32): () => number {
  const { tb } = rig({ master: { kind: 'disk', image } });
  const clock = tb.clock;
  const io = tb.io; // what a CPU's IN instruction calls
  tb.outb(P.device, 0xa0);
  tb.outb(P.count, BLOCK);
  tb.outb(P.command, Cmd.SetMultipleMode);
  clock.advanceTo(clock.nextDeadline());
  tb.inb(P.status);
  const wait = (): number => {
    let st = tb.inb(P.altStatus);
    while (st & Status.BSY) {
      clock.advanceTo(clock.nextDeadline());
      st = tb.inb(P.altStatus);
    }
    return st;
  };
  return () => {
    let sum = 0;
    for (let lba = 0; lba < SECTORS; lba += PER_COMMAND) {
      const tf = lba48(lba, PER_COMMAND);
      tb.outb(P.count, tf.hobCount!);
      tb.outb(P.lbaLow, tf.hobLbaLow!);
      tb.outb(P.lbaMid, tf.hobLbaMid!);
      tb.outb(P.lbaHigh, tf.hobLbaHigh!);
      tb.outb(P.count, tf.count!);
      tb.outb(P.lbaLow, tf.lbaLow!);
      tb.outb(P.lbaMid, tf.lbaMid!);
      tb.outb(P.lbaHigh, tf.lbaHigh!);
      tb.outb(P.device, 0x40);
      tb.outb(P.command, Cmd.ReadMultipleExt);
      for (let b = 0; b < PER_COMMAND / BLOCK; b++) {
        if (!(wait() & Status.DRQ)) throw new Error(`no DRQ at sector ${lba + b * BLOCK}`);
        tb.inb(P.status);
        if (width === 16) for (let i = 0; i < (BLOCK * 512) / 2; i++) sum = (sum + io.in16(P.data)) | 0;
        else
          for (let i = 0; i < (BLOCK * 512) / 4; i++) {
            const v = io.in32(P.data);
            sum = (sum + (v & 0xffff) + (v >>> 16)) | 0;
          }
      }
      if (wait() & Status.ERR) throw new Error('error status');
    }
    return sum;
  };
}

function row(name: string, mbps: number, baseline: number): string {
  return `| ${name} | ${mbps.toFixed(0)} | ${(baseline / mbps).toFixed(2)}x |`;
}

const mem = new MemoryImage(SECTORS * 512);
for (let i = 0; i < mem.bytes.length; i++) mem.bytes[i] = (i * 7 + (i >>> 9)) & 0xff;
const dir = mkdtempSync(join(tmpdir(), 'dev-ide-bench-'));
const filePath = join(dir, 'disk.img');
const file = RawFileImage.create(filePath, { size: SECTORS * 512 });
file.write(0, mem.bytes);
file.flush();

const bytes = SECTORS * 512;
const results: string[] = [];
for (const [label, image] of [
  ['memory image', mem],
  ['raw file image', file],
] as const) {
  const [base, w16, w32] = measureInterleaved(bytes, [() => direct(image), throughController(image, 16), throughController(image, 32)]) as [
    { mbps: number; sum: number },
    { mbps: number; sum: number },
    { mbps: number; sum: number },
  ];
  if (w16.sum !== base.sum || w32.sum !== base.sum) throw new Error(`checksums differ: ${base.sum} ${w16.sum} ${w32.sum}`);
  results.push(row(`${label}: backend read() directly (baseline)`, base.mbps, base.mbps));
  results.push(row(`${label}: PIO through the controller, 16-bit data port`, w16.mbps, base.mbps));
  results.push(row(`${label}: PIO through the controller, 32-bit data port`, w32.mbps, base.mbps));
}
file.close();
rmSync(dir, { recursive: true, force: true });

console.log(`\nSequential read of a ${DISK_MIB} MiB disk (READ MULTIPLE EXT, ${BLOCK}-sector blocks), median of 9 interleaved rounds\n`);
console.log('| case | MB/s | time vs baseline |');
console.log('|---|---:|---:|');
for (const r of results) console.log(r);
