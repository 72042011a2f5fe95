import { SeededRandom } from '@backplane/bus';
import { createTestBench, type TestBench } from '@backplane/bus/testing';
import { ChecksumError, ValidationError, loadSection, saveSection, validate } from '@backplane/vmstate';
import { describe, expect, it } from 'vitest';
import { UART, uartModule } from './module';
import { initialState, uartStateDescriptor } from './state';
import { RX_PARITY_ERROR, type Uart } from './Uart';

const BASE = 0x3f8;
const THR = BASE, IER = BASE + 1, FCR = BASE + 2, LCR = BASE + 3, MCR = BASE + 4, LSR = BASE + 5;
const CHAR = Math.ceil((10 * 1e9) / 115200);

interface Rig {
  bench: TestBench;
  uart: Uart;
  /** Everything observable from outside, with times relative to `origin`. */
  trace: string[];
  origin: number;
}

function rig(): Rig {
  const bench = createTestBench([uartModule()]);
  const uart = bench.get(UART);
  const r: Rig = { bench, uart, trace: [], origin: 0 };
  uart.transmit$.subscribe((b) => r.trace.push(`tx ${bench.clock.now - r.origin} ${b}`));
  bench.bus.irq.connect((irq, level) => {
    if (irq === 4) r.trace.push(`irq ${bench.clock.now - r.origin} ${level}`);
  });
  r.trace.length = 0;
  return r;
}

/** A UART in the middle of things: half-full receive FIFO, transmitting, timeout being timed. */
function busyUart(): Rig {
  const r = rig();
  const { bench, uart } = r;
  bench.outb(LCR, 0x80);
  bench.outb(BASE, 1);
  bench.outb(BASE + 1, 0);
  bench.outb(LCR, 0x03);
  bench.outb(FCR, 0xc1); // FIFOs on, trigger level 14
  bench.outb(MCR, 0x0b);
  bench.outb(IER, 0x0f);
  for (let i = 0; i < 8; i++) uart.receive(0x30 + i, i === 5 ? RX_PARITY_ERROR : 0);
  for (let i = 0; i < 5; i++) bench.outb(THR, 0x61 + i);
  uart.feed([0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79]);
  bench.advance(CHAR + CHAR / 2);
  return r;
}

/** The same random guest and host activity on a rig, recording what the ports and lines show. */
function drive(r: Rig, seed: number, steps: number): void {
  const rng = new SeededRandom(seed);
  const { bench, uart, trace } = r;
  for (let i = 0; i < steps; i++) {
    const op = rng.below(12);
    const port = BASE + rng.below(8);
    if (op < 5) trace.push(`in ${port.toString(16)} ${bench.inb(port)}`);
    else if (op < 6) {
      // Writes that keep the line usable (no DLAB games), so the run stays interesting.
      const v = rng.below(256);
      if (port === LCR) bench.outb(LCR, v & 0x7f);
      else bench.outb(port, v);
    } else if (op < 7) trace.push(`rx ${uart.receive(rng.below(256))}`);
    else if (op < 8) trace.push(`feed ${uart.feed([rng.below(256), rng.below(256), rng.below(256)])}`);
    else bench.advance(rng.below(4 * CHAR));
  }
  trace.push(`end ${JSON.stringify([...Array(8).keys()].map((o) => (o === 0 || o === 2 || o === 5 || o === 6 ? -1 : bench.inb(BASE + o))))}`);
}

describe('state descriptor', () => {
  it('the power-on state is valid and round-trips', () => {
    const s = initialState();
    validate(uartStateDescriptor, s);
    expect(loadSection(uartStateDescriptor, saveSection(uartStateDescriptor, s, { now: 0 }), { now: 0 })).toEqual(s);
  });

  it('sends the rx-timeout subsection only while a character timeout is timed or pending', () => {
    const r = rig();
    r.bench.outb(LCR, 0x03);
    const idle = saveSection(uartStateDescriptor, r.uart.saveState(), { now: r.bench.clock.now });
    r.bench.outb(FCR, 0x01);
    r.uart.receive(0x41);
    const timing = saveSection(uartStateDescriptor, r.uart.saveState(), { now: r.bench.clock.now });
    expect(timing.length).toBeGreaterThan(idle.length);
    expect(new TextDecoder().decode(timing)).toContain('rx-timeout');
    expect(new TextDecoder().decode(idle)).not.toContain('rx-timeout');
    // Absent, the subsection's fields take their defaults: nothing timed, nothing pending.
    const back = loadSection(uartStateDescriptor, idle, { now: 0 });
    expect(back.timeoutAt).toBe(-1);
    expect(back.timeoutPending).toBe(false);
  });

  it('sends the host-input subsection only while fed bytes are on their way', () => {
    const r = rig();
    r.bench.outb(LCR, 0x80);
    r.bench.outb(BASE, 1);
    r.bench.outb(LCR, 0x03);
    r.uart.feed([1, 2, 3]);
    const text = new TextDecoder().decode(saveSection(uartStateDescriptor, r.uart.saveState(), { now: r.bench.clock.now }));
    expect(text).toContain('host-input');
    for (let i = 0; i < 3; i++) {
      r.bench.advance(CHAR);
      r.bench.inb(BASE);
    }
    expect(r.uart.fedPending).toBe(0);
    expect(new TextDecoder().decode(saveSection(uartStateDescriptor, r.uart.saveState(), { now: r.bench.clock.now }))).not.toContain('host-input');
  });

  it('refuses a state whose FIFO count exceeds the FIFO, and a corrupted stream, with typed errors', () => {
    const s = initialState();
    s.rxCount = 2; // 16450 mode holds one character
    expect(() => saveSection(uartStateDescriptor, s, { now: 0 })).toThrow(ValidationError);
    const good = saveSection(uartStateDescriptor, initialState(), { now: 0 });
    const bad = good.slice();
    bad[bad.length - 3]! ^= 0x40;
    expect(() => loadSection(uartStateDescriptor, bad, { now: 0 })).toThrow(ChecksumError);
  });
});

describe('save in the middle (half-full FIFO, transmitting, timeout being timed)', () => {
  it('a fresh instance loaded from the stream shows what an instance that never stopped shows', () => {
    const reference = busyUart();
    const stream = saveSection(uartStateDescriptor, reference.uart.saveState(), { now: reference.bench.clock.now });
    expect(new TextDecoder().decode(stream)).toContain('rx-timeout');

    const restored = rig();
    restored.bench.advance(12_345_678); // the loading machine's clock is elsewhere: deadlines move with it
    restored.uart.loadState(loadSection(uartStateDescriptor, stream, { now: restored.bench.clock.now }));

    reference.origin = reference.bench.clock.now;
    restored.origin = restored.bench.clock.now;
    reference.trace.length = 0;
    restored.trace.length = 0;
    expect(restored.bench.irq(4).level).toBe(reference.bench.irq(4).level);
    drive(reference, 7, 3000);
    drive(restored, 7, 3000);
    expect(restored.trace).toEqual(reference.trace);
    // The run really exercised the saved activity: the queued characters went out, a timeout fired.
    expect(reference.trace.filter((t) => t.startsWith('tx')).length).toBeGreaterThanOrEqual(4);
    expect(reference.trace.some((t) => /^in 3fa (204|196)$/.test(t))).toBe(true);
  });

  it('the saved characters come out in order after the load', () => {
    const reference = busyUart();
    const stream = saveSection(uartStateDescriptor, reference.uart.saveState(), { now: reference.bench.clock.now });
    const restored = rig();
    restored.uart.loadState(loadSection(uartStateDescriptor, stream, { now: 0 }));
    const got: number[] = [];
    for (let i = 0; i < 18 * 4; i++) {
      while (restored.bench.inb(LSR) & 1) got.push(restored.bench.inb(BASE));
      restored.bench.advance(CHAR / 4);
    }
    // The 8 saved characters, then the 10 fed ones, none lost.
    expect(got).toEqual([0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, ...Array.from({ length: 10 }, (_, i) => 0x70 + i)]);
    expect(restored.trace.filter((t) => t.startsWith('tx')).map((t) => Number(t.split(' ')[2]))).toEqual([0x62, 0x63, 0x64, 0x65]);
    expect(restored.trace.find((t) => t.startsWith('tx'))).toBe(`tx ${CHAR / 2} ${0x62}`);
  });
});
