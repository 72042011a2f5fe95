// PIT: reading a running counter through the bus (the BIOS/OS calibration loop: latch, LSB,
// MSB) against reading a plain register file through the bus, and virtual time with IRQ 0
// running at the BIOS rate against the same time with no device events.
// Run: npm run bench -w @backplane/dev-pit
import { Bus, IoSpace } from '@backplane/bus';
import { measure, report } from '../../bus/bench/harness';
import { Pit } from '../src/index';

const N = 3_000_000;

// Baseline: three port accesses to a register file.
const regs = new Uint8Array(4);
const io = new IoSpace();
io.claim('regs', 0x40, 4, { read8: (o) => regs[o]!, write8: (o, v) => void (regs[o] = v) });
const baseline = measure('register file: out + 2 x in (baseline)', N, (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    io.out8(0x43, 0);
    acc += io.in8(0x40) | (io.in8(0x40) << 8);
  }
  return acc;
});

const bus = new Bus();
const pit = new Pit('pit');
bus.plug(pit);
bus.io.out8(0x43, 0x34);
bus.io.out8(0x40, 0);
bus.io.out8(0x40, 0);
const latchRead = measure('PIT counter latch + LSB + MSB, mode 2 counting', N, (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    bus.clock.advanceBy(13);
    bus.io.out8(0x43, 0);
    acc += bus.io.in8(0x40) | (bus.io.in8(0x40) << 8);
  }
  return acc;
});
const plainRead = measure('PIT unlatched LSB + MSB, mode 2 counting', N, (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    bus.clock.advanceBy(13);
    acc += bus.io.in8(0x40) | (bus.io.in8(0x40) << 8);
  }
  return acc;
});
report('PIT count reads (per read sequence)', [baseline, latchRead, plainRead], baseline);

// Virtual time: one second steps of 1 ms each, with and without the PIT's IRQ 0 square wave
// (mode 3 at 1 kHz: 2000 OUT edges per virtual second).
const STEPS = 200_000;
const idle = new Bus();
const idleRun = measure('advance 1 us x n, no device (baseline)', STEPS, (n) => {
  for (let i = 0; i < n; i++) idle.clock.advanceBy(1000);
  return idle.clock.now;
});
const ticking = new Bus();
const pit2 = new Pit('pit');
ticking.plug(pit2);
ticking.io.out8(0x43, 0x36);
ticking.io.out8(0x40, 1193 & 0xff);
ticking.io.out8(0x40, 1193 >> 8);
const tickRun = measure('advance 1 us x n, PIT mode 3 at 1 kHz on IRQ 0', STEPS, (n) => {
  for (let i = 0; i < n; i++) ticking.clock.advanceBy(1000);
  return ticking.clock.now;
});
report('Virtual time with the PIT running (per 1 us step)', [idleRun, tickRun], idleRun);
