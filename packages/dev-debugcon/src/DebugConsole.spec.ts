import { createTestBench } from '@backplane/bus/testing';
import { describe, expect, it } from 'vitest';
import { DEBUG_CONSOLE, debugConsoleModule } from './module';

// Behaviour as Bochs documents its "port E9 hack" and QEMU its isa-debugcon device:
// bytes written go to the host console; a read returns 0xE9.
describe('debug console: writes', () => {
  it('passes every byte the guest writes to the host, in order', () => {
    const bench = createTestBench([debugConsoleModule()]);
    const con = bench.get(DEBUG_CONSOLE);
    const seen: number[] = [];
    con.output$.subscribe((b) => seen.push(b));
    for (const ch of 'Hi\n') bench.outb(0xe9, ch.charCodeAt(0));
    expect(seen).toEqual([0x48, 0x69, 0x0a]);
    expect(con.text).toBe('Hi\n');
  });

  it('a word write delivers the low byte to the port (the high byte goes to 0xEA, unclaimed)', () => {
    const bench = createTestBench([debugConsoleModule()]);
    bench.outw(0xe9, 0x4241);
    expect(bench.get(DEBUG_CONSOLE).text).toBe('A');
  });
});

describe('debug console: reads', () => {
  it('reads back 0xE9 so a guest can detect the console', () => {
    const bench = createTestBench([debugConsoleModule()]);
    expect(bench.inb(0xe9)).toBe(0xe9);
  });

  it('can sit at 0x402 beside the one at 0xE9 (SeaBIOS log port)', () => {
    const second = Symbol('second') as never;
    const bench = createTestBench([debugConsoleModule(), debugConsoleModule({ iobase: 0x402 }, 'debugcon402', second)]);
    bench.outb(0x402, 0x21);
    expect(bench.get<{ text: string }>(second).text).toBe('!');
    expect(bench.get(DEBUG_CONSOLE).text).toBe('');
  });
});
