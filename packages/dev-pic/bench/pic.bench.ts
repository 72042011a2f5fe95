// PIC: one interrupt's round trip (device raises its line, CPU acknowledges, handler lowers
// the line and sends EOI) against the same number of port accesses to a register file.
// Run: npm run bench -w @backplane/dev-pic
import { Bus, IoSpace } from '@backplane/bus';
import { measure, report } from '../../bus/bench/harness';
import { Pic } from '../src/index';

const N = 2_000_000;

const regs = new Uint8Array(2);
const io = new IoSpace();
io.claim('regs', 0x20, 2, { read8: (o) => regs[o]!, write8: (o, v) => void (regs[o] = v) });
const baseline = measure('register file: one out (baseline)', N, (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    io.out8(0x20, 0x20);
    acc += regs[0]!;
  }
  return acc;
});

function pcPic(): { bus: Bus; pic: Pic } {
  const bus = new Bus();
  const pic = new Pic('pic');
  bus.plug(pic);
  for (const [port, v] of [
    [0x20, 0x11], [0x21, 0x08], [0x21, 0x04], [0x21, 0x01],
    [0xa0, 0x11], [0xa1, 0x70], [0xa1, 0x02], [0xa1, 0x01],
  ] as const)
    bus.io.out8(port, v);
  return { bus, pic };
}

const m = pcPic();
const line = m.bus.irq.line(1, 'kbd');
const masterRound = measure('IRQ 1: raise, INTA, lower, EOI', N, (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    line.raise();
    acc += m.pic.acknowledge();
    line.lower();
    m.bus.io.out8(0x20, 0x20);
  }
  return acc;
});

const s = pcPic();
const line14 = s.bus.irq.line(14, 'ide');
const slaveRound = measure('IRQ 14 (slave): raise, INTA, lower, EOI slave + master', N, (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    line14.raise();
    acc += s.pic.acknowledge();
    line14.lower();
    s.bus.io.out8(0xa0, 0x20);
    s.bus.io.out8(0x20, 0x20);
  }
  return acc;
});
report('PIC interrupt round trips', [baseline, masterRound, slaveRound], baseline);
