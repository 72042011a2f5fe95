// 8042 port paths a guest uses most, through the bus, against a register-file device on the same
// bus (the cost of port dispatch alone). Run: npm run bench -w @backplane/dev-kbc
import { Bus } from '@backplane/bus';
import { Kbc } from '../src/index';
import { measure, report } from '../../../bench/harness';

const N = 5_000_000;
const DATA = 0x60;
const STATUS = 0x64;

const regs = new Uint8Array(8);
const plain = new Bus();
plain.io.claim('regs', DATA, 8, { read8: (o) => regs[o]!, write8: (o, v) => void (regs[o] = v) });
const baseline = measure('baseline: register file, bus in8', N, (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) acc += plain.io.in8(STATUS);
  return acc;
});

function kbcBus(byteDelayNs: number): { bus: Bus; kbc: Kbc } {
  const bus = new Bus();
  const kbc = new Kbc('kbc', {}, { byteDelayNs });
  bus.plug(kbc);
  bus.io.out8(STATUS, 0x60);
  bus.io.out8(DATA, 0x45);
  return { bus, kbc };
}

const idle = kbcBus(880_000);
const status = measure('KBC: status read (polling 64h)', N, (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) acc += idle.bus.io.in8(STATUS);
  return acc;
});

const command = measure('KBC: command 20h + data read (ops = 3 accesses)', N, (n) => {
  let acc = 0;
  for (let i = 0; i < n; i += 3) {
    idle.bus.io.out8(STATUS, 0x20);
    acc += idle.bus.io.in8(STATUS);
    acc += idle.bus.io.in8(DATA);
  }
  return acc;
});

const keys = kbcBus(0);
const typing = measure('KBC: key press + release, translated, read by the guest (ops = bytes)', N, (n) => {
  let acc = 0;
  for (let i = 0; i < n; i += 3) {
    keys.kbc.press('KeyA');
    keys.kbc.release('KeyA');
    acc += keys.bus.io.in8(DATA);
    acc += keys.bus.io.in8(DATA);
    acc += keys.bus.io.in8(STATUS);
  }
  return acc;
});

report('dev-kbc: port paths', [baseline, status, command, typing], baseline);
