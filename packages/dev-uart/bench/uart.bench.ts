// 16550A port paths a guest uses most, through the bus, against a register-file device on the
// same bus (the cost of port dispatch alone). Run: npm run bench -w @backplane/dev-uart
import { Bus } from '@backplane/bus';
import { Uart } from '../src/index';
import { measure, report } from '../../../bench/harness';

const N = 5_000_000;
const BASE = 0x3f8;
const LSR = BASE + 5;

/** A register file: the least a device can do per access. */
const regs = new Uint8Array(8);
const plain = new Bus();
plain.io.claim('regs', BASE, 8, { read8: (o) => regs[o]!, write8: (o, v) => void (regs[o] = v) });

const baseline = measure('baseline: register file, bus in8 + out8', N, (n) => {
  let acc = 0;
  for (let i = 0; i < n; i += 2) {
    plain.io.out8(BASE + 7, i);
    acc += plain.io.in8(LSR);
  }
  return acc;
});

function uartBus(paced: boolean): { bus: Bus; uart: Uart } {
  const bus = new Bus();
  const uart = new Uart('uart1', {}, { paced });
  bus.plug(uart);
  bus.io.out8(BASE + 3, 0x80);
  bus.io.out8(BASE, 1);
  bus.io.out8(BASE + 1, 0);
  bus.io.out8(BASE + 3, 0x03);
  bus.io.out8(BASE + 2, 0x07);
  bus.io.out8(BASE + 4, 0x0b);
  bus.io.out8(BASE + 1, 0x0f);
  return { bus, uart };
}

const poll = uartBus(true);
const lsrPoll = measure('UART: scratch write + LSR read (polling)', N, (n) => {
  let acc = 0;
  for (let i = 0; i < n; i += 2) {
    poll.bus.io.out8(BASE + 7, i);
    acc += poll.bus.io.in8(LSR);
  }
  return acc;
});

const tx = uartBus(false);
let sent = 0;
tx.uart.transmit$.subscribe(() => sent++);
const transmit = measure('UART: transmit a character (LSR poll + THR write, unpaced)', N, (n) => {
  let acc = 0;
  for (let i = 0; i < n; i += 2) {
    acc += tx.bus.io.in8(LSR);
    tx.bus.io.out8(BASE, i);
  }
  return acc + sent;
});

const rx = uartBus(true);
const receive = measure('UART: receive a character (host receive + LSR + RBR read)', N, (n) => {
  let acc = 0;
  for (let i = 0; i < n; i += 3) {
    rx.uart.receive(i & 0xff);
    acc += rx.bus.io.in8(LSR);
    acc += rx.bus.io.in8(BASE);
  }
  return acc;
});

report('dev-uart: port paths (ops = port accesses or host calls)', [baseline, lsrPoll, transmit, receive], baseline);
