import { SeededRandom } from '@backplane/bus';
import { createTestBench, type TestBench } from '@backplane/bus/testing';
import { ChecksumError, ValidationError, loadSection, saveSection } from '@backplane/vmstate';
import { describe, expect, it } from 'vitest';
import type { Kbc } from './Kbc';
import { KBC, kbcModule } from './module';
import { PS2_BYTE_NS } from './registers';
import { KEYS } from './scancodes';
import { initialState, kbcStateDescriptor } from './state';

const DATA = 0x60;
const STATUS = 0x64;

interface Rig {
  bench: TestBench;
  kbc: Kbc;
  trace: string[];
  origin: number;
}

function rig(): Rig {
  const bench = createTestBench([kbcModule()]);
  const kbc = bench.get(KBC);
  const r: Rig = { bench, kbc, trace: [], origin: 0 };
  bench.bus.irq.connect((irq, level) => {
    if (irq === 1 || irq === 12) r.trace.push(`irq${irq} ${bench.clock.now - r.origin} ${level}`);
  });
  kbc.a20.connect((l) => r.trace.push(`a20 ${l}`));
  kbc.resetRequest.connect((l) => r.trace.push(`reset ${l}`));
  kbc.leds$.subscribe((l) => r.trace.push(`leds ${l}`));
  r.trace.length = 0;
  return r;
}

/** A controller in the middle of things: scan codes queued, one on the wire, a break prefix seen, D1h awaiting its byte. */
function busy(): Rig {
  const r = rig();
  const { bench, kbc } = r;
  bench.outb(STATUS, 0x60);
  bench.outb(DATA, 0x45); // translation, IRQ 1
  kbc.release('KeyA');
  kbc.press('ArrowLeft');
  kbc.release('ArrowLeft');
  bench.advance(PS2_BYTE_NS * 2 + 100); // F0 swallowed by translation, 1C -> 9E in the buffer
  bench.inb(DATA); // the next byte (E0) is now on its way
  bench.advance(PS2_BYTE_NS / 2);
  bench.outb(STATUS, 0xd1); // output port write awaiting its data byte
  kbc.type('dir\r'); // and typed keys still to come
  return r;
}

function drive(r: Rig, seed: number, steps: number): void {
  const rng = new SeededRandom(seed);
  const { bench, kbc, trace } = r;
  const names = Object.keys(KEYS);
  for (let i = 0; i < steps; i++) {
    const op = rng.below(12);
    if (op < 5) {
      const port = rng.below(2) ? DATA : STATUS;
      trace.push(`in ${port} ${bench.inb(port)}`);
    } else if (op < 7) {
      const port = rng.below(2) ? DATA : STATUS;
      const v = rng.below(256);
      // Keep the controller from resetting the machine every few steps (it would only add reset pulses).
      bench.outb(port, port === STATUS && v >= 0xf0 ? 0xff : v);
    } else if (op < 9) {
      if (rng.below(10) === 0) trace.push(`type ${kbc.type('Hi!')}`);
      else trace.push(`key ${kbc[rng.below(2) ? 'press' : 'release'](names[rng.below(names.length)]!)}`);
    }
    else bench.advance(rng.below(3 * PS2_BYTE_NS));
  }
}

describe('state descriptor', () => {
  it('the power-on state round-trips', () => {
    const s = initialState();
    expect(loadSection(kbcStateDescriptor, saveSection(kbcStateDescriptor, s, { now: 0 }), { now: 0 })).toEqual(s);
  });

  it('sends command-data only while a controller command waits for its byte, command-argument only while the keyboard does', () => {
    const r = rig();
    const size = () => saveSection(kbcStateDescriptor, r.kbc.saveState(), { now: r.bench.clock.now });
    const idle = size();
    expect(new TextDecoder().decode(idle)).not.toMatch(/command-data|command-argument/);
    r.bench.outb(STATUS, 0xd1);
    expect(new TextDecoder().decode(size())).toContain('command-data');
    r.bench.outb(DATA, 0xcf);
    r.bench.outb(DATA, 0xed);
    const awaiting = new TextDecoder().decode(size());
    expect(awaiting).toContain('command-argument');
    expect(awaiting).not.toContain('command-data');
    const back = loadSection(kbcStateDescriptor, idle, { now: 0 });
    expect(back.pendingCommand).toBe(0);
    expect(back.keyboard.awaiting).toBe(0);
  });

  it('refuses impossible states and corrupted streams with typed errors', () => {
    const s = initialState();
    s.keyboard.scancodeSet = 3;
    expect(() => saveSection(kbcStateDescriptor, s, { now: 0 })).toThrow(ValidationError);
    const t = initialState();
    t.pendingCommand = 0x20; // not a command that takes data
    expect(() => saveSection(kbcStateDescriptor, t, { now: 0 })).toThrow(ValidationError);
    const good = saveSection(kbcStateDescriptor, initialState(), { now: 0 });
    const bad = good.slice();
    bad[bad.length - 5]! ^= 0x01;
    expect(() => loadSection(kbcStateDescriptor, bad, { now: 0 })).toThrow(ChecksumError);
  });
});

describe('save in the middle of a typematic repeat', () => {
  it('the restored keyboard repeats the held key at the same virtual times', () => {
    const make = () => {
      const bench = createTestBench([kbcModule({}, { typematic: true, byteDelayNs: 0 })]);
      return { bench, kbc: bench.get(KBC) };
    };
    const times = (r: ReturnType<typeof make>, origin: number) => {
      const out: number[] = [];
      for (let i = 0; i < 400; i++) {
        r.bench.advance(1_000_000);
        while (r.bench.inb(STATUS) & 1) out.push((r.bench.clock.now - origin) * 1000 + r.bench.inb(DATA));
      }
      return out;
    };
    const a = make();
    a.kbc.press('KeyQ');
    a.bench.advance(450_000_000);
    const stream = saveSection(kbcStateDescriptor, a.kbc.saveState(), { now: a.bench.clock.now });
    expect(new TextDecoder().decode(stream)).toContain('typematic-repeat');
    const b = make();
    b.bench.advance(3_000_000);
    b.kbc.loadState(loadSection(kbcStateDescriptor, stream, { now: b.bench.clock.now }));
    const ta = times(a, a.bench.clock.now);
    const tb = times(b, b.bench.clock.now);
    expect(tb).toEqual(ta);
    expect(ta.length).toBeGreaterThan(2);
  });
});

describe('save in the middle (scan codes queued, a byte on the wire, D1h awaiting data)', () => {
  it('a fresh instance loaded from the stream shows what an instance that never stopped shows', () => {
    const reference = busy();
    const stream = saveSection(kbcStateDescriptor, reference.kbc.saveState(), { now: reference.bench.clock.now });
    expect(new TextDecoder().decode(stream)).toContain('command-data');
    expect(new TextDecoder().decode(stream)).toContain('host-typing');

    const restored = rig();
    restored.bench.advance(987_654_321);
    restored.kbc.loadState(loadSection(kbcStateDescriptor, stream, { now: restored.bench.clock.now }));
    expect(restored.bench.irq(1).level).toBe(reference.bench.irq(1).level);
    expect(restored.kbc.a20.level).toBe(reference.kbc.a20.level);

    reference.origin = reference.bench.clock.now;
    restored.origin = restored.bench.clock.now;
    reference.trace.length = 0;
    restored.trace.length = 0;
    drive(reference, 11, 3000);
    drive(restored, 11, 3000);
    expect(restored.trace).toEqual(reference.trace);
  });

  it('after the load, the awaited byte goes to the output port and the queued codes arrive translated', () => {
    const reference = busy();
    const stream = saveSection(kbcStateDescriptor, reference.kbc.saveState(), { now: reference.bench.clock.now });
    const r = rig();
    r.kbc.loadState(loadSection(kbcStateDescriptor, stream, { now: 0 }));
    r.bench.outb(DATA, 0xdd);
    expect(r.kbc.a20.level).toBe(false);
    const got: number[] = [];
    for (let i = 0; i < 8; i++) {
      r.bench.advance(PS2_BYTE_NS);
      if (r.bench.inb(STATUS) & 1) got.push(r.bench.inb(DATA));
    }
    // E0 4B (ArrowLeft make) then E0 CB (its break), in set 1, then the typed D (20h).
    expect(got).toEqual([0xe0, 0x4b, 0xe0, 0xcb, 0x20]);
  });
});
