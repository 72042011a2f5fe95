// Golden streams: section bytes written by an earlier build that this and every later build
// must load. Never regenerate a golden file to make this pass.
import { createTestBench } from '@backplane/bus/testing';
import { loadSection } from '@backplane/vmstate';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UART, uartModule, uartStateDescriptor } from '../src/index';
import { GOLDEN_NOW, goldenUartV1 } from './golden/fixture';

const here = dirname(fileURLToPath(import.meta.url));
const golden = (f: string) => new Uint8Array(readFileSync(join(here, 'golden', f)));

describe('golden stream: uart-16550a v1, busy (with the rx-timeout subsection)', () => {
  const bytes = golden('uart-16550a-v1.section');

  it('loads every value, deadlines moved to the new now', () => {
    const state = loadSection(uartStateDescriptor, bytes, { now: 5_000 });
    const want = goldenUartV1();
    expect(state).toEqual({ ...want, txDoneAt: want.txDoneAt - GOLDEN_NOW + 5_000, timeoutAt: want.timeoutAt - GOLDEN_NOW + 5_000 });
  });

  it('a device loaded from it shows the saved FIFO, transmission and timeout through its ports', () => {
    const bench = createTestBench([uartModule()]);
    const uart = bench.get(UART);
    const sent: number[] = [];
    uart.transmit$.subscribe((b) => sent.push(b));
    uart.loadState(loadSection(uartStateDescriptor, bytes, { now: bench.clock.now }));
    expect(bench.inb(0x3fa)).toBe(0xc1);
    bench.advance(300_000);
    expect(bench.inb(0x3fa)).toBe(0xcc); // character timeout
    expect(bench.inb(0x3fd) & 0x85).toBe(0x81);
    const got: number[] = [];
    while (bench.inb(0x3fd) & 1) got.push(bench.inb(0x3f8));
    expect(got).toEqual([0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37]);
    // The half-sent character, then the three in the FIFO: 43.4 + 3 x 86.8 us.
    bench.advance(43_403 + 3 * 86_806 - 300_000);
    expect(sent).toEqual([0x61, 0x62, 0x63, 0x64]);
  });
});
