// Port dispatch: 8-bit in/out through the bus against direct calls to the same handlers.
// Run: npm run bench -w @backplane/bus
import { IoSpace } from '../src/index';
import { measure, report } from './harness';

/** A register file device, as small as a device can be: the work per access is one array access. */
class Regs {
  readonly r = new Uint8Array(8);
  read8 = (o: number): number => this.r[o]!;
  write8 = (o: number, v: number): void => {
    this.r[o] = v;
  };
}

const N = 20_000_000;

// --- one device ---------------------------------------------------------------------
const single = new Regs();
const io1 = new IoSpace();
io1.claim('dev', 0x3f8, 8, single);

const direct1 = measure('direct call, one device (out + in)', N, (n) => {
  let acc = 0;
  const d = single;
  for (let i = 0; i < n; i += 2) {
    d.write8(i & 7, i);
    acc += d.read8(i & 7);
  }
  return acc;
});
const bus1 = measure('bus out8/in8, one device', N, (n) => {
  let acc = 0;
  for (let i = 0; i < n; i += 2) {
    io1.out8(0x3f8 + (i & 7), i);
    acc += io1.in8(0x3f8 + (i & 7));
  }
  return acc;
});

// --- four devices, round robin (a real machine: PIC, PIT, UART, KBC ...) ----------------
const devs = [new Regs(), new Regs(), new Regs(), new Regs()];
const bases = [0x20, 0x40, 0x3f8, 0x60];
const io4 = new IoSpace();
devs.forEach((d, i) => io4.claim(`dev${i}`, bases[i]!, 8, d));
// The baseline for several devices: the caller already holds each device's handler (no lookup),
// so the call site sees four different targets, exactly as the bus's does.
const readers = devs.map((d) => d.read8);
const writers = devs.map((d) => d.write8);
const direct4 = measure('direct call, four devices (out + in)', N, (n) => {
  let acc = 0;
  for (let i = 0; i < n; i += 2) {
    const k = (i >> 1) & 3;
    writers[k]!(i & 7, i);
    acc += readers[k]!(i & 7);
  }
  return acc;
});
const bus4 = measure('bus out8/in8, four devices', N, (n) => {
  let acc = 0;
  for (let i = 0; i < n; i += 2) {
    const port = bases[(i >> 1) & 3]! + (i & 7);
    io4.out8(port, i);
    acc += io4.in8(port);
  }
  return acc;
});
const unclaimed = measure('bus in8, unclaimed port', N, (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) acc += io4.in8(0x2e8 + (i & 7));
  return acc;
});

// --- with a trace subscriber attached ---------------------------------------------------
let traced = 0;
const sub = io4.trace$.subscribe(() => {
  traced++;
});
const busTraced = measure('bus out8/in8, four devices, trace subscribed', N / 10, (n) => {
  let acc = 0;
  for (let i = 0; i < n; i += 2) {
    const port = bases[(i >> 1) & 3]! + (i & 7);
    io4.out8(port, i);
    acc += io4.in8(port);
  }
  return acc;
});
sub.unsubscribe();
const busAfter = measure('bus out8/in8, four devices, after unsubscribing', N, (n) => {
  let acc = 0;
  for (let i = 0; i < n; i += 2) {
    const port = bases[(i >> 1) & 3]! + (i & 7);
    io4.out8(port, i);
    acc += io4.in8(port);
  }
  return acc;
});

report('port dispatch, one device', [direct1, bus1], direct1);
report('port dispatch, four devices', [direct4, bus4, unclaimed, busTraced, busAfter], direct4);
console.log(`\n(trace events delivered: ${traced})`);
const ok = bus4.opsPerSecond >= 50e6 && direct4.opsPerSecond / bus4.opsPerSecond <= 1.5;
console.log(`goal (>= 50 M ops/s and <= 1.5x the direct call, four devices): ${ok ? 'met' : 'NOT met'}`);
