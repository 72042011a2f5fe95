// Sequential read throughput of a 1.44M floppy through the controller by DMA (SEEK + multi-track
// READ DATA of a whole cylinder at a time, through the ports, the virtual clock moved from event
// to event), against reading the same backend directly, sector by sector, in the same run.
// Figures are MB/s of guest data in host time. Run: npm run bench -w @backplane/dev-fdc
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type BlockDevice, MemoryImage, RawFileImage } from '@backplane/block';
import { Bus, type DmaChannel, type DmaClient, type DmaController, type DmaDirection } from '@backplane/bus';
import { FakeDmaController } from '@backplane/bus/testing';
import { Fdc } from '@backplane/dev-fdc';

const DISK = 1474560;
const CYLINDERS = 80;
const TRACK_BYTES = 2 * 18 * 512;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Run `pass` (which reads the whole disk once and returns a checksum) several times; MB/s of the median pass. */
function measure(name: string, pass: () => number, rounds = 7): { name: string; mbps: number } {
  let sink = 0;
  for (let i = 0; i < 2; i++) sink ^= pass();
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    sink ^= pass();
    times.push(performance.now() - t0);
  }
  if (sink === 0.5) console.log(sink);
  return { name, mbps: DISK / 1e6 / (median(times) / 1000) };
}

function directPass(device: BlockDevice): () => number {
  const sector = new Uint8Array(512);
  return () => {
    let sum = 0;
    for (let off = 0; off < DISK; off += 512) {
      device.read(off, sector);
      sum = (sum + sector[0]! + sector[511]!) | 0;
    }
    return sum;
  };
}

/**
 * A minimal block-copy DMA controller for channel 2 (no 8237 registers): programmed directly, it
 * copies with typed-array block moves, so the figure shows the floppy controller's own cost. The
 * test kit's FakeDmaController copies byte by byte through the memory space instead.
 */
class BulkDma implements DmaController {
  private client: DmaClient | undefined;
  private address = 0;
  private length = 0;
  private position = 0;
  private requested = false;
  private dir: DmaDirection = 'verify';
  constructor(private readonly ram: Uint8Array) {}
  attach(channel: number, _owner: string, client: DmaClient): DmaChannel {
    this.client = client;
    const dma = this;
    return {
      channel,
      request: () => {
        this.requested = true;
        this.service();
      },
      release: () => {
        this.requested = false;
      },
      get terminalCount() {
        return dma.position >= dma.length;
      },
      get direction() {
        return dma.dir;
      },
      readMemory: (buffer, start, position, length) => {
        buffer.set(this.ram.subarray(this.address + position, this.address + position + length), start);
        return length;
      },
      writeMemory: (buffer, start, position, length) => {
        this.ram.set(buffer.subarray(start, start + length), this.address + position);
        return length;
      },
    };
  }
  program(address: number, length: number, dir: DmaDirection): void {
    this.address = address;
    this.length = length;
    this.position = 0;
    this.dir = dir;
    this.service();
  }
  private service(): void {
    while (this.requested && this.client && this.position < this.length) {
      const next = this.client.transfer(this.position, this.length);
      if (next === this.position) break;
      this.position = next;
      if (this.position === this.length) this.client.onTerminalCount?.();
    }
  }
}

/** The host side: ports, the IRQ 6 wire, the clock and RAM of a bus with the controller on it. */
class Host {
  readonly bus = new Bus();
  readonly fdc = new Fdc('fdc');
  readonly fake: FakeDmaController | undefined;
  readonly bulk: BulkDma | undefined;
  constructor(bulk: boolean) {
    this.bus.memory.mapRam('ram', 0, this.bus.memory.ram.length);
    if (bulk) this.bus.provideDma((this.bulk = new BulkDma(this.bus.memory.ram)));
    else this.bus.provideDma((this.fake = new FakeDmaController(this.bus.memory)));
    this.bus.plug(this.fdc);
  }
  program(address: number, length: number): void {
    if (this.bulk) this.bulk.program(address, length, 'write');
    else this.fake!.program(2, { address, length, direction: 'write' });
  }
  private next(): void {
    this.bus.clock.advanceTo(this.bus.clock.nextDeadline());
  }
  send(bytes: number[]): void {
    for (const v of bytes) {
      while (!(this.bus.io.in8(0x3f4) & 0x80)) this.next();
      this.bus.io.out8(0x3f5, v);
    }
  }
  waitIrq(): void {
    while (!this.bus.irq.level(6)) this.next();
  }
  drain(): void {
    for (;;) {
      while (!(this.bus.io.in8(0x3f4) & 0x80)) this.next();
      if (!(this.bus.io.in8(0x3f4) & 0x40)) return;
      this.bus.io.in8(0x3f5);
    }
  }
}

function controllerPass(device: BlockDevice, bulk = false): () => number {
  const h = new Host(bulk);
  h.fdc.insert(0, device);
  h.bus.io.out8(0x3f2, 0x00);
  h.bus.io.out8(0x3f2, 0x1c);
  h.waitIrq();
  for (let i = 0; i < 4; i++) {
    h.send([0x08]);
    h.drain();
  }
  h.send([0x03, 0xdf, 0x02]); // SRT 3 ms, DMA mode
  h.bus.io.out8(0x3f7, 0x00); // 500 kbps
  const ram = h.bus.memory.ram;
  return () => {
    let sum = 0;
    for (let c = 0; c < CYLINDERS; c++) {
      h.send([0x0f, 0x00, c]);
      h.waitIrq();
      h.send([0x08]);
      h.drain();
      h.program(0x10000, TRACK_BYTES);
      h.send([0xc6, 0x00, c, 0, 1, 2, 18, 0x1b, 0xff]); // MT READ DATA: both sides of the cylinder
      h.waitIrq();
      h.drain();
      sum = (sum + ram[0x10000]! + ram[0x10000 + TRACK_BYTES - 1]!) | 0;
    }
    return sum;
  };
}

const bytes = new Uint8Array(DISK).map((_, i) => (i * 131) >>> 3);
const dir = mkdtempSync(join(tmpdir(), 'bp-fdc-bench-'));
try {
  const path = join(dir, 'bench.img');
  writeFileSync(path, bytes);
  const memory = new MemoryImage(bytes.slice(), { readOnly: true });
  const file = RawFileImage.open(path, { readOnly: true });
  const groups = [
    [
      measure('MemoryImage read directly, 512 B at a time (baseline)', directPass(memory)),
      measure('controller, bulk-copy DMA, MemoryImage backend', controllerPass(memory, true)),
      measure('controller, test kit FakeDmaController, MemoryImage', controllerPass(memory)),
    ],
    [
      measure('RawFileImage read directly, 512 B at a time (baseline)', directPass(file)),
      measure('controller, bulk-copy DMA, RawFileImage backend', controllerPass(RawFileImage.open(path, { readOnly: true }), true)),
      measure('controller, test kit FakeDmaController, RawFileImage', controllerPass(RawFileImage.open(path, { readOnly: true }))),
    ],
  ];
  console.log('\nSequential read of a 1.44M disk (MB/s of guest data, host time, median of 7 passes)');
  for (const [base, ...rest] of groups) {
    console.log(`  ${base!.name.padEnd(58)} ${base!.mbps.toFixed(1).padStart(9)} MB/s  (baseline)`);
    for (const r of rest) console.log(`  ${r.name.padEnd(58)} ${r.mbps.toFixed(1).padStart(9)} MB/s  ${(base!.mbps / r.mbps).toFixed(2)}x baseline time`);
  }
  file.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
