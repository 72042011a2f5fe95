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

// OUT edges: the PIT in mode 3 at 1 kHz on IRQ 0 (an OUT edge every 500 us of virtual time:
// timer callback, CE/OUT computation, next-edge prediction, line update, re-arm) against a bare
// timer that re-arms itself every 500 us; the clock moves in 1 ms steps (two events per step).
const STEPS = 300_000;
const plain = new Bus();
const t = plain.clock.timer('plain', () => t.armAfter(500_000));
t.armAfter(500_000);
const timerRun = measure('bare timer every 500 us (baseline), per event', STEPS * 2, (n) => {
  for (let i = 0; i < n; i += 2) plain.clock.advanceBy(1_000_000);
  return plain.clock.now;
});
const ticking = new Bus();
const pit2 = new Pit('pit');
ticking.plug(pit2);
ticking.io.out8(0x43, 0x36);
ticking.io.out8(0x40, 1193 & 0xff);
ticking.io.out8(0x40, 1193 >> 8);
let edges = 0;
ticking.irq.connect(() => edges++);
const tickRun = measure('PIT mode 3 at 1 kHz on IRQ 0, per OUT edge', STEPS * 2, (n) => {
  for (let i = 0; i < n; i += 2) ticking.clock.advanceBy(1_000_000);
  return ticking.clock.now + edges;
});
report('OUT edges in virtual time', [timerRun, tickRun], timerRun);
