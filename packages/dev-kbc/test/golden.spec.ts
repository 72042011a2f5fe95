// Golden streams: section bytes written by an earlier build that this and every later build
// must load. Never regenerate a golden file to make this pass.
import { createTestBench } from '@backplane/bus/testing';
import { loadSection } from '@backplane/vmstate';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KBC, PS2_BYTE_NS, kbcModule, kbcStateDescriptor } from '../src/index';
import { goldenKbcV1 } from './golden/fixture';

const here = dirname(fileURLToPath(import.meta.url));
const golden = (f: string) => new Uint8Array(readFileSync(join(here, 'golden', f)));

describe('golden stream: kbc-8042 v1 with ps2-keyboard v1 (both subsections present)', () => {
  const bytes = golden('kbc-8042-v1.section');

  it('loads every value', () => {
    expect(loadSection(kbcStateDescriptor, bytes, { now: 0 })).toEqual(goldenKbcV1());
  });

  it('a controller loaded from it continues where the saved one was', () => {
    const bench = createTestBench([kbcModule()]);
    const kbc = bench.get(KBC);
    let leds = -1;
    kbc.leds$.subscribe((l) => (leds = l));
    kbc.loadState(loadSection(kbcStateDescriptor, bytes, { now: bench.clock.now }));
    expect(kbc.a20.level).toBe(false);
    expect(leds).toBe(2);
    expect(bench.irq(1).level).toBe(true);
    expect(bench.inb(0x64) & 0x0d).toBe(0x0d);
    const got: number[] = [bench.inb(0x60)];
    for (let i = 0; i < 6; i++) {
      bench.advance(PS2_BYTE_NS);
      if (bench.inb(0x64) & 1) got.push(bench.inb(0x60));
    }
    expect(got).toEqual([0x9e, 0xe0, 0x4b, 0xe0, 0xcb]);
    bench.outb(0x60, 0xdf); // the data byte D1h was waiting for
    expect(kbc.a20.level).toBe(true);
    bench.outb(0x60, 0x07); // the LED byte EDh was waiting for
    expect(leds).toBe(7);
    bench.advance(PS2_BYTE_NS);
    expect(bench.inb(0x60)).toBe(0xfa);
  });
});
