import { SeededRandom } from '@backplane/bus';
import { createTestBench } from '@backplane/bus/testing';
import { describe, expect, it } from 'vitest';
import { SYSTEM_CONTROL, systemControlModule } from './module';

function setup() {
  const bench = createTestBench([systemControlModule()]);
  return { bench, dev: bench.get(SYSTEM_CONTROL) };
}

// IBM PC/AT Technical Reference, port 61h: bits 0-3 read back as written; bit 4 toggles with
// each refresh request (every 15.085 us); bit 5 is timer 2's output; bits 6-7 are the I/O
// channel check and parity check (never raised here).
describe('port 61h: write and read back', () => {
  it('keeps bits 0-3 and ignores writes to the read-only bits 4-7', () => {
    const { bench } = setup();
    bench.outb(0x61, 0xff);
    expect(bench.inb(0x61) & 0xcf).toBe(0x0f);
    bench.outb(0x61, 0x00);
    expect(bench.inb(0x61) & 0xef).toBe(0x00);
  });

  it('drives PIT counter 2 gate from bit 0 and the speaker data line from bit 1', () => {
    const { bench, dev } = setup();
    bench.outb(0x61, 0x03);
    expect(dev.timer2Gate.level).toBe(true);
    expect(dev.speakerData.level).toBe(true);
    bench.outb(0x61, 0x02);
    expect(dev.timer2Gate.level).toBe(false);
  });
});

describe('port 61h: status inputs', () => {
  it('reports timer 2 output in bit 5', () => {
    const { bench, dev } = setup();
    dev.setTimer2Out(true);
    expect(bench.inb(0x61) & 0x20).toBe(0x20);
    dev.setTimer2Out(false);
    expect(bench.inb(0x61) & 0x20).toBe(0);
  });

  it('toggles bit 4 every refresh period of virtual time (15.085 us)', () => {
    const { bench } = setup();
    const first = bench.inb(0x61) & 0x10;
    bench.advance(15_085);
    const second = bench.inb(0x61) & 0x10;
    bench.advance(15_085);
    expect(second).not.toBe(first);
    expect(bench.inb(0x61) & 0x10).toBe(first);
  });

  it('never reports a parity or I/O channel check', () => {
    const { bench } = setup();
    bench.outb(0x61, 0);
    expect(bench.inb(0x61) & 0xc0).toBe(0);
  });
});

// IBM PS/2 system control port A (92h): bit 1 gates A20, a 0 -> 1 transition of bit 0
// resets the processor.
describe('port 92h: fast A20', () => {
  it('drives the A20 line from bit 1 and reads back what was written', () => {
    const { bench, dev } = setup();
    bench.outb(0x92, 0x02);
    expect(dev.a20.level).toBe(true);
    expect(bench.inb(0x92)).toBe(0x02);
    bench.outb(0x92, 0x00);
    expect(dev.a20.level).toBe(false);
  });
});

describe('port 92h: fast reset', () => {
  it('pulses the reset line on a 0 -> 1 transition of bit 0 only', () => {
    const { bench, dev } = setup();
    const edges: boolean[] = [];
    dev.resetRequest.level$.subscribe((l) => edges.push(l));
    bench.outb(0x92, 0x01);
    bench.outb(0x92, 0x03);
    expect(edges).toEqual([false, true, false]);
    bench.outb(0x92, 0x02);
    bench.outb(0x92, 0x03);
    expect(edges).toEqual([false, true, false, true, false]);
  });

  it('a hardware reset clears both ports and their outputs', () => {
    const { bench, dev } = setup();
    bench.outb(0x61, 0x03);
    bench.outb(0x92, 0x02);
    dev.reset();
    expect(bench.inb(0x92)).toBe(0);
    expect(bench.inb(0x61) & 0x0f).toBe(0);
    expect(dev.a20.level).toBe(false);
    expect(dev.timer2Gate.level).toBe(false);
  });
});

describe('port-write fuzz', () => {
  it('any sequence of byte, word and dword accesses keeps the state inside its bits', () => {
    const { bench, dev } = setup();
    const rng = new SeededRandom(61);
    for (let i = 0; i < 20_000; i++) {
      const port = rng.below(2) ? 0x61 : 0x92;
      const op = rng.below(6);
      const v = rng.nextUint32();
      if (op === 0) bench.outb(port, v & 0xff);
      else if (op === 1) bench.outw(port, v & 0xffff);
      else if (op === 2) bench.outl(port, v);
      else if (op === 3) bench.inb(port);
      else if (op === 4) bench.inw(port);
      else bench.advance(rng.below(100_000));
      expect(dev.state.portB & ~0x0f).toBe(0);
      expect(dev.state.portA & ~0xff).toBe(0);
    }
  });
});

describe('state: save and load', () => {
  it('a loaded state drives the same outputs and reads back the same ports', async () => {
    const { saveSection, loadSection } = await import('@backplane/vmstate');
    const a = setup();
    a.bench.outb(0x61, 0x03);
    a.bench.outb(0x92, 0x02);
    const bytes = saveSection(a.dev.descriptor, a.dev.saveState(), { now: a.bench.clock.now });
    const b = setup();
    b.dev.loadState(loadSection(b.dev.descriptor, bytes, { now: 0 }));
    expect(b.dev.timer2Gate.level).toBe(true);
    expect(b.dev.a20.level).toBe(true);
    expect(b.bench.inb(0x92)).toBe(a.bench.inb(0x92));
    expect(b.bench.inb(0x61) & 0x0f).toBe(a.bench.inb(0x61) & 0x0f);
  });
});
