// Motorola MC146818A datasheet: every test drives the clock through ports 70h/71h.
import { createTestBench } from '@backplane/bus/testing';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FIRST_UPDATE_END, START, UIP_WINDOW, rd, readTime, setTime, setup, wr } from '../test/helpers';
import { loadCmosFile, saveCmosFile } from './cmos-file';
import { CmosImageError, RtcConfigError } from './errors';
import { RTC, rtcModule } from './module';

const S = 1_000_000_000;

/** Advance to the end of the n-th update cycle after plugging (n = 1 is the first). */
function toUpdate(bench: ReturnType<typeof setup>['bench'], n: number): void {
  bench.advanceTo(FIRST_UPDATE_END + (n - 1) * S);
}

describe('start time', () => {
  it('shows the machine-given start time in BCD, 24-hour mode, with the PC/AT century byte', () => {
    const { bench } = setup();
    expect(readTime(bench)).toEqual({ sec: 0x58, min: 0x59, hour: 0x23, dow: 0x04, date: 0x28, month: 0x02, year: 0x24 });
    expect(rd(bench, 0x32)).toBe(0x20);
    expect(rd(bench, 0x0b)).toBe(0x02);
    expect(rd(bench, 0x0a)).toBe(0x26);
  });

  it('reads the host time once, when the device is made, and never again', () => {
    const spy = vi.spyOn(Date, 'now');
    try {
      const bench = createTestBench([rtcModule()]);
      const calls = spy.mock.calls.length;
      expect(calls).toBe(1);
      rd(bench, 0);
      bench.advance(5 * S);
      rd(bench, 0);
      expect(spy.mock.calls.length).toBe(calls);
      const host = new Date(spy.mock.results[0]!.value as number);
      expect(bench.get(RTC).startTime).toBe(spy.mock.results[0]!.value);
      expect(rd(bench, 0x08)).toBe(Number.parseInt(String(host.getUTCMonth() + 1), 16));
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses a start time that is not a finite number', () => {
    expect(() => createTestBench([rtcModule({ startTime: Number.NaN })])).toThrow(RtcConfigError);
  });
});

describe('update cycle and UIP (virtual time)', () => {
  it('advances the seconds once per second of virtual time, never otherwise', () => {
    const { bench } = setup();
    bench.advanceTo(FIRST_UPDATE_END - 1);
    expect(rd(bench, 0)).toBe(0x58);
    bench.advanceTo(FIRST_UPDATE_END);
    expect(rd(bench, 0)).toBe(0x59);
    bench.advanceTo(FIRST_UPDATE_END + S - 1);
    expect(rd(bench, 0)).toBe(0x59);
  });

  it('sets UIP 244 us before the update cycle and clears it when the 1984 us cycle ends', () => {
    const { bench } = setup();
    const cycleStart = FIRST_UPDATE_END - 1_984_000;
    bench.advanceTo(cycleStart - 244_000 - 1);
    expect(rd(bench, 0x0a) & 0x80).toBe(0);
    bench.advanceTo(FIRST_UPDATE_END - UIP_WINDOW);
    expect(rd(bench, 0x0a) & 0x80).toBe(0x80);
    bench.advanceTo(cycleStart);
    expect(rd(bench, 0x0a) & 0x80).toBe(0x80);
    bench.advanceTo(FIRST_UPDATE_END - 1);
    expect(rd(bench, 0x0a) & 0x80).toBe(0x80);
    bench.advanceTo(FIRST_UPDATE_END);
    expect(rd(bench, 0x0a)).toBe(0x26);
  });

  it('guarantees 244 us of valid time after UIP reads 0 (the BIOS read protocol)', () => {
    const { bench } = setup();
    bench.advanceTo(FIRST_UPDATE_END - UIP_WINDOW - 1);
    expect(rd(bench, 0x0a) & 0x80).toBe(0);
    const sec = rd(bench, 0);
    bench.advance(243_000);
    expect(rd(bench, 0)).toBe(sec);
  });

  it('keeps UIP read-only', () => {
    const { bench } = setup();
    wr(bench, 0x0a, 0xa6);
    expect(rd(bench, 0x0a)).toBe(0x26);
  });
});

describe('calendar', () => {
  it('rolls 23:59:59 Feb 28 to Feb 29 in a leap year, and the day of week 4 -> 5', () => {
    const { bench } = setup();
    toUpdate(bench, 2);
    expect(readTime(bench)).toEqual({ sec: 0x00, min: 0x00, hour: 0x00, dow: 0x05, date: 0x29, month: 0x02, year: 0x24 });
  });

  it('rolls Feb 28 to Mar 1 in a common year', () => {
    const { bench } = setup();
    setTime(bench, { sec: 0x59, min: 0x59, hour: 0x23, dow: 0x03, date: 0x28, month: 0x02, year: 0x23 });
    toUpdate(bench, 1);
    expect(readTime(bench)).toEqual({ sec: 0x00, min: 0x00, hour: 0x00, dow: 0x04, date: 0x01, month: 0x03, year: 0x23 });
  });

  it('rolls Feb 29 to Mar 1 and treats year 00 (2000) as a leap year', () => {
    const { bench } = setup();
    setTime(bench, { sec: 0x59, min: 0x59, hour: 0x23, dow: 0x02, date: 0x28, month: 0x02, year: 0x00 });
    toUpdate(bench, 1);
    expect(rd(bench, 0x07)).toBe(0x29);
    setTime(bench, { sec: 0x59, min: 0x59, hour: 0x23, dow: 0x03, date: 0x29, month: 0x02, year: 0x00 });
    toUpdate(bench, 2);
    expect([rd(bench, 0x07), rd(bench, 0x08)]).toEqual([0x01, 0x03]);
  });

  it.each([
    ['April', 0x04, 0x30, 0x05],
    ['June', 0x06, 0x30, 0x07],
    ['September', 0x09, 0x30, 0x10],
    ['November', 0x11, 0x30, 0x12],
    ['January', 0x01, 0x31, 0x02],
    ['July', 0x07, 0x31, 0x08],
    ['August', 0x08, 0x31, 0x09],
  ])('ends %s after its last day', (_name, month, last, next) => {
    const { bench } = setup();
    setTime(bench, { sec: 0x59, min: 0x59, hour: 0x23, dow: 0x01, date: last, month, year: 0x21 });
    toUpdate(bench, 1);
    expect([rd(bench, 0x07), rd(bench, 0x08)]).toEqual([0x01, next]);
  });

  it('does not end a 31-day month after day 30', () => {
    const { bench } = setup();
    setTime(bench, { sec: 0x59, min: 0x59, hour: 0x23, dow: 0x01, date: 0x30, month: 0x10, year: 0x21 });
    toUpdate(bench, 1);
    expect([rd(bench, 0x07), rd(bench, 0x08)]).toEqual([0x31, 0x10]);
  });

  it('rolls Dec 31 23:59:59 of year 99 to Jan 1 of year 00, Saturday (7) to Sunday (1)', () => {
    const { bench } = setup();
    setTime(bench, { sec: 0x59, min: 0x59, hour: 0x23, dow: 0x07, date: 0x31, month: 0x12, year: 0x99 });
    toUpdate(bench, 1);
    expect(readTime(bench)).toEqual({ sec: 0, min: 0, hour: 0, dow: 0x01, date: 0x01, month: 0x01, year: 0x00 });
  });
});

describe('data mode: binary', () => {
  it('counts in binary when register B bit 2 is set', () => {
    const { bench } = setup();
    wr(bench, 0x0b, 0x06);
    setTime(bench, { sec: 59, min: 59, hour: 23, dow: 7, date: 31, month: 12, year: 24 });
    toUpdate(bench, 1);
    expect(readTime(bench)).toEqual({ sec: 0, min: 0, hour: 0, dow: 1, date: 1, month: 1, year: 25 });
    setTime(bench, { sec: 9, min: 0, hour: 0, dow: 1, date: 1, month: 1, year: 25 });
    toUpdate(bench, 2);
    expect(rd(bench, 0)).toBe(10); // binary 10, not BCD 10h
  });
});

describe('12-hour mode (register B bit 1 = 0, hours bit 7 = PM)', () => {
  function at(hour: number): number {
    const { bench } = setup();
    wr(bench, 0x0b, 0x00);
    setTime(bench, { sec: 0x59, min: 0x59, hour, dow: 0x02, date: 0x10, month: 0x06, year: 0x24 });
    toUpdate(bench, 1);
    const h = rd(bench, 0x04);
    return rd(bench, 0x07) === 0x11 ? h | 0x100 : h; // 0x100 marks "next day"
  }

  it('11:59:59 AM -> 12:00:00 PM', () => expect(at(0x11)).toBe(0x92));
  it('12:59:59 PM -> 1:00:00 PM', () => expect(at(0x92)).toBe(0x81));
  it('11:59:59 PM -> 12:00:00 AM on the next day', () => expect(at(0x91)).toBe(0x112));
  it('12:59:59 AM -> 1:00:00 AM', () => expect(at(0x12)).toBe(0x01));
  it('9:59:59 AM -> 10:00:00 AM (BCD carry)', () => expect(at(0x09)).toBe(0x10));

  it('works in binary too: 11 PM -> 12 AM', () => {
    const { bench } = setup();
    wr(bench, 0x0b, 0x04);
    setTime(bench, { sec: 59, min: 59, hour: 0x80 | 11, dow: 2, date: 10, month: 6, year: 24 });
    toUpdate(bench, 1);
    expect([rd(bench, 0x04), rd(bench, 0x07)]).toEqual([12, 11]);
  });
});

describe('SET bit (register B bit 7)', () => {
  it('inhibits updates while set; the divider keeps its phase', () => {
    const { bench } = setup();
    wr(bench, 0x0b, 0x82);
    toUpdate(bench, 3);
    expect(rd(bench, 0)).toBe(0x58);
    expect(rd(bench, 0x0a) & 0x80).toBe(0);
    wr(bench, 0x0b, 0x02);
    toUpdate(bench, 4);
    expect(rd(bench, 0)).toBe(0x59);
  });

  it('clears UIE when set', () => {
    const { bench } = setup();
    wr(bench, 0x0b, 0x12);
    wr(bench, 0x0b, 0x92);
    expect(rd(bench, 0x0b)).toBe(0x82);
  });

  it('keeps UIP at 0 while set', () => {
    const { bench } = setup();
    wr(bench, 0x0b, 0x82);
    bench.advanceTo(FIRST_UPDATE_END - 1000);
    expect(rd(bench, 0x0a) & 0x80).toBe(0);
  });
});

describe('divider control (register A bits 6-4)', () => {
  it('holds the clock while the divider is in reset (11x) and updates 500 ms after it is released', () => {
    const { bench } = setup();
    wr(bench, 0x0a, 0x66);
    toUpdate(bench, 5);
    expect(rd(bench, 0)).toBe(0x58);
    expect(rd(bench, 0x0a) & 0x80).toBe(0);
    const release = bench.clock.now + 123_456;
    bench.advanceTo(release);
    wr(bench, 0x0a, 0x26);
    bench.advanceTo(release + 500_000_000 - 244_000 - 1);
    expect(rd(bench, 0x0a) & 0x80).toBe(0);
    bench.advanceTo(release + 500_000_000 - 244_000);
    expect(rd(bench, 0x0a) & 0x80).toBe(0x80);
    bench.advanceTo(release + 500_000_000 + 1_984_000 - 1);
    expect(rd(bench, 0)).toBe(0x58);
    bench.advanceTo(release + 500_000_000 + 1_984_000);
    expect(rd(bench, 0)).toBe(0x59);
    bench.advanceTo(release + 1_500_000_000 + 1_984_000);
    expect(rd(bench, 0)).toBe(0x00);
  });

  it('does not count with a divider setting other than 010 (the PC crystal is 32.768 kHz)', () => {
    const { bench } = setup();
    wr(bench, 0x0a, 0x06);
    toUpdate(bench, 3);
    expect(rd(bench, 0)).toBe(0x58);
  });
});

describe('periodic interrupt (rate select, PIE)', () => {
  /** Times of the IRQ 8 rising edges over `span` ns, reading register C after each. */
  function periodicEdges(rs: number, span: number): number[] {
    const { bench } = setup();
    const irq = bench.irq(8);
    wr(bench, 0x0a, 0x20 | rs);
    wr(bench, 0x0b, 0x42);
    const edges: number[] = [];
    const end = bench.clock.now + span;
    while (bench.clock.nextDeadline() <= end) {
      bench.advanceTo(bench.clock.nextDeadline());
      if (irq.level) {
        edges.push(bench.clock.now);
        expect(rd(bench, 0x0c) & 0xc0).toBe(0xc0);
        expect(irq.level).toBe(false);
      }
    }
    return edges;
  }

  it.each([
    [3, 122_070.3125],
    [6, 976_562.5],
    [7, 1_953_125],
    [1, 3_906_250],
    [2, 7_812_500],
    [15, 500_000_000],
  ])('RS=%i gives a period of %f ns', (rs, period) => {
    const span = Math.min(2 * S, period * 64);
    const edges = periodicEdges(rs, span);
    expect(edges.length).toBeGreaterThanOrEqual(Math.floor(span / period) - 1);
    for (let i = 1; i < edges.length; i++) expect(Math.abs(edges[i]! - edges[i - 1]! - period)).toBeLessThan(1);
    // over many periods there is no drift: the instants sit on the exact 32.768 kHz lattice
    const first = edges[0]!;
    const last = edges[edges.length - 1]!;
    expect(Math.abs(last - first - (edges.length - 1) * period)).toBeLessThan(1);
  });

  it('RS=0 gives no periodic interrupt', () => {
    expect(periodicEdges(0, S / 2)).toEqual([]);
  });

  it('sets PF without PIE, but raises no interrupt', () => {
    const { bench } = setup();
    const irq = bench.irq(8);
    bench.advance(2_000_000);
    expect(rd(bench, 0x0c)).toBe(0x40);
    expect(irq.rises).toBe(0);
  });
});

describe('alarm interrupt (AIE, AF)', () => {
  it('sets AF at the update that makes the time equal to the alarm and raises IRQ 8 with AIE', () => {
    const { bench } = setup();
    const irq = bench.irq(8);
    wr(bench, 0x01, 0x01);
    wr(bench, 0x03, 0x00);
    wr(bench, 0x05, 0x00); // alarm 00:00:01
    wr(bench, 0x0b, 0x22);
    toUpdate(bench, 2); // 00:00:00
    expect(irq.level).toBe(false);
    toUpdate(bench, 3); // 00:00:01
    expect(irq.level).toBe(true);
    expect(irq.history[0]!.time).toBe(FIRST_UPDATE_END + 2 * S);
    expect(rd(bench, 0x0c) & 0xb0).toBe(0x80 | 0x20 | 0x10); // IRQF, AF, UF (PF runs at 1024 Hz too)
    expect(irq.level).toBe(false);
  });

  it('treats alarm bytes C0h-FFh as "don\'t care": a seconds-only alarm fires once a minute', () => {
    const { bench } = setup();
    wr(bench, 0x01, 0x30);
    wr(bench, 0x03, 0xc0);
    wr(bench, 0x05, 0xff);
    let matches = 0;
    for (let n = 1; n <= 125; n++) {
      toUpdate(bench, n);
      if (rd(bench, 0x0c) & 0x20) matches++;
    }
    expect(matches).toBe(2);
  });

  it('with all three alarm bytes don\'t care, alarms every second', () => {
    const { bench } = setup();
    wr(bench, 0x01, 0xc0);
    wr(bench, 0x03, 0xc0);
    wr(bench, 0x05, 0xc0);
    for (let n = 1; n <= 3; n++) {
      toUpdate(bench, n);
      expect(rd(bench, 0x0c) & 0x20).toBe(0x20);
    }
  });

  it('compares the hours byte with its PM bit in 12-hour mode', () => {
    const { bench } = setup();
    wr(bench, 0x0b, 0x00);
    setTime(bench, { sec: 0x59, min: 0x59, hour: 0x11, dow: 1, date: 1, month: 1, year: 0x24 });
    wr(bench, 0x01, 0x00);
    wr(bench, 0x03, 0x00);
    wr(bench, 0x05, 0x12); // 12 AM: must not match 12 PM
    toUpdate(bench, 1);
    expect(rd(bench, 0x04)).toBe(0x92);
    expect(rd(bench, 0x0c) & 0x20).toBe(0);
  });
});

describe('update-ended interrupt (UIE, UF)', () => {
  it('raises IRQ 8 at the end of every update cycle', () => {
    const { bench } = setup();
    const irq = bench.irq(8);
    wr(bench, 0x0b, 0x12);
    for (let n = 1; n <= 3; n++) {
      toUpdate(bench, n);
      expect(irq.level).toBe(true);
      expect(rd(bench, 0x0c) & 0x90).toBe(0x90); // IRQF + UF (PF and AF may be set too)
    }
    expect(irq.history.filter((h) => h.level).map((h) => h.time)).toEqual([FIRST_UPDATE_END, FIRST_UPDATE_END + S, FIRST_UPDATE_END + 2 * S]);
  });
});

describe('register C (flags, read to clear)', () => {
  it('clears every flag and IRQF when read, and lowers IRQ 8', () => {
    const { bench } = setup();
    const irq = bench.irq(8);
    wr(bench, 0x0b, 0x12);
    toUpdate(bench, 1);
    expect(rd(bench, 0x0c) & 0x90).toBe(0x90);
    expect(rd(bench, 0x0c)).toBe(0);
    expect(irq.level).toBe(false);
  });

  it('sets IRQF only for an enabled flag; enabling it later asserts IRQ at once', () => {
    const { bench } = setup();
    const irq = bench.irq(8);
    toUpdate(bench, 1);
    expect(irq.level).toBe(false);
    wr(bench, 0x0b, 0x12);
    expect(irq.level).toBe(true);
    expect(rd(bench, 0x0c) & 0x90).toBe(0x90);
  });

  it('is read only', () => {
    const { bench } = setup();
    wr(bench, 0x0c, 0xff);
    expect(rd(bench, 0x0c)).toBe(0);
  });
});

describe('register D (VRT)', () => {
  it('reads 80h (valid RAM and time) and ignores writes', () => {
    const { bench } = setup();
    wr(bench, 0x0d, 0x00);
    expect(rd(bench, 0x0d)).toBe(0x80);
  });
});

describe('daylight saving (DSE)', () => {
  it('jumps from 1:59:59 AM to 3:00:00 AM on the last Sunday in April', () => {
    const { bench } = setup();
    wr(bench, 0x0b, 0x03);
    setTime(bench, { sec: 0x59, min: 0x59, hour: 0x01, dow: 0x01, date: 0x28, month: 0x04, year: 0x24 });
    toUpdate(bench, 1);
    expect([rd(bench, 0x04), rd(bench, 0x02), rd(bench, 0x00)]).toEqual([0x03, 0x00, 0x00]);
  });

  it('goes back from 1:59:59 AM to 1:00:00 AM on the last Sunday in October, only the first time', () => {
    const { bench, rtc } = setup();
    wr(bench, 0x0b, 0x03);
    setTime(bench, { sec: 0x59, min: 0x59, hour: 0x01, dow: 0x01, date: 0x27, month: 0x10, year: 0x24 });
    toUpdate(bench, 1);
    expect([rd(bench, 0x04), rd(bench, 0x02)]).toEqual([0x01, 0x00]);
    expect(rtc.state.fallBackDone).toBe(true);
    wr(bench, 0x0b, 0x83);
    wr(bench, 0x02, 0x59);
    wr(bench, 0x00, 0x59);
    wr(bench, 0x0b, 0x03);
    toUpdate(bench, 2);
    expect([rd(bench, 0x04), rd(bench, 0x02)]).toEqual([0x02, 0x00]);
  });

  it('does nothing on other Sundays or without DSE', () => {
    const { bench } = setup();
    wr(bench, 0x0b, 0x02);
    setTime(bench, { sec: 0x59, min: 0x59, hour: 0x01, dow: 0x01, date: 0x28, month: 0x04, year: 0x24 });
    toUpdate(bench, 1);
    expect(rd(bench, 0x04)).toBe(0x02);
    wr(bench, 0x0b, 0x03);
    setTime(bench, { sec: 0x59, min: 0x59, hour: 0x01, dow: 0x01, date: 0x21, month: 0x04, year: 0x24 });
    toUpdate(bench, 2);
    expect(rd(bench, 0x04)).toBe(0x02);
  });
});

describe('port 70h: index and NMI mask', () => {
  it('selects the register with bits 6-0 and drives the NMI mask from bit 7', () => {
    const { bench, rtc } = setup();
    const levels: boolean[] = [];
    rtc.nmiMask.level$.subscribe((l) => levels.push(l));
    bench.outb(0x70, 0x80 | 0x40);
    bench.outb(0x71, 0x5a);
    expect(rtc.nmiMasked).toBe(true);
    bench.outb(0x70, 0x40);
    expect(bench.inb(0x71)).toBe(0x5a);
    expect(rtc.nmiMasked).toBe(false);
    expect(levels).toEqual([false, true, false]);
  });

  it('is write only on the AT: reads return FFh', () => {
    const { bench } = setup();
    bench.outb(0x70, 0x0a);
    expect(bench.inb(0x70)).toBe(0xff);
  });
});

describe('CMOS RAM (0Eh-7Fh)', () => {
  it('stores every byte', () => {
    const { bench } = setup();
    for (let i = 0x0e; i < 0x80; i++) wr(bench, i, (i * 3) & 0xff);
    for (let i = 0x0e; i < 0x80; i++) expect(rd(bench, i)).toBe((i * 3) & 0xff);
  });
});

// Intel 82371AB (PIIX4) and the PCs built on it (e.g. Compaq's Deskpro EP technical reference,
// section 4.6): 256 bytes of configuration memory in two banks; the upper 128 bytes through
// index port 72h and data port 73h, addresses 00h-7Fh (80h-FFh of the whole).
describe('upper 128-byte bank (ports 72h/73h, PIIX4-class chipsets)', () => {
  const upper = { upperBase: 0x72 };
  it('stores 128 bytes of its own, apart from the lower bank', () => {
    const { bench } = setup(upper);
    for (let i = 0; i < 0x80; i++) {
      bench.outb(0x72, i);
      bench.outb(0x73, (i * 7 + 1) & 0xff);
    }
    for (let i = 0x0e; i < 0x80; i++) wr(bench, i, 0x5a);
    for (let i = 0; i < 0x80; i++) {
      bench.outb(0x72, i);
      expect(bench.inb(0x73)).toBe((i * 7 + 1) & 0xff);
    }
    expect(rd(bench, 0x0e)).toBe(0x5a);
  });
  it('ignores index bit 7 and leaves the NMI mask (port 70h bit 7) alone', () => {
    const { bench, rtc } = setup(upper);
    bench.outb(0x72, 0x85);
    bench.outb(0x73, 0x3c);
    bench.outb(0x72, 0x05);
    expect(bench.inb(0x73)).toBe(0x3c);
    expect(rtc.nmiMasked).toBe(false);
  });
  it('is absent from the MC146818A alone (the default): ports 72h/73h are not decoded', () => {
    const { bench } = setup();
    bench.outb(0x72, 0x05);
    bench.outb(0x73, 0x3c);
    expect(bench.inb(0x73)).toBe(0xff);
  });
  it('travels in the state (version 2) and in 256-byte CMOS images', () => {
    const a = setup(upper);
    a.bench.outb(0x72, 0x7f);
    a.bench.outb(0x73, 0xc3);
    const image = a.rtc.cmosImage();
    expect(image.length).toBe(256);
    expect(image[0xff]).toBe(0xc3);
    const b = setup(upper);
    b.rtc.loadState(a.rtc.saveState());
    b.bench.outb(0x72, 0x7f);
    expect(b.bench.inb(0x73)).toBe(0xc3);
    const c = setup(upper);
    c.rtc.loadCmosImage(image);
    c.bench.outb(0x72, 0x7f);
    expect(c.bench.inb(0x73)).toBe(0xc3);
    expect(() => setup().rtc.loadCmosImage(image)).toThrow(/128 bytes \(this clock has no upper bank\), got 256/);
  });
});

describe('CMOS image files', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('saves 128 bytes and loads them into another RTC (RAM only by default)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rtc-cmos-'));
    const file = join(dir, 'cmos.bin');
    const a = setup();
    wr(a.bench, 0x10, 0x44);
    wr(a.bench, 0x7f, 0x99);
    await saveCmosFile(a.rtc, file);
    const raw = await readFile(file);
    expect(raw.length).toBe(128);
    expect([raw[0x10], raw[0x7f], raw[0x00]]).toEqual([0x44, 0x99, 0x58]);
    const b = setup({ startTime: Date.UTC(2030, 0, 1, 12, 0, 0) });
    await loadCmosFile(b.rtc, file);
    expect([rd(b.bench, 0x10), rd(b.bench, 0x7f)]).toEqual([0x44, 0x99]);
    expect(rd(b.bench, 0x09)).toBe(0x30); // its own clock
    await loadCmosFile(b.rtc, file, { clock: true });
    expect(rd(b.bench, 0x09)).toBe(0x24);
    expect(rd(b.bench, 0x0d)).toBe(0x80);
  });

  it('refuses an image of the wrong size, or a missing file, with CmosImageError and changes nothing', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rtc-cmos-'));
    const file = join(dir, 'short.bin');
    await writeFile(file, new Uint8Array(64).fill(0xaa));
    const { bench, rtc } = setup();
    wr(bench, 0x20, 0x11);
    await expect(loadCmosFile(rtc, file)).rejects.toThrow(CmosImageError);
    await expect(loadCmosFile(rtc, join(dir, 'missing.bin'))).rejects.toThrow(CmosImageError);
    expect(rd(bench, 0x20)).toBe(0x11);
  });
});

describe('RESET', () => {
  it('clears PIE, AIE, UIE, SQWE and the flags, and keeps the time', () => {
    const { bench } = setup();
    const irq = bench.irq(8);
    wr(bench, 0x0b, 0x7a);
    toUpdate(bench, 1);
    expect(irq.level).toBe(true);
    bench.bus.reset();
    expect(rd(bench, 0x0b)).toBe(0x02);
    expect(rd(bench, 0x0c)).toBe(0);
    expect(irq.level).toBe(false);
    expect(rd(bench, 0x00)).toBe(0x59);
  });
});

describe('resources', () => {
  it('uses the given ports and IRQ wire', () => {
    const bench = createTestBench([rtcModule({ iobase: 0x170, irq: 5, startTime: START })]);
    const irq = bench.irq(5);
    bench.outb(0x170, 0x0b);
    bench.outb(0x171, 0x12);
    bench.advanceTo(FIRST_UPDATE_END);
    expect(irq.level).toBe(true);
  });
});
